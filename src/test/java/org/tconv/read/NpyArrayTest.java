package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** .npy files built byte by byte as the format spec describes them, for every dtype tconv reads. */
class NpyArrayTest {

    /** A file with the given header dict and data bytes, version 1 or 2. */
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

    @Test
    void roundTripsFloat64() {
        double[] v = {1.5, -2.25, Math.PI, 0, 1e300, -7};
        NpyArray a = NpyArray.read(NpyArray.toBytes(new int[] {2, 3}, v));
        assertArrayEquals(new int[] {2, 3}, a.shape);
        assertArrayEquals(v, a.data);
        assertEquals("<f8", a.dtype);
        assertEquals(0, (NpyArray.toBytes(new int[] {5}, new double[5]).length - 5 * 8) % 64, "data starts at a multiple of 64");
        String header = new String(NpyArray.toBytes(new int[] {5}, new double[5]), 10, 54, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'shape': (5,)"), header);
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
                String descr = (size == 1 ? "|" : o) + t;
                NpyArray a = NpyArray.read(file(1, dict(descr, false, "(2, 2)"), b.array()));
                assertArrayEquals(new double[] {0, 1, 100, 127}, a.data, descr);
                assertArrayEquals(new int[] {2, 2}, a.shape);
            }
        }
    }

    @Test
    void unsignedAndNegativeValues() {
        NpyArray u = NpyArray.read(file(1, dict("|u1", false, "(2,)"), new byte[] {(byte) 255, (byte) 128}));
        assertArrayEquals(new double[] {255, 128}, u.data);
        NpyArray s = NpyArray.read(file(1, dict("|i1", false, "(2,)"), new byte[] {(byte) 255, (byte) 128}));
        assertArrayEquals(new double[] {-1, -128}, s.data);
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFF).putShort((short) -2);
        assertArrayEquals(new double[] {65535, 65534}, NpyArray.read(file(1, dict("<u2", false, "(2,)"), b.array())).data);
    }

    @Test
    void fortranOrderBecomesCOrder() {
        // numpy.asfortranarray([[1,2,3],[4,5,6]]) stores 1,4,2,5,3,6
        ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : new double[] {1, 4, 2, 5, 3, 6}) b.putDouble(v);
        NpyArray a = NpyArray.read(file(1, dict("<f8", true, "(2, 3)"), b.array()));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.data);
    }

    @Test
    void versionTwoHeadersScalarsAndPython2Longs() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(42);
        NpyArray scalar = NpyArray.read(file(2, "{'shape': (), 'fortran_order': False, 'descr': '<f8'}", b.array()));
        assertEquals(0, scalar.shape.length);
        assertArrayEquals(new double[] {42}, scalar.data);
        NpyArray longs = NpyArray.read(file(1, dict("<f8", false, "(1L, 1L)"), b.array()));
        assertArrayEquals(new int[] {1, 1}, longs.shape);
    }

    @Test
    void damagedFilesGiveClearErrors() {
        byte[] good = NpyArray.toBytes(new int[] {10}, new double[10]);
        assertMessage("bad magic", "hello world".getBytes());
        assertMessage("truncated .npy: header says 10 values, file holds 3", Arrays.copyOf(good, good.length - 7 * 8));
        assertMessage("truncated .npy header", Arrays.copyOf(good, 20));
        assertMessage("unsupported .npy dtype '<c16'", file(1, dict("<c16", false, "(1,)"), new byte[16]));
        assertMessage("unsupported .npy dtype '|O'", file(1, dict("|O", false, "(1,)"), new byte[8]));
        assertMessage("no 'shape'", file(1, "{'descr': '<f8', 'fortran_order': False}", new byte[8]));
    }

    private static void assertMessage(String fragment, byte[] bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NpyArray.read(bytes));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
