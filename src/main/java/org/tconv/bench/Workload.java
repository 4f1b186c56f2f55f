package org.tconv.bench;

import java.io.Serializable;
import java.util.Locale;
import java.util.SplittableRandom;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;

/**
 * One of the standard workloads of {@code shared/workloads.md}, or a resized copy of one for the scaling
 * runs: PyTorch {@code Conv2d} ({@code Conv3d} for W7) with zero padding, dilation 1, groups 1. Data: inputs independent uniform in
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
 *   W6  48     3xHxW      8x3x3x3     1      1       no    69.7 on average (H, W all different, in 300..512)
 *   W7  4      1x64x128x128 8x1x3x3x3 1      1       no    453.0
 * </pre>
 * W6 is the one workload whose items do not share a shape: {@link #shape(long)} gives each its own.
 */
public final class Workload implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long WEIGHT_SEED = 20261201L, BIAS_SEED = 20261202L, INPUT_SEED = 20261203L;

    private static final long SIZE_SEED = 20261206L;
    /** W6's heights and widths are drawn in [MIXED_MIN, MIXED_MAX]. */
    static final int MIXED_MIN = 300, MIXED_MAX = 512;

    public final String id;
    public final String name;
    public final int images;
    /** Depth d is 1 for the 2-D workloads; h and w are the largest of a mixed workload's sizes. */
    public final int c, d, h, w;
    public final int cOut, k;
    public final int padding;
    public final boolean bias;
    /** Conv3d (weights of rank 5) rather than Conv2d. */
    public final boolean volume;
    /** Each item's (H, W) when the items do not share a shape (W6), else null. */
    private final int[][] sizes;

    private Workload(String id, String name, int images, int c, int d, int h, int w, int cOut, int k, int padding, boolean bias,
            boolean volume, int[][] sizes) {
        this.id = id;
        this.name = name;
        this.images = images;
        this.c = c;
        this.d = d;
        this.h = h;
        this.w = w;
        this.cOut = cOut;
        this.k = k;
        this.padding = padding;
        this.bias = bias;
        this.volume = volume;
        this.sizes = sizes;
    }

    private Workload(String id, String name, int images, int c, int h, int w, int cOut, int k, int padding, boolean bias) {
        this(id, name, images, c, 1, h, w, cOut, k, padding, bias, false, null);
    }

    /** W6: {@code n} items of C x H x W with every (H, W) different, drawn in 300..512 from a fixed seed. */
    private static Workload mixed(String id, int n) {
        int span = MIXED_MAX - MIXED_MIN + 1;
        if (n > span * span) throw new IllegalArgumentException("W6 has at most " + span * span + " different sizes, asked for " + n);
        SplittableRandom r = new SplittableRandom(SIZE_SEED);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        int[][] sizes = new int[n][];
        int maxH = 0, maxW = 0;
        for (int i = 0; i < n; ) {
            int hh = MIXED_MIN + r.nextInt(span), ww = MIXED_MIN + r.nextInt(span);
            if (!seen.add((long) hh << 32 | ww)) continue; // a size drawn twice is drawn again
            sizes[i++] = new int[] {hh, ww};
            maxH = Math.max(maxH, hh);
            maxW = Math.max(maxW, ww);
        }
        return new Workload(id, "mixed photos", n, 3, 1, maxH, maxW, 8, 3, 1, false, false, sizes);
    }

    public static final Workload W1 = new Workload("W1", "mnist-like", 20000, 1, 28, 28, 8, 5, 2, true);
    public static final Workload W2 = new Workload("W2", "cifar-like", 5000, 3, 32, 32, 16, 3, 1, true);
    public static final Workload W3 = new Workload("W3", "photo", 16, 3, 512, 512, 8, 3, 1, false);
    public static final Workload W4 = new Workload("W4", "big single image", 1, 1, 2048, 2048, 1, 5, 2, false);
    public static final Workload W5 = new Workload("W5", "seed-size", 1, 1, 5, 5, 1, 3, 0, false);
    public static final Workload W6 = mixed("W6", 48);
    public static final Workload W7 = new Workload("W7", "volume", 4, 1, 64, 128, 128, 8, 3, 1, false, true, null);
    public static final Workload[] STANDARD = {W1, W2, W3, W4, W5, W6, W7};

    public static Workload parse(String id) {
        for (Workload wl : STANDARD) {
            if (wl.id.equalsIgnoreCase(id.trim())) return wl;
        }
        throw new IllegalArgumentException("unknown workload '" + id.trim() + "' (expected W1..W7, a comma-separated list of them, or all)");
    }

    /** {@code all}, one id, or a comma-separated list of ids ({@code W3,W6}), in the order given, each once. */
    public static java.util.List<Workload> parseList(String text) {
        if (text.trim().equalsIgnoreCase("all")) return java.util.List.of(STANDARD);
        java.util.List<Workload> out = new java.util.ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) throw new IllegalArgumentException("--workload '" + text + "' has an empty item (expected e.g. W3,W6)");
            Workload wl = parse(part);
            if (out.contains(wl)) throw new IllegalArgumentException("--workload '" + text + "' names " + wl.id + " twice");
            out.add(wl);
        }
        return out;
    }

    /** The same workload with another number of images; its label says so ({@code W1@5000}). */
    public Workload withImages(int n) {
        if (n < 1) throw new IllegalArgumentException("--images must be positive, got " + n);
        String label = n == images ? id : baseId() + "@" + n;
        if (sizes != null) return mixed(label, n);
        return new Workload(label, name, n, c, d, h, w, cOut, k, padding, bias, volume, null);
    }

    /** The same workload on square images of another side ({@code W4@512px}). */
    public Workload withSide(int side) {
        if (sizes != null || volume) throw new IllegalArgumentException(id + " cannot be resized to a square side");
        return new Workload(baseId() + "@" + side + "px", name, images, c, side, side, cOut, k, padding, bias);
    }

    /** True when every item has the same shape (all but W6). */
    public boolean uniform() {
        return sizes == null;
    }

    private String baseId() {
        int at = id.indexOf('@');
        return at < 0 ? id : id.substring(0, at);
    }

    /** The shape every item has, (C, H, W) or (C, D, H, W); a mixed workload has none. */
    public int[] inputShape() {
        if (sizes != null) throw new IllegalStateException(id + "'s items do not share a shape: ask shape(i)");
        return volume ? new int[] {c, d, h, w} : new int[] {c, h, w};
    }

    /** Item {@code i}'s shape. */
    public int[] shape(long i) {
        if (sizes == null) return inputShape();
        int[] hw = sizes[Math.toIntExact(i)];
        return new int[] {c, hw[0], hw[1]};
    }

    public int[] weightShape() {
        return volume ? new int[] {cOut, c, k, k, k} : new int[] {cOut, c, k, k};
    }

    private int kernelVolume() {
        return volume ? k * k * k : k * k;
    }

    public ConvSpec spec() {
        double[] weights = normal(WEIGHT_SEED, cOut * c * kernelVolume());
        ConvSpec.Builder b = ConvSpec.builder(weightShape(), weights).padding(Padding.of(padding));
        if (bias) b.bias(normal(BIAS_SEED, cOut));
        return b.build();
    }

    /** The geometry every item has (not for a mixed workload: see {@link #geometry(long)}). */
    public ConvGeometry geometry() {
        return spec().geometry(inputShape());
    }

    public ConvGeometry geometry(long i) {
        return spec().geometry(shape(i));
    }

    /** Item {@code i}: its C*(D*)H*W values uniform in [0, 255), C order. */
    public double[] image(long i) {
        SplittableRandom r = new SplittableRandom(INPUT_SEED + 0x9E3779B97F4A7C15L * i);
        int n = 1;
        for (int s : shape(i)) n = Math.multiplyExact(n, s);
        double[] x = new double[n];
        for (int p = 0; p < x.length; p++) x[p] = r.nextDouble() * 255.0;
        return x;
    }

    /**
     * FLOPs of one image as workloads.md counts them: 2 * C_out * C_in * (kD *) kH * kW * (outD *) outH * outW
     * (padded taps too); for a mixed workload, the mean over its items.
     */
    public double flopsPerImage() {
        return totalFlops() / images;
    }

    public double totalFlops() {
        ConvSpec spec = spec();
        if (sizes == null) return flops(spec.geometry(inputShape())) * images;
        double sum = 0;
        for (long i = 0; i < images; i++) sum += flops(spec.geometry(shape(i)));
        return sum;
    }

    private double flops(ConvGeometry g) {
        return 2.0 * cOut * c * kernelVolume() * g.outD * g.outH * g.outW;
    }

    /** The workload's line for the report: id, shapes, N. */
    public String describe() {
        String k3 = volume ? k + "x" + k + "x" + k : k + "x" + k;
        String input = sizes != null ? c + "xHxW, every (H, W) different in " + MIXED_MIN + ".." + MIXED_MAX
                : volume ? c + "x" + d + "x" + h + "x" + w : c + "x" + h + "x" + w;
        return String.format(Locale.ROOT, "%s %s: %d image(s) %s, weights %dx%dx%s, padding %d%s",
                id, name, images, input, cOut, c, k3, padding, bias ? ", bias" : "");
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
