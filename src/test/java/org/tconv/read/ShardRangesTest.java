package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvSpec;
import org.tconv.testing.Cli;
import org.tconv.testing.RejectedCsv;
import org.tconv.testing.SharedSpark;
import org.tconv.testing.TestFiles;

/**
 * A big uncompressed tar shard read as byte ranges by several tasks, against the same shard read whole by
 * one: each member read by exactly one range, and the same outputs and rejections.
 */
class ShardRangesTest {
    @TempDir
    Path tmp;

    private static byte[] photo(String name) throws IOException {
        return Files.readAllBytes(TestFiles.home().resolve("data/images").resolve(name));
    }

    /** Photos, a label, a corrupt member, a PAX long name, and a second member of an earlier name far after it. */
    private Path shard() throws IOException {
        byte[] astronaut = photo("astronaut.png"), coffee = photo("coffee.jpg"), chelsea = photo("chelsea.png");
        Object[] members = {
            "000.png", astronaut, "000.json", "{\"label\": 1}".getBytes(StandardCharsets.UTF_8),
            "001.jpg", coffee, "002.png", chelsea, "003.png", "not a picture".getBytes(StandardCharsets.UTF_8),
            "sub/" + "long-name-".repeat(12) + "004.jpg", coffee, "005.png", chelsea, "006.jpg", coffee,
            "001.jpg", chelsea, "007.png", astronaut, "008.jpg", coffee,
        };
        Path file = tmp.resolve("in/big.tar");
        Files.createDirectories(file.getParent());
        try (OutputStream raw = Files.newOutputStream(file); TarArchiveOutputStream t = new TarArchiveOutputStream(raw)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < members.length; i += 2) {
                byte[] b = (byte[]) members[i + 1];
                TarArchiveEntry e = new TarArchiveEntry((String) members[i]);
                e.setSize(b.length);
                t.putArchiveEntry(e);
                t.write(b);
                t.closeArchiveEntry();
            }
        }
        return file;
    }

    private Path weights() throws IOException {
        Random r = new Random(9);
        double[] w = new double[3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return TestFiles.write(tmp.resolve("w.npy"), new int[] {1, 3, 3, 3}, w);
    }

    private static final long SPLIT = 300_000;

    @Test
    void theRangesOfAShardReadEachMemberOnceAndGiveWhatTheWholeShardGives() throws IOException {
        Path file = shard();
        long len = Files.size(file);
        InputFile whole = new InputFile(file.toUri().toString(), "big.tar");
        Configuration conf = new Configuration();
        List<InputFile> split = WebDatasetShards.splitBigShards(List.of(whole), SPLIT, conf);
        assertEquals((len + SPLIT - 1) / SPLIT, split.size(), "one range per " + SPLIT + " bytes of a " + len + "-byte shard");
        assertTrue(split.size() >= 5, split::toString);
        assertEquals(List.of(whole), WebDatasetShards.splitBigShards(List.of(whole), len, conf), "a shard of the split size stays whole");

        ConvSpec spec = ConvSpec.builder(new int[] {1, 3, 3, 3}, TestFiles.read(weights()).data).build();
        InputDecoder decoder = new InputDecoder(spec);
        List<ImageBatch> expected = new ArrayList<>();
        new ShardReader(whole, conf, decoder, true).forEachRemaining(expected::add);
        List<ImageBatch> got = new ArrayList<>();
        int emptyRanges = 0;
        for (InputFile f : split) {
            int before = got.size();
            new ShardReader((ShardRange) f, conf, decoder, true).forEachRemaining(got::add);
            if (got.size() == before) emptyRanges++;
        }
        assertTrue(emptyRanges < split.size() - 1, "the members are spread over the ranges, not read by one");
        assertEquals(names(expected), names(got), "every member once, in tar order");
        assertEquals(10, expected.size(), "ten input members; the json is not one");
        for (int i = 0; i < expected.size(); i++) {
            ImageBatch a = expected.get(i), b = got.get(i);
            assertEquals(a.getError(), b.getError(), a.getPath());
            assertArrayEquals(a.getShape(), b.getShape(), a.getPath());
            assertArrayEquals(a.getValues(), b.getValues(), 0.0, a.getPath());
        }
        assertTrue(got.get(7).getError().contains("second member of this name"),
                "the name claimed in an earlier range still counts: " + got.get(7).getError());
        assertTrue(got.get(3).getError() != null, "the corrupt member is rejected");
    }

    private static List<String> names(List<ImageBatch> rows) {
        return rows.stream().map(ImageBatch::getPath).collect(Collectors.toList());
    }

    @Test
    void aShardBiggerThanTheSplitSizeBecomesSeveralTasksWithTheOutputsOfOne() throws Exception {
        Path file = shard();
        String w = weights().toString();
        Path whole = tmp.resolve("whole"), split = tmp.resolve("split");
        SparkContext sc = SharedSpark.get().sparkContext();
        AtomicInteger tasks = new AtomicInteger();
        SparkListener count = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                tasks.incrementAndGet();
            }
        };
        sc.addSparkListener(count);
        try {
            Cli a = Cli.run("run", "--input", file.getParent().toString(), "--output", whole.toString(), "--weights", w, "--format", "npy");
            sc.listenerBus().waitUntilEmpty();
            int wholeTasks = tasks.getAndSet(0);
            Cli b = Cli.run("run", "--input", file.getParent().toString(), "--output", split.toString(), "--weights", w, "--format", "npy",
                    "--shard-split-size", Long.toString(SPLIT));
            sc.listenerBus().waitUntilEmpty();
            int splitTasks = tasks.get();
            assertEquals(2, a.status, a::toString);
            assertEquals(2, b.status, b::toString);
            long ranges = (Files.size(file) + SPLIT - 1) / SPLIT;
            assertEquals(wholeTasks + ranges - 1, splitTasks, "one task per range instead of one for the shard");
        } finally {
            sc.removeSparkListener(count);
        }
        List<String> files = npyFiles(whole);
        assertEquals(8, files.size(), files::toString);
        assertEquals(files, npyFiles(split));
        for (String f : files) assertArrayEquals(Files.readAllBytes(whole.resolve(f)), Files.readAllBytes(split.resolve(f)), f);
        Map<String, String> rejected = RejectedCsv.read(whole);
        assertEquals(2, rejected.size(), rejected::toString);
        assertEquals(rejected, RejectedCsv.read(split));

        Cli bad = Cli.run("run", "--input", file.getParent().toString(), "--output", tmp.resolve("bad").toString(), "--weights", w,
                "--shard-split-size", "0");
        assertEquals(1, bad.status, bad::toString);
        assertTrue(bad.err.contains("--shard-split-size must be at least 1 byte"), bad::toString);
    }

    private static List<String> npyFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".npy")).map(p -> root.relativize(p).toString()).sorted().collect(Collectors.toList());
        }
    }
}
