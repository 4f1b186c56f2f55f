package org.tconv.multiply;

import org.tconv.toeplitz.BlockToeplitz;

/**
 * Y = T X + bias for T held as its distinct blocks ({@link BlockToeplitz}) and a panel X of images, a range
 * of block rows of one output line at a time: the kernel of the toeplitz method. Each output row's entries
 * are the rows of the few blocks its line reads, so the blocks (a few hundred KB at most) stay in cache
 * while the images stream past.
 *
 * <p>Layout: X is (columns of T) x {@code width}, row-major, so the images are the innermost, contiguous
 * dimension; the result rows likewise. Each non-zero then updates a whole run of images, and a panel of
 * 32-128 images keeps the rows of X it reads in cache.
 *
 * <p>Two implementations, chosen once per JVM: {@link VectorPanelProduct} when the JVM was started with
 * {@code --add-modules=jdk.incubator.vector} (bin/tconv, the tests and conf/spark-defaults.conf do this;
 * about 3x faster), and a scalar loop the JIT vectorises as it can otherwise. Both compute every element as
 * the same chain {@code y = fma(v_k, x_k, y)} from the bias, in the order of T's columns (input channel,
 * input line, column), so they give bit-identical results whatever the panel width or the position of an
 * image in its panel, and the same bits as the explicit CSR of T multiplied row by row.
 * {@code -Dtconv.kernel=scalar} forces the scalar one.
 */
public final class PanelProduct {
    private PanelProduct() {}

    private static final boolean VECTOR = !"scalar".equals(System.getProperty("tconv.kernel"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** Which kernel this JVM runs, for the bench and the logs. */
    public static String kernel() {
        return VECTOR ? VectorPanelProduct.describe() : "scalar (jdk.incubator.vector not enabled)";
    }

    /**
     * A panel's row length for {@code width} images: whole vector registers, so the kernel needs no
     * scalar tail (the extra lanes compute values nobody reads). Fewer images than half a register are
     * not padded: for one big image a padded panel would be eight (floats: sixteen) times its size, and
     * those images run as scalar lanes.
     */
    public static int padded(int width, Dtype dtype) {
        int lanes = VECTOR ? VectorPanelProduct.lanes(dtype == Dtype.F32) : 1;
        return 2 * width < lanes ? width : (width + lanes - 1) / lanes * lanes;
    }

    /**
     * Block rows [brFrom, brTo) of one output channel on one output line, into
     * {@code y[yOff + (br - brFrom) * w ...]} (overwritten).
     *
     * @param rowPtr  the blocks' shared CSR row pointers ({@link BlockToeplitz#rowPtr()})
     * @param colIdx  the blocks' shared column indices, (ci, x) as ci * W + x, ascending within a row
     * @param vals    for q = c * nP + p (input channel c of the group, pair p of the line), that pair's block values
     * @param bases   for the same q, the panel offset of column ci * W + 0 of that pair's input line
     * @param bias    the value every element starts from (the output channel's bias)
     * @param x       panel, (columns of T) x w, row-major
     * @param run     {@link BlockToeplitz#runAt} per output column (br - runBase), or null when the stride is not 1
     */
    public static void multiply(int[] rowPtr, int[] colIdx, double[][] vals, int[] bases, int nP, int cinPG, double bias,
                                double[] x, int w, int brFrom, int brTo, double[] y, int yOff, boolean[] run, int runBase) {
        if (VECTOR) {
            VectorPanelProduct.multiply(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, brFrom, brTo, y, yOff, run, runBase);
        } else {
            scalar(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, brFrom, brTo, y, yOff);
        }
    }

    /** Each element's chain in the kernel's order: input channel, then the line's blocks, then the block row's columns. */
    static void scalar(int[] rowPtr, int[] colIdx, double[][] vals, int[] bases, int nP, int cinPG, double bias,
                       double[] x, int w, int brFrom, int brTo, double[] y, int yOff) {
        for (int br = brFrom; br < brTo; br++) {
            int yo = yOff + (br - brFrom) * w;
            for (int j = 0; j < w; j++) y[yo + j] = bias;
            int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
            for (int c = 0, q = 0; c < cinPG; c++) {
                int kc = k0 + c * n;
                for (int p = 0; p < nP; p++, q++) {
                    double[] v = vals[q];
                    int base = bases[q];
                    int k = kc;
                    for (; k + 1 < kc + n; k += 2) {
                        double v0 = v[k], v1 = v[k + 1];
                        int o0 = base + colIdx[k] * w, o1 = base + colIdx[k + 1] * w;
                        for (int j = 0; j < w; j++) y[yo + j] = Math.fma(v1, x[o1 + j], Math.fma(v0, x[o0 + j], y[yo + j]));
                    }
                    for (; k < kc + n; k++) {
                        double v0 = v[k];
                        int o0 = base + colIdx[k] * w;
                        for (int j = 0; j < w; j++) y[yo + j] = Math.fma(v0, x[o0 + j], y[yo + j]);
                    }
                }
            }
        }
    }

    /** As the float64 product, in float32. */
    public static void multiply(int[] rowPtr, int[] colIdx, float[][] vals, int[] bases, int nP, int cinPG, float bias,
                                float[] x, int w, int brFrom, int brTo, float[] y, int yOff, boolean[] run, int runBase) {
        if (VECTOR) {
            VectorPanelProduct.multiply(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, brFrom, brTo, y, yOff, run, runBase);
        } else {
            scalar(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, brFrom, brTo, y, yOff);
        }
    }

    static void scalar(int[] rowPtr, int[] colIdx, float[][] vals, int[] bases, int nP, int cinPG, float bias,
                       float[] x, int w, int brFrom, int brTo, float[] y, int yOff) {
        for (int br = brFrom; br < brTo; br++) {
            int yo = yOff + (br - brFrom) * w;
            for (int j = 0; j < w; j++) y[yo + j] = bias;
            int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
            for (int c = 0, q = 0; c < cinPG; c++) {
                int kc = k0 + c * n;
                for (int p = 0; p < nP; p++, q++) {
                    float[] v = vals[q];
                    int base = bases[q];
                    int k = kc;
                    for (; k + 1 < kc + n; k += 2) {
                        float v0 = v[k], v1 = v[k + 1];
                        int o0 = base + colIdx[k] * w, o1 = base + colIdx[k + 1] * w;
                        for (int j = 0; j < w; j++) y[yo + j] = Math.fma(v1, x[o1 + j], Math.fma(v0, x[o0 + j], y[yo + j]));
                    }
                    for (; k < kc + n; k++) {
                        float v0 = v[k];
                        int o0 = base + colIdx[k] * w;
                        for (int j = 0; j < w; j++) y[yo + j] = Math.fma(v0, x[o0 + j], y[yo + j]);
                    }
                }
            }
        }
    }
}
