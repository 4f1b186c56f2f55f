package org.tconv.job;

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
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvSpec;
import org.tconv.testing.Cli;
import org.tconv.testing.RejectedCsv;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/**
 * tconv deletes only what it can prove it wrote: a user's directory is never replaced, a failed
 * {@code --overwrite} leaves the old output, the output is never the input, and an output is finished
 * ({@code _SUCCESS}) only after {@code _rejected.csv} is in it.
 */
class OutputSafetyTest {
    @TempDir
    Path tmp;

    private static final int[] W_SHAPE = {2, 1, 3, 3};

    private static final Runnable NORMAL = ConvolutionJob.beforeFinish;

    @AfterEach
    void noFault() {
        ConvolutionJob.beforeFinish = NORMAL;
    }

    private static double[] values(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.floor(r.nextDouble() * 256);
        return x;
    }

    private Path weights() throws IOException {
        return TestFiles.write(tmp.resolve("w.npy"), W_SHAPE, values(18, 99));
    }

    private String[] args(Path in, Path out, String... more) throws IOException {
        List<String> a = new java.util.ArrayList<>(List.of("run", "--input", in.toString(), "--output", out.toString(),
                "--weights", weights().toString(), "--format", "npy"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** The direct loop's output for an input written with seed {@code seed}, as a check of what was written. */
    private static double[] expected(long seed) {
        ConvSpec spec = ConvSpec.builder(W_SHAPE, values(18, 99)).build();
        return DirectConvolution.convolve(spec.geometry(new int[] {1, 6, 6}), values(36, seed), 0);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void aUsersDirectoryThatLooksInterruptedIsRefusedAndKept() throws IOException {
        Path in = TestFiles.write(tmp.resolve("in/a.npy"), new int[] {1, 6, 6}, values(36, 1));
        Path out = tmp.resolve("mine");
        Files.createDirectories(out.resolve("_temporary"));
        Files.write(out.resolve("thesis.txt"), "four years".getBytes(StandardCharsets.UTF_8));
        for (String[] a : List.of(args(in, out), args(in, out, "--overwrite"))) {
            Cli r = Cli.run(a);
            assertEquals(1, r.status, r::toString);
            assertTrue(r.err.contains("not a tconv output"), r.err);
            assertEquals(1, r.err.strip().lines().count(), r.err);
        }
        assertEquals("four years", Files.readString(out.resolve("thesis.txt")));
        assertEquals(List.of("_temporary", "thesis.txt"), names(out));
    }

    @Test
    void aFailedOverwriteLeavesTheOldOutputAndASuccessfulOneSwaps() throws IOException {
        Path in = TestFiles.write(tmp.resolve("in/a.npy"), new int[] {1, 6, 6}, values(36, 1));
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run(args(in, out)).status);
        byte[] old = Files.readAllBytes(out.resolve("a.npy"));

        TestFiles.write(in, new int[] {1, 6, 6}, values(36, 2));
        ConvolutionJob.beforeFinish = () -> { throw new IllegalStateException("injected failure"); };
        Cli failed = Cli.run(args(in, out, "--overwrite"));
        assertEquals(4, failed.status, failed::toString);
        assertArrayEquals(old, Files.readAllBytes(out.resolve("a.npy")), "the old output survives a failed --overwrite");
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertEquals(List.of("in", "out", "w.npy"), names(tmp), "nothing of the failed run is left beside the output");

        ConvolutionJob.beforeFinish = NORMAL;
        Cli ok = Cli.run(args(in, out, "--overwrite"));
        assertEquals(0, ok.status, ok::toString);
        assertArrayEquals(expected(2), TestFiles.read(out.resolve("a.npy")).data, 1e-9);
        assertEquals(List.of("_SUCCESS", "_rejected.csv", "_tconv-output", "a.npy"), names(out));
        assertEquals(List.of("in", "out", "w.npy"), names(tmp), "the old output is gone after the swap, nothing else left");
    }

    @Test
    void theOutputIsNeverTheInputNorContainsIt() throws IOException {
        Path in = TestFiles.write(tmp.resolve("in/a.npy"), new int[] {1, 6, 6}, values(36, 1));
        Path dir = in.getParent();
        byte[] before = Files.readAllBytes(in);
        Cli same = Cli.run(args(dir, dir, "--overwrite"));
        assertEquals(1, same.status, same::toString);
        assertTrue(same.err.contains("is the input"), same.err);
        Cli parent = Cli.run(args(dir, tmp, "--overwrite"));
        assertEquals(1, parent.status, parent::toString);
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir);
        Cli viaLink = Cli.run(args(dir, link, "--overwrite"));
        assertEquals(1, viaLink.status, viaLink::toString);
        assertTrue(viaLink.err.contains("is the input"), viaLink.err);
        assertArrayEquals(before, Files.readAllBytes(in));
        assertEquals(List.of("a.npy"), names(dir));
    }

    @Test
    void anOutputInsideTheInputIsReplacedAndNeverReadAsInput() throws IOException {
        Path in = TestFiles.write(tmp.resolve("in/a.npy"), new int[] {1, 6, 6}, values(36, 1));
        Files.write(tmp.resolve("in/notes.txt.bak"), "mine".getBytes(StandardCharsets.UTF_8));
        Path out = tmp.resolve("in/out");
        Cli first = Cli.run(args(in.getParent(), out));
        assertEquals(2, first.status, "a fresh output inside the input deletes nothing: " + first);
        byte[] input = Files.readAllBytes(in);
        Cli again = Cli.run(args(in.getParent(), out, "--overwrite"));
        assertEquals(2, again.status, "the listing skips the earlier output, so replacing it deletes no input: " + again);
        assertEquals(List.of("_SUCCESS", "_rejected.csv", "_tconv-output", "a.npy"), names(out), "the earlier output was not read");
        assertEquals(1, RejectedCsv.read(out).size(), "only notes.txt.bak, not the earlier output's files");
        assertArrayEquals(expected(1), TestFiles.read(out.resolve("a.npy")).data, 1e-9);
        assertArrayEquals(input, Files.readAllBytes(in));
        assertEquals("mine", Files.readString(tmp.resolve("in/notes.txt.bak")));
        assertEquals(List.of("a.npy", "notes.txt.bak", "out"), names(in.getParent()));
    }

    @Test
    void killedBeforeRejectedCsvTheOutputIsUnfinishedAndTheRerunReplacesIt() throws IOException {
        Path in = tmp.resolve("in");
        TestFiles.write(in.resolve("a.npy"), new int[] {1, 6, 6}, values(36, 1));
        Files.write(in.resolve("bad.npy"), "no header".getBytes(StandardCharsets.US_ASCII));
        Path out = tmp.resolve("out");
        ConvolutionJob.beforeFinish = () -> { throw new IllegalStateException("driver lost"); };
        assertEquals(4, Cli.run(args(in, out)).status);
        assertTrue(Files.exists(out.resolve("a.npy")), "the job's files were committed before the failure");
        assertFalse(Files.exists(out.resolve("_SUCCESS")), "without _rejected.csv the output never looks finished");
        assertFalse(Files.exists(out.resolve("_rejected.csv")));

        ConvolutionJob.beforeFinish = NORMAL;
        Cli rerun = Cli.run(args(in, out));
        assertEquals(2, rerun.status, rerun::toString);
        assertEquals(List.of("_SUCCESS", "_rejected.csv", "_tconv-output", "a.npy"), names(out));
        assertEquals(1, RejectedCsv.read(out).size());
    }

    @Test
    void rejectedCsvIsRfc4180ForAnyPath() throws IOException {
        Path in = tmp.resolve("in");
        TestFiles.write(in.resolve("good.npy"), new int[] {1, 6, 6}, values(36, 1));
        List<String> hostile = List.of("comma,name.npy", "quote\"name.npy", "two\nlines.npy", "semi;colon 'x'.npy");
        for (String name : hostile) Files.write(in.resolve(name), "not npy".getBytes(StandardCharsets.US_ASCII));
        Path out = tmp.resolve("out");
        Cli r = Cli.run(args(in, out));
        assertEquals(2, r.status, r::toString);
        Map<String, String> rejected = RejectedCsv.read(out);
        assertEquals(hostile.stream().sorted().collect(Collectors.toList()),
                rejected.keySet().stream().map(p -> p.substring(p.lastIndexOf('/') + 1)).sorted().collect(Collectors.toList()));
        assertTrue(Files.exists(out.resolve("good.npy")));
    }

    @Test
    void parquetOutputKeepsTheMarkerAndFinishesLast() throws IOException {
        Path in = TestFiles.write(tmp.resolve("in/a.npy"), new int[] {1, 6, 6}, values(36, 1));
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", weights().toString());
        assertEquals(0, r.status, r::toString);
        List<String> names = names(out);
        assertTrue(names.containsAll(List.of("_SUCCESS", "_rejected.csv", "_tconv-output")), names::toString);
        assertTrue(names.stream().anyMatch(n -> n.endsWith(".parquet")), names::toString);
    }
}
