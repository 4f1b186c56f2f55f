package org.tconv.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.conv.RandomSpecs;
import org.tconv.testing.DirectLoop3d;
import org.tconv.toeplitz.ToeplitzEntries;

/**
 * The product one image at a time from the distinct blocks: its vector runs and its scalar rows give the
 * bits of the explicit T's FMA chain, and its runs cover exactly the columns whose taps all land inside.
 */
class LineProductTest {

    @Test
    void vectorAndScalarLinesGiveTheBitsOfTheExplicitMatrix() {
        Random rnd = new Random(31);
        for (int trial = 0; trial < 150; trial++) {
            RandomSpecs r = RandomSpecs.drawWide(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            LocalToeplitz t = LocalToeplitz.of(g);
            LineProduct lp = t.lineProduct();
            SparseMatrix csr = new ToeplitzEntries(t.operator()).toSparseMatrix();
            int off = rnd.nextInt(5); // the image need not start at 0 in its array
            double[] x = RandomSpecs.randomInput(rnd, off + g.inputSize());
            int lines = g.outD * g.outH;
            double[] vector = new double[off + g.outputSize()], scalar = new double[vector.length];
            lp.lines(x, off, vector, off, 0, lines, true);
            lp.lines(x, off, scalar, off, 0, lines, false);
            float[] fx = new float[x.length];
            for (int i = 0; i < x.length; i++) fx[i] = (float) x[i];
            float[] fVector = new float[vector.length], fScalar = new float[vector.length];
            lp.lines(fx, off, fVector, off, 0, lines, true);
            lp.lines(fx, off, fScalar, off, 0, lines, false);
            int[] rowPtr = csr.colPtrs(), colIdx = csr.rowIndices();
            double[] v = csr.values();
            for (int row = 0; row < g.outputSize(); row++) {
                double a = r.spec.bias(g.output().channel(row));
                float fa = (float) r.spec.bias(g.output().channel(row));
                for (int k = rowPtr[row]; k < rowPtr[row + 1]; k++) {
                    a = Math.fma(v[k], x[off + colIdx[k]], a);
                    fa = Math.fma((float) v[k], fx[off + colIdx[k]], fa);
                }
                String where = r.spec + " " + java.util.Arrays.toString(r.inputShape) + " row " + row;
                assertEquals(a, vector[off + row], 0.0, "vector " + where);
                assertEquals(a, scalar[off + row], 0.0, "scalar " + where);
                assertEquals(fa, fVector[off + row], 0.0f, "float vector " + where);
                assertEquals(fa, fScalar[off + row], 0.0f, "float scalar " + where);
            }
        }
    }

    @Test
    void runsAreTheColumnsWhoseTapsAllLandInside() {
        // 2 -> 3 channels, 3x5 kernel, zero padding 1 x 2 on 7 x 40: columns 2 .. 37 read five real pixels
        ConvSpec spec = ConvSpec.builder(new int[] {3, 2, 3, 5}, weights(90, 7)).padding(Padding.of(new int[] {1, 2})).build();
        ConvGeometry g = spec.geometry(new int[] {2, 7, 40});
        LineProduct lp = LocalToeplitz.of(g).lineProduct();
        for (int co = 0; co < 3; co++) {
            assertArrayEquals(new int[] {2}, lp.runLo[co]);
            assertArrayEquals(new int[] {38}, lp.runHi[co]);
        }
        assertEquals(3L * 36, lp.runColumns());
        // a width stride of 2: no two adjacent outputs read shifted columns, so no runs
        ConvSpec strided = ConvSpec.builder(new int[] {3, 2, 3, 5}, weights(90, 7)).stride(new int[] {1, 2}).build();
        assertEquals(0, LocalToeplitz.of(strided.geometry(new int[] {2, 7, 40})).lineProduct().runColumns());
    }

    @Test
    void narrowPanelsGoImageByImageAndMatchTheDirectLoop() {
        ConvSpec spec = ConvSpec.builder(new int[] {4, 3, 3, 3}, weights(108, 9)).padding(Padding.of(new int[] {1})).build();
        ConvGeometry g = spec.geometry(new int[] {3, 33, 70});
        LocalToeplitz t = LocalToeplitz.of(g);
        assertTrue(t.byLines(1, Dtype.F64));
        assertTrue(t.byLines(7, Dtype.F64), "most columns are in runs: a panel of 7 would waste a vector's lane");
        assertFalse(t.byLines(8, Dtype.F64));
        assertTrue(t.byLines(15, Dtype.F32));
        assertFalse(t.byLines(16, Dtype.F32));
        LocalToeplitz photo = LocalToeplitz.of(spec.geometry(new int[] {3, 512, 512}));
        assertTrue(photo.byLines(64, Dtype.F64), "a 6 MB image: a panel of them would not stay in L2");
        ConvSpec strided = ConvSpec.builder(new int[] {4, 3, 3, 3}, weights(108, 9)).stride(new int[] {1, 2}).build();
        assertFalse(LocalToeplitz.of(strided.geometry(new int[] {3, 512, 512})).byLines(64, Dtype.F64),
                "no runs with a width stride of 2: the panel product's lanes are images, which still fill a vector");
        Random rnd = new Random(5);
        int n = 5;
        double[] x = RandomSpecs.randomInput(rnd, n * g.inputSize());
        double[] y = new double[n * g.outputSize()];
        long plansBefore = t.bytes();
        t.apply(x, 0, n, y, 0);
        assertEquals(plansBefore, t.bytes(), "the line product needs no line plans");
        for (int i = 0; i < n; i++) {
            double[] expected = DirectLoop3d.convolve(g, x, i * g.inputSize());
            for (int o = 0; o < expected.length; o++) {
                assertEquals(expected[o], y[i * g.outputSize() + o], 1e-12 * Math.max(1, Math.abs(expected[o])), "item " + i + " output " + o);
            }
        }
        t.prepare(64, Dtype.F64);
        assertTrue(t.bytes() > plansBefore, "a wide panel makes the line plans");
    }

    private static double[] weights(int n, long seed) {
        Random rnd = new Random(seed);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = rnd.nextGaussian();
        return w;
    }
}
