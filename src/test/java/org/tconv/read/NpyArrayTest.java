package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** .npy files built byte by byte as the format spec describes them, and files numpy itself wrote. */
class NpyArrayTest {

    /** A file with the given header dict and data bytes, version 1, 2 or 3, padded as numpy pads. */
    static byte[] file(int version, String dict, byte[] data) {
        int pre = version == 1 ? 10 : 12;
        int total = (pre + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - pre - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) b.putShort((short) header.length()); else b.putInt(header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    }

    static byte[] doubles(double... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = NpyArrayTest.class.getResourceAsStream("/npy/" + name)) {
            assertTrue(in != null, "missing fixture " + name + " (src/test/python/make_npy_fixtures.py)");
            return in.readAllBytes();
        }
    }

    @Test
    void roundTripsFloat64() {
        double[] v = {1.5, -2.25, Math.PI, 0, 1e300, -7, Double.MIN_VALUE, Double.NaN, Double.NEGATIVE_INFINITY};
        NpyArray a = NpyArray.read(NpyArray.toBytes(new int[] {3, 3}, v));
        assertArrayEquals(new int[] {3, 3}, a.shape);
        assertArrayEquals(v, a.data);
        assertEquals("<f8", a.dtype);
        assertEquals(9, a.size());
        for (int[] shape : new int[][] {{}, {0}, {5}, {2, 0, 3}, {1, 2, 3, 4}}) {
            double[] d = new double[(int) Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y)];
            byte[] bytes = NpyArray.toBytes(shape, d);
            assertEquals(0, (bytes.length - d.length * 8) % 64, "data starts at a multiple of 64");
            assertArrayEquals(shape, NpyArray.read(bytes).shape);
        }
    }

    @Test
    void writesTheBytesNumpyWrites() throws IOException {
        assertArrayEquals(fixture("written-f8-3x4.npy"), NpyArray.toBytes(new int[] {3, 4}, iota(12)));
        assertArrayEquals(fixture("written-f8-5.npy"), NpyArray.toBytes(new int[] {5}, iota(5)));
        assertArrayEquals(fixture("written-f8-scalar.npy"), NpyArray.toBytes(new int[0], new double[] {7}));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyArray.write(out, new int[] {3, 4}, iota(12));
        assertArrayEquals(fixture("written-f8-3x4.npy"), out.toByteArray());
        float[] thirds = new float[12];
        for (int i = 0; i < 12; i++) thirds[i] = i / 3f;
        assertArrayEquals(fixture("written-f4-3x4.npy"), NpyArray.toBytes(new int[] {3, 4}, thirds));
        out.reset();
        NpyArray.write(out, new int[] {3, 4}, thirds);
        assertArrayEquals(fixture("written-f4-3x4.npy"), out.toByteArray());
    }

    @Test
    void readsWhatNumpyWrote() throws IOException {
        for (String t : new String[] {"f4", "f8", "i1", "u1", "i2", "u2", "i4", "i8"}) {
            for (String order : new String[] {"le", "be"}) {
                if (t.endsWith("1") && order.equals("be")) continue;
                String name = t + "-" + order + "-2x5.npy";
                NpyArray a = NpyArray.read(fixture(name));
                assertArrayEquals(new int[] {2, 5}, a.shape, name);
                assertArrayEquals(fixtureValues(t, 10), a.data, name);
                String byteOrder = t.endsWith("1") ? "|" : order.equals("le") ? "<" : ">";
                assertEquals(byteOrder + t, a.dtype, name);
            }
        }
        NpyArray f = NpyArray.read(fixture("f8-fortran-2x3x4.npy"));
        assertArrayEquals(new int[] {2, 3, 4}, f.shape);
        assertArrayEquals(iota(24), f.data);
        NpyArray g = NpyArray.read(fixture("i2-fortran-be-3x5.npy"));
        assertArrayEquals(new int[] {3, 5}, g.shape);
        assertArrayEquals(iota(15), g.data);
        NpyArray s = NpyArray.read(fixture("f8-scalar.npy"));
        assertArrayEquals(new int[0], s.shape);
        assertArrayEquals(new double[] {42.5}, s.data);
        NpyArray e = NpyArray.read(fixture("f8-empty-0x3.npy"));
        assertArrayEquals(new int[] {0, 3}, e.shape);
        assertEquals(0, e.data.length);
        assertArrayEquals(iota(4), NpyArray.read(fixture("f8-v2-4.npy")).data);
        NpyArray v3 = NpyArray.read(fixture("f4-v3-2x2.npy"));
        assertArrayEquals(new int[] {2, 2}, v3.shape);
        assertArrayEquals(iota(4), v3.data);
    }

    @Test
    void refusesWhatNumpyWroteInOtherDtypes() throws IOException {
        assertMessage("unsupported .npy dtype '<c16'", fixture("refused-c16.npy"));
        assertMessage("unsupported .npy dtype '|b1'", fixture("refused-bool.npy"));
        assertMessage("unsupported .npy dtype '<U2'", fixture("refused-str.npy"));
        assertMessage("unsupported .npy dtype '<u4'", fixture("refused-u4.npy"));
        assertMessage("unsupported .npy dtype '[('x', '<f4'), ('y', '<i2')]'", fixture("refused-structured.npy"));
    }

    /** What make_npy_fixtures.py puts at C-order position k, cast as numpy casts it (after clipping). */
    private static double[] fixtureValues(String t, int n) {
        double[] values = {0, 1, -1, 127, -128, 255, 100, -7, 3.5, 1e6};
        double lo = -Double.MAX_VALUE, hi = Double.MAX_VALUE;
        switch (t) {
            case "i1": lo = -128; hi = 127; break;
            case "u1": lo = 0; hi = 255; break;
            case "i2": lo = -32768; hi = 32767; break;
            case "u2": lo = 0; hi = 65535; break;
            default: break;
        }
        double[] r = new double[n];
        for (int k = 0; k < n; k++) {
            double v = values[k % values.length];
            if (t.startsWith("i") || t.startsWith("u")) v = Math.max(lo, Math.min(hi, (double) (long) v));
            r[k] = v;
        }
        return r;
    }

    @Test
    void readsEveryDtypeInBothByteOrders() {
        long[] values = {0, 1, 100, 127};
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            String o = order == ByteOrder.LITTLE_ENDIAN ? "<" : ">";
            for (String t : new String[] {"f4", "f8", "i1", "u1", "i2", "u2", "i4", "i8"}) {
                int size = Integer.parseInt(t.substring(1));
                ByteBuffer b = ByteBuffer.allocate(values.length * size).order(order);
                for (long v : values) {
                    switch (t) {
                        case "f4": b.putFloat(v); break;
                        case "f8": b.putDouble(v); break;
                        case "i1": case "u1": b.put((byte) v); break;
                        case "i2": case "u2": b.putShort((short) v); break;
                        case "i4": b.putInt((int) v); break;
                        default: b.putLong(v);
                    }
                }
                for (String descr : size == 1 ? new String[] {"|" + t, o + t} : new String[] {o + t}) {
                    NpyArray a = NpyArray.read(file(1, dict(descr, false, "(2, 2)"), b.array()));
                    assertArrayEquals(new double[] {0, 1, 100, 127}, a.data, descr);
                    assertArrayEquals(new int[] {2, 2}, a.shape);
                    assertEquals(descr, a.dtype);
                }
            }
        }
    }

    @Test
    void unsignedNegativeAndWideValues() {
        NpyArray u = NpyArray.read(file(1, dict("|u1", false, "(2,)"), new byte[] {(byte) 255, (byte) 128}));
        assertArrayEquals(new double[] {255, 128}, u.data);
        NpyArray s = NpyArray.read(file(1, dict("|i1", false, "(2,)"), new byte[] {(byte) 255, (byte) 128}));
        assertArrayEquals(new double[] {-1, -128}, s.data);
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFF).putShort((short) -2);
        assertArrayEquals(new double[] {65535, 65534}, NpyArray.read(file(1, dict("<u2", false, "(2,)"), b.array())).data);
        ByteBuffer l = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(Long.MIN_VALUE).putLong(1L << 40);
        assertArrayEquals(new double[] {-0x1p63, 0x1p40}, NpyArray.read(file(1, dict(">i8", false, "(2,)"), l.array())).data);
        ByteBuffer f = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(0.1f).putFloat(-3e38f);
        assertArrayEquals(new double[] {0.1f, -3e38f}, NpyArray.read(file(1, dict(">f4", false, "(2,)"), f.array())).data);
    }

    @Test
    void fortranOrderBecomesCOrder() {
        // numpy.asfortranarray([[1,2,3],[4,5,6]]) stores 1,4,2,5,3,6
        NpyArray a = NpyArray.read(file(1, dict("<f8", true, "(2, 3)"), doubles(1, 4, 2, 5, 3, 6)));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.data);
        assertArrayEquals(new int[] {2, 3}, a.shape);
        // 1-D and scalar Fortran arrays are their own C order
        assertArrayEquals(new double[] {1, 2}, NpyArray.read(file(1, dict("<f8", true, "(2,)"), doubles(1, 2))).data);
        // a 4-D array against the textbook index formula, including a length-1 axis
        int[] shape = {3, 1, 4, 5};
        double[] f = new double[60];
        for (int i = 0; i < 60; i++) f[i] = i;
        double[] c = NpyArray.fortranToC(f, shape);
        int k = 0;
        for (int i0 = 0; i0 < 3; i0++) {
            for (int i2 = 0; i2 < 4; i2++) {
                for (int i3 = 0; i3 < 5; i3++) {
                    assertEquals(i0 + 3 * (i2 + 4 * i3), c[k++], "C position " + (k - 1));
                }
            }
        }
    }

    @Test
    void headerIsReadAsAPythonDict() {
        byte[] d = doubles(1, 2, 3, 4, 5, 6);
        String[] headers = {
            "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8'}",              // any key order
            "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3)}",      // double quotes
            "{'descr':'<f8','fortran_order':False,'shape':(2,3),}",                    // no spaces
            "  { 'descr' : '<f8' ,\n 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }  ",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }",          // numpy on Python 2
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': [1, (2, 'x')], }",
        };
        for (String h : headers) {
            NpyArray a = NpyArray.read(file(1, h, d));
            assertArrayEquals(new int[] {2, 3}, a.shape, h);
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.data, h);
        }
        assertArrayEquals(new int[] {6}, NpyArray.read(file(1, dict("<f8", false, "(6L,)"), d)).shape);
    }

    @Test
    void versionTwoAndThreeHeadersAndScalars() {
        byte[] b = doubles(42);
        NpyArray scalar = NpyArray.read(file(2, "{'shape': (), 'fortran_order': False, 'descr': '<f8'}", b));
        assertEquals(0, scalar.shape.length);
        assertEquals(1, scalar.size());
        assertArrayEquals(new double[] {42}, scalar.data);
        assertArrayEquals(new double[] {42}, NpyArray.read(file(3, dict("<f8", false, "(1, 1)"), b)).data);
        // a header longer than 64 KiB is what version 2 is for
        String longDict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'pad': '" + "x".repeat(70000) + "'}";
        assertArrayEquals(new double[] {42}, NpyArray.read(file(2, longDict, b)).data);
    }

    @Test
    void tailAfterTheDataIsIgnored() {
        byte[] f = file(1, dict("<f8", false, "(2,)"), doubles(1, 2, 99, 98));
        assertArrayEquals(new double[] {1, 2}, NpyArray.read(f).data);
    }

    @Test
    void streamReadTakesExactlyOneArray() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyArray.write(out, new int[] {2}, new double[] {1, 2});
        out.write(file(2, dict("<i2", false, "(3,)"), new byte[] {1, 0, 2, 0, 3, 0}));
        out.write(file(1, dict("|u1", false, "()"), new byte[] {7}));
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertArrayEquals(new double[] {1, 2}, NpyArray.read(in).data);
        assertArrayEquals(new double[] {1, 2, 3}, NpyArray.read(in).data);
        assertArrayEquals(new double[] {7}, NpyArray.read(in).data);
        assertEquals(-1, in.read());
        byte[] good = NpyArray.toBytes(new int[] {10}, new double[10]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NpyArray.read(new ByteArrayInputStream(Arrays.copyOf(good, good.length - 20))));
        assertEquals("truncated .npy: header says 10 values, file holds 7", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NpyArray.read(new ByteArrayInputStream(Arrays.copyOf(good, 40))));
        assertEquals("truncated .npy header", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NpyArray.read(new ByteArrayInputStream("PK\3\4 a zip".getBytes())));
        assertEquals("not a .npy file (bad magic)", e.getMessage());
    }

    @Test
    void damagedFilesGiveClearErrors() {
        byte[] good = NpyArray.toBytes(new int[] {10}, new double[10]);
        assertMessage("not a .npy file (bad magic)", "hello world".getBytes());
        assertMessage("not a .npy file (empty)", new byte[0]);
        assertMessage("truncated .npy header", Arrays.copyOf(good, 4));
        assertMessage("truncated .npy header", Arrays.copyOf(good, 20));
        assertMessage("truncated .npy: header says 10 values, file holds 3", Arrays.copyOf(good, good.length - 7 * 8));
        assertMessage("truncated .npy: header says 10 values, file holds 0", Arrays.copyOf(good, good.length - 80));
        assertMessage("truncated .npy: header says 100 values, file holds 37", file(1, dict("<f4", false, "(10, 10)"), new byte[37 * 4 + 3]));
        byte[] v9 = good.clone();
        v9[6] = 9;
        assertMessage("unsupported .npy version 9.0", v9);
        assertMessage("unsupported .npy dtype '<c16'", file(1, dict("<c16", false, "(1,)"), new byte[16]));
        assertMessage("unsupported .npy dtype '|O'", file(1, dict("|O", false, "(1,)"), new byte[8]));
        assertMessage("unsupported .npy dtype '|f8'", file(1, dict("|f8", false, "(1,)"), new byte[8]));
        assertMessage("unsupported .npy dtype '<f2'", file(1, dict("<f2", false, "(1,)"), new byte[8]));
        assertMessage("bad .npy header: no 'shape'", file(1, "{'descr': '<f8', 'fortran_order': False}", new byte[8]));
        assertMessage("bad .npy header: 'shape' is not a tuple", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': 3}", new byte[8]));
        assertMessage("bad .npy header: shape (-1,)", file(1, dict("<f8", false, "(-1,)"), new byte[8]));
        assertMessage("bad .npy header: shape (2.5,)", file(1, dict("<f8", false, "(2.5,)"), new byte[8]));
        assertMessage("bad .npy header: 'fortran_order' is 0", file(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': ()}", new byte[8]));
        assertMessage("bad .npy header", file(1, "descr <f8", new byte[8]));
        assertMessage("bad .npy header", file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", new byte[8]));
        assertMessage("is too large", file(1, dict("<f8", false, "(100000, 100000)"), new byte[8]));
        // found by Jazzer: a descr holding a newline and NULs made a reason of several lines
        assertMessage("unsupported .npy dtype '<\\x0a\\x00Zf8'", file(1, dict("<\n\0Zf8", false, "(1,)"), new byte[8]));
        assertMessage("(the number of bytes overflows)", file(1, dict("<f8", false, "(1073741824, 1, 536870912, 32)"), new byte[0]));
    }

    @Test
    void largeArraysConvertInBulk() {
        int n = 4_000_000; // 32 MB of float64, 16 MB of float32
        double[] v = new double[n];
        Random r = new Random(1);
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        byte[] f8 = NpyArray.toBytes(new int[] {2000, 2000}, v);
        ByteBuffer f4 = ByteBuffer.allocate(n * 4).order(ByteOrder.BIG_ENDIAN);
        for (double x : v) f4.putFloat((float) x);
        byte[] f4file = file(1, dict(">f4", true, "(2000, 2000)"), f4.array());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertArrayEquals(v, NpyArray.read(f8).data);
            assertArrayEquals(v, NpyArray.read(new ByteArrayInputStream(f8)).data);
            NpyArray a = NpyArray.read(f4file);
            assertEquals((float) v[1], a.data[2000], "Fortran order: (1, 0) is the second value stored");
            assertEquals((float) v[2000], a.data[1]);
        });
    }

    private static double[] iota(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return v;
    }

    private static void assertMessage(String fragment, byte[] bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NpyArray.read(bytes));
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
