package org.tconv.multiply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.toeplitz.MemoryBudget;
import org.tconv.toeplitz.ToeplitzEntries;

/** Block sizes from the shapes and the parallelism, and the memory arithmetic of blockmatrix (no Spark, no big arrays). */
class BlockPlanTest {
    private static ConvGeometry w4(int n) {
        return ConvSpec.builder(new int[] {1, 1, 5, 5}, new double[25]).padding(Padding.of(2)).build().geometry(new int[] {1, n, n});
    }

    @Test
    void oneBigImageIsCutIntoWholeWavesOfRowBlocksOfBoundedSize() {
        for (int n : new int[] {512, 1024, 2048, 4096}) {
            ConvGeometry g = w4(n);
            BlockPlan p = BlockPlan.choose(g, 1, 2);
            assertTrue(p.rowBlocks >= 4 && p.rowBlocks % 2 == 0, "two or more row blocks per core, whole waves: " + p);
            assertEquals(p.rowBlocks, p.partitions, "one row block of T per task: " + p);
            assertTrue(p.rowBlockBytes <= BlockPlan.T_BLOCK_BYTES * 11 / 10, "a row block stays near the cap: " + p);
            assertTrue(p.rowBlockBytes * p.rowBlocks >= g.csrBytes(), "the row blocks hold all of T: " + p);
            assertEquals(1, p.itemBlocks, "one image, one item block: T is shuffled once");
            assertEquals(p.rowBlocks, p.colBlocks, p::toString);
        }
        // cost linear in pixels: 4x the pixels, ~4x the row blocks of the same size
        assertEquals(4.0, BlockPlan.choose(w4(4096), 1, 2).rowBlocks / (double) BlockPlan.choose(w4(2048), 1, 2).rowBlocks, 0.25);
    }

    @Test
    void theProductHasATaskPerRowBlockSoEveryExecutorWorks() {
        for (int parallelism : new int[] {1, 2, 3, 8, 16, 64}) {
            BlockPlan p = BlockPlan.choose(w4(2048), 1, parallelism);
            assertTrue(p.rowBlocks >= 2 * parallelism, p::toString);
            // MLlib cogroups into (its result partitions) x midDimSplits partitions: at least one per row block
            double scale = 1.0 / Math.sqrt(p.partitions);
            long rpp = Math.round(Math.max(scale * p.rowBlocks, 1.0));
            long resultPartitions = (p.rowBlocks + rpp - 1) / rpp;
            assertTrue(resultPartitions * p.midDimSplits >= p.rowBlocks, p::toString);
            assertTrue(resultPartitions * p.midDimSplits < p.rowBlocks + resultPartitions, "few empty tasks: " + p);
        }
    }

    @Test
    void memoryIsPerExecutorTasksAtOnceTimesTheirRowBlocksPlusTheDenseData() {
        ConvGeometry g = w4(4096);
        BlockPlan p = BlockPlan.choose(g, 1, 2);
        assertEquals(2, p.tasksAtOnce);
        assertTrue(p.taskBytes >= BlockPlan.T_COPIES * p.rowBlockBytes, p::toString);
        assertEquals(BlockPlan.DENSE_COPIES * 8L * (g.outputSize() + (long) g.inputSize()), p.denseBytes);
        assertEquals(p.tasksAtOnce * p.taskBytes + p.denseBytes, p.neededBytes);
        assertTrue(p.neededBytes < g.csrBytes(), "T never has to fit whole: it passes through in row blocks: " + p);
        // one executor with 1 slot of a 64-core application needs a task's share only
        BlockPlan wide = BlockPlan.choose(g, 1, 64, 1);
        assertEquals(1, wide.tasksAtOnce);
        assertTrue(wide.neededBytes < p.neededBytes, wide::toString);
    }

