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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
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
            Dataset<ImageBatch> ds = spark.createDataset(rows, Encoders.bean(ImageBatch.class)).repartition(3);
            for (Method m : Method.values()) {
                Map<String, ImageBatch> out = m.apply(spark, ds, r.spec, false).collectAsList().stream()
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

    /** Row blocks are allocated at the size the shape gives: the count must be exact. */
    @Test
    void rowBlockCountsFollowFromTheShape() {
        Random rnd = new Random(13);
        for (int trial = 0; trial < 300; trial++) {
            RandomSpecs r = RandomSpecs.draw(rnd);
            ToeplitzEntries t = new ToeplitzEntries(r.spec.geometry(r.inputShape));
            SparseMatrix local = t.toSparseMatrix(); // CSR: colPtrs are row pointers
            int rpb = 1 + rnd.nextInt(t.numRows());
            for (int r0 = 0; r0 < t.numRows(); r0 += rpb) {
                int r1 = Math.min(t.numRows(), r0 + rpb);
                assertEquals(local.colPtrs()[r1] - local.colPtrs()[r0], t.nonZerosInRows(r0, r1), r.spec::toString);
            }
        }
    }
}
