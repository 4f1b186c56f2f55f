package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.bench.BenchReport;
import org.tconv.bench.Workload;
import org.tconv.conv.ConvGeometry;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.Close;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/** {@code tconv bench} as a user runs it: what it writes, not how fast (speed is never asserted). */
class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void everyMethodOnTheSeedSizeWorkloadGivesCsvMarkdownAndChart() throws IOException {
        Path base = tmp.resolve("torch.csv");
        Files.writeString(base, BenchReport.CSV_HEADER + "\nW5,pytorch,f64,244141,0.04,4.1e-06,4.1e-06,,235\n");
        Path csv = tmp.resolve("b.csv");
        Cli r = Cli.run("bench", "--workload", "W5", "--method", "all", "--runs", "2", "--warmup", "0",
                "--csv", csv.toString(), "--plot", "--baseline", base.toString());
        assertEquals(0, r.status, r::toString);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(BenchReport.CSV_HEADER, lines.get(0));
        assertEquals(4, lines.size(), lines::toString);
        for (String method : new String[] {"toeplitz", "blockmatrix", "direct"}) {
            String row = lines.stream().filter(l -> l.startsWith("W5," + method + ",f64,")).findFirst().orElseThrow();
            String[] f = row.split(",", -1);
            assertEquals(17, f.length, row);
            for (int i = 3; i <= 6; i++) assertTrue(Double.parseDouble(f[i]) > 0, row);
            // what each method stores: toeplitz the operator, 3 blocks (one per kernel row) of 3 output
            // columns x 3 taps; blockmatrix the explicit T, 9 rows of 9
            String stored = method.equals("direct") ? "" : method.equals("toeplitz") ? "27" : "81";
            assertEquals(stored, f[7], "stored non-zeros of a 3x3 kernel on 5x5, valid: " + row);
            assertTrue(Double.parseDouble(f[8]) > 0, row);
            assertEquals(method.equals("direct") ? "" : "81", f[9], "the explicit T's non-zeros: " + row);
            // the split, appended: decode, product and write timed for every method, pack for toeplitz only;
            // product is the multiply column, job an empty Spark job over the same rows, unpack what end to
            // end has beyond pack, product and job
            for (int i : new int[] {10, 12, 14, 15}) assertTrue(Double.parseDouble(f[i]) > 0, row);
            assertEquals(method.equals("toeplitz"), !f[11].isEmpty(), row);
            assertEquals(f[5], f[12], row);
            double pack = f[11].isEmpty() ? 0 : Double.parseDouble(f[11]);
            // unpack is what the in-Spark run (the last column) has beyond pack, product and the empty job;
            // end to end (f[6]) is the file-to-file job, timed apart
            assertEquals(Double.parseDouble(f[16]) - pack - Double.parseDouble(f[5]) - Double.parseDouble(f[15]), Double.parseDouble(f[13]),
                    1e-5 * Double.parseDouble(f[16]), row);
            assertTrue(Double.parseDouble(f[6]) > 0 && Double.parseDouble(f[16]) > 0, row);
        }
        String md = Files.readString(tmp.resolve("b.md"));
        assertTrue(md.contains("| W5 | pytorch | f64 |") && md.contains("| W5 | toeplitz | f64 |"), md);
        BufferedImage png = ImageIO.read(tmp.resolve("b.png").toFile());
        assertNotNull(png, "a PNG chart");
        assertEquals(1000, png.getWidth());
        assertTrue(r.out.contains("kernel: "), r.out);
    }

    @Test
    void float32ReportsItsErrorAgainstFloat64() throws IOException {
        Path csv = tmp.resolve("f.csv");
        Cli r = Cli.run("bench", "--workload", "W1", "--images", "300", "--method", "toeplitz", "--dtype", "f32",
                "--runs", "1", "--warmup", "0", "--csv", csv.toString());
        assertEquals(0, r.status, r::toString);
        assertTrue(Files.readAllLines(csv).get(1).startsWith("W1@300,toeplitz,f32,"), Files.readString(csv));
        String md = Files.readString(tmp.resolve("f.md"));
        String row = md.lines().filter(l -> l.startsWith("| W1@300 | toeplitz | f32 |")).findFirst().orElseThrow();
        double err = Double.parseDouble(row.substring(row.lastIndexOf('|', row.length() - 2) + 1, row.length() - 1).trim());
        assertTrue(err > 0 && err < 1e-5, row);
    }

    @Test
    void methodsThatCannotRunAreNamedAndTheRestIsWritten() throws IOException {
        Path csv = tmp.resolve("m.csv");
        Cli r = Cli.run("bench", "--workload", "W5", "--method", "all", "--dtype", "f32", "--runs", "1", "--warmup", "0",
                "--csv", csv.toString());
        assertEquals(2, r.status, r::toString);
        assertTrue(r.out.contains("not measured: W5 blockmatrix f32: blockmatrix computes in float64 only"), r.out);
        assertEquals(2, Files.readAllLines(csv).size(), "header and the toeplitz row");
    }

    @Test
    void badOptionsStopBeforeSparkWithOneLine() {
        Cli r = Cli.run("bench", "--workload", "W9");
        assertEquals(1, r.status, r::toString);
        assertEquals("tconv: unknown workload 'W9' (expected W1..W7, a comma-separated list of them, or all)", r.err.strip());
        assertEquals(1, Cli.run("bench", "--runs", "0").status);
    }

    @Test
    void aListOfWorkloadsIsMeasuredInItsOrder() throws IOException {
        Path csv = tmp.resolve("list.csv");
        Cli r = Cli.run("bench", "--workload", "W5,W2", "--images", "3", "--method", "toeplitz", "--runs", "1", "--warmup", "0",
                "--csv", csv.toString());
        assertEquals(0, r.status, r::toString);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(3, lines.size(), lines::toString);
        assertTrue(lines.get(1).startsWith("W5@3,toeplitz,f64,") && lines.get(2).startsWith("W2@3,toeplitz,f64,"), lines::toString);
        Cli twice = Cli.run("bench", "--workload", "W2,W2");
        assertEquals(1, twice.status, twice::toString);
        assertTrue(twice.err.contains("names W2 twice"), twice.err);
    }

    /** W7's volumes as shards: (N, C, D, H, W) files and rank-5 weights. */
    @Test
    void volumeShardsAreFiveDimensional() throws IOException {
        Path dir = tmp.resolve("w7");
        Cli w = Cli.run("bench", "--write-shards", dir.toString(), "--workload", "W7", "--images", "1");
        assertEquals(0, w.status, w::toString);
        NpyArray shard = TestFiles.read(dir.resolve("images/shard-00000.npy"));
        assertArrayEquals(new int[] {1, 1, 64, 128, 128}, shard.shape);
        assertArrayEquals(Workload.W7.image(0), shard.data, 0.0);
        assertArrayEquals(new int[] {8, 1, 3, 3, 3}, TestFiles.read(dir.resolve("weights.npy")).shape);
    }

    /** The shards hold the workload's own images: convolving them file to file gives the direct loop's numbers. */
    @Test
    void shardsRoundTripThroughTheJob() throws IOException {
        Path dir = tmp.resolve("w1");
        Cli w = Cli.run("bench", "--write-shards", dir.toString(), "--workload", "W1", "--images", "250", "--shard-size", "100");
        assertEquals(0, w.status, w::toString);
        NpyArray last = TestFiles.read(dir.resolve("images/shard-00002.npy"));
        assertArrayEquals(new int[] {50, 1, 28, 28}, last.shape);
        assertArrayEquals(Workload.W1.image(249), java.util.Arrays.copyOfRange(last.data, 49 * 784, 50 * 784), 0.0);
        assertArrayEquals(new int[] {8, 1, 5, 5}, TestFiles.read(dir.resolve("weights.npy")).shape);
        assertArrayEquals(new int[] {8}, TestFiles.read(dir.resolve("bias.npy")).shape);

        Path out = tmp.resolve("out");
        Cli run = Cli.run("run", "--input", dir.resolve("images").toString(), "--weights", dir.resolve("weights.npy").toString(),
                "--bias", dir.resolve("bias.npy").toString(), "--padding", "2", "--format", "npy", "--output", out.toString());
        assertEquals(0, run.status, run::toString);
        NpyArray y = TestFiles.read(out.resolve("shard-00001.npy"));
        assertTrue(Files.notExists(out.resolve(".shard-00001.npy.crc")), "results are written as np.save writes them, no .crc beside");
        assertArrayEquals(new int[] {100, 8, 28, 28}, y.shape);
        ConvGeometry g = Workload.W1.geometry();
        double[] ref = DirectConvolution.convolve(g, Workload.W1.image(137), 0);
        Close.assertClose(ref, y.data, 37 * g.outputSize(), 1e-12, "image 137 = shard 1, item 37");

        byte[] before = Files.readAllBytes(dir.resolve("weights.npy"));
        Cli again = Cli.run("bench", "--write-shards", dir.toString(), "--workload", "W2", "--images", "10");
        assertEquals(1, again.status, again::toString);
        assertTrue(again.err.contains("is not empty"), again.err);
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("weights.npy")), "an existing directory's files are not overwritten");
    }

    @Test
    void anExistingCsvIsNotOverwritten() throws IOException {
        Path csv = Files.writeString(tmp.resolve("mine.csv"), "my data\n");
        Cli r = Cli.run("bench", "--workload", "W5", "--method", "direct", "--runs", "1", "--warmup", "0", "--csv", csv.toString());
        assertEquals(1, r.status, r::toString);
        assertEquals("my data\n", Files.readString(csv));
    }
}
