package org.tconv.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.read.NpyArray;
import org.tconv.testing.TestFiles;

/** {@code bin/tconv} as a user runs it: a separate JVM, the README's first command and its error paths. */
class LauncherIT {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    static Result tconv(String... args) throws IOException, InterruptedException {
        return tconv(java.util.Map.of(), args);
    }

    static Result tconv(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(TestFiles.home().resolve("bin/tconv").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("tconv-out", ".txt"), err = Files.createTempFile("tconv-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("bin/tconv " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void runWithDefaultsConvolvesTheSampleImages() throws Exception {
        Path out = tmp.resolve("out");
        Result r = tconv("run", "--output", out.toString(), "--format", "npy", "--verify");
        assertEquals(0, r.status, r::toString);
        assertTrue(r.out.contains(out.toString()), "says where it wrote: " + r.out);
        assertTrue(r.out.contains("verify against direct") && r.out.contains("OK"), r.out);
        List<String> images;
        try (Stream<Path> s = Files.list(TestFiles.home().resolve("data/images"))) {
            images = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().collect(Collectors.toList());
        }
        assertFalse(images.isEmpty());
        for (String image : images) {
            String stem = image.substring(0, image.lastIndexOf('.'));
            NpyArray y = NpyArray.read(Files.readAllBytes(out.resolve(stem + ".npy")));
            assertEquals(3, y.shape.length);
            assertEquals(2, y.shape[0], "C_out of the default kernel");
        }
    }

    @Test
    void badOptionFailsFastWithOneLine() throws Exception {
        Result r = tconv("run", "--stride", "0", "--output", tmp.resolve("o").toString());
        assertEquals(1, r.status, r::toString);
        assertEquals(1, r.err.strip().lines().count(), r::toString);
        assertTrue(r.err.contains("stride must be positive"), r::toString);
        assertFalse(Files.exists(tmp.resolve("o")));
        assertFalse(r.err.contains("SparkContext"), "Spark never started: " + r);
    }

    @Test
    void toeplitzWritesMatrixMarket() throws Exception {
        Path mtx = tmp.resolve("T.mtx");
        Result r = tconv("toeplitz", "--input-shape", "3,6,5", "--padding", "1", "--output", mtx.toString());
        assertEquals(0, r.status, r::toString);
        List<String> lines = Files.readAllLines(mtx);
        assertEquals("%%MatrixMarket matrix coordinate real general", lines.get(0));
        assertTrue(r.out.contains("entries of a dense matrix: " + (2L * 6 * 5) * (3L * 6 * 5)), r.out);
    }

    @Test
    void unicodeNamesAreReadAndWrittenUnderTheCLocale() throws Exception {
        java.util.Random rnd = new java.util.Random(21);
        double[] w = new double[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        Path wf = TestFiles.write(tmp.resolve("w.npy"), new int[] {2, 3, 3, 3}, w);
        Path in = tmp.resolve("in");
        double[] x = new double[3 * 6 * 5];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(256);
        TestFiles.write(in.resolve("ünïcødé.npy"), new int[] {3, 6, 5}, x);
        TestFiles.write(in.resolve("plain.npy"), new int[] {3, 6, 5}, x);
        Path out = tmp.resolve("out");

        Result r = tconv(java.util.Map.of("LANG", "C", "LC_ALL", "C"), "run", "--input", in.toString(), "--output", out.toString(),
                "--weights", wf.toString(), "--format", "npy");

        assertEquals(0, r.status, r::toString);
        org.tconv.conv.ConvSpec spec = org.tconv.conv.ConvSpec.builder(new int[] {2, 3, 3, 3}, w).build();
        double[] expected = org.tconv.verify.DirectConvolution.convolve(spec.geometry(new int[] {3, 6, 5}), x, 0);
        for (String name : List.of("ünïcødé.npy", "plain.npy")) {
            NpyArray y = NpyArray.read(Files.readAllBytes(out.resolve(name)));
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, y.data, 1e-9, name);
        }
        assertEquals(List.of("path,reason"), Files.readAllLines(out.resolve("_rejected.csv"), StandardCharsets.UTF_8));
    }
}
