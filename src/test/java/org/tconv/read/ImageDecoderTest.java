package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/** Pixel values and channel order of every kind of picture users have. */
class ImageDecoderTest {

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    static double at(NpyArray a, int c, int y, int x) {
        return a.data[(c * a.shape[1] + y) * a.shape[2] + x];
    }

    private static BufferedImage rgb(int type) {
        BufferedImage img = new BufferedImage(5, 4, type);
        img.setRGB(0, 0, 0xFFC80A1E);         // R 200, G 10, B 30
        img.setRGB(4, 3, 0xFF0102FF);         // R 1, G 2, B 255
        return img;
    }

    @Test
    void colourIsRgbInThatOrder() throws IOException {
        for (String format : new String[] {"png", "bmp"}) {
            NpyArray a = ImageDecoder.decode(encode(rgb(BufferedImage.TYPE_3BYTE_BGR), format));
            assertArrayEquals(new int[] {3, 4, 5}, a.shape, format);
            assertEquals(200, at(a, 0, 0, 0), format);
            assertEquals(10, at(a, 1, 0, 0), format);
            assertEquals(30, at(a, 2, 0, 0), format);
            assertEquals(255, at(a, 2, 3, 4), format);
        }
    }

    @Test
    void alphaIsDropped() throws IOException {
        BufferedImage img = rgb(BufferedImage.TYPE_INT_ARGB);
        img.setRGB(1, 1, 0x40112233);
        NpyArray a = ImageDecoder.decode(encode(img, "png"));
        assertArrayEquals(new int[] {3, 4, 5}, a.shape);
        assertEquals(0x11, at(a, 0, 1, 1));
        assertEquals(0x22, at(a, 1, 1, 1));
        assertEquals(0x33, at(a, 2, 1, 1));
    }

    @Test
    void grayKeepsStoredSamples() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 1, 0, 77); // getRGB would report it brighter (linear gray -> sRGB)
        NpyArray a = ImageDecoder.decode(encode(img, "png"));
        assertArrayEquals(new int[] {1, 2, 3}, a.shape);
        assertEquals(77, at(a, 0, 1, 1));
        assertEquals(0, at(a, 0, 0, 0));
    }

    @Test
    void sixteenBitGrayKeepsTheHighByte() throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 1, 0, 0xABCD);
        NpyArray a = ImageDecoder.decode(encode(img, "png"));
        assertArrayEquals(new int[] {1, 2, 2}, a.shape);
        assertEquals(0xAB, at(a, 0, 1, 0));
    }

    @Test
    void grayWithAlphaIsOneChannel() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(4, 3);
        r.setSample(2, 1, 0, 123);
        r.setSample(2, 1, 1, 9);
        NpyArray a = ImageDecoder.decode(encode(new BufferedImage(cm, r, false, null), "png"));
        assertArrayEquals(new int[] {1, 3, 4}, a.shape);
        assertEquals(123, at(a, 0, 1, 2));
    }

    @Test
    void paletteImagesGiveTheirColours() throws IOException {
        byte[] red = {(byte) 250, 0, 7}, green = {5, (byte) 128, 7}, blue = {9, 0, 7};
        IndexColorModel icm = new IndexColorModel(2, 3, red, green, blue);
        // 16x8: the JDK's GIF writer drops pixels of very small images (4x2), a writer quirk, not a decoding one
        BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_INDEXED, icm);
        img.getRaster().setSample(3, 1, 0, 1);
        for (String format : new String[] {"gif", "png"}) {
            NpyArray a = ImageDecoder.decode(encode(img, format));
            assertArrayEquals(new int[] {3, 8, 16}, a.shape, format);
            assertEquals(250, at(a, 0, 0, 0), format);
            assertEquals(5, at(a, 1, 0, 0), format);
            assertEquals(0, at(a, 0, 1, 3), format);
            assertEquals(128, at(a, 1, 1, 3), format);
        }
    }

    @Test
    void oneBitImagesScaleToFullRange() throws IOException {
        BufferedImage img = new BufferedImage(8, 2, BufferedImage.TYPE_BYTE_BINARY);
        img.getRaster().setSample(3, 0, 0, 1);
        NpyArray a = ImageDecoder.decode(encode(img, "png"));
        assertEquals(255, at(a, 0, 0, 3));
        assertEquals(0, at(a, 0, 0, 2));
        for (double v : a.data) assertTrue(v == 0 || v == 255);
    }

    @Test
    void jpegKeepsChannelOrder() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) img.setRGB(x, y, 0xC80A1E);
        NpyArray a = ImageDecoder.decode(encode(img, "jpg"));
        assertArrayEquals(new int[] {3, 16, 16}, a.shape);
        assertEquals(200, at(a, 0, 8, 8), 4);
        assertEquals(10, at(a, 1, 8, 8), 4);
        assertEquals(30, at(a, 2, 8, 8), 4);
    }

    @Test
    void garbageIsACleanError() throws IOException {
        for (byte[] bad : new byte[][] {new byte[0], "hello".getBytes(), java.util.Arrays.copyOf(encode(rgb(BufferedImage.TYPE_3BYTE_BGR), "png"), 60)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(bad));
            assertTrue(e.getMessage().startsWith("cannot decode image"), e.getMessage());
        }
    }
}
