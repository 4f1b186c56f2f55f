package org.tconv.multiply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.tconv.operator.Dtype;
import org.tconv.operator.ConvOperator;
import org.tconv.testing.Close;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.conv.RandomSpecs;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;
import org.tconv.testing.SharedSpark;
import org.tconv.toeplitz.ToeplitzEntries;
import org.tconv.verify.DirectConvolution;

import scala.Tuple2;

/** Every method, through Spark, against the direct loop on random convolutions; T's three forms against each other. */
class MethodsAgreeTest {
    private final SparkSession spark = SharedSpark.get();

    @Test
    void everyMethodEqualsTheDirectLoop() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 12; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            List<ImageBatch> rows = new ArrayList<>();
            for (int f = 0; f < 5; f++) {
                boolean batched = f % 2 == 1;
                int count = batched ? 1 + rnd.nextInt(4) : 1;
                rows.add(ImageBatch.of(new InputFile("file:/in/f" + f + ".npy", "f" + f + ".npy"), batched, count,
                        r.inputShape, RandomSpecs.randomInput(rnd, count * g.inputSize())));
            }
            JavaRDD<ImageBatch> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3);
            for (Method m : Method.values()) {
                Map<String, ImageBatch> out = m.apply(spark, rdd, r.spec, false, Dtype.F64).collect().stream()
                        .collect(Collectors.toMap(ImageBatch::getPath, b -> b));
                assertEquals(rows.size(), out.size(), m + " " + r.spec);
                for (ImageBatch in : rows) {
                    ImageBatch o = out.get(in.getPath());
                    assertTrue(o.ok(), () -> m + ": " + o.getError());
                    assertArrayEquals(g.outputShape(), o.getOutShape());
                    org.junit.jupiter.api.Assertions.assertNotNull(o.getOutValues(), m + " " + r.spec + " " + Arrays.toString(r.inputShape) + " count " + in.getCount());
                    for (int k = 0; k < in.getCount(); k++) {
                        double[] ref = DirectConvolution.convolve(g, in.getValues(), k * g.inputSize());
                        Close.assertClose(ref, o.getOutValues(), k * g.outputSize(), 1e-12, m + " " + r.spec + " " + Arrays.toString(r.inputShape));
                    }
                }
            }
        }
    }

    /**
     * float32 is float32: the results are float32 arrays, close to float64 at their own precision and not
     * bit-equal to it, and the same floats as the float32 product widened into float64 outputs.
     */
    @Test
    void toeplitzInFloat32IsWithinFloatPrecision() {
        Random rnd = new Random(13);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        for (int trial = 0; trial < 8; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            int count = 1 + rnd.nextInt(70);
            ImageBatch in = ImageBatch.of(new InputFile("file:/in/b.npy", "b.npy"), true, count, r.inputShape,
                    RandomSpecs.randomInput(rnd, count * g.inputSize()));
            ImageBatch f32 = Method.TOEPLITZ.apply(spark, sc.parallelize(List.of(in), 1), r.spec, false, Dtype.F32).first().itemMajor();
            ImageBatch f64 = Method.TOEPLITZ.apply(spark, sc.parallelize(List.of(in), 1), r.spec, false, Dtype.F64).first().itemMajor();
            assertTrue(f32.getOutValues() == null, "float32 results are kept as float32");
            float[] y32 = f32.getOutFloats();
            double maxDiff = 0, scale = 0;
            for (int i = 0; i < f64.getOutValues().length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(y32[i] - f64.getOutValues()[i]));
                scale = Math.max(scale, Math.abs(f64.getOutValues()[i]));
            }
            // the float32 product widened into float64 outputs (the ML transformer's path) holds the same floats
            ConvOperator t = ConvOperator.of(g);
            double[][] widened = new double[count][];
            double[][] src = new double[count][];
            int[] inOff = new int[count], outOff = new int[count];
            for (int k = 0; k < count; k++) {
                widened[k] = new double[g.outputSize()];
                src[k] = in.getValues();
                inOff[k] = k * g.inputSize();
            }
            t.convolve(src, inOff, widened, outOff, Dtype.F32);
            for (int k = 0; k < count; k++) {
                for (int i = 0; i < g.outputSize(); i++) {
                    if ((float) widened[k][i] != y32[k * g.outputSize() + i]) {
                        throw new AssertionError("item " + k + " value " + i + ": " + widened[k][i] + " widened, " + y32[k * g.outputSize() + i]
                                + " as float32, " + r.spec);
                    }
                }
            }
            assertTrue(maxDiff <= 1e-5 * scale, maxDiff + " vs scale " + scale + " " + r.spec);
            assertTrue(maxDiff > 0, "float32 rounding shows somewhere: " + r.spec);
        }
    }

    /** The toeplitz method changes copies of its rows: an input RDD that is cached as objects stays usable. */
    @Test
    void toeplitzLeavesItsInputRowsAlone() {
        Random rnd = new Random(14);
        RandomSpecs r = RandomSpecs.draw(rnd);
        ConvGeometry g = r.spec.geometry(r.inputShape);
        double[] x = RandomSpecs.randomInput(rnd, g.inputSize());
        ImageBatch in = ImageBatch.of(new InputFile("file:/in/a.npy", "a.npy"), false, 1, r.inputShape, x);
        ToeplitzMethod m = new ToeplitzMethod(r.spec, false, Dtype.F64);
        List<ImageBatch> out = new ArrayList<>();
        m.call(List.of(in).iterator()).forEachRemaining(out::add);
        assertEquals(1, out.size());
        assertTrue(out.get(0) != in);
        assertTrue(out.get(0).getValues() == null, "the output row drops its input");
        assertTrue(in.getValues() == x && in.getOutValues() == null, "the input row is unchanged");
    }

    @Test
    void blockAndCoordinateMatricesEqualTheLocalMatrix() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Random rnd = new Random(12);
        for (int trial = 0; trial < 10; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ToeplitzEntries t = new ToeplitzEntries(r.spec.geometry(r.inputShape));
            SparseMatrix local = t.toSparseMatrix();
            int rpb = 1 + rnd.nextInt(Math.max(1, t.numRows())), cpb = 1 + rnd.nextInt(Math.max(1, t.numCols()));
            var block = t.toBlockMatrix(sc, rpb, cpb, 3);
            block.validate();
            for (Matrix b : block.blocks().toJavaRDD().map(x -> x._2()).collect()) {
                assertTrue(b instanceof SparseMatrix, "T's blocks stay sparse");
            }
            assertArrayEquals(local.toArray(), block.toLocalMatrix().toArray(), 0.0, r.spec::toString);
            assertArrayEquals(local.toArray(), t.toCoordinateMatrix(sc, 3).toBlockMatrix().toLocalMatrix().toArray(), 0.0);
            assertEquals(t.nonZeros(), t.toCoordinateMatrix(sc, 2).entries().count());
        }
    }

    /** The layout T's BlockMatrix gives MLlib instead of a job: counts and column blocks from the shape alone. */
    @Test
    void rowBlockCountsAndColumnBlocksFollowFromTheShape() {
        Random rnd = new Random(13);
        for (int trial = 0; trial < 300; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ToeplitzEntries t = new ToeplitzEntries(r.spec.geometry(r.inputShape));
            SparseMatrix local = t.toSparseMatrix(); // CSR: colPtrs are row pointers
            int rpb = 1 + rnd.nextInt(t.numRows()), cpb = 1 + rnd.nextInt(t.numCols());
            int rowBlocks = (t.numRows() + rpb - 1) / rpb;
            for (int i = 0; i < rowBlocks; i++) {
                int bi = i;
                int r0 = bi * rpb, r1 = Math.min(t.numRows(), r0 + rpb);
                assertEquals(local.colPtrs()[r1] - local.colPtrs()[r0], t.nonZerosInRows(r0, r1), r.spec::toString);
                List<Integer> claimed = Arrays.stream(t.columnBlocksOf(bi, rpb, cpb)).boxed().collect(Collectors.toList());
                for (int e = local.colPtrs()[r0]; e < local.colPtrs()[r1]; e++) {
                    int bj = local.rowIndices()[e] / cpb;
                    assertTrue(claimed.contains(bj), () -> r.spec + ": row block " + bi + " has entries in column block " + bj + ", not in " + claimed);
                }
            }
        }
    }

    /** MLlib pairs T's and X's blocks where ToeplitzBlockMatrix routes them: right for any number of partitions. */
    @Test
    void productIsRightForAnyNumberOfMidDimensionSplits() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Random rnd = new Random(14);
        for (int trial = 0; trial < 6; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ToeplitzEntries t = new ToeplitzEntries(r.spec.geometry(r.inputShape));
            int items = 1 + rnd.nextInt(5);
            int rpb = 1 + rnd.nextInt(t.numRows()), cpb = 1 + rnd.nextInt(t.numCols()), ipb = 1 + rnd.nextInt(items);
            DenseMatrix x = DenseMatrix.rand(t.numCols(), items, rnd);
            List<Tuple2<Tuple2<Object, Object>, Matrix>> xb = new ArrayList<>();
            for (int bj = 0; bj * cpb < t.numCols(); bj++) {
                for (int bk = 0; bk * ipb < items; bk++) {
                    int rows = Math.min(cpb, t.numCols() - bj * cpb), cols = Math.min(ipb, items - bk * ipb);
                    double[] v = new double[rows * cols];
                    for (int c = 0; c < cols; c++) for (int i = 0; i < rows; i++) v[c * rows + i] = x.apply(bj * cpb + i, bk * ipb + c);
                    xb.add(new Tuple2<>(new Tuple2<>(bj, bk), new DenseMatrix(rows, cols, v)));
                }
            }
            var xm = new BlockMatrix(sc.parallelize(xb, 2).rdd(), cpb, ipb, t.numCols(), items);
            double[] expected = t.toSparseMatrix().multiply(x).toArray();
            for (int splits : new int[] {1, 2, 5}) {
                double[] got = t.toBlockMatrix(sc, rpb, cpb, 1 + rnd.nextInt(3)).multiply(xm, splits).toLocalMatrix().toArray();
                Close.assertClose(expected, got, 0, 1e-12, r.spec + " splits " + splits);
            }
        }
    }

    /** W4 in small: one image, T cut in row blocks; no job beyond planning, every row block a task of the product. */
    @Test
    void oneImageUnderBlockmatrixEqualsToeplitzWithNoExtraJob() throws Exception {
        Random rnd = new Random(15);
        double[] w = new double[25];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        ConvSpec spec = ConvSpec.builder(new int[] {1, 1, 5, 5}, w).padding(Padding.of(2)).build();
        int[] shape = {1, 64, 64};
        ConvGeometry g = spec.geometry(shape);
        ImageBatch in = ImageBatch.of(new InputFile("file:/in/big.npy", "big.npy"), false, 1, shape,
                RandomSpecs.randomInput(rnd, g.inputSize()));
        JavaRDD<ImageBatch> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(in), 1);
        double[] expected = Method.TOEPLITZ.apply(spark, rdd, spec, false, Dtype.F64).collect().get(0).getOutValues();

        JobWatch watch = JobWatch.start(spark.sparkContext());
        ImageBatch out = Method.BLOCKMATRIX.apply(spark, rdd, spec, false, Dtype.F64).collect().get(0);
        watch.stop();
        assertTrue(out.ok(), out::getError);
        Close.assertClose(expected, out.getOutValues(), 0, 1e-12, "blockmatrix against toeplitz");
        assertEquals(2, watch.jobs(), "one job reads the inputs to plan the blocks, one computes; stages " + watch.stages());
        BlockPlan plan = BlockPlan.choose(g, 1, spark.sparkContext().defaultParallelism());
        assertTrue(plan.rowBlocks >= 2 * spark.sparkContext().defaultParallelism(), plan::toString);
        // T's build, X's blocks and the product itself: each a task per row block
        assertTrue(watch.stages().values().stream().filter(n -> n >= plan.rowBlocks).count() >= 3, () -> plan + " " + watch.stages());
    }

    /** Jobs and stages (tasks each) run by this thread between start and stop, as Spark's listener bus reports them. */
    private static final class JobWatch extends SparkListener {
        private final SparkContext sc;
        private final String group = "watch-" + System.nanoTime();
        private final AtomicInteger jobs = new AtomicInteger();
        private final Map<Integer, Integer> stages = new ConcurrentHashMap<>();
        private final Set<Integer> markers = ConcurrentHashMap.newKeySet();
        private final CountDownLatch drained = new CountDownLatch(1);

        private JobWatch(SparkContext sc) {
            this.sc = sc;
        }

        static JobWatch start(SparkContext sc) {
            JobWatch w = new JobWatch(sc);
            sc.addSparkListener(w);
            sc.setJobGroup(w.group, "watched", false);
            return w;
        }

        /** Runs a marker job: the bus delivers in order, so once its end arrives every earlier event has. */
        void stop() throws InterruptedException {
            sc.setJobGroup(group + "-marker", "marker", false);
            JavaSparkContext.fromSparkContext(sc).parallelize(List.of(1), 1).count();
            sc.clearJobGroup();
            assertTrue(drained.await(30, TimeUnit.SECONDS), "listener bus drained");
            sc.removeSparkListener(this);
        }

        @Override
        public void onJobStart(SparkListenerJobStart e) {
            String g = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
            if (group.equals(g)) {
                jobs.incrementAndGet();
                e.stageInfos().foreach(st -> stages.put(st.stageId(), st.numTasks()));
            } else if ((group + "-marker").equals(g)) {
                markers.add(e.jobId());
            }
        }

        @Override
        public void onJobEnd(SparkListenerJobEnd e) {
            if (markers.contains(e.jobId())) drained.countDown();
        }

        int jobs() { return jobs.get(); }
        Map<Integer, Integer> stages() { return stages; }
    }
}
