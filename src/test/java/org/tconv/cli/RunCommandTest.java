package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.multiply.Method;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.ParquetResults;
import org.tconv.testing.SharedSpark;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/** {@code tconv run} as users call it: outputs, exit status, _rejected.csv, messages. */
class RunCommandTest {
    @TempDir
    Path tmp;

    private static final int[] W_SHAPE = {2, 3, 3, 3};

    private double[] weights() {
        Random r = new Random(5);
        double[] w = new double[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return w;
    }

    private Path weightsFile() throws IOException {
        return TestFiles.write(tmp.resolve("w.npy"), W_SHAPE, weights());
    }

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.floor(r.nextDouble() * 256);
        return x;
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void badInputsAreRejectedAndGoodOnesWritten(Method method) throws IOException {
        Path in = tmp.resolve("in");
        double[] good = random(3 * 9 * 7, 1);
        TestFiles.write(in.resolve("good.npy"), new int[] {3, 9, 7}, good);
        TestFiles.write(in.resolve("sub/batch.npy"), new int[] {2, 3, 5, 6}, random(2 * 3 * 5 * 6, 2));
        TestFiles.write(in.resolve("gray.npy"), new int[] {1, 9, 7}, random(63, 3));
        TestFiles.write(in.resolve("tiny.npy"), new int[] {3, 1, 2}, random(6, 4));
        TestFiles.write(in.resolve("rank5.npy"), new int[] {1, 1, 3, 4, 4}, random(48, 5));
        Files.write(in.resolve("corrupt.png"), "not a picture".getBytes(StandardCharsets.US_ASCII));
        Files.write(in.resolve("truncated.npy"), java.util.Arrays.copyOf(NpyArray.toBytes(new int[] {3, 9, 7}, good), 200));
        Path out = tmp.resolve("out");

        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", weightsFile().toString(),
                "--method", method.toString(), "--format", "npy");

        assertEquals(2, r.status, r::toString);
        ConvSpec spec = ConvSpec.builder(W_SHAPE, weights()).build();
        NpyArray y = TestFiles.read(out.resolve("good.npy"));
        ConvGeometry g = spec.geometry(new int[] {3, 9, 7});
        assertArrayEquals(new int[] {2, 7, 5}, y.shape);
        assertArrayEquals(DirectConvolution.convolve(g, good, 0), y.data, 1e-9);
        assertArrayEquals(new int[] {2, 2, 3, 4}, TestFiles.read(out.resolve("sub/batch.npy")).shape);
        assertTrue(Files.exists(out.resolve("_SUCCESS")));

        Map<String, String> rejected = rejected(out);
        assertEquals(List.of("corrupt.png", "gray.npy", "rank5.npy", "tiny.npy", "truncated.npy"),
                rejected.keySet().stream().map(p -> p.substring(p.lastIndexOf('/') + 1)).sorted().collect(Collectors.toList()));
        assertTrue(reason(rejected, "gray.npy").contains("1 channel"), rejected::toString);
        assertTrue(reason(rejected, "tiny.npy").contains("smaller than the dilated kernel"), rejected::toString);
        assertTrue(reason(rejected, "rank5.npy").contains("rank 5"), rejected::toString);
        try (Stream<Path> files = Files.list(out)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            assertEquals(List.of("_SUCCESS", "_rejected.csv", "_tconv-output", "good.npy", "sub"), names.stream().filter(n -> !n.startsWith(".")).collect(Collectors.toList()));
        }
    }

    private static String reason(Map<String, String> rejected, String name) {
        return rejected.entrySet().stream().filter(e -> e.getKey().endsWith("/" + name)).findFirst().orElseThrow().getValue();
    }

    static Map<String, String> rejected(Path out) throws IOException {
        return org.tconv.testing.RejectedCsv.read(out);
    }

