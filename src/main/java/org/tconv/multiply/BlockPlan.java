package org.tconv.multiply;

import java.util.Locale;

import org.tconv.conv.ConvGeometry;
import org.tconv.toeplitz.MemoryBudget;

/**
 * Block sizes for Y = T X with MLlib BlockMatrix, chosen from the shapes, and the memory the product
 * needs. T (outputs x pixels) is cut into about {@code 2 x parallelism} row blocks so every executor
 * builds and multiplies a share; its sparse blocks hold at most ~{@value #T_BLOCK_BYTES} bytes. X (pixels
 * x items) and Y are dense: item blocks keep a Y block under ~{@value #Y_BLOCK_BYTES} bytes.
 */
public final class BlockPlan {
    static final long T_BLOCK_BYTES = 256L << 20;
    static final long Y_BLOCK_BYTES = 64L << 20;
    /** Copies of T and of the dense blocks alive at once: generation, shuffle buffers, deserialised copies. */
    static final double OVERHEAD = 3.0;

    public final int rowsPerBlock;
    public final int colsPerBlock;
    public final int itemsPerBlock;
    public final int partitions;
    public final long neededBytes;

    private BlockPlan(int rpb, int cpb, int ipb, int partitions, long neededBytes) {
        this.rowsPerBlock = rpb;
        this.colsPerBlock = cpb;
        this.itemsPerBlock = ipb;
        this.partitions = partitions;
        this.neededBytes = neededBytes;
    }

    public static BlockPlan choose(ConvGeometry g, long items, int parallelism) {
        long rows = g.outputSize(), cols = g.inputSize();
        double bytesPerRow = g.csrBytes() / (double) rows;
        long rowBlocks = Math.max(2L * parallelism, (long) Math.ceil(rows * bytesPerRow / T_BLOCK_BYTES));
        rowBlocks = Math.min(rowBlocks, rows);
        int rpb = (int) ((rows + rowBlocks - 1) / rowBlocks);
        int cpb = (int) Math.max(1, (cols + rowBlocks - 1) / rowBlocks);
        long ipb = Math.max(1, Math.min(items, Y_BLOCK_BYTES / (8L * rpb)));
        ipb = Math.max(1, Math.min(ipb, (items + 2L * parallelism - 1) / (2L * parallelism)));
        long dense = 8L * items * (rows + cols);
        long needed = (long) (OVERHEAD * (g.csrBytes() + dense));
        return new BlockPlan(rpb, cpb, (int) ipb, (int) Math.max(1, Math.min(rowBlocks, 4L * parallelism)), needed);
    }

    /** @throws MemoryBudget.MatrixTooLargeException when the product would not fit in {@code availableBytes} */
    public void check(ConvGeometry g, long items, long availableBytes) {
        if (neededBytes > availableBytes) {
            throw new MemoryBudget.MatrixTooLargeException(String.format(Locale.ROOT,
                    "blockmatrix product for %d item(s) of %dx%dx%d needs about %s (T %s with %d non-zeros, dense X and Y %s, x%.0f for copies) but the executors have %s",
                    items, g.c, g.h, g.w, MemoryBudget.format(neededBytes), MemoryBudget.format(g.csrBytes()),
                    g.structuralNonZeros(), MemoryBudget.format(8L * items * (g.outputSize() + (long) g.inputSize())),
                    OVERHEAD, MemoryBudget.format(availableBytes)));
        }
    }

    @Override
    public String toString() {
        return "blocks T " + rowsPerBlock + "x" + colsPerBlock + ", X " + colsPerBlock + "x" + itemsPerBlock
                + ", " + partitions + " partitions";
    }
}
