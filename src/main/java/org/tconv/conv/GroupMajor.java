package org.tconv.conv;

/**
 * The layout the panel product leaves a batch's results in, kept as the row's output so that no step
 * between the product and the writer transposes them: the {@code count} items in groups of {@code group}
 * (the last one smaller when {@code count} is not a multiple), each group output index by output index with
 * its items innermost. Item j of group g (width w_g = min(group, count - g * group)) has its output value r at
 * {@code g * group * size + r * w_g + j}. A writer turns it back into item after item, a few items at a
 * time, as it converts the values anyway ({@link #copyItems}).
 *
 * <p>Example: 5 items of 2 values in groups of 2: {@code [a0 b0 a1 b1 | c0 d0 c1 d1 | e0 e1]}.
 */
public final class GroupMajor {
    private GroupMajor() {}

    /** Items copied per pass by {@link #copyItems}: one cache line of a group's doubles. */
    public static final int ITEMS_PER_PASS = 8;

    /** Where value {@code r} of item {@code item} lies. */
    public static int offset(int count, int group, int size, int item, int r) {
        int g = item / group, first = g * group, w = Math.min(group, count - first);
        return first * size + r * w + (item - first);
    }

    /**
     * Items {@code first .. first + dst.length - 1} of {@code src} into {@code dst[k]} at {@code dstOffset},
     * each item's {@code size} values in order; items of one group are read a cache line at a time.
     */
    public static void copyItems(double[] src, int count, int group, int size, int first, double[][] dst, int dstOffset) {
        for (int k = 0; k < dst.length; ) {
            int item = first + k, g0 = item / group * group, w = Math.min(group, count - g0);
            int n = Math.min(dst.length - k, g0 + w - item); // within this group
            int base = g0 * size + (item - g0);
            for (int r = 0; r < size; r++) {
                int at = base + r * w;
                for (int j = 0; j < n; j++) dst[k + j][dstOffset + r] = src[at + j];
            }
            k += n;
        }
    }

    /** {@link #copyItems(double[], int, int, int, int, double[][], int)} for float32 results. */
    public static void copyItems(float[] src, int count, int group, int size, int first, float[][] dst, int dstOffset) {
        for (int k = 0; k < dst.length; ) {
            int item = first + k, g0 = item / group * group, w = Math.min(group, count - g0);
            int n = Math.min(dst.length - k, g0 + w - item);
            int base = g0 * size + (item - g0);
            for (int r = 0; r < size; r++) {
                int at = base + r * w;
                for (int j = 0; j < n; j++) dst[k + j][dstOffset + r] = src[at + j];
            }
            k += n;
        }
    }
}
