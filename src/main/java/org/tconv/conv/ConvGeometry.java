package org.tconv.conv;

import java.io.Serializable;

/**
 * The shapes of one convolution applied to one input shape, and where each tap reads. Rows of T are
 * output elements and columns input elements, both numbered by C-order flattening of
 * (channel, depth, row, col) ({@link #input()}, {@link #output()}). Below 3-D, d = outD = 1; in 1-D also
 * h = outH = 1.
 */
public final class ConvGeometry implements Serializable {
    private static final long serialVersionUID = 2L;

    public final ConvSpec spec;
    public final int c, d, h, w;
    public final int outD, outH, outW;
    /** Where the taps of each output depth slice read, folded by the padding mode. */
    public final FoldedAxis depth;
    /** Where the taps of each output row read, folded by the padding mode. */
    public final FoldedAxis rows;
    /** Where the taps of each output column read. */
    public final FoldedAxis cols;
    private final FlatIndex input, output;
    /** For a transposed spec, the forward convolution's geometry whose T this one's transposes; else null. */
    private final ConvGeometry forward;

    ConvGeometry(ConvSpec spec, int c, int d, int h, int w, int outD, int outH, int outW) {
        this.spec = spec;
        this.forward = null;
        this.c = c;
        this.d = d;
        this.h = h;
        this.w = w;
        this.outD = outD;
        this.outH = outH;
        this.outW = outW;
        input = new FlatIndex(c, d, h, w);
        output = new FlatIndex(spec.outChannels(), outD, outH, outW);
        try {
            input.size();
            output.size();
        } catch (ArithmeticException e) {
            throw new InputRejectedException("input (" + IntTuple.format(inputShape()) + ") or its output ("
                    + IntTuple.format(outputShape()) + ") has more than " + Long.MAX_VALUE + " elements");
        }
        PaddingMode mode = spec.paddingMode();
        depth = FoldedAxis.of("depth", outD, d, spec.kernel(ConvSpec.D), spec.stride(ConvSpec.D), spec.padBefore(ConvSpec.D),
                spec.dilation(ConvSpec.D), mode);
        rows = FoldedAxis.of("height", outH, h, spec.kernel(ConvSpec.H), spec.stride(ConvSpec.H), spec.padBefore(ConvSpec.H),
                spec.dilation(ConvSpec.H), mode);
        cols = FoldedAxis.of("width", outW, w, spec.kernel(ConvSpec.W), spec.stride(ConvSpec.W), spec.padBefore(ConvSpec.W),
                spec.dilation(ConvSpec.W), mode);
    }

    /**
     * The transposed map of {@code forward}: its input is the forward output and its output the forward
     * input, and each axis' index map is the forward one inverted (output o reads the inputs whose forward
     * taps land on o), so every count and index that reads the axes answers for T^T.
     */
    ConvGeometry(ConvSpec transposedSpec, ConvGeometry forward) {
        this.spec = transposedSpec;
        this.forward = forward;
        this.c = forward.spec.outChannels();
        this.d = forward.outD;
        this.h = forward.outH;
        this.w = forward.outW;
        this.outD = forward.d;
        this.outH = forward.h;
        this.outW = forward.w;
        input = forward.output;
        output = forward.input;
        depth = FoldedAxis.transposeOf("depth", forward.depth, forward.d);
        rows = FoldedAxis.transposeOf("height", forward.rows, forward.h);
        cols = FoldedAxis.transposeOf("width", forward.cols, forward.w);
    }

    /**
     * The forward convolution's geometry (input: this one's output, output: this one's input) whose T this
     * transposed geometry's T is the transpose of.
     *
     * @throws IllegalStateException when the spec is not transposed
     */
    public ConvGeometry forward() {
        if (forward == null) throw new IllegalStateException("not a transposed convolution: " + spec);
        return forward;
    }

    /**
     * The geometry of the map whose T is this one's transposed (input and output shapes swapped), without
     * bias: for a transposed geometry its {@link #forward()}; for a forward one, the transposed convolution
     * of {@link ConvSpec#adjoint()} on this output shape, every axis' index map inverted.
     */
    public ConvGeometry adjoint() {
        return forward != null ? forward : new ConvGeometry(spec.adjoint(), this);
    }

    /** The numbering of input elements, T's columns. */
    public FlatIndex input() { return input; }
    /** The numbering of output elements, T's rows. */
    public FlatIndex output() { return output; }

    /** Elements of one input item, exactly: the columns of T. */
    public long inputElements() { return input.size(); }
    /** Elements of one output item, exactly: the rows of T. */
    public long outputElements() { return output.size(); }
    /** {@link #inputElements()} for local, int-indexed paths; throws ArithmeticException past 2^31 - 1. */
    public int inputSize() { return Math.toIntExact(inputElements()); }
    /** {@link #outputElements()} for local, int-indexed paths; throws ArithmeticException past 2^31 - 1. */
    public int outputSize() { return Math.toIntExact(outputElements()); }
    /** Output elements of one channel (outD * outH * outW), for local paths. */
    public int outputPlane() { return Math.toIntExact(output.channelSize()); }

    /** (C, D, H, W), (C, H, W) or (C, L) as the user sees the input. */
    public int[] inputShape() { return userShape(c, d, h, w); }
    /** (C_out, oD, oH, oW), (C_out, outH, outW) or (C_out, outL). */
    public int[] outputShape() { return userShape(spec.outChannels(), outD, outH, outW); }

    private int[] userShape(int channels, int z, int y, int x) {
        switch (spec.dims()) {
            case 3: return new int[] {channels, z, y, x};
            case 2: return new int[] {channels, y, x};
            default: return new int[] {channels, x};
        }
    }

    /** Entries of a dense T of this shape; may exceed a long only past 2^63, which is refused. */
    public long denseEntries() {
        try {
            return Math.multiplyExact(outputElements(), inputElements());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Stored entries of T, counted without building it: one per (output element, input channel of its
     * group, distinct pixel read). Taps folded onto the same pixel share one entry.
     */
    public long structuralNonZeros() {
        return Math.multiplyExact(Math.multiplyExact(depth.totalSources() * rows.totalSources(), cols.totalSources()),
                (long) spec.outChannels() * spec.inChannelsPerGroup());
    }

    /** Bytes of T held as CSR: a double and an int column index per entry, an int per row pointer. */
    public long csrBytes() {
        return structuralNonZeros() * (Double.BYTES + Integer.BYTES) + (outputElements() + 1) * Integer.BYTES;
    }
}
