package org.tconv.operator;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.CoordinateMatrix;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;
import org.tconv.toeplitz.BlockToeplitz;
import org.tconv.toeplitz.MatrixMarketWriter;
import org.tconv.toeplitz.MemoryBudget;
import org.tconv.toeplitz.ToeplitzEntries;

/**
 * The matrix T of one convolution on one input shape: {@code vec(conv(x)) = T vec(x) + b}, PyTorch-exact.
 * This is tconv's one front door to its operator (as scipy's {@code convolution_matrix} or PyLops'
 * {@code Convolve2D}): made by one call, it gives the products T x and T^T y, the layer's own output
 * T x + b on one item or a batch, and T's explicit forms. Everything inside (the distinct blocks, the
 * line and panel products, the CSR) is built from the same generator, so every form agrees entry for entry.
 *
 * <p>Rows of T are output elements, columns input elements, both C-order flattenings of one item
 * (no batch axis): (channel, position) in 1-D, (channel, row, col) in 2-D, (channel, depth, row, col) in 3-D.
 * <table>
 *   <caption>Shapes (g = groups; the output sizes are PyTorch's)</caption>
 *   <tr><th>layer</th><th>weight shape</th><th>input shape</th><th>rows()</th><th>cols()</th></tr>
 *   <tr><td>Conv1d</td><td>(Cout, Cin/g, kW)</td><td>(Cin, L)</td><td>Cout*Lout</td><td>Cin*L</td></tr>
 *   <tr><td>Conv2d</td><td>(Cout, Cin/g, kH, kW)</td><td>(Cin, H, W)</td><td>Cout*Hout*Wout</td><td>Cin*H*W</td></tr>
 *   <tr><td>Conv3d</td><td>(Cout, Cin/g, kD, kH, kW)</td><td>(Cin, D, H, W)</td><td>Cout*Dout*Hout*Wout</td><td>Cin*D*H*W</td></tr>
 *   <tr><td>ConvTranspose1d/2d/3d</td><td>(Cin, Cout/g, k...)</td><td>(Cin, ...)</td><td>Cout*(output sizes)</td><td>Cin*(input sizes)</td></tr>
 * </table>
 * Lout = floor((L + padLeft + padRight - dilation*(kW-1) - 1) / stride) + 1; transposed,
 * Lout = (L-1)*stride - padLeft - padRight + dilation*(kW-1) + outputPadding + 1 (and likewise per axis).
 *
 * <p>Example (ConvOperatorExampleTest runs exactly this):
 * <pre>{@code
 * double[] w = {1, 2, 1, 0, 0, 0, -1, -2, -1,   0, 1, 0, 1, -4, 1, 0, 1, 0};
 * ConvSpec spec = ConvSpec.builder(new int[] {2, 1, 3, 3}, w)
 *         .padding(Padding.of(1)).bias(new double[] {0.5, -1}).build();
 * ConvOperator t = ConvOperator.of(spec, 1, 4, 5); // Conv2d(1, 2, 3, padding=1) on a 4x5 image
 * double[] x = new double[t.cols()];               // 20 values
 * for (int i = 0; i < x.length; i++) x[i] = i % 7 - 3;
 * double[] tx = t.apply(x);                        // T x: 40 values, no bias
 * double[] y = t.convolve(x);                      // T x + b: what conv2d gives
 * double[] back = t.applyAdjoint(y);               // T^T y: 20 values
 * SparseMatrix csr = t.toSparseMatrix();           // T itself, 40 x 20, CSR
 * }</pre>
 *
 * <p>Memory: {@link #of} builds T's distinct blocks (kD * kH of them with zero padding, not T's entries) and
 * refuses with the figure ({@link MemoryBudget.MatrixTooLargeException}) what would not fit; each explicit
 * form checks its own size first in the same way. Operators are cached per (spec, input shape) in this JVM,
 * so asking again for the same layer and shape costs nothing.
 */
public final class ConvOperator implements LinearMap {
    private final ConvGeometry g;
    /** The line and panel products, with the bias as their starting value: the layer as PyTorch runs it. */
    private final LocalToeplitz products;
    /** T x and T^T y without the bias, over the same blocks; made on first use. */
    private volatile BlockToeplitzMap map;
    /** The panel products of T alone (no bias), for batched T X; made on first use. */
    private volatile LocalToeplitz linear;

