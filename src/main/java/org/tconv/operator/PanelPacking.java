package org.tconv.operator;

/**
 * Items into a panel X, (columns of T) x ws, images innermost: 8 x 8 tiles, so eight images are read as
 * eight sequential streams and each line of X is written whole.
 */
final class PanelPacking {
    /** Pixels packed per pass: one cache line of each item's input. */
    private static final int BLOCK = 8;

    private PanelPacking() {}

    /** Items {@code first .. first+w} of {@code inSize} values each into {@code x}, in float64. */
    static void pack(double[][] in, int[] inOffsets, int first, int w, int ws, int inSize, double[] x) {
        for (int j0 = 0; j0 < w; j0 += BLOCK) {
            int j1 = Math.min(w, j0 + BLOCK);
            for (int p0 = 0; p0 < inSize; p0 += BLOCK) {
                int p1 = Math.min(inSize, p0 + BLOCK);
                for (int j = j0; j < j1; j++) {
                    double[] src = in[first + j];
                    int s = inOffsets[first + j];
                    for (int p = p0; p < p1; p++) x[p * ws + j] = src[s + p];
                }
            }
        }
    }

    /** {@link #pack(double[][], int[], int, int, int, int, double[])}, rounding to float32. */
    static void pack(double[][] in, int[] inOffsets, int first, int w, int ws, int inSize, float[] x) {
        for (int j0 = 0; j0 < w; j0 += BLOCK) {
            int j1 = Math.min(w, j0 + BLOCK);
            for (int p0 = 0; p0 < inSize; p0 += BLOCK) {
                int p1 = Math.min(inSize, p0 + BLOCK);
                for (int j = j0; j < j1; j++) {
                    double[] src = in[first + j];
                    int s = inOffsets[first + j];
                    for (int p = p0; p < p1; p++) x[p * ws + j] = (float) src[s + p];
                }
            }
        }
    }
}
