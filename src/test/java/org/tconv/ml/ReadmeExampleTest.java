package org.tconv.ml;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.read.ImageDecoder;
import org.tconv.read.NpyArray;
import org.tconv.testing.SharedSpark;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/** The transformer example of docs/ml.md is this code, and it writes the direct convolution of the sample photos. */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    private static void example(SparkSession spark, String photos, String weights, String output) {
        // README:begin
        Dataset<Row> images = spark.read().format("image").load(photos);
        ToeplitzConvolution sobel = new ToeplitzConvolution()
                .setInputCol("image").setOutputCol("edges")
                .setWeights(weights).setPadding("1");
        sobel.transform(images)
                .select(col("image.origin").as("path"), col("edges"), col("edges_shape"), col("edges_reason"))
                .write().parquet(output);
        // README:end
    }

    /** The lines between the markers, without their indentation. */
    private static List<String> exampleLines() throws IOException {
        List<String> src = Files.readAllLines(TestFiles.home().resolve("src/test/java/org/tconv/ml/ReadmeExampleTest.java"));
        int from = src.indexOf("        // README:begin"), to = src.indexOf("        // README:end");
        return src.subList(from + 1, to).stream().map(String::strip).collect(Collectors.toList());
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        String readme = Files.readString(TestFiles.home().resolve("docs/ml.md"));
        String block = readme.lines().map(String::strip).collect(Collectors.joining("\n"));
        assertTrue(block.contains(String.join("\n", exampleLines())), "docs/ml.md does not show ReadmeExampleTest's example");
    }

    @Test
    void theExampleWritesTheConvolutionOfEachPhotoAsParquet() throws IOException {
        SparkSession spark = SharedSpark.get();
        Path photos = TestFiles.home().resolve("data/images");
        String weights = TestFiles.home().resolve("conf/default-weights.npy").toString();
        String output = tmp.resolve("edges.parquet").toString();
        example(spark, photos.toString(), weights, output);
        List<Row> rows = spark.read().parquet(output).collectAsList();
        assertEquals(3, rows.size());
        var spec = new ToeplitzConvolution().setWeights(weights).setPadding("1").spec();
        for (Row r : rows) {
            Path file = Paths.get(URI.create(r.getAs("path")));
            NpyArray pixels = ImageDecoder.decode(Files.readAllBytes(file));
            double[] want = DirectConvolution.convolve(spec.geometry(pixels.shape), pixels.data, 0);
            double[] got = r.<Vector>getAs("edges").toArray();
            assertNull(r.getAs("edges_reason"));
            assertEquals(List.of(2, pixels.shape[1], pixels.shape[2]), r.getList(r.fieldIndex("edges_shape")));
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-9, file + " value " + i);
        }
    }
}
