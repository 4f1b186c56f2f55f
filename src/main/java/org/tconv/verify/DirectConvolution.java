package org.tconv.verify;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;

/**
 * The reference: PyTorch's convolution computed the textbook way, by padding the input explicitly (as
 * {@code F.pad} does for the non-zero modes) and looping over the kernel. It shares no code with the
 * Toeplitz path beyond the shapes, so agreement between the two means something.
 */
public final class DirectConvolution {
    private DirectConvolution() {}

    /**
     * Convolves one item of {@code g.inputSize()} values at {@code x[offset..]} (C order (C, H, W)) into a
     * new array of {@code g.outputSize()} values (C order (C_out, outH, outW)), bias included.
     */
    public static double[] convolve(ConvGeometry g, double[] x, int offset) {
        ConvSpec s = g.spec;
        int hp = g.h + s.padTop() + s.padBottom();
        int wp = g.w + s.padLeft() + s.padRight();
        double[] padded = pad(g, x, offset, hp, wp);
        int kH = s.kernelHeight(), kW = s.kernelWidth();
        int cinPG = s.inChannelsPerGroup();
        int perGroup = s.outChannels() / s.groups();
        double[] y = new double[g.outputSize()];
        for (int co = 0; co < s.outChannels(); co++) {
            int ci0 = (co / perGroup) * cinPG;
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    double acc = 0.0;
                    for (int cil = 0; cil < cinPG; cil++) {
                        int base = (ci0 + cil) * hp * wp;
                        for (int ky = 0; ky < kH; ky++) {
                            int py = oy * s.strideH() + ky * s.dilationH();
                            for (int kx = 0; kx < kW; kx++) {
                                int px = ox * s.strideW() + kx * s.dilationW();
                                acc += s.weight(co, cil, ky, kx) * padded[base + py * wp + px];
                            }
                        }
                    }
                    y[(co * g.outH + oy) * g.outW + ox] = acc + s.bias(co);
                }
            }
        }
        return y;
    }

    private static double[] pad(ConvGeometry g, double[] x, int offset, int hp, int wp) {
        ConvSpec s = g.spec;
        double[] p = new double[g.c * hp * wp];
        for (int c = 0; c < g.c; c++) {
            for (int py = 0; py < hp; py++) {
                int iy = source(py - s.padTop(), g.h, s);
                if (iy < 0) continue;
                for (int px = 0; px < wp; px++) {
                    int ix = source(px - s.padLeft(), g.w, s);
                    if (ix < 0) continue;
                    p[(c * hp + py) * wp + px] = x[offset + (c * g.h + iy) * g.w + ix];
                }
            }
        }
        return p;
    }

    /** The pixel a padded position copies, as F.pad defines each mode; -1 for a zero. */
    private static int source(int i, int n, ConvSpec s) {
        if (i >= 0 && i < n) return i;
        switch (s.paddingMode()) {
            case ZEROS: return -1;
            case REFLECT: return i < 0 ? -i : (n - 1) - (i - (n - 1));
            case REPLICATE: return Math.max(0, Math.min(n - 1, i));
            case CIRCULAR: return Math.floorMod(i, n);
            default: throw new AssertionError();
        }
    }
}
