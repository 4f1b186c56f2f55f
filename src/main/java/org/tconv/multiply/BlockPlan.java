package org.tconv.multiply;

import java.util.Locale;

import org.tconv.conv.ConvGeometry;
import org.tconv.operator.ConvOperator;
import org.tconv.read.AdmissionBudget;
import org.tconv.toeplitz.MemoryBudget;

/**
 * Block sizes for Y = T X with MLlib BlockMatrix, chosen from the shapes and the parallelism, and the
 * memory the product needs in one executor.
 *
 * <p>T (outputs x pixels) is cut into row blocks: at least two per core, a whole number of waves, each
 * holding at most ~{@value #T_BLOCK_BYTES} bytes of CSR; columns (X's rows) are cut into as many blocks (none
 * narrower than a row block is tall), so a convolution's band of T touches a few column blocks per row block. One task builds one row block, and
 * one task of the product multiplies one row block (by one item block of X): the unit of work and of
 * memory. X (pixels x items) and Y are dense, their blocks at most ~{@value #DENSE_BLOCK_BYTES} bytes; all
 * items go in one item block when they fit, so T is shuffled once.
 *
 * <p>T's rows and columns, offsets and non-zero counts are longs, as MLlib's BlockMatrix dimensions are:
 * a T of more than 2^31 rows plans like any other. What stays int is what MLlib makes int: the size of one
 * block (a local matrix), block indices, and one item's input and output (one Java array each, as every
 * method hands them on); {@link #check} refuses what does not fit those, and the executor's memory.
 *
 * <p>Memory, an upper bound for one executor: the tasks it runs at once, each holding at most
 * {@value #T_COPIES} copies of its row block of T (built or deserialised, plus the serialised record and
 * the page it is copied into, or the fetched bytes) and its dense X and Y blocks; plus
 * {@value #DENSE_COPIES} copies of the group's whole dense input and output (cached input, X blocks,
 * product, per-item pieces, the assembled output and what the writer makes of it), counted as if one
 * executor held them all. T as a whole never has to fit anywhere: it passes through in row blocks.
 */
public final class BlockPlan {
    static final long T_BLOCK_BYTES = 128L << 20;
    static final long DENSE_BLOCK_BYTES = 64L << 20;
    static final int T_COPIES = 3;
    static final int DENSE_COPIES = 4;

    /** T's rows (one item's output values) and columns (one item's input values). */
    public final long rows, cols;
    public final long items;
    public final int rowsPerBlock;
    public final int colsPerBlock;
    public final int itemsPerBlock;
    public final int rowBlocks;
    public final int colBlocks;
    public final int itemBlocks;
    /** Partitions of T's and X's block RDDs: one row block of T per task. */
    public final int partitions;
    /** {@code numMidDimSplits} for {@code BlockMatrix.multiply}: enough cogroup partitions for one (row block, item block) each. */
    public final int midDimSplits;
    /** Product tasks one executor runs at once. */
    public final int tasksAtOnce;
    /** Non-zeros of the largest row block of T (all its column blocks). */
    public final long rowBlockNonZeros;
    /** CSR bytes of the largest row block of T (all its column blocks). */
    public final long rowBlockBytes;
    /** One product task at most: its copies of a T row block and its dense blocks. */
    public final long taskBytes;
    /** The group's dense inputs and outputs, all copies. */
    public final long denseBytes;
    /** One executor at most: {@code tasksAtOnce x taskBytes + denseBytes}. */
    public final long neededBytes;
    /** Column blocks one row block of T touches, at most. */
    public final int maxColumnBlocks;
    /** T's row blocks as MLlib's multiply ships them (once per item block), uncompressed, at most. */
    public final long shuffledTBytes;
    /**
     * What the product writes to local disk, uncompressed, at most: its shuffle files (T's blocks, X's blocks
     * once to group them and once to each row block that reads them, the partial products, the per-item
     * pieces and the joined outputs) and the cached input should it spill. A job keeps its shuffle files
     * until it ends; in local mode they are all on this machine's disk.
     */
    public final long shuffleBytes;

