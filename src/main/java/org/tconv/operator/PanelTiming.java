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

    /** The row length of a panel of {@code images} as {@link #packedPanel} makes it. */
    public int panelRowLength(int images, Dtype dtype) { return t.panelRowLength(images, dtype); }

    /** The images as one panel, packed and padded exactly as the product packs them. */
    public Object packedPanel(double[][] images, Dtype dtype) { return t.packedPanel(images, dtype); }

    /** T X + b on one packed panel: the product alone. */
    public void multiplyPanel(double[] x, int width, double[] y) { t.multiplyPanel(x, width, y); }

    /** {@link #multiplyPanel(double[], int, double[])} in float32. */
    public void multiplyPanel(float[] x, int width, float[] y) { t.multiplyPanel(x, width, y); }
}
