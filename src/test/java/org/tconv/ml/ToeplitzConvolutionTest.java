package org.tconv.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.testing.SharedSpark;
import org.tconv.verify.DirectConvolution;

class ToeplitzConvolutionTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    private Dataset<Row> vectors(List<double[]> xs) {
        List<Row> rows = new ArrayList<>();
        for (double[] x : xs) rows.add(RowFactory.create(Vectors.dense(x)));
        return spark.createDataFrame(rows, new StructType().add("x", SQLDataTypes.VectorType()));
    }

    private ToeplitzConvolution conv(Random r) {
        double[] w = new double[2 * 1 * 3 * 2];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return new ToeplitzConvolution().setInputCol("x").setOutputCol("y").setWeights(new int[] {2, 1, 3, 2}, w)
                .setBias(0.5, -1.0).setInputShape(1, 6, 5).setPadding("same").setPaddingMode("reflect");
    }

    @Test
    void transformsEachVectorAsTheDirectConvolution() {
        Random r = new Random(4);
        ToeplitzConvolution t = conv(r);
        List<double[]> xs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            double[] x = new double[30];
            for (int j = 0; j < 30; j++) x[j] = r.nextDouble();
            xs.add(x);
        }
        List<Row> out = t.transform(vectors(xs)).collectAsList();
        var g = t.spec().geometry(new int[] {1, 6, 5});
        for (int i = 0; i < xs.size(); i++) {
            assertArrayEquals(DirectConvolution.convolve(g, xs.get(i), 0), ((Vector) out.get(i).getAs("y")).toArray(), 1e-12);
        }
    }

    @Test
    void paramsSurviveSaveAndLoad() throws Exception {
        ToeplitzConvolution t = conv(new Random(5));
        String path = tmp.resolve("model").toString();
        t.write().overwrite().save(path);
        ToeplitzConvolution back = ToeplitzConvolution.load(path);
        assertEquals(t.uid(), back.uid());
        assertEquals(t.spec(), back.spec());
    }

    @Test
    void refusesWrongInputTypeAndImpossibleSpecs() {
        ToeplitzConvolution t = conv(new Random(6));
        StructType strings = new StructType().add("x", DataTypes.StringType);
        var e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(strings));
        assertTrue(e.getMessage().contains("must be an ML Vector"));
        t.setStride(2);
        var s = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(new StructType().add("x", SQLDataTypes.VectorType())));
        assertTrue(s.getMessage().contains("strided"), s.getMessage());
    }
}
