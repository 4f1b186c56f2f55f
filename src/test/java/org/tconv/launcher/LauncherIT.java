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

    /** Issue 18: an output below a regular file was exit 4 after Spark started; a name with brackets was "does not exist". */
    @Test
    void anOutputBelowAFileIsRefusedBeforeSparkForALiteralBracketInput() throws Exception {
        Path in = TestFiles.write(tmp.resolve("photos[2019]/a.npy"), new int[] {3, 5, 5}, new double[75]);
        Path notes = Files.write(tmp.resolve("notes.txt"), "mine".getBytes(StandardCharsets.UTF_8));
        Result r = tconv("run", "--input", in.getParent().toString(), "--output", notes.resolve("out").toString(), "--format", "npy");
        assertEquals(1, r.status, r::toString);
        assertEquals(1, r.err.strip().lines().count(), r::toString);
        assertTrue(r.err.contains(notes + " is not a directory"), r::toString);
        assertFalse(r.err.contains("SparkContext"), "Spark never started: " + r);
        assertEquals("mine", Files.readString(notes));
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

    /**
     * The class-data-sharing archive: made by the first run that goes through, kept while the jar stays,
     * made anew when the jar changes, and a damaged archive never makes a run fail or compute otherwise.
     * Each run's output is checked against the 3x3 window sums of the input, computed here.
     */
    @Test
    void classDataArchiveFollowsTheJar() throws Exception {
        Path target = TestFiles.home().resolve("target");
        Path archive = target.resolve("tconv.jsa"), key = target.resolve("tconv.jsa.key");
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        double[] x = new double[25];
        for (int i = 0; i < 25; i++) x[i] = i * 0.5 - 3;
        TestFiles.write(in.resolve("x.npy"), new int[] {1, 5, 5}, x);
        double[] w = new double[9];
        for (int i = 0; i < 9; i++) w[i] = i + 1;
        TestFiles.write(tmp.resolve("w.npy"), new int[] {1, 1, 3, 3}, w);
        double[] expected = new double[9];
        for (int oy = 0; oy < 3; oy++)
            for (int ox = 0; ox < 3; ox++)
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) expected[oy * 3 + ox] += w[ky * 3 + kx] * x[(oy + ky) * 5 + ox + kx];

        Files.deleteIfExists(archive);
        Files.deleteIfExists(key);
        assertEquals(0, tconv("run", "--help").status);
        assertFalse(Files.exists(archive), "run --help exits 0 but starts no Spark: its few classes make no archive");
        runAndCheck(in, expected, "first");
        assertTrue(Files.size(archive) > 0 && Files.exists(key), "the first run made the archive");
        String firstKey = Files.readString(key);

        runAndCheck(in, expected, "second");
        assertEquals(firstKey, Files.readString(key), "an unchanged jar keeps its archive");

        Path jar = target.resolve("tconv-0.1.0.jar");
        jar.toFile().setLastModified(System.currentTimeMillis() + 2000);
        runAndCheck(in, expected, "after the jar changed");
        assertFalse(firstKey.equals(Files.readString(key)), "a changed jar gets a new archive");

        Files.delete(archive); // read-only as the JVM writes it; replaced by garbage under a matching key
        Files.write(archive, new byte[] {1, 2, 3, 4});
        runAndCheck(in, expected, "with a damaged archive");
        runAndCheck(in, expected, "with the archive turned off", "TCONV_CDS", "0");
        Files.deleteIfExists(archive); // the next run makes a good one again
        Files.deleteIfExists(key);
    }

    /**
     * The launcher asks {@code java -version} (a whole JVM start) only when the java it runs is not the one
     * whose answer it kept: a stand-in {@code java} on PATH logs each call and runs the real one.
     */
    @Test
    void javaVersionIsAskedOncePerJvmAndAgainWhenTheJvmChanges() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path calls = tmp.resolve("calls.txt");
        Path fake = bin.resolve("java");
        String real = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(fake, "#!/bin/sh\necho \"$*\" | cut -c1-40 >> " + calls + "\nexec " + real + " \"$@\"\n");
        Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        java.util.Map<String, String> env = java.util.Map.of("PATH", bin + ":" + System.getenv("PATH"));
        for (int i = 0; i < 2; i++) assertEquals(0, tconv(env, "--version").status);
        List<String> first = Files.readAllLines(calls);
        assertEquals(1, first.stream().filter(l -> l.equals("-version")).count(), "asked once for two starts: " + first);
        assertEquals(2, first.stream().filter(l -> l.startsWith("-XX:")).count(), "and ran tconv twice: " + first);

        Files.writeString(fake, Files.readString(fake) + "# updated\n"); // another size and mtime: another JVM
        assertEquals(0, tconv(env, "--version").status);
        List<String> after = Files.readAllLines(calls);
        assertEquals(2, after.stream().filter(l -> l.equals("-version")).count(), "asked again after the JVM changed: " + after);
        assertEquals(0, tconv("--version").status); // the cache describes the real java again
    }

    private void runAndCheck(Path in, double[] expected, String when, String... env) throws Exception {
        Path out = tmp.resolve("out-" + when.replace(' ', '-'));
        java.util.Map<String, String> vars = env.length == 0 ? java.util.Map.of() : java.util.Map.of(env[0], env[1]);
        Result r = tconv(vars, "run", "--input", in.toString(), "--weights", tmp.resolve("w.npy").toString(),
                "--padding", "valid", "--format", "npy", "--output", out.toString());
        assertEquals(0, r.status, () -> when + ": " + r);
        String err = r.err.lines().filter(l -> !l.startsWith("tconv: building")).collect(Collectors.joining("\n")).strip();
        assertEquals("", err, () -> when + ": nothing on stderr (no CDS or Spark warnings): " + r);
        NpyArray y = NpyArray.read(Files.readAllBytes(out.resolve("x.npy")));
        assertEquals(List.of(1, 3, 3), java.util.Arrays.stream(y.shape).boxed().collect(Collectors.toList()), when);
        for (int i = 0; i < 9; i++) assertEquals(expected[i], y.data[i], 1e-12, when + " at " + i);
    }
}
