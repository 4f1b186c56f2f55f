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
}