    private ConvOperator(ConvGeometry g) {
        this.g = g;
        this.products = OperatorCache.get(g);
    }

    /**
     * T of {@code spec} on items of {@code inputShape} ((C, L), (C, H, W) or (C, D, H, W) for 1-, 2- or
     * 3-D weights).
     *
     * @throws org.tconv.conv.InputRejectedException for a shape the layer does not take (as PyTorch would refuse it)
     * @throws MemoryBudget.MatrixTooLargeException when T's blocks would not fit this JVM, with the figure
     */
    public static ConvOperator of(ConvSpec spec, int... inputShape) {
        return of(spec.geometry(inputShape));
    }

    /** T of a geometry already made ({@link ConvSpec#geometry}). */
    public static ConvOperator of(ConvGeometry geometry) {
        return new ConvOperator(geometry);
    }

    public ConvSpec spec() { return g.spec; }
    public ConvGeometry geometry() { return g; }
    public int[] inputShape() { return g.inputShape(); }
    public int[] outputShape() { return g.outputShape(); }

    /** Rows of T: one item's output elements. */
    @Override public int rows() { return g.outputSize(); }
    /** Columns of T: one item's input elements. */
    @Override public int cols() { return g.inputSize(); }

    // ---- one item, the bias kept apart ----

    /** y = T x (no bias); {@code y} has {@link #rows()} values and is overwritten. */
    @Override
    public void apply(double[] x, double[] y) {
        map().apply(x, y);
    }

    /** T x (no bias), a new array. */
    public double[] apply(double[] x) {
        double[] y = new double[rows()];
        apply(x, y);
        return y;
    }

    /** x = T^T y; {@code x} has {@link #cols()} values and is overwritten. */
    @Override
    public void applyAdjoint(double[] y, double[] x) {
        map().applyAdjoint(y, x);
    }

    /** T^T y, a new array. */
    public double[] applyAdjoint(double[] y) {
        double[] x = new double[cols()];
        applyAdjoint(y, x);
        return x;
    }

    /** Adds the bias b to {@code count} outputs stored one after another in {@code y} from {@code offset}. */
    public void addBias(double[] y, int offset, int count) {
        if (!g.spec.hasBias()) return;
        int plane = g.outputPlane(), cout = g.spec.outChannels();
        for (int i = 0; i < count; i++) {
            for (int co = 0; co < cout; co++) {
                double b = g.spec.bias(co);
                int from = offset + i * rows() + co * plane;
                for (int k = from; k < from + plane; k++) y[k] += b;
            }
        }
    }

    /** The bias of each output channel (zeros without one). */
    public double[] bias() {
        double[] b = new double[g.spec.outChannels()];
        for (int co = 0; co < b.length; co++) b[co] = g.spec.bias(co);
        return b;
    }

    // ---- the layer: T x + b, one item or a batch ----

    /** The layer's output T x + b for one item, a new array (the bias is the products' starting value). */
    public double[] convolve(double[] x) {
        double[] y = new double[rows()];
        products.apply(x, 0, 1, y, 0);
        return y;
    }

    /**
     * T x + b for {@code count} items stored one after another in {@code in} from {@code inOffset} (each
     * {@link #cols()} values) into {@code out} from {@code outOffset} (each {@link #rows()} values), float64,
     * through the panel product (many items share each pass over T).
     */
    public void convolve(double[] in, int inOffset, int count, double[] out, int outOffset) {
        products.apply(in, inOffset, count, out, outOffset);
    }

    /**
     * T x + b for item i read from {@code in[i]} at {@code inOffsets[i]} into {@code out[i]} at
     * {@code outOffsets[i]}: items of several arrays go through one panel. In {@link Dtype#F32} the product
     * rounds as PyTorch's float32 convolution does and its results are widened into the float64 outputs.
     */
    public void convolve(double[][] in, int[] inOffsets, double[][] out, int[] outOffsets, Dtype dtype) {
        products.apply(in, inOffsets, out, outOffsets, dtype);
    }

