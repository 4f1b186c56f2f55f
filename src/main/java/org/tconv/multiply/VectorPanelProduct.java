package org.tconv.multiply;

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
                         double[] x, int w, int rowFrom, int rowTo, double[] y) {
        final int l = D.length();
        for (int r = rowFrom; r < rowTo; r++) {
            int yo = (r - rowFrom) * w;
            int k0 = rowPtr[r], k1 = rowPtr[r + 1];
            DoubleVector b = DoubleVector.broadcast(D, rowBias[r]);
            int j = 0;
            for (; j + 4 * l <= w; j += 4 * l) {
                DoubleVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int k = k0; k < k1; k++) {
                    DoubleVector v = DoubleVector.broadcast(D, values[k]);
                    int o = colIdx[k] * w + j;
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
                    a = DoubleVector.fromArray(D, x, colIdx[k] * w + j).fma(DoubleVector.broadcast(D, values[k]), a);
                }
                a.intoArray(y, yo + j);
            }
            // JDK 17 intrinsifies masked loads only away from an array's end: the last lanes go scalar,
            // with the same fma chain. LocalToeplitz pads panels to whole vectors, so this rarely runs.
            for (; j < w; j++) {
                double a = rowBias[r];
                for (int k = k0; k < k1; k++) a = Math.fma(values[k], x[colIdx[k] * w + j], a);
                y[yo + j] = a;
            }
        }
    }

    static void multiply(int[] rowPtr, int[] colIdx, float[] values, float[] rowBias,
                         float[] x, int w, int rowFrom, int rowTo, float[] y) {
        final int l = F.length();
        for (int r = rowFrom; r < rowTo; r++) {
            int yo = (r - rowFrom) * w;
            int k0 = rowPtr[r], k1 = rowPtr[r + 1];
            FloatVector b = FloatVector.broadcast(F, rowBias[r]);
            int j = 0;
            for (; j + 4 * l <= w; j += 4 * l) {
                FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int k = k0; k < k1; k++) {
                    FloatVector v = FloatVector.broadcast(F, values[k]);
                    int o = colIdx[k] * w + j;
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
                    a = FloatVector.fromArray(F, x, colIdx[k] * w + j).fma(FloatVector.broadcast(F, values[k]), a);
                }
                a.intoArray(y, yo + j);
            }
            for (; j < w; j++) {
                float a = rowBias[r];
                for (int k = k0; k < k1; k++) a = Math.fma(values[k], x[colIdx[k] * w + j], a);
                y[yo + j] = a;
            }
        }
    }
}
