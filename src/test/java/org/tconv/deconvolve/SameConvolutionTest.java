package org.tconv.deconvolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tconv.operator.LinearMap;
import org.tconv.read.NpyArray;

/**
 * T of the {@code same} convolution against scipy's {@code convolve(x, psf, mode="same", method="direct")}
 * (goldens), T^T against T entry by entry, and scikit-image's mirrored-PSF convolution against T^T: equal for
 * an odd PSF, T^T shifted by one sample for an even one.
 */
class SameConvolutionTest {
    @ParameterizedTest
    @ValueSource(strings = {"odd_1d", "even_1d", "odd_2d", "even_2d", "mixed_3d"})
    void bothProductsOfTMatchScipysSameConvolution(String name) throws IOException {
        String c = "same/" + name;
        Psf psf = Goldens.psf(c);
        NpyArray x = Goldens.read(c, "x.npy");
        double[] expected = Goldens.read(c, "expected.npy").data;
        for (LinearMap t : new LinearMap[] {SameConvolution.toeplitz(psf, x.shape), SameConvolution.direct(psf, x.shape)}) {
            double[] y = new double[t.rows()];
            t.apply(x.data, y);
            assertTrue(Goldens.relativeDifference(y, expected) < 1e-13, name + ": " + Goldens.relativeDifference(y, expected));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"odd_1d", "even_1d", "odd_2d", "even_2d", "mixed_3d"})
    void adjointIsTransposeEntryByEntry(String name) throws IOException {
        String c = "same/" + name;
        Psf psf = Goldens.psf(c);
        int[] shape = Goldens.read(c, "x.npy").shape;
        LinearMap t = SameConvolution.toeplitz(psf, shape);
        double[][] dense = columns(t, false), adjoint = columns(t, true);
        int n = t.cols();
        assertEquals(n, t.rows());
        int nonZero = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                // column j of T is T e_j; column i of T^T is T^T e_i, i.e. row i of T
                assertEquals(dense[j][i], adjoint[i][j], 0.0, name + " entry (" + i + ", " + j + ")");
                if (dense[j][i] != 0) nonZero++;
            }
        }
        assertTrue(nonZero > n, "T has " + nonZero + " non-zeros");
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6})
    void mirroredPsfIsTransposeForOddAndShiftedByOneForEven(int k) {
        double[] p = new double[k];
        for (int i = 0; i < k; i++) p[i] = 1 + i * i; // asymmetric, so a flip shows
        Psf psf = new Psf(new int[] {k}, p);
        int n = 12;
        double[][] t = columns(SameConvolution.toeplitz(psf, new int[] {n}), false);
        double[][] m = columns(SameConvolution.toeplitz(psf.mirrored(), new int[] {n}), false);
        // t[j][i] = T(i, j); the mirrored map M(o, m) is T(m, o) for odd k and T(m + 1, o) for even k
        int shift = k % 2 == 0 ? 1 : 0;
        boolean equalsTranspose = true;
        for (int o = 0; o < n; o++) {
            for (int col = 0; col + shift < n; col++) {
                assertEquals(t[o][col + shift], m[col][o], 0.0, "k=" + k + " M(" + o + ", " + col + ")");
            }
            for (int col = 0; col < n; col++) equalsTranspose &= t[o][col] == m[col][o];
        }
        assertEquals(k % 2 == 1, equalsTranspose, "mirrored PSF equals T^T exactly for odd k only");
    }

    /** Columns of T (or T^T): the product with every unit vector. */
    static double[][] columns(LinearMap t, boolean adjoint) {
        int n = adjoint ? t.rows() : t.cols();
        double[][] c = new double[n][];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            c[j] = new double[adjoint ? t.cols() : t.rows()];
            if (adjoint) t.applyAdjoint(e, c[j]);
            else t.apply(e, c[j]);
        }
        return c;
    }

    static String shape(int[] s) { return Arrays.toString(s); }
}
