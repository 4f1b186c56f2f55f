package org.tconv.multiply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.tconv.operator.Dtype;
import org.tconv.operator.OperatorCache;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;
import org.tconv.testing.Close;
import org.tconv.testing.DirectLoop3d;
import org.tconv.testing.SharedSpark;

/**
 * A collection of many image sizes (W6-like: RGB, an (8,3,3,3) kernel, padding 1): each shape's operator is
 * built once per executor (here the test JVM, local mode), and a build costs its distinct blocks, a small
 * fraction of the explicit T it replaces. Counted in builds and bytes, not timed.
 */
class ManySizesTest {
    private final SparkSession spark = SharedSpark.get();

    @Test
    void eachShapeIsBuiltOnceAndBuildsAreSmall() {
        Random rnd = new Random(41);
        double[] w = new double[8 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        ConvSpec spec = ConvSpec.builder(new int[] {8, 3, 3, 3}, w).padding(Padding.of(1)).build();
        List<ImageBatch> rows = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        long explicitBytes = 0;
        for (int s = 0; s < 10; s++) {
            int[] shape = {3, 20 + 7 * s, 90 - 5 * s};
            shapes.add(shape);
            explicitBytes += spec.geometry(shape).csrBytes();
            for (int copy = 0; copy < 3; copy++) { // three files of each size
                int size = 3 * shape[1] * shape[2];
                double[] v = new double[size];
                for (int i = 0; i < size; i++) v[i] = rnd.nextDouble() * 255;
                rows.add(ImageBatch.of(new InputFile("file:/in/s" + s + "-" + copy + ".npy", "s" + s + "-" + copy + ".npy"),
                        false, 1, shape, v));
            }
        }
        JavaRDD<ImageBatch> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 4);
        OperatorCache.clear();
        long builds = OperatorCache.buildCount(), bytes = OperatorCache.builtBytes();
        List<ImageBatch> out = Method.TOEPLITZ.apply(spark, rdd, spec, true, Dtype.F64).collect();
        long built = OperatorCache.buildCount() - builds, builtBytes = OperatorCache.builtBytes() - bytes;
        assertEquals(shapes.size(), built, "one build per distinct shape, not per file");
        assertTrue(builtBytes * 10 < explicitBytes, "operators " + builtBytes + " bytes vs explicit T " + explicitBytes);
        assertEquals(rows.size(), out.size());
        for (ImageBatch b : out) {
            assertTrue(b.ok(), b::getError);
            ConvGeometry g = spec.geometry(b.getShape());
            Close.assertClose(DirectLoop3d.convolve(g, b.getValues(), 0), b.getOutValues(), 0, 1e-12, b.getPath());
        }
    }
}
