package org.tconv.conv;

import java.io.Serializable;

/**
 * The {@code padding} argument of PyTorch's convolutions: explicit per-dimension amounts, {@code same} or
 * {@code valid}. Resolved to before/after amounts by {@link ConvSpec}, which knows the kernel.
 */
public final class Padding implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Kind { EXPLICIT, SAME, VALID }

    public final Kind kind;
    /** Per dimension, (d, h, w), (h, w) or (l), or one value for all: only for EXPLICIT. */
    private final int[] amounts;

    private Padding(Kind kind, int[] amounts) {
        this.kind = kind;
        this.amounts = amounts;
    }

    public static Padding same() { return new Padding(Kind.SAME, null); }
    public static Padding valid() { return new Padding(Kind.VALID, null); }
    public static Padding of(int... amounts) { return new Padding(Kind.EXPLICIT, amounts.clone()); }

    /** Parses {@code same}, {@code valid}, {@code 2}, {@code 1,2} or {@code 1,2,2}. */
    public static Padding parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("same")) return same();
        if (t.equals("valid")) return valid();
        try {
            return of(IntTuple.parse("padding", t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("padding must be same, valid, one integer or one per axis (1,2 or 1,2,2), got '" + text + "'");
        }
    }

    /** Explicit amounts for {@code dims} dimensions (a single value repeats, as in PyTorch). */
    int[] amounts(int dims) {
        return IntTuple.expand("padding", amounts, dims);
    }

    @Override
    public String toString() {
        return kind == Kind.EXPLICIT ? IntTuple.format(amounts) : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
