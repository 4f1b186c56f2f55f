package org.tconv.toeplitz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.operator.ConvOperator;

/** Estimate before allocating: T's size comes from the shape, and what cannot fit is refused with the figure. */
class MemoryBudgetTest {
    private static ConvSpec fiveByFive() {
        return ConvSpec.builder(new int[] {1, 1, 5, 5}, new double[25]).padding(Padding.of(2)).build();
    }

    @Test
    void structuralCountOfTheBigImageIsKnownWithoutBuildingIt() {
        ConvGeometry g = fiveByFive().geometry(new int[] {1, 2048, 2048});
        // (5*2048 - 2*(1+2)) squared: the rows' and columns' valid taps
        long perAxis = 5L * 2048 - 6;
        assertEquals(perAxis * perAxis, g.structuralNonZeros());
        assertEquals(perAxis * perAxis * 12 + (2048L * 2048 + 1) * 4, g.csrBytes());
    }

    @Test
    void theOperatorOfAnImageWhoseExplicitTWouldNotFitTakesItsDistinctBlocksOnly() {
        ConvGeometry g = fiveByFive().geometry(new int[] {1, 30000, 30000});
        assertTrue(g.csrBytes() > 10L << 30, "the explicit T: " + MemoryBudget.format(g.csrBytes()));
        BlockToeplitz op = new BlockToeplitz(g);
        // five kernel rows, zero padding: five blocks of 30000 x 30000, five taps a row less the edges
        assertEquals(5, op.blockCount());
        assertEquals(5L * (5L * 30000 - 6), op.storedNonZeros());
        assertTrue(op.bytes() < 8L << 20, MemoryBudget.format(op.bytes()));
    }

    @Test
    void anOperatorLargerThanTheHeapIsRefusedWithItsSize() {
        // 64 x 16 x 3 taps for each of 100000 output columns: 307M non-zeros in each of 3 blocks
        ConvSpec wide = ConvSpec.builder(new int[] {64, 16, 3, 3}, new double[64 * 16 * 9]).build();
        ConvGeometry g = wide.geometry(new int[] {16, 4, 100002});
        assertTrue(9L * 307_200_000 > Runtime.getRuntime().maxMemory() * MemoryBudget.MATRIX_SHARE, "the test needs a heap below 6 GB");
        MemoryBudget.MatrixTooLargeException e = assertThrows(MemoryBudget.MatrixTooLargeException.class, () -> ConvOperator.of(g));
        assertTrue(e.getMessage().contains("(16,4,100002)"), e.getMessage());
        assertTrue(e.getMessage().contains("blockmatrix"), e.getMessage());
    }
}
