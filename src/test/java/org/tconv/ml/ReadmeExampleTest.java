package org.tconv.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

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

import example.EdgesExample;

/** The transformer example of docs/ml.md is a whole program that compiles, and it writes the direct convolution of the sample photos. */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theDocsShowThisWholeFile() throws IOException {
        String docs = Files.readString(TestFiles.home().resolve("docs/ml.md"));
        String file = Files.readString(TestFiles.home().resolve("src/test/java/example/EdgesExample.java"));
        assertTrue(docs.contains("```java\n" + file + "```\n"), "docs/ml.md does not show src/test/java/example/EdgesExample.java whole");
    }

    @Test
    void theExampleWritesTheConvolutionOfEachPhotoAsParquet() throws IOException {
        SparkSession spark = SharedSpark.get();
        Path photos = TestFiles.home().resolve("data/images");
        String weights = TestFiles.home().resolve("conf/default-weights.npy").toString();
        String output = tmp.resolve("edges.parquet").toString();
        EdgesExample.edges(spark, photos.toString(), weights, output);
        EdgesExample.edges(spark, photos.toString(), weights, output); // .mode(Overwrite): a second run replaces the first
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