    private BlockPlan(long rows, long cols, long items, int rpb, int cpb, int ipb, int rowBlocks, int colBlocks,
                      int itemBlocks, int partitions, int midDimSplits, int tasksAtOnce, long rowBlockNonZeros,
                      long rowBlockBytes, long taskBytes, long denseBytes, int maxColumnBlocks) {
        this.rows = rows;
        this.cols = cols;
        this.items = items;
        this.rowsPerBlock = rpb;
        this.colsPerBlock = cpb;
        this.itemsPerBlock = ipb;
        this.rowBlocks = rowBlocks;
        this.colBlocks = colBlocks;
        this.itemBlocks = itemBlocks;
        this.partitions = partitions;
        this.midDimSplits = midDimSplits;
        this.tasksAtOnce = tasksAtOnce;
        this.rowBlockNonZeros = rowBlockNonZeros;
        this.rowBlockBytes = rowBlockBytes;
        this.taskBytes = taskBytes;
        this.denseBytes = denseBytes;
        this.neededBytes = saturatedAdd(saturatedMultiply(tasksAtOnce, taskBytes), denseBytes);
        this.maxColumnBlocks = maxColumnBlocks;
        this.shuffledTBytes = saturatedMultiply(saturatedMultiply(rowBlocks, rowBlockBytes), itemBlocks);
        long xShipped = saturatedMultiply((long) rowBlocks * maxColumnBlocks, (long) colsPerBlock * Double.BYTES);
        long denseShuffled = saturatedMultiply(items, saturatedAdd(saturatedAdd(2 * cols * Double.BYTES, xShipped),
                3 * rows * Double.BYTES));
        this.shuffleBytes = saturatedAdd(shuffledTBytes, denseShuffled);
    }

    /** The plan when every task may run in one JVM (local mode): all {@code parallelism} tasks at once. */
    public static BlockPlan choose(ConvGeometry g, long items, int parallelism) {
        return choose(g, items, parallelism, parallelism);
    }

