package org.tconv.conv;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One convolution exactly as {@code torch.nn.Conv1d} / {@code Conv2d} / {@code Conv3d} defines it: weights,
 * bias, stride, padding, dilation, groups and padding mode. This class and {@link ConvGeometry} are the only
 * places that do shape arithmetic.
 *
 * <p>Conventions: weights are C order (C_out, C_in/groups, kD, kH, kW) for 3-D, (C_out, C_in/groups, kH, kW)
 * for 2-D and (C_out, C_in/groups, K) for 1-D. Every spec has three spatial axes (depth, height, width): a
 * 2-D one has a trivial depth axis and a 1-D one trivial depth and height axes (size 1, kernel 1, stride 1,
 * dilation 1, padding 0), so every later stage has one code path; {@link #dims()} remembers which the user
 * asked for.
 *
 * <p>Example: a 3x3 kernel, 1 channel, {@code padding="same"}: {@code outputShape(1, 5, 5) = (1, 5, 5)}.
 * An even kernel with {@code same} pads less before than after, as PyTorch does:
 * kernel 4, dilation 1 gives 1 before and 2 after.
 */
public final class ConvSpec implements Serializable {
    private static final long serialVersionUID = 3L;

    /** Axis numbers of the per-axis arrays. */
    static final int D = 0, H = 1, W = 2;

    private final int dims;
    /** The weights' first two dimensions: (C_out, C_in/groups), or for a transposed spec (C_in, C_out/groups). */
    private final int cOut;
    private final int cInPerGroup;
    /**
     * {@code torch.nn.ConvTranspose1d/2d/3d}: the map is T^T of {@link #forward()}, and every accessor below
     * (channels, {@link #weight}, {@link #geometry}) answers in the transposed map's own terms.
     */
    private final boolean transposed;
    /** Per axis (depth, height, width); zeros unless transposed. */
    private final int[] outputPadding;
    /** The forward convolution with the same weights whose T this spec's map transposes; null unless transposed. */
    private final ConvSpec forward;
    private final int groups;
    /** Per axis (depth, height, width); trivial axes hold 1 (kernel, stride, dilation) or 0 (padding). */
    private final int[] kernel, stride, dilation, padBefore, padAfter;
    private final Padding padding;
    private final PaddingMode mode;
    private final double[] weight;
    private final double[] bias;
    private final long fingerprint;

    private ConvSpec(Builder b) {
        int[] ws = b.weightShape;
        if (ws == null || ws.length < 3 || ws.length > 5) {
            throw new IllegalArgumentException("weights must have rank 3 (C_out, C_in/groups, K) for 1-D, rank 4"
                    + " (C_out, C_in/groups, kH, kW) for 2-D or rank 5 (C_out, C_in/groups, kD, kH, kW) for 3-D, got shape "
                    + shapeText(ws));
        }
        for (int d : ws) {
            if (d <= 0) throw new IllegalArgumentException("weights shape " + shapeText(ws) + " has an empty dimension");
        }
        dims = ws.length - 2;
        cOut = ws[0];
        cInPerGroup = ws[1];
        kernel = toThree(Arrays.copyOfRange(ws, 2, ws.length), 1);
        long needed = (long) cOut * cInPerGroup * kernel[D] * kernel[H] * kernel[W];
        if (b.weight.length != needed) {
            throw new IllegalArgumentException("weights hold " + b.weight.length + " values, shape "
                    + shapeText(ws) + " needs " + needed);
        }
        weight = b.weight.clone();
        groups = b.groups;
        transposed = b.transposed;
        if (groups < 1) throw new IllegalArgumentException("groups must be positive, got " + groups);
        if (cOut % groups != 0) {
            throw new IllegalArgumentException((transposed ? "in_channels " : "out_channels ") + cOut
                    + " (weights dim 0) must be divisible by groups " + groups);
        }
        if (transposed) {
            if (b.padding.kind != Padding.Kind.EXPLICIT) {
                throw new IllegalArgumentException("ConvTranspose" + dims + "d takes integer padding, got padding='" + b.padding + "'");
            }
            if (b.mode != PaddingMode.ZEROS) {
                throw new IllegalArgumentException("Only \"zeros\" padding mode is supported for ConvTranspose" + dims + "d, got "
                        + b.mode);
            }
        } else if (b.outputPadding != null) {
            throw new IllegalArgumentException("output_padding is an argument of transposed convolutions only (Conv" + dims
                    + "d has none): --output-padding needs --transposed");
        }
        stride = toThree(IntTuple.expand("stride", b.stride, dims), 1);
        dilation = toThree(IntTuple.expand("dilation", b.dilation, dims), 1);
        for (int a = 0; a < 3; a++) {
            if (stride[a] < 1) throw new IllegalArgumentException("stride must be positive, got " + IntTuple.format(b.stride));
            if (dilation[a] < 1) throw new IllegalArgumentException("dilation must be positive, got " + IntTuple.format(b.dilation));
        }
        padding = b.padding;
        mode = b.mode;
        padBefore = new int[3];
        padAfter = new int[3];
        switch (padding.kind) {
            case VALID:
                break;
            case SAME: {
                for (int a = 0; a < 3; a++) {
                    if (stride[a] != 1) {
                        throw new IllegalArgumentException("padding='same' is not supported for strided convolutions (stride "
                                + IntTuple.format(b.stride) + ")");
                    }
                }
                // PyTorch: total = dilation*(k-1); before = total/2; the odd pixel goes after. Exact: a
                // dilated kernel wider than an int is refused, not wrapped.
                for (int a = 0; a < 3; a++) {
                    long total = (long) dilation[a] * (kernel[a] - 1);
                    if (total > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("padding='same' needs " + total + " padding on one axis, more than "
                                + Integer.MAX_VALUE);
                    }
                    padBefore[a] = (int) (total / 2);
                    padAfter[a] = (int) (total - total / 2);
                }
                break;
            }
            default: {
                int[] p = toThree(padding.amounts(dims), 0);
                for (int a = 0; a < 3; a++) {
                    // PyTorch crops for negative padding in the F.pad modes but refuses it in zeros mode.
                    if (p[a] < 0 && b.mode == PaddingMode.ZEROS) {
                        throw new IllegalArgumentException("padding must be non-negative with padding_mode zeros, got " + padding);
                    }
                    padBefore[a] = padAfter[a] = p[a];
                }
            }
        }
        outputPadding = toThree(b.outputPadding == null ? new int[dims] : IntTuple.expand("output_padding", b.outputPadding, dims), 0);
        for (int a = 0; a < 3; a++) {
            if (outputPadding[a] < 0) {
                throw new IllegalArgumentException("output_padding must be non-negative, got " + IntTuple.format(b.outputPadding));
            }
        }
        if (transposed) checkOutputPadding();
        if (b.bias != null && b.bias.length != outChannels()) {
            throw new IllegalArgumentException("bias has " + b.bias.length + " values, weights have C_out=" + outChannels()
                    + (transposed ? " (C_out/groups=" + cInPerGroup + " x groups=" + groups + ")" : ""));
        }
        bias = b.bias == null ? null : b.bias.clone();
        forward = transposed
                ? builder(ws, weight).stride(userAxes(stride)).dilation(userAxes(dilation)).padding(Padding.of(userAxes(padBefore)))
                        .groups(groups).build()
                : null;
        fingerprint = computeFingerprint();
    }

    /**
     * A copy of {@code from} with another direction and bias: what {@link #adjoint()} and {@link #withoutBias()}
     * make. It is not a layer the user asked for, so PyTorch's refusals are not applied again (a forward
     * convolution with reflect padding has a transpose, though ConvTranspose does not offer that mode).
     */
    private ConvSpec(ConvSpec from, boolean transposed, ConvSpec forward, double[] bias) {
        dims = from.dims;
        cOut = from.cOut;
        cInPerGroup = from.cInPerGroup;
        this.transposed = transposed;
        outputPadding = transposed ? from.outputPadding : new int[3];
        this.forward = forward;
        groups = from.groups;
        kernel = from.kernel;
        stride = from.stride;
        dilation = from.dilation;
        padBefore = from.padBefore;
        padAfter = from.padAfter;
        padding = from.padding;
        mode = from.mode;
        weight = from.weight;
        this.bias = bias;
        fingerprint = computeFingerprint();
    }

    /** This map without its bias: the linear part T, whose spectrum and adjoint the operator tools take. */
    public ConvSpec withoutBias() {
        return bias == null ? this : new ConvSpec(this, transposed, forward, null);
    }

    /**
     * The map whose T is this one's T transposed, without bias: for a transposed spec its {@link #forward()}
     * convolution; for a forward one the transposed convolution of the same weights, stride, padding, padding
     * mode, dilation and groups. Its geometry on an input shape comes from {@link ConvGeometry#adjoint()}.
     */
    public ConvSpec adjoint() {
        return transposed ? forward : new ConvSpec(this, true, withoutBias(), null);
    }

    /** PyTorch's rule: each axis' output padding must be smaller than its stride or its dilation. */
    private void checkOutputPadding() {
        for (int a = 3 - dims; a < 3; a++) {
            if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a]) {
                throw new IllegalArgumentException("output padding must be smaller than either stride or dilation, but got output_padding="
                        + userTuple(outputPadding) + " with stride=" + userTuple(stride) + " and dilation=" + userTuple(dilation));
            }
        }
    }

    /** The spatial axes the user has, of a (depth, height, width) triple. */
    private int[] userAxes(int[] v) {
        return Arrays.copyOfRange(v, 3 - dims, 3);
    }

    /** Per-axis values of a 1-, 2- or 3-D spec as (depth, height, width): missing leading axes are trivial. */
    private static int[] toThree(int[] v, int trivial) {
        int[] r = new int[] {trivial, trivial, trivial};
        System.arraycopy(v, 0, r, 3 - v.length, v.length);
        return r;
    }

    private static String shapeText(int[] s) {
        return s == null ? "(none)" : "(" + IntTuple.format(s) + ")";
    }

    public static Builder builder(int[] weightShape, double[] weight) {
        return new Builder(weightShape, weight);
    }

    public static final class Builder {
        private final int[] weightShape;
        private final double[] weight;
        private double[] bias;
        private int[] stride = {1};
        private int[] dilation = {1};
        private Padding padding = Padding.of(0);
        private PaddingMode mode = PaddingMode.ZEROS;
        private int groups = 1;
        private boolean transposed;
        private int[] outputPadding;

        private Builder(int[] weightShape, double[] weight) {
            this.weightShape = weightShape == null ? null : weightShape.clone();
            this.weight = Objects.requireNonNull(weight, "weight");
        }

        public Builder stride(int... v) { stride = v.clone(); return this; }
        public Builder dilation(int... v) { dilation = v.clone(); return this; }
        public Builder padding(Padding p) { padding = Objects.requireNonNull(p); return this; }
        public Builder paddingMode(PaddingMode m) { mode = Objects.requireNonNull(m); return this; }
        public Builder groups(int g) { groups = g; return this; }
        public Builder bias(double[] b) { bias = b; return this; }
        /** {@code ConvTranspose1d/2d/3d}: weights (C_in, C_out/groups, k...). */
        public Builder transposed(boolean t) { transposed = t; return this; }
        /** Output padding of a transposed convolution, one value or one per axis; given without it, build() refuses. */
        public Builder outputPadding(int... v) { outputPadding = v == null ? null : v.clone(); return this; }

        /** @throws IllegalArgumentException naming the first problem, in PyTorch's terms */
        public ConvSpec build() { return new ConvSpec(this); }
    }

    // ---- per-input checks and shapes ----

    /** What the user calls each of their spatial axes, outermost first. */
    private String[] axisNames() {
        return dims == 3 ? new String[] {"depth", "height", "width"}
                : dims == 2 ? new String[] {"height", "width"} : new String[] {"length"};
    }

    /**
     * Checks an input of one item, (C, D, H, W), (C, H, W) or (C, L) for 3-, 2- or 1-D weights, and returns
     * its geometry. Every size is computed exactly: one that does not fit is a rejection with the figure.
     *
     * @throws InputRejectedException with the reason PyTorch (or tconv's int-indexed arrays) would refuse it
     */
    public ConvGeometry geometry(int[] itemShape) {
        if (itemShape.length != dims + 1) {
            throw new InputRejectedException("input has rank " + itemShape.length + ", " + dims
                    + "-D weights need " + (dims + 1) + " (" + (dims == 3 ? "C,D,H,W" : dims == 2 ? "C,H,W" : "C,L") + ")");
        }
        int c = itemShape[0];
        int[] n = toThree(Arrays.copyOfRange(itemShape, 1, itemShape.length), 1);
        if (c != inChannels()) {
            throw new InputRejectedException("input has " + c + " channel" + (c == 1 ? "" : "s") + ", weights expect "
                    + inChannels() + (transposed ? " (C_in, weights dim 0)"
                            : " (C_in/groups=" + cInPerGroup + " x groups=" + groups + ")"));
        }
        for (int a = 0; a < 3; a++) {
            if (n[a] < 1) throw new InputRejectedException("input is empty");
        }
        if (transposed) return transposedGeometry(c, n);
        String[] names = axisNames();
        for (int a = 3 - dims; a < 3; a++) checkPadding(names[a - (3 - dims)], n[a], padBefore[a], padAfter[a]);
        long[] out = new long[3];
        boolean tooSmall = false;
        for (int a = 0; a < 3; a++) {
            out[a] = outSize(n[a], (long) padBefore[a] + padAfter[a], kernel[a], stride[a], dilation[a]);
            tooSmall |= out[a] < 1;
        }
        if (tooSmall) {
            long[] padded = new long[3], dilated = new long[3];
            for (int a = 0; a < 3; a++) {
                padded[a] = (long) n[a] + padBefore[a] + padAfter[a];
                dilated[a] = (long) dilation[a] * (kernel[a] - 1) + 1;
            }
            throw new InputRejectedException("input " + userAxes(toLong(n)) + " (padded " + userAxes(padded)
                    + ") is smaller than the dilated kernel " + userAxes(dilated));
        }
        for (int a = 0; a < 3; a++) {
            if (out[a] > Integer.MAX_VALUE) {
                throw new InputRejectedException("output " + names[a - (3 - dims)] + " would be " + out[a]
                        + " (input " + n[a] + ", padding " + padBefore[a] + "+" + padAfter[a] + "), more than "
                        + Integer.MAX_VALUE);
            }
        }
        return new ConvGeometry(this, c, n[D], n[H], n[W], (int) out[D], (int) out[H], (int) out[W]);
    }

    /**
     * The geometry of the transposed map on input (C_in, n): its output is PyTorch's
     * (in - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1 per axis, and its T is the
     * transpose of the forward convolution's on that output, cropped to n outputs (an output padding that
     * is not below the stride makes the forward output longer than n; PyTorch allows it below the dilation).
     */
    private ConvGeometry transposedGeometry(int c, int[] n) {
        long[] out = new long[3];
        boolean tooSmall = false;
        for (int a = 0; a < 3; a++) {
            out[a] = transposedOutSize(n[a], kernel[a], stride[a], padBefore[a], dilation[a], outputPadding[a]);
            tooSmall |= out[a] < 1;
        }
        if (tooSmall) {
            throw new InputRejectedException("given input size per channel " + userAxes(toLong(n)) + ", the calculated output size per channel "
                    + userAxes(out) + " of " + this + " is too small");
        }
        String[] names = axisNames();
        for (int a = 0; a < 3; a++) {
            if (out[a] > Integer.MAX_VALUE) {
                throw new InputRejectedException("output " + names[a - (3 - dims)] + " would be " + out[a] + " (input " + n[a]
                        + "), more than " + Integer.MAX_VALUE);
            }
        }
        ConvGeometry fwd = new ConvGeometry(forward, outChannels(), (int) out[D], (int) out[H], (int) out[W], n[D], n[H], n[W]);
        return new ConvGeometry(this, fwd);
    }

    /** PyTorch's ConvTranspose output size, exactly (int operands: the long cannot overflow); may be below 1. */
    static long transposedOutSize(long n, int k, int stride, int pad, int dilation, int outputPadding) {
        return (n - 1) * stride - 2L * pad + (long) dilation * (k - 1) + outputPadding + 1;
    }

    private static long[] toLong(int[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i];
        return r;
    }

    /** The user's axes of a (depth, height, width) triple as {@code DxHxW}, {@code HxW} or {@code L}. */
    private String userAxes(long[] v) {
        StringBuilder b = new StringBuilder();
        for (int a = 3 - dims; a < 3; a++) {
            if (b.length() > 0) b.append('x');
            b.append(v[a]);
        }
        return b.toString();
    }

    private void checkPadding(String dim, int n, int before, int after) {
        int p = Math.max(before, after);
        if (mode == PaddingMode.REFLECT && p >= n) {
            throw new InputRejectedException("reflect padding " + p + " needs input " + dim + " > " + p + ", got " + n);
        }
        if (mode == PaddingMode.CIRCULAR && p > n) {
            throw new InputRejectedException("circular padding " + p + " needs input " + dim + " >= " + p + ", got " + n);
        }
    }

    /**
     * PyTorch's output size, floor((n + padding - dilation*(k-1) - 1) / stride) + 1, exactly (every operand
     * is an int, so the long cannot overflow); 0 when the dilated kernel does not fit.
     */
    static long outSize(long n, long totalPad, int k, int stride, int dilation) {
        long span = n + totalPad - (long) dilation * (k - 1) - 1;
        return span < 0 ? 0 : span / stride + 1;
    }

    /** Output shape of one item for an input item shape, (C_out, oD, oH, oW), (C_out, outH, outW) or (C_out, outL). */
    public int[] outputShape(int[] itemShape) {
        return geometry(itemShape).outputShape();
    }

    // ---- accessors ----

    public int dims() { return dims; }
    /** C_out of the map (for a transposed spec: C_out/groups x groups, weights dim 1 x groups). */
    public int outChannels() { return transposed ? cInPerGroup * groups : cOut; }
    /** C_in of the map (for a transposed spec: weights dim 0). */
    public int inChannels() { return transposed ? cOut : cInPerGroup * groups; }
    /** Input channels each output channel reads: C_in/groups, of the map. */
    public int inChannelsPerGroup() { return transposed ? cOut / groups : cInPerGroup; }
    public boolean transposed() { return transposed; }
    /**
     * The forward convolution (weights, stride, padding, dilation and groups of this one, no bias) whose T
     * this transposed spec's T transposes.
     *
     * @throws IllegalStateException for a spec that is not transposed
     */
    public ConvSpec forward() {
        if (forward == null) throw new IllegalStateException("not a transposed convolution: " + this);
        return forward;
    }
    public int outputPaddingD() { return outputPadding[D]; }
    public int outputPaddingH() { return outputPadding[H]; }
    public int outputPaddingW() { return outputPadding[W]; }
    public int groups() { return groups; }
    public int kernelDepth() { return kernel[D]; }
    public int kernelHeight() { return kernel[H]; }
    public int kernelWidth() { return kernel[W]; }
    public int strideD() { return stride[D]; }
    public int strideH() { return stride[H]; }
    public int strideW() { return stride[W]; }
    public int dilationD() { return dilation[D]; }
    public int dilationH() { return dilation[H]; }
    public int dilationW() { return dilation[W]; }
    public int padFront() { return padBefore[D]; }
    public int padBack() { return padAfter[D]; }
    public int padTop() { return padBefore[H]; }
    public int padBottom() { return padAfter[H]; }
    public int padLeft() { return padBefore[W]; }
    public int padRight() { return padAfter[W]; }
    public Padding padding() { return padding; }
    public PaddingMode paddingMode() { return mode; }
    public boolean hasBias() { return bias != null; }
    /** The weight at (co, ci within the group, ky, kx) of depth tap 0: all of a 1-D or 2-D kernel. */
    public double weight(int co, int ci, int ky, int kx) { return weight(co, ci, 0, ky, kx); }
    /**
     * The weight that links output channel {@code co} of the map to input channel {@code ci} of its group
     * through tap (kd, ky, kx). For a forward spec that is weights[co][ci]; for a transposed one, whose
     * weights are (C_in, C_out/groups, k...), weights[group * C_in/groups + ci][co mod C_out/groups], and the
     * tap scatters rather than gathers.
     */
    public double weight(int co, int ci, int kd, int ky, int kx) {
        int w0 = co, w1 = ci;
        if (transposed) {
            int outPerGroup = cInPerGroup, group = co / outPerGroup;
            w0 = group * (cOut / groups) + ci;
            w1 = co - group * outPerGroup;
        }
        return weight[(((w0 * cInPerGroup + w1) * kernel[D] + kd) * kernel[H] + ky) * kernel[W] + kx];
    }
    public double bias(int co) { return bias == null ? 0.0 : bias[co]; }
    /** The weights, C order as given ({@link #weightShape()}): a copy. */
    public double[] weights() { return weight.clone(); }
    public int parameterCount() { return weight.length + (bias == null ? 0 : bias.length); }
    public int[] weightShape() {
        int[] s = new int[dims + 2];
        s[0] = cOut;
        s[1] = cInPerGroup;
        System.arraycopy(kernel, 3 - dims, s, 2, dims);
        return s;
    }
    /** Stable across JVMs: keys caches of built matrices on executors. */
    public long fingerprint() { return fingerprint; }

    /** Package access for {@link ConvGeometry}: per-axis (depth, height, width) values, not copies. */
    int kernel(int axis) { return kernel[axis]; }
    int stride(int axis) { return stride[axis]; }
    int dilation(int axis) { return dilation[axis]; }
    int padBefore(int axis) { return padBefore[axis]; }

    private long computeFingerprint() {
        long h = 1469598103934665603L;
        long[] ints = {dims, cOut, cInPerGroup, groups, mode.ordinal(), bias == null ? 0 : 1, transposed ? 1 : 0};
        for (long v : ints) h = (h ^ v) * 1099511628211L;
        for (int[] axis : new int[][] {kernel, stride, dilation, padBefore, padAfter, outputPadding}) {
            for (int v : axis) h = (h ^ v) * 1099511628211L;
        }
        for (double v : weight) h = (h ^ Double.doubleToLongBits(v)) * 1099511628211L;
        if (bias != null) for (double v : bias) h = (h ^ Double.doubleToLongBits(v)) * 1099511628211L;
        return h;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConvSpec)) return false;
        ConvSpec s = (ConvSpec) o;
        return fingerprint == s.fingerprint && dims == s.dims && cOut == s.cOut && cInPerGroup == s.cInPerGroup
                && groups == s.groups && transposed == s.transposed && Arrays.equals(outputPadding, s.outputPadding)
                && Arrays.equals(kernel, s.kernel) && Arrays.equals(stride, s.stride)
                && Arrays.equals(dilation, s.dilation) && Arrays.equals(padBefore, s.padBefore)
                && Arrays.equals(padAfter, s.padAfter) && mode == s.mode && Arrays.equals(weight, s.weight)
                && Arrays.equals(bias, s.bias);
    }

    @Override
    public int hashCode() { return Long.hashCode(fingerprint); }

    /** The user's axes of a per-axis array, comma separated, as PyTorch's tuples. */
    private String userTuple(int[] v) {
        return IntTuple.format(Arrays.copyOfRange(v, 3 - dims, 3));
    }

    @Override
    public String toString() {
        if (transposed) {
            return "ConvTranspose" + dims + "d(weights " + shapeText(weightShape()) + ", stride=" + userTuple(stride)
                    + ", padding=" + padding + ", output_padding=" + userTuple(outputPadding) + ", dilation=" + userTuple(dilation)
                    + ", groups=" + groups + ", bias=" + (bias != null) + ")";
        }
        return "Conv" + dims + "d(weights " + shapeText(weightShape()) + ", stride=" + userTuple(stride)
                + ", padding=" + padding + ", dilation=" + userTuple(dilation) + ", groups=" + groups
                + ", padding_mode=" + mode + ", bias=" + (bias != null) + ")";
    }
}
