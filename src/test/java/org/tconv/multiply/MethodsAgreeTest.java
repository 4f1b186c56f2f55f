package org.tconv.multiply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.tconv.testing.Close;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.RandomSpecs;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;
import org.tconv.testing.SharedSpark;
import org.tconv.toeplitz.ToeplitzEntries;
import org.tconv.verify.DirectConvolution;

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
                    for (int k = 0; k < in.getCount(); k++) {
                        double[] ref = DirectConvolution.convolve(g, in.getValues(), k * g.inputSize());
                        Close.assertClose(ref, o.getOutValues(), k * g.outputSize(), 1e-12, m + " " + r.spec + " " + Arrays.toString(r.inputShape));
                    }
                }
            }
        }
    }

    /** float32 is float32: close to float64 at its own precision, and not bit-equal to it. */
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
            ImageBatch f32 = Method.TOEPLITZ.apply(spark, sc.parallelize(List.of(in), 1), r.spec, false, Dtype.F32).first();
            ImageBatch f64 = Method.TOEPLITZ.apply(spark, sc.parallelize(List.of(in), 1), r.spec, false, Dtype.F64).first();
            double maxDiff = 0, scale = 0;
            for (int i = 0; i < f64.getOutValues().length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(f32.getOutValues()[i] - f64.getOutValues()[i]));
                scale = Math.max(scale, Math.abs(f64.getOutValues()[i]));
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
}
