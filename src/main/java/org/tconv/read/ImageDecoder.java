package org.tconv.read;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;

import org.w3c.dom.Node;

/**
 * PNG, JPEG, BMP and GIF bytes to float64 pixels of shape (C, H, W), C order, values 0..255.
 *
 * <p>The samples are read from the raster as stored: no colour management (ImageIO's {@code getRGB}
 * converts gray through sRGB and would change the values). Grayscale, with or without alpha, gives C=1;
 * colour and palette images give C=3 in R, G, B order; alpha is dropped. Low-bit-depth gray (1, 2, 4 bits)
 * is scaled to 0..255 as PIL's {@code convert('L')} does; 16-bit samples keep their high byte
 * ({@code v >> 8}) so values stay 0..255. The format is sniffed from the bytes, not the file name; GIF
 * gives its first frame. Example: a 2x3 RGB PNG decodes to shape (3, 2, 3), red plane first.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /** @throws IllegalArgumentException {@code cannot decode image: <reason>} for anything unreadable */
    public static NpyArray decode(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new IllegalArgumentException("cannot decode image: not a PNG, JPEG, BMP or GIF");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                BufferedImage img = reader.read(0);
                return toArray(img, metadataSaysGray(reader));
            } finally {
                reader.dispose();
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot decode image")) throw e;
            throw new IllegalArgumentException("cannot decode image: " + reason(e));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot decode image: " + reason(e));
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replaceAll("\\s+", " ").trim();
    }

    private static NpyArray toArray(BufferedImage img, boolean metadataGray) {
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        int h = img.getHeight(), w = img.getWidth();
        int plane = h * w;
        if (cm instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) cm;
            boolean gray = metadataGray;
            double[] v = new double[(gray ? 1 : 3) * plane];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = r.getSample(x, y, 0);
                    int p = y * w + x;
                    if (gray) {
                        v[p] = icm.getRed(i);
                    } else {
                        v[p] = icm.getRed(i);
                        v[plane + p] = icm.getGreen(i);
                        v[2 * plane + p] = icm.getBlue(i);
                    }
                }
            }
            return new NpyArray(new int[] {gray ? 1 : 3, h, w}, v, "|u1");
        }
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        int channels = gray ? 1 : 3;
        if (!gray && cm.getNumColorComponents() != 3) {
            throw new IllegalArgumentException("cannot decode image: " + cm.getNumColorComponents() + " colour components (CMYK?)");
        }
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

    private static double eightBit(int sample, int bits) {
        if (bits == 8) return sample;
        if (bits > 8) return sample >> (bits - 8);
        return Math.round(sample * 255.0 / ((1 << bits) - 1));
    }

    /** The standard metadata's colour space: how a gray PNG stored with a palette-like model is told from a real palette. */
    private static boolean metadataSaysGray(ImageReader reader) {
        try {
            IIOMetadata md = reader.getImageMetadata(0);
            if (md == null || !md.isStandardMetadataFormatSupported()) return false;
            Node n = md.getAsTree("javax_imageio_1.0").getFirstChild();
            for (; n != null; n = n.getNextSibling()) {
                if (!n.getNodeName().equals("Chroma")) continue;
                for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
                    if (c.getNodeName().equals("ColorSpaceType")) {
                        Node name = c.getAttributes().getNamedItem("name");
                        return name != null && name.getNodeValue().equals("GRAY");
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
