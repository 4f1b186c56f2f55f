package org.tconv.toeplitz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.GridPartitioner;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.RandomSpecs;
import org.tconv.testing.SharedSpark;

import scala.Tuple2;

/**
 * ToeplitzBlockMatrix overrides MLlib's {@code private[distributed] simulateMultiply}: a Spark upgrade that
 * renamed it, changed its signature or stopped calling it would silently bring back MLlib's own simulation
 * (two extra jobs, T built twice). These tests fail first.
 */
class ToeplitzBlockMatrixTest {
    private final SparkSession spark = SharedSpark.get();

    @Test
    void mllibStillHasTheMethodTheOverrideReplaces() throws Exception {
        Method base = BlockMatrix.class.getDeclaredMethod("simulateMultiply", BlockMatrix.class, GridPartitioner.class, int.class);
        assertEquals(Tuple2.class, base.getReturnType());
        assertFalse(Modifier.isFinal(base.getModifiers()) || Modifier.isPrivate(base.getModifiers()) || Modifier.isStatic(base.getModifiers()),
                base::toString);
        Method override = ToeplitzBlockMatrix.class.getDeclaredMethod("simulateMultiply", BlockMatrix.class, GridPartitioner.class, int.class);
        assertEquals(base.getGenericReturnType().getTypeName(), override.getGenericReturnType().getTypeName());
        // multiply itself still exists with the (other, midDimSplits) form BlockMatrixMethod calls
        BlockMatrix.class.getMethod("multiply", BlockMatrix.class, int.class);
    }

