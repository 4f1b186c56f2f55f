package org.tconv.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.operator.LinearMap;

/**
 * Translation equivariance, measured: for a seeded random input x and a shift s along one axis (the input
 * rolled by s, as {@code torch.roll}), the largest |conv(roll(x, s)) - roll(conv(x), s / stride)| over the
 * output positions whose receptive field lies inside the input before and after the shift (interior: no tap
 * reads padding or wrapped-around values) and over the others (border). Circular padding with stride 1 is
 * exact everywhere; zero padding only in the interior; a stride only for shifts that are multiples of it.
 * The bias is left out: it is the same at every position and cannot change the differences.
 */
public final class Equivariance {
    public static final long SEED = 42;

    /** One shift along one axis. */
    public record Shift(String axis, int shift, int outputShift, boolean multipleOfStride, long interiorPositions,
                        long borderPositions, double interiorMaxAbs, double borderMaxAbs) {}

    private Equivariance() {}

    static final String[] AXES = {"depth", "height", "width"};

    /** The shifts measured on an axis: 1 .. the dilated kernel extent, and the first multiples of the stride. */
    static int[] shifts(int extent, int stride, int size) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int i = 1; i <= extent; i++) s.add(i);
        for (int m = 1; m <= 3; m++) s.add(m * stride);
        return s.stream().mapToInt(Integer::intValue).filter(v -> v < size).toArray();
    }

    /** The largest |conv(x)| of the seeded input, the scale the differences are read against. */
    public static double outputScale(ConvGeometry g, LinearMap t) {
        double[] y = new double[t.rows()];
        t.apply(input(g), y);
        double m = 0;
        for (double v : y) m = Math.max(m, Math.abs(v));
        return m;
    }

    static double[] input(ConvGeometry g) {
        Random rnd = new Random(SEED);
        double[] x = new double[g.inputSize()];
        for (int i = 0; i < x.length; i++) x[i] = 2 * rnd.nextDouble() - 1;
        return x;
    }

    public static List<Shift> measure(ConvGeometry g, LinearMap t) {
        ConvSpec s = g.spec;
        int[] n = {g.d, g.h, g.w}, outN = {g.outD, g.outH, g.outW};
        int[] k = {s.kernelDepth(), s.kernelHeight(), s.kernelWidth()};
        int[] st = {s.strideD(), s.strideH(), s.strideW()};
        int[] dil = {s.dilationD(), s.dilationH(), s.dilationW()};
        int[] pad = {s.padFront(), s.padTop(), s.padLeft()};
        double[] x = input(g);
        double[] y = new double[t.rows()];
        t.apply(x, y);
        List<Shift> out = new ArrayList<>();
        for (int a = 3 - s.dims(); a < 3; a++) {
            int extent = dil[a] * (k[a] - 1) + 1;
            for (int shift : shifts(extent, st[a], n[a])) {
                int q = shift / st[a];
                double[] xs = roll(x, new int[] {g.c, g.d, g.h, g.w}, a + 1, shift);
                double[] ys = new double[t.rows()];
                t.apply(xs, ys);
                double[] yr = roll(y, new int[] {s.outChannels(), g.outD, g.outH, g.outW}, a + 1, q);
                boolean[] interior = new boolean[outN[a]];
                for (int o = 0; o < outN[a]; o++) {
                    boolean in = true;
                    for (int tap = 0; tap < k[a] && in; tap++) {
                        long r = (long) o * st[a] - pad[a] + (long) tap * dil[a];
                        in = r >= 0 && r < n[a] && r - shift >= 0 && r - shift < n[a];
                    }
                    interior[o] = in;
                }
                double inMax = 0, borderMax = 0;
                long inCount = 0, borderCount = 0;
                int[] idx = new int[4];
                int[] oshape = {s.outChannels(), g.outD, g.outH, g.outW};
                for (int i = 0; i < ys.length; i++) {
                    decode(i, oshape, idx);
                    double diff = Math.abs(ys[i] - yr[i]);
                    if (interior[idx[a + 1]]) {
                        inMax = Math.max(inMax, diff);
                        inCount++;
                    } else {
                        borderMax = Math.max(borderMax, diff);
                        borderCount++;
                    }
                }
                out.add(new Shift(AXES[a], shift, q, shift % st[a] == 0, inCount, borderCount, inMax, borderMax));
            }
        }
        return out;
    }

    private static void decode(int i, int[] shape, int[] into) {
        for (int a = 3; a >= 0; a--) {
            into[a] = i % shape[a];
            i /= shape[a];
        }
    }

    /** x rolled by {@code by} along {@code axis} of a C-order array of {@code shape}: out[.., j, ..] = x[.., j - by, ..]. */
    static double[] roll(double[] x, int[] shape, int axis, int by) {
        double[] r = new double[x.length];
        int inner = 1;
        for (int a = axis + 1; a < shape.length; a++) inner *= shape[a];
        int len = shape[axis];
        int outer = x.length / (inner * len);
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < len; j++) {
                int from = Math.floorMod(j - by, len);
                System.arraycopy(x, (o * len + from) * inner, r, (o * len + j) * inner, inner);
            }
        }
        return r;
    }
}
