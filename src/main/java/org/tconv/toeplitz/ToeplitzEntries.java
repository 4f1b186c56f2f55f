package org.tconv.toeplitz;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.CoordinateMatrix;
import org.apache.spark.mllib.linalg.distributed.MatrixEntry;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.FlatIndex;
import org.tconv.conv.FoldedAxis;

import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * The entries (row, col, value) of the block-Toeplitz matrix T of one convolution and input shape, so that
 * vec(conv(x)) = T vec(x) + bias. Rows number output elements and columns input elements by C-order
 * flattening of (channel, depth, row, col) ({@link FlatIndex}). The local {@link SparseMatrix}, the
 * {@link CoordinateMatrix} and the {@link BlockMatrix} are all built from {@link #forEachInRows}, which is
 * {@link BlockToeplitz}'s: the one place that knows where a tap lands.
 *
 * <p>Example: 1 channel, kernel [a b c], input length 5, no padding: T is 3 x 5,
 * <pre>
 *   a b c . .
 *   . a b c .
 *   . . a b c
 * </pre>
 * Zero padding drops out-of-range taps; the other padding modes fold them onto the pixel they read, and
 * taps on the same pixel are summed into one entry. T is never dense: memory is proportional to its entries.
 */
public final class ToeplitzEntries implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ConvGeometry g;
    private final BlockToeplitz op;
    private transient long[] colPrefix;
    private transient int[] colSpan;

    public ToeplitzEntries(ConvGeometry geometry) {
        this(new BlockToeplitz(geometry));
    }

    /** The explicit forms of an operator already built. */
    public ToeplitzEntries(BlockToeplitz operator) {
        this.g = operator.geometry();
        this.op = operator;
    }

    public ConvGeometry geometry() { return g; }
    public BlockToeplitz operator() { return op; }
    public int numRows() { return g.outputSize(); }
    public int numCols() { return g.inputSize(); }

    /** Visits the entries of rows [from, to): the operator's, see {@link BlockToeplitz#forEachInRows}. */
    public void forEachInRows(long from, long to, BlockToeplitz.Sink sink) {
        op.forEachInRows(from, to, sink);
    }

    /** Stored entries of T, from the shape alone. */
    public long nonZeros() { return g.structuralNonZeros(); }
    /** Entries a dense T would hold. */
    public long denseEntries() { return g.denseEntries(); }
    /** Distinct values T is made of: the kernel's weights (weight sharing). */
    public int distinctParameters() {
        return g.spec.kernelDepth() * g.spec.kernelHeight() * g.spec.kernelWidth() * g.spec.outChannels() * g.spec.inChannelsPerGroup();
    }

    /**
     * T as an MLlib local matrix in CSR form ({@code isTransposed = true}: colPtrs are row pointers and
     * rowIndices column indices), allocated once at its exact size after a memory check.
     */
    public SparseMatrix toSparseMatrix() {
        long nnz = nonZeros();
        MemoryBudget.check("the Toeplitz matrix for input " + shapeText(g.inputShape()) + " (" + nnz + " non-zeros)",
                g.csrBytes());
        if (nnz > Integer.MAX_VALUE - 8) {
            throw new MemoryBudget.MatrixTooLargeException("the Toeplitz matrix has " + nnz
                    + " non-zeros, more than one local matrix can index; use --method blockmatrix");
        }
        int rows = numRows();
        int[] rowPtr = new int[rows + 1];
        for (int r = 0; r < rows; r++) rowPtr[r + 1] = rowPtr[r] + (int) nonZerosOfRow(r);
        if (rowPtr[rows] != nnz) throw new IllegalStateException("rows hold " + rowPtr[rows] + " entries, expected " + nnz);
        int[] colIdx = new int[(int) nnz];
        double[] values = new double[(int) nnz];
        // Every row's place is known from the shape, so ranges of rows fill in parallel: while one task
        // builds T, the executor's other tasks wait for it (LocalToeplitz caches it), their cores idle.
        List<int[]> ranges = rowRanges(rows, nnz < (1 << 20) ? 1 : 4 * Runtime.getRuntime().availableProcessors());
        ranges.parallelStream().forEach(range -> {
            int[] k = {rowPtr[range[0]]};
            forEachInRows(range[0], range[1], (r, c, v) -> {
                colIdx[k[0]] = (int) c;
                values[k[0]++] = v;
            });
            if (k[0] != rowPtr[range[1]]) throw new IllegalStateException("rows " + range[0] + ".." + range[1] + " generated "
                    + (k[0] - rowPtr[range[0]]) + " entries, expected " + (rowPtr[range[1]] - rowPtr[range[0]]));
        });
        return new SparseMatrix(rows, numCols(), rowPtr, colIdx, values, true);
    }

    /** T as a distributed CoordinateMatrix; each of {@code slices} tasks generates a range of rows. */
    public CoordinateMatrix toCoordinateMatrix(JavaSparkContext sc, int slices) {
        List<int[]> ranges = rowRanges(numRows(), Math.max(1, slices));
        ToeplitzEntries self = this;
        JavaRDD<MatrixEntry> entries = sc.parallelize(ranges, ranges.size()).flatMap(range -> {
            List<MatrixEntry> out = new ArrayList<>();
            self.forEachInRows(range[0], range[1], (r, c, v) -> out.add(new MatrixEntry(r, c, v)));
            return out.iterator();
        });
        // The Java API tags RDDs as Object; MLlib's collect-based methods need the real element class.
        return new CoordinateMatrix(entries.rdd().map(identity(), ClassTag$.MODULE$.apply(MatrixEntry.class)), numRows(), numCols());
    }

    /**
     * T as a BlockMatrix whose blocks are CSR {@link SparseMatrix}es, each built in the task that owns its
     * rows: no entry is shuffled and the dimensions are given, so Spark runs no extra job to find them.
     * The result knows which blocks can exist, so {@code multiply} runs no job to find them either
     * ({@link ToeplitzBlockMatrix}). T's rows and columns are longs (MLlib's dimensions are); one block and
     * the number of blocks are ints, as MLlib has them.
     */
    public BlockMatrix toBlockMatrix(JavaSparkContext sc, int rowsPerBlock, int colsPerBlock, int partitions) {
        long nRows = g.outputElements(), nCols = g.inputElements();
        long rowBlockCount = (nRows + rowsPerBlock - 1) / rowsPerBlock;
        if (rowBlockCount > Integer.MAX_VALUE || (nCols + colsPerBlock - 1) / colsPerBlock > Integer.MAX_VALUE) {
            throw new MemoryBudget.MatrixTooLargeException("T for input " + shapeText(g.inputShape()) + " (" + nRows + " x " + nCols
                    + ") in blocks of " + rowsPerBlock + " x " + colsPerBlock + " has more blocks than MLlib numbers");
        }
        int rowBlocks = (int) rowBlockCount;
        List<Integer> blockRows = new ArrayList<>();
        for (int i = 0; i < rowBlocks; i++) blockRows.add(i);
        ToeplitzEntries self = this;
        JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks = sc.parallelize(blockRows, Math.max(1, Math.min(partitions, rowBlocks)))
                .flatMapToPair(bi -> self.blocksOfRowBlock(bi, rowsPerBlock, colsPerBlock).iterator());
        int[][] columnBlocks = new int[rowBlocks][];
        for (int i = 0; i < rowBlocks; i++) columnBlocks[i] = columnBlocksOf(i, rowsPerBlock, colsPerBlock);
        return new ToeplitzBlockMatrix(blocks.rdd(), rowsPerBlock, colsPerBlock, nRows, nCols, columnBlocks);
    }

    /** Stored entries of output row {@code r}, from the shape alone: (slices x rows x columns read) x input channels. */
    public long nonZerosOfRow(long r) {
        int[] at = g.output().decode(r, new int[4]);
        return sources(g.depth, at[1]) * sources(g.rows, at[2]) * sources(g.cols, at[3]) * g.spec.inChannelsPerGroup();
    }

    private static long sources(FoldedAxis axis, int o) {
        return axis.start[o + 1] - axis.start[o];
    }

    /** Stored entries of rows [from, to), from the shape alone, in time proportional to the image rows spanned. */
    public long nonZerosInRows(long from, long to) {
        if (to <= from) return 0;
        int outW = g.outW;
        long[] colPrefix = columnPrefix();
        long cin = g.spec.inChannelsPerGroup();
        FlatIndex out = g.output();
        int[] at = new int[4];
        long sum = 0;
        // walk the output image rows (channel, depth, row) overlapping [from, to)
        long r = from;
        while (r < to) {
            out.decode(r, at);
            int ox = at[3];
            long rowEnd = Math.min(to, r - ox + outW); // exclusive, within this image row
            int ox1 = ox + (int) (rowEnd - r);
            sum += sources(g.depth, at[1]) * sources(g.rows, at[2]) * (colPrefix[ox1] - colPrefix[ox]) * cin;
            r = rowEnd;
        }
        return sum;
    }

    /** Entries per output column, summed: [0, ox). Computed on first use, not shipped to tasks. */
    private long[] columnPrefix() {
        long[] p = colPrefix;
        if (p == null) {
            p = new long[g.outW + 1];
            for (int ox = 0; ox < g.outW; ox++) p[ox + 1] = p[ox] + (g.cols.start[ox + 1] - g.cols.start[ox]);
            colPrefix = p;
        }
        return p;
    }

    /** Lowest and highest input column any tap reads. */
    private int[] columnSpan() {
        int[] span = colSpan;
        if (span == null) {
            span = new int[] {Integer.MAX_VALUE, -1};
            for (int c : g.cols.source) {
                span[0] = Math.min(span[0], c);
                span[1] = Math.max(span[1], c);
            }
            colSpan = span;
        }
        return span;
    }

    /**
     * The column blocks (of {@code colsPerBlock} columns) that row block {@code bi} may have entries in,
     * ascending: a superset of the non-empty blocks, from the shape alone. Per input channel the taps of the
     * block's output lines (depth, row) read input lines between the lowest and the highest (depth, row)
     * they touch, so the columns lie in [that channel's first line read + first column read, last line
     * read + last column read].
     */
    public int[] columnBlocksOf(int bi, int rowsPerBlock, int colsPerBlock) {
        long r0 = (long) bi * rowsPerBlock, r1 = Math.min(g.outputElements(), r0 + rowsPerBlock);
        if (r1 <= r0 || g.cols.source.length == 0 || g.rows.source.length == 0 || g.depth.source.length == 0) return new int[0];
        ConvSpec s = g.spec;
        FlatIndex out = g.output(), in = g.input();
        int perGroup = s.outChannels() / s.groups(), cinPG = s.inChannelsPerGroup();
        int minCol = columnSpan()[0], maxCol = columnSpan()[1];
        java.util.BitSet blocks = new java.util.BitSet();
        int[] first = out.decode(r0, new int[4]), last = out.decode(r1 - 1, new int[4]);
        for (int co = first[0]; co <= last[0]; co++) {
            // output lines (oz * outH + oy) of channel co inside the block
            int lineA = co == first[0] ? first[1] * g.outH + first[2] : 0;
            int lineB = co == last[0] ? last[1] * g.outH + last[2] : g.outD * g.outH - 1;
            long minLine = Long.MAX_VALUE, maxLine = -1;
            for (int line = lineA; line <= lineB; line++) {
                int oz = line / g.outH, oy = line % g.outH;
                for (int z = g.depth.start[oz]; z < g.depth.start[oz + 1]; z++) {
                    for (int a = g.rows.start[oy]; a < g.rows.start[oy + 1]; a++) {
                        long l = (long) g.depth.source[z] * g.h + g.rows.source[a];
                        minLine = Math.min(minLine, l);
                        maxLine = Math.max(maxLine, l);
                    }
                }
            }
            if (maxLine < 0) continue;
            int ci0 = (co / perGroup) * cinPG;
            for (int ci = ci0; ci < ci0 + cinPG; ci++) {
                long lo = in.of(ci, 0, 0, 0) + minLine * g.w + minCol;
                long hi = in.of(ci, 0, 0, 0) + maxLine * g.w + maxCol;
                blocks.set((int) (lo / colsPerBlock), (int) (hi / colsPerBlock) + 1);
            }
        }
        return blocks.stream().toArray();
    }

    /**
     * The non-empty blocks of row block {@code bi}: the rows are generated once into arrays of their exact
     * size (the count comes from the shape), then cut at the column-block edges into one CSR per block.
     * Peak memory is about twice the row block's CSR (its columns are held as longs until they are cut:
     * T may have more than 2^31 columns); no per-entry hashing or boxing.
     */
    List<Tuple2<Tuple2<Object, Object>, Matrix>> blocksOfRowBlock(int bi, int rpb, int cpb) {
        long nRows = g.outputElements(), nCols = g.inputElements();
        long r0 = (long) bi * rpb;
        long r1 = Math.min(nRows, r0 + rpb);
        int n = (int) (r1 - r0);
        long total = nonZerosInRows(r0, r1);
        if (total > Integer.MAX_VALUE - 8) {
            throw new MemoryBudget.MatrixTooLargeException("a row block of T would hold " + total
                    + " non-zeros, more than one local matrix can index");
        }
        int[] rowPtr = new int[n + 1];
        for (int i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + (int) nonZerosOfRow(r0 + i);
        long[] cols = new long[(int) total];
        double[] vals = new double[(int) total];
        int[] k = {0};
        forEachInRows(r0, r1, (r, c, v) -> {
            cols[k[0]] = c;
            vals[k[0]++] = v;
        });
        if (k[0] != total) throw new IllegalStateException("generated " + k[0] + " entries, expected " + total);
        List<Tuple2<Tuple2<Object, Object>, Matrix>> out = new ArrayList<>();
        if (total == 0) return out;
        long first = Long.MAX_VALUE, last = -1;
        for (int i = 0; i < n; i++) {
            if (rowPtr[i + 1] > rowPtr[i]) {
                first = Math.min(first, cols[rowPtr[i]]);
                last = Math.max(last, cols[rowPtr[i + 1] - 1]);
            }
        }
        int[] cursor = java.util.Arrays.copyOf(rowPtr, n); // next entry of each row not yet in a block
        for (int bj = (int) (first / cpb); bj <= (int) (last / cpb); bj++) {
            long base = (long) bj * cpb;
            long end = Math.min(base + cpb, nCols);
            int[] ptr = new int[n + 1];
            for (int i = 0; i < n; i++) {
                int e = cursor[i];
                while (e < rowPtr[i + 1] && cols[e] < end) e++;
                ptr[i + 1] = ptr[i] + (e - cursor[i]);
            }
            int nnz = ptr[n];
            if (nnz == 0) continue;
            int[] bc = new int[nnz];
            double[] bv = new double[nnz];
            for (int i = 0; i < n; i++) {
                int len = ptr[i + 1] - ptr[i];
                System.arraycopy(vals, cursor[i], bv, ptr[i], len);
                for (int e = 0; e < len; e++) bc[ptr[i] + e] = (int) (cols[cursor[i] + e] - base);
                cursor[i] += len;
            }
            out.add(new Tuple2<>(new Tuple2<>(bi, bj), new SparseMatrix(n, (int) (end - base), ptr, bc, bv, true)));
        }
        return out;
    }

    private static <T> scala.Function1<T, T> identity() {
        return (scala.Function1<T, T> & Serializable) x -> x;
    }

    /** Splits [0, n) into at most {@code parts} contiguous ranges. */
    static List<int[]> rowRanges(int n, int parts) {
        List<int[]> ranges = new ArrayList<>();
        int p = Math.min(parts, Math.max(1, n));
        for (int i = 0; i < p; i++) {
            int a = (int) ((long) n * i / p), b = (int) ((long) n * (i + 1) / p);
            if (b > a) ranges.add(new int[] {a, b});
        }
        return ranges;
    }

    static String shapeText(int[] s) {
        return "(" + org.tconv.conv.IntTuple.format(s) + ")";
    }
}
