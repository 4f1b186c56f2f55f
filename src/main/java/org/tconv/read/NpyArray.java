package org.tconv.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An n-d array in NumPy's {@code .npy} format (versions 1.0, 2.0, 3.0), held as float64 in C order.
 *
 * <p>A file is the magic {@code \x93NUMPY}, a major and minor version byte, the header length (2 bytes
 * little-endian in version 1, 4 bytes in versions 2 and 3), a Python dict literal giving {@code descr},
 * {@code fortran_order} and {@code shape}, padded with spaces and a newline so the data starts at a
 * multiple of 64 bytes, and then the raw values.
 *
 * <p>Reads float32, float64, int8, int16, int32, int64, uint8 and uint16 in either byte order
 * ({@code <}, {@code >}, or {@code |} for one-byte types), in C or Fortran order; Fortran-order data is
 * transposed into C order. Other dtypes (bool, complex, strings, objects, structured) are refused by name.
 * Bytes after the data are ignored. Writes version 1.0, {@code '<f8'} or {@code '<f4'}, C order, with the header
 * numpy itself writes, so {@code np.save} and {@link #toBytes} give the same bytes for the same array.
 *
 * <p>Example:
 * <pre>
 *   np.save("w.npy", np.arange(6, dtype=np.int16).reshape(2, 3))
 *   NpyArray a = NpyArray.read(Files.readAllBytes(Path.of("w.npy")));
 *   a.shape  = [2, 3]
 *   a.data   = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]     (row 0, then row 1)
 *   a.dtype  = "&lt;i2"
 * </pre>
 */
