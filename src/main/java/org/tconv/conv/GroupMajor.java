package org.tconv.conv;

/**
 * The layout the panel product leaves a batch's results in, kept as the row's output so that no step
 * between the product and the writer transposes them: the {@code count} items in groups of {@code group},
 * each group output index by output index with its items innermost. The last group holds the rest: fewer
 * items, or, when the rest is at most a quarter of a group, the rest joins the last whole group (a panel of
 * a few images would run the kernel on mostly empty vectors). Item j of the group starting at item s, of
 * width w, has its output value r at {@code s * size + r * w + j}. A writer turns it back into item after
 * item, a few items at a time, as it converts the values anyway ({@link #copyItems}).
 *
 * <p>Example: 5 items of 2 values in groups of 2: {@code [a0 b0 a1 b1 | c0 d0 c1 d1 | e0 e1]}; 9 items in
 * groups of 4 are groups of 4 and 5.
 */
public final class GroupMajor {
    private GroupMajor() {}

    /** Items copied per pass by {@link #copyItems}: one cache line of a group's doubles. */
    public static final int ITEMS_PER_PASS = 8;

    /** The first item of the last group. */
    static int lastStart(int count, int group) {
        int whole = count / group, rest = count % group;
        if (whole == 0) return 0;
        return rest == 0 || rest <= group / 4 ? (whole - 1) * group : whole * group;
    }

    /** The first item of the group that holds {@code item}. */
    public static int start(int count, int group, int item) {
        return Math.min(item / group * group, lastStart(count, group));
    }

    /** The items in the group that starts at {@code start}. */
    public static int width(int count, int group, int start) {
        return start == lastStart(count, group) ? count - start : group;
    }

    /** Where value {@code r} of item {@code item} lies. */
    public static int offset(int count, int group, int size, int item, int r) {
        int first = start(count, group, item);
        return first * size + r * width(count, group, first) + (item - first);
    }

    /**
     * Items {@code first .. first + dst.length - 1} of {@code src} into {@code dst[k]} at {@code dstOffset},
     * each item's {@code size} values in order; items of one group are read a cache line at a time.
     */
    public static void copyItems(double[] src, int count, int group, int size, int first, double[][] dst, int dstOffset) {
        for (int k = 0; k < dst.length; ) {
            int item = first + k, g0 = start(count, group, item), w = width(count, group, g0);
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
            int item = first + k, g0 = start(count, group, item), w = width(count, group, g0);
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
