package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.bench.FileJobReport;
import org.tconv.testing.Cli;

/** {@code tconv bench --workload W8} as a user runs it, on a tiny folder: what it writes, never how fast. */
class PhotoBenchTest {
    @TempDir
    Path tmp;

    @Test
    void aTinyPhotoFolderJobIsSplitIntoStagesThatAddUpAndTheBaselineIsShown() throws IOException {
        Path base = tmp.resolve("opencv.csv");
        Files.writeString(base, "workload,method,dtype,format,images,images_per_s,gflops,end_to_end_s,wall_s\n"
                + "W8,opencv,f32,npy,6,120,2.5,0.05,0.9\n");
        Path out = tmp.resolve("outputs");
        Files.createDirectories(out);
        Path csv = tmp.resolve("w8.csv");
        Cli r = Cli.run("bench", "--workload", "W8", "--images", "6", "--format", "npy", "--dtype", "f32", "--runs", "1", "--warmup", "0",
                "--no-wall", "--no-bound", "--photos", tmp.resolve("w8").toString(), "--output-dir", out.toString(),
                "--csv", csv.toString(), "--baseline", base.toString());
        assertEquals(0, r.status, r::toString);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(FileJobReport.CSV_HEADER, lines.get(0));
        assertEquals(2, lines.size(), lines::toString);
        String[] head = lines.get(0).split(",", -1), f = lines.get(1).split(",", -1);
        Map<String, String> row = new HashMap<>();
        for (int i = 0; i < head.length; i++) row.put(head[i], f[i]);
        assertEquals("W8", row.get("workload"));
        assertEquals("npy", row.get("format"));
        assertEquals("6", row.get("images"));
        double job = Double.parseDouble(row.get("end_to_end_s")), sum = 0;
        for (String stage : new String[] {"list", "read", "decode", "product", "encode", "write", "commit"}) {
            double v = Double.parseDouble(row.get(stage + "_s"));
            assertTrue(v >= 0, stage + " " + v);
            sum += v;
        }
        // the split adds up to the job: each figure is printed to 6 significant digits
        assertEquals(job, sum, 1e-5 * job + 7e-6, lines.get(1));
        for (String stage : new String[] {"read", "decode", "product", "write"}) {
            assertTrue(Double.parseDouble(row.get(stage + "_s")) > 0, stage + " was timed: " + lines.get(1));
        }
        // 6 photos of 8 float32 maps each: at least 8 * 4 bytes per input pixel, 480 x 360 the smallest
        assertTrue(Double.parseDouble(row.get("output_mb")) * 1048576 > 6 * 8 * 4 * 480 * 360, lines.get(1));
        // the baseline row is shown beside tconv's, and tconv's speed against it
        String md = Files.readString(tmp.resolve("w8.md"));
        assertTrue(md.contains("| W8 | opencv (baseline CSV) | npy | f32 |"), md);
        String tconvRow = md.lines().filter(l -> l.startsWith("| W8 | tconv | npy | f32 | 6 |")).findFirst().orElseThrow();
        double speed = Double.parseDouble(tconvRow.replaceAll(".*\\| ([0-9.]+)x \\|$", "$1"));
        assertEquals(0.05 / job, speed, 0.006 + 0.01 * speed, tconvRow);
        // every run's output was deleted: only the bench's made folder and the CSV remain
        try (java.util.stream.Stream<Path> s = Files.list(out)) {
            assertEquals(0, s.count(), "outputs left in " + out);
        }
    }

    @Test
    void w8RefusesToBeMixedWithInMemoryWorkloadsAndUnknownPeers() {
        Cli mixed = Cli.run("bench", "--workload", "W1,W8", "--csv", tmp.resolve("a.csv").toString());
        assertEquals(1, mixed.status, mixed::toString);
        assertTrue(mixed.err.contains("W8"), mixed::toString);
        Cli peer = Cli.run("bench", "--workload", "W8", "--peers", "matlab", "--photos", tmp.resolve("w8").toString());
        assertEquals(1, peer.status, peer::toString);
        assertTrue(peer.err.contains("--peers"), peer::toString);
        assertTrue(!Files.exists(tmp.resolve("w8")), "nothing made for a refused run");
    }
}
