package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.multiply.Method;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.HostileFiles;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/**
 * Issue 11's hostile inputs through {@code tconv run}, each beside good ones: the good outputs are written
 * and exact (against the direct loop on the pixels the test itself put in the files), every hostile file
 * is a row of {@code _rejected.csv} with the figure that sank it, exit 2, under every method.
 */
class AdmissionTest {
    @TempDir
    Path tmp;

    private static final int[] W_RGB = {2, 3, 3, 3};
    private static final int[] W_GRAY = {2, 1, 3, 3};

    private static double[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = r.nextGaussian();
        return w;
    }

    /** An RGB PNG of random pixels, and those pixels as (3, h, w) planes, R then G then B. */
    private static double[] writePng(Path file, int h, int w, long seed) throws IOException {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double[] planes = new double[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int red = r.nextInt(256), green = r.nextInt(256), blue = r.nextInt(256);
                img.setRGB(x, y, red << 16 | green << 8 | blue);
                planes[y * w + x] = red;
                planes[h * w + y * w + x] = green;
                planes[2 * h * w + y * w + x] = blue;
            }
        }
        Files.createDirectories(file.getParent());
        Files.write(file, HostileFiles.encode(img, "png"));
        return planes;
    }

    private void assertConvolved(Path out, String name, ConvSpec spec, int[] shape, double[] x) throws IOException {
        NpyArray y = TestFiles.read(out.resolve(name));
        assertArrayEquals(spec.outputShape(shape), y.shape, name);
        assertArrayEquals(DirectConvolution.convolve(spec.geometry(shape), x, 0), y.data, 1e-9, name);
    }

    private static String reason(Map<String, String> rejected, String name) {
        return rejected.entrySet().stream().filter(e -> e.getKey().endsWith("/" + name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in _rejected.csv: " + rejected)).getValue();
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void decompressionBombsAreRejectedAndTheGoodPicturesWritten(Method method) throws IOException {
        Path in = tmp.resolve("in");
        double[] a = writePng(in.resolve("a.png"), 9, 7, 1);
        double[] b = writePng(in.resolve("b.png"), 6, 10, 2);
        Files.write(in.resolve("bomb_png.png"), HostileFiles.pngWithoutRows());
        Files.write(in.resolve("bomb_gif.gif"), HostileFiles.gifTinyFrameOnHugeScreen());
        Files.write(in.resolve("bomb_jpg.jpg"), HostileFiles.jpegWithHugeSof());
        Files.write(in.resolve("bomb_bmp.bmp"), HostileFiles.bmpRle8());
        double[] w = gaussian(54, 3);
        Path wf = TestFiles.write(tmp.resolve("w.npy"), W_RGB, w);
        Path out = tmp.resolve("out");

        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", wf.toString(),
                "--method", method.toString(), "--format", "npy");

        assertEquals(2, r.status, r::toString);
        ConvSpec spec = ConvSpec.builder(W_RGB, w).build();
        assertConvolved(out, "a.npy", spec, new int[] {3, 9, 7}, a);
        assertConvolved(out, "b.npy", spec, new int[] {3, 6, 10}, b);
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        Map<String, String> rejected = RunCommandTest.rejected(out);
        assertEquals(4, rejected.size(), rejected::toString);
        String pixels = "26000x26000 = 676000000 pixels is over the limit of 178956970 pixels (--max-pixels)";
        for (String bomb : new String[] {"bomb_png.png", "bomb_jpg.jpg", "bomb_bmp.bmp"}) {
            assertEquals("image of " + pixels, reason(rejected, bomb), bomb);
        }
        assertEquals("GIF screen of " + pixels, reason(rejected, "bomb_gif.gif"));
    }

    @Test
    void raisingTheLimitStillLeavesTheMemoryCheck() throws IOException {
        Path in = tmp.resolve("in");
        double[] a = writePng(in.resolve("a.png"), 5, 5, 4);
        Files.write(in.resolve("bomb_png.png"), HostileFiles.pngWithoutRows());
        double[] w = gaussian(54, 5);
        Path wf = TestFiles.write(tmp.resolve("w.npy"), W_RGB, w);
        Path out = tmp.resolve("out");

        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", wf.toString(),
                "--format", "npy", "--max-pixels", "1000000000");

        assertEquals(2, r.status, r::toString);
        assertConvolved(out, "a.npy", ConvSpec.builder(W_RGB, w).build(), new int[] {3, 5, 5}, a);
        // 676M pixels at 28 bytes each (raster and float64 values) is 17.6 GB: more than this JVM gives an item
        String why = reason(RunCommandTest.rejected(out), "bomb_png.png");
        assertTrue(why.startsWith("image of 26000x26000 (676000000 pixels) needs 17.63 GB, over the "), why);
    }

    @Test
    void maxPixelsBelowAGoodPictureRejectsIt() throws IOException {
        Path in = tmp.resolve("in");
        writePng(in.resolve("big.png"), 9, 9, 6);
        double[] small = writePng(in.resolve("small.png"), 5, 6, 7);
        double[] w = gaussian(54, 8);
        Path wf = TestFiles.write(tmp.resolve("w.npy"), W_RGB, w);
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", wf.toString(),
                "--format", "npy", "--max-pixels", "30");
        assertEquals(2, r.status, r::toString);
        assertConvolved(out, "small.npy", ConvSpec.builder(W_RGB, w).build(), new int[] {3, 5, 6}, small);
        assertEquals("image of 9x9 = 81 pixels is over the limit of 30 pixels (--max-pixels)",
                reason(RunCommandTest.rejected(out), "big.png"));
        assertFalse(Files.exists(out.resolve("big.npy")));
    }

    @Test
    void aPixelLimitBelowOneIsABadOption() throws IOException {
        Path wf = TestFiles.write(tmp.resolve("w.npy"), W_RGB, gaussian(54, 19));
        Cli r = Cli.run("run", "--input", tmp.toString(), "--output", tmp.resolve("out").toString(), "--weights", wf.toString(),
                "--max-pixels", "0");
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains("--max-pixels must be at least 1, got 0"), r::toString);
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void npyThatClaimsTooMuchIsRejectedAndTheGoodOneWritten(Method method) throws IOException {
        Path in = tmp.resolve("in");
        double[] good = gaussian(36, 9);
        TestFiles.write(in.resolve("good.npy"), new int[] {1, 6, 6}, good);
        Files.write(in.resolve("wrapped.npy"), HostileFiles.npyWrappingShape());
        byte[] claim = HostileFiles.npyHeader("<f8", "(1, 4000, 4000)");
        Files.write(in.resolve("overclaim.npy"), java.util.Arrays.copyOf(claim, claim.length + 100));
        // 30 KB of uint8 items of 1x1 pixel: with padding 100 each gives 2x199x199 outputs, 2.4G values in all
        Files.write(in.resolve("amplify.npy"), HostileFiles.npyUint8("(30000, 1, 1, 1)", new byte[30000]));
        double[] w = gaussian(18, 10);
        Path wf = TestFiles.write(tmp.resolve("w.npy"), W_GRAY, w);
        Path out = tmp.resolve("out");

        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", wf.toString(),
                "--method", method.toString(), "--format", "npy", "--padding", "100");

        assertEquals(2, r.status, r::toString);
        assertConvolved(out, "good.npy", ConvSpec.builder(W_GRAY, w).padding(Padding.of(100)).build(), new int[] {1, 6, 6}, good);
        Map<String, String> rejected = RunCommandTest.rejected(out);
        assertEquals(3, rejected.size(), rejected::toString);
        assertEquals(".npy array of shape [1073741824, 1, 536870912, 32] is too large (the number of bytes overflows)",
                reason(rejected, "wrapped.npy"));
        assertEquals("truncated .npy: header says 16000000 values, file holds 12", reason(rejected, "overclaim.npy"));
        assertEquals("output of 30000 items x (2,199,199) = 2376060000 values is more than one array holds (2147483639)",
                reason(rejected, "amplify.npy"));
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void hugePaddingIsARejectionNotAFailedJob(Method method) throws IOException {
        Path in = tmp.resolve("in");
        TestFiles.write(in.resolve("a.npy"), new int[] {1, 6, 6}, gaussian(36, 11));
        TestFiles.write(in.resolve("b.npy"), new int[] {1, 1}, gaussian(1, 12));
        Path wf = TestFiles.write(tmp.resolve("w.npy"), W_GRAY, gaussian(18, 13));
        Path out = tmp.resolve("out");

        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", wf.toString(),
                "--method", method.toString(), "--format", "npy", "--padding", "99999");

        assertEquals(2, r.status, r::toString);
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        Map<String, String> rejected = RunCommandTest.rejected(out);
        assertEquals("output of (2,200002,200002) = 80001600008 values is more than one array holds (2147483639)",
                reason(rejected, "a.npy"));
        assertEquals("output of (2,199997,199997) = 79997600018 values is more than one array holds (2147483639)",
                reason(rejected, "b.npy"));
    }

    @Test
    void wrappedShapeInWeightsOrBiasIsABadOption() throws IOException {
        Path in = TestFiles.write(tmp.resolve("in/a.npy"), new int[] {1, 6, 6}, gaussian(36, 14));
        Path bad = tmp.resolve("wrapped.npy");
        Files.write(bad, HostileFiles.npyWrappingShape());
        Path wf = TestFiles.write(tmp.resolve("w.npy"), W_GRAY, gaussian(18, 15));

        Cli asWeights = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("o1").toString(), "--weights", bad.toString());
        assertEquals(1, asWeights.status, asWeights::toString);
        assertTrue(asWeights.err.contains("weights file " + bad + ": .npy array of shape [1073741824, 1, 536870912, 32] is too large"),
                asWeights::toString);

        Cli asBias = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("o2").toString(), "--weights", wf.toString(),
                "--bias", bad.toString());
        assertEquals(1, asBias.status, asBias::toString);
        assertTrue(asBias.err.contains("bias file " + bad + ": .npy array of shape"), asBias::toString);
        assertFalse(Files.exists(tmp.resolve("o1").resolve("_SUCCESS")) || Files.exists(tmp.resolve("o2").resolve("_SUCCESS")));
    }

    @Test
    void nonFiniteWeightsAndBiasAreRefusedNamingTheFirstOne() throws IOException {
        Path in = TestFiles.write(tmp.resolve("in/a.npy"), new int[] {1, 6, 6}, gaussian(36, 16));
        double[] w = gaussian(18, 17);
        w[14] = Double.NaN; // (1, 0, 1, 2)
        w[16] = Double.POSITIVE_INFINITY;
        Path wf = TestFiles.write(tmp.resolve("nan.npy"), W_GRAY, w);
        Cli r = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("o1").toString(), "--weights", wf.toString());
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains("weights file " + wf + ": value NaN at index 14 (1,0,1,2 in shape (2,1,3,3)): weights and bias must be finite"),
                r::toString);
        assertEquals(1, r.err.strip().lines().count(), r::toString);

        Path good = TestFiles.write(tmp.resolve("w.npy"), W_GRAY, gaussian(18, 18));
        Path bias = TestFiles.write(tmp.resolve("b.npy"), new int[] {2}, new double[] {0.5, Double.NEGATIVE_INFINITY});
        Cli rb = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("o2").toString(), "--weights", good.toString(),
                "--bias", bias.toString());
        assertEquals(1, rb.status, rb::toString);
        assertTrue(rb.err.contains("bias file " + bias + ": value -Infinity at index 1 (1 in shape (2))"), rb::toString);
    }
}
