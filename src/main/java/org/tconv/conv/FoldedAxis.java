package org.tconv.conv;

import java.io.Serializable;

/**
 * For one axis (rows or columns) of a convolution: for each output position, the distinct input indices
 * its taps read, ascending, and which kernel indices fold onto each. Zero padding drops out-of-range taps;
 * reflect/replicate/circular fold them onto the pixel they read, so several taps can share one index.
 * Because a 2-D tap reads (row, col) and rows and columns fold independently, T's entries of one output
 * element are the product of the two axes' index lists.
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

    static FoldedAxis of(int outN, int kernel, int n, int stride, int padBefore, int dilation, PaddingMode mode) {
        int[] start = new int[outN + 1];
        int[] source = new int[outN * kernel];
        int[] kStart = new int[outN * kernel + 1];
        int[] k = new int[outN * kernel];
        int e = 0, kk = 0;
        int[] read = new int[kernel];
        for (int o = 0; o < outN; o++) {
            start[o] = e;
            for (int t = 0; t < kernel; t++) {
                read[t] = mode.fold(o * stride - padBefore + t * dilation, n);
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
    long totalSources() {
        return source.length;
    }
}
