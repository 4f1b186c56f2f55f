package org.tconv.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The exact size arithmetic and the one flat-index numbering. */
class ConvGeometryTest {

    private static ConvSpec spec(int[] ws, Padding p) {
        int n = 1;
        for (int v : ws) n *= v;
        return ConvSpec.builder(ws, new double[n]).padding(p).build();
    }

    @Test
    void paddingNearIntMaxIsARejectionWithTheFigureNotAWrappedSize() {
        ConvSpec s = spec(new int[] {1, 1, 3, 3}, Padding.of(Integer.MAX_VALUE));
        InputRejectedException e = assertThrows(InputRejectedException.class, () -> s.geometry(new int[] {1, 5, 5}));
        // 5 + 2 * (2^31 - 1) - 2 - 1 + 1 = 4294967297 output rows
        assertTrue(e.getMessage().contains("4294967297"), e.getMessage());
        assertTrue(e.getMessage().contains("output height"), e.getMessage());
    }

    @Test
    void aHugeZeroPaddingThatFitsAnIntIsRefusedBeforeItsIndexMapIsAllocated() {
        ConvSpec s = spec(new int[] {1, 1, 3}, Padding.of(1_000_000_000));
        InputRejectedException e = assertThrows(InputRejectedException.class, () -> s.geometry(new int[] {1, 5}));
        assertTrue(e.getMessage().contains("2000000003 outputs"), e.getMessage());
    }

    @Test
    void tRowsPastTwoToTheThirtyOneAreCountedExactlyFromTheShapeAlone() {
        // 8 output channels of a 16384 x 16384 image, padding 2: 2^31 rows, one more than an int holds
        ConvSpec s = spec(new int[] {8, 1, 5, 5}, Padding.of(2));
        ConvGeometry g = s.geometry(new int[] {1, 16384, 16384});
        assertEquals(8L * 16384 * 16384, g.outputElements());
        assertTrue(g.outputElements() > Integer.MAX_VALUE);
        assertThrows(ArithmeticException.class, g::outputSize, "local paths cannot index it and say so");
        assertEquals(8L * 16384 * 16384 * 16384 * 16384, g.denseEntries());
        // per axis 16384 * 5 taps minus the 2 + 1 that fall off each edge (zero padding 2)
        long perAxis = 16384L * 5 - 6;
        assertEquals(perAxis * perAxis * 8, g.structuralNonZeros());
    }

    @Test
    void threeDimensionalShapesInTheUsersRank() {
        ConvSpec s = spec(new int[] {4, 2, 3, 1, 2}, Padding.of(1, 0, 0));
        ConvGeometry g = s.geometry(new int[] {2, 5, 6, 7});
        assertArrayEquals(new int[] {2, 5, 6, 7}, g.inputShape());
        assertArrayEquals(new int[] {4, 5, 6, 6}, g.outputShape());
        assertEquals(2L * 5 * 6 * 7, g.inputElements());
        assertEquals(3, s.kernelDepth());
        assertEquals(1, s.padFront());
        assertEquals(1, s.padBack());
        ConvGeometry g2 = spec(new int[] {4, 2, 3, 3}, Padding.of(0)).geometry(new int[] {2, 5, 6});
        assertEquals(1, g2.d);
        assertEquals(1, g2.outD);
        assertArrayEquals(new int[] {4, 3, 4}, g2.outputShape());
        InputRejectedException e = assertThrows(InputRejectedException.class, () -> s.geometry(new int[] {2, 5, 6}));
        assertTrue(e.getMessage().contains("C,D,H,W"), e.getMessage());
    }

    @Test
    void flatIndexDecodesWhatNestedLoopsNumbered() {
        FlatIndex f = new FlatIndex(3, 2, 4, 5);
        int[] at = new int[4];
        long i = 0;
        for (int c = 0; c < 3; c++) {
            for (int z = 0; z < 2; z++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 5; x++, i++) {
                        assertEquals(i, f.of(c, z, y, x));
                        assertArrayEquals(new int[] {c, z, y, x}, f.decode(i, at));
                        assertEquals(c, f.channel(i));
                    }
                }
            }
        }
        assertEquals(i, f.size());
        // past 2^31: the long arithmetic does not wrap
        FlatIndex big = new FlatIndex(8, 1, 16384, 16384);
        long last = big.of(7, 0, 16383, 16383);
        assertEquals(8L * 16384 * 16384 - 1, last);
        assertArrayEquals(new int[] {7, 0, 16383, 16383}, big.decode(last, at));
    }

    @Test
    void threeDimensionalTuplesParseAndFourAreRefused() {
        assertArrayEquals(new int[] {1, 2, 3}, IntTuple.parse("stride", "1,2,3"));
        assertThrows(IllegalArgumentException.class, () -> IntTuple.parse("stride", "1,2,3,4"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvSpec.builder(new int[] {1, 1, 3, 3}, new double[9]).stride(1, 2, 3).build());
        assertTrue(e.getMessage().contains("3 values but the weights are 2-D"), e.getMessage());
    }
}
