package org.tconv.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

/**
 * Small files that claim to be huge: decompression bombs as issue 11 found them. Each one is a few
 * bytes to a kilobyte and declares a 26000x26000 picture (676M pixels, a 2 GB raster and 16 GB of
 * float64) or an array whose element count wraps a long.
 */
public final class HostileFiles {
    private HostileFiles() {}

    public static final int SIDE = 26000;

    /** A PNG whose IHDR says SIDE x SIDE, 8-bit RGB, followed by no image data at all. */
    public static byte[] pngWithoutRows() {
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(SIDE).putInt(SIDE).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    public static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A 35-byte GIF: a SIDE x SIDE logical screen holding one 1x1 frame (a valid one: LZW clear, 0, end). */
    public static byte[] gifTinyFrameOnHugeScreen() {
        ByteBuffer b = ByteBuffer.allocate(35).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) SIDE).putShort((short) SIDE).put((byte) 0x80).put((byte) 0).put((byte) 0); // 2-colour global table
        b.put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        b.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1).put((byte) 0);
        // LZW minimum code size 2; 3-bit codes clear (4), index 0, end (5), packed from the low bit
        b.put((byte) 2).put((byte) 2).put((byte) 0x44).put((byte) 0x01).put((byte) 0);
        b.put((byte) 0x3B);
        return b.array();
    }

    /** A real 8x8 JPEG whose SOF0 has been edited to say SIDE x SIDE. */
    public static byte[] jpegWithHugeSof() {
        byte[] j = encode(new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR), "jpeg");
        for (int i = 2; i + 8 < j.length; i++) {
            if ((j[i] & 0xff) == 0xFF && (j[i + 1] & 0xff) == 0xC0) {
                ByteBuffer.wrap(j, i + 5, 4).putShort((short) SIDE).putShort((short) SIDE);
                return j;
            }
        }
        throw new AssertionError("ImageIO wrote a JPEG without SOF0");
    }

    /** A 1 KB BMP, 8-bit RLE-compressed, SIDE x SIDE: a few runs, then end of bitmap. */
    public static byte[] bmpRle8() {
        int palette = 2 * 4;
        int data = 1024 - 14 - 40 - palette;
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(1024).putInt(0).putInt(14 + 40 + palette);
        b.putInt(40).putInt(SIDE).putInt(SIDE).putShort((short) 1).putShort((short) 8).putInt(1) // BI_RLE8
                .putInt(data).putInt(2835).putInt(2835).putInt(2).putInt(0);
        b.putInt(0).putInt(0x00ffffff);
        for (int i = 0; i < data / 2 - 1; i++) b.put((byte) 255).put((byte) 1); // runs of 255 pixels of index 1
        b.put((byte) 0).put((byte) 1); // end of bitmap
        return b.array();
    }

    /**
     * A .npy header (no data) for shape (1073741824, 1, 536870912, 32) of float64: its element count is
     * 2^64, which a long wraps to 0, so an unchecked reader sees an empty, valid array.
     */
    public static byte[] npyWrappingShape() {
        return npyHeader("<f8", "(1073741824, 1, 536870912, 32)");
    }

    /** A .npy header of any dtype and shape text, padded as numpy pads it; append the data yourself. */
    public static byte[] npyHeader(String descr, String shape) {
        StringBuilder h = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }");
        while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
        b.put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    /** A .npy of uint8 values: header then the bytes. */
    public static byte[] npyUint8(String shape, byte[] values) {
        byte[] h = npyHeader("|u1", shape);
        byte[] all = java.util.Arrays.copyOf(h, h.length + values.length);
        System.arraycopy(values, 0, all, h.length, values.length);
        return all;
    }

    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) throw new AssertionError("no ImageIO writer for " + format);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
