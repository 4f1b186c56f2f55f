package org.tconv.operator;

/**
 * Y = T X + bias for a CSR matrix T and a panel X of images, rows {@code [rowFrom, rowTo)} of T at a time:
 * the kernel of the toeplitz method.
 *
 * <p>Layout: X is (columns of T) x {@code width}, row-major, so the images are the innermost, contiguous
 * dimension; the result rows likewise. Each non-zero of T then updates a whole run of images, and a panel of
 * 32-128 images keeps the rows of X it reads in cache.
 *
 * <p>Two implementations, chosen once per JVM: {@link VectorPanelProduct} when the JVM was started with
 * {@code --add-modules=jdk.incubator.vector} (bin/tconv, the tests and conf/spark-defaults.conf do this;
 * about 3x faster), and a scalar loop the JIT vectorises as it can otherwise. Both compute every element as
 * the same chain {@code y = fma(v_k, x_k, y)} from the bias, in the order of T's columns, so they give
 * bit-identical results whatever the panel width or the position of an image in its panel.
 * {@code -Dtconv.kernel=scalar} forces the scalar one.
 */
final class PanelProduct {
    private PanelProduct() {}

    /** Whether this JVM runs the Vector API kernels (panel and line products alike). */
    static final boolean VECTOR = !"scalar".equals(System.getProperty("tconv.kernel"))
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
     * @param rowPtr  CSR row pointers of T, length rows+1
     * @param colIdx  CSR column indices, ascending within a row
     * @param values  CSR values
     * @param rowBias value every element of row r starts from (the bias of its output channel)
     * @param x       panel, (columns of T) x width, row-major
     * @param y       result: row r of T goes to {@code y[(r - rowFrom) * width ...]}; overwritten
     */
    public static void multiply(int[] rowPtr, int[] colIdx, double[] values, double[] rowBias,
                                double[] x, int xOff, int width, int rowFrom, int rowTo, double[] y) {
        if (VECTOR) {
            VectorPanelProduct.multiply(rowPtr, colIdx, values, rowBias, x, xOff, width, rowFrom, rowTo, y);
        } else {
            scalar(rowPtr, colIdx, values, rowBias, x, xOff, width, rowFrom, rowTo, y);
        }
    }

    /** As {@link #multiply(int[], int[], double[], double[], double[], int, int, int, double[])}, in float32. */
    public static void multiply(int[] rowPtr, int[] colIdx, float[] values, float[] rowBias,
                                float[] x, int xOff, int width, int rowFrom, int rowTo, float[] y) {
        if (VECTOR) {
            VectorPanelProduct.multiply(rowPtr, colIdx, values, rowBias, x, xOff, width, rowFrom, rowTo, y);
        } else {
            scalar(rowPtr, colIdx, values, rowBias, x, xOff, width, rowFrom, rowTo, y);
        }
    }

    /** Four non-zeros per pass over the row, so y is loaded and stored once per four updates. */
    static void scalar(int[] rowPtr, int[] colIdx, double[] values, double[] rowBias,
                       double[] x, int xOff, int w, int rowFrom, int rowTo, double[] y) {
        for (int r = rowFrom; r < rowTo; r++) {
            int yo = (r - rowFrom) * w;
            double b = rowBias[r];
            for (int j = 0; j < w; j++) y[yo + j] = b;
            int k = rowPtr[r], end = rowPtr[r + 1];
            for (; k + 3 < end; k += 4) {
                double v0 = values[k], v1 = values[k + 1], v2 = values[k + 2], v3 = values[k + 3];
                int o0 = xOff + colIdx[k] * w, o1 = xOff + colIdx[k + 1] * w, o2 = xOff + colIdx[k + 2] * w, o3 = xOff + colIdx[k + 3] * w;
                for (int j = 0; j < w; j++) {
                    double a = y[yo + j];
                    a = Math.fma(v0, x[o0 + j], a);
                    a = Math.fma(v1, x[o1 + j], a);
                    a = Math.fma(v2, x[o2 + j], a);
                    y[yo + j] = Math.fma(v3, x[o3 + j], a);
                }
            }
            for (; k < end; k++) {
                double v = values[k];
                int o = xOff + colIdx[k] * w;
                for (int j = 0; j < w; j++) y[yo + j] = Math.fma(v, x[o + j], y[yo + j]);
            }
        }
    }

    static void scalar(int[] rowPtr, int[] colIdx, float[] values, float[] rowBias,
                       float[] x, int xOff, int w, int rowFrom, int rowTo, float[] y) {
        for (int r = rowFrom; r < rowTo; r++) {
            int yo = (r - rowFrom) * w;
            float b = rowBias[r];
            for (int j = 0; j < w; j++) y[yo + j] = b;
            int k = rowPtr[r], end = rowPtr[r + 1];
            for (; k + 3 < end; k += 4) {
                float v0 = values[k], v1 = values[k + 1], v2 = values[k + 2], v3 = values[k + 3];
                int o0 = xOff + colIdx[k] * w, o1 = xOff + colIdx[k + 1] * w, o2 = xOff + colIdx[k + 2] * w, o3 = xOff + colIdx[k + 3] * w;
                for (int j = 0; j < w; j++) {
                    float a = y[yo + j];
                    a = Math.fma(v0, x[o0 + j], a);
                    a = Math.fma(v1, x[o1 + j], a);
                    a = Math.fma(v2, x[o2 + j], a);
                    y[yo + j] = Math.fma(v3, x[o3 + j], a);
                }
            }
            for (; k < end; k++) {
                float v = values[k];
                int o = xOff + colIdx[k] * w;
                for (int j = 0; j < w; j++) y[yo + j] = Math.fma(v, x[o + j], y[yo + j]);
            }
        }
    }
}
