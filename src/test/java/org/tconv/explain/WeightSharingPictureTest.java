package org.tconv.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;

/**
 * weight-sharing.png: an entry whose weight is 0 is drawn as the 0 it is (white, as entries T does not
 * store), each other entry in its weight's colour; with more weights than a legend can tell apart the
 * colour is the value's (red positive, blue negative).
 */
class WeightSharingPictureTest {
    private static Color at(BufferedImage img, ConvGeometry g, int row, int col) {
        int[] xy = SparsityPictures.cellCentre(g, row, col);
        return new Color(img.getRGB(xy[0], xy[1]));
    }

    @Test
    void zeroWeightsAreDrawnAsZero() {
        // the Laplacian: w[0][0] = 0, w[0][1] = 1; T's row 0 reads input (0,0) with w[0][0] and (0,1) with w[0][1]
        double[] laplace = {0, 1, 0, 1, -4, 1, 0, 1, 0};
        ConvGeometry g = ConvSpec.builder(new int[] {1, 1, 3, 3}, laplace).build().geometry(new int[] {1, 5, 5});
        BufferedImage img = SparsityPictures.weights(g);
        assertEquals(Color.WHITE, at(img, g, 0, 0), "weight 0 is drawn empty");
        assertTrue(!at(img, g, 0, 1).equals(Color.WHITE), "weight 1 is coloured");
        assertEquals(at(img, g, 0, 1), at(img, g, 1, 2), "the same weight, one column on: the same colour");
        assertEquals(Color.WHITE, at(img, g, 0, 24), "an entry T does not store");
    }

    @Test
    void manyWeightsAreColouredByValue() {
        int cout = 3, cin = 3; // 81 weights: more than a legend of colours can tell apart
        double[] w = new double[cout * cin * 9];
        for (int i = 0; i < w.length; i++) w[i] = (i % 2 == 0 ? 1 : -1) * (1 + i % 5);
        ConvGeometry g = ConvSpec.builder(new int[] {cout, cin, 3, 3}, w).build().geometry(new int[] {cin, 4, 4});
        BufferedImage img = SparsityPictures.weights(g);
        // row 0 of T: output (0, 0, 0); column 0: input (0, 0, 0), read with w[0] = +1; column 1 with w[1] = -2
        Color positive = at(img, g, 0, 0), negative = at(img, g, 0, 1);
        assertTrue(positive.getRed() > positive.getBlue(), "positive is red: " + positive);
        assertTrue(negative.getBlue() > negative.getRed(), "negative is blue: " + negative);
        Color strong = at(img, g, 0, 4 * 4 * 0 + 2); // w[2] = +3, stronger than w[0] = +1
        assertTrue(strong.getGreen() < positive.getGreen(), "a larger value is a deeper red: " + strong + " vs " + positive);
    }
}
