package org.tconv.conv;

import java.io.Serializable;

/**
 * For one axis (depth, rows or columns) of a convolution: for each output position, the distinct input indices
 * its taps read, ascending, and which kernel indices fold onto each. Zero padding drops out-of-range taps;
 * reflect/replicate/circular fold them onto the pixel they read, so several taps can share one index.
 * Because a tap reads (depth, row, col) and the axes fold independently, T's entries of one output
 * element are the product of the three axes' index lists.
 */
public final class FoldedAxis implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Output position o owns sources [start[o], start[o+1]). */
    public final int[] start;
    /** Distinct input indices, ascending within each output position. */
    public final int[] source;
    /** Source e gathers kernel indices k[kStart[e] .. kStart[e+1]). */
    public final int[] kStart;
    public final int[] k;

    private FoldedAxis(int[] start, int[] source, int[] kStart, int[] k) {
        this.start = start;
        this.source = source;
        this.kStart = kStart;
        this.k = k;
    }

    /**
     * The axis of {@code outN} outputs over an input of {@code n}. Raw tap positions are longs: with a
     * padding near 2^31 they do not fit an int. The lists are sized before they are allocated and refused
     * with the figure when they would not fit in memory (a huge zero padding makes a long axis of outputs
     * that read almost nothing).
     */
    static FoldedAxis of(String axis, int outN, int n, int kernel, int stride, int padBefore, int dilation, PaddingMode mode) {
        long slots = (long) outN * kernel;
        long bytes = ((long) outN + 1 + 3 * slots + 1) * Integer.BYTES;
        long heap = Runtime.getRuntime().maxMemory() / 4;
        if (slots > Integer.MAX_VALUE - 8 || bytes > heap) {
            throw new InputRejectedException("the " + axis + " axis has " + outN + " outputs x " + kernel
                    + " taps: its index map would take " + bytes / (1 << 20) + " MB, more than a quarter of the "
                    + heap * 4 / (1 << 20) + " MB heap");
        }
        int[] start = new int[outN + 1];
        int[] source = new int[(int) slots];
        int[] kStart = new int[(int) slots + 1];
        int[] k = new int[(int) slots];
        int e = 0, kk = 0;
        int[] read = new int[kernel];
        for (int o = 0; o < outN; o++) {
            start[o] = e;
            for (int t = 0; t < kernel; t++) {
                read[t] = mode.fold((long) o * stride - padBefore + (long) t * dilation, n);
            }
            // Emit distinct sources in ascending order; kernel is small, so a quadratic scan is cheapest.
            int last = -1;
            while (true) {
                int next = Integer.MAX_VALUE;
                for (int t = 0; t < kernel; t++) {
                    if (read[t] > last && read[t] < next) next = read[t];
                }
                if (next == Integer.MAX_VALUE) break;
                source[e] = next;
                kStart[e] = kk;
                for (int t = 0; t < kernel; t++) {
                    if (read[t] == next) k[kk++] = t;
                }
                e++;
                last = next;
            }
        }
        start[outN] = e;
        kStart[e] = kk;
        return new FoldedAxis(start, java.util.Arrays.copyOf(source, e), java.util.Arrays.copyOf(kStart, e + 1),
                java.util.Arrays.copyOf(k, kk));
    }

    /** Distinct input indices summed over all output positions. */
    public long totalSources() {
        return source.length;
    }
}
