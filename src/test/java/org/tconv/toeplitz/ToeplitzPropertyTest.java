package org.tconv.toeplitz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.tconv.testing.Close;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.RandomSpecs;
import org.tconv.multiply.LocalToeplitz;
import org.tconv.verify.DirectConvolution;

/** T, built from the entry generator, against the direct loop over many random convolutions. */
class ToeplitzPropertyTest {

    @Test
    void columnsOfTAreTheDirectConvolutionOfBasisVectors() {
        Random rnd = new Random(1);
        for (int trial = 0; trial < 400; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            SparseMatrix t = new ToeplitzEntries(g).toSparseMatrix();
            double[] dense = t.toArray(); // column-major, small cases only
            int rows = g.outputSize(), cols = g.inputSize();
            double[] zero = DirectConvolution.convolve(g, new double[cols], 0); // the bias alone
            long denseNonZeros = 0;
            for (int j = 0; j < cols; j++) {
                double[] e = new double[cols];
                e[j] = 1.0;
                double[] y = DirectConvolution.convolve(g, e, 0);
                for (int i = 0; i < rows; i++) {
                    double expected = y[i] - zero[i];
                    assertEquals(expected, dense[j * rows + i], 1e-12, () -> r.spec + " input " + java.util.Arrays.toString(r.inputShape));
                    if (dense[j * rows + i] != 0.0) denseNonZeros++;
                }
            }
            // Random normal weights: a structural entry is zero only by measure-zero accident.
            assertEquals(g.structuralNonZeros(), t.numNonzeros(), r.spec::toString);
            assertEquals(g.structuralNonZeros(), denseNonZeros, r.spec::toString);
        }
    }

    @Test
    void batchedProductEqualsDirectLoop() {
        Random rnd = new Random(2);
        for (int trial = 0; trial < 300; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            int n = 1 + rnd.nextInt(200); // crosses panel boundaries
            double[] x = RandomSpecs.randomInput(rnd, n * g.inputSize());
            double[] y = new double[n * g.outputSize()];
            LocalToeplitz.of(g).apply(x, 0, n, y, 0);
            for (int i = 0; i < n; i++) {
                double[] ref = DirectConvolution.convolve(g, x, i * g.inputSize());
                Close.assertClose(ref, y, i * g.outputSize(), 1e-12, r.spec.toString());
            }
        }
    }

    @Test
    void matrixIsBuiltOncePerShape() {
        Random rnd = new Random(3);
        RandomSpecs r = RandomSpecs.draw(rnd);
        ConvGeometry g = r.spec.geometry(r.inputShape);
        LocalToeplitz first = LocalToeplitz.of(g);
        long builds = LocalToeplitz.buildCount();
        for (int i = 0; i < 10; i++) {
            assertTrue(first == LocalToeplitz.of(r.spec.geometry(r.inputShape)));
        }
        assertEquals(builds, LocalToeplitz.buildCount());
    }
}
