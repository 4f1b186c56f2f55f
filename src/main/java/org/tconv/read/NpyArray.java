package org.tconv.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An n-d array in NumPy's {@code .npy} format (versions 1.0, 2.0, 3.0), held as float64 in C order.
 *
 * <p>Reads float32/64, int8/16/32/64, uint8/16 in either byte order, C or Fortran order; writes
 * version 1.0, {@code '<f8'}, C order, the header padded so data starts at a multiple of 64 bytes, as
 * {@code numpy.save} does. Example: {@code np.save("w.npy", np.ones((2, 3)))} reads as shape {@code [2, 3]},
 * data {@code [1, 1, 1, 1, 1, 1]}.
 */
public final class NpyArray implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** C-order shape; a scalar has an empty shape. */
    public final int[] shape;
    /** Values converted to float64, C order. */
    public final double[] data;
    /** The dtype as the file wrote it, e.g. {@code <f4}. */
    public final String dtype;

    public NpyArray(int[] shape, double[] data, String dtype) {
        this.shape = shape;
        this.data = data;
        this.dtype = dtype;
    }

    public long size() {
        return data.length;
    }

    /** Parses a whole file. @throws IllegalArgumentException naming what is wrong with it */
    public static NpyArray read(byte[] bytes) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IllegalArgumentException("not a .npy file (bad magic)");
        }
        int major = bytes[6] & 0xff;
        int headerLen, headerStart;
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            headerLen = le.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new IllegalArgumentException("truncated .npy header");
            headerLen = le.getInt(8);
            headerStart = 12;
        } else {
            throw new IllegalArgumentException("unsupported .npy version " + major);
        }
        if (headerLen < 0 || headerStart + (long) headerLen > bytes.length) {
            throw new IllegalArgumentException("truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr");
        boolean fortran = group(FORTRAN, header, "fortran_order").equals("True");
        int[] shape = parseShape(group(SHAPE, header, "shape"));
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(".npy array of shape " + Arrays.toString(shape) + " is too large");
        }
        Dtype t = Dtype.parse(descr);
        int dataStart = headerStart + headerLen;
        long needed = n * t.size;
        if (bytes.length - dataStart < needed) {
            throw new IllegalArgumentException("truncated .npy: header says " + n + " values, file holds "
                    + (bytes.length - dataStart) / t.size);
        }
        double[] data = t.decode(ByteBuffer.wrap(bytes, dataStart, (int) needed).slice().order(t.order), (int) n);
        if (fortran && shape.length > 1) data = fortranToC(data, shape);
        return new NpyArray(shape, data, descr);
    }

    /** Reads a stream to its end and parses it. */
    public static NpyArray read(InputStream in) throws IOException {
        return read(in.readAllBytes());
    }

    /** A version 1.0 file of little-endian float64 in C order. */
    public static byte[] toBytes(int[] shape, double[] data) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) dims.append(i == 0 ? "" : ", ").append(shape[i]);
        if (shape.length == 1) dims.append(','); // (5,) is a tuple, (5) is not
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        b.asDoubleBuffer().put(data);
        return b.array();
    }

    public static void write(OutputStream out, int[] shape, double[] data) throws IOException {
        out.write(toBytes(shape, data));
    }

    private static String group(Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new IllegalArgumentException("bad .npy header: no '" + key + "'");
        return m.group(1);
    }

    private static int[] parseShape(String s) {
        String t = s.trim();
        if (t.isEmpty()) return new int[0];
        String[] parts = t.split(",");
        int count = parts[parts.length - 1].trim().isEmpty() ? parts.length - 1 : parts.length;
        int[] shape = new int[count];
        for (int i = 0; i < count; i++) {
            String p = parts[i].trim();
            if (p.endsWith("L")) p = p.substring(0, p.length() - 1); // Python 2 longs
            try {
                shape[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad .npy header: shape (" + s + ")");
            }
            if (shape[i] < 0) throw new IllegalArgumentException("bad .npy header: shape (" + s + ")");
        }
        return shape;
    }

    private static double[] fortranToC(double[] f, int[] shape) {
        int rank = shape.length;
        double[] c = new double[f.length];
        int[] idx = new int[rank];
        int[] fStride = new int[rank];
        fStride[0] = 1;
        for (int d = 1; d < rank; d++) fStride[d] = fStride[d - 1] * shape[d - 1];
        for (int i = 0; i < c.length; i++) {
            int off = 0;
            for (int d = 0; d < rank; d++) off += idx[d] * fStride[d];
            c[i] = f[off];
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return c;
    }

    /** The element types tconv reads, with their bulk decoders. */
    private enum Kind { F4, F8, I1, U1, I2, U2, I4, I8 }

    private static final class Dtype {
        final Kind kind;
        final int size;
        final ByteOrder order;

        private Dtype(Kind kind, int size, ByteOrder order) {
            this.kind = kind;
            this.size = size;
            this.order = order;
        }

        static Dtype parse(String descr) {
            if (descr.length() < 3) throw new IllegalArgumentException("unsupported .npy dtype '" + descr + "'");
            char o = descr.charAt(0);
            ByteOrder order = o == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            if (o != '<' && o != '>' && o != '|' && o != '=') throw new IllegalArgumentException("unsupported .npy dtype '" + descr + "'");
            switch (descr.substring(1)) {
                case "f4": return new Dtype(Kind.F4, 4, order);
                case "f8": return new Dtype(Kind.F8, 8, order);
                case "i1": return new Dtype(Kind.I1, 1, order);
                case "u1": return new Dtype(Kind.U1, 1, order);
                case "i2": return new Dtype(Kind.I2, 2, order);
                case "u2": return new Dtype(Kind.U2, 2, order);
                case "i4": return new Dtype(Kind.I4, 4, order);
                case "i8": return new Dtype(Kind.I8, 8, order);
                default: throw new IllegalArgumentException("unsupported .npy dtype '" + descr
                        + "' (tconv reads float32/64, int8/16/32/64, uint8/16)");
            }
        }

        double[] decode(ByteBuffer b, int n) {
            double[] out = new double[n];
            switch (kind) {
                case F8: b.asDoubleBuffer().get(out); break;
                case F4: { float[] v = new float[n]; b.asFloatBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                case I1: for (int i = 0; i < n; i++) out[i] = b.get(i); break;
                case U1: for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; break;
                case I2: { short[] v = new short[n]; b.asShortBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                case U2: { short[] v = new short[n]; b.asShortBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i] & 0xffff; break; }
                case I4: { int[] v = new int[n]; b.asIntBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                case I8: { long[] v = new long[n]; b.asLongBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                default: throw new AssertionError(kind);
            }
            return out;
        }
    }
}