    @Test
    void allGoodExitsZeroAndParquetHoldsOneRowPerImage() throws IOException {
        Path in = tmp.resolve("in");
        double[] a = random(3 * 6 * 6, 7);
        TestFiles.write(in.resolve("a.npy"), new int[] {3, 6, 6}, a);
        TestFiles.write(in.resolve("b.npy"), new int[] {3, 3, 6, 6}, random(3 * 3 * 36, 8));
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", weightsFile().toString(),
                "--padding", "same", "--padding-mode", "reflect", "--verify");
        assertEquals(0, r.status, r::toString);
        assertTrue(r.out.contains("verify against direct"), r.out);
        assertEquals(List.of("path,reason"), Files.readAllLines(out.resolve("_rejected.csv")));
        List<Row> rows = SharedSpark.get().read().parquet(out.toString()).orderBy("path", "index").collectAsList();
        assertEquals(4, rows.size());
        Row first = rows.get(0);
        assertTrue(first.getString(0).endsWith("/a.npy"));
        assertEquals(0, first.getInt(1));
        assertEquals(List.of(2, 6, 6), first.getList(2));
        ConvSpec spec = ConvSpec.builder(W_SHAPE, weights()).padding(Padding.same())
                .paddingMode(org.tconv.conv.PaddingMode.REFLECT).build();
        double[] expected = DirectConvolution.convolve(spec.geometry(new int[] {3, 6, 6}), a, 0);
        assertEquals("<f8", first.getString(first.fieldIndex("dtype")));
        assertArrayEquals(expected, ParquetResults.values(first), 1e-9);
        assertEquals(List.of(0, 1, 2), rows.subList(1, 4).stream().map(x -> x.getInt(1)).collect(Collectors.toList()));
    }

    /**
     * {@code --dtype f32} as PyTorch's float32 convolution: results written as float32 in every format
     * ('<f4' .npy, a float column in Parquet, '<f4' shard members), within float32 precision of the direct
     * float64 loop, and {@code --verify} passes against it.
     */
    @Test
    void float32RunsWriteFloat32Results() throws IOException {
        Path in = tmp.resolve("in");
        double[] a = random(3 * 7 * 9, 21);
        double[] b = random(2 * 3 * 7 * 9, 22);
        TestFiles.write(in.resolve("a.npy"), new int[] {3, 7, 9}, a);
        TestFiles.write(in.resolve("b.npy"), new int[] {2, 3, 7, 9}, b);
        ConvSpec spec = ConvSpec.builder(W_SHAPE, weights()).padding(Padding.same()).build();
        ConvGeometry g = spec.geometry(new int[] {3, 7, 9});
        double[] ya = DirectConvolution.convolve(g, a, 0);
        double scale = 0;
        for (double v : ya) scale = Math.max(scale, Math.abs(v));
        String w = weightsFile().toString();

        Path npy = tmp.resolve("npy");
        Cli r = Cli.run("run", "--input", in.toString(), "--output", npy.toString(), "--weights", w, "--padding", "same",
                "--dtype", "f32", "--format", "npy", "--verify");
        assertEquals(0, r.status, r::toString);
        assertTrue(r.out.contains("verify against direct") && r.out.contains("OK"), r.out);
        NpyArray outA = NpyArray.read(Files.readAllBytes(npy.resolve("a.npy")));
        NpyArray outB = NpyArray.read(Files.readAllBytes(npy.resolve("b.npy")));
        assertEquals("<f4", outA.dtype);
        assertEquals("<f4", outB.dtype);
        assertArrayEquals(new int[] {2, 2, 7, 9}, outB.shape);
        double maxDiff = 0;
        for (int i = 0; i < ya.length; i++) {
            assertEquals((float) outA.data[i], outA.data[i], 0.0, "a float32 value");
            maxDiff = Math.max(maxDiff, Math.abs(outA.data[i] - ya[i]));
        }
        assertTrue(maxDiff <= 1e-5 * scale && maxDiff > 0, "float32 precision, not float64: " + maxDiff + " of " + scale);
        double[] yb1 = DirectConvolution.convolve(g, b, g.inputSize());
        for (int i = 0; i < yb1.length; i++) assertEquals(yb1[i], outB.data[g.outputSize() + i], 1e-5 * scale);

        Path parquet = tmp.resolve("parquet");
        assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", parquet.toString(), "--weights", w, "--padding", "same",
                "--dtype", "f32").status);
        org.apache.spark.sql.Dataset<Row> table = SharedSpark.get().read().parquet(parquet.toString());
        assertEquals("binary", table.schema().apply("values").dataType().simpleString());
        Row first = table.filter("path like '%/a.npy'").first();
        assertEquals("<f4", first.getString(first.fieldIndex("dtype")));
        assertEquals(4 * ya.length, ((byte[]) first.getAs("values")).length, "4 bytes a value");
        assertArrayEquals(java.util.Arrays.copyOf(outA.data, ya.length), ParquetResults.values(first), 0.0, "parquet and npy hold the same floats");

        Path parquetArray = tmp.resolve("parquet-array");
        assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", parquetArray.toString(), "--weights", w, "--padding", "same",
                "--dtype", "f32", "--parquet-values", "array").status);
        org.apache.spark.sql.Dataset<Row> arrays = SharedSpark.get().read().parquet(parquetArray.toString());
        assertEquals("array<float>", arrays.schema().apply("values").dataType().simpleString());
        List<Float> got = arrays.filter("path like '%/a.npy'").first().getList(3);
        for (int i = 0; i < ya.length; i++) assertEquals((float) outA.data[i], got.get(i), 0.0f, "parquet arrays and npy hold the same floats");

        Path wds = tmp.resolve("wds");
        assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", wds.toString(), "--weights", w, "--padding", "same",
                "--dtype", "f32", "--format", "webdataset").status);
        Map<String, byte[]> members = new TreeMap<>();
        try (Stream<Path> tars = Files.list(wds)) {
            for (Path tar : tars.filter(p -> p.toString().endsWith(".tar")).collect(Collectors.toList())) {
                try (var t = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
                    for (var e = t.getNextEntry(); e != null; e = t.getNextEntry()) members.put(e.getName(), t.readAllBytes());
                }
            }
        }
        assertArrayEquals(Files.readAllBytes(npy.resolve("a.npy")), members.get("a.npy"), "the shard member is the .npy file's bytes");
        assertArrayEquals(Files.readAllBytes(npy.resolve("b.npy")), members.get("b.npy"));

        Path png = tmp.resolve("png");
        assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", png.toString(), "--weights", w, "--padding", "same",
                "--dtype", "f32", "--format", "png").status);
        Path png64 = tmp.resolve("png64");
        assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", png64.toString(), "--weights", w, "--padding", "same",
                "--format", "png").status);
        for (String name : List.of("a.png", "b_0.png", "b_1.png")) {
            java.awt.image.BufferedImage p32 = javax.imageio.ImageIO.read(png.resolve(name).toFile());
            java.awt.image.BufferedImage p64 = javax.imageio.ImageIO.read(png64.resolve(name).toFile());
            assertTrue(p32 != null && p32.getWidth() == p64.getWidth() && p32.getHeight() == p64.getHeight(), name);
        }
    }

    /**
     * A batch that fills whole panels (300 small images: groups of 128 in float64, 256 in float32) keeps its
     * results in the product's layout until the writer: every format still gets them item after item, equal
     * to the direct loop, and --verify compares the right values.
     */
    @Test
    void batchesOfWholePanelsAreWrittenItemByItem() throws IOException {
        Path in = tmp.resolve("in");
        int n = 300;
        double[] x = random(n * 3 * 6 * 5, 31);
        TestFiles.write(in.resolve("many.npy"), new int[] {n, 3, 6, 5}, x);
        ConvGeometry g = ConvSpec.builder(W_SHAPE, weights()).padding(Padding.same()).build().geometry(new int[] {3, 6, 5});
        String w = weightsFile().toString();
        for (String dtype : List.of("f64", "f32")) {
            double tol = dtype.equals("f32") ? 1e-4 : 1e-9;
            Path npy = tmp.resolve("npy-" + dtype);
            Cli r = Cli.run("run", "--input", in.toString(), "--output", npy.toString(), "--weights", w, "--padding", "same",
                    "--dtype", dtype, "--format", "npy", "--verify");
            assertEquals(0, r.status, r::toString);
            assertTrue(r.out.contains("OK"), r.out);
            NpyArray y = NpyArray.read(Files.readAllBytes(npy.resolve("many.npy")));
            assertArrayEquals(new int[] {n, 2, 6, 5}, y.shape);
            for (int i = 0; i < n; i++) {
                double[] direct = DirectConvolution.convolve(g, x, i * g.inputSize());
                for (int k = 0; k < direct.length; k++) {
                    assertEquals(direct[k], y.data[i * g.outputSize() + k], tol * (1 + Math.abs(direct[k])), dtype + " item " + i + " value " + k);
                }
            }

            Path parquet = tmp.resolve("parquet-" + dtype);
            assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", parquet.toString(), "--weights", w, "--padding", "same",
                    "--dtype", dtype).status);
            List<Row> rows = SharedSpark.get().read().parquet(parquet.toString()).orderBy("index").collectAsList();
            assertEquals(n, rows.size());
            for (Row row : rows) {
                int i = row.getInt(1);
                double[] got = ParquetResults.values(row);
                assertEquals(g.outputSize(), got.length);
                for (int k = 0; k < g.outputSize(); k++) {
                    assertEquals(y.data[i * g.outputSize() + k], got[k], 0.0, dtype + " parquet item " + i);
                }
            }

            Path wds = tmp.resolve("wds-" + dtype);
            assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", wds.toString(), "--weights", w, "--padding", "same",
                    "--dtype", dtype, "--format", "webdataset").status);
            try (Stream<Path> tars = Files.list(wds)) {
                Path tar = tars.filter(p -> p.toString().endsWith(".tar")).findFirst().orElseThrow();
                try (var t = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
                    assertEquals("many.npy", t.getNextEntry().getName());
                    assertArrayEquals(Files.readAllBytes(npy.resolve("many.npy")), t.readAllBytes(), "the member is the .npy file's bytes");
                }
            }
        }
        Path png = tmp.resolve("png");
        assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", png.toString(), "--weights", w, "--padding", "same",
                "--format", "png").status);
        NpyArray y = NpyArray.read(Files.readAllBytes(tmp.resolve("npy-f64").resolve("many.npy")));
        for (int i : new int[] {0, 127, 128, 299}) {
            byte[] expected = org.tconv.write.FeatureMapPng.encode(new int[] {2, 6, 5}, y.data, i * g.outputSize());
            assertArrayEquals(expected, Files.readAllBytes(png.resolve("many_" + i + ".png")), "picture of item " + i);
        }
    }

    @Test
    void pngOutputHasOnePicturePerImage() throws IOException {
        Path in = tmp.resolve("in");
        TestFiles.write(in.resolve("x.npy"), new int[] {3, 8, 8}, random(192, 9));
        TestFiles.write(in.resolve("n.npy"), new int[] {2, 3, 8, 8}, random(384, 10));
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", weightsFile().toString(), "--format", "png");
        assertEquals(0, r.status, r::toString);
        for (String name : List.of("x.png", "n_0.png", "n_1.png")) {
            assertTrue(javax.imageio.ImageIO.read(out.resolve(name).toFile()) != null, name);
        }
    }

    /**
     * Conv3d as a user runs it on a folder: volumes go through (png: a row of slice tiles per channel), an
     * image and a 2-D array are rejected with their reasons, the volume batch keeps its N axis.
     */
    @Test
    void volumesConvolveWithThreeDimensionalWeightsAndOtherRanksAreRejected() throws IOException {
        Path wf = TestFiles.write(tmp.resolve("w3.npy"), new int[] {2, 1, 3, 3, 3}, random(54, 30));
        Path in = tmp.resolve("vol");
        TestFiles.write(in.resolve("ct.npy"), new int[] {5, 6, 7}, random(210, 31));
        TestFiles.write(in.resolve("flat.npy"), new int[] {6, 7}, random(42, 32));
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png",
                in.resolve("photo.png").toFile());
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", wf.toString(),
                "--format", "png", "--padding", "1,0,1");
        assertEquals(2, r.status, r::toString);
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(out.resolve("ct.png").toFile());
        // output (2, 5, 4, 7): 5 slices of 4x7 across, 2 channels down, 1-pixel gutters
        assertEquals(5 * 8 - 1, png.getWidth());
        assertEquals(2 * 5 - 1, png.getHeight());
        List<String> rejected = Files.readAllLines(out.resolve("_rejected.csv"));
        assertEquals(3, rejected.size(), rejected::toString);
        assertTrue(rejected.stream().anyMatch(l -> l.contains("flat.npy") && l.contains("rank 2")), rejected::toString);
        assertTrue(rejected.stream().anyMatch(l -> l.contains("photo.png") && l.contains("needs 2-D weights")), rejected::toString);

        Path batch = TestFiles.write(tmp.resolve("vb/b.npy"), new int[] {2, 1, 4, 4, 4}, random(128, 33));
        Path outB = tmp.resolve("outB");
        Cli rb = Cli.run("run", "--input", batch.toString(), "--output", outB.toString(), "--weights", wf.toString(),
                "--format", "npy", "--padding", "same");
        assertEquals(0, rb.status, rb::toString);
        assertTrue(rb.out.contains("2 volume(s) from 1 file(s)"), rb.out);
        assertArrayEquals(new int[] {2, 2, 4, 4, 4}, TestFiles.read(outB.resolve("b.npy")).shape);
    }

    @Test
    void signalsConvolveWithOneDimensionalWeights() throws IOException {
        double[] w = {0.5, -1.0, 2.0, 0.25, 1.5, -0.5};
        Path wf = TestFiles.write(tmp.resolve("w1.npy"), new int[] {2, 1, 3}, w);
        double[] x = random(50, 11);
        Path in = TestFiles.write(tmp.resolve("sig/ecg.npy"), new int[] {50}, x);
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", wf.toString(),
                "--format", "npy", "--stride", "2", "--dilation", "3", "--padding", "4", "--padding-mode", "circular");
        assertEquals(0, r.status, r::toString);
        assertTrue(r.out.contains("1 signal(s) from 1 file(s)"), "a 1-D item is a signal, not an image: " + r.out);
        assertTrue(r.out.matches("(?s).* in job [0-9.]+ s, wall [0-9.]+ s\\R.*"), "the summary names its times: " + r.out);
        NpyArray y = TestFiles.read(out.resolve("ecg.npy"));
        ConvSpec spec = ConvSpec.builder(new int[] {2, 1, 3}, w).stride(2).dilation(3).padding(Padding.of(4))
                .paddingMode(org.tconv.conv.PaddingMode.CIRCULAR).build();
        assertArrayEquals(spec.outputShape(new int[] {1, 50}), y.shape);
        assertArrayEquals(DirectConvolution.convolve(spec.geometry(new int[] {1, 50}), x, 0), y.data, 1e-9);
    }

    @Test
    void globSelectsFiles() throws IOException {
        Path in = tmp.resolve("in");
        TestFiles.write(in.resolve("keep1.npy"), new int[] {3, 5, 5}, random(75, 12));
        TestFiles.write(in.resolve("keep2.npy"), new int[] {3, 5, 5}, random(75, 13));
        TestFiles.write(in.resolve("skip.npy"), new int[] {1, 5, 5}, random(25, 14));
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", in + "/keep*.npy", "--output", out.toString(), "--weights", weightsFile().toString(), "--format", "npy");
        assertEquals(0, r.status, r::toString);
        assertTrue(Files.exists(out.resolve("keep1.npy")) && Files.exists(out.resolve("keep2.npy")));
        assertFalse(Files.exists(out.resolve("skip.npy")));
    }

    @Test
    void finishedOutputIsKeptAndInterruptedOneReplaced() throws IOException {
        Path in = TestFiles.write(tmp.resolve("in/a.npy"), new int[] {3, 5, 5}, random(75, 15));
        Path out = tmp.resolve("out");
        String[] args = {"run", "--input", in.toString(), "--output", out.toString(), "--weights", weightsFile().toString(), "--format", "npy"};
        assertEquals(0, Cli.run(args).status);
        Cli again = Cli.run(args);
        assertEquals(1, again.status, again::toString);
        assertTrue(again.err.contains("already exists"), again.err);
        // What a killed driver leaves: no _SUCCESS, a _temporary with a half-written attempt.
        Files.delete(out.resolve("_SUCCESS"));
        Files.createDirectories(out.resolve("_temporary/0/_temporary/attempt_x"));
        Files.write(out.resolve("_temporary/0/_temporary/attempt_x/a.npy"), new byte[] {1, 2});
        Cli rerun = Cli.run(args);
        assertEquals(0, rerun.status, rerun::toString);
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(Files.exists(out.resolve("_temporary")));
        String[] overwrite = java.util.Arrays.copyOf(args, args.length + 1);
        overwrite[args.length] = "--overwrite";
        assertEquals(0, Cli.run(overwrite).status);
    }

    @Test
    void twoInputsWritingTheSameFileAreNotBothWritten() throws IOException {
        Path in = tmp.resolve("in");
        TestFiles.write(in.resolve("a.npy"), new int[] {3, 5, 5}, random(75, 16));
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(5, 5, java.awt.image.BufferedImage.TYPE_3BYTE_BGR), "png", in.resolve("a.png").toFile());
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", weightsFile().toString(), "--format", "npy");
        assertEquals(2, r.status, r::toString);
        assertTrue(rejected(out).values().iterator().next().contains("would overwrite"));
    }
}
