package org.tconv.operator;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PanelProduct} with the JDK's Vector API: the accumulators of four vectors of images stay in
 * registers for the whole row, so each non-zero of T costs one load and one FMA per vector instead of a
 * load and a store of the result as well. Loaded only when {@code jdk.incubator.vector} is in the boot layer.
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

    static void multiply(int[] rowPtr, int[] colIdx, double[] values, double[] rowBias,
                         double[] x, int xOff, int w, int rowFrom, int rowTo, double[] y) {
        final int l = D.length();
        if (w < 4 * l) {
            narrow(rowPtr, colIdx, values, rowBias, x, xOff, w, rowFrom, rowTo, y);
            return;
        }
        for (int r = rowFrom; r < rowTo; r++) {
            int yo = (r - rowFrom) * w;
            int k0 = rowPtr[r], k1 = rowPtr[r + 1];
            DoubleVector b = DoubleVector.broadcast(D, rowBias[r]);
            int j = 0;
            for (; j + 4 * l <= w; j += 4 * l) {
                DoubleVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int k = k0; k < k1; k++) {
                    DoubleVector v = DoubleVector.broadcast(D, values[k]);
                    int o = xOff + colIdx[k] * w + j;
                    a0 = DoubleVector.fromArray(D, x, o).fma(v, a0);
                    a1 = DoubleVector.fromArray(D, x, o + l).fma(v, a1);
                    a2 = DoubleVector.fromArray(D, x, o + 2 * l).fma(v, a2);
                    a3 = DoubleVector.fromArray(D, x, o + 3 * l).fma(v, a3);
                }
                a0.intoArray(y, yo + j);
                a1.intoArray(y, yo + j + l);
                a2.intoArray(y, yo + j + 2 * l);
                a3.intoArray(y, yo + j + 3 * l);
            }
            for (; j + l <= w; j += l) {
                DoubleVector a = b;
                for (int k = k0; k < k1; k++) {
                    a = DoubleVector.fromArray(D, x, xOff + colIdx[k] * w + j).fma(DoubleVector.broadcast(D, values[k]), a);
                }
                a.intoArray(y, yo + j);
            }
            // JDK 17 intrinsifies masked loads only away from an array's end: the last lanes go scalar,
            // with the same fma chain. LocalToeplitz pads panels to whole vectors, so this rarely runs.
            for (; j < w; j++) {
                double a = rowBias[r];
                for (int k = k0; k < k1; k++) a = Math.fma(values[k], x[xOff + colIdx[k] * w + j], a);
                y[yo + j] = a;
            }
        }
    }

    static void multiply(int[] rowPtr, int[] colIdx, float[] values, float[] rowBias,
                         float[] x, int xOff, int w, int rowFrom, int rowTo, float[] y) {
        final int l = F.length();
        if (w < 4 * l) {
            narrow(rowPtr, colIdx, values, rowBias, x, xOff, w, rowFrom, rowTo, y);
            return;
        }
        for (int r = rowFrom; r < rowTo; r++) {
            int yo = (r - rowFrom) * w;
            int k0 = rowPtr[r], k1 = rowPtr[r + 1];
            FloatVector b = FloatVector.broadcast(F, rowBias[r]);
            int j = 0;
            for (; j + 4 * l <= w; j += 4 * l) {
                FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int k = k0; k < k1; k++) {
                    FloatVector v = FloatVector.broadcast(F, values[k]);
                    int o = xOff + colIdx[k] * w + j;
                    a0 = FloatVector.fromArray(F, x, o).fma(v, a0);
                    a1 = FloatVector.fromArray(F, x, o + l).fma(v, a1);
                    a2 = FloatVector.fromArray(F, x, o + 2 * l).fma(v, a2);
                    a3 = FloatVector.fromArray(F, x, o + 3 * l).fma(v, a3);
                }
                a0.intoArray(y, yo + j);
                a1.intoArray(y, yo + j + l);
                a2.intoArray(y, yo + j + 2 * l);
                a3.intoArray(y, yo + j + 3 * l);
            }
            for (; j + l <= w; j += l) {
                FloatVector a = b;
                for (int k = k0; k < k1; k++) {
                    a = FloatVector.fromArray(F, x, xOff + colIdx[k] * w + j).fma(FloatVector.broadcast(F, values[k]), a);
                }
                a.intoArray(y, yo + j);
            }
            for (; j < w; j++) {
                float a = rowBias[r];
                for (int k = k0; k < k1; k++) a = Math.fma(values[k], x[xOff + colIdx[k] * w + j], a);
                y[yo + j] = a;
            }
        }
    }

    /**
     * Fewer than four vectors of images (a few big images per task): one vector, or one lane, per row would
     * leave a single chain of dependent FMAs, so four rows with the same number of non-zeros (all but the
     * borders of T) go together: four independent chains. Each element's chain is unchanged.
     */
    private static void narrow(int[] rowPtr, int[] colIdx, double[] values, double[] rowBias,
                               double[] x, int xOff, int w, int rowFrom, int rowTo, double[] y) {
        final int l = D.length();
        int j = 0;
        for (; j + l <= w; j += l) {
            int r = rowFrom;
            for (; r + 3 < rowTo; r += 4) {
                int k0 = rowPtr[r], k1 = rowPtr[r + 1], k2 = rowPtr[r + 2], k3 = rowPtr[r + 3], n = k1 - k0;
                if (k2 - k1 != n || k3 - k2 != n || rowPtr[r + 4] - k3 != n) {
                    for (int q = r; q < r + 4; q++) oneVector(rowPtr, colIdx, values, rowBias, x, xOff, w, j, q, rowFrom, y);
                    continue;
                }
                DoubleVector a0 = DoubleVector.broadcast(D, rowBias[r]), a1 = DoubleVector.broadcast(D, rowBias[r + 1]);
                DoubleVector a2 = DoubleVector.broadcast(D, rowBias[r + 2]), a3 = DoubleVector.broadcast(D, rowBias[r + 3]);
                for (int t = 0; t < n; t++) {
                    a0 = DoubleVector.fromArray(D, x, xOff + colIdx[k0 + t] * w + j).fma(DoubleVector.broadcast(D, values[k0 + t]), a0);
                    a1 = DoubleVector.fromArray(D, x, xOff + colIdx[k1 + t] * w + j).fma(DoubleVector.broadcast(D, values[k1 + t]), a1);
                    a2 = DoubleVector.fromArray(D, x, xOff + colIdx[k2 + t] * w + j).fma(DoubleVector.broadcast(D, values[k2 + t]), a2);
                    a3 = DoubleVector.fromArray(D, x, xOff + colIdx[k3 + t] * w + j).fma(DoubleVector.broadcast(D, values[k3 + t]), a3);
                }
                int yo = (r - rowFrom) * w + j;
                a0.intoArray(y, yo);
                a1.intoArray(y, yo + w);
                a2.intoArray(y, yo + 2 * w);
                a3.intoArray(y, yo + 3 * w);
            }
            for (; r < rowTo; r++) oneVector(rowPtr, colIdx, values, rowBias, x, xOff, w, j, r, rowFrom, y);
        }
        for (; j < w; j++) {
            int r = rowFrom;
            for (; r + 3 < rowTo; r += 4) {
                int k0 = rowPtr[r], k1 = rowPtr[r + 1], k2 = rowPtr[r + 2], k3 = rowPtr[r + 3], n = k1 - k0;
                if (k2 - k1 != n || k3 - k2 != n || rowPtr[r + 4] - k3 != n) {
                    for (int q = r; q < r + 4; q++) oneLane(rowPtr, colIdx, values, rowBias, x, xOff, w, j, q, rowFrom, y);
                    continue;
                }
                double a0 = rowBias[r], a1 = rowBias[r + 1], a2 = rowBias[r + 2], a3 = rowBias[r + 3];
                for (int t = 0; t < n; t++) {
                    a0 = Math.fma(values[k0 + t], x[xOff + colIdx[k0 + t] * w + j], a0);
                    a1 = Math.fma(values[k1 + t], x[xOff + colIdx[k1 + t] * w + j], a1);
                    a2 = Math.fma(values[k2 + t], x[xOff + colIdx[k2 + t] * w + j], a2);
                    a3 = Math.fma(values[k3 + t], x[xOff + colIdx[k3 + t] * w + j], a3);
                }
                int yo = (r - rowFrom) * w + j;
                y[yo] = a0;
                y[yo + w] = a1;
                y[yo + 2 * w] = a2;
                y[yo + 3 * w] = a3;
            }
            for (; r < rowTo; r++) oneLane(rowPtr, colIdx, values, rowBias, x, xOff, w, j, r, rowFrom, y);
        }
    }

    private static void oneVector(int[] rowPtr, int[] colIdx, double[] values, double[] rowBias,
                                  double[] x, int xOff, int w, int j, int r, int rowFrom, double[] y) {
        DoubleVector a = DoubleVector.broadcast(D, rowBias[r]);
        for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
            a = DoubleVector.fromArray(D, x, xOff + colIdx[k] * w + j).fma(DoubleVector.broadcast(D, values[k]), a);
        }
        a.intoArray(y, (r - rowFrom) * w + j);
    }

    private static void oneLane(int[] rowPtr, int[] colIdx, double[] values, double[] rowBias,
                                double[] x, int xOff, int w, int j, int r, int rowFrom, double[] y) {
        double a = rowBias[r];
        for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) a = Math.fma(values[k], x[xOff + colIdx[k] * w + j], a);
        y[(r - rowFrom) * w + j] = a;
    }

    private static void narrow(int[] rowPtr, int[] colIdx, float[] values, float[] rowBias,
                               float[] x, int xOff, int w, int rowFrom, int rowTo, float[] y) {
        final int l = F.length();
        int j = 0;
        for (; j + l <= w; j += l) {
            int r = rowFrom;
            for (; r + 3 < rowTo; r += 4) {
                int k0 = rowPtr[r], k1 = rowPtr[r + 1], k2 = rowPtr[r + 2], k3 = rowPtr[r + 3], n = k1 - k0;
                if (k2 - k1 != n || k3 - k2 != n || rowPtr[r + 4] - k3 != n) {
                    for (int q = r; q < r + 4; q++) oneVector(rowPtr, colIdx, values, rowBias, x, xOff, w, j, q, rowFrom, y);
                    continue;
                }
                FloatVector a0 = FloatVector.broadcast(F, rowBias[r]), a1 = FloatVector.broadcast(F, rowBias[r + 1]);
                FloatVector a2 = FloatVector.broadcast(F, rowBias[r + 2]), a3 = FloatVector.broadcast(F, rowBias[r + 3]);
                for (int t = 0; t < n; t++) {
                    a0 = FloatVector.fromArray(F, x, xOff + colIdx[k0 + t] * w + j).fma(FloatVector.broadcast(F, values[k0 + t]), a0);
                    a1 = FloatVector.fromArray(F, x, xOff + colIdx[k1 + t] * w + j).fma(FloatVector.broadcast(F, values[k1 + t]), a1);
                    a2 = FloatVector.fromArray(F, x, xOff + colIdx[k2 + t] * w + j).fma(FloatVector.broadcast(F, values[k2 + t]), a2);
                    a3 = FloatVector.fromArray(F, x, xOff + colIdx[k3 + t] * w + j).fma(FloatVector.broadcast(F, values[k3 + t]), a3);
                }
                int yo = (r - rowFrom) * w + j;
                a0.intoArray(y, yo);
                a1.intoArray(y, yo + w);
                a2.intoArray(y, yo + 2 * w);
                a3.intoArray(y, yo + 3 * w);
            }
            for (; r < rowTo; r++) oneVector(rowPtr, colIdx, values, rowBias, x, xOff, w, j, r, rowFrom, y);
        }
        for (; j < w; j++) {
            int r = rowFrom;
            for (; r + 3 < rowTo; r += 4) {
                int k0 = rowPtr[r], k1 = rowPtr[r + 1], k2 = rowPtr[r + 2], k3 = rowPtr[r + 3], n = k1 - k0;
                if (k2 - k1 != n || k3 - k2 != n || rowPtr[r + 4] - k3 != n) {
                    for (int q = r; q < r + 4; q++) oneLane(rowPtr, colIdx, values, rowBias, x, xOff, w, j, q, rowFrom, y);
                    continue;
                }
                float a0 = rowBias[r], a1 = rowBias[r + 1], a2 = rowBias[r + 2], a3 = rowBias[r + 3];
                for (int t = 0; t < n; t++) {
                    a0 = Math.fma(values[k0 + t], x[xOff + colIdx[k0 + t] * w + j], a0);
                    a1 = Math.fma(values[k1 + t], x[xOff + colIdx[k1 + t] * w + j], a1);
                    a2 = Math.fma(values[k2 + t], x[xOff + colIdx[k2 + t] * w + j], a2);
                    a3 = Math.fma(values[k3 + t], x[xOff + colIdx[k3 + t] * w + j], a3);
                }
                int yo = (r - rowFrom) * w + j;
                y[yo] = a0;
                y[yo + w] = a1;
                y[yo + 2 * w] = a2;
                y[yo + 3 * w] = a3;
            }
            for (; r < rowTo; r++) oneLane(rowPtr, colIdx, values, rowBias, x, xOff, w, j, r, rowFrom, y);
        }
    }

    private static void oneVector(int[] rowPtr, int[] colIdx, float[] values, float[] rowBias,
                                  float[] x, int xOff, int w, int j, int r, int rowFrom, float[] y) {
        FloatVector a = FloatVector.broadcast(F, rowBias[r]);
        for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
            a = FloatVector.fromArray(F, x, xOff + colIdx[k] * w + j).fma(FloatVector.broadcast(F, values[k]), a);
        }
        a.intoArray(y, (r - rowFrom) * w + j);
    }

    private static void oneLane(int[] rowPtr, int[] colIdx, float[] values, float[] rowBias,
                                float[] x, int xOff, int w, int j, int r, int rowFrom, float[] y) {
        float a = rowBias[r];
        for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) a = Math.fma(values[k], x[xOff + colIdx[k] * w + j], a);
        y[(r - rowFrom) * w + j] = a;
    }
}
