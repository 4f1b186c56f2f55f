package org.tconv.verify;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;

/**
 * The reference: PyTorch's convolution computed the textbook way, by padding the input explicitly (as
 * {@code F.pad} does for the non-zero modes) and looping over the kernel. It shares no code with the
 * Toeplitz path beyond the shapes, so agreement between the two means something.
 *
 * <p>One loop for 1-D, 2-D and 3-D: every geometry has a depth, a height and a width axis, the ones a
 * lower-rank spec does not have being of size 1 with a kernel of 1 and no padding.
 */
public final class DirectConvolution {
    private DirectConvolution() {}

    /**
     * Convolves one item of {@code g.inputSize()} values at {@code x[offset..]} (C order (C, D, H, W); D and
     * H are 1 below 3-D and 2-D) into a new array of {@code g.outputSize()} values (C order
     * (C_out, outD, outH, outW)), bias included.
     */
    public static double[] convolve(ConvGeometry g, double[] x, int offset) {
        ConvSpec s = g.spec;
        if (s.transposed()) return convolveTransposed(g, x, offset);
        int dp = g.d + s.padFront() + s.padBack();
        int hp = g.h + s.padTop() + s.padBottom();
        int wp = g.w + s.padLeft() + s.padRight();
        double[] padded = pad(g, x, offset, dp, hp, wp);
        int kD = s.kernelDepth(), kH = s.kernelHeight(), kW = s.kernelWidth();
        int cinPG = s.inChannelsPerGroup();
        int perGroup = s.outChannels() / s.groups();
        double[] y = new double[g.outputSize()];
        int out = 0;
        for (int co = 0; co < s.outChannels(); co++) {
            int ci0 = (co / perGroup) * cinPG;
            for (int oz = 0; oz < g.outD; oz++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        double acc = 0.0;
                        for (int cil = 0; cil < cinPG; cil++) {
                            for (int kz = 0; kz < kD; kz++) {
                                int pz = oz * s.strideD() + kz * s.dilationD();
                                int plane = ((ci0 + cil) * dp + pz) * hp;
                                for (int ky = 0; ky < kH; ky++) {
                                    int row = (plane + oy * s.strideH() + ky * s.dilationH()) * wp;
                                    for (int kx = 0; kx < kW; kx++) {
                                        int px = ox * s.strideW() + kx * s.dilationW();
                                        acc += s.weight(co, cil, kz, ky, kx) * padded[row + px];
                                    }
                                }
                            }
                        }
                        y[out++] = acc + s.bias(co);
                    }
                }
            }
        }
        return y;
    }

    /**
     * {@code ConvTranspose1d/2d/3d} the textbook way: every input element scatters weights[ci][j] times
     * itself onto output position i * stride - padding + k * dilation of channel group * C_out/groups + j,
     * for each tap k; positions outside the output are dropped (that is all the padding does) and the
     * output padding only adds positions at the end. Reads the weight array as stored,
     * (C_in, C_out/groups, kD, kH, kW), not through the spec's accessors or any index map of the Toeplitz path.
     */
    private static double[] convolveTransposed(ConvGeometry g, double[] x, int offset) {
        ConvSpec s = g.spec;
        double[] w = s.weights();
        int kD = s.kernelDepth(), kH = s.kernelHeight(), kW = s.kernelWidth(), taps = kD * kH * kW;
        int cIn = g.c, outPerGroup = s.outChannels() / s.groups(), inPerGroup = cIn / s.groups();
        double[] y = new double[g.outputSize()];
        for (int ci = 0; ci < cIn; ci++) {
            int group = ci / inPerGroup;
            for (int j = 0; j < outPerGroup; j++) {
                int co = group * outPerGroup + j;
                int wBase = (ci * outPerGroup + j) * taps;
                for (int iz = 0; iz < g.d; iz++) {
                    for (int iy = 0; iy < g.h; iy++) {
                        for (int ix = 0; ix < g.w; ix++) {
                            double v = x[offset + ((ci * g.d + iz) * g.h + iy) * g.w + ix];
                            for (int kz = 0; kz < kD; kz++) {
                                int oz = iz * s.strideD() - s.padFront() + kz * s.dilationD();
                                if (oz < 0 || oz >= g.outD) continue;
                                for (int ky = 0; ky < kH; ky++) {
                                    int oy = iy * s.strideH() - s.padTop() + ky * s.dilationH();
                                    if (oy < 0 || oy >= g.outH) continue;
                                    int row = ((co * g.outD + oz) * g.outH + oy) * g.outW;
                                    for (int kx = 0; kx < kW; kx++) {
                                        int ox = ix * s.strideW() - s.padLeft() + kx * s.dilationW();
                                        if (ox < 0 || ox >= g.outW) continue;
                                        y[row + ox] += w[wBase + (kz * kH + ky) * kW + kx] * v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        int plane = g.outputPlane();
        for (int co = 0; co < s.outChannels(); co++) {
            double b = s.bias(co);
            for (int i = co * plane; i < (co + 1) * plane; i++) y[i] += b;
        }
        return y;
    }

    private static double[] pad(ConvGeometry g, double[] x, int offset, int dp, int hp, int wp) {
        ConvSpec s = g.spec;
        double[] p = new double[Math.multiplyExact(Math.multiplyExact(g.c, dp), Math.multiplyExact(hp, wp))];
        for (int c = 0; c < g.c; c++) {
            for (int pz = 0; pz < dp; pz++) {
                int iz = source(pz - s.padFront(), g.d, s);
                if (iz < 0) continue;
                for (int py = 0; py < hp; py++) {
                    int iy = source(py - s.padTop(), g.h, s);
                    if (iy < 0) continue;
                    for (int px = 0; px < wp; px++) {
                        int ix = source(px - s.padLeft(), g.w, s);
                        if (ix < 0) continue;
                        p[((c * dp + pz) * hp + py) * wp + px] = x[offset + ((c * g.d + iz) * g.h + iy) * g.w + ix];
                    }
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
