package org.tconv.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tconv.operator.Gram;

/**
 * Repeated eigenvalues on a diagonal Gram matrix, where the answer is known: every copy comes out, and a
 * deflated run confirms them. (On this matrix ARPACK's own rounding finds the copies even without the pass;
 * the case where one run missed one is SpectrumGoldenTest's 2d-circular through the line product, sigma[7]
 * 6.2515 for 6.2910.)
 */
class ArpackSingularValuesTest {
    /** diag(d): its singular values are the square roots of d. */
    private static Gram diagonal(double[] d) {
        return new Gram() {
            @Override public int dimension() { return d.length; }

            @Override
            public void apply(double[] v, double[] out) {
                for (int i = 0; i < d.length; i++) out[i] = d[i] * v[i];
            }
        };
    }

    @Test
    void everyCopyOfARepeatedValueIsFoundByDeflation() {
        double[] d = new double[300];
        for (int i = 0; i < d.length; i++) d[i] = 1.0 + i * 0.01;
        // The top value six times, the next twice: 16 (x6) 9 9 then 3.99, 3.98, ...
        d[10] = d[20] = d[30] = d[60] = d[70] = d[80] = 16.0;
        d[40] = d[50] = 9.0;
        ArpackSingularValues.Result r = ArpackSingularValues.top(diagonal(d), 9);
        double[] expected = {4, 4, 4, 4, 4, 4, 3, 3, Math.sqrt(1.0 + 299 * 0.01)};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], r.values()[i], 1e-9 * 4, "sigma[" + i + "]");
        assertTrue(r.passes() >= 1, "the values were confirmed by at least one deflated run");
    }

    @Test
    void theLargestValueAloneNeedsNoPass() {
        double[] d = new double[200];
        for (int i = 0; i < d.length; i++) d[i] = 2.0 + (i % 7);
        ArpackSingularValues.Result r = ArpackSingularValues.top(diagonal(d), 1);
        assertEquals(Math.sqrt(8.0), r.values()[0], 1e-9 * Math.sqrt(8.0));
        assertEquals(0, r.passes());
    }
}