public final class NpyArray implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy leaves room for the first axis to grow to this many digits in place (numpy.lib.format). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int ALIGN = 64;
    /** Values converted per write: 512 KB, large enough for efficient writes, small enough for L2. */
    private static final int WRITE_BLOCK = 64 << 10;

    /** C-order shape; a scalar has an empty shape. */
    public final int[] shape;
    /** Values converted to float64, C order; {@code data.length} is the product of {@code shape}. */
    public final double[] data;
    /** The dtype as the file wrote it, e.g. {@code <f4}. */
    public final String dtype;

    public NpyArray(int[] shape, double[] data, String dtype) {
        if (product(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + product(shape) + " values, got " + data.length);
        }
        this.shape = shape;
        this.data = data;
        this.dtype = dtype;
    }

    /** The product of {@code shape} (1 for a scalar). */
    public long size() {
        return product(shape);
    }

    /**
     * Whether bytes of unknown origin (a table's image column) are meant as a {@code .npy}: they start as its
     * magic does, as far as they go. No image format starts with 0x93, so a cut-off .npy still goes to the
     * .npy reader, which names what is wrong with it.
     */
    public static boolean startsLikeNpy(byte[] bytes) {
        if (bytes.length == 0) return false;
        for (int i = 0; i < Math.min(bytes.length, MAGIC.length); i++) if (bytes[i] != MAGIC[i]) return false;
        return true;
    }

    /**
     * Parses a whole file.
     *
     * @throws IllegalArgumentException naming what is wrong: {@code not a .npy file (bad magic)},
     *     {@code unsupported .npy dtype '<c16' ...}, {@code truncated .npy: header says 100 values, file holds 37}, ...
     */
    public static NpyArray read(byte[] bytes) {
        return read(bytes, null);
    }

    /**
     * Parses a whole file whose values must also fit {@code budget} (null: only the file's own bytes and
     * one Java array bound them). The shape is multiplied out exactly and checked against the bytes the
     * file holds, then the budget, before the values are allocated.
     */
    public static NpyArray read(byte[] bytes, AdmissionBudget budget) {
        Prefix p = Prefix.of(bytes);
        if (bytes.length < p.headerStart + (long) p.headerLength) throw new IllegalArgumentException("truncated .npy header");
        Layout l = Layout.of(p, new String(bytes, p.headerStart, p.headerLength, p.charset()));
        int start = p.headerStart + p.headerLength;
        long available = bytes.length - start;
        if (available < l.bytes) throw l.truncated(available);
        if (budget != null) budget.checkArray(".npy array of shape (" + org.tconv.conv.IntTuple.format(l.header.shape) + ")", l.count);
        ByteBuffer b = ByteBuffer.wrap(bytes, start, (int) l.bytes).slice().order(l.order);
        return l.decode(b);
    }

    /**
     * Reads one array from a stream: the header, then exactly the bytes it calls for, so whatever follows
     * is left in the stream. A stream that ends early is a truncated file.
     */
    public static NpyArray read(InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(10);
        Prefix.checkMagic(prefix);
        if (prefix.length == 10 && prefix[6] != 1) { // versions 2 and 3 have a 4-byte header length
            prefix = Arrays.copyOf(prefix, 12);
            if (in.readNBytes(prefix, 10, 2) != 2) throw new IllegalArgumentException("truncated .npy header");
        }
        Prefix p = Prefix.of(prefix);
        byte[] header = in.readNBytes(p.headerLength);
        if (header.length < p.headerLength) throw new IllegalArgumentException("truncated .npy header");
        Layout l = Layout.of(p, new String(header, p.charset()));
        // readNBytes grows its buffer as bytes arrive, so a header that claims more than the stream holds
        // costs only what the stream holds
        byte[] data = in.readNBytes((int) l.bytes);
        if (data.length < l.bytes) throw l.truncated(data.length);
        return l.decode(ByteBuffer.wrap(data).order(l.order));
    }

    /** The shape a stream's header declares, reading the header only (the data stays unread). */
    public static int[] readShape(InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(10);
        Prefix.checkMagic(prefix);
        if (prefix.length == 10 && prefix[6] != 1) {
            prefix = Arrays.copyOf(prefix, 12);
            if (in.readNBytes(prefix, 10, 2) != 2) throw new IllegalArgumentException("truncated .npy header");
        }
        Prefix p = Prefix.of(prefix);
        byte[] header = in.readNBytes(p.headerLength);
        if (header.length < p.headerLength) throw new IllegalArgumentException("truncated .npy header");
        return NpyHeader.parse(new String(header, p.charset())).shape;
    }

    /**
     * A version 1.0 file of little-endian float64 in C order, byte for byte what {@code numpy.save} writes:
     * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}, spaces, a newline, the data
     * starting at a multiple of 64 bytes.
     */
    public static byte[] toBytes(int[] shape, double[] data) {
        byte[] header = header(shape, data.length, "<f8");
        ByteBuffer b = ByteBuffer.allocate(Math.addExact(header.length, fitsOneArray(data.length, 8))).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        b.asDoubleBuffer().put(data);
        return b.array();
    }

    /** {@link #toBytes(int[], double[])} for float32 ({@code '<f4'}). */
    public static byte[] toBytes(int[] shape, float[] data) {
        byte[] header = header(shape, data.length, "<f4");
        ByteBuffer b = ByteBuffer.allocate(Math.addExact(header.length, fitsOneArray(data.length, 4))).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        b.asFloatBuffer().put(data);
        return b.array();
    }

    private static int fitsOneArray(int values, int bytes) {
        if (values > (Integer.MAX_VALUE - 4096) / bytes) {
            throw new IllegalArgumentException(values + " values do not fit in one .npy byte array (2 GB)");
        }
        return values * bytes;
    }

    /**
     * Writes the bytes of {@link #toBytes} to a stream (and does not close it), a block at a time, so a
     * large array never exists twice.
     */
    public static void write(OutputStream out, int[] shape, double[] data) throws IOException {
        new Writer(out, shape, data.length, false).put(data, 0, data.length);
    }

    /** {@link #write(OutputStream, int[], double[])} for float32 ({@code '<f4'}). */
    public static void write(OutputStream out, int[] shape, float[] data) throws IOException {
        new Writer(out, shape, data.length, true).put(data, 0, data.length);
    }

    /**
     * A .npy written as its values come: the header of a C-order {@code <f8} (or {@code <f4}) array of
     * {@code shape}, then the values in C order, converted a block at a time; the caller puts exactly the
     * shape's number of values. For arrays that are not one Java array in C order (a batch's results read
     * a few items at a time).
     */
    public static final class Writer {
        private final OutputStream out;
        private final boolean float32;
        private final ByteBuffer block;

        public Writer(OutputStream out, int[] shape, long values, boolean float32) throws IOException {
            this.out = out;
            this.float32 = float32;
            out.write(header(shape, values, float32 ? "<f4" : "<f8"));
            block = ByteBuffer.allocate(WRITE_BLOCK * (float32 ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
        }

        public void put(double[] data, int from, int n) throws IOException {
            if (float32) throw new IllegalStateException("a float32 .npy takes float values");
            for (int i = from; i < from + n; i += WRITE_BLOCK) {
                int m = Math.min(WRITE_BLOCK, from + n - i);
                block.clear();
                block.asDoubleBuffer().put(data, i, m);
                out.write(block.array(), 0, m * 8);
            }
        }

        public void put(float[] data, int from, int n) throws IOException {
            if (!float32) throw new IllegalStateException("a float64 .npy takes double values");
            for (int i = from; i < from + n; i += WRITE_BLOCK) {
                int m = Math.min(WRITE_BLOCK, from + n - i);
                block.clear();
                block.asFloatBuffer().put(data, i, m);
                out.write(block.array(), 0, m * 4);
            }
        }
    }

    /** Magic, version 1.0, header length and the padded header dict of a C-order array of {@code descr}. */
    private static byte[] header(int[] shape, long values, String descr) {
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        if (product(shape) != values) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + product(shape) + " values, got " + values);
        }
        StringBuilder h = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) h.append(i == 0 ? "" : ", ").append(shape[i]);
        if (shape.length == 1) h.append(','); // (5,) is a tuple, (5) is not
        h.append("), }");
        if (shape.length > 0) h.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        // numpy pads even when already aligned (a full 64), so do the same to match its bytes
        int pad = ALIGN - (10 + h.length() + 1) % ALIGN;
        h.append(" ".repeat(pad)).append('\n');
        byte[] dict = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + dict.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) dict.length).put(dict);
        return b.array();
    }

    private static long product(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Magic, version and header length: what comes before the header dict. */
    private static final class Prefix {
        final int major;
        final int headerStart;
        final int headerLength;

        private Prefix(int major, int headerStart, int headerLength) {
            this.major = major;
            this.headerStart = headerStart;
            this.headerLength = headerLength;
        }

        static void checkMagic(byte[] b) {
            for (int i = 0; i < MAGIC.length; i++) {
                // a short file that starts like one is a truncated .npy, not a foreign file
                if (i >= b.length) throw new IllegalArgumentException(i == 0 ? "not a .npy file (empty)" : "truncated .npy header");
                if (b[i] != MAGIC[i]) throw new IllegalArgumentException("not a .npy file (bad magic)");
            }
        }

        static Prefix of(byte[] b) {
            checkMagic(b);
            int length = b.length;
            if (length < 8) throw new IllegalArgumentException("truncated .npy header");
            int major = b[6] & 0xff;
            int start = major == 1 ? 10 : 12;
            if (major < 1 || major > 3) {
                throw new IllegalArgumentException("unsupported .npy version " + major + "." + (b[7] & 0xff));
            }
            if (length < start) throw new IllegalArgumentException("truncated .npy header");
            ByteBuffer le = ByteBuffer.wrap(b, 0, length).order(ByteOrder.LITTLE_ENDIAN);
            long len = major == 1 ? le.getShort(8) & 0xffff : le.getInt(8) & 0xffffffffL;
            if (len > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("bad .npy header: length " + len);
            return new Prefix(major, start, (int) len);
        }

        /** Version 3 exists only to allow UTF-8 field names; 1 and 2 are latin-1. */
        Charset charset() {
            return major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        }
    }

    /** What the header says the data is: element type, shape, order, and so its byte count. */
    private static final class Layout {
        final NpyHeader header;
        final Dtype type;
        final ByteOrder order;
        final int count;
        final long bytes;

        private Layout(NpyHeader header, Dtype type, int count) {
            this.header = header;
            this.type = type;
            this.order = header.descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            this.count = count;
            this.bytes = (long) count * type.size;
        }

        static Layout of(Prefix p, String text) {
            NpyHeader h = NpyHeader.parse(text);
            Dtype t = Dtype.parse(h.descr);
            long n;
            try {
                n = AdmissionBudget.elements("shape", h.shape);
                Math.multiplyExact(n, t.size);
            } catch (RuntimeException e) { // a product that wraps would pass every check below
                throw new IllegalArgumentException(".npy array of shape " + Arrays.toString(h.shape) + " is too large (the number of bytes overflows)");
            }
            // one byte[] holds the data and one double[] the values; beyond that needs a streaming reader
            if (n * t.size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(".npy array of shape " + Arrays.toString(h.shape) + " is too large (" + n + " values)");
            }
            return new Layout(h, t, (int) n);
        }

        IllegalArgumentException truncated(long availableBytes) {
            return new IllegalArgumentException("truncated .npy: header says " + count + " values, file holds " + availableBytes / type.size);
        }

        NpyArray decode(ByteBuffer b) {
            double[] v = type.decode(b, count);
            if (header.fortranOrder && header.shape.length > 1) v = fortranToC(v, header.shape);
            return new NpyArray(header.shape, v, header.descr);
        }
    }

    /**
     * Fortran order to C order: walks the C-order index like an odometer, keeping the Fortran offset
     * up to date incrementally (one add per element, not a dot product per element).
     */
    static double[] fortranToC(double[] f, int[] shape) {
        int rank = shape.length;
        int[] stride = new int[rank];
        stride[0] = 1;
        for (int d = 1; d < rank; d++) stride[d] = stride[d - 1] * shape[d - 1];
        double[] c = new double[f.length];
        int[] idx = new int[rank];
        int off = 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = f[off];
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    off += stride[d];
                    break;
                }
                off -= stride[d] * (shape[d] - 1);
                idx[d] = 0;
            }
        }
        return c;
    }

    /** The element types tconv reads, each converted to float64 in bulk through a typed buffer view. */
    private enum Dtype {
        F4(4), F8(8), I1(1), U1(1), I2(2), U2(2), I4(4), I8(8);

        final int size;

        Dtype(int size) {
            this.size = size;
        }

        static Dtype parse(String descr) {
            Dtype t = null;
            if (descr.length() == 3) {
                switch (descr.substring(1)) {
                    case "f4": t = F4; break;
                    case "f8": t = F8; break;
                    case "i1": t = I1; break;
                    case "u1": t = U1; break;
                    case "i2": t = I2; break;
                    case "u2": t = U2; break;
                    case "i4": t = I4; break;
                    case "i8": t = I8; break;
                    default: break;
                }
            }
            char o = descr.isEmpty() ? '?' : descr.charAt(0);
            boolean orderOk = o == '<' || o == '>' || (o == '|' && t != null && t.size == 1);
            if (t == null || !orderOk) {
                throw new IllegalArgumentException("unsupported .npy dtype '" + NpyHeader.printable(descr)
                        + "' (tconv reads float32/64, int8/16/32/64, uint8/16)");
            }
            return t;
        }

        /** @param b exactly the data bytes, already in the file's byte order */
        double[] decode(ByteBuffer b, int n) {
            double[] out = new double[n];
            switch (this) {
                case F8: b.asDoubleBuffer().get(out); break;
                case F4: { float[] v = new float[n]; b.asFloatBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                case I1: { byte[] v = new byte[n]; b.get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                case U1: { byte[] v = new byte[n]; b.get(v); for (int i = 0; i < n; i++) out[i] = v[i] & 0xff; break; }
                case I2: { short[] v = new short[n]; b.asShortBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                case U2: { short[] v = new short[n]; b.asShortBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i] & 0xffff; break; }
                case I4: { int[] v = new int[n]; b.asIntBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                case I8: { long[] v = new long[n]; b.asLongBuffer().get(v); for (int i = 0; i < n; i++) out[i] = v[i]; break; }
                default: throw new AssertionError(this);
            }
            return out;
        }
    }
}
