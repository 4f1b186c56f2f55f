package org.tconv.ml;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The transformer's images/s on a folder of small PNGs, to set beside {@code bin/tconv run}'s on the same
 * folder (a measurement, not a test; the README's "In a Spark ML pipeline" gives the commands). Makes the
 * folder when it is empty: N 64x64 RGB crops of the sample photos. Each pass reads the folder, convolves
 * with the default weights and writes Parquet, as {@code tconv run --format parquet} does; the first pass
 * is as cold as the CLI's one job (same JVM start-up excluded), the later ones are warm.
 *
 * <p>{@code java <spark.jvm.flags> -cp ... org.tconv.ml.TransformerBench DIR [N] [PASSES]}
 */
public final class TransformerBench {
    private TransformerBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String[] sources = (args.length > 3 ? args[3] : "image,binaryFile").split(",");
        String home = System.getProperty("tconv.home", ".");
        makeImages(dir, n, Paths.get(home, "data/images"));
        SparkSession spark = SparkSession.builder().master("local[*]").appName("tconv-transformer-bench")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", String.valueOf(Runtime.getRuntime().availableProcessors()))
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        String weights = Paths.get(home, "conf/default-weights.npy").toString();
        Path out = Files.createTempDirectory("tconv-transformer-bench");
        for (String source : sources) {
            String column = source.equals("image") ? "image" : "content";
            for (int p = 1; p <= passes; p++) {
                long t0 = System.nanoTime();
                Dataset<Row> in = spark.read().format(source).load(dir.toString());
                Dataset<Row> edges = new ToeplitzConvolution().setInputCol(column).setOutputCol("edges").setWeights(weights)
                        .transform(in).drop(column);
                edges.write().parquet(out.resolve(source + "-" + p).toString());
                double s = (System.nanoTime() - t0) / 1e9;
                long bad = spark.read().parquet(out.resolve(source + "-" + p).toString()).where("edges_reason IS NOT NULL").count();
                System.out.printf(Locale.ROOT, "transformer on %s source, pass %d: %d images in %.2f s = %.0f images/s (%d with a reason)%n",
                        source, p, n, s, n / s, bad);
            }
            // what Spark's reading alone costs, for the split
            long t0 = System.nanoTime();
            spark.read().format(source).load(dir.toString()).write().format("noop").mode("overwrite").save();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%s source alone (read, no convolution, noop sink): %.2f s = %.0f images/s%n", source, s, n / s);
        }
        spark.stop();
        // the passes' Parquet folders: this run made the directory, so it removes it
        try (var walk = Files.walk(out)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static void makeImages(Path dir, int n, Path photos) throws Exception {
        Files.createDirectories(dir);
        try (var files = Files.list(dir)) {
            if (files.findAny().isPresent()) return;
        }
        File[] sources = photos.toFile().listFiles();
        java.util.Arrays.sort(sources);
        for (int i = 0; i < n; i++) {
            BufferedImage src = ImageIO.read(sources[i % sources.length]);
            int x = (i * 37) % (src.getWidth() - 64), y = (i * 53) % (src.getHeight() - 64);
            BufferedImage crop = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
            crop.getGraphics().drawImage(src.getSubimage(x, y, 64, 64), 0, 0, null);
            ImageIO.write(crop, "png", dir.resolve(String.format(Locale.ROOT, "img-%04d.png", i)).toFile());
        }
    }
}
