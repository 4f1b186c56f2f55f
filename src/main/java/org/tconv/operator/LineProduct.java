package org.tconv.operator;

import org.tconv.conv.ConvGeometry;
import org.tconv.toeplitz.BlockToeplitz;

/**
 * T applied to one image at a time straight from the distinct blocks, output line by output line,
 * vectorised along the output columns: the product for panels too narrow to fill a vector with images
 * (one big image, a few volumes, a collection whose images all differ in size). The image is read where it
 * lies and each output line written where it belongs, so nothing is packed or unpacked.
 *
 * <p>Inside an image every block row is the one before shifted by one input column, with the same values
 * (the blocks are Toeplitz): such a run of output columns is computed a vector of columns at a time, each
 * non-zero of the run's first row one load and one FMA per vector. The rows outside the runs (the border
 * columns, where padding folds taps together or drops them, and every row when the width stride is above
 * one) go through the block rows' own entries, one column at a time.
 *
 * <p>Every output element is the same chain {@code y = fma(v_k, x_k, y)} from its bias, over T's columns in
 * ascending order, that {@link PanelProduct} computes: an image gives the same bits through either product,
 * whatever the panel it would have been in. The runs are read off the blocks' entries (not derived from
 * the convolution's options), so any operator with the {@link BlockToeplitz} layout runs here unchanged.
 */
final class LineProduct {
    /** The same choice of kernel as the panel product's: one switch for both ({@code -Dtconv.kernel=scalar}). */
    private static final boolean VECTOR = PanelProduct.VECTOR;

    final ConvGeometry g;
    final BlockToeplitz op;
    final int[] rowPtr;
    /** For each entry of the blocks' structure, the input element it reads relative to its input line's start. */
    final int[] rel;
    /** Entries of one input channel in block row br: {@code (rowPtr[br+1] - rowPtr[br]) / inChannelsPerGroup}. */
    final int cinPG;
    /** Runs of output columns per output channel co: {@code [runLo[co][i], runHi[co][i])}, ascending. */
    final int[][] runLo, runHi;
    final double[] bias;
    final int outW, plane, width;
    private final int maxRow;
    private volatile float[][] asFloat;

    LineProduct(ConvGeometry g, BlockToeplitz op, double[] channelBias) {
        this.g = g;
        this.op = op;
        this.rowPtr = op.rowPtr();
        this.cinPG = g.spec.inChannelsPerGroup();
        this.outW = g.outW;
        this.plane = g.outputPlane();
        this.width = g.w;
        this.bias = channelBias;
        int[] colIdx = op.colIdx();
        int chan = Math.toIntExact(g.input().channelSize());
        rel = new int[colIdx.length];
        for (int k = 0; k < colIdx.length; k++) {
            int ci = colIdx[k] / width;
            rel[k] = ci * chan + (colIdx[k] - ci * width);
        }
        int most = 0;
        for (int br = 0; br + 1 < rowPtr.length; br++) most = Math.max(most, rowPtr[br + 1] - rowPtr[br]);
        maxRow = most;
        int cout = g.spec.outChannels();
        runLo = new int[cout][];
        runHi = new int[cout][];
        int blocks = op.blockCount();
        for (int co = 0; co < cout; co++) {
            int[] lo = new int[4], hi = new int[4];
            int runs = 0;
            int start = 0;
            for (int ox = 1; ox <= outW; ox++) {
                if (ox < outW && shifted(co * outW + ox - 1, co * outW + ox, colIdx, blocks)) continue;
                if (ox - start >= 2) {
                    if (runs == lo.length) {
                        lo = java.util.Arrays.copyOf(lo, 2 * runs);
                        hi = java.util.Arrays.copyOf(hi, 2 * runs);
                    }
                    lo[runs] = start;
                    hi[runs++] = ox;
                }
                start = ox;
            }
            runLo[co] = java.util.Arrays.copyOf(lo, runs);
            runHi[co] = java.util.Arrays.copyOf(hi, runs);
        }
    }

    /** Whether block row b is block row a one input column to the right, with the same values in every block. */
    private boolean shifted(int a, int b, int[] colIdx, int blocks) {
        int ka = rowPtr[a], kb = rowPtr[b], n = rowPtr[a + 1] - ka;
        if (rowPtr[b + 1] - kb != n) return false;
        for (int i = 0; i < n; i++) {
            if (colIdx[kb + i] != colIdx[ka + i] + 1) return false;
        }
        for (int bl = 0; bl < blocks; bl++) {
            double[] v = op.values(bl);
            for (int i = 0; i < n; i++) {
                if (Double.doubleToRawLongBits(v[kb + i]) != Double.doubleToRawLongBits(v[ka + i])) return false;
            }
        }
        return true;
    }

    /** The most entries a block row has (all input channels of its group). */
    int maxRowEntries() {
        return maxRow;
    }

    /** Output columns computed a vector at a time, over all channels: what the runs cover. */
    long runColumns() {
        long c = 0;
        for (int co = 0; co < runLo.length; co++) {
            for (int i = 0; i < runLo[co].length; i++) c += runHi[co][i] - runLo[co][i];
        }
        return c;
    }

