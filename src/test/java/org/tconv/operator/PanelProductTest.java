package org.tconv.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.RandomSpecs;
import org.tconv.toeplitz.ToeplitzEntries;

/** The kernel: vector and scalar implementations against a naive product, at every width and row range. */
class PanelProductTest {

    /**
     * A random CSR matrix: rows x cols, up to 30 non-zeros a row; some rows empty, or (as in the interior
     * of a Toeplitz matrix) most rows of the same length.
     */
    private static int[][] randomCsr(Random rnd, int rows, int cols, double[] valuesOut) {
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[rows * 30];
        int n = 0;
        boolean even = rnd.nextBoolean();
        int usual = 1 + rnd.nextInt(Math.min(30, cols));
        for (int r = 0; r < rows; r++) {
            int c = even && rnd.nextInt(10) > 0 ? usual : rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(Math.min(30, cols) + 1);
            int col = 0;
            for (int i = 0; i < c && col < cols; i++) {
                col += rnd.nextInt(Math.max(1, (cols - col - (c - i)) / Math.max(1, c - i)));
                if (col >= cols) break;
                valuesOut[n] = rnd.nextGaussian();
                colIdx[n++] = col++;
            }
            rowPtr[r + 1] = n;
        }
        return new int[][] {rowPtr, java.util.Arrays.copyOf(colIdx, n)};
    }

    @Test
    void theTestsRunTheVectorKernel() {
        // The build passes --add-modules=jdk.incubator.vector to every test JVM (pom.xml, spark.jvm.flags):
        // if that ever goes missing, the fast path would be silently untested.
        assertTrue(PanelProduct.kernel().startsWith("jdk.incubator.vector"), PanelProduct.kernel());
    }