    /**
     * From the shape alone: nothing of T is built (the operator's few distinct blocks count the non-zeros).
     *
     * @param parallelism   task slots of the whole application (Spark's default parallelism)
     * @param tasksPerExecutor task slots of one executor: how many product tasks share its memory
     * @throws MemoryBudget.MatrixTooLargeException when T would need more blocks than MLlib's int block indices number
     */
    public static BlockPlan choose(ConvGeometry g, long items, int parallelism, int tasksPerExecutor) {
        int p = Math.max(1, parallelism);
        long rows = g.outputElements(), cols = g.inputElements();
        long csrBytes = g.csrBytes();
        long wanted = Math.max(2L * p, ceilDiv(csrBytes, T_BLOCK_BYTES));
        wanted = Math.max(1, Math.min(ceilDiv(wanted, p) * p, rows));
        // csrBytes >= 4 bytes a row, so a block of at most T_BLOCK_BYTES has at most 2^25 rows: an int
        int rpb = (int) ceilDiv(rows, wanted);
        int rowBlocks = blockCount("row", g, ceilDiv(rows, rpb));
        // As many column blocks as row blocks, but none narrower than a row block: with many more output
        // channels than input channels (rows >> cols) narrow column blocks would cut each row block's band
        // into dozens of CSR blocks, each with its own row pointers (16 x 16384^2: 19 blocks, 25% over the
        // cap). And no X block taller than a dense block holds for one item.
        int cpb = (int) Math.min(DENSE_BLOCK_BYTES / Double.BYTES, Math.max(rpb, ceilDiv(cols, rowBlocks)));
        int colBlocks = blockCount("column", g, ceilDiv(cols, cpb));
        long ipbLong = Math.max(1, Math.min(items, DENSE_BLOCK_BYTES / (8L * Math.max(rpb, cpb))));
        int ipb = (int) ipbLong;
        int itemBlocks = blockCount("item", g, ceilDiv(items, ipb));
        int partitions = rowBlocks;

        // MLlib's result partitioner for max(T's, X's) = rowBlocks partitions, as GridPartitioner.apply computes it
        double scale = 1.0 / Math.sqrt(partitions);
        long rowsPerPart = Math.round(Math.max(scale * rowBlocks, 1.0));
        long colsPerPart = Math.round(Math.max(scale * itemBlocks, 1.0));
        long resultPartitions = ceilDiv(rowBlocks, rowsPerPart) * ceilDiv(itemBlocks, colsPerPart);
        int midDimSplits = (int) Math.min(Integer.MAX_VALUE, Math.max(1, ceilDiv((long) rowBlocks * itemBlocks, resultPartitions)));

        ConvOperator t = ConvOperator.of(g);
        long rowBlockBytes = 0, rowBlockNonZeros = 0;
        int maxColBlocks = 1;
        for (int i = 0; i < rowBlocks; i++) {
            int touched = t.columnBlocksOf(i, rpb, cpb).length;
            long r0 = (long) i * rpb, r1 = Math.min(rows, r0 + rpb);
            long nnz = t.nonZerosInRows(r0, r1);
            long bytes = nnz * (Double.BYTES + Integer.BYTES) + (long) touched * (r1 - r0 + 1) * Integer.BYTES;
            rowBlockBytes = Math.max(rowBlockBytes, bytes);
            rowBlockNonZeros = Math.max(rowBlockNonZeros, nnz);
            maxColBlocks = Math.max(maxColBlocks, touched);
        }
        // per task: the X blocks its row block reads, one product block per T block, their sum and the result
        long taskDense = 8L * ipb * ((long) maxColBlocks * cpb + (long) (maxColBlocks + 2) * rpb);
        long taskBytes = T_COPIES * rowBlockBytes + taskDense;
        int tasksAtOnce = (int) Math.max(1, Math.min(Math.max(1, tasksPerExecutor), (long) rowBlocks * itemBlocks));
        long denseBytes = saturatedMultiply(DENSE_COPIES * 8L * items, rows + cols);
        return new BlockPlan(rows, cols, items, rpb, cpb, ipb, rowBlocks, colBlocks, itemBlocks, partitions, midDimSplits,
                tasksAtOnce, rowBlockNonZeros, rowBlockBytes, taskBytes, denseBytes, maxColBlocks);
    }

    /** First row of T (output element) in row block {@code bi}. */
    public long firstRowOf(int bi) { return (long) bi * rowsPerBlock; }
    /** Rows of T in row block {@code bi}: {@code rowsPerBlock}, fewer in the last. */
    public int rowsIn(int bi) { return (int) Math.min(rowsPerBlock, rows - firstRowOf(bi)); }
    /** First column of T (input element) in column block {@code bj}. */
    public long firstColumnOf(int bj) { return (long) bj * colsPerBlock; }

