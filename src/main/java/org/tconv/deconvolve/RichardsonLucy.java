package org.tconv.deconvolve;

import java.util.Arrays;

import org.tconv.operator.LinearMap;

/**
 * Richardson-Lucy exactly as {@code skimage.restoration.richardson_lucy(y, psf, num_iter=K, clip=False)}
 * (scikit-image 0.19): x starts at 0.5 everywhere, and each iteration is
 * {@code x <- x * mirrored(y / (blur(x) + 1e-12))}, where {@code blur} is the PSF's {@code same} convolution
 * and {@code mirrored} the flipped PSF's: T^T for an odd PSF, T^T shifted by one sample for an even one
 * (scikit-image's choice, kept so results match it).
 */
public final class RichardsonLucy {
    /** scikit-image's guard against dividing by zero. */
    public static final double EPS = 1e-12;
    public static final double START = 0.5;

    private final LinearMap blur, mirrored;

    public RichardsonLucy(LinearMap blur, LinearMap mirrored) {
        if (blur.rows() != blur.cols() || mirrored.rows() != blur.rows() || mirrored.cols() != blur.cols()) {
            throw new IllegalArgumentException("Richardson-Lucy needs two square maps of one size, got " + blur.rows() + "x"
                    + blur.cols() + " and " + mirrored.rows() + "x" + mirrored.cols());
        }
        this.blur = blur;
        this.mirrored = mirrored;
    }

    /** K iterations on the observed {@code y}; stops early, rejecting, once x holds a NaN or an Inf. */
    public Solution solve(double[] y, int iterations) {
        int n = blur.cols();
        if (y.length != n) throw new IllegalArgumentException("y has " + y.length + " values, the map " + n);
        double[] x = new double[n], conv = new double[n], correction = new double[n];
        Arrays.fill(x, START);
        for (int it = 1; it <= iterations; it++) {
            blur.apply(x, conv);
            for (int i = 0; i < n; i++) conv[i] = y[i] / (conv[i] + EPS);
            mirrored.apply(conv, correction);
            for (int i = 0; i < n; i++) x[i] *= correction[i];
            String bad = Solution.nonFinite(x, "richardson-lucy iteration " + it);
            if (bad != null) return new Solution(x, it, "non-finite", bad);
        }
        return new Solution(x, iterations, "iteration limit", null);
    }
}
