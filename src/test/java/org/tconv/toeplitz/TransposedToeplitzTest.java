package org.tconv.toeplitz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.FlatIndex;
import org.tconv.conv.RandomSpecs;
import org.tconv.operator.Dtype;
import org.tconv.operator.ConvOperator;
import org.tconv.testing.Close;
import org.tconv.verify.DirectConvolution;
import org.tconv.verify.DirectMap;

/**
 * The transposed convolution's T against two things it is not built from: the forward convolution's T of
 * the public path (the same weights, stride, padding, dilation and groups on the transposed output shape),
 * transposed entry by entry, and the direct scatter loop, over random ConvTranspose1d/2d/3d.
 */
class TransposedToeplitzTest {

    @Test
    void isTheTransposeOfTheForwardConvolutionsT() {
        Random rnd = new Random(91);
        int cropped = 0;
        for (int trial = 0; trial < 300; trial++) {
            RandomSpecs r = RandomSpecs.drawTransposed(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            // The forward convolution on the transposed output, as a user would ask for it.
            ConvGeometry f = r.spec.forward().geometry(g.outputShape());
            int rows = g.outputSize(), cols = g.inputSize();
            assertEquals(f.inputSize(), rows, r.spec::toString);
            double[] t = new ToeplitzEntries(g).toSparseMatrix().toArray(); // column-major rows x cols
            double[] tf = new ToeplitzEntries(f).toSparseMatrix().toArray(); // column-major f.rows x f.cols
            int fRows = f.outputSize();
            // The transposed input (ci, z, y, x) is the forward output at the same coordinates; an output
            // padding below the dilation but not the stride makes the forward output longer: its extra
            // positions read nothing of the transposed input.
            FlatIndex in = g.input(), fOut = f.output();
            int[] at = new int[4];
            boolean[] covered = new boolean[fRows];
            for (int col = 0; col < cols; col++) {
                final int c = col;
                in.decode(c, at);
                int fr = fOut.ofInt(at[0], at[1], at[2], at[3]);
                covered[fr] = true;
                for (int rw = 0; rw < rows; rw++) {
                    final int row = rw;
                    assertEquals(tf[row * fRows + fr], t[c * rows + row], 0.0,
                            () -> r.spec + " input " + Arrays.toString(r.inputShape) + " entry (" + row + ", " + c + ")");
                }
            }
            int uncovered = 0;
            for (boolean b : covered) uncovered += b ? 0 : 1;
            assertEquals(fRows - cols, uncovered, r.spec::toString);
            if (uncovered > 0) cropped++;
        }
        assertEquals(true, cropped > 10, "output paddings below the dilation but not the stride drawn: " + cropped);
    }

    @Test
    void columnsAreTheDirectScatterOfBasisVectorsAndCountsHold() {
        Random rnd = new Random(92);
        for (int trial = 0; trial < 300; trial++) {
            RandomSpecs r = RandomSpecs.drawTransposed(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            SparseMatrix t = new ToeplitzEntries(g).toSparseMatrix();
            double[] dense = t.toArray();
            int rows = g.outputSize(), cols = g.inputSize();
            double[] zero = DirectConvolution.convolve(g, new double[cols], 0);
            long denseNonZeros = 0;
            for (int j = 0; j < cols; j++) {
                double[] e = new double[cols];
                e[j] = 1.0;
                double[] y = DirectConvolution.convolve(g, e, 0);
                for (int i = 0; i < rows; i++) {
                    assertEquals(y[i] - zero[i], dense[j * rows + i], 1e-12, () -> r.spec + " input " + Arrays.toString(r.inputShape));
                    if (dense[j * rows + i] != 0.0) denseNonZeros++;
                }
            }
            assertEquals(g.structuralNonZeros(), t.numNonzeros(), r.spec::toString);
            assertEquals(g.structuralNonZeros(), denseNonZeros, r.spec::toString);
        }
    }

    @Test
    void batchedProductAndDirectMapEqualTheScatter() {
        Random rnd = new Random(93);
        for (int trial = 0; trial < 200; trial++) {
            RandomSpecs r = RandomSpecs.drawTransposed(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            int n = 1 + rnd.nextInt(70);
            double[] x = RandomSpecs.randomInput(rnd, n * g.inputSize());
            double[] y = new double[n * g.outputSize()];
            ConvOperator.of(g).convolve(x, 0, n, y, 0);
            DirectMap loops = new DirectMap(g);
            for (int i = 0; i < n; i++) {
                double[] ref = DirectConvolution.convolve(g, x, i * g.inputSize());
                Close.assertClose(ref, y, i * g.outputSize(), 1e-12, r.spec.toString());
                double[] one = Arrays.copyOfRange(x, i * g.inputSize(), (i + 1) * g.inputSize()), viaLoops = new double[g.outputSize()];
                loops.apply(one, viaLoops);
                for (int k = 0; k < viaLoops.length; k++) viaLoops[k] += r.spec.bias(k / g.outputPlane());
                Close.assertClose(ref, viaLoops, 0, 1e-12, r.spec.toString());
            }
        }
    }

    @Test
    void float32ProductIsTheScatterWithinSinglePrecision() {
        Random rnd = new Random(94);
        for (int trial = 0; trial < 60; trial++) {
            RandomSpecs r = RandomSpecs.drawTransposed(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            int n = 1 + rnd.nextInt(70);
            double[][] in = new double[n][], out = new double[n][];
            int[] offsets = new int[n];
            for (int i = 0; i < n; i++) {
                in[i] = RandomSpecs.randomInput(rnd, g.inputSize());
                out[i] = new double[g.outputSize()];
            }
            ConvOperator.of(g).convolve(in, offsets, out, offsets, Dtype.F32);
            for (int i = 0; i < n; i++) {
                double[] ref = DirectConvolution.convolve(g, in[i], 0);
                double scale = 1e-300;
                for (double v : ref) scale = Math.max(scale, Math.abs(v));
                for (int k = 0; k < ref.length; k++) assertEquals(ref[k], out[i][k], 1e-5 * scale, r.spec.toString());
            }
        }
    }

    @Test
    void mapAnswersInTheTransposedTerms() {
        // ConvTranspose2d(4, 6, 3, groups=2): weights (4, 3, 3, 3); input (4, 5, 5), stride 2, output padding 1
        ConvSpec s = ConvSpec.builder(new int[] {4, 3, 3, 3}, new double[4 * 3 * 9]).transposed(true).groups(2).stride(2)
                .outputPadding(1).build();
        ConvGeometry g = s.geometry(new int[] {4, 5, 5});
        assertEquals(6, s.outChannels());
        assertEquals(4, s.inChannels());
        assertEquals(2, s.inChannelsPerGroup());
        assertArrayEquals(new int[] {6, 12, 12}, g.outputShape()); // (5 - 1) * 2 + 2 + 1 + 1
        assertArrayEquals(new int[] {4, 5, 5}, g.inputShape());
        ConvSpec forwardTwin = ConvSpec.builder(new int[] {4, 3, 3, 3}, new double[4 * 3 * 9]).groups(2).stride(2).build();
        assertEquals(forwardTwin, s.forward());
        // transposed and the output padding are part of what caches key on
        ConvSpec noPad = ConvSpec.builder(new int[] {4, 3, 3, 3}, new double[4 * 3 * 9]).transposed(true).groups(2).stride(2).build();
        assertEquals(false, s.fingerprint() == noPad.fingerprint());
        assertEquals(false, s.fingerprint() == forwardTwin.fingerprint());
    }
}
