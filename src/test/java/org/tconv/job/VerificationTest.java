package org.tconv.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.operator.Dtype;
import org.tconv.multiply.Method;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;
import org.tconv.testing.SharedSpark;

/** --verify must see a wrong answer: a result nudged by more than the tolerance fails, an exact one passes. */
class VerificationTest {
    private final SparkSession spark = SharedSpark.get();

    private JavaRDD<ImageBatch> inputs(ConvSpec spec) {
        Random r = new Random(9);
        List<ImageBatch> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            double[] x = new double[2 * 3 * 7 * 6];
            for (int j = 0; j < x.length; j++) x[j] = r.nextDouble() * 255;
            rows.add(ImageBatch.of(new InputFile("file:/x" + i + ".npy", "x" + i + ".npy"), true, 2, new int[] {3, 7, 6}, x));
        }
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2);
    }

    private static ConvSpec spec() {
        double[] w = new double[4 * 3 * 3 * 3];
        Random r = new Random(10);
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return ConvSpec.builder(new int[] {4, 3, 3, 3}, w).padding(Padding.same()).paddingMode(PaddingMode.REFLECT).build();
    }

    @Test
    void everyMethodPassesItsOwnVerification() {
        ConvSpec spec = spec();
        for (Method m : Method.values()) {
            Verification v = Verification.run(spark, m.apply(spark, inputs(spec), spec, true, Dtype.F64), spec, m, Dtype.F64);
            assertTrue(v.passed(), m + ": " + v);
            assertTrue(v.maxRelDifference < 1e-13, v::toString);
        }
    }

    @Test
    void aWrongResultFails() {
        ConvSpec spec = spec();
        JavaRDD<ImageBatch> good = Method.TOEPLITZ.apply(spark, inputs(spec), spec, true, Dtype.F64);
        JavaRDD<ImageBatch> wrong = good.map(b -> {
            ImageBatch c = b.copy();
            double[] y = c.getOutValues().clone();
            if (c.getPath().endsWith("x2.npy")) y[y.length - 1] += 1e-6 * Math.abs(y[y.length - 1]) + 1e-3;
            c.setOutValues(y);
            return c;
        });
        Verification v = Verification.run(spark, wrong, spec, Method.TOEPLITZ, Dtype.F64);
        assertFalse(v.passed(), v::toString);
        assertTrue(v.maxAbsDifference >= 1e-3, v::toString);
        assertEquals("direct", v.reference);
    }
}
