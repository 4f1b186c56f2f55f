package org.tconv.conv;

import java.io.Serializable;

/**
 * The shapes of one convolution applied to one input shape, and where each tap reads. Rows of T are
 * output elements and columns input elements, both numbered by C-order flattening of (channel, row, col).
 */
public final class ConvGeometry implements Serializable {
    private static final long serialVersionUID = 1L;

    public final ConvSpec spec;
    public final int c, h, w;
    public final int outH, outW;
    /** Where the taps of each output row read, folded by the padding mode. */
    public final FoldedAxis rows;
    /** Where the taps of each output column read. */
    public final FoldedAxis cols;

    ConvGeometry(ConvSpec spec, int c, int h, int w, int outH, int outW) {
        this.spec = spec;
        this.c = c;
        this.h = h;
        this.w = w;
        this.outH = outH;
        this.outW = outW;
        PaddingMode mode = spec.paddingMode();
        rows = FoldedAxis.of(outH, spec.kernelHeight(), h, spec.strideH(), spec.padTop(), spec.dilationH(), mode);
        cols = FoldedAxis.of(outW, spec.kernelWidth(), w, spec.strideW(), spec.padLeft(), spec.dilationW(), mode);
    }

    /** Elements of one input item: the columns of T. */
    public int inputSize() { return Math.toIntExact((long) c * h * w); }
    /** Elements of one output item: the rows of T. */
    public int outputSize() { return Math.toIntExact((long) spec.outChannels() * outH * outW); }
    public int outputPlane() { return outH * outW; }

    /** (C, H, W) or (C, L) as the user sees the input. */
    public int[] inputShape() { return spec.dims() == 2 ? new int[] {c, h, w} : new int[] {c, w}; }
    /** (C_out, outH, outW) or (C_out, outL). */
    public int[] outputShape() {
        return spec.dims() == 2 ? new int[] {spec.outChannels(), outH, outW} : new int[] {spec.outChannels(), outW};
    }

    /** Entries of a dense T of this shape; a long because it overflows int long before T does. */
    public long denseEntries() { return (long) outputSize() * inputSize(); }

    /**
     * Stored entries of T, counted without building it: one per (output element, input channel of its
     * group, distinct pixel read). Taps folded onto the same pixel share one entry.
     */
    public long structuralNonZeros() {
        return rows.totalSources() * cols.totalSources() * spec.outChannels() * spec.inChannelsPerGroup();
    }

    /** Bytes of T held as CSR: a double and an int column index per entry, an int per row pointer. */
    public long csrBytes() {
        return structuralNonZeros() * (Double.BYTES + Integer.BYTES) + ((long) outputSize() + 1) * Integer.BYTES;
    }
}
