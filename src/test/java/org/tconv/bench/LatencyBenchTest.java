package org.tconv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.read.NpyArray;
import org.tconv.testing.TestFiles;

/**
 * {@code bench --latency}'s runner against a stand-in launcher (a shell script that records how it was called
 * and prints a timing line as StartupClock does): what is run, how often, where to, and what is reported.
 * The real launcher's timings are a benchmark, never asserted.
 */
class LatencyBenchTest {
    @TempDir
    Path tmp;

    private Path launcher(String body) throws IOException {
        Path p = tmp.resolve("fake-tconv");
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void oneUntimedRunThenTheTimedOnesEachIntoANewOutputWithTheCommandsOwnPhases() throws Exception {
        Path calls = tmp.resolve("calls.txt");
        // the phases sum to 0.6 s; the script sleeps 0.8 s, 0.2 s more than they say, as a launcher's own work would
        Path fake = launcher("echo \"$TCONV_TIMING $*\" >> " + calls + "\n"
                + "echo 'tconv: timing: jvm 0.10 s (700 classes), options 0.10 s (3000 classes), session 0.20 s (9000 classes),"
                + " job 0.15 s (18000 classes), stop 0.05 s (18100 classes); cpu 1.5 s' >&2\nsleep 0.8\n");
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        LatencyResult r = new LatencyBench(fake, scratch, 3).time(new LatencyBench.Command("W5", 1, List.of("--input", "x.npy")));
        List<String> lines = Files.readAllLines(calls);
        assertEquals(4, lines.size(), "one untimed run and three timed: " + lines);
        assertEquals("1 run --input x.npy --output " + scratch.resolve("W5-out-warm"), lines.get(0));
        for (int i = 0; i < 3; i++) assertEquals("1 run --input x.npy --output " + scratch.resolve("W5-out-" + i), lines.get(i + 1));
        assertEquals(3, r.wall.size());
        for (double w : r.wall) assertTrue(w >= 0.8, "the wall clock includes the script's sleep: " + r.wall);
        assertEquals(0.2, r.phaseSeconds("session"), 1e-12);
        assertEquals(1.5, r.phaseSeconds("cpu"), 1e-12);
        assertTrue(r.launcherSeconds() >= 0.2, "wall minus 0.6 s of phases: " + r.launcherSeconds());
        assertEquals(r.wallSeconds() - 0.6, r.launcherSeconds(), 1e-9);

        String csv = BenchReport.csv(List.of(), List.of(r));
        String row = csv.lines().skip(1).findFirst().orElseThrow();
        String[] f = row.split(",", -1);
        assertEquals(BenchReport.CSV_HEADER.split(",").length, f.length, row);
        assertEquals("W5", f[0]);
        assertEquals("command", f[1]);
        assertEquals(r.wallSeconds(), Double.parseDouble(f[6]), 1e-5 * r.wallSeconds());
        assertEquals(1 / r.wallSeconds(), Double.parseDouble(f[3]), 1e-5 / r.wallSeconds());
        String md = BenchReport.latencyMarkdown(List.of(r));
        assertTrue(md.contains("| 0.10 | 0.10 | 0.20 | 0.15 | 0.05 | 1.5 |"), md);
    }

    @Test
    void aFailedRunStopsThatCommandWithItsLastLine() throws Exception {
        Path fake = launcher("echo 'tconv: --input nope does not exist' >&2\nexit 1\n");
        Path scratch = Files.createDirectory(tmp.resolve("s"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new LatencyBench(fake, scratch, 2).time(new LatencyBench.Command("photos", 3, List.of())));
        assertEquals("bin/tconv run (photos) exited 1: tconv: --input nope does not exist", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LatencyBench(fake, scratch, 0));
    }

    @Test
    void theStandardCommandsAreThePhotosWithNoOptionsAndW5AsFiles() throws IOException {
        Path scratch = Files.createDirectory(tmp.resolve("std"));
        List<LatencyBench.Command> c = LatencyBench.standard(scratch);
        assertEquals(List.of(), c.get(0).args, "the sample photos: bin/tconv run as a new user types it");
        assertEquals(3, c.get(0).images);
        assertEquals(List.of("--input", scratch.resolve("w5-data/images").toString(), "--weights",
                scratch.resolve("w5-data/weights.npy").toString(), "--padding", "valid"), c.get(1).args);
        NpyArray x = TestFiles.read(scratch.resolve("w5-data/images/shard-00000.npy"));
        assertArrayEquals(new int[] {1, 1, 5, 5}, x.shape);
        assertArrayEquals(Workload.W5.image(0), x.data, 0.0);
        assertArrayEquals(new int[] {1, 1, 3, 3}, TestFiles.read(scratch.resolve("w5-data/weights.npy")).shape);
    }

    @Test
    void theTimingLineIsReadWhereverItIs() {
        var p = LatencyBench.phases("tconv: Conv2d(...): 3 image(s)\ntconv: timing: jvm 0.27 s (747 classes), options 2.19 s (3477 classes),"
                + " session 4.41 s (10363 classes), job 7.09 s (18250 classes), stop 0.14 s (18432 classes); cpu 13.0 s\n");
        assertEquals(List.of("jvm", "options", "session", "job", "stop", "cpu"), List.copyOf(p.keySet()));
        assertEquals(7.09, p.get("job"), 0.0);
        assertTrue(LatencyBench.phases("no timing here\n").isEmpty());
    }
}
