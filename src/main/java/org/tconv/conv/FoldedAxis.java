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

    /**
     * The axis of the transposed map: {@code n} outputs (the forward axis' inputs), output i reading the
     * forward outputs whose taps land on i, ascending, each with the kernel indices that land there. The
     * forward axis' pairs inverted, nothing recomputed.
     */
    static FoldedAxis transposeOf(String axis, FoldedAxis forward, int n) {
        int pairs = forward.source.length;
        long bytes = ((long) n + 1 + 2L * pairs + 1 + forward.k.length) * Integer.BYTES;
        long heap = Runtime.getRuntime().maxMemory() / 4;
        if (bytes > heap) {
            throw new InputRejectedException("the transposed " + axis + " axis' index map would take " + bytes / (1 << 20)
                    + " MB, more than a quarter of the " + heap * 4 / (1 << 20) + " MB heap");
        }
        int outN = forward.start.length - 1;
        int[] start = new int[n + 1];
        for (int e = 0; e < pairs; e++) start[forward.source[e] + 1]++;
        for (int i = 0; i < n; i++) start[i + 1] += start[i];
        int[] taps = new int[n + 1];
        for (int e = 0; e < pairs; e++) taps[forward.source[e] + 1] += forward.kStart[e + 1] - forward.kStart[e];
        for (int i = 0; i < n; i++) taps[i + 1] += taps[i];
        int[] source = new int[pairs], kStart = new int[pairs + 1], k = new int[forward.k.length];
        int[] nextPair = java.util.Arrays.copyOf(start, n), nextTap = java.util.Arrays.copyOf(taps, n);
        // Forward outputs ascend in this walk, so each transposed output's sources come out ascending.
        for (int o = 0; o < outN; o++) {
            for (int e = forward.start[o]; e < forward.start[o + 1]; e++) {
                int i = forward.source[e], slot = nextPair[i]++;
                source[slot] = o;
                kStart[slot] = nextTap[i];
                for (int t = forward.kStart[e]; t < forward.kStart[e + 1]; t++) k[nextTap[i]++] = forward.k[t];
            }
        }
        kStart[pairs] = forward.k.length;
        return new FoldedAxis(start, source, kStart, k);
    }

    /** Distinct input indices summed over all output positions. */
    public long totalSources() {
        return source.length;
    }
}
