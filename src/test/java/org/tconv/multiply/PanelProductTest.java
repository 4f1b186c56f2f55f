package org.tconv.multiply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.RandomSpecs;
import org.tconv.toeplitz.ToeplitzEntries;

/** The kernel: vector and scalar implementations against a naive product, at every width and row range. */
class PanelProductTest {

    @Test
    void theTestsRunTheVectorKernel() {
        // The build passes --add-modules=jdk.incubator.vector to every test JVM (pom.xml, spark.jvm.flags):
        // if that ever goes missing, the fast path would be silently untested.
        assertTrue(PanelProduct.kernel().startsWith("jdk.incubator.vector"), PanelProduct.kernel());
    }

    /**
     * Random blocks in the operator's layout (a shared CSR structure whose rows hold cinPG equal runs of
     * columns, nP blocks of values, a panel offset per (channel, block)): the vector and scalar kernels
     * against the naive FMA chain in the documented order, at every width and row range.
     */
    @Test
    void vectorAndScalarKernelsGiveTheSameBitsAsTheNaiveFmaChain() {
        Random rnd = new Random(21);
        for (int trial = 0; trial < 300; trial++) {
            int rows = 1 + rnd.nextInt(40), cinPG = 1 + rnd.nextInt(3), nP = rnd.nextInt(4), cols = 1 + rnd.nextInt(20);
            int[] rowPtr = new int[rows + 1];
            boolean even = rnd.nextBoolean();
            int usual = 1 + rnd.nextInt(5);
            for (int r = 0; r < rows; r++) {
                int n = even && rnd.nextInt(10) > 0 ? usual : rnd.nextInt(6);
                rowPtr[r + 1] = rowPtr[r] + n * cinPG;
            }
            int nnz = rowPtr[rows];
            int[] colIdx = new int[nnz];
            for (int k = 0; k < nnz; k++) colIdx[k] = rnd.nextInt(cols);
            int w = trial < 140 ? 1 + trial : 1 + rnd.nextInt(200); // every width up to 140: all tail paths
            int xRows = cols + 50;
            double[][] vals = new double[cinPG * nP][];
            int[] bases = new int[cinPG * nP];
            for (int q = 0; q < vals.length; q++) {
                vals[q] = new double[nnz];
                for (int k = 0; k < nnz; k++) vals[q][k] = rnd.nextGaussian();
                bases[q] = rnd.nextInt(50) * w;
            }
            double bias = rnd.nextGaussian();
            double[] x = new double[xRows * w];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextDouble() * 255;
            int from = rnd.nextInt(rows), to = from + 1 + rnd.nextInt(rows - from);
            int yOff = rnd.nextInt(3) * w;

            double[] expected = new double[yOff + (to - from) * w];
            for (int r = from; r < to; r++) {
                int k0 = rowPtr[r], n = (rowPtr[r + 1] - k0) / cinPG;
                for (int j = 0; j < w; j++) {
                    double a = bias;
                    for (int c = 0; c < cinPG; c++) {
                        for (int p = 0; p < nP; p++) {
                            int q = c * nP + p;
                            for (int k = k0 + c * n; k < k0 + (c + 1) * n; k++) a = Math.fma(vals[q][k], x[bases[q] + colIdx[k] * w + j], a);
                        }
                    }
                    expected[yOff + (r - from) * w + j] = a;
                }
            }
            double[] vector = new double[expected.length], scalar = new double[expected.length];
            PanelProduct.multiply(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, from, to, vector, yOff, null, 0);
            PanelProduct.scalar(rowPtr, colIdx, vals, bases, nP, cinPG, bias, x, w, from, to, scalar, yOff);
            assertArrayEquals(expected, vector, 0.0, "vector, width " + w);
            assertArrayEquals(expected, scalar, 0.0, "scalar, width " + w);

            float[][] fv = new float[vals.length][];
            for (int q = 0; q < vals.length; q++) {
                fv[q] = new float[nnz];
                for (int k = 0; k < nnz; k++) fv[q][k] = (float) vals[q][k];
            }
            float fb = (float) bias;
            float[] fx = new float[x.length];
            for (int i = 0; i < fx.length; i++) fx[i] = (float) x[i];
            float[] fExpected = new float[expected.length];
            for (int r = from; r < to; r++) {
                int k0 = rowPtr[r], n = (rowPtr[r + 1] - k0) / cinPG;
                for (int j = 0; j < w; j++) {
                    float a = fb;
                    for (int c = 0; c < cinPG; c++) {
                        for (int p = 0; p < nP; p++) {
                            int q = c * nP + p;
                            for (int k = k0 + c * n; k < k0 + (c + 1) * n; k++) a = Math.fma(fv[q][k], fx[bases[q] + colIdx[k] * w + j], a);
                        }
                    }
                    fExpected[yOff + (r - from) * w + j] = a;
                }
            }
            float[] fVector = new float[expected.length], fScalar = new float[expected.length];
            PanelProduct.multiply(rowPtr, colIdx, fv, bases, nP, cinPG, fb, fx, w, from, to, fVector, yOff, null, 0);
            PanelProduct.scalar(rowPtr, colIdx, fv, bases, nP, cinPG, fb, fx, w, from, to, fScalar, yOff);
            assertArrayEquals(fExpected, fVector, 0.0f, "float vector, width " + w);
            assertArrayEquals(fExpected, fScalar, 0.0f, "float scalar, width " + w);
        }
    }

