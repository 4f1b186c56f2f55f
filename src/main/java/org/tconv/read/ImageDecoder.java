package org.tconv.read;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.tconv.conv.InputRejectedException;

/**
 * PNG, JPEG, BMP and GIF bytes to float64 pixels of shape (C, H, W), C order, values 0..255: the pixels
 * PIL gives for the same file ({@code Image.open(f)}, then {@code convert('L')} for grayscale modes and
 * {@code convert('RGB')} for the others).
 *
 * <ul>
 * <li>Samples as stored: no colour management. Pixels are read from the raster, never through
 *     {@code BufferedImage.getRGB} (which sends gray through sRGB and changes its values), and a JPEG's
 *     embedded ICC profile is removed before ImageIO sees it ({@link JpegIcc}), as ImageIO would
 *     otherwise convert the pixels to sRGB.</li>
 * <li>C=1 for grayscale, with or without alpha; C=3, in R, G, B order, for colour and palette images.
 *     Alpha is dropped. Palette images take their colours from the palette, even a gray one, except where
 *     PIL itself opens them as grayscale: a GIF whose frame has no palette or exactly
 *     {@code i -> (i, i, i)}, a BMP whose palette is {@code i -> (i, i, i)} or black-and-white.</li>
 * <li>Gray is told from colour by what the file says (PNG's colour type, the JPEG's components), not by
 *     the Java colour model: ImageIO presents a 1-bit gray PNG with an {@code IndexColorModel}, just as
 *     it does a palette PNG.</li>
 * <li>1, 2 and 4-bit gray scale to 0..255 ({@code v * 255 / (2^bits - 1)}, so 1-bit is 0 or 255), as
 *     PIL's {@code convert('L')} does; 5 and 6-bit BMP channels scale the same way, rounded down, as
 *     PIL's unpackers do.</li>
 * <li>16-bit samples keep their high byte ({@code v >> 8}), so values stay 0..255. This is what PIL does
 *     for 16-bit colour PNGs; for a 16-bit gray PNG PIL keeps 16-bit integers (mode {@code I}), which
 *     tconv does not follow.</li>
 * <li>The format is sniffed from the bytes, never the file name. A GIF gives its first frame, on its
 *     logical screen as PIL places it ({@link GifFrame}).</li>
 * </ul>
 *
 * <p>JPEGs decode through libjpeg-turbo ({@link NativeJpeg}), and 8-bit non-interlaced gray/RGB(A) PNGs through
 * libpng ({@link NativePng}), wherever tconv's JNI libraries load; everything else, and those too where the
 * libraries do not load, through ImageIO. Both paths follow every rule here, refuse the same files with the
 * same messages and check the budget before allocating (docs/decoding.md).
 *
 * <p>Example: a 2x3 PNG whose top-left pixel is R 200, G 10, B 30 decodes to shape (3, 2, 3) with
 * {@code data[0] = 200} (R plane), {@code data[6] = 10} (G plane), {@code data[12] = 30} (B plane).
 *
 * <p>Anything that cannot be decoded, including a truncated file PIL would refuse ("image file is
 * truncated"), a CMYK JPEG, or a TIFF, gives {@code IllegalArgumentException("cannot decode image: <reason>")}.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /** {@link #decode(byte[], AdmissionBudget)} with the default budget. */
    public static NpyArray decode(byte[] bytes) {
        return decode(bytes, AdmissionBudget.defaults());
    }

    /**
     * @throws IllegalArgumentException {@code cannot decode image: <reason>} for anything unreadable
     * @throws InputRejectedException when the size the header declares is over the budget, checked
     *     before ImageIO allocates the raster
     */
    public static NpyArray decode(byte[] bytes, AdmissionBudget budget) {
        return decode(bytes, budget, NativeJpeg.available());
    }

    /**
     * With {@code libjpeg} false, JPEGs and PNGs go through ImageIO even where libjpeg-turbo and libpng are loaded (the fallback's
     * tests and the decode bench, {@link org.tconv.bench.DecodeRate}); true has no effect where it is not loaded.
     */
    public static NpyArray decode(byte[] bytes, AdmissionBudget budget, boolean libjpeg) {
        if (bytes == null || bytes.length == 0) throw fail("empty file");
        try {
            if (libjpeg && NativeJpeg.available() && isJpeg(bytes)) return nativeJpeg(bytes, budget);
            if (libjpeg && NativePng.available() && isPng(bytes)) {
                NpyArray a = nativePng(bytes, budget);
                if (a != null) return a;
            }
            String format = sniff(bytes);
            byte[] input = format.equals("jpeg") ? JpegIcc.strip(bytes) : bytes;
            try (ImageInputStream in = stream(input)) {
                ImageReader reader = readerFor(in, format);
                try {
                    // Metadata is not needed (the decisions below read the file's own header bytes), and
                    // skipping it lets a PNG that only lacks its IEND chunk through, as PIL lets it through.
                    reader.setInput(in, true, true);
                    List<String> warnings = new ArrayList<>();
                    reader.addIIOReadWarningListener((source, message) -> warnings.add(message));
                    // The sizes the headers declare (PNG's IHDR, the JPEG's SOF, BMP's info header, the GIF's
                    // frame and logical screen), checked before read() allocates a raster of that size.
                    int w = reader.getWidth(0), h = reader.getHeight(0);
                    if (w <= 0 || h <= 0) throw fail("image of " + w + "x" + h + " pixels");
                    budget.checkImage("image", w, h);
                    if (format.equals("bmp")) checkBmpData(bytes);
                    GifFrame frame = format.equals("gif") ? GifFrame.parse(bytes) : null;
                    if (frame != null) budget.checkImage("GIF screen", frame.canvasWidth(), frame.canvasHeight());
                    BufferedImage img = reader.read(0);
                    if (format.equals("jpeg")) {
                        for (String m : warnings) {
                            // ImageIO pads a short JPEG with gray and only warns; PIL refuses it
                            if (m != null && m.contains("EOI")) throw fail("truncated JPEG (no end-of-image marker)");
                        }
                    }
                    return pixels(img, format, bytes, frame);
                } finally {
                    reader.dispose();
                }
            }
        } catch (InputRejectedException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot decode image")) throw e;
            throw fail(reason(e));
        } catch (IOException | RuntimeException e) {
            throw fail(reason(e));
        }
    }

    /** Whether JPEGs decode through libjpeg-turbo in this JVM (else ImageIO; the log said why once). PNGs: libpng, likewise. */
    public static boolean libjpegLoaded() {
        return NativeJpeg.available();
    }

    /** JPEG's SOI marker and the first byte of the next marker, as ImageIO's JPEG reader recognises it. */
    private static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF;
    }

    /**
     * libjpeg-turbo: the header, the budget, then the planes. The same refusals as the ImageIO path, in the
     * same order; libjpeg never reads an ICC profile, so no profile is applied here either.
     */
    private static NpyArray nativeJpeg(byte[] bytes, AdmissionBudget budget) {
        NativeJpeg.Header h = NativeJpeg.readHeader(bytes);
        if (h.width() <= 0 || h.height() <= 0) throw fail("image of " + h.width() + "x" + h.height() + " pixels");
        budget.checkImage("image", h.width(), h.height());
        int n = h.components();
        if (n == 4) throw fail("CMYK JPEG is not supported");
        if (n != 1 && n != 3) throw fail("JPEG with " + n + " colour components is not supported");
        return new NpyArray(new int[] {n, h.height(), h.width()}, NativeJpeg.decodePlanes(bytes, h), "|u1");
    }

    private static boolean isPng(byte[] b) {
        return b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    /**
     * libpng for the PNG kinds it handles here ({@link NativePng}), else null and ImageIO decodes it, as it does
     * a header libpng refuses (so those files keep ImageIO's verdict and message). Errors in the image data
     * read as ImageIO's do: {@code Error reading PNG image data: <libpng's reason>}.
     */
    private static NpyArray nativePng(byte[] bytes, AdmissionBudget budget) {
        NativePng.Header h;
        try {
            h = NativePng.readHeader(bytes);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!h.handled()) return null;
        budget.checkImage("image", h.width(), h.height());
        try {
            return new NpyArray(new int[] {h.channels(), h.height(), h.width()}, NativePng.decodePlanes(bytes, h), "|u1");
        } catch (IllegalArgumentException e) {
            throw fail("Error reading PNG image data: " + e.getMessage());
        }
    }

    /**
     * An in-memory stream. ImageIO.createImageInputStream would, with ImageIO's default cache setting,
     * copy every input to a temporary file first: slow, and a task's disk is not ours to fill.
     */
    private static ImageInputStream stream(byte[] bytes) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    /** The format by content: the first ImageIO reader that recognises the bytes. */
    private static String sniff(byte[] bytes) throws IOException {
        try (ImageInputStream in = stream(bytes)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            List<String> found = new ArrayList<>();
            while (readers.hasNext()) {
                ImageReader r = readers.next();
                String f = r.getFormatName().toLowerCase(Locale.ROOT);
                r.dispose();
                if (f.equals("png") || f.equals("jpeg") || f.equals("bmp") || f.equals("gif")) return f;
                found.add(f);
            }
            // WBMP has no magic number, so its reader claims many random files: say nothing about it
            if (found.contains("tif") || found.contains("tiff")) throw fail("TIFF is not supported (PNG, JPEG, BMP or GIF)");
            throw fail("not a PNG, JPEG, BMP or GIF file");
        }
    }

    private static ImageReader readerFor(ImageInputStream in, String format) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (r.getFormatName().toLowerCase(Locale.ROOT).equals(format)) return r;
            r.dispose();
        }
        throw fail("not a PNG, JPEG, BMP or GIF file");
    }

    private static NpyArray pixels(BufferedImage img, String format, byte[] file, GifFrame frame) {
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        switch (format) {
            case "png": {
                // IHDR is always the first chunk: colour type 0 is gray, 4 gray with alpha
                int colorType = file.length > 25 ? file[25] & 0xff : -1;
                boolean gray = colorType == 0 || colorType == 4;
                if (!(cm instanceof IndexColorModel)) return components(r, gray ? 1 : 3);
                // ImageIO pads a short PLTE by repeating its last entry; PIL's palette continues as the ramp
                return indexed(r, (IndexColorModel) cm, gray, gray ? Integer.MAX_VALUE : pngPaletteEntries(file));
            }
            case "jpeg": {
                int n = cm.getNumColorComponents();
                if (n == 4) throw fail("CMYK JPEG is not supported");
                if (n != 1 && n != 3) throw fail("JPEG with " + n + " colour components is not supported");
                return components(r, n);
            }
            case "gif":
                return gif(r, (IndexColorModel) cm, frame);
            default: // bmp
                if (cm instanceof IndexColorModel) {
                    IndexColorModel icm = (IndexColorModel) cm;
                    return indexed(r, icm, bmpPaletteIsGray(icm), Integer.MAX_VALUE);
                }
                // ImageIO itself turns an 8-bit BMP with palette i -> (i, i, i) into a gray image
                return components(r, cm.getNumColorComponents() == 1 ? 1 : 3);
        }
    }

    /** Component samples, band by band, each scaled to 8 bits. */
    private static NpyArray components(Raster r, int channels) {
        int h = r.getHeight(), w = r.getWidth(), plane = h * w;
        double[] v = new double[channels * plane];
        int[] row = new int[w];
        for (int c = 0; c < channels; c++) {
            int bits = r.getSampleModel().getSampleSize(c);
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, c, row);
                int base = c * plane + y * w;
                for (int x = 0; x < w; x++) v[base + x] = eightBit(row[x], bits);
            }
        }
        return new NpyArray(new int[] {channels, h, w}, v, "|u1");
    }

    /**
     * Palette indices through the colour model: R, G, B, or for gray files the red entry (ImageIO's
     * palette for a low-bit gray PNG is the ramp {@code i * 255 / (2^bits - 1)}).
     */
    private static NpyArray indexed(Raster r, IndexColorModel icm, boolean gray, int entries) {
        int h = r.getHeight(), w = r.getWidth();
        int[] idx = new int[h * w];
        r.getSamples(0, 0, w, h, 0, idx);
        int n = Math.min(icm.getMapSize(), entries);
        int[] red = new int[n], green = new int[n], blue = new int[n];
        for (int i = 0; i < n; i++) {
            red[i] = icm.getRed(i);
            green[i] = icm.getGreen(i);
            blue[i] = icm.getBlue(i);
        }
        return lookUp(idx, h, w, gray ? new int[][] {red} : new int[][] {red, green, blue});
    }

    /**
     * Frame 0 on the logical screen, as PIL places it: the area outside the frame holds the transparent
     * index, else 0; a frame without a palette, or with exactly i -> (i, i, i), is gray with value = index.
     */
    private static NpyArray gif(Raster r, IndexColorModel icm, GifFrame f) {
        if (f == null || f.width != r.getWidth() || f.height != r.getHeight()) return indexed(r, icm, false, Integer.MAX_VALUE);
        int w = f.canvasWidth(), h = f.canvasHeight(); // checked against the budget before the frame was read
        int[] idx = new int[h * w];
        java.util.Arrays.fill(idx, Math.max(f.transparent, 0));
        int[] row = new int[f.width];
        for (int y = 0; y < f.height; y++) {
            r.getSamples(0, y, f.width, 1, 0, row);
            System.arraycopy(row, 0, idx, (f.top + y) * w + f.left, f.width);
        }
        if (f.grayscale()) {
            int[] ramp = new int[256];
            for (int i = 0; i < 256; i++) ramp[i] = i;
            return lookUp(idx, h, w, new int[][] {ramp});
        }
        int n = f.palette.length / 3;
        int[] red = new int[n], green = new int[n], blue = new int[n];
        for (int i = 0; i < n; i++) {
            red[i] = f.palette[3 * i] & 0xff;
            green[i] = f.palette[3 * i + 1] & 0xff;
            blue[i] = f.palette[3 * i + 2] & 0xff;
        }
        return lookUp(idx, h, w, new int[][] {red, green, blue});
    }

    private static NpyArray lookUp(int[] idx, int h, int w, int[][] tables) {
        int plane = h * w;
        double[] v = new double[tables.length * plane];
        for (int c = 0; c < tables.length; c++) {
            int[] t = tables[c];
            for (int p = 0; p < plane; p++) {
                int i = idx[p];
                v[c * plane + p] = i < t.length ? t[i] : i; // PIL: palettes start as the ramp i -> (i, i, i)
            }
        }
        return new NpyArray(new int[] {tables.length, h, w}, v, "|u1");
    }

    /** The number of PLTE entries, found by walking the chunks; MAX_VALUE if there is no PLTE before IDAT. */
    private static int pngPaletteEntries(byte[] b) {
        int i = 8;
        while (i + 8 <= b.length) {
            long len = ((b[i] & 0xffL) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            String type = new String(b, i + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (type.equals("PLTE")) return (int) (len / 3);
            if (type.equals("IDAT") || len > b.length) break;
            i += 12 + (int) len;
        }
        return Integer.MAX_VALUE;
    }

    /**
     * ImageIO's BMP reader allocates the image-data size the info header declares ({@code biSizeImage})
     * before it reads a byte of it, for RLE data and for an embedded JPEG or PNG: a 1.5 KB file that
     * declares 900 MB would allocate 900 MB. Checked against what the file holds; embedded JPEG/PNG
     * (compression 4 and 5) is refused outright, as PIL refuses it.
     */
    private static void checkBmpData(byte[] b) {
        if (b.length < 38 || le32(b, 14) < 40) return; // too short for ImageIO, or an OS/2 header without these fields
        int compression = le32(b, 30);
        if (compression == 4 || compression == 5) {
            throw fail("BMP with an embedded " + (compression == 4 ? "JPEG" : "PNG") + " (compression " + compression + ") is not supported");
        }
        if (compression == 1 || compression == 2) {
            long declared = le32(b, 34) & 0xffffffffL;
            long holds = Math.max(0, b.length - (le32(b, 10) & 0xffffffffL));
            if (declared > holds) {
                throw new InputRejectedException("BMP header declares " + declared + " bytes of RLE data, the file holds " + holds);
            }
        }
    }

    private static int le32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    /** PIL's BmpImagePlugin: a 2-colour palette of black and white, or a palette i -> (i, i, i), is gray. */
    private static boolean bmpPaletteIsGray(IndexColorModel icm) {
        int n = icm.getMapSize();
        for (int i = 0; i < n; i++) {
            int want = n == 2 ? i * 255 : i;
            if (icm.getRed(i) != want || icm.getGreen(i) != want || icm.getBlue(i) != want) return false;
        }
        return true;
    }

    /** 8 bits as is; more: the high byte; fewer: scaled to 0..255 rounding down, as PIL unpacks them. */
    private static double eightBit(int sample, int bits) {
        if (bits == 8) return sample;
        if (bits > 8) return sample >>> (bits - 8);
        return sample * 255 / ((1 << bits) - 1);
    }

    private static IllegalArgumentException fail(String reason) {
        return new IllegalArgumentException("cannot decode image: " + reason);
    }

    /** ImageIO's message and its cause's, on one line: "Error reading PNG image data: Unexpected end of ZLIB input stream". */
    private static String reason(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null && s.length() < 200; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m == null || m.isBlank()) m = t instanceof EOFException ? "unexpected end of file" : t.getClass().getSimpleName();
            m = m.replaceAll("\\s+", " ").trim();
            if (m.endsWith("!")) m = m.substring(0, m.length() - 1);
            if (s.indexOf(m) >= 0) continue;
            if (s.length() > 0) s.append(": ");
            s.append(m);
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s.toString();
    }
}
