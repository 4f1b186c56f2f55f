package org.tconv.operator;

import org.tconv.conv.ConvGeometry;

/**
 * The panel product's steps one at a time, for {@code bin/tconv bench}, which times packing and the
 * product apart on panels made before the clock starts. Everything else goes through {@link ConvOperator},
 * which runs the same steps together.
 */
public final class PanelTiming {
    private final LocalToeplitz t;

    public PanelTiming(ConvOperator operator) {
        this.t = operator.products();
    }

    /** Which kernel the products run: the vector one, or scalar ({@code -Dtconv.kernel=scalar}). */
    public static String kernel() {
        return PanelProduct.kernel();
    }

    public ConvGeometry geometry() { return t.geometry(); }

    /** Items per panel for {@code count} items of {@code inputSize} values. */
    public static int panelWidth(int inputSize, int count, Dtype dtype) {
        return LocalToeplitz.panelWidth(inputSize, count, dtype);
    }

    /** Makes what a product of panels of {@code width} items walks (line plans, float32 values), so a build can be timed with them. */
    public void prepare(int width, Dtype dtype) { t.prepare(width, dtype); }

    /** Non-zeros the distinct blocks store. */
    public long storedNonZeros() { return t.operator().storedNonZeros(); }

    /** Bytes of the distinct blocks alone. */
    public long blockBytes() { return t.operator().bytes(); }

    /** Bytes the product holds: the blocks, the line index and the line plans once made. */
    public long bytes() { return t.bytes(); }

    /**
     * The row length of a panel of {@code images} images as {@link #packedPanel} makes it and
     * {@link #multiplyPanel} takes it: the padded width for the panel product, the image count when the
     * images go through the line product one after another.
     */
    public int panelRowLength(int images, Dtype dtype) {
        return t.byLines(images, dtype) ? images : PanelProduct.padded(images, dtype);
    }

    /** The images as one panel (a double[] or, in float32, a float[]), packed and padded exactly as the product packs them. */
    public Object packedPanel(double[][] images, Dtype dtype) {
        int w = images.length, ws = PanelProduct.padded(w, dtype), in = t.geometry().inputSize();
        if (t.byLines(w, dtype)) { // the line product reads each image as it lies: one after another
            if (dtype == Dtype.F32) {
                float[] x = new float[in * w];
                for (int j = 0; j < w; j++) for (int p = 0; p < in; p++) x[j * in + p] = (float) images[j][p];
                return x;
            }
            double[] x = new double[in * w];
            for (int j = 0; j < w; j++) System.arraycopy(images[j], 0, x, j * in, in);
            return x;
        }
        int[] zero = new int[w];
        if (dtype == Dtype.F32) {
            float[] x = new float[in * ws];
            PanelPacking.pack(images, zero, 0, w, ws, in, x);
            return x;
        }
        double[] x = new double[in * ws];
        PanelPacking.pack(images, zero, 0, w, ws, in, x);
        return x;
    }

    /**
     * T X + b on one panel already packed ((columns of T) x width, images innermost) into (rows of T) x
     * width: the product alone, without pack or unpack.
     */
    public void multiplyPanel(double[] x, int width, double[] y) {
        ConvGeometry g = t.geometry();
        if (t.byLines(width, Dtype.F64)) {
            for (int j = 0; j < width; j++) t.throughLines(x, j * g.inputSize(), y, j * g.outputSize());
            return;
        }
        t.linePlans();
        t.productF64(x, width, y, null);
    }

    /** {@link #multiplyPanel(double[], int, double[])} in float32. */
    public void multiplyPanel(float[] x, int width, float[] y) {
        ConvGeometry g = t.geometry();
        if (t.byLines(width, Dtype.F32)) {
            for (int j = 0; j < width; j++) t.throughLines(x, j * g.inputSize(), y, j * g.outputSize());
            return;
        }
        t.linePlans();
        t.productF32(x, width, y, null);
    }
}
