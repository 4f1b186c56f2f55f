package org.tconv.multiply;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.tconv.toeplitz.BlockToeplitz;

/**
 * {@link PanelProduct} with the JDK's Vector API: the accumulators of four vectors of images stay in
 * registers for the whole row (across every block the row reads), so each non-zero costs one load and one
 * FMA per vector instead of a load and a store of the result as well. Loaded only when
 * {@code jdk.incubator.vector} is in the boot layer. The float32 half is the float64 half with the types
 * changed (its single-image runs never apply: RUN is not a multiple of a float vector's lanes here).
 */
final class VectorPanelProduct {
    private VectorPanelProduct() {}

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static int lanes(boolean single) {
        return single ? F.length() : D.length();
    }

    static String describe() {
        return "jdk.incubator.vector, " + D.vectorBitSize() + "-bit (" + D.length() + " doubles, " + F.length() + " floats)";
    }

    static void multiply(int[] rowPtr, int[] colIdx, double[][] vals, int[] bases, int nP, int cinPG, double bias,
                         double[] x, int w, int brFrom, int brTo, double[] y, int yOff, boolean[] run, int runBase) {
        final int l = D.length();
        if (w < 4 * l) {
            narrow(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, brFrom, brTo, y, yOff, run, runBase);
            return;
        }
        DoubleVector b = DoubleVector.broadcast(D, bias);
        for (int br = brFrom; br < brTo; br++) {
            int yo = yOff + (br - brFrom) * w;
            int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
            int j = 0;
            for (; j + 4 * l <= w; j += 4 * l) {
                DoubleVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int c = 0, q = 0; c < cinPG; c++) {
                    int kc = k0 + c * n;
                    for (int p = 0; p < nP; p++, q++) {
                        double[] v = vals[q];
                        int base = bases[q] + j;
                        for (int k = kc; k < kc + n; k++) {
                            DoubleVector vv = DoubleVector.broadcast(D, v[k]);
                            int o = base + colIdx[k] * w;
                            a0 = DoubleVector.fromArray(D, x, o).fma(vv, a0);
                            a1 = DoubleVector.fromArray(D, x, o + l).fma(vv, a1);
                            a2 = DoubleVector.fromArray(D, x, o + 2 * l).fma(vv, a2);
                            a3 = DoubleVector.fromArray(D, x, o + 3 * l).fma(vv, a3);
                        }
                    }
                }
                a0.intoArray(y, yo + j);
                a1.intoArray(y, yo + j + l);
                a2.intoArray(y, yo + j + 2 * l);
                a3.intoArray(y, yo + j + 3 * l);
            }
            for (; j + l <= w; j += l) oneVector(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, br, y, yo);
            // JDK 17 intrinsifies masked loads only away from an array's end: the last lanes go scalar,
            // with the same fma chain. LocalToeplitz pads panels to whole vectors, so this rarely runs.
            for (; j < w; j++) oneLane(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, br, y, yo);
        }
    }

    /**
     * Fewer than four vectors of images (a few big images per task): one vector, or one lane, per row would
     * leave a single chain of dependent FMAs, so four rows with the same number of non-zeros (all but the
     * borders of T) go together: four independent chains. A single image with stride 1 goes RUN rows at
     * a time where the rows are shifted copies of each other (the interior of every block): one vector
     * holds RUN consecutive outputs, each lane its own chain. Each element's chain is unchanged.
     */
    private static void narrow(int[] rowPtr, int[] colIdx, double[][] vals, int[] bases, int nP, int cinPG, double bias,
                               double[] x, int w, int brFrom, int brTo, double[] y, int yOff, boolean[] run, int runBase) {
        final int l = D.length();
        int j = 0;
        for (; j + l <= w; j += l) {
            int br = brFrom;
            for (; br + 3 < brTo; br += 4) {
                int k0 = rowPtr[br], k1 = rowPtr[br + 1], k2 = rowPtr[br + 2], k3 = rowPtr[br + 3], len = k1 - k0;
                if (k2 - k1 != len || k3 - k2 != len || rowPtr[br + 4] - k3 != len) {
                    for (int r = br; r < br + 4; r++) oneVector(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, r, y, yOff + (r - brFrom) * w);
                    continue;
                }
                int n = len / cinPG;
                DoubleVector a0 = DoubleVector.broadcast(D, bias), a1 = a0, a2 = a0, a3 = a0;
                for (int c = 0, q = 0; c < cinPG; c++) {
                    for (int p = 0; p < nP; p++, q++) {
                        double[] v = vals[q];
                        int base = bases[q] + j;
                        for (int t = c * n; t < (c + 1) * n; t++) {
                            a0 = DoubleVector.fromArray(D, x, base + colIdx[k0 + t] * w).fma(DoubleVector.broadcast(D, v[k0 + t]), a0);
                            a1 = DoubleVector.fromArray(D, x, base + colIdx[k1 + t] * w).fma(DoubleVector.broadcast(D, v[k1 + t]), a1);
                            a2 = DoubleVector.fromArray(D, x, base + colIdx[k2 + t] * w).fma(DoubleVector.broadcast(D, v[k2 + t]), a2);
                            a3 = DoubleVector.fromArray(D, x, base + colIdx[k3 + t] * w).fma(DoubleVector.broadcast(D, v[k3 + t]), a3);
                        }
                    }
                }
                int yo = yOff + (br - brFrom) * w + j;
                a0.intoArray(y, yo);
                a1.intoArray(y, yo + w);
                a2.intoArray(y, yo + 2 * w);
                a3.intoArray(y, yo + 3 * w);
            }
            for (; br < brTo; br++) oneVector(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, br, y, yOff + (br - brFrom) * w);
        }
        if (j == w) return;
        boolean runs = run != null && w == 1 && BlockToeplitz.RUN % l == 0;
        for (; j < w; j++) {
            int br = brFrom;
            while (br < brTo) {
                if (runs && br + BlockToeplitz.RUN <= brTo && run[br - runBase]) {
                    runOf(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, br, y, yOff + (br - brFrom));
                    br += BlockToeplitz.RUN;
                    continue;
                }
                if (br + 3 < brTo) {
                    int k0 = rowPtr[br], k1 = rowPtr[br + 1], k2 = rowPtr[br + 2], k3 = rowPtr[br + 3], len = k1 - k0;
                    if (k2 - k1 == len && k3 - k2 == len && rowPtr[br + 4] - k3 == len) {
                        int n = len / cinPG;
                        double a0 = bias, a1 = bias, a2 = bias, a3 = bias;
                        for (int c = 0, q = 0; c < cinPG; c++) {
                            for (int p = 0; p < nP; p++, q++) {
                                double[] v = vals[q];
                                int base = bases[q] + j;
                                for (int t = c * n; t < (c + 1) * n; t++) {
                                    a0 = Math.fma(v[k0 + t], x[base + colIdx[k0 + t] * w], a0);
                                    a1 = Math.fma(v[k1 + t], x[base + colIdx[k1 + t] * w], a1);
                                    a2 = Math.fma(v[k2 + t], x[base + colIdx[k2 + t] * w], a2);
                                    a3 = Math.fma(v[k3 + t], x[base + colIdx[k3 + t] * w], a3);
                                }
                            }
                        }
                        int yo = yOff + (br - brFrom) * w + j;
                        y[yo] = a0;
                        y[yo + w] = a1;
                        y[yo + 2 * w] = a2;
                        y[yo + 3 * w] = a3;
                        br += 4;
                        continue;
                    }
                }
                oneLane(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, br, y, yOff + (br - brFrom) * w);
                br++;
            }
        }
    }

    /** RUN consecutive rows of one image (w = 1, stride 1) that read the same values at consecutive pixels. */
    private static void runOf(int[] rowPtr, int[] colIdx, double[][] vals, int[] bases, int nP, int cinPG, double bias,
                              double[] x, int br, double[] y, int yo) {
        final int l = D.length();
        int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
        DoubleVector b = DoubleVector.broadcast(D, bias);
        for (int m = 0; m < BlockToeplitz.RUN; m += l) {
            DoubleVector a = b;
            for (int c = 0, q = 0; c < cinPG; c++) {
                int kc = k0 + c * n;
                for (int p = 0; p < nP; p++, q++) {
                    double[] v = vals[q];
                    int base = bases[q] + m;
                    for (int k = kc; k < kc + n; k++) {
                        a = DoubleVector.fromArray(D, x, base + colIdx[k]).fma(DoubleVector.broadcast(D, v[k]), a);
                    }
                }
            }
            a.intoArray(y, yo + m);
        }
    }

    private static void oneVector(int[] rowPtr, int[] colIdx, double[][] vals, int[] bases, int nP, int cinPG, double bias,
                                  double[] x, int w, int j, int br, double[] y, int yo) {
        int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
        DoubleVector a = DoubleVector.broadcast(D, bias);
        for (int c = 0, q = 0; c < cinPG; c++) {
            int kc = k0 + c * n;
            for (int p = 0; p < nP; p++, q++) {
                double[] v = vals[q];
                int base = bases[q] + j;
                for (int k = kc; k < kc + n; k++) {
                    a = DoubleVector.fromArray(D, x, base + colIdx[k] * w).fma(DoubleVector.broadcast(D, v[k]), a);
                }
            }
        }
        a.intoArray(y, yo + j);
    }

    private static void oneLane(int[] rowPtr, int[] colIdx, double[][] vals, int[] bases, int nP, int cinPG, double bias,
                                double[] x, int w, int j, int br, double[] y, int yo) {
        int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
        double a = bias;
        for (int c = 0, q = 0; c < cinPG; c++) {
            int kc = k0 + c * n;
            for (int p = 0; p < nP; p++, q++) {
                double[] v = vals[q];
                int base = bases[q] + j;
                for (int k = kc; k < kc + n; k++) a = Math.fma(v[k], x[base + colIdx[k] * w], a);
            }
        }
        y[yo + j] = a;
    }

    static void multiply(int[] rowPtr, int[] colIdx, float[][] vals, int[] bases, int nP, int cinPG, float bias,
                         float[] x, int w, int brFrom, int brTo, float[] y, int yOff, boolean[] run, int runBase) {
        final int l = F.length();
        if (w < 4 * l) {
            narrow(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, brFrom, brTo, y, yOff, run, runBase);
            return;
        }
        FloatVector b = FloatVector.broadcast(F, bias);
        for (int br = brFrom; br < brTo; br++) {
            int yo = yOff + (br - brFrom) * w;
            int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
            int j = 0;
            for (; j + 4 * l <= w; j += 4 * l) {
                FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int c = 0, q = 0; c < cinPG; c++) {
                    int kc = k0 + c * n;
                    for (int p = 0; p < nP; p++, q++) {
                        float[] v = vals[q];
                        int base = bases[q] + j;
                        for (int k = kc; k < kc + n; k++) {
                            FloatVector vv = FloatVector.broadcast(F, v[k]);
                            int o = base + colIdx[k] * w;
                            a0 = FloatVector.fromArray(F, x, o).fma(vv, a0);
                            a1 = FloatVector.fromArray(F, x, o + l).fma(vv, a1);
                            a2 = FloatVector.fromArray(F, x, o + 2 * l).fma(vv, a2);
                            a3 = FloatVector.fromArray(F, x, o + 3 * l).fma(vv, a3);
                        }
                    }
                }
                a0.intoArray(y, yo + j);
                a1.intoArray(y, yo + j + l);
                a2.intoArray(y, yo + j + 2 * l);
                a3.intoArray(y, yo + j + 3 * l);
            }
            for (; j + l <= w; j += l) oneVector(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, br, y, yo);
            // JDK 17 intrinsifies masked loads only away from an array's end: the last lanes go scalar,
            // with the same fma chain. LocalToeplitz pads panels to whole vectors, so this rarely runs.
            for (; j < w; j++) oneLane(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, br, y, yo);
        }
    }

    /**
     * Fewer than four vectors of images (a few big images per task): one vector, or one lane, per row would
     * leave a single chain of dependent FMAs, so four rows with the same number of non-zeros (all but the
     * borders of T) go together: four independent chains. A single image with stride 1 goes RUN rows at
     * a time where the rows are shifted copies of each other (the interior of every block): one vector
     * holds RUN consecutive outputs, each lane its own chain. Each element's chain is unchanged.
     */
    private static void narrow(int[] rowPtr, int[] colIdx, float[][] vals, int[] bases, int nP, int cinPG, float bias,
                               float[] x, int w, int brFrom, int brTo, float[] y, int yOff, boolean[] run, int runBase) {
        final int l = F.length();
        int j = 0;
        for (; j + l <= w; j += l) {
            int br = brFrom;
            for (; br + 3 < brTo; br += 4) {
                int k0 = rowPtr[br], k1 = rowPtr[br + 1], k2 = rowPtr[br + 2], k3 = rowPtr[br + 3], len = k1 - k0;
                if (k2 - k1 != len || k3 - k2 != len || rowPtr[br + 4] - k3 != len) {
                    for (int r = br; r < br + 4; r++) oneVector(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, r, y, yOff + (r - brFrom) * w);
                    continue;
                }
                int n = len / cinPG;
                FloatVector a0 = FloatVector.broadcast(F, bias), a1 = a0, a2 = a0, a3 = a0;
                for (int c = 0, q = 0; c < cinPG; c++) {
                    for (int p = 0; p < nP; p++, q++) {
                        float[] v = vals[q];
                        int base = bases[q] + j;
                        for (int t = c * n; t < (c + 1) * n; t++) {
                            a0 = FloatVector.fromArray(F, x, base + colIdx[k0 + t] * w).fma(FloatVector.broadcast(F, v[k0 + t]), a0);
                            a1 = FloatVector.fromArray(F, x, base + colIdx[k1 + t] * w).fma(FloatVector.broadcast(F, v[k1 + t]), a1);
                            a2 = FloatVector.fromArray(F, x, base + colIdx[k2 + t] * w).fma(FloatVector.broadcast(F, v[k2 + t]), a2);
                            a3 = FloatVector.fromArray(F, x, base + colIdx[k3 + t] * w).fma(FloatVector.broadcast(F, v[k3 + t]), a3);
                        }
                    }
                }
                int yo = yOff + (br - brFrom) * w + j;
                a0.intoArray(y, yo);
                a1.intoArray(y, yo + w);
                a2.intoArray(y, yo + 2 * w);
                a3.intoArray(y, yo + 3 * w);
            }
            for (; br < brTo; br++) oneVector(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, br, y, yOff + (br - brFrom) * w);
        }
        if (j == w) return;
        boolean runs = run != null && w == 1 && BlockToeplitz.RUN % l == 0;
        for (; j < w; j++) {
            int br = brFrom;
            while (br < brTo) {
                if (runs && br + BlockToeplitz.RUN <= brTo && run[br - runBase]) {
                    runOf(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, br, y, yOff + (br - brFrom));
                    br += BlockToeplitz.RUN;
                    continue;
                }
                if (br + 3 < brTo) {
                    int k0 = rowPtr[br], k1 = rowPtr[br + 1], k2 = rowPtr[br + 2], k3 = rowPtr[br + 3], len = k1 - k0;
                    if (k2 - k1 == len && k3 - k2 == len && rowPtr[br + 4] - k3 == len) {
                        int n = len / cinPG;
                        float a0 = bias, a1 = bias, a2 = bias, a3 = bias;
                        for (int c = 0, q = 0; c < cinPG; c++) {
                            for (int p = 0; p < nP; p++, q++) {
                                float[] v = vals[q];
                                int base = bases[q] + j;
                                for (int t = c * n; t < (c + 1) * n; t++) {
                                    a0 = Math.fma(v[k0 + t], x[base + colIdx[k0 + t] * w], a0);
                                    a1 = Math.fma(v[k1 + t], x[base + colIdx[k1 + t] * w], a1);
                                    a2 = Math.fma(v[k2 + t], x[base + colIdx[k2 + t] * w], a2);
                                    a3 = Math.fma(v[k3 + t], x[base + colIdx[k3 + t] * w], a3);
                                }
                            }
                        }
                        int yo = yOff + (br - brFrom) * w + j;
                        y[yo] = a0;
                        y[yo + w] = a1;
                        y[yo + 2 * w] = a2;
                        y[yo + 3 * w] = a3;
                        br += 4;
                        continue;
                    }
                }
                oneLane(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, j, br, y, yOff + (br - brFrom) * w);
                br++;
            }
        }
    }

    /** RUN consecutive rows of one image (w = 1, stride 1) that read the same values at consecutive pixels. */
    private static void runOf(int[] rowPtr, int[] colIdx, float[][] vals, int[] bases, int nP, int cinPG, float bias,
                              float[] x, int br, float[] y, int yo) {
        final int l = F.length();
        int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
        FloatVector b = FloatVector.broadcast(F, bias);
        for (int m = 0; m < BlockToeplitz.RUN; m += l) {
            FloatVector a = b;
            for (int c = 0, q = 0; c < cinPG; c++) {
                int kc = k0 + c * n;
                for (int p = 0; p < nP; p++, q++) {
                    float[] v = vals[q];
                    int base = bases[q] + m;
                    for (int k = kc; k < kc + n; k++) {
                        a = FloatVector.fromArray(F, x, base + colIdx[k]).fma(FloatVector.broadcast(F, v[k]), a);
                    }
                }
            }
            a.intoArray(y, yo + m);
        }
    }

    private static void oneVector(int[] rowPtr, int[] colIdx, float[][] vals, int[] bases, int nP, int cinPG, float bias,
                                  float[] x, int w, int j, int br, float[] y, int yo) {
        int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
        FloatVector a = FloatVector.broadcast(F, bias);
        for (int c = 0, q = 0; c < cinPG; c++) {
            int kc = k0 + c * n;
            for (int p = 0; p < nP; p++, q++) {
                float[] v = vals[q];
                int base = bases[q] + j;
                for (int k = kc; k < kc + n; k++) {
                    a = FloatVector.fromArray(F, x, base + colIdx[k] * w).fma(FloatVector.broadcast(F, v[k]), a);
                }
            }
        }
        a.intoArray(y, yo + j);
    }

    private static void oneLane(int[] rowPtr, int[] colIdx, float[][] vals, int[] bases, int nP, int cinPG, float bias,
                                float[] x, int w, int j, int br, float[] y, int yo) {
        int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
        float a = bias;
        for (int c = 0, q = 0; c < cinPG; c++) {
            int kc = k0 + c * n;
            for (int p = 0; p < nP; p++, q++) {
                float[] v = vals[q];
                int base = bases[q] + j;
                for (int k = kc; k < kc + n; k++) a = Math.fma(v[k], x[base + colIdx[k] * w], a);
            }
        }
        y[yo + j] = a;
    }
}
