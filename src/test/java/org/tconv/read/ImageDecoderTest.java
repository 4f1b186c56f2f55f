package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import org.junit.jupiter.api.Test;
import org.tconv.conv.InputRejectedException;

/**
 * Pixel values, channel counts and channel order of every kind of picture users have, checked against
 * what PIL gives for the same file (the rules are in ImageDecoder's Javadoc). Pictures are made here,
 * with ImageIO's writers or byte by byte where ImageIO cannot write them.
 */
class ImageDecoderTest {

    // ---- making pictures ----

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no writer for " + format + " and image type " + img.getType());
        return out.toByteArray();
    }

    static double at(NpyArray a, int c, int y, int x) {
        return a.data[(c * a.shape[1] + y) * a.shape[2] + x];
    }

    /** 5x4 with R 200, G 10, B 30 at (0, 0) and R 1, G 2, B 255 at (4, 3). */
    private static BufferedImage rgb(int type) {
        BufferedImage img = new BufferedImage(5, 4, type);
        img.setRGB(0, 0, 0xFFC80A1E);
        img.setRGB(4, 3, 0xFF0102FF);
        return img;
    }

    /** A PNG from its IHDR fields, unfiltered rows and extra chunks placed before IDAT. */
    static byte[] png(int w, int h, int bitDepth, int colorType, byte[][] rows, byte[]... chunks) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (byte[] row : rows) {
            raw.write(0); // filter type None
            raw.writeBytes(row);
        }
        Deflater d = new Deflater();
        d.setInput(raw.toByteArray());
        d.finish();
        byte[] buf = new byte[raw.size() + 1024];
        byte[] idat = Arrays.copyOf(buf, d.deflate(buf));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.writeBytes(chunk("IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) bitDepth).put((byte) colorType).array()));
        for (byte[] c : chunks) out.writeBytes(c);
        out.writeBytes(chunk("IDAT", idat));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        CRC32 crc = new CRC32();
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        crc.update(t);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(t).put(data).putInt((int) crc.getValue()).array();
    }

    /**
     * A GIF89a with one frame of 8-bit indices placed at (left, top) on a screen, written with
     * "uncompressed" LZW (9-bit codes, a clear code before the table would grow).
     */
    static byte[] gif(int screenW, int screenH, int left, int top, int w, int h, int[] indices, byte[] globalPalette,
            byte[] localPalette, int transparent) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("GIF89a".getBytes(StandardCharsets.ISO_8859_1));
        le16(b, screenW);
        le16(b, screenH);
        b.write(globalPalette == null ? 0 : 0x80 | (Integer.numberOfTrailingZeros(globalPalette.length / 3) - 1));
        b.write(0);
        b.write(0);
        if (globalPalette != null) b.writeBytes(globalPalette);
        if (transparent >= 0) b.writeBytes(new byte[] {0x21, (byte) 0xF9, 4, 1, 0, 0, (byte) transparent, 0});
        b.write(0x2C);
        le16(b, left);
        le16(b, top);
        le16(b, w);
        le16(b, h);
        b.write(localPalette == null ? 0 : 0x80 | (Integer.numberOfTrailingZeros(localPalette.length / 3) - 1));
        if (localPalette != null) b.writeBytes(localPalette);
        b.write(8); // LZW minimum code size
        ByteArrayOutputStream codes = new ByteArrayOutputStream();
        long acc = 0;
        int nbits = 0, run = 0;
        int[] stream = new int[indices.length * 2 + 2];
        int n = 0;
        stream[n++] = 256;
        for (int v : indices) {
            stream[n++] = v;
            if (++run == 254) {
                stream[n++] = 256;
                run = 0;
            }
        }
        stream[n++] = 257;
        for (int i = 0; i < n; i++) {
            acc |= (long) stream[i] << nbits;
            nbits += 9;
            while (nbits >= 8) {
                codes.write((int) (acc & 0xff));
                acc >>>= 8;
                nbits -= 8;
            }
        }
        if (nbits > 0) codes.write((int) acc);
        byte[] c = codes.toByteArray();
        for (int i = 0; i < c.length; i += 255) {
            int len = Math.min(255, c.length - i);
            b.write(len);
            b.write(c, i, len);
        }
        b.write(0);
        b.write(0x3B);
        return b.toByteArray();
    }

    private static void le16(ByteArrayOutputStream b, int v) {
        b.write(v & 0xff);
        b.write(v >> 8);
    }

    /** A BMP (BITMAPINFOHEADER, bottom-up) from rows top to bottom, already packed and padded. */
    static byte[] bmp(int w, int h, int bpp, int compression, int[] masks, int[][] palette, byte[][] rowsTopDown) {
        int rowSize = (w * bpp + 31) / 32 * 4;
        int extra = masks == null ? 0 : 12;
        int pal = palette == null ? 0 : palette.length * 4;
        int off = 14 + 40 + extra + pal;
        ByteBuffer b = ByteBuffer.allocate(off + rowSize * h).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(off + rowSize * h).putInt(0).putInt(off);
        b.putInt(40).putInt(w).putInt(h).putShort((short) 1).putShort((short) bpp).putInt(compression)
                .putInt(rowSize * h).putInt(2835).putInt(2835).putInt(palette == null ? 0 : palette.length).putInt(0);
        if (masks != null) for (int m : masks) b.putInt(m);
        if (palette != null) for (int[] c : palette) b.put((byte) c[2]).put((byte) c[1]).put((byte) c[0]).put((byte) 0);
        for (int y = h - 1; y >= 0; y--) {
            b.put(rowsTopDown[y]);
            b.position(b.position() + rowSize - rowsTopDown[y].length);
        }
        return b.array();
    }

    // ---- colour ----

    @Test
    void colourIsRgbInThatOrder() throws IOException {
        int[] types = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_BGR,
            BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_ARGB};
        for (int type : types) {
            for (String format : new String[] {"png", "bmp"}) {
                if (format.equals("bmp") && (type == BufferedImage.TYPE_4BYTE_ABGR || type == BufferedImage.TYPE_INT_ARGB)) continue;
                String what = format + " of image type " + type;
                NpyArray a = ImageDecoder.decode(encode(rgb(type), format));
                assertArrayEquals(new int[] {3, 4, 5}, a.shape, what);
                assertEquals("|u1", a.dtype);
                assertEquals(200, at(a, 0, 0, 0), what);
                assertEquals(10, at(a, 1, 0, 0), what);
                assertEquals(30, at(a, 2, 0, 0), what);
                assertEquals(1, at(a, 0, 3, 4), what);
                assertEquals(2, at(a, 1, 3, 4), what);
                assertEquals(255, at(a, 2, 3, 4), what);
                assertEquals(0, at(a, 0, 1, 1), what);
            }
        }
    }

    @Test
    void alphaIsDropped() throws IOException {
        BufferedImage img = rgb(BufferedImage.TYPE_INT_ARGB);
        img.setRGB(1, 1, 0x40112233);
        img.setRGB(2, 1, 0x00445566); // fully transparent keeps its colour too
        NpyArray a = ImageDecoder.decode(encode(img, "png"));
        assertArrayEquals(new int[] {3, 4, 5}, a.shape);
        assertEquals(0x11, at(a, 0, 1, 1));
        assertEquals(0x22, at(a, 1, 1, 1));
        assertEquals(0x33, at(a, 2, 1, 1));
        assertEquals(0x44, at(a, 0, 1, 2));
        assertEquals(0x66, at(a, 2, 1, 2));
    }

    @Test
    void sixteenBitColourKeepsTheHighByte() {
        // RGB 16-bit: PIL's own rule (rawmode RGB;16B) takes the high byte
        byte[] row = ByteBuffer.allocate(12).putShort((short) 0xC8FF).putShort((short) 0x0A00).putShort((short) 0x1E80)
                .putShort((short) 0xFFFF).putShort((short) 0x00FF).putShort((short) 0x0100).array();
        NpyArray a = ImageDecoder.decode(png(2, 1, 16, 2, new byte[][] {row}));
        assertArrayEquals(new int[] {3, 1, 2}, a.shape);
        assertArrayEquals(new double[] {200, 255, 10, 0, 30, 1}, a.data);
    }

    // ---- gray ----

    @Test
    void grayKeepsStoredSamples() throws IOException {
        // 16x8: the JDK's GIF writer drops pixels of very small images (3x2), a writer quirk, not a decoding one
        BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 1, 0, 77);
        img.getRaster().setSample(15, 7, 0, 255);
        // the trap ImageDecoder avoids: getRGB reports this gray brighter (linear gray -> sRGB)
        assertNotEquals(77, img.getRGB(1, 1) & 0xff);
        // ImageIO writes gray BMP and GIF with the palette i -> (i, i, i), which PIL opens as mode L
        for (String format : new String[] {"png", "bmp", "gif"}) {
            NpyArray a = ImageDecoder.decode(encode(img, format));
            assertArrayEquals(new int[] {1, 8, 16}, a.shape, format);
            assertEquals(77, at(a, 0, 1, 1), format);
            assertEquals(255, at(a, 0, 7, 15), format);
            assertEquals(0, at(a, 0, 0, 0), format);
            assertEquals(77 + 255, Arrays.stream(a.data).sum(), format);
        }
    }

    @Test
    void sixteenBitGrayKeepsTheHighByte() throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 1, 0, 0xABCD);
        img.getRaster().setSample(1, 1, 0, 0x00FF);
        NpyArray a = ImageDecoder.decode(encode(img, "png"));
        assertArrayEquals(new int[] {1, 2, 2}, a.shape);
        assertArrayEquals(new double[] {0, 0, 0xAB, 0}, a.data);
    }

    @Test
    void grayWithAlphaIsOneChannel() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(4, 3);
        r.setSample(2, 1, 0, 123);
        r.setSample(2, 1, 1, 9);
        byte[] file = encode(new BufferedImage(cm, r, false, null), "png");
        assertEquals(4, file[25], "ImageIO wrote PNG colour type 4, gray + alpha");
        NpyArray a = ImageDecoder.decode(file);
        assertArrayEquals(new int[] {1, 3, 4}, a.shape);
        assertEquals(123, at(a, 0, 1, 2));
        assertEquals(0, at(a, 0, 0, 0));
        // 16-bit gray + alpha, by hand: still one channel, high byte
        byte[] row = ByteBuffer.allocate(8).putShort((short) 0x7F01).putShort((short) 0xFFFF).putShort((short) 0x0102).putShort((short) 0).array();
        NpyArray b = ImageDecoder.decode(png(2, 1, 16, 4, new byte[][] {row}));
        assertArrayEquals(new int[] {1, 1, 2}, b.shape);
        assertArrayEquals(new double[] {0x7F, 1}, b.data);
    }

    @Test
    void grayWithTransparentColourIsOneChannel() {
        byte[] trns = chunk("tRNS", new byte[] {0, 7});
        NpyArray a = ImageDecoder.decode(png(3, 1, 8, 0, new byte[][] {{7, (byte) 200, 0}}, trns));
        assertArrayEquals(new int[] {1, 1, 3}, a.shape);
        assertArrayEquals(new double[] {7, 200, 0}, a.data);
    }

    @Test
    void lowBitGrayScalesToFullRangeAsPilDoes() throws IOException {
        // 1-bit: ImageIO presents it with an IndexColorModel, like a palette; the PNG says gray
        BufferedImage bin = new BufferedImage(8, 2, BufferedImage.TYPE_BYTE_BINARY);
        bin.getRaster().setSample(3, 0, 0, 1);
        byte[] file = encode(bin, "png");
        assertEquals(1, file[24], "bit depth");
        assertEquals(0, file[25], "colour type gray");
        NpyArray a = ImageDecoder.decode(file);
        assertArrayEquals(new int[] {1, 2, 8}, a.shape);
        assertEquals(255, at(a, 0, 0, 3));
        assertEquals(0, at(a, 0, 0, 2));
        // 2 and 4 bits: v * 255 / (2^bits - 1), i.e. times 85 and times 17
        for (int bits : new int[] {2, 4}) {
            int max = (1 << bits) - 1;
            int perByte = 8 / bits;
            byte[] row = new byte[2];
            int[] v = {0, 1, max - 1, max, max, 1, 0, max};
            v = Arrays.copyOf(v, 2 * perByte);
            for (int x = 0; x < v.length; x++) row[x / perByte] |= (byte) (v[x] << (8 - bits * (x % perByte + 1)));
            NpyArray g = ImageDecoder.decode(png(v.length, 1, bits, 0, new byte[][] {row}));
            assertArrayEquals(new int[] {1, 1, v.length}, g.shape, bits + " bits");
            for (int x = 0; x < v.length; x++) assertEquals(v[x] * 255 / max, g.data[x], bits + " bits, x " + x);
        }
        // and as ImageIO writes a 4-bit gray image
        BufferedImage four = ImageTypeSpecifier.createGrayscale(4, DataBuffer.TYPE_BYTE, false).createBufferedImage(3, 1);
        four.getRaster().setSample(1, 0, 0, 9);
        byte[] f4 = encode(four, "png");
        assertEquals(4, f4[24], "bit depth");
        assertArrayEquals(new double[] {0, 9 * 17, 0}, ImageDecoder.decode(f4).data);
    }

    // ---- palettes ----

    @Test
    void paletteImagesGiveTheirColours() throws IOException {
        byte[] red = {(byte) 250, 0, 7}, green = {5, (byte) 128, 7}, blue = {9, 0, 7};
        for (int bits : new int[] {2, 8}) {
            int n = bits == 8 ? 256 : 3;
            IndexColorModel icm = new IndexColorModel(bits, n, Arrays.copyOf(red, n), Arrays.copyOf(green, n), Arrays.copyOf(blue, n));
            BufferedImage img = new BufferedImage(16, 8, bits == 8 ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_BYTE_BINARY, icm);
            img.getRaster().setSample(3, 1, 0, 1);
            img.getRaster().setSample(15, 7, 0, 2);
            // the JDK's BMP writer garbles the pixels of palettes under 16 entries, so BMP only with 256
            for (String format : bits == 8 ? new String[] {"gif", "png", "bmp"} : new String[] {"gif", "png"}) {
                String what = format + ", " + bits + " bits";
                NpyArray a = ImageDecoder.decode(encode(img, format));
                assertArrayEquals(new int[] {3, 8, 16}, a.shape, what);
                assertEquals(250, at(a, 0, 0, 0), what);
                assertEquals(5, at(a, 1, 0, 0), what);
                assertEquals(9, at(a, 2, 0, 0), what);
                assertEquals(0, at(a, 0, 1, 3), what);
                assertEquals(128, at(a, 1, 1, 3), what);
                assertEquals(7, at(a, 2, 7, 15), what);
            }
        }
    }

    @Test
    void aPalettePngWithGrayColoursIsStillColour() {
        // PIL opens any PNG of colour type 3 as mode P and converts it to RGB
        byte[] plte = new byte[256 * 3];
        for (int i = 0; i < plte.length; i++) plte[i] = (byte) (i / 3);
        NpyArray a = ImageDecoder.decode(png(2, 1, 8, 3, new byte[][] {{5, (byte) 200}}, chunk("PLTE", plte)));
        assertArrayEquals(new int[] {3, 1, 2}, a.shape);
        assertArrayEquals(new double[] {5, 200, 5, 200, 5, 200}, a.data);
    }

    @Test
    void indicesPastAShortPaletteAreGrayAsInPil() {
        // malformed but seen in the wild; PIL's palettes start out as the ramp i -> (i, i, i)
        byte[] plte = {10, 20, 30, 40, 50, 60};
        NpyArray a = ImageDecoder.decode(png(3, 1, 8, 3, new byte[][] {{0, 1, 9}}, chunk("PLTE", plte)));
        assertArrayEquals(new double[] {10, 40, 9, 20, 50, 9, 30, 60, 9}, a.data);
    }

    @Test
    void gifWithTheIdentityPaletteOrNoneIsGray() {
        int[] idx = {0, 3, 15, 7, 1, 2};
        byte[] identity = new byte[16 * 3];
        for (int i = 0; i < identity.length; i++) identity[i] = (byte) (i / 3);
        byte[] colours = new byte[16 * 3];
        new Random(4).nextBytes(colours);
        // PIL (GifImageFile._is_palette_needed) opens these as mode L, value = index
        for (byte[] file : new byte[][] {
                gif(3, 2, 0, 0, 3, 2, idx, identity, null, -1),
                gif(3, 2, 0, 0, 3, 2, idx, null, null, -1),
                gif(3, 2, 0, 0, 3, 2, idx, colours, identity, -1)}) {
            NpyArray a = ImageDecoder.decode(file);
            assertArrayEquals(new int[] {1, 2, 3}, a.shape);
            assertArrayEquals(new double[] {0, 3, 15, 7, 1, 2}, a.data);
        }
        // a local palette wins over the global one
        NpyArray c = ImageDecoder.decode(gif(3, 2, 0, 0, 3, 2, idx, identity, colours, -1));
        assertArrayEquals(new int[] {3, 2, 3}, c.shape);
        assertEquals(colours[3 * 15] & 0xff, at(c, 0, 0, 2));
        assertEquals(colours[3 * 15 + 1] & 0xff, at(c, 1, 0, 2));
        assertEquals(colours[3 * 15 + 2] & 0xff, at(c, 2, 0, 2));
    }

    @Test
    void gifFrameSitsOnItsLogicalScreenAsInPil() {
        byte[] pal = new byte[16 * 3];
        for (int i = 0; i < 16; i++) {
            pal[3 * i] = (byte) (10 * i + 5);
            pal[3 * i + 1] = (byte) (200 - i);
            pal[3 * i + 2] = (byte) i;
        }
        int[] frame = {1, 2, 3, 4, 5, 6}; // 3x2 at (2, 1) on a 6x4 screen
        NpyArray a = ImageDecoder.decode(gif(6, 4, 2, 1, 3, 2, frame, pal, null, -1));
        assertArrayEquals(new int[] {3, 4, 6}, a.shape);
        assertEquals(5, at(a, 0, 0, 0), "outside the frame: index 0");
        assertEquals(15, at(a, 0, 1, 2), "frame (0, 0) is screen (1, 2)");
        assertEquals(65, at(a, 0, 2, 4));
        assertEquals(194, at(a, 1, 2, 4));
        assertEquals(6, at(a, 2, 2, 4));
        // with a transparent index, the outside holds that index
        NpyArray t = ImageDecoder.decode(gif(6, 4, 2, 1, 3, 2, frame, pal, null, 9));
        assertEquals(95, at(t, 0, 0, 0));
        assertEquals(95, at(t, 0, 3, 5));
        // a frame reaching past the screen widens it, as PIL does
        assertArrayEquals(new int[] {3, 3, 5}, ImageDecoder.decode(gif(4, 2, 2, 1, 3, 2, frame, pal, null, -1)).shape);
    }

    @Test
    void bmpPalettesFollowPil() throws IOException {
        // black-and-white 1-bit: PIL mode "1", so gray 0/255
        BufferedImage bin = new BufferedImage(9, 2, BufferedImage.TYPE_BYTE_BINARY);
        bin.getRaster().setSample(8, 1, 0, 1);
        NpyArray a = ImageDecoder.decode(encode(bin, "bmp"));
        assertArrayEquals(new int[] {1, 2, 9}, a.shape);
        assertEquals(255, at(a, 0, 1, 8));
        assertEquals(0, at(a, 0, 0, 0));
        // the same picture as GIF: PIL keeps the palette (mode P), so colour
        assertArrayEquals(new int[] {3, 2, 9}, ImageDecoder.decode(encode(bin, "gif")).shape);
        // 1-bit with two colours: colour
        byte[][] rows = {{(byte) 0b1000_0000}};
        NpyArray c = ImageDecoder.decode(bmp(2, 1, 1, 0, null, new int[][] {{200, 10, 30}, {1, 2, 3}}, rows));
        assertArrayEquals(new double[] {1, 200, 2, 10, 3, 30}, c.data);
        // white-and-black (inverted) is a palette to PIL too
        NpyArray wb = ImageDecoder.decode(bmp(2, 1, 1, 0, null, new int[][] {{255, 255, 255}, {0, 0, 0}}, rows));
        assertArrayEquals(new int[] {3, 1, 2}, wb.shape);
        // 8-bit with a short ramp palette i -> (i, i, i): PIL mode L
        int[][] ramp = new int[100][];
        for (int i = 0; i < 100; i++) ramp[i] = new int[] {i, i, i};
        NpyArray g = ImageDecoder.decode(bmp(3, 1, 8, 0, null, ramp, new byte[][] {{0, 42, 99}}));
        assertArrayEquals(new int[] {1, 1, 3}, g.shape);
        assertArrayEquals(new double[] {0, 42, 99}, g.data);
    }

    @Test
    void bmpFiveAndSixBitChannelsScaleDownAsPilDoes() {
        // 5-6-5: R 30 -> 30 * 255 / 31 = 246.77 -> 246 (PIL's unpacker divides in integers)
        int p = 30 << 11 | 63 << 5 | 1;
        byte[] row = {(byte) p, (byte) (p >> 8), 0, 0};
        NpyArray a = ImageDecoder.decode(bmp(1, 1, 16, 3, new int[] {0xF800, 0x07E0, 0x001F}, null, new byte[][] {row}));
        assertArrayEquals(new int[] {3, 1, 1}, a.shape);
        assertArrayEquals(new double[] {246, 255, 8}, a.data);
        // 5-5-5 (the default for 16-bit BI_RGB)
        int q = 31 << 10 | 16 << 5 | 0;
        NpyArray b = ImageDecoder.decode(bmp(1, 1, 16, 0, null, null, new byte[][] {{(byte) q, (byte) (q >> 8), 0, 0}}));
        assertArrayEquals(new double[] {255, 131, 0}, b.data);
    }

    // ---- JPEG ----

    @Test
    void jpegKeepsChannelOrderWithinTolerance() throws IOException {
        BufferedImage img = new BufferedImage(32, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) img.setRGB(x, y, x < 16 ? 0xC80A1E : 0x1E0AC8);
        }
        NpyArray a = ImageDecoder.decode(encode(img, "jpg"));
        assertArrayEquals(new int[] {3, 16, 32}, a.shape);
        assertEquals(200, at(a, 0, 8, 4), 6);
        assertEquals(10, at(a, 1, 8, 4), 6);
        assertEquals(30, at(a, 2, 8, 4), 6);
        assertEquals(30, at(a, 0, 8, 28), 6);
        assertEquals(200, at(a, 2, 8, 28), 6);
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) gray.getRaster().setSample(x, y, 0, 77);
        NpyArray g = ImageDecoder.decode(encode(gray, "jpg"));
        assertArrayEquals(new int[] {1, 16, 16}, g.shape);
        assertEquals(77, at(g, 0, 8, 8), 2);
    }

    @Test
    void jpegIccProfileIsNotApplied() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        Random r = new Random(2);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) img.setRGB(x, y, r.nextInt());
        byte[] plain = encode(img, "jpg");
        byte[] tagged = withIccProfile(plain, ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData());
        // ImageIO on its own converts from the profile to sRGB...
        Raster converted = ImageIO.read(new ByteArrayInputStream(tagged)).getRaster();
        Raster asStored = ImageIO.read(new ByteArrayInputStream(plain)).getRaster();
        assertNotEquals(asStored.getSample(3, 3, 0), converted.getSample(3, 3, 0), "test premise: ImageIO converts");
        // ...the decoder hands over the samples as stored, as PIL does
        assertArrayEquals(ImageDecoder.decode(plain).data, ImageDecoder.decode(tagged).data);
    }

    /** The JPEG with an APP2 ICC_PROFILE segment inserted after SOI (profiles under 64 KB fit one segment). */
    static byte[] withIccProfile(byte[] jpeg, byte[] profile) {
        byte[] tag = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
        int len = 2 + tag.length + 2 + profile.length;
        assertTrue(len < 65536);
        ByteBuffer b = ByteBuffer.allocate(jpeg.length + 2 + len);
        b.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE2).putShort((short) len).put(tag).put((byte) 1).put((byte) 1).put(profile);
        b.put(jpeg, 2, jpeg.length - 2);
        return b.array();
    }

    @Test
    void cmykJpegIsRefused() throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream o = ImageIO.createImageOutputStream(out)) {
            w.setOutput(o);
            w.write(null, new IIOImage(r, null, null), null);
        } finally {
            w.dispose();
        }
        assertRefused("cannot decode image: CMYK JPEG is not supported", out.toByteArray());
    }

    // ---- damaged and foreign files ----

    @Test
    void truncatedFilesAreRefusedWherePilRefusesThem() throws IOException {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        Random r = new Random(3);
        for (int y = 0; y < 48; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, r.nextInt());
        byte[] jpg = encode(img, "jpg");
        // ImageIO pads a short JPEG with gray and merely warns; PIL says "image file is truncated"
        assertRefused("cannot decode image: truncated JPEG", Arrays.copyOf(jpg, jpg.length / 2));
        assertRefused("cannot decode image: truncated JPEG", Arrays.copyOf(jpg, jpg.length - 2));
        byte[] png = encode(img, "png");
        assertRefused("cannot decode image: Error reading PNG image data", Arrays.copyOf(png, png.length / 2));
        assertRefused("cannot decode image: Error reading PNG image data", Arrays.copyOf(png, png.length - 40));
        // only the 12-byte IEND chunk missing: all pixels are there, and PIL decodes it too
        assertArrayEquals(ImageDecoder.decode(png).data, ImageDecoder.decode(Arrays.copyOf(png, png.length - 12)).data);
        byte[] gif = encode(new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_INDEXED), "gif");
        assertRefused("cannot decode image", Arrays.copyOf(gif, gif.length - 4));
        byte[] bmp = encode(img, "bmp");
        assertRefused("cannot decode image: unexpected end of file", Arrays.copyOf(bmp, bmp.length - 100));
    }

    @Test
    void garbageIsAOneLineError() throws IOException {
        assertRefused("cannot decode image: empty file", new byte[0]);
        assertRefused("cannot decode image: not a PNG, JPEG, BMP or GIF file", "hello".getBytes(StandardCharsets.US_ASCII));
        // WBMP has no magic number; ImageIO would read these five bytes as a 1x1 WBMP
        assertRefused("cannot decode image: not a PNG, JPEG, BMP or GIF file", new byte[] {0, 0, 1, 1, 0});
        assertRefused("cannot decode image: TIFF is not supported", encode(rgb(BufferedImage.TYPE_3BYTE_BGR), "tiff"));
        byte[] png = encode(rgb(BufferedImage.TYPE_3BYTE_BGR), "png");
        byte[] jpg = encode(rgb(BufferedImage.TYPE_3BYTE_BGR), "jpg");
        Random r = new Random(5);
        for (int k = 0; k < 50; k++) {
            byte[] noise = new byte[1 + r.nextInt(2000)];
            r.nextBytes(noise);
            assertRefused("cannot decode image", noise);
            // the right magic, then noise
            byte[] p = noise.clone();
            System.arraycopy(png, 0, p, 0, Math.min(p.length, 16 + r.nextInt(30)));
            assertRefused("cannot decode image", p);
            byte[] j = noise.clone();
            System.arraycopy(jpg, 0, j, 0, Math.min(j.length, 2 + r.nextInt(200)));
            assertRefused("cannot decode image", j);
        }
    }

    @Test
    void hugeDimensionsAreRefusedBeforeAnyPixelIsDecoded() {
        byte[] ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 2).array();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        f.writeBytes(chunk("IHDR", ihdr));
        f.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9c, 3, 0, 0, 0, 0, 1}));
        f.writeBytes(chunk("IEND", new byte[0]));
        InputRejectedException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(InputRejectedException.class, () -> ImageDecoder.decode(f.toByteArray())));
        assertEquals("image of 100000x100000 = 10000000000 pixels is over the limit of 178956970 pixels (--max-pixels)", e.getMessage());
    }

    @Test
    void aBmpThatDeclaresMoreDataThanItHoldsIsRefusedBeforeImageIoAllocatesIt() throws IOException {
        // found by DecoderFuzzTest: 1546 bytes whose biSizeImage says 0x36000000 made ImageIO allocate 906 MB
        BufferedImage img = new BufferedImage(24, 20, BufferedImage.TYPE_BYTE_INDEXED);
        ImageWriter w = ImageIO.getImageWritersByFormatName("bmp").next();
        javax.imageio.ImageWriteParam p = w.getDefaultWriteParam();
        p.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionType("BI_RLE8");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream s = ImageIO.createImageOutputStream(out)) {
            w.setOutput(s);
            w.write(null, new javax.imageio.IIOImage(img, null, null), p);
        }
        byte[] rle = out.toByteArray();
        assertEquals(1, ByteBuffer.wrap(rle, 30, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()); // BI_RLE8
        int dataOffset = ByteBuffer.wrap(rle, 10, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(3, ImageDecoder.decode(rle).shape[0]);

        byte[] huge = rle.clone();
        ByteBuffer.wrap(huge, 34, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x36000000);
        InputRejectedException e = assertThrows(InputRejectedException.class, () -> ImageDecoder.decode(huge));
        assertEquals("BMP header declares 905969664 bytes of RLE data, the file holds " + (rle.length - dataOffset), e.getMessage());

        byte[] png = huge.clone();
        ByteBuffer.wrap(png, 30, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(5);
        assertRefused("cannot decode image: BMP with an embedded PNG (compression 5) is not supported", png);
    }

    private static void assertRefused(String prefix, byte[] bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(bytes));
        assertTrue(e.getMessage().startsWith(prefix), "expected '" + prefix + "...', got: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().length() < 300, "one short line: " + e.getMessage());
    }
}
