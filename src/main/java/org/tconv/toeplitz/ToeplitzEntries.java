package org.tconv.toeplitz;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
import org.tconv.conv.FoldedAxis;

import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * The entries (row, col, value) of the block-Toeplitz matrix T of one convolution and input shape, so that
 * vec(conv(x)) = T vec(x) + bias. Rows number output elements and columns input elements by C-order
 * flattening of (channel, row, col). This is the only generator of T: the local {@link SparseMatrix}, the
 * {@link CoordinateMatrix} and the {@link BlockMatrix} are all built from {@link #forEachInRows}.
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

    /** Receives entries in row order, columns ascending within a row, each (row, col) once. */
    public interface Sink {
        void entry(int row, int col, double value);
    }

    private final ConvGeometry g;

    public ToeplitzEntries(ConvGeometry geometry) {
        this.g = geometry;
    }

    public ConvGeometry geometry() { return g; }
    public int numRows() { return g.outputSize(); }
    public int numCols() { return g.inputSize(); }

    /** Visits the entries of rows [from, to). */
    public void forEachInRows(int from, int to, Sink sink) {
        ConvSpec s = g.spec;
        FoldedAxis rows = g.rows, cols = g.cols;
        int plane = g.outputPlane();
        int perGroup = s.outChannels() / s.groups();
        int cinPG = s.inChannelsPerGroup();
        int hw = g.h * g.w;
        for (int r = from; r < to; r++) {
            int co = r / plane;
            int rem = r - co * plane;
            int oy = rem / g.outW;
            int ox = rem - oy * g.outW;
            int ci0 = (co / perGroup) * cinPG;
            for (int cil = 0; cil < cinPG; cil++) {
                int chanBase = (ci0 + cil) * hw;
                for (int a = rows.start[oy]; a < rows.start[oy + 1]; a++) {
                    int rowBase = chanBase + rows.source[a] * g.w;
                    for (int b = cols.start[ox]; b < cols.start[ox + 1]; b++) {
                        double v = 0.0;
                        for (int i = rows.kStart[a]; i < rows.kStart[a + 1]; i++) {
                            for (int j = cols.kStart[b]; j < cols.kStart[b + 1]; j++) {
                                v += s.weight(co, cil, rows.k[i], cols.k[j]);
                            }
                        }
                        sink.entry(r, rowBase + cols.source[b], v);
                    }
                }
            }
        }
    }

    /** Stored entries of T, from the shape alone. */
    public long nonZeros() { return g.structuralNonZeros(); }
    /** Entries a dense T would hold. */
    public long denseEntries() { return g.denseEntries(); }
    /** Distinct values T is made of: the kernel's weights (weight sharing). */
    public int distinctParameters() { return g.spec.kernelHeight() * g.spec.kernelWidth() * g.spec.outChannels() * g.spec.inChannelsPerGroup(); }

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
        int[] rowPtr = new int[numRows() + 1];
        int[] colIdx = new int[(int) nnz];
        double[] values = new double[(int) nnz];
        int[] n = {0};
        int[] lastRow = {0};
        forEachInRows(0, numRows(), (row, col, v) -> {
            while (lastRow[0] < row) rowPtr[++lastRow[0]] = n[0];
            colIdx[n[0]] = col;
            values[n[0]++] = v;
        });
        while (lastRow[0] < numRows()) rowPtr[++lastRow[0]] = n[0];
        if (n[0] != nnz) throw new IllegalStateException("generated " + n[0] + " entries, expected " + nnz);
        return new SparseMatrix(numRows(), numCols(), rowPtr, colIdx, values, true);
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
     */
    public BlockMatrix toBlockMatrix(JavaSparkContext sc, int rowsPerBlock, int colsPerBlock, int partitions) {
        int rowBlocks = (numRows() + rowsPerBlock - 1) / rowsPerBlock;
        List<Integer> blockRows = new ArrayList<>();
        for (int i = 0; i < rowBlocks; i++) blockRows.add(i);
        ToeplitzEntries self = this;
        int nRows = numRows(), nCols = numCols();
        JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks = sc.parallelize(blockRows, Math.max(1, Math.min(partitions, rowBlocks)))
                .flatMapToPair(bi -> self.blocksOfRowBlock(bi, rowsPerBlock, colsPerBlock, nRows, nCols).iterator());
        return new BlockMatrix(blocks.rdd(), rowsPerBlock, colsPerBlock, numRows(), numCols());
    }

    List<Tuple2<Tuple2<Object, Object>, Matrix>> blocksOfRowBlock(int bi, int rpb, int cpb, int nRows, int nCols) {
        int r0 = bi * rpb;
        int r1 = Math.min(nRows, r0 + rpb);
        Map<Integer, CsrBuilder> byColBlock = new HashMap<>();
        forEachInRows(r0, r1, (r, c, v) -> byColBlock
                .computeIfAbsent(c / cpb, bj -> new CsrBuilder(r1 - r0))
                .add(r - r0, c - (c / cpb) * cpb, v));
        List<Tuple2<Tuple2<Object, Object>, Matrix>> out = new ArrayList<>();
        for (Map.Entry<Integer, CsrBuilder> e : new TreeMap<>(byColBlock).entrySet()) {
            int bj = e.getKey();
            int cols = Math.min(cpb, nCols - bj * cpb);
            out.add(new Tuple2<>(new Tuple2<>(bi, bj), e.getValue().build(cols)));
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

    /** Growable CSR for one block, filled row by row. */
    private static final class CsrBuilder {
        private final int[] rowPtr;
        private int[] cols = new int[16];
        private double[] vals = new double[16];
        private int n;
        private int lastRow;

        CsrBuilder(int rows) {
            rowPtr = new int[rows + 1];
        }

        void add(int row, int col, double v) {
            while (lastRow < row) rowPtr[++lastRow] = n;
            if (n == cols.length) {
                cols = java.util.Arrays.copyOf(cols, n * 2);
                vals = java.util.Arrays.copyOf(vals, n * 2);
            }
            cols[n] = col;
            vals[n++] = v;
        }

        SparseMatrix build(int numCols) {
            while (lastRow < rowPtr.length - 1) rowPtr[++lastRow] = n;
            return new SparseMatrix(rowPtr.length - 1, numCols, rowPtr, java.util.Arrays.copyOf(cols, n),
                    java.util.Arrays.copyOf(vals, n), true);
        }
    }
}
