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

    @Test
    void aTWithMoreRowsThanAnIntIsRefusedFromTheShapeWithTheFigure() {
        // 8 output channels of a 16384 x 16384 image: T has 2^31 rows, one more than an int holds
        ConvSpec s = ConvSpec.builder(new int[] {8, 1, 5, 5}, new double[200]).padding(Padding.of(2)).build();
        ConvGeometry g = s.geometry(new int[] {1, 16384, 16384});
        assertEquals(1L << 31, g.outputElements());
        var e = assertThrows(MemoryBudget.MatrixTooLargeException.class, () -> BlockPlan.choose(g, 1, 2));
        assertTrue(e.getMessage().contains("2147483648 rows x 268435456 columns"), e.getMessage());
    }
}
