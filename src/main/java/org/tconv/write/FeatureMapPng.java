package org.tconv.write;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

import javax.imageio.ImageIO;

/**
 * Feature maps as one 8-bit grayscale PNG, for looking at, not for reading back: the values are
 * rescaled per map.
 *
 * <p>A 2-D output (C, H, W) tiles its C maps row by row in a grid of {@code ceil(sqrt(C))} columns,
 * separated by 1-pixel black gutters; tiles past the last map stay black. A 1-D output (C, L) draws
 * each channel as a band L wide and 8 pixels tall, the bands one under the other, with the same gutters.
 * A 3-D output (C, D, H, W) draws one H x W tile per depth slice: channel c is the c-th row of tiles, depth
 * slice z its z-th column (so a row reads through the volume front to back), with the same gutters.
 * Each map (in 3-D each channel's whole volume, so that its slices compare) is scaled from its own
 * min..max to 0..255 (rounded); a constant map is mid-gray 128.
 * Non-finite values are left out of min and max; NaN and -Infinity draw as 0, +Infinity as 255.
 *
 * <p>Example: shape (3, 4, 5) gives a 2-column grid, 11x9 pixels:
 * <pre>
 *   x 0..4  map 0   x 5 gutter   x 6..10 map 1        (y 0..3)
 *   y 4 gutter
 *   x 0..4  map 2   x 5 gutter   x 6..10 black        (y 5..8)
 * </pre>
 * and shape (2, 6) gives a 6x17 picture: channel 0 in rows 0..7, a gutter in row 8, channel 1 in rows 9..16;
 * shape (2, 3, 4, 5) gives 17x9: channel 0's slices 0, 1, 2 at x 0..4, 6..10, 12..16 in y 0..3, channel 1's
 * below the gutter in y 5..8.
 */
public final class FeatureMapPng {
    /** Height of a 1-D channel's band. */
    static final int BAND = 8;

    private FeatureMapPng() {}

    /**
     * @param shape  (C, H, W), (C, L) or (C, D, H, W)
     * @param values holds the C maps in C order starting at {@code offset} (a batch passes item i's offset)
     * @return the PNG file's bytes
     */
    public static byte[] encode(int[] shape, double[] values, int offset) {
        if (shape.length < 2 || shape.length > 4) {
            throw new IllegalArgumentException("feature maps are (C, L), (C, H, W) or (C, D, H, W), not shape " + Arrays.toString(shape));
        }
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("cannot draw feature maps of shape " + Arrays.toString(shape));
        }
        boolean oneD = shape.length == 2, threeD = shape.length == 4;
        int c = shape[0];
        int depth = threeD ? shape[1] : 1;
        int mapH = oneD ? 1 : shape[shape.length - 2], w = shape[shape.length - 1];
        long size = (long) c * depth * mapH * w;
        if (offset < 0 || offset + size > values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " at offset " + offset + " needs "
                    + size + " values; the array has " + values.length);
        }
        int tileH = oneD ? BAND : mapH;
        // 3-D: one row of tiles per channel, one tile per slice; 2-D: the channels in a near-square grid
        long cols = oneD ? 1 : threeD ? depth : columns(c);
        long rows = threeD ? c : (c + cols - 1) / cols;
        long width = (long) cols * (w + 1) - 1, height = (long) rows * (tileH + 1) - 1;
        if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE || width * height > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("feature maps of shape " + Arrays.toString(shape) + " make a picture too large for one PNG");
        }
        BufferedImage img = new BufferedImage((int) width, (int) height, BufferedImage.TYPE_BYTE_GRAY);
        // TYPE_BYTE_GRAY's buffer is the pixels row by row, one byte each (gutters: left at 0)
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        int stride = (int) width;
        int sliceSize = mapH * w;
        int mapSize = depth * sliceSize;
        byte[] gray = new byte[mapSize];
        for (int k = 0; k < c; k++) {
            scale(values, offset + k * mapSize, mapSize, gray);
            for (int z = 0; z < depth; z++) {
                long tile = threeD ? (long) k * depth + z : k;
                int x0 = (int) (tile % cols) * (w + 1), y0 = (int) (tile / cols) * (tileH + 1);
                for (int y = 0; y < tileH; y++) {
                    System.arraycopy(gray, z * sliceSize + (oneD ? 0 : y) * w, px, (y0 + y) * stride + x0, w);
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /** ceil(sqrt(c)) in integers, so a perfect square never becomes one column too many. */
    static int columns(int c) {
        int k = (int) Math.sqrt(c);
        while ((long) k * k < c) k++;
        while (k > 1 && (long) (k - 1) * (k - 1) >= c) k--;
        return Math.max(k, 1);
    }

    /** One map, min..max to 0..255. */
    private static void scale(double[] v, int from, int n, byte[] out) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + n; i++) {
            double x = v[i];
            if (Double.isFinite(x)) {
                if (x < min) min = x;
                if (x > max) max = x;
            }
        }
        double range = max - min;
        double half = 1;
        if (range == Double.POSITIVE_INFINITY) { // e.g. -1e308..1e308: work in halves, which do not overflow
            half = 0.5;
            range = max * half - min * half;
        }
        for (int i = 0; i < n; i++) {
            double x = v[from + i];
            int g;
            if (Double.isNaN(x) || x == Double.NEGATIVE_INFINITY) {
                g = 0;
            } else if (x == Double.POSITIVE_INFINITY) {
                g = 255;
            } else if (!(range > 0)) {
                g = 128; // constant map (or no finite value at all)
            } else {
                g = (int) Math.round((x * half - min * half) / range * 255);
            }
            out[i] = (byte) g;
        }
    }
}