    /** {@link #convolve(double[][], int[], double[][], int[], Dtype)} in float32 with float32 results. */
    public void convolve(double[][] in, int[] inOffsets, float[][] out, int[] outOffsets) {
        products.apply(in, inOffsets, out, outOffsets);
    }

    /**
     * T X without the bias for {@code count} items, laid out as {@link #convolve(double[], int, int, double[], int)}
     * takes them, through the panel product of T alone (exactly T x per item, no bias added and taken off).
     */
    public void apply(double[] in, int inOffset, int count, double[] out, int outOffset) {
        linear().apply(in, inOffset, count, out, outOffset);
    }

    // ---- batches in the panel product's own layout (for the toeplitz method) ----

    /** Items per panel of the panel product for a long batch. */
    public int panelWidth(Dtype dtype) {
        return LocalToeplitz.panelWidth(g.inputSize(), Integer.MAX_VALUE, dtype);
    }

    /** Items per group of {@link #convolveGroupMajor} for a batch of {@code count}. */
    public int groupWidth(int count, Dtype dtype) {
        return products.groupWidth(count, dtype);
    }

    /** Whether a batch of {@code count} items fills at least one whole panel: {@link #convolveGroupMajor} takes it. */
    public boolean fillsPanels(int count, Dtype dtype) {
        return products.fillsPanels(count, dtype);
    }

    /**
     * T x + b for {@code count} items, left in the panel product's layout ({@link org.tconv.conv.GroupMajor},
     * groups of {@link #groupWidth}); float64 results.
     */
    public void convolveGroupMajor(double[] in, int inOffset, int count, double[] out) {
        products.applyGroupMajor(in, inOffset, count, out);
    }

    /** {@link #convolveGroupMajor(double[], int, int, double[])} in float32. */
    public void convolveGroupMajor(double[] in, int inOffset, int count, float[] out) {
        products.applyGroupMajor(in, inOffset, count, out);
    }

    // ---- sizes ----

    /** Stored entries of T, from the shape alone. */
    public long nonZeros() { return g.structuralNonZeros(); }
    /** Entries a dense T would hold. */
    public long denseEntries() { return g.denseEntries(); }
    /** Distinct values T is made of: the kernel's weights (weight sharing). */
    public int distinctParameters() { return entries().distinctParameters(); }
    /** Bytes {@link #toSparseMatrix()} would take (row pointers, column indices, values). */
    public long sparseMatrixBytes() { return g.csrBytes(); }
    /** Bytes this operator's products hold now (blocks, line index, line plans once made). */
    public long bytes() { return products.bytes(); }

    // ---- explicit forms ----

    /**
     * T as an MLlib local matrix in CSR form ({@code isTransposed = true}: colPtrs are row pointers and
     * rowIndices column indices).
     *
     * @throws MemoryBudget.MatrixTooLargeException when its {@link #sparseMatrixBytes()} would not fit
     */
    public SparseMatrix toSparseMatrix() {
        return entries().toSparseMatrix();
    }

    /** T held explicitly (the CSR of {@link #toSparseMatrix()}) behind the same two products. */
    public LinearMap toSparseMap() {
        return new SparseToeplitzMap(toSparseMatrix());
    }

    /** T as a distributed CoordinateMatrix, its rows generated in {@code sc.defaultParallelism()} tasks. */
    public CoordinateMatrix toCoordinateMatrix(JavaSparkContext sc) {
        return toCoordinateMatrix(sc, sc.defaultParallelism());
    }

    /**
     * T as a distributed CoordinateMatrix; each of {@code slices} tasks generates a range of rows.
     *
     * @throws MemoryBudget.MatrixTooLargeException when one task's entries would not fit
     */
    public CoordinateMatrix toCoordinateMatrix(JavaSparkContext sc, int slices) {
        int n = Math.max(1, slices);
        // A MatrixEntry is an object of two longs and a double (about 40 bytes) plus its list slot.
        MemoryBudget.check("one task's " + (nonZeros() / n) + " entries of the coordinate matrix of T for input " + shape(),
                (nonZeros() / n + 1) * 48);
        return entries().toCoordinateMatrix(sc, n);
    }

