package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvSpec;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;
import org.tconv.write.FeatureMapPng;

/**
 * Files a listing can meet beside good inputs, through {@code tconv run}: each one is an input, a
 * documented skip (hidden) or a row of {@code _rejected.csv}; the good ones are written, exactly as the
 * direct convolution computes them.
 */
class InputFilesEndToEndTest {
    @TempDir
    Path tmp;

    private static final int[] W_SHAPE = {2, 3, 3, 3};

    private static double[] weights() {
        Random r = new Random(5);
        double[] w = new double[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return w;
    }

    private static final ConvSpec SPEC = ConvSpec.builder(W_SHAPE, weights()).build();

    private Path weightsFile() throws IOException {
        return TestFiles.write(tmp.resolve("w.npy"), W_SHAPE, weights());
    }

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.floor(r.nextDouble() * 256);
        return x;
    }

    /** A (3, 6, 5) input as .npy; returns its values. */
    private static double[] goodNpy(Path file, long seed) throws IOException {
        double[] x = random(3 * 6 * 5, seed);
        TestFiles.write(file, new int[] {3, 6, 5}, x);
        return x;
    }

    /** An RGB PNG of h x w random pixels; returns its (3, h, w) values as the decoder must read them. */
    private static double[] goodPng(Path file, int h, int w, long seed) throws IOException {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double[] x = new double[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < w; c++) {
                int rgb = r.nextInt(1 << 24);
                img.setRGB(c, y, rgb);
                x[y * w + c] = (rgb >> 16) & 255;
                x[h * w + y * w + c] = (rgb >> 8) & 255;
                x[2 * h * w + y * w + c] = rgb & 255;
            }
        }
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "png", file.toFile()));
        return x;
    }

    private static void assertConvolved(double[] x, int[] inShape, Path output) throws IOException {
        NpyArray y = TestFiles.read(output);
        assertArrayEquals(SPEC.outputShape(inShape), y.shape, output::toString);
        assertArrayEquals(DirectConvolution.convolve(SPEC.geometry(inShape), x, 0), y.data, 1e-9, output::toString);
    }

    private Cli run(Path in, Path out, String... more) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--input", in.toString(), "--output", out.toString(),
                "--weights", weightsFile().toString(), "--format", "npy"));
        args.addAll(List.of(more));
        return assertTimeoutPreemptively(Duration.ofMinutes(3), () -> Cli.run(args.toArray(new String[0])),
                "the job must end whatever the input directory holds");
    }

    /** Regular files under the output, relative, without the job's own (_SUCCESS, _rejected.csv) and hidden ones. */
    private static List<String> outputs(Path out) throws IOException {
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(Files::isRegularFile).map(p -> out.relativize(p).toString())
                    .filter(p -> !p.startsWith("_") && !p.startsWith(".") && !p.contains("/.")).sorted().collect(Collectors.toList());
        }
    }

    private static String reason(Map<String, String> rejected, String name) {
        return rejected.entrySet().stream().filter(e -> e.getKey().endsWith("/" + name)).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in " + rejected));
    }

    private static void mkfifo(Path p) throws IOException, InterruptedException {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
    }

    @Test
    void pipesSocketsAndDevicesAreRejectedWithoutBeingOpened() throws Exception {
        Path in = tmp.resolve("in");
        double[] good = goodNpy(in.resolve("good.npy"), 1);
        mkfifo(in.resolve("pipe.npy")); // opening it would block until a writer comes: forever
        Files.createSymbolicLink(in.resolve("null.png"), Paths.get("/dev/null"));
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(in.resolve("sock.npy")));
            Path out = tmp.resolve("out");
            Cli r = run(in, out);

            assertEquals(2, r.status, r::toString);
            assertConvolved(good, new int[] {3, 6, 5}, out.resolve("good.npy"));
            assertEquals(List.of("good.npy"), outputs(out));
            Map<String, String> rejected = RunCommandTest.rejected(out);
            assertEquals(3, rejected.size(), rejected::toString);
            assertTrue(reason(rejected, "pipe.npy").contains("named pipe"), rejected::toString);
            assertTrue(reason(rejected, "sock.npy").contains("socket"), rejected::toString);
            assertTrue(reason(rejected, "null.png").contains("character device"), rejected::toString);
            assertTrue(r.out.contains("1 image(s) from 1 file(s)"), r.out);
        }
    }

    @Test
    void symlinkLoopsAreListedOnceAndDanglingLinksReported() throws Exception {
        Path in = tmp.resolve("in");
        double[] a = goodNpy(in.resolve("a.npy"), 2);
        double[] b = goodNpy(in.resolve("sub/b.npy"), 3);
        Files.createSymbolicLink(in.resolve("loop"), Paths.get("."));
        Files.createSymbolicLink(in.resolve("sub/up"), Paths.get(".."));
        Files.createSymbolicLink(in.resolve("alias"), Paths.get("sub"));
        Files.createSymbolicLink(in.resolve("gone.npy"), Paths.get("missing.npy"));
        Files.createSymbolicLink(in.resolve("link.npy"), Paths.get("a.npy"));
        goodNpy(in.resolve(".hidden.npy"), 4);
        goodNpy(in.resolve("_skipped/c.npy"), 5);
        Path out = tmp.resolve("out");
        Cli r = run(in, out);

        assertEquals(2, r.status, r::toString);
        assertEquals(List.of("a.npy", "link.npy", "sub/b.npy"), outputs(out), "each real directory listed once");
        assertConvolved(a, new int[] {3, 6, 5}, out.resolve("a.npy"));
        assertConvolved(a, new int[] {3, 6, 5}, out.resolve("link.npy"));
        assertConvolved(b, new int[] {3, 6, 5}, out.resolve("sub/b.npy"));
        Map<String, String> rejected = RunCommandTest.rejected(out);
        assertEquals(4, rejected.size(), rejected::toString);
        assertTrue(reason(rejected, "loop").contains("loop"), rejected::toString);
        assertTrue(reason(rejected, "sub/up").contains("loop"), rejected::toString);
        assertTrue(reason(rejected, "alias").contains("already listed"), rejected::toString);
        assertTrue(reason(rejected, "gone.npy").contains("dangling symbolic link to missing.npy"), rejected::toString);
    }

    @Test
    void aNameTooLongForItsOutputIsRejectedAndTheRestWritten() throws Exception {
        Path in = tmp.resolve("in");
        double[] good = goodNpy(in.resolve("good.npy"), 6);
        String name = "p".repeat(253); // a PNG without an extension: its output name has 257 bytes
        goodPng(in.resolve(name), 6, 5, 7);
        Path out = tmp.resolve("out");
        Cli r = run(in, out);

        assertEquals(2, r.status, r::toString);
        assertConvolved(good, new int[] {3, 6, 5}, out.resolve("good.npy"));
        assertEquals(List.of("good.npy"), outputs(out));
        assertTrue(reason(RunCommandTest.rejected(out), name).contains("too long: 257 bytes"), r::toString);
    }

    @Test
    void aPngBatchNameClashingWithAnotherInputsOutputRejectsTheLaterOne() throws Exception {
        Path in = tmp.resolve("in");
        double[] batch = random(2 * 3 * 6 * 5, 8);
        TestFiles.write(in.resolve("a.npy"), new int[] {2, 3, 6, 5}, batch); // writes a_0.png and a_1.png
        goodPng(in.resolve("a_0.png"), 6, 5, 9); // would write a_0.png too
        double[] other = goodPng(in.resolve("b.png"), 6, 5, 10);
        Path out = tmp.resolve("out");
        Cli r = run(in, out, "--format", "png");

        assertEquals(2, r.status, r::toString);
        assertEquals(List.of("a_0.png", "a_1.png", "b.png"), outputs(out));
        int[] shape = {3, 6, 5};
        int[] outShape = SPEC.outputShape(shape);
        int item = 3 * 6 * 5;
        for (int i = 0; i < 2; i++) {
            double[] y = DirectConvolution.convolve(SPEC.geometry(shape), java.util.Arrays.copyOfRange(batch, i * item, (i + 1) * item), 0);
            assertArrayEquals(FeatureMapPng.encode(outShape, y, 0), Files.readAllBytes(out.resolve("a_" + i + ".png")), "a_" + i + ".png is a.npy's item");
        }
        assertArrayEquals(FeatureMapPng.encode(outShape, DirectConvolution.convolve(SPEC.geometry(shape), other, 0), 0),
                Files.readAllBytes(out.resolve("b.png")));
        Map<String, String> rejected = RunCommandTest.rejected(out);
        assertEquals(1, rejected.size(), rejected::toString);
        assertEquals("output a_0.png would overwrite the output of file:" + in + "/a.npy", reason(rejected, "a_0.png"));
        assertTrue(r.out.contains("3 image(s) from 2 file(s)"), "the summary counts what was written: " + r.out);
    }

    @Test
    void anOutputFileWhereAnotherOutputNeedsADirectoryIsRejected() throws Exception {
        Path in = tmp.resolve("in");
        double[] inside = goodNpy(in.resolve("x.npy/y.npy"), 11); // a directory named x.npy
        goodPng(in.resolve("x.png"), 6, 5, 12); // would write the file x.npy
        Path out = tmp.resolve("out");
        Cli r = run(in, out);

        assertEquals(2, r.status, r::toString);
        assertEquals(List.of("x.npy/y.npy"), outputs(out));
        assertConvolved(inside, new int[] {3, 6, 5}, out.resolve("x.npy/y.npy"));
        assertTrue(reason(RunCommandTest.rejected(out), "x.png").contains("needs a directory"), r::toString);
        assertTrue(r.out.contains("1 image(s) from 1 file(s)"), "the summary counts what was written: " + r.out);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "committer algorithm {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void namesWithAColonAreReadAndWritten(int algorithm) throws Exception {
        Path in = tmp.resolve("in");
        double[] png = goodPng(in.resolve("a:b.png"), 6, 5, 13);
        double[] npy = goodNpy(in.resolve("c:d/e:f.npy"), 14);
        double[] nested = goodNpy(in.resolve("sub/g:h.npy"), 18);
        double[] plain = goodNpy(in.resolve("sub/plain.npy"), 19);
        org.apache.hadoop.conf.Configuration hadoop = org.tconv.testing.SharedSpark.get().sparkContext().hadoopConfiguration();
        String key = "mapreduce.fileoutputcommitter.algorithm.version";
        String before = hadoop.get(key);
        hadoop.setInt(key, algorithm);
        try {
            Path out = tmp.resolve("out");
            Cli r = run(in, out);
            assertEquals(0, r.status, r::toString);
            assertEquals(List.of("a:b.npy", "c:d/e:f.npy", "sub/g:h.npy", "sub/plain.npy"), outputs(out));
            assertConvolved(png, new int[] {3, 6, 5}, out.resolve("a:b.npy"));
            assertConvolved(npy, new int[] {3, 6, 5}, out.resolve("c:d/e:f.npy"));
            assertConvolved(nested, new int[] {3, 6, 5}, out.resolve("sub/g:h.npy"));
            assertConvolved(plain, new int[] {3, 6, 5}, out.resolve("sub/plain.npy"));
            assertTrue(Files.exists(out.resolve("_SUCCESS")));
            assertFalse(Files.exists(out.resolve("_temporary")), "Hadoop's cleanup still ran");

            Path pngOut = tmp.resolve("png-out");
            Cli p = run(in, pngOut, "--format", "png");
            assertEquals(0, p.status, p::toString);
            assertEquals(List.of("a:b.png", "c:d/e:f.png", "sub/g:h.png", "sub/plain.png"), outputs(pngOut));
            assertArrayEquals(FeatureMapPng.encode(SPEC.outputShape(new int[] {3, 6, 5}),
                    DirectConvolution.convolve(SPEC.geometry(new int[] {3, 6, 5}), png, 0), 0), Files.readAllBytes(pngOut.resolve("a:b.png")));
        } finally {
            if (before == null) hadoop.unset(key); else hadoop.set(key, before);
        }
    }

    @Test
    void anExistingPathWithGlobCharactersIsTakenLiterally() throws Exception {
        Path in = tmp.resolve("data[1]");
        double[] x = goodNpy(in.resolve("x.npy"), 15);
        goodNpy(tmp.resolve("data1/not-me.npy"), 16); // what data[1] would match as a glob
        Path out = tmp.resolve("out");
        Cli r = run(in, out);

        assertEquals(0, r.status, r::toString);
        assertEquals(List.of("x.npy"), outputs(out));
        assertConvolved(x, new int[] {3, 6, 5}, out.resolve("x.npy"));
    }

    @Test
    void aTabInAPathKeepsItsRowOfRejectedCsv() throws Exception {
        Path in = tmp.resolve("in");
        double[] good = goodNpy(in.resolve("good\tone.npy"), 17);
        Files.write(in.resolve("bad\tone.png"), "not a picture".getBytes(StandardCharsets.US_ASCII));
        Path out = tmp.resolve("out");
        Cli r = run(in, out);

        assertEquals(2, r.status, r::toString);
        assertConvolved(good, new int[] {3, 6, 5}, out.resolve("good\tone.npy"));
        Map<String, String> rejected = RunCommandTest.rejected(out);
        assertEquals(1, rejected.size(), rejected::toString);
        assertFalse(reason(rejected, "bad\tone.png").contains("\t"), "the reason is the decoder's, not a piece of the path: " + rejected);
        assertTrue(reason(rejected, "bad\tone.png").length() > 0, rejected::toString);
    }
}