    /**
     * The product by the operator gives the bits of the explicit CSR of T multiplied row by row with the
     * FMA chain from the bias, in float64: for batches and for single wide images, whose stride-1
     * interior goes through the kernel's RUN-rows-at-once path.
     */
    @Test
    void operatorProductGivesTheBitsOfTheExplicitMatrix() {
        Random rnd = new Random(23);
        for (int trial = 0; trial < 120; trial++) {
            RandomSpecs r = trial % 2 == 0 ? RandomSpecs.draw(rnd, true) : RandomSpecs.drawWide(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            LocalToeplitz t = LocalToeplitz.of(g);
            SparseMatrix csr = new ToeplitzEntries(t.operator()).toSparseMatrix();
            int n = trial % 3 == 0 ? 1 + rnd.nextInt(70) : 1;
            double[] x = RandomSpecs.randomInput(rnd, n * g.inputSize());
            double[] y = new double[n * g.outputSize()];
            t.apply(x, 0, n, y, 0);
            int[] rowPtr = csr.colPtrs(), colIdx = csr.rowIndices();
            double[] v = csr.values();
            for (int i = 0; i < n; i++) {
                for (int row = 0; row < g.outputSize(); row++) {
                    double a = r.spec.bias(g.output().channel(row));
                    for (int k = rowPtr[row]; k < rowPtr[row + 1]; k++) a = Math.fma(v[k], x[i * g.inputSize() + colIdx[k]], a);
                    assertEquals(a, y[i * g.outputSize() + row], 0.0, r.spec + " " + java.util.Arrays.toString(r.inputShape) + " row " + row);
                }
            }
        }
    }

    /**
     * An item's result does not depend on the batch it came in (how many items, its place in the panel),
     * so a job gives the same bits however Spark partitions the files.
     */
    @Test
    void anItemGivesTheSameBitsInEveryBatch() {
        Random rnd = new Random(22);
        for (int trial = 0; trial < 30; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            LocalToeplitz t = LocalToeplitz.of(g);
            int n = 1 + rnd.nextInt(300);
            double[] x = RandomSpecs.randomInput(rnd, n * g.inputSize());
            for (Dtype d : Dtype.values()) {
                double[] all = new double[n * g.outputSize()];
                t.apply(batch(x, g.inputSize(), 0, n), offsets(n, g.inputSize()), batch(all, g.outputSize(), 0, n), offsets(n, g.outputSize()), d);
                int i = rnd.nextInt(n);
                double[] alone = new double[g.outputSize()];
                t.apply(new double[][] {x}, new int[] {i * g.inputSize()}, new double[][] {alone}, new int[] {0}, d);
                assertArrayEquals(java.util.Arrays.copyOfRange(all, i * g.outputSize(), (i + 1) * g.outputSize()), alone, 0.0,
                        d + " item " + i + " of " + n + " " + r.spec);
            }
        }
    }

    @Test
    void panelsHoldWholeVectorsAndFitInL2() {
        assertEquals(64, LocalToeplitz.panelWidth(784, 20000, Dtype.F64), "28x28: 400 KB panels of 64 images");
        assertEquals(32, LocalToeplitz.panelWidth(3 * 32 * 32, 5000, Dtype.F64), "never less than one unit of 32");
        assertEquals(128, LocalToeplitz.panelWidth(50, 5000, Dtype.F64), "at most four units");
        assertEquals(8, LocalToeplitz.panelWidth(3 * 512 * 512, 8, Dtype.F64), "never more than the items");
        assertEquals(128, LocalToeplitz.panelWidth(784, 20000, Dtype.F32), "floats: units of 64");
    }

    private static double[][] batch(double[] a, int size, int from, int n) {
        double[][] b = new double[n][];
        java.util.Arrays.fill(b, a);
        return b;
    }

    private static int[] offsets(int n, int size) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i * size;
        return o;
    }
}