    /**
     * Refuses, before anything is allocated and with the figure, what the product could not hold: one item's
     * input or output larger than a Java array (each is one array, in the rows every method reads and
     * writes), a row block of T with more non-zeros than one local matrix indexes, and the executor's memory.
     *
     * @param availableBytes what one executor can give the product (its heap less Spark's reserve)
     * @throws MemoryBudget.MatrixTooLargeException when the product could not be held
     */
    public void check(ConvGeometry g, long items, long availableBytes) {
        String shape = shapeText(g.inputShape());
        if (cols > AdmissionBudget.MAX_ARRAY || rows > AdmissionBudget.MAX_ARRAY) {
            boolean in = cols > AdmissionBudget.MAX_ARRAY;
            throw new MemoryBudget.MatrixTooLargeException(String.format(Locale.ROOT,
                    "blockmatrix: one item's %s for input %s has %d values (T %d rows x %d columns), more than one array holds (%d)",
                    in ? "input" : "output (" + shapeText(g.outputShape()) + ")", shape, in ? cols : rows, rows, cols,
                    AdmissionBudget.MAX_ARRAY));
        }
        if (rowBlockNonZeros > AdmissionBudget.MAX_ARRAY) {
            throw new MemoryBudget.MatrixTooLargeException(String.format(Locale.ROOT,
                    "blockmatrix: a row block of T for input %s (%d rows) holds %d non-zeros, more than one local matrix indexes (%d)",
                    shape, rowsPerBlock, rowBlockNonZeros, AdmissionBudget.MAX_ARRAY));
        }
        if (neededBytes > availableBytes) {
            throw new MemoryBudget.MatrixTooLargeException(String.format(Locale.ROOT,
                    "blockmatrix product for %d item(s) of %s needs about %s per executor but an executor has %s"
                            + " (T %s with %d non-zeros in %d row blocks of up to %s, %d task(s) at once x %d copies,"
                            + " plus dense inputs and outputs %s)",
                    items, shape, MemoryBudget.format(neededBytes), MemoryBudget.format(availableBytes),
                    MemoryBudget.format(g.csrBytes()), g.structuralNonZeros(), rowBlocks, MemoryBudget.format(rowBlockBytes),
                    tasksAtOnce, T_COPIES, MemoryBudget.format(denseBytes)));
        }
    }

    /**
     * Refuses, before anything is written, a product whose shuffle files would not fit on the disk that holds
     * them (local mode: this machine's; on a cluster the driver cannot see the executors' disks). The bound is
     * uncompressed: Spark compresses shuffle blocks, so a product refused near the limit might have fit.
     *
     * @param usableBytes free space of the file systems under Spark's local directories
     * @param where       those directories, for the message
     */
    public void checkDisk(ConvGeometry g, long usableBytes, String where) {
        if (shuffleBytes > usableBytes) {
            throw new MemoryBudget.MatrixTooLargeException(String.format(Locale.ROOT,
                    "blockmatrix product for %d item(s) of %s writes up to %s of shuffle files (T's blocks %s, dense"
                            + " blocks %s, uncompressed) but %s has %s free (spark.local.dir)",
                    items, shapeText(g.inputShape()), MemoryBudget.format(shuffleBytes), MemoryBudget.format(shuffledTBytes),
                    MemoryBudget.format(shuffleBytes - shuffledTBytes), where, MemoryBudget.format(usableBytes)));
        }
    }

    /** A count of blocks as MLlib indexes them (an int), or the refusal with the figure. */
    private static int blockCount(String what, ConvGeometry g, long count) {
        if (count > Integer.MAX_VALUE) {
            throw new MemoryBudget.MatrixTooLargeException(String.format(Locale.ROOT,
                    "blockmatrix: T for input %s (%d rows x %d columns) would need %d %s blocks, more than MLlib numbers (%d)",
                    shapeText(g.inputShape()), g.outputElements(), g.inputElements(), count, what, Integer.MAX_VALUE));
        }
        return (int) count;
    }

    private static String shapeText(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : "x").append(s[i]);
        return b.toString();
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b), lo = a * b;
        return (hi == 0 && lo >= 0) || (hi == -1 && lo < 0) ? lo : Long.MAX_VALUE;
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }

    @Override
    public String toString() {
        return "blocks T " + rowsPerBlock + "x" + colsPerBlock + " (" + rowBlocks + " row blocks of up to "
                + MemoryBudget.format(rowBlockBytes) + "), X " + colsPerBlock + "x" + itemsPerBlock + " (" + itemBlocks
                + " item block(s)), " + partitions + " partitions, " + midDimSplits + " mid-dimension splits, needs "
                + MemoryBudget.format(neededBytes) + " per executor, shuffles up to " + MemoryBudget.format(shuffleBytes);
    }
}
