package org.tconv.operator;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LineProduct}'s runs with the JDK's Vector API: four vectors of adjacent output columns stay in
 * registers while the run's first row's non-zeros go by, each read as a vector of the input row shifted by
 * that entry's column. Loaded only when {@code jdk.incubator.vector} is in the boot layer.
 */
final class VectorLineProduct {
    private VectorLineProduct() {}

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static void line(LineProduct lp, double[] x, int xOff, double[] y, int yOff, int line) {
        final int l = D.length();
        int[] lineStart = lp.op.lineStart(), pairLine = lp.op.pairLine(), pairBlock = lp.op.pairBlock();
        int p0 = lineStart[line], p1 = lineStart[line + 1];
        int[] rowPtr = lp.rowPtr, rel = lp.rel;
        int outW = lp.outW, width = lp.width, cinPG = lp.cinPG;
        int[] offs = new int[lp.maxRowEntries() * (p1 - p0)];
        double[] vals = new double[offs.length];
        for (int co = 0; co < lp.bias.length; co++) {
            int yRow = yOff + co * lp.plane + line * outW;
            DoubleVector b = DoubleVector.broadcast(D, lp.bias[co]);
            int[] lo = lp.runLo[co], hi = lp.runHi[co];
            int ox = 0;
            for (int r = 0; r <= lo.length; r++) {
                int runFrom = r < lo.length ? lo[r] : outW;
                for (; ox < runFrom; ox++) y[yRow + ox] = lp.row(x, xOff, co * outW + ox, co, p0, p1);
                if (r == lo.length) break;
                int end = hi[r];
                int k0 = rowPtr[co * outW + runFrom], n = (rowPtr[co * outW + runFrom + 1] - k0) / cinPG;
                // the run's first row as one flat list of (input offset, value): C2 keeps the accumulators
                // in registers over one loop, not over the nest of channels, lines and entries
                int e = 0;
                for (int c = 0; c < cinPG; c++) {
                    int kc = k0 + c * n;
                    for (int p = p0; p < p1; p++) {
                        double[] v = lp.op.values(pairBlock[p]);
                        int base = pairLine[p] * width;
                        for (int k = kc; k < kc + n; k++) {
                            offs[e] = base + rel[k];
                            vals[e++] = v[k];
                        }
                    }
                }
                for (; ox + 4 * l <= end; ox += 4 * l) {
                    DoubleVector a0 = b, a1 = b, a2 = b, a3 = b;
                    int shift = xOff + ox - runFrom;
                    for (int i = 0; i < e; i++) {
                        DoubleVector w = DoubleVector.broadcast(D, vals[i]);
                        int o = shift + offs[i];
                        a0 = DoubleVector.fromArray(D, x, o).fma(w, a0);
                        a1 = DoubleVector.fromArray(D, x, o + l).fma(w, a1);
                        a2 = DoubleVector.fromArray(D, x, o + 2 * l).fma(w, a2);
                        a3 = DoubleVector.fromArray(D, x, o + 3 * l).fma(w, a3);
                    }
                    a0.intoArray(y, yRow + ox);
                    a1.intoArray(y, yRow + ox + l);
                    a2.intoArray(y, yRow + ox + 2 * l);
                    a3.intoArray(y, yRow + ox + 3 * l);
                }
                for (; ox + l <= end; ox += l) {
                    DoubleVector a = b;
                    int shift = xOff + ox - runFrom;
                    for (int i = 0; i < e; i++) a = DoubleVector.fromArray(D, x, shift + offs[i]).fma(DoubleVector.broadcast(D, vals[i]), a);
                    a.intoArray(y, yRow + ox);
                }
                for (; ox < end; ox++) y[yRow + ox] = lp.row(x, xOff, co * outW + ox, co, p0, p1);
            }
        }
    }

    /** The float32 line; output channel co's row starts at {@code y[yBase + co * coStride]}. */
    static void line(LineProduct lp, float[][] f, float[] x, int xOff, float[] y, int yBase, int coStride, int line) {
        final int l = F.length();
        int[] lineStart = lp.op.lineStart(), pairLine = lp.op.pairLine(), pairBlock = lp.op.pairBlock();
        int p0 = lineStart[line], p1 = lineStart[line + 1];
        int[] rowPtr = lp.rowPtr, rel = lp.rel;
        int outW = lp.outW, width = lp.width, cinPG = lp.cinPG;
        float[] bias = f[f.length - 1];
        int[] offs = new int[lp.maxRowEntries() * (p1 - p0)];
        float[] vals = new float[offs.length];
        for (int co = 0; co < bias.length; co++) {
            int yRow = yBase + co * coStride;
            FloatVector b = FloatVector.broadcast(F, bias[co]);
            int[] lo = lp.runLo[co], hi = lp.runHi[co];
            int ox = 0;
            for (int r = 0; r <= lo.length; r++) {
                int runFrom = r < lo.length ? lo[r] : outW;
                for (; ox < runFrom; ox++) y[yRow + ox] = lp.row(f, x, xOff, co * outW + ox, co, p0, p1);
                if (r == lo.length) break;
                int end = hi[r];
                int k0 = rowPtr[co * outW + runFrom], n = (rowPtr[co * outW + runFrom + 1] - k0) / cinPG;
                // the run's first row as one flat list of (input offset, value): C2 keeps the accumulators
                // in registers over one loop, not over the nest of channels, lines and entries
                int e = 0;
                for (int c = 0; c < cinPG; c++) {
                    int kc = k0 + c * n;
                    for (int p = p0; p < p1; p++) {
                        float[] v = f[pairBlock[p]];
                        int base = pairLine[p] * width;
                        for (int k = kc; k < kc + n; k++) {
                            offs[e] = base + rel[k];
                            vals[e++] = v[k];
                        }
                    }
                }
                for (; ox + 4 * l <= end; ox += 4 * l) {
                    FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
                    int shift = xOff + ox - runFrom;
                    for (int i = 0; i < e; i++) {
                        FloatVector w = FloatVector.broadcast(F, vals[i]);
                        int o = shift + offs[i];
                        a0 = FloatVector.fromArray(F, x, o).fma(w, a0);
                        a1 = FloatVector.fromArray(F, x, o + l).fma(w, a1);
                        a2 = FloatVector.fromArray(F, x, o + 2 * l).fma(w, a2);
                        a3 = FloatVector.fromArray(F, x, o + 3 * l).fma(w, a3);
                    }
                    a0.intoArray(y, yRow + ox);
                    a1.intoArray(y, yRow + ox + l);
                    a2.intoArray(y, yRow + ox + 2 * l);
                    a3.intoArray(y, yRow + ox + 3 * l);
                }
                for (; ox + l <= end; ox += l) {
                    FloatVector a = b;
                    int shift = xOff + ox - runFrom;
                    for (int i = 0; i < e; i++) a = FloatVector.fromArray(F, x, shift + offs[i]).fma(FloatVector.broadcast(F, vals[i]), a);
                    a.intoArray(y, yRow + ox);
                }
                for (; ox < end; ox++) y[yRow + ox] = lp.row(f, x, xOff, co * outW + ox, co, p0, p1);
            }
        }
    }
}
