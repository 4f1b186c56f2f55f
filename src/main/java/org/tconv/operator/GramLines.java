package org.tconv.operator;

import java.io.Serializable;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.tconv.conv.ConvGeometry;
import org.tconv.operator.Gram;
import org.tconv.toeplitz.MemoryBudget;

/**
 * The Gram matrix A^T A of a convolution's map (bias excluded) applied by the toeplitz method's line
 * product, as a sum over ranges of A's output lines: A^T A = sum_r A_r^T A_r, where A_r holds the rows of
 * the lines in range r. A range computes its lines of A v, then A^T of those lines alone, for the input
 * lines they reach; so ranges run on separate threads ({@link #apply}) or Spark tasks, and each sends back
 * only the input lines its output lines read. A is T when T has no more columns than rows, else T^T, so
 * the Gram matrix is always the smaller one; T^T is the line product of {@link ConvGeometry#adjoint()},
 * the same operator code transposed, never a second copy of the index logic.
 */
public final class GramLines implements Gram, Serializable {
    private static final long serialVersionUID = 1L;

    /** A, bias-free. */
    private final ConvGeometry a;
    /** A^T: the adjoint's geometry. */
    private final ConvGeometry at;

    GramLines(ConvGeometry t) {
        ConvGeometry linear = t.spec.hasBias() ? t.spec.withoutBias().geometry(t.inputShape()) : t;
        boolean columns = linear.inputElements() <= linear.outputElements();
        this.a = columns ? linear : linear.adjoint();
        this.at = a.adjoint();
        // The line products index one vector: a side past 2^31 - 1 is refused here (ArithmeticException), not mid-run.
        a.inputSize();
        a.outputSize();
    }

    @Override public int dimension() { return a.inputSize(); }

    /** Output lines of A (depth slices x rows): what the ranges split. */
    public int lines() { return a.outD * a.outH; }

    /** Bytes one thread's buffers take: a whole A v and a whole A^T y (lines outside a range stay zero). */
    public long bytesPerThread() {
        return ((long) a.outputSize() + a.inputSize()) * Double.BYTES;
    }

    /**
     * Checks that {@code threads} threads' buffers fit, before any is allocated (the two line products check
     * their own operators when {@link ConvOperator#of} builds them).
     */
    public void checkMemory(int threads) {
        MemoryBudget.check("the Gram product's buffers (" + threads + " thread(s), each A v of " + a.outputSize()
                + " and A^T y of " + a.inputSize() + " values)", threads * bytesPerThread());
    }

    /** A^T A v, the ranges on this JVM's threads, added in range order (the result does not depend on timing). */
    @Override
    public void apply(double[] v, double[] out) {
        int ranges = Math.min(lines(), 4 * Runtime.getRuntime().availableProcessors());
        List<Partial> parts = IntStream.range(0, ranges).parallel()
                .mapToObj(r -> partial(v, lineFrom(r, ranges), lineFrom(r + 1, ranges)))
                .collect(Collectors.toList());
        sum(parts, out);
    }

    /** The first output line of range {@code r} of {@code ranges}. */
    public int lineFrom(int r, int ranges) {
        return (int) ((long) lines() * r / ranges);
    }

    /** {@code out} = the sum of the partials, in their order. */
    public static void sum(List<Partial> parts, double[] out) {
        Arrays.fill(out, 0.0);
        for (Partial p : parts) p.addTo(out);
    }

    /** A_r^T A_r v for the output lines [from, to) of A: the input lines it reaches and their values. */
    public Partial partial(double[] v, int from, int to) {
        LocalToeplitz fwd = LocalToeplitz.of(a), adj = LocalToeplitz.of(at);
        Buffers b = Buffers.of(a.outputSize(), a.inputSize());
        int outW = a.outW, outPlane = a.outputPlane(), cout = a.spec.outChannels();
        try {
            fwd.lineProduct().lines(v, 0, b.y, 0, from, to);
            int[] reached = reachedInputLines(fwd, from, to);
            for (int i = 0; i < reached.length; ) {
                int j = i + 1;
                while (j < reached.length && reached[j] == reached[j - 1] + 1) j++;
                adj.lineProduct().lines(b.y, 0, b.x, 0, reached[i], reached[j - 1] + 1);
                i = j;
            }
            int w = a.w, inPlane = Math.toIntExact(a.input().channelSize()), cin = a.c;
            double[] values = new double[cin * reached.length * w];
            for (int c = 0, k = 0; c < cin; c++) {
                for (int line : reached) {
                    System.arraycopy(b.x, c * inPlane + line * w, values, k, w);
                    k += w;
                }
            }
            return new Partial(reached, w, inPlane, values);
        } finally {
            // Only lines [from, to) were written: zero them again, so the buffer is all zeros for the next range.
            for (int co = 0; co < cout; co++) Arrays.fill(b.y, co * outPlane + from * outW, co * outPlane + to * outW, 0.0);
        }
    }

    /** The input lines of A that its output lines [from, to) read, ascending. */
    private static int[] reachedInputLines(LocalToeplitz fwd, int from, int to) {
        int[] lineStart = fwd.operator().lineStart(), pairLine = fwd.operator().pairLine();
        BitSet seen = new BitSet();
        for (int p = lineStart[from]; p < lineStart[to]; p++) seen.set(pairLine[p]);
        return seen.stream().toArray();
    }

    /**
     * What one range adds to A^T A v: the values of whole input lines (every channel), by channel then line.
     * A class, not a record: Spark's Kryo serializer (the shipped spark-defaults) cannot write records.
     */
    public static final class Partial implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int[] lines;
        private final int width, channelSize;
        private final double[] values;

        Partial(int[] lines, int width, int channelSize, double[] values) {
            this.lines = lines;
            this.width = width;
            this.channelSize = channelSize;
            this.values = values;
        }

        public void addTo(double[] out) {
            int k = 0;
            int channels = lines.length == 0 ? 0 : values.length / (lines.length * width);
            for (int c = 0; c < channels; c++) {
                for (int line : lines) {
                    int o = c * channelSize + line * width;
                    for (int x = 0; x < width; x++) out[o + x] += values[k++];
                }
            }
        }
    }

    /**
     * A thread's A v and A^T y, kept for its next range: A v is as big as T's rows (133 MB for 64 channels of
     * 510 x 510), too big to allocate and zero per range.
     */
    private static final class Buffers {
        private static final ThreadLocal<Buffers> MINE = new ThreadLocal<>();
        final double[] y, x;

        private Buffers(int ySize, int xSize) {
            y = new double[ySize];
            x = new double[xSize];
        }

        static Buffers of(int ySize, int xSize) {
            Buffers b = MINE.get();
            if (b == null || b.y.length != ySize || b.x.length != xSize) {
                b = new Buffers(ySize, xSize);
                MINE.set(b);
            }
            return b;
        }
    }
}