    long bytes() {
        long b = (long) rel.length * Integer.BYTES;
        for (int[] r : runLo) b += 2L * r.length * Integer.BYTES;
        return b;
    }

    /** Output lines [from, to) of the image at x[xOff ..] into y[yOff ..] (its output, C order). */
    void lines(double[] x, int xOff, double[] y, int yOff, int from, int to) {
        lines(x, xOff, y, yOff, from, to, VECTOR);
    }

    /** The float32 product of {@link #lines(double[], int, double[], int, int, int)}: x already rounded. */
    void lines(float[] x, int xOff, float[] y, int yOff, int from, int to) {
        lines(x, xOff, y, yOff, from, to, VECTOR);
    }

    /** With the Vector API's runs or without (the tests compare both). */
    void lines(double[] x, int xOff, double[] y, int yOff, int from, int to, boolean vector) {
        for (int line = from; line < to; line++) {
            if (vector) VectorLineProduct.line(this, x, xOff, y, yOff, line);
            else line(x, xOff, y, yOff, line);
        }
    }

    void lines(float[] x, int xOff, float[] y, int yOff, int from, int to, boolean vector) {
        float[][] f = floats();
        for (int line = from; line < to; line++) {
            if (vector) VectorLineProduct.line(this, f, x, xOff, y, yOff + line * outW, plane, line);
            else line(f, x, xOff, y, yOff + line * outW, plane, line);
        }
    }

    /**
     * The float32 product into a float64 output: each output line is computed into a small float buffer and
     * widened into place at once, while it is in cache (the float result never exists whole).
     */
    void lines(float[] x, int xOff, double[] out, int outOff, int from, int to) {
        float[][] f = floats();
        int cout = bias.length;
        float[] buf = new float[cout * outW];
        for (int line = from; line < to; line++) {
            if (VECTOR) VectorLineProduct.line(this, f, x, xOff, buf, 0, outW, line);
            else line(f, x, xOff, buf, 0, outW, line);
            for (int co = 0; co < cout; co++) {
                int o = outOff + co * plane + line * outW, b = co * outW;
                for (int ox = 0; ox < outW; ox++) out[o + ox] = buf[b + ox];
            }
        }
    }

    /** One output line without the Vector API: every row through its own entries. */
    private void line(double[] x, int xOff, double[] y, int yOff, int line) {
        int p0 = op.lineStart()[line], p1 = op.lineStart()[line + 1];
        for (int co = 0; co < bias.length; co++) {
            int yRow = yOff + co * plane + line * outW;
            for (int ox = 0; ox < outW; ox++) y[yRow + ox] = row(x, xOff, co * outW + ox, co, p0, p1);
        }
    }

    private void line(float[][] f, float[] x, int xOff, float[] y, int yBase, int coStride, int line) {
        int p0 = op.lineStart()[line], p1 = op.lineStart()[line + 1];
        for (int co = 0; co < bias.length; co++) {
            int yRow = yBase + co * coStride;
            for (int ox = 0; ox < outW; ox++) y[yRow + ox] = row(f, x, xOff, co * outW + ox, co, p0, p1);
        }
    }

    /** Block row br of the line whose pairs are [p0, p1): its fma chain from the bias. */
    double row(double[] x, int xOff, int br, int co, int p0, int p1) {
        int[] pairLine = op.pairLine(), pairBlock = op.pairBlock();
        int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
        double a = bias[co];
        for (int c = 0; c < cinPG; c++) {
            int kc = k0 + c * n;
            for (int p = p0; p < p1; p++) {
                double[] v = op.values(pairBlock[p]);
                int base = xOff + pairLine[p] * width;
                for (int k = kc; k < kc + n; k++) a = Math.fma(v[k], x[base + rel[k]], a);
            }
        }
        return a;
    }

    float row(float[][] f, float[] x, int xOff, int br, int co, int p0, int p1) {
        int[] pairLine = op.pairLine(), pairBlock = op.pairBlock();
        int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
        float a = f[f.length - 1][co];
        for (int c = 0; c < cinPG; c++) {
            int kc = k0 + c * n;
            for (int p = p0; p < p1; p++) {
                float[] v = f[pairBlock[p]];
                int base = xOff + pairLine[p] * width;
                for (int k = kc; k < kc + n; k++) a = Math.fma(v[k], x[base + rel[k]], a);
            }
        }
        return a;
    }

    /** Each block's values rounded to float32, then the channels' biases as the last array. */
    float[][] floats() {
        float[][] f = asFloat;
        if (f == null) {
            synchronized (this) {
                f = asFloat;
                if (f == null) {
                    int blocks = op.blockCount();
                    f = new float[blocks + 1][];
                    for (int b = 0; b < blocks; b++) {
                        double[] v = op.values(b);
                        f[b] = new float[v.length];
                        for (int i = 0; i < v.length; i++) f[b][i] = (float) v[i];
                    }
                    f[blocks] = new float[bias.length];
                    for (int i = 0; i < bias.length; i++) f[blocks][i] = (float) bias[i];
                    asFloat = f;
                }
            }
        }
        return f;
    }
}
