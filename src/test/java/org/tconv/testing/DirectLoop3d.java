package org.tconv.testing;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;

/**
 * A test's own textbook convolution for 1-, 2- and 3-D, independent of the Toeplitz path and of
 * verify.DirectConvolution (2-D only when this was written): every output sums every tap, each tap
 * reading the input through F.pad's definition of the padding mode on each axis.
 */
public final class DirectLoop3d {
    private DirectLoop3d() {}

    /** One item of {@code g.inputSize()} values at {@code x[offset..]}, C order (C, D, H, W), bias included. */
    public static double[] convolve(ConvGeometry g, double[] x, int offset) {
        ConvSpec s = g.spec;
        int cinPG = s.inChannelsPerGroup(), perGroup = s.outChannels() / s.groups();
        double[] y = new double[g.outputSize()];
        int i = 0;
        for (int co = 0; co < s.outChannels(); co++) {
            for (int oz = 0; oz < g.outD; oz++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        double acc = 0.0;
                        for (int cl = 0; cl < cinPG; cl++) {
                            int ci = (co / perGroup) * cinPG + cl;
                            for (int kd = 0; kd < s.kernelDepth(); kd++) {
                                int z = source(oz * s.strideD() - s.padFront() + kd * s.dilationD(), g.d, s);
                                for (int ky = 0; ky < s.kernelHeight(); ky++) {
                                    int yy = source(oy * s.strideH() - s.padTop() + ky * s.dilationH(), g.h, s);
                                    for (int kx = 0; kx < s.kernelWidth(); kx++) {
                                        int xx = source(ox * s.strideW() - s.padLeft() + kx * s.dilationW(), g.w, s);
                                        if (z < 0 || yy < 0 || xx < 0) continue;
                                        acc += s.weight(co, cl, kd, ky, kx) * x[offset + ((ci * g.d + z) * g.h + yy) * g.w + xx];
                                    }
                                }
                            }
                        }
                        y[i++] = acc + s.bias(co);
                    }
                }
            }
        }
        return y;
    }

    /** The input index a padded position copies, as F.pad defines each mode; -1 for a zero. */
    private static int source(int i, int n, ConvSpec s) {
        if (i >= 0 && i < n) return i;
        switch (s.paddingMode()) {
            case ZEROS: return -1;
            case REFLECT: return i < 0 ? -i : 2 * (n - 1) - i;
            case REPLICATE: return Math.max(0, Math.min(n - 1, i));
            case CIRCULAR: return Math.floorMod(i, n);
            default: throw new AssertionError();
        }
    }
}