    @Test
    void multiplyCallsTheOverrideAndGivesTheDenseProduct() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        AtomicInteger jobs = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart jobStart) {
                jobs.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(counter);
        try {
            Random rnd = new Random(31);
            for (int trial = 0; trial < 4; trial++) {
                RandomSpecs r = RandomSpecs.draw(rnd, true);
                ConvGeometry g = r.spec.geometry(r.inputShape);
                ToeplitzEntries t = new ToeplitzEntries(g);
                int rows = t.numRows(), cols = t.numCols(), items = 3;
                int rpb = Math.max(1, rows / 3), cpb = Math.max(1, cols / 2);
                BlockMatrix tm = t.toBlockMatrix(sc, rpb, cpb, 3);
                double[] xv = new double[cols * items];
                for (int i = 0; i < xv.length; i++) xv[i] = rnd.nextGaussian();
                List<Tuple2<Tuple2<Object, Object>, Matrix>> xb = new ArrayList<>();
                for (int bj = 0; bj * cpb < cols; bj++) {
                    int n = Math.min(cpb, cols - bj * cpb);
                    double[] v = new double[n * items];
                    for (int k = 0; k < items; k++) System.arraycopy(xv, k * cols + bj * cpb, v, k * n, n);
                    xb.add(new Tuple2<>(new Tuple2<>(bj, 0), new DenseMatrix(n, items, v)));
                }
                BlockMatrix x = new BlockMatrix(sc.parallelize(xb, 2).rdd(), cpb, items, cols, items);
                spark.sparkContext().listenerBus().waitUntilEmpty();
                int before = jobs.get();
                BlockMatrix y = tm.multiply(x, 2);
                spark.sparkContext().listenerBus().waitUntilEmpty();
                // MLlib's own simulation collects both operands' block keys: two jobs before any action
                assertEquals(before, jobs.get(), "multiply ran jobs to simulate the product: the override was not called");
                double[] got = y.toLocalMatrix().toArray(); // column-major rows x items
                double[] dense = t.toSparseMatrix().toArray();
                for (int k = 0; k < items; k++) {
                    for (int i = 0; i < rows; i++) {
                        double e = 0;
                        for (int j = 0; j < cols; j++) e += dense[j * rows + i] * xv[k * cols + j];
                        assertEquals(e, got[k * rows + i], 1e-9 * (1 + Math.abs(e)), r.spec::toString);
                    }
                }
            }
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
    }

    /**
     * T's BlockMatrix is built where its blocks live: the RDD's lineage holds no shuffle, and the one stage
     * that makes the blocks reads and writes no shuffle bytes (only MLlib's multiply moves them).
     */
    @Test
    void buildingTheBlocksShufflesNothing() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        RandomSpecs r = RandomSpecs.draw(new Random(41), true);
        ToeplitzEntries t = new ToeplitzEntries(r.spec.geometry(r.inputShape));
        BlockMatrix tm = t.toBlockMatrix(sc, Math.max(1, t.numRows() / 4), Math.max(1, t.numCols() / 3), 3);
        List<org.apache.spark.rdd.RDD<?>> lineage = new ArrayList<>(List.of(tm.blocks()));
        while (!lineage.isEmpty()) {
            org.apache.spark.rdd.RDD<?> rdd = lineage.remove(lineage.size() - 1);
            for (org.apache.spark.Dependency<?> d : scala.jdk.javaapi.CollectionConverters.asJava(rdd.dependencies())) {
                assertFalse(d instanceof org.apache.spark.ShuffleDependency, "a shuffle in T's lineage: " + rdd.toDebugString());
                lineage.add(d.rdd());
            }
        }
        String group = "t-blocks-" + System.nanoTime();
        List<org.apache.spark.scheduler.StageInfo> stages = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.Set<Integer> ours = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        SparkListener watch = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart e) {
                if (e.properties() != null && group.equals(e.properties().getProperty("spark.jobGroup.id"))) {
                    e.stageInfos().foreach(st -> ours.add(st.stageId()));
                }
            }

            @Override
            public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted e) {
                if (ours.contains(e.stageInfo().stageId())) {
                    stages.add(e.stageInfo());
                    done.countDown();
                }
            }
        };
        spark.sparkContext().addSparkListener(watch);
        long blocks;
        try {
            sc.setJobGroup(group, "T's blocks", false);
            blocks = tm.blocks().count();
        } finally {
            sc.clearJobGroup();
        }
        assertTrue(done.await(30, java.util.concurrent.TimeUnit.SECONDS), "stage completed");
        spark.sparkContext().listenerBus().waitUntilEmpty();
        spark.sparkContext().removeSparkListener(watch);
        assertTrue(blocks > 0, r.spec::toString);
        assertEquals(1, ours.size(), "one stage makes T's blocks, none before it");
        assertEquals(1, stages.size());
        var metrics = stages.get(0).taskMetrics();
        assertEquals(0, metrics.shuffleReadMetrics().totalBytesRead(), "shuffle bytes read building T");
        assertEquals(0, metrics.shuffleReadMetrics().recordsRead());
        assertEquals(0, metrics.shuffleWriteMetrics().bytesWritten(), "shuffle bytes written building T");
    }

    /** Taps of a 5-tap kernel with padding 2 that land inside an axis of n: the test's own count. */
    private static int taps5(int o, int n) {
        int c = 0;
        for (int k = 0; k < 5; k++) if (o - 2 + k >= 0 && o - 2 + k < n) c++;
        return c;
    }

    /**
     * Row blocks of a T with 2^32 rows (16 output channels of 16384^2) and of a T with 2^32 columns (16 input
     * channels), taken past 2^31: every stored entry, put back at its global (row, column) by its block's
     * offsets, is the weight the test's own decoding of that row and column says lands there, and each row
     * holds as many entries as its taps inside the image. Only the few small blocks are built.
     */
    @Test
    void rowBlocksPastTwoToTheThirtyOneHoldTheirEntriesAtLongOffsets() {
        int n = 16384;
        Random rnd = new Random(43);
        for (boolean manyOutputs : new boolean[] {true, false}) {
            int cOut = manyOutputs ? 16 : 1, cIn = manyOutputs ? 1 : 16;
            double[] w = new double[cOut * cIn * 25];
            for (int i = 0; i < w.length; i++) w[i] = 1 + rnd.nextInt(1 << 20); // distinct enough to tell taps apart
            org.tconv.conv.ConvSpec spec = org.tconv.conv.ConvSpec.builder(new int[] {cOut, cIn, 5, 5}, w)
                    .padding(org.tconv.conv.Padding.of(2)).build();
            ConvGeometry g = spec.geometry(new int[] {cIn, n, n});
            ToeplitzEntries t = new ToeplitzEntries(g);
            long plane = (long) n * n;
            assertEquals(1L << 32, manyOutputs ? g.outputElements() : g.inputElements());
            int rpb = 300, cpb = 40000; // a block of 300 rows crosses an image row edge
            long wanted = manyOutputs ? (1L << 31) + 5L * plane / 4 + n - 150 : plane / 2 + n - 150;
            int bi = (int) (wanted / rpb);
            long r0 = (long) bi * rpb;
            assertTrue(!manyOutputs || r0 > Integer.MAX_VALUE);
            long entries = 0, expected = 0;
            long[] perRow = new long[rpb];
            long maxCol = 0;
            for (Tuple2<Tuple2<Object, Object>, Matrix> blk : t.blocksOfRowBlock(bi, rpb, cpb)) {
                assertEquals(bi, (int) (Integer) blk._1()._1());
                int bj = (Integer) blk._1()._2();
                org.apache.spark.mllib.linalg.SparseMatrix m = (org.apache.spark.mllib.linalg.SparseMatrix) blk._2();
                assertTrue(m.isTransposed() && m.numRows() == rpb && m.numCols() <= cpb);
                for (int lr = 0; lr < rpb; lr++) {
                    for (int e = m.colPtrs()[lr]; e < m.colPtrs()[lr + 1]; e++) {
                        long row = r0 + lr, col = (long) bj * cpb + m.rowIndices()[e];
                        int co = (int) (row / plane), oy = (int) (row % plane / n), ox = (int) (row % n);
                        int ci = (int) (col / plane), iy = (int) (col % plane / n), ix = (int) (col % n);
                        int ky = iy - oy + 2, kx = ix - ox + 2;
                        assertTrue(ky >= 0 && ky < 5 && kx >= 0 && kx < 5, () -> "entry at " + row + ", " + col + " is no tap");
                        assertEquals(w[((co * cIn + ci) * 5 + ky) * 5 + kx], m.values()[e], 0.0, () -> "entry at " + row + ", " + col);
                        perRow[lr]++;
                        entries++;
                        maxCol = Math.max(maxCol, col);
                    }
                }
            }
            for (int lr = 0; lr < rpb; lr++) {
                long row = r0 + lr;
                long taps = (long) taps5((int) (row % plane / n), n) * taps5((int) (row % n), n) * cIn;
                assertEquals(taps, perRow[lr], "entries of row " + row);
                expected += taps;
            }
            assertEquals(expected, entries);
            if (!manyOutputs) assertTrue(maxCol > Integer.MAX_VALUE, "columns past 2^31 were generated: " + maxCol);
        }
    }
}
