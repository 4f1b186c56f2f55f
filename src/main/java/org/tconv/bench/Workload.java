package org.tconv.bench;

import java.io.Serializable;
import java.util.Locale;
import java.util.SplittableRandom;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;

/**
 * One of the standard workloads of {@code shared/workloads.md}, or a resized copy of one for the scaling
 * runs: PyTorch {@code Conv2d} with zero padding, dilation 1, groups 1. Data: inputs independent uniform in
 * [0, 255), weights and bias independent standard normal, from fixed seeds, so every run and every program
 * sees the same numbers. Item i is drawn from its own seed, so it is the same whichever task makes it.
 *
 * <pre>
 *   id  N      input      weights     stride padding bias  MFLOP/image
 *   W1  20000  1x28x28    8x1x5x5     1      2       yes   0.3136
 *   W2  5000   3x32x32    16x3x3x3    1      1       yes   0.8847
 *   W3  16     3x512x512  8x3x3x3     1      1       no    113.2
 *   W4  1      1x2048x2048 1x1x5x5    1      2       no    209.7
 *   W5  1      1x5x5      1x1x3x3     1      0       no    0.000162
 * </pre>
 */
public final class Workload implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long WEIGHT_SEED = 20261201L, BIAS_SEED = 20261202L, INPUT_SEED = 20261203L;

    public final String id;
    public final String name;
    public final int images;
    public final int c, h, w;
    public final int cOut, k;
    public final int padding;
    public final boolean bias;

    private Workload(String id, String name, int images, int c, int h, int w, int cOut, int k, int padding, boolean bias) {
        this.id = id;
        this.name = name;
        this.images = images;
        this.c = c;
        this.h = h;
        this.w = w;
        this.cOut = cOut;
        this.k = k;
        this.padding = padding;
        this.bias = bias;
    }

    public static final Workload W1 = new Workload("W1", "mnist-like", 20000, 1, 28, 28, 8, 5, 2, true);
    public static final Workload W2 = new Workload("W2", "cifar-like", 5000, 3, 32, 32, 16, 3, 1, true);
    public static final Workload W3 = new Workload("W3", "photo", 16, 3, 512, 512, 8, 3, 1, false);
    public static final Workload W4 = new Workload("W4", "big single image", 1, 1, 2048, 2048, 1, 5, 2, false);
    public static final Workload W5 = new Workload("W5", "seed-size", 1, 1, 5, 5, 1, 3, 0, false);
    public static final Workload[] STANDARD = {W1, W2, W3, W4, W5};

    public static Workload parse(String id) {
        for (Workload wl : STANDARD) {
            if (wl.id.equalsIgnoreCase(id.trim())) return wl;
        }
        throw new IllegalArgumentException("unknown workload '" + id + "' (expected W1, W2, W3, W4, W5 or all)");
    }

    /** The same workload with another number of images; its label says so ({@code W1@5000}). */
    public Workload withImages(int n) {
        if (n < 1) throw new IllegalArgumentException("--images must be positive, got " + n);
        return new Workload(n == images ? id : baseId() + "@" + n, name, n, c, h, w, cOut, k, padding, bias);
    }

    /** The same workload on square images of another side ({@code W4@512px}). */
    public Workload withSide(int side) {
        return new Workload(baseId() + "@" + side + "px", name, images, c, side, side, cOut, k, padding, bias);
    }

    private String baseId() {
        int at = id.indexOf('@');
        return at < 0 ? id : id.substring(0, at);
    }

    public int[] inputShape() {
        return new int[] {c, h, w};
    }

    public int[] weightShape() {
        return new int[] {cOut, c, k, k};
    }

    public ConvSpec spec() {
        double[] weights = normal(WEIGHT_SEED, cOut * c * k * k);
        ConvSpec.Builder b = ConvSpec.builder(weightShape(), weights).padding(Padding.of(padding));
        if (bias) b.bias(normal(BIAS_SEED, cOut));
        return b.build();
    }

    public ConvGeometry geometry() {
        return spec().geometry(inputShape());
    }

    /** Item {@code i}: C*H*W values uniform in [0, 255), C order. */
    public double[] image(long i) {
        SplittableRandom r = new SplittableRandom(INPUT_SEED + 0x9E3779B97F4A7C15L * i);
        double[] x = new double[c * h * w];
        for (int p = 0; p < x.length; p++) x[p] = r.nextDouble() * 255.0;
        return x;
    }

    /** FLOPs of one image as workloads.md counts them: 2 * C_out * C_in * kH * kW * outH * outW (padded taps too). */
    public double flopsPerImage() {
        ConvGeometry g = geometry();
        return 2.0 * cOut * c * k * k * g.outH * g.outW;
    }

    public double totalFlops() {
        return flopsPerImage() * images;
    }

    /** The workload's line for the report: id, shapes, N. */
    public String describe() {
        return String.format(Locale.ROOT, "%s %s: %d image(s) %dx%dx%d, weights %dx%dx%dx%d, padding %d%s",
                id, name, images, c, h, w, cOut, c, k, k, padding, bias ? ", bias" : "");
    }

    private static double[] normal(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = gaussian(r);
        return v;
    }

    /** Box-Muller: SplittableRandom has no nextGaussian in Java 17. */
    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }
}