    @Test
    void whatDoesNotFitIsRefusedInOneLineWithBothFigures() {
        ConvGeometry g = w4(4096);
        BlockPlan p = BlockPlan.choose(g, 1, 2);
        p.check(g, 1, p.neededBytes); // exactly enough is enough
        var e = assertThrows(MemoryBudget.MatrixTooLargeException.class, () -> p.check(g, 1, p.neededBytes - 1));
        String m = e.getMessage();
        assertTrue(m.contains("needs about " + MemoryBudget.format(p.neededBytes) + " per executor"), m);
        assertTrue(m.contains("an executor has " + MemoryBudget.format(p.neededBytes - 1)), m);
        assertTrue(m.contains("1x4096x4096") && m.contains(Long.toString(g.structuralNonZeros())), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void batchesKeepDenseBlocksBoundedAndTinyShapesStillPlan() {
        ConvGeometry g = ConvSpec.builder(new int[] {8, 1, 5, 5}, new double[200]).padding(Padding.of(2)).build()
                .geometry(new int[] {1, 28, 28});
        BlockPlan p = BlockPlan.choose(g, 20000, 2);
        assertTrue(8L * p.rowsPerBlock * p.itemsPerBlock <= BlockPlan.DENSE_BLOCK_BYTES, p::toString);
        assertTrue(8L * p.colsPerBlock * p.itemsPerBlock <= BlockPlan.DENSE_BLOCK_BYTES, p::toString);
        assertEquals((20000 + p.itemsPerBlock - 1) / p.itemsPerBlock, p.itemBlocks);

        ConvGeometry tiny = ConvSpec.builder(new int[] {1, 1, 3, 3}, new double[9]).build().geometry(new int[] {1, 5, 5});
        BlockPlan t = BlockPlan.choose(tiny, 1, 8);
        assertEquals(9, t.rowBlocks, "never more row blocks than rows: " + t);
        assertTrue(t.rowsPerBlock >= 1 && t.colsPerBlock >= 1 && t.midDimSplits >= 1, t::toString);
    }

    @Test
    void blockPlanRefusesWhatAnExecutorCannotHoldBeforeBuildingAnything() {
        ConvGeometry g = ConvSpec.builder(new int[] {1, 1, 5, 5}, new double[25]).padding(Padding.of(2)).build().geometry(new int[] {1, 30000, 30000});
        BlockPlan plan = BlockPlan.choose(g, 1, 2);
        var e = assertThrows(MemoryBudget.MatrixTooLargeException.class, () -> plan.check(g, 1, 1L << 30));
        assertTrue(e.getMessage().contains(MemoryBudget.format(plan.neededBytes)), e.getMessage());
        assertTrue(e.getMessage().contains(MemoryBudget.format(1L << 30)), e.getMessage());
        assertTrue(e.getMessage().contains(MemoryBudget.format(g.csrBytes())), "T's whole size is named too: " + e.getMessage());
    }

    /** Taps of a 5-tap kernel with padding 2 that land inside an axis of n: the test's own count. */
    private static int taps5(int o, int n) {
        int c = 0;
        for (int k = 0; k < 5; k++) if (o - 2 + k >= 0 && o - 2 + k < n) c++;
        return c;
    }

    /**
     * 16 output channels of a 16384 x 16384 image: T has 2^32 rows, twice what an int numbers. The plan
     * comes from the shape alone (nothing of T is built) and its row blocks, offsets, non-zero counts and
     * column blocks agree with the test's own count of where each output row's taps land.
     */
    @Test
    void aTWithMoreRowsThanAnIntPlansFromTheShapeAlone() {
        int n = 16384, channels = 16;
        ConvSpec s = ConvSpec.builder(new int[] {channels, 1, 5, 5}, new double[channels * 25]).padding(Padding.of(2)).build();
        ConvGeometry g = s.geometry(new int[] {1, n, n});
        BlockPlan p = BlockPlan.choose(g, 1, 2);
        long rows = (long) channels * n * n, cols = (long) n * n;
        assertEquals(1L << 32, rows);
        assertEquals(rows, p.rows);
        assertEquals(cols, p.cols);
        // the row blocks tile [0, rows) exactly, and some start past 2^31
        assertTrue((long) (p.rowBlocks - 1) * p.rowsPerBlock < rows && rows <= (long) p.rowBlocks * p.rowsPerBlock, p::toString);
        assertEquals(rows - (long) (p.rowBlocks - 1) * p.rowsPerBlock, p.rowsIn(p.rowBlocks - 1));
        assertTrue(p.firstRowOf(p.rowBlocks - 1) > Integer.MAX_VALUE, p::toString);
        assertTrue((long) (p.colBlocks - 1) * p.colsPerBlock < cols && cols <= (long) p.colBlocks * p.colsPerBlock, p::toString);

        // non-zeros: per axis 5n - 6 taps land inside (two lost at each edge, one next to it)
        long perAxis = 5L * n - 6;
        long nnz = channels * perAxis * perAxis;
        assertEquals(nnz, g.structuralNonZeros());
        ToeplitzEntries t = new ToeplitzEntries(g);
        long sum = 0;
        for (int i = 0; i < p.rowBlocks; i++) sum += t.nonZerosInRows(p.firstRowOf(i), p.firstRowOf(i) + p.rowsIn(i));
        assertEquals(nnz, sum, "the row blocks' counts add up to T's");

        // sampled row blocks: the first, the one holding row 2^31, one across a channel edge, the last
        int across = (int) (((long) n * n * 5) / p.rowsPerBlock);
        long max = 0;
        for (int bi : new int[] {0, (int) ((1L << 31) / p.rowsPerBlock), across, p.rowBlocks - 1}) {
            long r0 = p.firstRowOf(bi), r1 = r0 + p.rowsIn(bi);
            long expected = 0;
            java.util.TreeSet<Long> colBlocks = new java.util.TreeSet<>();
            for (long r = r0; r < r1; r++) {
                int oy = (int) ((r / n) % n), ox = (int) (r % n);
                expected += (long) taps5(oy, n) * taps5(ox, n);
                if (ox == 0 || r == r0) {
                    // the input rows this output row reads, each read across its whole width
                    for (int iy = Math.max(0, oy - 2); iy <= Math.min(n - 1, oy + 2); iy++) {
                        for (long b = (long) iy * n / p.colsPerBlock; b <= ((long) iy * n + n - 1) / p.colsPerBlock; b++) colBlocks.add(b);
                    }
                }
            }
            assertEquals(expected, t.nonZerosInRows(r0, r1), "row block " + bi + " from " + r0);
            long[] claimed = java.util.Arrays.stream(t.columnBlocksOf(bi, p.rowsPerBlock, p.colsPerBlock)).asLongStream().toArray();
            assertEquals(colBlocks.toString(), java.util.Arrays.toString(claimed), "column blocks of row block " + bi);
            max = Math.max(max, expected);
        }
        assertTrue(p.rowBlockNonZeros >= max && p.rowBlockNonZeros * 12 <= p.rowBlockBytes, p::toString);
        assertTrue(p.rowBlockBytes <= BlockPlan.T_BLOCK_BYTES * 11 / 10, "a row block stays near the cap: " + p);

        // what still cannot be held: one item's output is one array, and this one has 2^32 values
        var e = assertThrows(MemoryBudget.MatrixTooLargeException.class, () -> p.check(g, 1, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("output (16x16384x16384) for input 1x16384x16384 has 4294967296 values"), e.getMessage());
        assertTrue(e.getMessage().contains("(" + (Integer.MAX_VALUE - 8) + ")"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void anItemWhoseInputIsLargerThanAnArrayIsRefusedFromTheShape() {
        int n = 16384;
        ConvSpec s = ConvSpec.builder(new int[] {1, 16, 5, 5}, new double[16 * 25]).padding(Padding.of(2)).build();
        ConvGeometry g = s.geometry(new int[] {16, n, n});
        BlockPlan p = BlockPlan.choose(g, 1, 2);
        assertEquals(1L << 32, p.cols);
        assertTrue(p.firstColumnOf(p.colBlocks - 1) > Integer.MAX_VALUE, p::toString);
        var e = assertThrows(MemoryBudget.MatrixTooLargeException.class, () -> p.check(g, 1, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("one item's input for input 16x16384x16384 has 4294967296 values"), e.getMessage());
    }

    /**
     * The 16384 x 16384 image with a 5x5 kernel, padding 2, one item: refused from the shape on a JVM
     * of this machine's default heap (70% of 24 GB, less Spark's 300 MB), with the figures a reader can
     * check by hand: (5 x 16384 - 6)^2 non-zeros, 4 copies of 2^28 input and 2^28 output doubles = 16 GB.
     */
    @Test
    void theBigImageIsRefusedFromItsShapeWithTheFigure() {
        int n = 16384;
        ConvGeometry g = w4(n);
        BlockPlan p = BlockPlan.choose(g, 1, 2);
        assertEquals(81914L * 81914, g.structuralNonZeros());
        assertEquals(16L << 30, p.denseBytes);
        long heap = (long) (0.7 * (24L << 30)) - (300L << 20);
        var e = assertThrows(MemoryBudget.MatrixTooLargeException.class, () -> p.check(g, 1, heap));
        String m = e.getMessage();
        assertTrue(m.startsWith("blockmatrix product for 1 item(s) of 1x16384x16384 needs about "), m);
        assertTrue(m.contains("but an executor has " + MemoryBudget.format(heap)), m);
        assertTrue(m.contains("with 6709903396 non-zeros in " + p.rowBlocks + " row blocks"), m);
        assertTrue(m.contains("plus dense inputs and outputs 16.00 GB"), m);
        assertTrue(p.neededBytes > 16L << 30 && p.neededBytes < 18L << 30, p::toString);
        p.check(g, 1, 18L << 30); // with 18 GB an executor holds it
    }

    /**
     * With the memory (18 GB), the big image's product would still write T's 76 GB of CSR blocks into
     * MLlib's shuffle: refused from the shape when the disk under Spark's local directories has less free.
     */
    @Test
    void aProductWhoseShuffleFilesWouldNotFitOnTheLocalDiskIsRefused() {
        int n = 16384;
        ConvGeometry g = w4(n);
        BlockPlan p = BlockPlan.choose(g, 1, 2);
        long csr = 81914L * 81914 * 12 + ((long) n * n + 1) * 4; // T's CSR: a double and an int a non-zero, an int a row
        assertEquals(csr, g.csrBytes());
        // T passes through the shuffle once (one item block), with its blocks' own row pointers on top
        assertTrue(p.shuffledTBytes >= csr && p.shuffledTBytes < csr * 11 / 10, p::toString);
        // and at least the dense input once and the output three times (products, pieces, the join)
        assertTrue(p.shuffleBytes >= p.shuffledTBytes + 8L * n * n * 4, p::toString);
        long free = 76L << 30;
        var e = assertThrows(MemoryBudget.MatrixTooLargeException.class, () -> p.checkDisk(g, free, "/tmp/spark-x"));
        String m = e.getMessage();
        assertTrue(m.startsWith("blockmatrix product for 1 item(s) of 1x16384x16384 writes up to " + MemoryBudget.format(p.shuffleBytes)), m);
        assertTrue(m.contains("T's blocks " + MemoryBudget.format(p.shuffledTBytes)), m);
        assertTrue(m.contains("but /tmp/spark-x has 76.00 GB free (spark.local.dir)"), m);
        assertFalse(m.contains("\n"));
        p.checkDisk(g, p.shuffleBytes, "/tmp/spark-x"); // exactly enough is enough

        // a 512 x 512 image: T's 75 MB once plus a few dense copies of its 2 MB input and output, well under 1 GB
        BlockPlan small = BlockPlan.choose(w4(512), 1, 2);
        assertTrue(small.shuffleBytes < w4(512).csrBytes() * 3 / 2, small::toString);
        small.checkDisk(w4(512), 1L << 30, "/tmp/spark-x");
    }
}
