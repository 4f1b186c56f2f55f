package org.tconv.write;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

/**
 * Feature maps as one 8-bit grayscale PNG. A (C, H, W) output tiles its C maps in a grid of
 * ceil(sqrt(C)) columns with 1-pixel black gutters; each map is scaled from its own min..max to 0..255
 * (a constant map is mid-gray 128). A 1-D output (C, L) draws each channel as a band 8 pixels tall.
 * Example: shape (2, 4, 4) gives a 9x4 picture, two 4x4 tiles side by side.
 */
public final class FeatureMapPng {
    static final int BAND = 8;

    private FeatureMapPng() {}

    public static byte[] encode(int[] shape, double[] values, int offset) {
        int c = shape[0];
        boolean oneD = shape.length == 2;
        int h = oneD ? BAND : shape[1], w = shape[shape.length - 1];
        int srcH = oneD ? 1 : h;
        int cols = oneD ? 1 : (int) Math.ceil(Math.sqrt(c));
        int rows = (c + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * (w + 1) - 1, rows * (h + 1) - 1, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int k = 0; k < c; k++) {
            int base = offset + k * srcH * w;
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < srcH * w; i++) {
                min = Math.min(min, values[base + i]);
                max = Math.max(max, values[base + i]);
            }
            int x0 = (k % cols) * (w + 1), y0 = (k / cols) * (h + 1);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = values[base + (oneD ? 0 : y) * w + x];
                    int g = max > min ? (int) Math.round((v - min) / (max - min) * 255) : 128;
                    r.setSample(x0 + x, y0 + y, 0, g);
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
