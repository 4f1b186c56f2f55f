package org.tconv.conv;

import java.util.Random;

/** Random convolutions over every option, with an input shape they accept, for property tests. */
public final class RandomSpecs {
    public final ConvSpec spec;
    public final int[] inputShape;

    private RandomSpecs(ConvSpec spec, int[] inputShape) {
        this.spec = spec;
        this.inputShape = inputShape;
    }

    /** Draws a 1-D or 2-D convolution until a spec and input PyTorch would accept come up. */
    public static RandomSpecs draw(Random rnd) {
        return draw(rnd, false);
    }

    /** As {@link #draw(Random)}, 3-D as well when {@code withDepth}. */
    public static RandomSpecs draw(Random rnd, boolean withDepth) {
        return draw(rnd, withDepth, false);
    }

    /**
     * One image wide enough (16-60 columns) that stride-1 rows have long interiors, 1-, 2- or 3-D, the other
     * options random: exercises the product's single-image runs.
     */
    public static RandomSpecs drawWide(Random rnd) {
        return draw(rnd, true, true);
    }

    private static RandomSpecs draw(Random rnd, boolean withDepth, boolean wide) {
        while (true) {
            int dims = withDepth ? 1 + rnd.nextInt(3) : rnd.nextBoolean() ? 2 : 1;
            int groups = 1 + rnd.nextInt(3);
            int cinPG = 1 + rnd.nextInt(2);
            int cout = groups * (1 + rnd.nextInt(2));
            int kD = dims == 3 ? 1 + rnd.nextInt(3) : 1;
            int kH = dims >= 2 ? 1 + rnd.nextInt(4) : 1;
            int kW = 1 + rnd.nextInt(4);
            int[] ws = dims == 3 ? new int[] {cout, cinPG, kD, kH, kW}
                    : dims == 2 ? new int[] {cout, cinPG, kH, kW} : new int[] {cout, cinPG, kW};
            double[] w = new double[cout * cinPG * kD * kH * kW];
            for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
            int[] stride = tuple(rnd, dims, 1, 3);
            if (wide) stride[stride.length - 1] = 1;
            ConvSpec.Builder b = ConvSpec.builder(ws, w)
                    .groups(groups)
                    .paddingMode(PaddingMode.values()[rnd.nextInt(4)])
                    .dilation(tuple(rnd, dims, 1, 2))
                    .stride(stride);
            int p = rnd.nextInt(4);
            // explicit padding from -1 (a crop, accepted by PyTorch in the non-zeros modes) to 2
            b.padding(p == 0 ? Padding.valid() : p == 1 ? Padding.same() : Padding.of(tuple(rnd, dims, -1, 4)));
            if (rnd.nextBoolean()) {
                double[] bias = new double[cout];
                for (int i = 0; i < cout; i++) bias[i] = rnd.nextGaussian();
                b.bias(bias);
            }
            int c = cinPG * groups;
            int width = wide ? 16 + rnd.nextInt(45) : dims == 1 ? 1 + rnd.nextInt(14) : 1 + rnd.nextInt(9);
            int[] shape = dims == 3 ? new int[] {c, 1 + rnd.nextInt(6), 1 + rnd.nextInt(7), width}
                    : dims == 2 ? new int[] {c, 1 + rnd.nextInt(9), width} : new int[] {c, width};
            try {
                ConvSpec spec = b.build();
                spec.geometry(shape);
                return new RandomSpecs(spec, shape);
            } catch (IllegalArgumentException | InputRejectedException e) {
                // PyTorch refuses this combination (e.g. same with stride 2, reflect padding >= size): draw again
            }
        }
    }

    /**
     * A random ConvTranspose1d/2d/3d (weights (C_in, C_out/groups, k...)), strides, padding, dilation,
     * groups, output padding below the stride or the dilation per axis, bias or not, with an input it accepts.
     */
    public static RandomSpecs drawTransposed(Random rnd) {
        while (true) {
            int dims = 1 + rnd.nextInt(3);
            int groups = 1 + rnd.nextInt(3);
            int cin = groups * (1 + rnd.nextInt(2));
            int coutPG = 1 + rnd.nextInt(2);
            int kD = dims == 3 ? 1 + rnd.nextInt(3) : 1;
            int kH = dims >= 2 ? 1 + rnd.nextInt(4) : 1;
            int kW = 1 + rnd.nextInt(4);
            int[] ws = dims == 3 ? new int[] {cin, coutPG, kD, kH, kW}
                    : dims == 2 ? new int[] {cin, coutPG, kH, kW} : new int[] {cin, coutPG, kW};
            double[] w = new double[cin * coutPG * kD * kH * kW];
            for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
            int[] stride = tuple(rnd, dims, 1, 3), dilation = tuple(rnd, dims, 1, 3);
            int[] op = new int[dims];
            for (int a = 0; a < dims; a++) {
                int limit = Math.max(stride[stride.length == 1 ? 0 : a], dilation[dilation.length == 1 ? 0 : a]);
                op[a] = rnd.nextInt(limit);
            }
            ConvSpec.Builder b = ConvSpec.builder(ws, w).transposed(true).groups(groups).stride(stride).dilation(dilation)
                    .padding(Padding.of(tuple(rnd, dims, 0, 3))).outputPadding(op);
            if (rnd.nextBoolean()) {
                double[] bias = new double[coutPG * groups];
                for (int i = 0; i < bias.length; i++) bias[i] = rnd.nextGaussian();
                b.bias(bias);
            }
            int width = 1 + rnd.nextInt(dims == 1 ? 9 : 5);
            int[] shape = dims == 3 ? new int[] {cin, 1 + rnd.nextInt(3), 1 + rnd.nextInt(4), width}
                    : dims == 2 ? new int[] {cin, 1 + rnd.nextInt(5), width} : new int[] {cin, width};
            try {
                ConvSpec spec = b.build();
                spec.geometry(shape);
                return new RandomSpecs(spec, shape);
            } catch (IllegalArgumentException | InputRejectedException e) {
                // an output padding PyTorch refuses, or an output below 1: draw again
            }
        }
    }

    private static int[] tuple(Random rnd, int dims, int lo, int hi) {
        if (rnd.nextInt(3) == 0) return new int[] {lo + rnd.nextInt(hi)};
        int[] v = new int[dims];
        for (int i = 0; i < dims; i++) v[i] = lo + rnd.nextInt(hi);
        return v;
    }

    public static double[] randomInput(Random rnd, int size) {
        double[] x = new double[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextDouble() * 255.0;
        return x;
    }
}