    /** T as a BlockMatrix of CSR blocks, in {@code sc.defaultParallelism()} partitions. */
    public BlockMatrix toBlockMatrix(JavaSparkContext sc, int rowsPerBlock, int colsPerBlock) {
        return toBlockMatrix(sc, rowsPerBlock, colsPerBlock, sc.defaultParallelism());
    }

    /**
     * T as a BlockMatrix whose blocks are CSR matrices, each built in the task that owns its rows; it knows
     * which blocks can exist, so MLlib's multiply runs no job to find them.
     *
     * @throws MemoryBudget.MatrixTooLargeException when one row block, as a task builds it, would not fit
     */
    public BlockMatrix toBlockMatrix(JavaSparkContext sc, int rowsPerBlock, int colsPerBlock, int partitions) {
        if (rowsPerBlock < 1 || colsPerBlock < 1) {
            throw new IllegalArgumentException("blocks of " + rowsPerBlock + " x " + colsPerBlock + ": both must be positive");
        }
        // A task holds its row block's entries as generated (long column, double value) and again as cut
        // into blocks (int column, double value): 28 bytes per entry, at the most entries a row can have.
        long perRow = (long) g.spec.kernelDepth() * g.spec.kernelHeight() * g.spec.kernelWidth() * g.spec.inChannelsPerGroup();
        long rowsOfBlock = Math.min(rowsPerBlock, g.outputElements());
        MemoryBudget.check("one row block of T for input " + shape() + " (" + rowsOfBlock + " rows of up to " + perRow + " entries)",
                rowsOfBlock * perRow * 28);
        return entries().toBlockMatrix(sc, rowsPerBlock, colsPerBlock, partitions);
    }

    /** Bytes of the MatrixMarket file {@link #writeMatrixMarket} writes, at most. */
    public long matrixMarketBytes() {
        return MatrixMarketWriter.estimatedBytes(g.outputElements(), g.inputElements(), nonZeros(), g.spec);
    }

    /**
     * Writes T as a MatrixMarket coordinate file (1-based, values that read back exactly), streamed from
     * the generator, never held: through a temporary file renamed into place when whole.
     */
    public void writeMatrixMarket(String output, Configuration conf) throws IOException {
        MatrixMarketWriter.write(entries(), output, conf);
    }

    /** Visits T's entries (row, column, value) of rows [from, to), row by row, columns ascending. */
    public void forEachEntry(long from, long to, BlockToeplitz.Sink sink) {
        products.operator().forEachInRows(from, to, sink);
    }

    /** Stored entries of rows [from, to), from the shape alone. */
    public long nonZerosInRows(long from, long to) {
        return entries().nonZerosInRows(from, to);
    }

    /** The column blocks row block {@code bi} may have entries in (a superset of the non-empty ones), ascending. */
    public int[] columnBlocksOf(int bi, int rowsPerBlock, int colsPerBlock) {
        return entries().columnBlocksOf(bi, rowsPerBlock, colsPerBlock);
    }

    // ---- the Gram matrix, for singular values ----

    /** The smaller Gram matrix of T (T^T T or T T^T), through {@link #apply} and {@link #applyAdjoint}. */
    public Gram gram() {
        return Gram.of(this);
    }

    /** The Gram matrix through the line products, split into ranges of output lines (threads or Spark tasks). */
    public GramLines gramLines() {
        return new GramLines(g);
    }

    // ---- internals ----

    /** The explicit forms' generator over this operator's blocks (no second build). */
    private ToeplitzEntries entries() {
        return new ToeplitzEntries(products.operator());
    }

    private BlockToeplitzMap map() {
        BlockToeplitzMap m = map;
        if (m == null) map = m = new BlockToeplitzMap(products.operator());
        return m;
    }

    private LocalToeplitz linear() {
        LocalToeplitz l = linear;
        if (l == null) linear = l = g.spec.hasBias() ? OperatorCache.get(g.spec.withoutBias().geometry(g.inputShape())) : products;
        return l;
    }

    /** The products themselves, for the bench's hooks in this package. */
    LocalToeplitz products() { return products; }

    private String shape() {
        return "(" + IntTuple.format(g.inputShape()) + ")";
    }

    @Override
    public String toString() {
        return "T of " + g.spec + " on input " + shape() + ": " + rows() + " x " + cols();
    }
}
