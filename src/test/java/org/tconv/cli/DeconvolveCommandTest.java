package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tconv.read.ImageDecoder;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.RejectedCsv;
import org.tconv.testing.TestFiles;

/**
 * {@code tconv deconvolve} end to end on the goldens of make_deconvolve_goldens.py: each result file against
 * scikit-image's or scipy's x (1e-8 relative for Richardson-Lucy, 1e-7 for LSQR), with the input's shape, its
 * residuals in {@code _deconvolve.csv} against numpy's; the refusals before Spark; a PSF larger than an input
 * rejects that input only.
 */
class DeconvolveCommandTest {
    static final Path GOLDEN = TestFiles.home().resolve("src/test/resources/golden/deconvolve");

    @TempDir
    static Path tmp;

    static Stream<JsonNode> cases() throws IOException {
        List<JsonNode> all = new ArrayList<>();
        new ObjectMapper().readTree(Files.readString(GOLDEN.resolve("cases.json"))).get("cases").forEach(all::add);
        return all.stream();
    }

    static List<String> options(JsonNode c, Path out) {
        Path dir = GOLDEN.resolve(c.get("name").asText());
        List<String> a = new ArrayList<>(List.of("deconvolve", "--input", dir.resolve(c.get("input").asText()).toString(), "--output",
                out.toString(), "--format", "npy", "--quiet", "--algorithm", c.get("algorithm").asText(), "--iterations",
                c.get("iterations").asText(), "--damp", c.get("damp").asText()));
        if (c.has("psf")) {
            a.addAll(List.of("--psf", dir.resolve("psf.npy").toString()));
        } else {
            a.addAll(List.of("--weights", dir.resolve("weights.npy").toString(), "--bias", dir.resolve("bias.npy").toString(),
                    "--input-shape", c.get("input_shape").toString().replaceAll("[\\[\\] ]", ""), "--stride", c.get("stride").asText(),
                    "--padding", c.get("padding").asText(), "--groups", c.get("groups").asText(), "--padding-mode", c.get("padding_mode").asText()));
        }
        return a;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resultFileMatchesTheGolden(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        Path out = tmp.resolve("out-" + name);
        Cli r = Cli.run(options(c, out).toArray(new String[0]));
        assertEquals(0, r.status, r.toString());
        NpyArray x = TestFiles.read(out.resolve("input.npy"));
        NpyArray want = TestFiles.read(GOLDEN.resolve(name).resolve("expected.npy"));
        assertArrayEquals(want.shape, x.shape, name + " shape");
        assertEquals("<f8", x.dtype.replace("|", "<"), name);
        double tol = c.get("algorithm").asText().equals("lsqr") ? 1e-7 : 1e-8;
        double d = relativeDifference(x.data, want.data);
        assertTrue(d < tol, name + ": relative difference " + d);

        List<String> lines = Files.readAllLines(out.resolve("_deconvolve.csv"));
        assertEquals("path,item,iterations,stop,residual,verify_difference", lines.get(0));
        JsonNode residuals = c.get("residuals");
        assertEquals(residuals.size() + 1, lines.size(), lines.toString());
        double[] got = new double[residuals.size()];
        for (int i = 0; i < residuals.size(); i++) {
            String[] f = lines.get(i + 1).split(",");
            assertEquals(String.valueOf(i), f[1]);
            assertEquals(c.get("iterations").asText(), f[2]);
            got[i] = Double.parseDouble(f[4]);
            assertEquals(residuals.get(i).asDouble(), got[i], 1e-8 * residuals.get(i).asDouble(), name + " residual " + i);
        }
        Arrays.sort(got);
        double median = got.length % 2 == 1 ? got[got.length / 2] : (got[0] + got[1]) / 2;
        assertTrue(r.out.contains(String.format(java.util.Locale.ROOT, "median residual %.4g", median)), r.out);
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
    }

    @Test
    void imageFileGivesItsChannelsAndPngPicturesAreWritten() throws IOException {
        JsonNode c = cases().filter(j -> j.get("name").asText().equals("rl_rgb")).findFirst().orElseThrow();
        Path out = tmp.resolve("png");
        List<String> a = options(c, out);
        a.set(a.indexOf("npy"), "png");
        Cli r = Cli.run(a.toArray(new String[0]));
        assertEquals(0, r.status, r.toString());
        NpyArray picture = ImageDecoder.decode(Files.readAllBytes(out.resolve("input.png")));
        assertTrue(picture.data.length > 16 * 20, Arrays.toString(picture.shape)); // 3 tiles of 16x20 and gutters
    }

    @Test
    void parquetOutputHoldsOneRowPerItemOfTheBatch() throws IOException {
        JsonNode c = cases().filter(j -> j.get("name").asText().equals("rl_batch")).findFirst().orElseThrow();
        Path out = tmp.resolve("parquet");
        List<String> a = options(c, out);
        a.set(a.indexOf("npy"), "parquet");
        Cli r = Cli.run(a.toArray(new String[0]));
        assertEquals(0, r.status, r.toString());
        List<org.apache.spark.sql.Row> rows = org.tconv.testing.SharedSpark.get().read().parquet(out.toString()).orderBy("index").collectAsList();
        assertEquals(2, rows.size());
        double[] want = TestFiles.read(GOLDEN.resolve("rl_batch").resolve("expected.npy")).data;
        int size = want.length / 2;
        for (int i = 0; i < 2; i++) {
            org.apache.spark.sql.Row row = rows.get(i);
            assertEquals(i, row.<Integer>getAs("index").intValue());
            assertEquals(List.of(2, 12, 14), row.getList(row.fieldIndex("shape")));
            assertEquals("<f8", row.getAs("dtype"), "deconvolve's results are float64");
            double[] x = org.tconv.testing.ParquetResults.values(row);
            double d = relativeDifference(x, Arrays.copyOfRange(want, i * size, (i + 1) * size));
            assertTrue(d < 1e-8, "item " + i + ": " + d);
        }
        assertEquals(3, Files.readAllLines(out.resolve("_deconvolve.csv")).size());
    }

    @Test
    void verifyReportsTheLargestDifferenceAgainstTheDirectSolve() throws IOException {
        JsonNode c = cases().filter(j -> j.get("name").asText().equals("lsqr_layer")).findFirst().orElseThrow();
        Path out = tmp.resolve("verify");
        List<String> a = options(c, out);
        a.add("--verify");
        Cli r = Cli.run(a.toArray(new String[0]));
        assertEquals(0, r.status, r.toString());
        assertTrue(r.out.contains("tconv: verify: largest relative difference between the toeplitz and direct solves "), r.out);
        String[] f = Files.readAllLines(out.resolve("_deconvolve.csv")).get(1).split(",");
        double d = Double.parseDouble(f[5]);
        assertTrue(d >= 0 && d < 1e-10, "difference " + d);
    }

    @Test
    void psfLargerThanAnInputRejectsThatInputOnly() throws IOException {
        Path in = tmp.resolve("mixed");
        TestFiles.write(in.resolve("small.npy"), new int[] {3, 3}, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        double[] big = new double[64];
        Arrays.fill(big, 2);
        TestFiles.write(in.resolve("big.npy"), new int[] {8, 8}, big);
        TestFiles.write(tmp.resolve("psf5.npy"), new int[] {5, 1}, new double[] {.1, .2, .4, .2, .1});
        Path out = tmp.resolve("out-mixed");
        Cli r = Cli.run("deconvolve", "--input", in.toString(), "--output", out.toString(), "--format", "npy", "--quiet", "--psf",
                tmp.resolve("psf5.npy").toString(), "--iterations", "3");
        assertEquals(2, r.status, r.toString());
        Map<String, String> rejected = RejectedCsv.read(out);
        assertEquals(1, rejected.size(), rejected.toString());
        String why = rejected.values().iterator().next();
        assertTrue(why.contains("PSF (5,1) is larger than the image (3,3)"), why);
        assertArrayEquals(new int[] {8, 8}, TestFiles.read(out.resolve("big.npy")).shape);
        assertFalse(Files.exists(out.resolve("small.npy")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--iterations 3                                         | needs --psf PSF.npy (a blur) or --weights",
            "--psf @/psf.npy --weights @/w.npy --iterations 3       | give --psf (a blur) or --weights (a layer), not both",
            "--psf @/psf.npy --iterations 0                         | --iterations must be at least 1, got 0",
            "--psf @/psf.npy --iterations 3 --algorithm lsqr --damp -1 | --damp must be a finite number >= 0, got -1.0",
            "--weights @/w.npy --input-shape 1,8,8 --iterations 3   | richardson-lucy inverts a PSF's blur (--psf); with --weights use --algorithm lsqr",
            "--weights @/w.npy --iterations 3 --algorithm lsqr      | --weights needs --input-shape",
            "--psf @/psf4d.npy --iterations 3                       | --psf must have rank 1 (k), 2 (kH, kW) or 3 (kD, kH, kW), got shape (1,1,1,2)",
            "--psf @/negative.npy --iterations 3                    | --psf has -0.5 at flat index 1: richardson-lucy needs a non-negative PSF",
            "--psf @/nan.npy --iterations 3 --algorithm lsqr        | --psf has NaN at flat index 0: every value must be finite",
            "--psf @/inf.npy --iterations 3                         | --psf has Infinity at flat index 2: every value must be finite",
            "--psf @/psf.npy --iterations 3 --algorithm wiener      | --algorithm must be richardson-lucy or lsqr, got 'wiener'",
            "--psf @/psf.npy --iterations 3 --damp 0.1              | --damp is the damping of lsqr",
            "--psf @/psf.npy --iterations 3 --format webdataset     | deconvolve writes --format npy, parquet or png",
    })
    void refusedBeforeSparkWithOneLine(String options, String message) throws IOException {
        TestFiles.write(tmp.resolve("psf.npy"), new int[] {3}, new double[] {1, 2, 1});
        TestFiles.write(tmp.resolve("psf4d.npy"), new int[] {1, 1, 1, 2}, new double[] {1, 1});
        TestFiles.write(tmp.resolve("negative.npy"), new int[] {3}, new double[] {1, -0.5, 1});
        TestFiles.write(tmp.resolve("nan.npy"), new int[] {2}, new double[] {Double.NaN, 1});
        TestFiles.write(tmp.resolve("inf.npy"), new int[] {3}, new double[] {1, 1, Double.POSITIVE_INFINITY});
        TestFiles.write(tmp.resolve("w.npy"), new int[] {1, 1, 3, 3}, new double[9]);
        TestFiles.write(tmp.resolve("x.npy"), new int[] {1, 8, 8}, new double[64]);
        List<String> a = new ArrayList<>(List.of("deconvolve", "--input", tmp.resolve("x.npy").toString(), "--output",
                tmp.resolve("refused-" + Math.abs(options.hashCode())).toString()));
        a.addAll(Arrays.asList(options.trim().replace("@", tmp.toString()).split("\\s+")));
        StringWriter o = new StringWriter(), e = new StringWriter();
        int status = Main.execute(new PrintWriter(o, true), new PrintWriter(e, true), a.toArray(new String[0]));
        assertEquals(1, status, o + "\n" + e);
        String err = e.toString().trim();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("tconv: ") && err.contains(message), err);
        assertFalse(Files.exists(tmp.resolve("refused-" + Math.abs(options.hashCode()))), "nothing written");
    }

    static double relativeDifference(double[] a, double[] b) {
        assertEquals(b.length, a.length);
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }
}
