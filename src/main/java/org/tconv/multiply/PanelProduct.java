package org.tconv.multiply;

/**
 * Y = T X + bias for a CSR matrix T and a panel X of images: the kernel of the toeplitz method.
 *
 * <p>Layout: X is (columns of T) x {@code width}, row-major, so the images are the innermost, contiguous
 * dimension; Y likewise. Each non-zero of T then does one AXPY over the panel's images, a loop the JIT
 * vectorises, and a panel of 64-128 images keeps the rows of X and Y it touches in cache.
 */
public final class PanelProduct {
    private PanelProduct() {}

    /**
     * @param rowPtr   CSR row pointers of T, length rows+1
     * @param colIdx   CSR column indices
     * @param values   CSR values
     * @param rowBias  value every element of row r starts from (the bias of its output channel), length rows
     * @param x        panel, (cols of T) x width, row-major
     * @param y        result, rows x width, row-major; overwritten
     */
    public static void multiply(int[] rowPtr, int[] colIdx, double[] values, double[] rowBias,
                                double[] x, double[] y, int width) {
        int rows = rowPtr.length - 1;
        for (int r = 0; r < rows; r++) {
            int yo = r * width;
            double b = rowBias[r];
            for (int j = 0; j < width; j++) y[yo + j] = b;
            for (int k = rowPtr[r], end = rowPtr[r + 1]; k < end; k++) {
                double v = values[k];
                int xo = colIdx[k] * width;
                for (int j = 0; j < width; j++) {
                    y[yo + j] += v * x[xo + j];
                }
            }
        }
    }
}
