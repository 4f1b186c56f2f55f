package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;
import org.tconv.write.OutputLocation;

/**
 * A disk that fills up during the write, on a real full file system: a tmpfs of 2 MB mounted for the test (the
 * tests and CI run as root; without root or mount the test fails, saying so). Each command (run, run
 * --overwrite, toeplitz --overwrite, spectrum) must end non-zero with one line naming the output and "no
 * space", leave no {@code _SUCCESS} and no half file under the name asked for, keep an earlier output whole,
 * and, once there is room, write what an uninterrupted run writes, byte for byte.
 */
class FullDiskTest {
    private static Path root;
    private static Path disk;
    private static boolean mounted;
    private static Path weights, big, small;

    @BeforeAll
    static void mountASmallDisk() throws IOException, InterruptedException {
        root = Files.createTempDirectory(TestFiles.home().resolve("target"), "full-disk-");
        disk = Files.createDirectories(root.resolve("disk"));
        mount("size=2m");
        mounted = true;
        Random r = new Random(18);
        double[] w = new double[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        weights = TestFiles.write(root.resolve("w.npy"), new int[] {2, 3, 3, 3}, w);
        // three photos: 3 x 2 x 510 x 510 float64 = 12.5 MB of output, far more than the disk holds
        big = Files.createDirectories(root.resolve("big"));
        byte[] photo = Files.readAllBytes(TestFiles.home().resolve("data/images/astronaut.png"));
        for (String n : List.of("a.png", "b.png", "c.png")) Files.write(big.resolve(n), photo);
        small = Files.createDirectories(root.resolve("small"));
        double[] v = new double[3 * 5 * 6];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(256);
        TestFiles.write(small.resolve("tiny.npy"), new int[] {3, 5, 6}, v);
    }

    @AfterAll
    static void unmount() throws IOException, InterruptedException {
        if (mounted) sh("umount", disk.toString());
    }

    /** Mounts (or remounts) the tmpfs; a failure here is the test's, with the reason: CI runs as root. */
    private static void mount(String size) throws IOException, InterruptedException {
        List<String> cmd = mounted ? List.of("mount", "-o", "remount," + size, disk.toString())
                : List.of("mount", "-t", "tmpfs", "-o", size, "tmpfs", disk.toString());
        String why = sh(cmd.toArray(new String[0]));
        if (why != null) {
            fail("the full-disk test needs root to mount a small tmpfs (" + String.join(" ", cmd) + "): " + why
                    + "; the tests and CI run as root");
        }
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "no answer in 60 s";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + said;
    }

    /** Every file under {@code dir} by relative path, with its bytes; tconv's marker (it holds the run's id) left out. */
    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
                String rel = dir.relativize(p).toString();
                if (!rel.equals(OutputLocation.MARKER)) m.put(rel, Files.readAllBytes(p));
            }
        }
        return m;
    }

    private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (String k : expected.keySet()) assertTrue(Arrays.equals(expected.get(k), actual.get(k)), what + ": " + k + " differs");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** The one line of a full disk: exit 4, the output named, "no space", nothing else on stderr. */
    private static void assertNoSpaceLine(Cli c, Path output) {
        assertEquals(4, c.status, c::toString);
        String[] lines = c.err.trim().split("\n");
        assertEquals(1, lines.length, c::toString);
        assertTrue(lines[0].startsWith("tconv: no space left on the device of --output " + output), c::toString);
        assertFalse(c.out.contains("written as"), "nothing claimed as written: " + c);
    }

    private static Cli run(Path input, Path output, boolean overwrite) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--input", input.toString(), "--output", output.toString(),
                "--weights", weights.toString(), "--format", "npy"));
        if (overwrite) args.add("--overwrite");
        return Cli.run(args.toArray(new String[0]));
    }

    @Test
    void runAndOverwriteOnAFullDiskFailInOneLineAndTheRerunEqualsAnUninterruptedOne() throws IOException, InterruptedException {
        mount("size=2m");
        Path reference = root.resolve("reference");
        Cli ref = run(big, reference, false);
        assertEquals(0, ref.status, ref::toString);

        Path out = disk.resolve("out");
        Cli earlier = run(small, out, false);
        assertEquals(0, earlier.status, earlier::toString);
        Map<String, byte[]> before = files(out);
        assertTrue(before.containsKey(OutputLocation.SUCCESS) && before.containsKey("tiny.npy"), before::toString);

        Cli replace = run(big, out, true);
        assertNoSpaceLine(replace, out);
        assertTrue(replace.err.contains("the earlier output is unchanged"), replace::toString);
        assertSameFiles(before, files(out), "the earlier output after a failed --overwrite");
        assertEquals(List.of("out"), names(disk), "the half-written replacement is gone, nothing else left beside");

        Path fresh = disk.resolve("fresh");
        Cli full = run(big, fresh, false);
        assertNoSpaceLine(full, fresh);
        assertFalse(Files.exists(fresh.resolve(OutputLocation.SUCCESS)), "no _SUCCESS in a failed output");
        for (String n : files(fresh).keySet()) assertFalse(n.endsWith(".npy"), "no output file claimed as written: " + n);

        mount("size=64m"); // space freed
        Cli again = run(big, out, true);
        assertEquals(0, again.status, again::toString);
        assertSameFiles(files(reference), files(out), "the --overwrite rerun");
        Cli rerun = run(big, fresh, false); // the interrupted output is tconv's: replaced without --overwrite
        assertEquals(0, rerun.status, rerun::toString);
        assertSameFiles(files(reference), files(fresh), "the rerun");
        sh("rm", "-rf", out.toString(), fresh.toString());
    }

    @Test
    void toeplitzOverwriteOnAFullDiskKeepsTheEarlierMatrix() throws IOException, InterruptedException {
        mount("size=2m");
        Path reference = root.resolve("T-ref.mtx");
        // 2 x 3 x 3 x 3 weights on 3 x 40 x 40: about 86000 entries, some 2.5 MB of text
        Cli ref = Cli.run("toeplitz", "--weights", weights.toString(), "--input-shape", "3,40,40", "--output", reference.toString());
        assertEquals(0, ref.status, ref::toString);
        assertTrue(Files.size(reference) > 2 << 20, "the matrix does not fit the disk: " + Files.size(reference));

        Path t = disk.resolve("T.mtx");
        Cli earlier = Cli.run("toeplitz", "--weights", weights.toString(), "--input-shape", "3,4,4", "--output", t.toString());
        assertEquals(0, earlier.status, earlier::toString);
        byte[] before = Files.readAllBytes(t);
        Cli full = Cli.run("toeplitz", "--weights", weights.toString(), "--input-shape", "3,40,40", "--output", t.toString(), "--overwrite");
        assertNoSpaceLine(full, t);
        assertTrue(full.err.contains("the earlier " + t + " is unchanged"), full::toString);
        assertTrue(Arrays.equals(before, Files.readAllBytes(t)), "the earlier T.mtx is whole");
        assertEquals(List.of("T.mtx"), names(disk), "no temporary file left");

        mount("size=64m");
        Cli again = Cli.run("toeplitz", "--weights", weights.toString(), "--input-shape", "3,40,40", "--output", t.toString(), "--overwrite");
        assertEquals(0, again.status, again::toString);
        assertTrue(Arrays.equals(Files.readAllBytes(reference), Files.readAllBytes(t)), "the rerun equals an uninterrupted one");
        Files.delete(t);
    }

    @Test
    void spectrumOnAFullDiskWritesNoFileAndTheRerunEqualsAnUninterruptedOne() throws IOException, InterruptedException {
        mount("size=2m");
        String[] spectrum = {"spectrum", "--weights", weights.toString(), "--input-shape", "3,12,12", "--top", "20"};
        Path reference = root.resolve("s-ref.npy");
        Cli ref = Cli.run(concat(spectrum, "--output", reference.toString()));
        assertEquals(0, ref.status, ref::toString);

        Path filler = disk.resolve("filler");
        try (OutputStream f = Files.newOutputStream(filler)) { // fills the disk to its last byte
            byte[] block = new byte[4096];
            while (true) f.write(block);
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("No space left"), e::toString);
        }
        Path s = disk.resolve("s.npy");
        Cli full = Cli.run(concat(spectrum, "--output", s.toString()));
        assertNoSpaceLine(full, s);
        assertEquals(List.of("filler"), names(disk), "no s.npy and no temporary file");

        Files.delete(filler); // space freed
        Cli again = Cli.run(concat(spectrum, "--output", s.toString()));
        assertEquals(0, again.status, again::toString);
        // ARPACK's random start vector comes from a generator whose state lives on in the JVM, so two runs in one
        // test JVM differ in the last bits (two processes agree byte for byte): the values are compared to 1e-9
        double[] expected = TestFiles.read(reference).data, got = TestFiles.read(s).data;
        assertEquals(expected.length, got.length);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], 1e-9 * Math.abs(expected[0]), "value " + i);
        Files.delete(s);
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
