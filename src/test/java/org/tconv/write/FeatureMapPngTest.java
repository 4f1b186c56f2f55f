package org.tconv.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/** The PNG read back with ImageIO: layout, per-map scaling, gutters. */
class FeatureMapPngTest {

    static Raster decode(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType(), "8-bit gray");
        assertEquals(8, img.getColorModel().getPixelSize());
        return img.getRaster();
    }

    static int px(Raster r, int x, int y) {
        return r.getSample(x, y, 0);
    }

    /** c maps of h x w; map k holds k * 1000 + (its C-order position). */
    static double[] maps(int c, int h, int w) {
        double[] v = new double[c * h * w];
        for (int i = 0; i < v.length; i++) v[i] = (i / (h * w)) * 1000 + i % (h * w);
        return v;
    }

    @Test
    void gridHasCeilSqrtColumnsAndOnePixelGutters() throws IOException {
        int[][] cases = { // C, columns, rows
            {1, 1, 1}, {2, 2, 1}, {3, 2, 2}, {4, 2, 2}, {5, 3, 2}, {9, 3, 3}, {10, 4, 3}, {16, 4, 4}, {17, 5, 4}};
        for (int[] k : cases) {
            int c = k[0], h = 3, w = 4;
            Raster r = decode(FeatureMapPng.encode(new int[] {c, h, w}, maps(c, h, w), 0));
            assertEquals(k[1] * (w + 1) - 1, r.getWidth(), "width for C=" + c);
            assertEquals(k[2] * (h + 1) - 1, r.getHeight(), "height for C=" + c);
            assertEquals(k[1], FeatureMapPng.columns(c));
        }
        assertEquals(100, FeatureMapPng.columns(10_000));
        assertEquals(101, FeatureMapPng.columns(10_001));
    }

    @Test
    void eachMapIsScaledFromItsOwnMinToMax() throws IOException {
        int c = 3, h = 2, w = 3;
        double[] v = maps(c, h, w); // each map: k*1000 + 0..5, so each scales to 0, 51, 102, 153, 204, 255
        v[2 * 6 + 4] = -50;         // map 2 gets its own, wider range
        Raster r = decode(FeatureMapPng.encode(new int[] {c, h, w}, v, 0));
        assertEquals(7, r.getWidth());
        assertEquals(5, r.getHeight());
        for (int k = 0; k < 2; k++) {
            int x0 = k * (w + 1);
            assertArrayEquals(new int[] {0, 51, 102, 153, 204, 255}, new int[] {
                px(r, x0, 0), px(r, x0 + 1, 0), px(r, x0 + 2, 0), px(r, x0, 1), px(r, x0 + 1, 1), px(r, x0 + 2, 1)}, "map " + k);
        }
        // map 2 at tile (row 1, column 0): values 2000..2005 and -50 at position 4
        double min = -50, max = 2005;
        for (int i = 0; i < 6; i++) {
            double val = v[12 + i];
            assertEquals(Math.round((val - min) / (max - min) * 255), px(r, i % 3, 3 + i / 3), "map 2 position " + i);
        }
        assertEquals(0, px(r, 1, 4), "min is black");
        assertEquals(255, px(r, 2, 4), "max is white");
    }

    @Test
    void guttersAndUnusedTilesAreBlack() throws IOException {
        int c = 3, h = 2, w = 2;
        double[] v = new double[c * h * w];
        java.util.Arrays.fill(v, 5); // constant: every map pixel is 128, so any 0 is a gutter
        Raster r = decode(FeatureMapPng.encode(new int[] {c, h, w}, v, 0));
        assertEquals(5, r.getWidth());
        assertEquals(5, r.getHeight());
        int[] expected = {
            128, 128, 0, 128, 128,
            128, 128, 0, 128, 128,
            0,   0,   0, 0,   0,
            128, 128, 0, 0,   0,
            128, 128, 0, 0,   0};
        assertArrayEquals(expected, r.getPixels(0, 0, 5, 5, (int[]) null));
    }

    @Test
    void constantMapIsMidGray() throws IOException {
        double[] v = {7, 7, 7, 7, -1, 2, 3, 4};
        Raster r = decode(FeatureMapPng.encode(new int[] {2, 2, 2}, v, 0));
        assertEquals(128, px(r, 0, 0));
        assertEquals(128, px(r, 1, 1));
        assertEquals(0, px(r, 3, 0));
        assertEquals(255, px(r, 4, 1));
    }

    @Test
    void oneDimensionalChannelsAreBandsEightPixelsTall() throws IOException {
        double[] v = {0, 1, 2, 3, 4, /* channel 1 */ 10, 10, 10, 10, 10, /* channel 2 */ 4, 3, 2, 1, 0};
        Raster r = decode(FeatureMapPng.encode(new int[] {3, 5}, v, 0));
        assertEquals(5, r.getWidth());
        assertEquals(3 * 8 + 2, r.getHeight());
        for (int y = 0; y < 8; y++) {
            assertArrayEquals(new int[] {0, 64, 128, 191, 255}, r.getPixels(0, y, 5, 1, (int[]) null), "band 0 row " + y);
            assertArrayEquals(new int[] {128, 128, 128, 128, 128}, r.getPixels(0, 9 + y, 5, 1, (int[]) null), "band 1 row " + y);
            assertArrayEquals(new int[] {255, 191, 128, 64, 0}, r.getPixels(0, 18 + y, 5, 1, (int[]) null), "band 2 row " + y);
        }
        assertArrayEquals(new int[5], r.getPixels(0, 8, 5, 1, (int[]) null), "gutter");
        assertArrayEquals(new int[5], r.getPixels(0, 17, 5, 1, (int[]) null), "gutter");
    }

    @Test
    void offsetSelectsOneItemOfABatch() throws IOException {
        double[] batch = new double[3 * 4];
        for (int i = 0; i < batch.length; i++) batch[i] = i < 4 || i >= 8 ? 1e9 * (i % 2) : i;
        Raster r = decode(FeatureMapPng.encode(new int[] {1, 2, 2}, batch, 4)); // item 1: 4, 5, 6, 7
        assertArrayEquals(new int[] {0, 85, 170, 255}, r.getPixels(0, 0, 2, 2, (int[]) null));
    }

    @Test
    void nonFiniteValuesDoNotSpoilTheScale() throws IOException {
        double[] v = {Double.NaN, 0, 10, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 5};
        Raster r = decode(FeatureMapPng.encode(new int[] {1, 6}, v, 0));
        assertArrayEquals(new int[] {0, 0, 255, 255, 0, 128}, r.getPixels(0, 0, 6, 1, (int[]) null));
        double[] extreme = {-1e308, 1e308};
        assertArrayEquals(new int[] {0, 255}, decode(FeatureMapPng.encode(new int[] {1, 2}, extreme, 0)).getPixels(0, 0, 2, 1, (int[]) null));
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FeatureMapPng.encode(new int[] {4}, new double[4], 0));
        assertThrows(IllegalArgumentException.class, () -> FeatureMapPng.encode(new int[] {1, 1, 1, 2, 2}, new double[4], 0));
        assertThrows(IllegalArgumentException.class, () -> FeatureMapPng.encode(new int[] {0, 2, 2}, new double[0], 0));
        assertThrows(IllegalArgumentException.class, () -> FeatureMapPng.encode(new int[] {1, 2, 2}, new double[4], 1));
    }

    @Test
    void volumeIsOneRowOfSliceTilesPerChannelScaledOverTheWholeVolume() throws IOException {
        int c = 2, d = 3, h = 4, w = 5;
        double[] v = new double[c * d * h * w];
        // channel k, slice z: constant value z (channel 1: 10 * z), so within a channel the slices differ
        for (int k = 0; k < c; k++) {
            for (int z = 0; z < d; z++) {
                for (int i = 0; i < h * w; i++) v[((k * d) + z) * h * w + i] = (k == 0 ? 1 : 10) * z;
            }
        }
        Raster r = decode(FeatureMapPng.encode(new int[] {c, d, h, w}, v, 0));
        assertEquals(d * (w + 1) - 1, r.getWidth(), "one column of tiles per slice");
        assertEquals(c * (h + 1) - 1, r.getHeight(), "one row of tiles per channel");
        for (int k = 0; k < c; k++) {
            for (int z = 0; z < d; z++) {
                // scaled over the channel's volume 0..2 (or 0..20): slice z is z/2 of the way to white
                int expected = (int) Math.round(z / 2.0 * 255);
                assertEquals(expected, px(r, z * (w + 1), k * (h + 1)), "channel " + k + " slice " + z);
                assertEquals(expected, px(r, z * (w + 1) + w - 1, k * (h + 1) + h - 1));
            }
        }
        assertEquals(0, px(r, w, 0), "vertical gutter");
        assertEquals(0, px(r, 0, h), "horizontal gutter");
    }
}
