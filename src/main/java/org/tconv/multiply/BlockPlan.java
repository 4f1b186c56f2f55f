package org.tconv.multiply;

import java.util.Locale;

import org.tconv.conv.ConvGeometry;
import org.tconv.toeplitz.MemoryBudget;
import org.tconv.toeplitz.ToeplitzEntries;

/**
 * Block sizes for Y = T X with MLlib BlockMatrix, chosen from the shapes and the parallelism, and the
 * memory the product needs in one executor.
 *
 * <p>T (outputs x pixels) is cut into row blocks: at least two per core, a whole number of waves, each
 * holding at most ~{@value #T_BLOCK_BYTES} bytes of CSR; columns (X's rows) are cut into as many blocks, so
 * a convolution's band of T touches a few column blocks per row block. One task builds one row block, and
 * one task of the product multiplies one row block (by one item block of X): the unit of work and of
 * memory. X (pixels x items) and Y are dense, their blocks at most ~{@value #DENSE_BLOCK_BYTES} bytes; all
 * items go in one item block when they fit, so T is shuffled once.
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
    /** CSR bytes of the largest row block of T (all its column blocks). */
    public final long rowBlockBytes;
    /** One product task at most: its copies of a T row block and its dense blocks. */
    public final long taskBytes;
    /** The group's dense inputs and outputs, all copies. */
    public final long denseBytes;
    /** One executor at most: {@code tasksAtOnce x taskBytes + denseBytes}. */
    public final long neededBytes;

    private BlockPlan(int rpb, int cpb, int ipb, int rowBlocks, int colBlocks, int itemBlocks, int partitions,
                      int midDimSplits, int tasksAtOnce, long rowBlockBytes, long taskBytes, long denseBytes) {
        this.rowsPerBlock = rpb;
        this.colsPerBlock = cpb;
        this.itemsPerBlock = ipb;
        this.rowBlocks = rowBlocks;
        this.colBlocks = colBlocks;
        this.itemBlocks = itemBlocks;
        this.partitions = partitions;
        this.midDimSplits = midDimSplits;
        this.tasksAtOnce = tasksAtOnce;
        this.rowBlockBytes = rowBlockBytes;
        this.taskBytes = taskBytes;
        this.denseBytes = denseBytes;
        this.neededBytes = tasksAtOnce * taskBytes + denseBytes;
    }

    /** The plan when every task may run in one JVM (local mode): all {@code parallelism} tasks at once. */
    public static BlockPlan choose(ConvGeometry g, long items, int parallelism) {
        return choose(g, items, parallelism, parallelism);
    }

    /**
     * @param parallelism   task slots of the whole application (Spark's default parallelism)
     * @param tasksPerExecutor task slots of one executor: how many product tasks share its memory
     */
    public static BlockPlan choose(ConvGeometry g, long items, int parallelism, int tasksPerExecutor) {
        int p = Math.max(1, parallelism);
        long rows = g.outputElements(), cols = g.inputElements();
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            // MLlib's BlockMatrix has long dimensions, but the row-block arithmetic here and T's CSR blocks
            // index rows and columns as ints: refused from the shape, before anything is allocated
            throw new MemoryBudget.MatrixTooLargeException(String.format(Locale.ROOT,
                    "blockmatrix: T for input %s has %d rows x %d columns, more than the %d this method indexes",
                    shapeText(g.inputShape()), rows, cols, Integer.MAX_VALUE));
        }
        long wanted = Math.max(2L * p, ceilDiv(g.csrBytes(), T_BLOCK_BYTES));
        wanted = Math.min(ceilDiv(wanted, p) * p, rows);
        int rpb = (int) ceilDiv(rows, wanted);
        int rowBlocks = (int) ceilDiv(rows, rpb);
        int cpb = (int) Math.max(1, ceilDiv(cols, rowBlocks));
        int colBlocks = (int) ceilDiv(cols, cpb);
        long ipb = Math.max(1, Math.min(items, DENSE_BLOCK_BYTES / (8L * Math.max(rpb, cpb))));
        int itemBlocks = (int) ceilDiv(items, ipb);
        int partitions = rowBlocks;

        // MLlib's result partitioner for max(T's, X's) = rowBlocks partitions, as GridPartitioner.apply computes it
        double scale = 1.0 / Math.sqrt(partitions);
        long rowsPerPart = Math.round(Math.max(scale * rowBlocks, 1.0));
        long colsPerPart = Math.round(Math.max(scale * itemBlocks, 1.0));
        long resultPartitions = ceilDiv(rowBlocks, rowsPerPart) * ceilDiv(itemBlocks, colsPerPart);
        int midDimSplits = (int) Math.max(1, ceilDiv((long) rowBlocks * itemBlocks, resultPartitions));

        ToeplitzEntries t = new ToeplitzEntries(g);
        long rowBlockBytes = 0;
        int maxColBlocks = 1;
        for (int i = 0; i < rowBlocks; i++) {
            int touched = t.columnBlocksOf(i, rpb, cpb).length;
            int r0 = i * rpb, r1 = (int) Math.min(rows, (long) r0 + rpb);
            long bytes = t.nonZerosInRows(r0, r1) * (Double.BYTES + Integer.BYTES) + (long) touched * (r1 - r0 + 1) * Integer.BYTES;
            rowBlockBytes = Math.max(rowBlockBytes, bytes);
            maxColBlocks = Math.max(maxColBlocks, touched);
        }
        // per task: the X blocks its row block reads, one product block per T block, their sum and the result
        long taskDense = 8L * ipb * ((long) maxColBlocks * cpb + (long) (maxColBlocks + 2) * rpb);
        long taskBytes = T_COPIES * rowBlockBytes + taskDense;
        int tasksAtOnce = (int) Math.max(1, Math.min(Math.max(1, tasksPerExecutor), (long) rowBlocks * itemBlocks));
        long denseBytes = DENSE_COPIES * 8L * items * (rows + cols);
        return new BlockPlan(rpb, cpb, (int) ipb, rowBlocks, colBlocks, itemBlocks, partitions, midDimSplits,
                tasksAtOnce, rowBlockBytes, taskBytes, denseBytes);
    }

    /**
     * @param availableBytes what one executor can give the product (its heap less Spark's reserve)
     * @throws MemoryBudget.MatrixTooLargeException when the product would not fit in one executor
     */
    public void check(ConvGeometry g, long items, long availableBytes) {
        if (neededBytes > availableBytes) {
            throw new MemoryBudget.MatrixTooLargeException(String.format(Locale.ROOT,
                    "blockmatrix product for %d item(s) of %s needs about %s per executor but an executor has %s"
                            + " (T %s with %d non-zeros in %d row blocks of up to %s, %d task(s) at once x %d copies,"
                            + " plus dense inputs and outputs %s)",
                    items, shapeText(g.inputShape()), MemoryBudget.format(neededBytes), MemoryBudget.format(availableBytes),
                    MemoryBudget.format(g.csrBytes()), g.structuralNonZeros(), rowBlocks, MemoryBudget.format(rowBlockBytes),
                    tasksAtOnce, T_COPIES, MemoryBudget.format(denseBytes)));
        }
    }

    private static String shapeText(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : "x").append(s[i]);
        return b.toString();
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public String toString() {
        return "blocks T " + rowsPerBlock + "x" + colsPerBlock + " (" + rowBlocks + " row blocks of up to "
                + MemoryBudget.format(rowBlockBytes) + "), X " + colsPerBlock + "x" + itemsPerBlock + " (" + itemBlocks
                + " item block(s)), " + partitions + " partitions, " + midDimSplits + " mid-dimension splits, needs "
                + MemoryBudget.format(neededBytes) + " per executor";
    }
}
