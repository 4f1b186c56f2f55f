package org.tconv.toeplitz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.tconv.testing.Close;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.RandomSpecs;
import org.tconv.operator.ConvOperator;
import org.tconv.operator.OperatorCache;
import org.tconv.testing.DirectLoop3d;
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
            ConvOperator.of(g).convolve(x, 0, n, y, 0);
            for (int i = 0; i < n; i++) {
                double[] ref = DirectConvolution.convolve(g, x, i * g.inputSize());
                Close.assertClose(ref, y, i * g.outputSize(), 1e-12, r.spec.toString());
            }
        }
    }

    /** The operator, in 1-, 2- and 3-D: T's columns against the test's own direct loop, and what it stores. */
    @Test
    void operatorTimesBasisVectorsIsTheDirectConvolutionInEveryDimension() {
        Random rnd = new Random(4);
        for (int trial = 0; trial < 400; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd, true);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            BlockToeplitz op = new BlockToeplitz(g);
            SparseMatrix t = new ToeplitzEntries(op).toSparseMatrix();
            double[] dense = t.toArray();
            int rows = g.outputSize(), cols = g.inputSize();
            double[] zero = DirectLoop3d.convolve(g, new double[cols], 0);
            long denseNonZeros = 0;
            for (int j = 0; j < cols; j++) {
                double[] e = new double[cols];
                e[j] = 1.0;
                double[] y = DirectLoop3d.convolve(g, e, 0);
                for (int i = 0; i < rows; i++) {
                    assertEquals(y[i] - zero[i], dense[j * rows + i], 1e-12, () -> r.spec + " input " + java.util.Arrays.toString(r.inputShape));
                    if (dense[j * rows + i] != 0.0) denseNonZeros++;
                }
            }
            assertEquals(g.structuralNonZeros(), t.numNonzeros(), r.spec::toString);
            assertEquals(g.structuralNonZeros(), denseNonZeros, r.spec::toString);
            // what the operator stores: one block per distinct (depth taps, height taps) folded onto one
            // source, each block the width axis' sources x channels of the group for every output column
            long perBlock = (long) r.spec.outChannels() * r.spec.inChannelsPerGroup() * g.cols.source.length;
            assertEquals(op.blockCount() * perBlock, op.storedNonZeros());
            java.util.Set<String> tapSets = new java.util.HashSet<>();
            for (int z = 0; z < g.depth.source.length; z++) {
                for (int a = 0; a < g.rows.source.length; a++) {
                    tapSets.add(taps(g.depth, z) + "/" + taps(g.rows, a));
                }
            }
            // the blocks are among the distinct tap-set pairs; with zero padding each tap set is one tap
            assertTrue(op.blockCount() <= tapSets.size(), r.spec::toString);
            if (r.spec.paddingMode() == org.tconv.conv.PaddingMode.ZEROS) {
                assertTrue(op.blockCount() <= r.spec.kernelDepth() * r.spec.kernelHeight(), r.spec::toString);
            }
        }
    }

    private static String taps(org.tconv.conv.FoldedAxis axis, int e) {
        return java.util.Arrays.toString(java.util.Arrays.copyOfRange(axis.k, axis.kStart[e], axis.kStart[e + 1]));
    }

    /**
     * The explicit T generated from the operator has exactly the entries (same order, same bits) of the
     * generator it replaced, kept here as it was (extended by the depth axis in the same way as rows).
     */
    @Test
    void explicitEntriesFromTheOperatorAreTheOldGeneratorsBitForBit() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd, true);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            java.util.List<double[]> expected = new java.util.ArrayList<>();
            oldGenerator(g, (row, col, v) -> expected.add(new double[] {row, col, v}));
            java.util.List<double[]> got = new java.util.ArrayList<>();
            new ToeplitzEntries(g).forEachInRows(0, g.outputSize(), (row, col, v) -> got.add(new double[] {row, col, v}));
            assertEquals(expected.size(), got.size(), r.spec::toString);
            for (int i = 0; i < got.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(i), got.get(i), 0.0, r.spec + " entry " + i);
            }
        }
    }

    /** ToeplitzEntries.forEachInRows before the operator, verbatim but for the depth loop. */
    private static void oldGenerator(ConvGeometry g, BlockToeplitz.Sink sink) {
        org.tconv.conv.ConvSpec s = g.spec;
        org.tconv.conv.FoldedAxis depth = g.depth, rows = g.rows, cols = g.cols;
        int plane = g.outD * g.outH * g.outW;
        int perGroup = s.outChannels() / s.groups();
        int cinPG = s.inChannelsPerGroup();
        int dhw = g.d * g.h * g.w;
        for (int r = 0; r < g.outputSize(); r++) {
            int co = r / plane;
            int rem = r - co * plane;
            int oz = rem / (g.outH * g.outW);
            int oy = (rem / g.outW) % g.outH;
            int ox = rem % g.outW;
            int ci0 = (co / perGroup) * cinPG;
            for (int cil = 0; cil < cinPG; cil++) {
                int chanBase = (ci0 + cil) * dhw;
                for (int q0 = depth.start[oz]; q0 < depth.start[oz + 1]; q0++) {
                    for (int a = rows.start[oy]; a < rows.start[oy + 1]; a++) {
                        int rowBase = chanBase + (depth.source[q0] * g.h + rows.source[a]) * g.w;
                        for (int b = cols.start[ox]; b < cols.start[ox + 1]; b++) {
                            double v = 0.0;
                            for (int q = depth.kStart[q0]; q < depth.kStart[q0 + 1]; q++) {
                                for (int i = rows.kStart[a]; i < rows.kStart[a + 1]; i++) {
                                    for (int j = cols.kStart[b]; j < cols.kStart[b + 1]; j++) {
                                        v += s.weight(co, cil, depth.k[q], rows.k[i], cols.k[j]);
                                    }
                                }
                            }
                            sink.entry(r, rowBase + cols.source[b], v);
                        }
                    }
                }
            }
        }
    }

    @Test
    void batchedProductEqualsDirectLoopInEveryDimension() {
        Random rnd = new Random(6);
        for (int trial = 0; trial < 300; trial++) {
            RandomSpecs r = trial % 3 == 0 ? RandomSpecs.drawWide(rnd) : RandomSpecs.draw(rnd, true);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            int n = trial % 3 == 0 ? 1 : 1 + rnd.nextInt(200);
            double[] x = RandomSpecs.randomInput(rnd, n * g.inputSize());
            for (org.tconv.operator.Dtype d : org.tconv.operator.Dtype.values()) {
                double[] y = new double[n * g.outputSize()];
                double[][] in = new double[n][], out = new double[n][];
                int[] io = new int[n], oo = new int[n];
                for (int i = 0; i < n; i++) {
                    in[i] = x;
                    io[i] = i * g.inputSize();
                    out[i] = y;
                    oo[i] = i * g.outputSize();
                }
                ConvOperator.of(g).convolve(in, io, out, oo, d);
                for (int i = 0; i < n; i++) {
                    double[] ref = DirectLoop3d.convolve(g, x, i * g.inputSize());
                    Close.assertClose(ref, y, i * g.outputSize(), d == org.tconv.operator.Dtype.F32 ? 1e-5 : 1e-12, d + " " + r.spec);
                }
            }
        }
    }

    @Test
    void matrixIsBuiltOncePerShape() {
        Random rnd = new Random(3);
        RandomSpecs r = RandomSpecs.draw(rnd);
        ConvGeometry g = r.spec.geometry(r.inputShape);
        ConvOperator first = ConvOperator.of(g);
        long builds = OperatorCache.buildCount();
        for (int i = 0; i < 10; i++) {
            assertEquals(first.bytes(), ConvOperator.of(r.spec.geometry(r.inputShape)).bytes());
        }
        assertEquals(builds, OperatorCache.buildCount());
    }
}