    @Test
    void vectorAndScalarKernelsGiveTheSameBitsAsTheNaiveFmaChain() {
        Random rnd = new Random(21);
        for (int trial = 0; trial < 300; trial++) {
            int rows = 1 + rnd.nextInt(40), cols = 1 + rnd.nextInt(60);
            double[] values = new double[rows * 30];
            int[][] csr = randomCsr(rnd, rows, cols, values);
            int[] rowPtr = csr[0], colIdx = csr[1];
            int w = trial < 140 ? 1 + trial : 1 + rnd.nextInt(200); // every width up to 140: all tail paths
            double[] bias = new double[rows];
            for (int r = 0; r < rows; r++) bias[r] = rnd.nextGaussian();
            int xOff = rnd.nextInt(3) * w; // the panel rows before the line's first input line
            double[] x = new double[xOff + cols * w];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextDouble() * 255;
            int from = rnd.nextInt(rows), to = from + 1 + rnd.nextInt(rows - from);

            double[] expected = new double[(to - from) * w];
            for (int r = from; r < to; r++) {
                for (int j = 0; j < w; j++) {
                    double a = bias[r];
                    for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) a = Math.fma(values[k], x[xOff + colIdx[k] * w + j], a);
                    expected[(r - from) * w + j] = a;
                }
            }
            double[] vector = new double[expected.length], scalar = new double[expected.length];
            PanelProduct.multiply(rowPtr, colIdx, values, bias, x, xOff, w, from, to, vector);
            PanelProduct.scalar(rowPtr, colIdx, values, bias, x, xOff, w, from, to, scalar);
            assertArrayEquals(expected, vector, 0.0, "vector, width " + w);
            assertArrayEquals(expected, scalar, 0.0, "scalar, width " + w);

            float[] fv = new float[values.length], fb = new float[rows], fx = new float[x.length];
            for (int i = 0; i < fv.length; i++) fv[i] = (float) values[i];
            for (int i = 0; i < fb.length; i++) fb[i] = (float) bias[i];
            for (int i = 0; i < fx.length; i++) fx[i] = (float) x[i];
            float[] fExpected = new float[expected.length];
            for (int r = from; r < to; r++) {
                for (int j = 0; j < w; j++) {
                    float a = fb[r];
                    for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) a = Math.fma(fv[k], fx[xOff + colIdx[k] * w + j], a);
                    fExpected[(r - from) * w + j] = a;
                }
            }
            float[] fVector = new float[expected.length], fScalar = new float[expected.length];
            PanelProduct.multiply(rowPtr, colIdx, fv, fb, fx, xOff, w, from, to, fVector);
            PanelProduct.scalar(rowPtr, colIdx, fv, fb, fx, xOff, w, from, to, fScalar);
            assertArrayEquals(fExpected, fVector, 0.0f, "float vector, width " + w);
            assertArrayEquals(fExpected, fScalar, 0.0f, "float scalar, width " + w);
        }
    }

    /**
     * The product by the operator gives the bits of the explicit CSR of T multiplied row by row with the
     * FMA chain from the bias, in float64: for batches and for single wide images (the kernel's
     * narrow paths), in 1-, 2- and 3-D.
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

    /**
     * A thread reuses its packed panel: after a batch of NaN and infinite images, the spare lanes of a
     * narrower panel hold them, and the next batch's results are still the direct loop's, in both dtypes.
     */
    @Test
    void aReusedPanelsSpareLanesDoNotReachTheResults() {
        Random rnd = new Random(23);
        ConvSpec spec = ConvSpec.builder(new int[] {4, 2, 3, 3}, RandomSpecs.randomInput(rnd, 72)).padding(org.tconv.conv.Padding.same()).build();
        ConvGeometry g = spec.geometry(new int[] {2, 12, 12});
        LocalToeplitz t = LocalToeplitz.of(g);
        for (Dtype d : Dtype.values()) {
            int poisoned = 64, m = 37; // 37 images fill 40 lanes: three lanes keep the previous panel's values
            double[] bad = new double[poisoned * g.inputSize()];
            for (int i = 0; i < bad.length; i++) bad[i] = i % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
            t.apply(batch(bad, g.inputSize(), 0, poisoned), offsets(poisoned, g.inputSize()),
                    batch(new double[poisoned * g.outputSize()], g.outputSize(), 0, poisoned), offsets(poisoned, g.outputSize()), d);
            double[] x = RandomSpecs.randomInput(rnd, m * g.inputSize());
            double[] y = new double[m * g.outputSize()];
            t.apply(batch(x, g.inputSize(), 0, m), offsets(m, g.inputSize()), batch(y, g.outputSize(), 0, m), offsets(m, g.outputSize()), d);
            for (int i = 0; i < m; i++) {
                double[] direct = org.tconv.verify.DirectConvolution.convolve(g, x, i * g.inputSize());
                for (int k = 0; k < direct.length; k++) {
                    assertEquals(direct[k], y[i * g.outputSize() + k], (d == Dtype.F32 ? 1e-4 : 1e-9) * (1 + Math.abs(direct[k])), d + " item " + i);
                }
            }
        }
    }

    /**
     * A batch of whole panels kept in the product's own layout holds, item for item, the bits the item-major
     * product gives, in float64 and float32 (f32 as floats), for random specs and batch sizes that leave a
     * partial last group.
     */
    @Test
    void groupMajorResultsAreTheItemMajorBits() {
        Random rnd = new Random(24);
        int tried = 0;
        for (int trial = 0; tried < 25 && trial < 400; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            LocalToeplitz t = LocalToeplitz.of(g);
            for (Dtype d : Dtype.values()) {
                int unit = d == Dtype.F32 ? 64 : 32;
                int count = unit + rnd.nextInt(3 * t.groupWidth(Integer.MAX_VALUE, d));
                int group = t.groupWidth(count, d);
                if (!t.fillsPanels(count, d) || (long) count * g.inputSize() > 4_000_000) continue;
                tried++;
                double[] x = RandomSpecs.randomInput(rnd, count * g.inputSize());
                double[] itemMajor = new double[count * g.outputSize()];
                t.apply(batch(x, g.inputSize(), 0, count), offsets(count, g.inputSize()), batch(itemMajor, g.outputSize(), 0, count),
                        offsets(count, g.outputSize()), d);
                org.tconv.read.ImageBatch b = org.tconv.read.ImageBatch.of(new org.tconv.read.InputFile("file:/b.npy", "b.npy"), true, count, r.inputShape, x);
                if (d == Dtype.F32) {
                    float[] out = new float[count * g.outputSize()];
                    t.applyGroupMajor(x, 0, count, out);
                    b.setOutFloats(out);
                } else {
                    double[] out = new double[count * g.outputSize()];
                    t.applyGroupMajor(x, 0, count, out);
                    b.setOutValues(out);
                }
                b.setOutGroup(group);
                org.tconv.read.ImageBatch items = b.itemMajor();
                for (int i = 0; i < itemMajor.length; i++) {
                    double got = d == Dtype.F32 ? items.getOutFloats()[i] : items.getOutValues()[i];
                    if (got != itemMajor[i]) {
                        throw new AssertionError(d + " value " + i + " of " + count + " items in groups of " + group + ": " + got + " vs " + itemMajor[i] + " " + r.spec);
                    }
                }
            }
        }
        assertTrue(tried >= 25, "tried " + tried + " specs that fill panels");
    }

    @Test
    void panelsHoldWholeVectorsAndFitInL2() {
        assertEquals(64, LocalToeplitz.panelWidth(784, 20000, Dtype.F64), "28x28: 400 KB panels of 64 images");
        assertEquals(32, LocalToeplitz.panelWidth(3 * 32 * 32, 5000, Dtype.F64), "never less than one unit of 32");
        assertEquals(128, LocalToeplitz.panelWidth(50, 5000, Dtype.F64), "at most four units");
        assertEquals(8, LocalToeplitz.panelWidth(3 * 512 * 512, 8, Dtype.F64), "never more than the items");
        assertEquals(128, LocalToeplitz.panelWidth(784, 20000, Dtype.F32), "floats: units of 64");
        // a batch file's groups: the long batch's panel width, or the whole units a shorter batch holds
        LocalToeplitz w1 = LocalToeplitz.of(ConvSpec.builder(new int[] {8, 1, 5, 5}, new double[200]).padding(org.tconv.conv.Padding.of(2))
                .build().geometry(new int[] {1, 28, 28}));
        assertEquals(64, w1.groupWidth(100, Dtype.F32));
        assertEquals(128, w1.groupWidth(300, Dtype.F32));
        assertEquals(64, w1.groupWidth(100, Dtype.F64));
        assertEquals(32, w1.groupWidth(40, Dtype.F64));
        assertTrue(w1.fillsPanels(32, Dtype.F64) && !w1.fillsPanels(31, Dtype.F64) && !w1.fillsPanels(63, Dtype.F32));
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
