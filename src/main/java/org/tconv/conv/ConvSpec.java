package org.tconv.conv;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One convolution exactly as {@code torch.nn.Conv1d} / {@code torch.nn.Conv2d} defines it: weights, bias,
 * stride, padding, dilation, groups and padding mode. This class and {@link ConvGeometry} are the only
 * places that do shape arithmetic.
 *
 * <p>Conventions: weights are C order (C_out, C_in/groups, kH, kW) for 2-D and (C_out, C_in/groups, K) for
 * 1-D. A 1-D convolution is held as a 2-D one with a kernel, input and output of height 1, so every later
 * stage has one code path; {@link #dims()} remembers which the user asked for.
 *
 * <p>Example: a 3x3 kernel, 1 channel, {@code padding="same"}: {@code outputShape(1, 5, 5) = (1, 5, 5)}.
 * An even kernel with {@code same} pads less before than after, as PyTorch does:
 * kernel 4, dilation 1 gives 1 before and 2 after.
 */
public final class ConvSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int dims;
    private final int cOut;
    private final int cInPerGroup;
    private final int groups;
    private final int kH, kW;
    private final int sH, sW;
    private final int dH, dW;
    /** Resolved padding: before and after, per dimension. */
    private final int padTop, padBottom, padLeft, padRight;
    private final Padding padding;
    private final PaddingMode mode;
    private final double[] weight;
    private final double[] bias;
    private final long fingerprint;

    private ConvSpec(Builder b) {
        int[] ws = b.weightShape;
        if (ws == null || (ws.length != 3 && ws.length != 4)) {
            throw new IllegalArgumentException("weights must have rank 3 (C_out, C_in/groups, K) for 1-D or rank 4"
                    + " (C_out, C_in/groups, kH, kW) for 2-D, got shape " + shapeText(ws));
        }
        for (int d : ws) {
            if (d <= 0) throw new IllegalArgumentException("weights shape " + shapeText(ws) + " has an empty dimension");
        }
        dims = ws.length - 2;
        cOut = ws[0];
        cInPerGroup = ws[1];
        kH = dims == 2 ? ws[2] : 1;
        kW = ws[ws.length - 1];
        if (b.weight.length != (long) cOut * cInPerGroup * kH * kW) {
            throw new IllegalArgumentException("weights hold " + b.weight.length + " values, shape "
                    + shapeText(ws) + " needs " + (long) cOut * cInPerGroup * kH * kW);
        }
        weight = b.weight.clone();
        groups = b.groups;
        if (groups < 1) throw new IllegalArgumentException("groups must be positive, got " + groups);
        if (cOut % groups != 0) {
            throw new IllegalArgumentException("out_channels " + cOut + " (weights dim 0) must be divisible by groups " + groups);
        }
        int[] s = pad2(IntTuple.expand("stride", b.stride, dims), 1);
        int[] d = pad2(IntTuple.expand("dilation", b.dilation, dims), 1);
        sH = s[0]; sW = s[1]; dH = d[0]; dW = d[1];
        if (sH < 1 || sW < 1) throw new IllegalArgumentException("stride must be positive, got " + IntTuple.format(b.stride));
        if (dH < 1 || dW < 1) throw new IllegalArgumentException("dilation must be positive, got " + IntTuple.format(b.dilation));
        padding = b.padding;
        mode = b.mode;
        switch (padding.kind) {
            case VALID:
                padTop = padBottom = padLeft = padRight = 0;
                break;
            case SAME: {
                if (sH != 1 || sW != 1) {
                    throw new IllegalArgumentException("padding='same' is not supported for strided convolutions (stride "
                            + IntTuple.format(b.stride) + ")");
                }
                // PyTorch: total = dilation*(k-1); before = total/2; the odd pixel goes after.
                int th = dH * (kH - 1), tw = dW * (kW - 1);
                padTop = th / 2; padBottom = th - th / 2;
                padLeft = tw / 2; padRight = tw - tw / 2;
                break;
            }
            default: {
                int[] p = pad2(padding.amounts(dims), 0);
                // PyTorch crops for negative padding in the F.pad modes but refuses it in zeros mode.
                if ((p[0] < 0 || p[1] < 0) && b.mode == PaddingMode.ZEROS) {
                    throw new IllegalArgumentException("padding must be non-negative with padding_mode zeros, got " + padding);
                }
                padTop = padBottom = p[0];
                padLeft = padRight = p[1];
            }
        }
        if (b.bias != null && b.bias.length != cOut) {
            throw new IllegalArgumentException("bias has " + b.bias.length + " values, weights have C_out=" + cOut);
        }
        bias = b.bias == null ? null : b.bias.clone();
        fingerprint = computeFingerprint();
    }

    /** 1-D tuples become (1, v): the height dimension of a 1-D convolution is trivial. */
    private int[] pad2(int[] v, int trivial) {
        return v.length == 2 ? v : new int[] {trivial, v[0]};
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

        /** @throws IllegalArgumentException naming the first problem, in PyTorch's terms */
        public ConvSpec build() { return new ConvSpec(this); }
    }

    // ---- per-input checks and shapes ----

    /**
     * Checks an input of one item, (C, H, W) for 2-D or (C, L) for 1-D, and returns its geometry.
     *
     * @throws InputRejectedException with the reason PyTorch would refuse it
     */
    public ConvGeometry geometry(int[] itemShape) {
        if (itemShape.length != dims + 1) {
            throw new InputRejectedException("input has rank " + itemShape.length + ", " + dims
                    + "-D weights need " + (dims + 1) + " (" + (dims == 2 ? "C,H,W" : "C,L") + ")");
        }
        int c = itemShape[0];
        int h = dims == 2 ? itemShape[1] : 1;
        int w = itemShape[dims];
        if (c != cInPerGroup * groups) {
            throw new InputRejectedException("input has " + c + " channel" + (c == 1 ? "" : "s") + ", weights expect "
                    + cInPerGroup * groups + " (C_in/groups=" + cInPerGroup + " x groups=" + groups + ")");
        }
        if (h < 1 || w < 1) throw new InputRejectedException("input is empty");
        if (dims == 2) checkPadding("height", h, padTop, padBottom);
        checkPadding(dims == 2 ? "width" : "length", w, padLeft, padRight);
        int outH = outSize(h, padTop + padBottom, kH, sH, dH);
        int outW = outSize(w, padLeft + padRight, kW, sW, dW);
        if (outH < 1 || outW < 1) {
            String in = dims == 2 ? h + "x" + w : String.valueOf(w);
            String padded = dims == 2 ? (h + padTop + padBottom) + "x" + (w + padLeft + padRight)
                    : String.valueOf(w + padLeft + padRight);
            String k = dims == 2 ? (dH * (kH - 1) + 1) + "x" + (dW * (kW - 1) + 1) : String.valueOf(dW * (kW - 1) + 1);
            throw new InputRejectedException("input " + in + " (padded " + padded + ") is smaller than the dilated kernel " + k);
        }
        return new ConvGeometry(this, c, h, w, outH, outW);
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

    /** PyTorch's output size: floor((n + padding - dilation*(k-1) - 1) / stride) + 1. */
    static int outSize(int n, int totalPad, int k, int stride, int dilation) {
        long span = (long) n + totalPad - (long) dilation * (k - 1) - 1;
        return span < 0 ? 0 : (int) (span / stride + 1);
    }

    /** Output shape of one item for an input item shape, (C_out, outH, outW) or (C_out, outL). */
    public int[] outputShape(int[] itemShape) {
        return geometry(itemShape).outputShape();
    }

    // ---- accessors ----

    public int dims() { return dims; }
    public int outChannels() { return cOut; }
    public int inChannels() { return cInPerGroup * groups; }
    public int inChannelsPerGroup() { return cInPerGroup; }
    public int groups() { return groups; }
    public int kernelHeight() { return kH; }
    public int kernelWidth() { return kW; }
    public int strideH() { return sH; }
    public int strideW() { return sW; }
    public int dilationH() { return dH; }
    public int dilationW() { return dW; }
    public int padTop() { return padTop; }
    public int padBottom() { return padBottom; }
    public int padLeft() { return padLeft; }
    public int padRight() { return padRight; }
    public Padding padding() { return padding; }
    public PaddingMode paddingMode() { return mode; }
    public boolean hasBias() { return bias != null; }
    /** The weight at (co, ci within the group, ky, kx). */
    public double weight(int co, int ci, int ky, int kx) { return weight[((co * cInPerGroup + ci) * kH + ky) * kW + kx]; }
    public double bias(int co) { return bias == null ? 0.0 : bias[co]; }
    /** The weights, C order (C_out, C_in/groups, kH, kW) as given: a copy. */
    public double[] weights() { return weight.clone(); }
    public int parameterCount() { return weight.length + (bias == null ? 0 : bias.length); }
    public int[] weightShape() {
        return dims == 2 ? new int[] {cOut, cInPerGroup, kH, kW} : new int[] {cOut, cInPerGroup, kW};
    }
    /** Stable across JVMs: keys caches of built matrices on executors. */
    public long fingerprint() { return fingerprint; }

    private long computeFingerprint() {
        long h = 1469598103934665603L;
        long[] ints = {dims, cOut, cInPerGroup, groups, kH, kW, sH, sW, dH, dW, padTop, padBottom, padLeft, padRight,
                mode.ordinal(), bias == null ? 0 : 1};
        for (long v : ints) h = (h ^ v) * 1099511628211L;
        for (double v : weight) h = (h ^ Double.doubleToLongBits(v)) * 1099511628211L;
        if (bias != null) for (double v : bias) h = (h ^ Double.doubleToLongBits(v)) * 1099511628211L;
        return h;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConvSpec)) return false;
        ConvSpec s = (ConvSpec) o;
        return fingerprint == s.fingerprint && dims == s.dims && cOut == s.cOut && cInPerGroup == s.cInPerGroup
                && groups == s.groups && kH == s.kH && kW == s.kW && sH == s.sH && sW == s.sW && dH == s.dH
                && dW == s.dW && padTop == s.padTop && padBottom == s.padBottom && padLeft == s.padLeft
                && padRight == s.padRight && mode == s.mode && Arrays.equals(weight, s.weight)
                && Arrays.equals(bias, s.bias);
    }

    @Override
    public int hashCode() { return Long.hashCode(fingerprint); }

    @Override
    public String toString() {
        return (dims == 2 ? "Conv2d" : "Conv1d") + "(weights " + shapeText(weightShape()) + ", stride="
                + (dims == 2 ? sH + "," + sW : sW) + ", padding=" + padding + ", dilation="
                + (dims == 2 ? dH + "," + dW : dW) + ", groups=" + groups + ", padding_mode=" + mode
                + ", bias=" + (bias != null) + ")";
    }
}
