package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/**
 * WebDataset shards made here from the sample photos, run through {@code tconv run}, against the same
 * members as loose files run through the same command.
 */
class WebDatasetShardsTest {
    @TempDir
    Path tmp;

    private static byte[] photo(String name) throws IOException {
        return Files.readAllBytes(TestFiles.home().resolve("data/images").resolve(name));
    }

    private static void tar(Path file, boolean gzip, Map<String, byte[]> members) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream z = gzip ? new GzipCompressorOutputStream(raw) : raw;
             TarArchiveOutputStream t = new TarArchiveOutputStream(z)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(m.getKey());
                e.setSize(m.getValue().length);
                t.putArchiveEntry(e);
                t.write(m.getValue());
                t.closeArchiveEntry();
            }
        }
    }

    private static Map<String, byte[]> members(Object... nameThenBytes) {
        Map<String, byte[]> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) m.put((String) nameThenBytes[i], (byte[]) nameThenBytes[i + 1]);
        return m;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Path weights() throws IOException {
        Random r = new Random(3);
        double[] w = new double[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return TestFiles.write(tmp.resolve("w.npy"), new int[] {2, 3, 3, 3}, w);
    }

    @Test
    void shardsGiveTheOutputsTheirMembersGiveAsLooseFiles() throws IOException {
        byte[] astronaut = photo("astronaut.png"), coffee = photo("coffee.jpg"), chelsea = photo("chelsea.png");
        Path in = tmp.resolve("in");
        tar(in.resolve("shards/a.tar"), false, members(
                "000.png", astronaut, "000.json", text("{\"caption\": \"astronaut\"}"), "000.cls", text("3"),
                "sub/001.jpg", coffee, "sub/001.txt", text("a cup"),
                "002.png", text("not a picture"), "readme.txt", text("ignored")));
        tar(in.resolve("shards/b.tgz"), true, members(
                "./010.png", chelsea, "010.cls", text("7"), "../evil.png", chelsea, "._010.png", text("macOS fork")));
        // A shard cut off inside its second member: the first goes through, the shard is rejected after it.
        Path whole = tmp.resolve("c.tar");
        tar(whole, false, members("100.jpg", coffee, "101.png", chelsea));
        byte[] c = Files.readAllBytes(whole);
        int cut = 512 + coffee.length + 512 + 1000 + 512;
        Files.write(in.resolve("shards/c.tar"), Arrays.copyOf(c, cut));

        Path loose = tmp.resolve("loose");
        Files.createDirectories(loose.resolve("shards/a/sub"));
        Files.createDirectories(loose.resolve("shards/b"));
        Files.createDirectories(loose.resolve("shards/c"));
        Files.write(loose.resolve("shards/a/000.png"), astronaut);
        Files.write(loose.resolve("shards/a/sub/001.jpg"), coffee);
        Files.write(loose.resolve("shards/b/010.png"), chelsea);
        Files.write(loose.resolve("shards/c/100.jpg"), coffee);

        Path out = tmp.resolve("out"), looseOut = tmp.resolve("loose-out");
        String w = weights().toString();
        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", w, "--format", "npy");
        Cli l = Cli.run("run", "--input", loose.toString(), "--output", looseOut.toString(), "--weights", w, "--format", "npy");
        assertEquals(2, r.status, r::toString);
        assertEquals(0, l.status, l::toString);
        assertTrue(r.out.contains("from 4 file(s)"), r::toString);

        List<String> expected = List.of("shards/a/000.npy", "shards/a/sub/001.npy", "shards/b/010.npy", "shards/c/100.npy");
        assertEquals(expected, npyFiles(looseOut));
        assertEquals(expected, npyFiles(out), "one .npy per usable member, nothing for json/cls/txt, hidden or unsafe members");
        for (String f : expected) {
            assertArrayEquals(Files.readAllBytes(looseOut.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }

        Map<String, String> rejected = rejected(out);
        String base = in.toUri().getPath().replaceAll("/$", "");
        assertEquals(List.of("shards/a.tar/002.png", "shards/b.tgz/../evil.png", "shards/c.tar", "shards/c.tar/101.png"),
                rejected.keySet().stream().map(p -> p.substring(p.indexOf(base) + base.length() + 1)).sorted().collect(Collectors.toList()));
        assertTrue(reason(rejected, "a.tar/002.png").toLowerCase().contains("png"), rejected::toString);
        assertTrue(reason(rejected, "evil.png").contains("outside the shard's folder"), rejected::toString);
        assertTrue(reason(rejected, "c.tar/101.png").contains("claims " + chelsea.length + " bytes, more than a shard of " + cut + " bytes can hold"), rejected::toString);
        assertTrue(reason(rejected, "c.tar").startsWith("cannot read shard after 2 input member(s)"), rejected::toString);
        assertTrue(Files.exists(out.resolve("_SUCCESS")));

        // --format webdataset: one tar per input shard, the same .npy bytes, the sample's labels beside them.
        Path wds = tmp.resolve("wds");
        Cli t = Cli.run("run", "--input", in.toString(), "--output", wds.toString(), "--weights", w, "--format", "webdataset");
        assertEquals(2, t.status, t::toString);
        assertEquals(rejected, rejected(wds), "the same members rejected for the same reasons");
        Map<String, byte[]> a = untar(wds.resolve("shards/a.tar"));
        assertEquals(List.of("000.npy", "000.cls", "000.json", "sub/001.npy", "sub/001.txt"), List.copyOf(a.keySet()),
                "each result followed by its sample's json/cls/txt, so WebDataset readers group them");
        assertArrayEquals(Files.readAllBytes(out.resolve("shards/a/000.npy")), a.get("000.npy"));
        assertArrayEquals(Files.readAllBytes(out.resolve("shards/a/sub/001.npy")), a.get("sub/001.npy"));
        assertArrayEquals(text("{\"caption\": \"astronaut\"}"), a.get("000.json"));
        assertArrayEquals(text("3"), a.get("000.cls"));
        assertArrayEquals(text("a cup"), a.get("sub/001.txt"));
        Map<String, byte[]> b = untar(wds.resolve("shards/b.tar"));
        assertEquals(List.of("010.npy", "010.cls"), List.copyOf(b.keySet()));
        assertArrayEquals(Files.readAllBytes(out.resolve("shards/b/010.npy")), b.get("010.npy"));
        assertEquals(List.of("100.npy"), List.copyOf(untar(wds.resolve("shards/c.tar")).keySet()));
        assertTrue(Files.exists(wds.resolve("_SUCCESS")));

        Cli bm = Cli.run("run", "--input", in.toString(), "--output", tmp.resolve("bm").toString(), "--weights", w,
                "--format", "webdataset", "--method", "blockmatrix");
        assertEquals(1, bm.status, bm::toString);
        assertTrue(bm.err.contains("--format webdataset needs --method toeplitz or direct"), bm::toString);
    }

    @Test
    void looseFilesGoToOneShardPerTaskUnderTheirPaths() throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in.resolve("sub"));
        Files.write(in.resolve("sub/coffee.jpg"), photo("coffee.jpg"));
        Path out = tmp.resolve("out"), wds = tmp.resolve("wds");
        String w = weights().toString();
        assertEquals(0, Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", w, "--format", "npy").status);
        Cli r = Cli.run("run", "--input", in.toString(), "--output", wds.toString(), "--weights", w, "--format", "webdataset");
        assertEquals(0, r.status, r::toString);
        List<Path> tars;
        try (Stream<Path> s = Files.list(wds)) {
            tars = s.filter(p -> p.toString().endsWith(".tar")).collect(Collectors.toList());
        }
        assertEquals(1, tars.size(), tars::toString);
        assertTrue(tars.get(0).getFileName().toString().matches("part-\\d{5}\\.tar"), tars::toString);
        Map<String, byte[]> m = untar(tars.get(0));
        assertEquals(List.of("sub/coffee.npy"), List.copyOf(m.keySet()));
        assertArrayEquals(Files.readAllBytes(out.resolve("sub/coffee.npy")), m.get("sub/coffee.npy"));
    }

    /** Members in tar order, read with Commons Compress as any reader of the shards would. */
    private static Map<String, byte[]> untar(Path tar) throws IOException {
        Map<String, byte[]> m = new java.util.LinkedHashMap<>();
        try (org.apache.commons.compress.archivers.tar.TarArchiveInputStream t =
                     new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                assertTrue(e.isFile(), e.getName());
                m.put(e.getName(), t.readAllBytes());
            }
        }
        return m;
    }

    @Test
    void aMemberWhoseHeaderClaimsMoreThanTheShardHoldsIsRejectedBeforeAllocation() throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        TarArchiveEntry e = new TarArchiveEntry("big.png");
        e.setSize(1_500_000_000L);
        byte[] header = new byte[512];
        e.writeEntryHeader(header);
        ByteArrayOutputStream shard = new ByteArrayOutputStream();
        shard.write(header);
        shard.write(new byte[4096]);
        Files.write(in.resolve("s.tar"), shard.toByteArray());
        Path out = tmp.resolve("out");

        Cli r = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", weights().toString(), "--format", "npy");

        assertEquals(2, r.status, r::toString);
        String reason = reason(rejected(out), "s.tar/big.png");
        assertTrue(reason.contains("claims 1500000000 bytes, more than a shard of 4608 bytes can hold"), reason);
    }

    @Test
    void tarHeaderSizesAreCheckedAgainstTheShardAndTheHeap() {
        assertNull(ShardReader.admit(1000, 1536, false));
        assertNotNull(ShardReader.admit(2000, 1536, false), "a plain tar holds at most its own length");
        assertNull(ShardReader.admit(1_000_000, 1536, true), "gzip may expand 1000:1");
        assertNotNull(ShardReader.admit(1536L * 2000, 1536, true), "not 2000:1");
        assertNotNull(ShardReader.admit(-1, 1536, false));
        long heapLimit = ShardReader.maxMemberBytes();
        assertTrue(ShardReader.admit(heapLimit + 1, Long.MAX_VALUE / 2, false).contains("1/8 of the heap"));
    }

    @Test
    void memberNames() {
        assertTrue(ShardReader.hidden("._000.jpg"));
        assertTrue(ShardReader.hidden("a/_x/000.jpg"));
        assertFalse(ShardReader.hidden("../000.jpg"));
        assertFalse(ShardReader.safe("../000.jpg"));
        assertFalse(ShardReader.safe("/abs/000.jpg"));
        assertFalse(ShardReader.safe("a//000.jpg"));
        assertTrue(ShardReader.safe("a/b/000.jpg"));
        assertTrue(ShardReader.isInput("x.JPEG"));
        assertFalse(ShardReader.isInput("x.json"));
    }

    @Test
    void shardsSharingAnOutputFolderAndLooseFilesInsideOneAreRejectedOnTheDriver() {
        List<InputFile> files = List.of(new InputFile("file:/in/s.tar", "s.tar"), new InputFile("file:/in/s.tgz", "s.tgz"),
                new InputFile("file:/in/s/x.png", "s/x.png"), new InputFile("file:/in/s2/x.png", "s2/x.png"),
                new InputFile("file:/in/d/t.TAR.GZ", "d/t.TAR.GZ"), new InputFile("file:/in/.tar", ".tar"));
        Map<String, String> rejected = new HashMap<>();
        List<InputFile> kept = WebDatasetShards.dropClashes(files, rejected);
        assertEquals(List.of("file:/in/.tar", "file:/in/d/t.TAR.GZ", "file:/in/s.tar", "file:/in/s2/x.png"),
                kept.stream().map(f -> f.path).collect(Collectors.toList()));
        assertEquals(Map.of("file:/in/s.tgz", "shard's outputs in s/ would overwrite those of shard file:/in/s.tar",
                "file:/in/s/x.png", "its output would be inside s/, the output folder of shard file:/in/s.tar"), rejected);
        assertEquals("d/t", WebDatasetShards.outputFolder(files.get(4)));
    }

    @Test
    void aShardNamedLikeTheLooseFilesTarIsRejectedOnlyBesideLooseFiles() {
        InputFile part = new InputFile("file:/in/part-00000.tar", "part-00000.tar");
        InputFile deeper = new InputFile("file:/in/d/part-00001.tgz", "d/part-00001.tgz");
        InputFile loose = new InputFile("file:/in/x.png", "x.png");
        Map<String, String> rejected = new HashMap<>();
        assertEquals(List.of(deeper, loose), WebDatasetShards.dropLoosePartClashes(List.of(part, deeper, loose), rejected));
        assertEquals(Map.of("file:/in/part-00000.tar", "its output part-00000.tar is the name of a shard of this input's loose files"), rejected);
        rejected.clear();
        assertEquals(List.of(part, deeper), WebDatasetShards.dropLoosePartClashes(List.of(part, deeper), rejected));
        assertEquals(Map.of(), rejected);
    }

    private static List<String> npyFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".npy")).map(p -> root.relativize(p).toString()).sorted().collect(Collectors.toList());
        }
    }

    private static String reason(Map<String, String> rejected, String suffix) {
        return rejected.entrySet().stream().filter(e -> e.getKey().endsWith("/" + suffix)).findFirst()
                .orElseThrow(() -> new AssertionError(suffix + " not in " + rejected)).getValue();
    }

    private static Map<String, String> rejected(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("_rejected.csv"));
        Map<String, String> m = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int comma = line.indexOf(',');
            String reason = line.substring(comma + 1);
            if (reason.startsWith("\"")) reason = reason.substring(1, reason.length() - 1).replace("\"\"", "\"");
            m.put(line.substring(0, comma), reason);
        }
        return m;
    }
}
