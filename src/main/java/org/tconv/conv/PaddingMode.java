package org.tconv.conv;

import java.util.Locale;

/** How taps that fall outside the input are treated, as {@code padding_mode} of {@code torch.nn.Conv2d}. */
public enum PaddingMode {
    /** Out-of-range taps read 0: they simply drop out of T. */
    ZEROS,
    /** Mirror without repeating the edge: index -1 reads 1. Needs padding smaller than the input. */
    REFLECT,
    /** Clamp to the edge pixel. */
    REPLICATE,
    /** Wrap around. Needs padding no larger than the input. */
    CIRCULAR;

    public static PaddingMode parse(String text) {
        for (PaddingMode m : values()) {
            if (m.name().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown padding mode '" + text
                + "' (expected zeros, reflect, replicate or circular)");
    }

    /**
     * The input index a tap at raw index {@code i} reads in a dimension of size {@code n}, or -1 when it
     * reads a zero. Valid for {@code -n < i < 2n-1}, which {@link ConvSpec#geometry}'s padding checks guarantees.
     */
    public int fold(long i, int n) {
        if (i >= 0 && i < n) {
            return (int) i;
        }
        switch (this) {
            case ZEROS: return -1;
            case REFLECT: return (int) (i < 0 ? -i : 2L * (n - 1) - i);
            case REPLICATE: return i < 0 ? 0 : n - 1;
            case CIRCULAR: return (int) (i < 0 ? i + n : i - n);
            default: throw new AssertionError(this);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
