package org.tconv.verify;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.PaddingMode;
import org.tconv.operator.LinearMap;

/**
 * The convolution's map without bias computed by loops over the kernel, never from T's entries: T x gathers
 * every tap into its output element, T^T y scatters every output element back onto the input elements its
 * taps read. The scatter is exactly {@code torch.nn.functional.conv_transpose} for zero padding, so it is the
 * reference for transposed convolutions. Only the padding mode's fold ({@link PaddingMode#fold}) is shared
 * with the Toeplitz path. Memory: nothing beyond the vectors (and one partial input per core in the scatter).
 *
 * <p>Both loops run the taps outermost and the columns innermost (contiguous), in parallel over blocks of
 * output channels; the scatter gives each block its own partial input and adds them in a fixed order.
 */
public final class DirectMap implements LinearMap {
    private final ConvGeometry g;
    private final ConvSpec s;
    /** For each axis and tap, the input index each output position reads (-1: a zero). */
    private final int[][] readD, readH, readW;
    private final int blocks;
    /** A transposed map is the forward loops' adjoint: T^T x scatters, (T^T)^T y gathers. Null when forward. */
    private final DirectMap forwardLoops;

    public DirectMap(ConvGeometry g) {
        this.g = g;
        this.s = g.spec;
        if (s.transposed()) {
            forwardLoops = new DirectMap(g.forward());
            readD = readH = readW = null;
            blocks = 0;
            return;
        }
        forwardLoops = null;
        readD = reads(g.outD, g.d, s.kernelDepth(), s.strideD(), s.padFront(), s.dilationD());
        readH = reads(g.outH, g.h, s.kernelHeight(), s.strideH(), s.padTop(), s.dilationH());
        readW = reads(g.outW, g.w, s.kernelWidth(), s.strideW(), s.padLeft(), s.dilationW());
        blocks = Math.max(1, Math.min(s.outChannels(), Runtime.getRuntime().availableProcessors()));
    }

    private int[][] reads(int outN, int n, int k, int stride, int padBefore, int dilation) {
        int[][] r = new int[k][outN];
        for (int t = 0; t < k; t++) {
            for (int o = 0; o < outN; o++) {
                r[t][o] = s.paddingMode().fold((long) o * stride - padBefore + (long) t * dilation, n);
            }
        }
        return r;
    }

    @Override public int rows() { return g.outputSize(); }
    @Override public int cols() { return g.inputSize(); }

    @Override
    public void apply(double[] x, double[] y) {
        if (forwardLoops != null) {
            forwardLoops.applyAdjoint(x, y);
            return;
        }
        int plane = g.outD * g.outH * g.outW;
        IntStream.range(0, s.outChannels()).parallel().forEach(co -> {
            Arrays.fill(y, co * plane, (co + 1) * plane, 0.0);
            forEachTap(co, (ci, kd, ky, kx, wgt) -> taps(ci, co, kd, ky, kx, wgt, x, y, false));
        });
    }

    @Override
    public void applyAdjoint(double[] y, double[] x) {
        if (forwardLoops != null) {
            forwardLoops.apply(y, x);
            return;
        }
        double[][] partial = new double[blocks][];
        IntStream.range(0, blocks).parallel().forEach(b -> {
            double[] into = b == 0 ? x : new double[x.length];
            if (b == 0) Arrays.fill(x, 0.0);
            int from = s.outChannels() * b / blocks, to = s.outChannels() * (b + 1) / blocks;
            for (int co = from; co < to; co++) {
                final int o = co;
                forEachTap(co, (ci, kd, ky, kx, wgt) -> taps(ci, o, kd, ky, kx, wgt, into, y, true));
            }
            partial[b] = into;
        });
        for (int b = 1; b < blocks; b++) {
            double[] p = partial[b];
            for (int i = 0; i < x.length; i++) x[i] += p[i];
        }
    }

    /** Receives one tap of T: output element {@code row} reads input element {@code col} with weight (co, ci, kd, ky, kx). */
    public interface TapEntry {
        void at(int row, int col, int co, int cil, int kd, int ky, int kx);
    }

    /**
     * Every (output element, input element, weight) a tap contributes, from the loops (not from T's entries),
     * so a picture can colour T by which weight each entry holds; folded padding makes several taps meet on
     * one entry.
     */
    public void forEachTapEntry(TapEntry sink) {
        if (forwardLoops != null) throw new UnsupportedOperationException("tap entries of a transposed convolution: " + s);
        int cinPG = s.inChannelsPerGroup();
        for (int co = 0; co < s.outChannels(); co++) {
            int ci0 = co / (s.outChannels() / s.groups()) * cinPG;
            for (int cil = 0; cil < cinPG; cil++) {
                for (int kd = 0; kd < s.kernelDepth(); kd++) {
                    for (int ky = 0; ky < s.kernelHeight(); ky++) {
                        for (int kx = 0; kx < s.kernelWidth(); kx++) {
                            for (int oz = 0; oz < g.outD; oz++) {
                                int iz = readD[kd][oz];
                                if (iz < 0) continue;
                                for (int oy = 0; oy < g.outH; oy++) {
                                    int iy = readH[ky][oy];
                                    if (iy < 0) continue;
                                    for (int ox = 0; ox < g.outW; ox++) {
                                        int ix = readW[kx][ox];
                                        if (ix < 0) continue;
                                        sink.at(((co * g.outD + oz) * g.outH + oy) * g.outW + ox,
                                                (((ci0 + cil) * g.d + iz) * g.h + iy) * g.w + ix, co, cil, kd, ky, kx);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private interface Tap {
        void at(int ci, int kd, int ky, int kx, double weight);
    }

    private void forEachTap(int co, Tap tap) {
        int cinPG = s.inChannelsPerGroup();
        int ci0 = co / (s.outChannels() / s.groups()) * cinPG;
        for (int cil = 0; cil < cinPG; cil++) {
            for (int kd = 0; kd < s.kernelDepth(); kd++) {
                for (int ky = 0; ky < s.kernelHeight(); ky++) {
                    for (int kx = 0; kx < s.kernelWidth(); kx++) {
                        double wgt = s.weight(co, cil, kd, ky, kx);
                        if (wgt != 0.0) tap.at(ci0 + cil, kd, ky, kx, wgt);
                    }
                }
            }
        }
    }

    /** One tap over every output position: y += w x[read] (gather), or x[read] += w y (scatter). */
    private void taps(int ci, int co, int kd, int ky, int kx, double wgt, double[] x, double[] y, boolean scatter) {
        int[] rd = readD[kd], rh = readH[ky], rw = readW[kx];
        for (int oz = 0; oz < g.outD; oz++) {
            int iz = rd[oz];
            if (iz < 0) continue;
            for (int oy = 0; oy < g.outH; oy++) {
                int iy = rh[oy];
                if (iy < 0) continue;
                int xRow = ((ci * g.d + iz) * g.h + iy) * g.w;
                int yRow = ((co * g.outD + oz) * g.outH + oy) * g.outW;
                if (scatter) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        int ix = rw[ox];
                        if (ix >= 0) x[xRow + ix] += wgt * y[yRow + ox];
                    }
                } else {
                    for (int ox = 0; ox < g.outW; ox++) {
                        int ix = rw[ox];
                        if (ix >= 0) y[yRow + ox] += wgt * x[xRow + ix];
                    }
                }
            }
        }
    }
}
