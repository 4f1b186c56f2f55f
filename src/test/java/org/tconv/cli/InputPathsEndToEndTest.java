package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tconv.conv.ConvSpec;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.OtherSchemeFileSystem;
import org.tconv.testing.RejectedCsv;
import org.tconv.testing.SharedSpark;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;
import org.tconv.write.FeatureMapPng;

/**
 * The paths a user gives {@code tconv run}, as issue 18 found them: names with glob characters taken
 * literally, a glob over folders keeping each folder's name, unusable outputs refused before Spark, tconv's
 * own outputs inside an input skipped and replaceable, a null image struct named by its key, links in a
 * shard ignored. Every result is checked against the direct convolution, and every user file beside an
 * output is checked to be still there, byte for byte.
 */
class InputPathsEndToEndTest {
    @TempDir
    Path tmp;

    private static final int[] W_SHAPE = {2, 3, 3, 3};
    private static final int[] IN_SHAPE = {3, 6, 5};

    private static double[] weights() {
        Random r = new Random(5);
        double[] w = new double[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return w;
    }

    private static final ConvSpec SPEC = ConvSpec.builder(W_SHAPE, weights()).build();

    private Path weightsFile() throws IOException {
        Path w = tmp.resolve("w.npy");
        return Files.exists(w) ? w : TestFiles.write(w, W_SHAPE, weights());
    }

    private static double[] values(long seed) {
        Random r = new Random(seed);
        double[] x = new double[3 * 6 * 5];
        for (int i = 0; i < x.length; i++) x[i] = Math.floor(r.nextDouble() * 256);
        return x;
    }

    /** A (3, 6, 5) .npy input; returns its values. */
    private static double[] npy(Path file, long seed) throws IOException {
        double[] x = values(seed);
        TestFiles.write(file, IN_SHAPE, x);
        return x;
    }

    private static double[] convolved(double[] x) {
        return DirectConvolution.convolve(SPEC.geometry(IN_SHAPE), x, 0);
    }

    private static void assertConvolved(double[] x, Path output) throws IOException {
        NpyArray y = TestFiles.read(output);
        assertArrayEquals(SPEC.outputShape(IN_SHAPE), y.shape, output::toString);
        assertArrayEquals(convolved(x), y.data, 1e-9, output::toString);
    }

    private Cli run(String in, Path out, String... more) throws IOException {
        return run(in, out.toString(), more);
    }

    private Cli run(String in, String out, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--input", in, "--output", out,
                "--weights", weightsFile().toString(), "--format", "npy"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(new String[0]));
    }

    /** Regular files under a folder, relative, without tconv's own (_SUCCESS, _rejected.csv, marker) and hidden ones. */
    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(p -> !p.startsWith("_") && !p.startsWith(".") && !p.contains("/_") && !p.contains("/."))
                    .sorted().collect(Collectors.toList());
        }
    }

    /** Every regular file under a folder with its bytes: what must survive a run untouched. */
    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return m;
    }

    private static void assertUnchanged(Map<String, byte[]> before, Path dir) throws IOException {
        Map<String, byte[]> after = snapshot(dir);
        assertEquals(before.keySet(), after.keySet(), "the user's files in " + dir);
        for (Map.Entry<String, byte[]> e : before.entrySet()) assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey());
    }

    // ---- 1. glob characters in existing names ------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"photos[2019]", "data[1]", "a{b}", "x*y", "q?"})
    void anExistingNameWithGlobCharactersIsTakenLiterallyAsInputAndOutput(String name) throws IOException {
        Path in = tmp.resolve(name);
        double[] x = npy(in.resolve("x.npy"), 1);
        double[] file = npy(tmp.resolve("single " + name + ".npy"), 2);
        Path out = tmp.resolve("out " + name);

        Cli r = run(in.toString(), out);
        assertEquals(0, r.status, r::toString);
        assertEquals(List.of("x.npy"), files(out));
        assertConvolved(x, out.resolve("x.npy"));

        Cli again = run(in.toString(), out, "--overwrite"); // the swap beside an output of that name
        assertEquals(0, again.status, again::toString);
        assertConvolved(x, out.resolve("x.npy"));

        Path one = tmp.resolve("one " + name);
        Cli single = run(tmp.resolve("single " + name + ".npy").toString(), one);
        assertEquals(0, single.status, single::toString);
        assertConvolved(file, one.resolve("single " + name + ".npy"));

        Path parquet = tmp.resolve("table " + name);
        Cli p = run(in.toString(), parquet, "--format", "parquet");
        assertEquals(0, p.status, p::toString);
        assertTrue(Files.exists(parquet.resolve("_SUCCESS")));
        Path copy = Files.createDirectories(tmp.resolve("plain-copy"));
        try (Stream<Path> s = Files.list(parquet)) {
            for (Path f : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".parquet"))::iterator) Files.copy(f, copy.resolve(f.getFileName()));
        }
        assertEquals(1, SharedSpark.get().read().parquet(copy.toString()).count(), "one row, read back from a plain name");
    }

    // ---- 2. a glob over folders -----------------------------------------------------------------------------

    @Test
    void aGlobOverFoldersKeepsEachFoldersNameUnderTheOutput() throws IOException {
        Path shoots = tmp.resolve("shoots");
        double[] a = npy(shoots.resolve("a/img.npy"), 3);
        double[] b = npy(shoots.resolve("b/img.npy"), 4);
        double[] deep = npy(shoots.resolve("b/deeper/img.npy"), 5);
        npy(tmp.resolve("elsewhere/img.npy"), 6);
        Map<String, byte[]> before = snapshot(tmp);

        Path out = tmp.resolve("out");
        Cli r = run(shoots + "/*", out);
        assertEquals(0, r.status, r::toString);
        assertEquals(List.of("a/img.npy", "b/deeper/img.npy", "b/img.npy"), files(out));
        assertConvolved(a, out.resolve("a/img.npy"));
        assertConvolved(b, out.resolve("b/img.npy"));
        assertConvolved(deep, out.resolve("b/deeper/img.npy"));
        assertTrue(RejectedCsv.read(out).isEmpty());

        Path png = tmp.resolve("png");
        Cli p = run(shoots + "/*", png, "--format", "png");
        assertEquals(0, p.status, p::toString);
        assertEquals(List.of("a/img.png", "b/deeper/img.png", "b/img.png"), files(png));
        assertArrayEquals(FeatureMapPng.encode(SPEC.outputShape(IN_SHAPE), convolved(a), 0), Files.readAllBytes(png.resolve("a/img.png")));

        Path fileGlob = tmp.resolve("file-glob");
        Cli f = run(shoots + "/*/img.npy", fileGlob);
        assertEquals(0, f.status, f::toString);
        assertEquals(List.of("a/img.npy", "b/img.npy"), files(fileGlob), "a glob that matches files keeps their folders too");
        assertConvolved(b, fileGlob.resolve("b/img.npy"));

        Path table = tmp.resolve("table");
        Cli t = run(shoots + "/*", table, "--format", "parquet");
        assertEquals(0, t.status, t::toString);
        List<String> paths = SharedSpark.get().read().parquet(table.toString()).select("path").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList().stream().sorted().collect(Collectors.toList());
        assertEquals(List.of("file:" + shoots + "/a/img.npy", "file:" + shoots + "/b/deeper/img.npy", "file:" + shoots + "/b/img.npy"), paths);

        before.keySet().removeIf(k -> !k.startsWith("shoots/") && !k.startsWith("elsewhere/"));
        Map<String, byte[]> inputs = snapshot(shoots);
        assertEquals(3, inputs.size());
        assertArrayEquals(before.get("shoots/a/img.npy"), inputs.get("a/img.npy"), "the inputs are untouched");
    }

    private static byte[] tar(Map<String, byte[]> files, Map<String, String> symlinks, Map<String, String> hardlinks) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> m : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(m.getKey());
                e.setSize(m.getValue().length);
                t.putArchiveEntry(e);
                t.write(m.getValue());
                t.closeArchiveEntry();
            }
            for (Map.Entry<String, String> m : symlinks.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(m.getKey(), TarConstants.LF_SYMLINK);
                e.setLinkName(m.getValue());
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
            }
            for (Map.Entry<String, String> m : hardlinks.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(m.getKey(), TarConstants.LF_LINK);
                e.setLinkName(m.getValue());
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] npyBytes(long seed) {
        return NpyArray.toBytes(IN_SHAPE, values(seed));
    }

    private static List<String> tarMembers(Path tar) throws IOException {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) names.add(e.getName());
        }
        return names;
    }

    @Test
    void aGlobOverFoldersOfShardsKeepsEachShardUnderItsFolder() throws IOException {
        Path shoots = tmp.resolve("shoots");
        Files.createDirectories(shoots.resolve("a"));
        Files.createDirectories(shoots.resolve("b"));
        Files.write(shoots.resolve("a/s-000.tar"), tar(Map.of("0.npy", npyBytes(7)), Map.of(), Map.of()));
        Files.write(shoots.resolve("b/s-000.tar"), tar(Map.of("0.npy", npyBytes(8)), Map.of(), Map.of()));

        Path out = tmp.resolve("out");
        Cli r = run(shoots + "/*", out);
        assertEquals(0, r.status, r::toString);
        assertEquals(List.of("a/s-000/0.npy", "b/s-000/0.npy"), files(out));
        assertConvolved(values(7), out.resolve("a/s-000/0.npy"));
        assertConvolved(values(8), out.resolve("b/s-000/0.npy"));

        Path wds = tmp.resolve("wds");
        Cli w = run(shoots + "/*", wds, "--format", "webdataset");
        assertEquals(0, w.status, w::toString);
        assertEquals(List.of("a/s-000.tar", "b/s-000.tar"), files(wds));
        assertEquals(List.of("0.npy"), tarMembers(wds.resolve("b/s-000.tar")));
    }

    // ---- 3. unusable outputs --------------------------------------------------------------------------------

    private void assertRefusedBeforeSpark(Cli r, String expected) {
        assertEquals(1, r.status, r::toString);
        assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
        assertTrue(r.err.contains(expected), r::toString);
        assertFalse(r.err.contains("job failed"), r::toString);
    }

    @Test
    void everyUnusableOutputIsRefusedWithOneLineBeforeSpark() throws IOException {
        Path in = tmp.resolve("in");
        npy(in.resolve("a.npy"), 9);
        Path file = tmp.resolve("notes.txt");
        Files.write(file, "mine".getBytes(StandardCharsets.UTF_8));
        Path mine = tmp.resolve("mine");
        Files.createDirectories(mine);
        Files.write(mine.resolve("thesis.txt"), "four years".getBytes(StandardCharsets.UTF_8));
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nowhere/deeper"));
        weightsFile();
        Map<String, byte[]> before = snapshot(tmp);

        assertRefusedBeforeSpark(run(in.toString(), file.resolve("out")), "is not a directory");
        assertRefusedBeforeSpark(run(in.toString(), file.resolve("a/b/out")), "is not a directory");
        assertRefusedBeforeSpark(run(in.toString(), file.resolve("out"), "--format", "parquet"), "is not a directory");
        assertRefusedBeforeSpark(run(in.toString(), file), "exists and is a file");
        assertRefusedBeforeSpark(run(in.toString(), mine, "--overwrite"), "not a tconv output");
        assertRefusedBeforeSpark(run(in.toString(), dangling), "symbolic link");
        assertRefusedBeforeSpark(run(in.toString(), Paths.get("/proc/1/tconv-out")), "cannot be written");
        assertRefusedBeforeSpark(run(in.toString(), Paths.get("/dev/null/out")), "is not a directory");

        assertUnchanged(before, tmp);
        assertFalse(Files.exists(tmp.resolve("nowhere")), "nothing made through the dangling link");
    }

    // ---- 4. tconv's own outputs inside the input ------------------------------------------------------------

    @Test
    void ownOutputsInsideTheInputAreSkippedAndCanBeReplaced() throws IOException {
        Path in = tmp.resolve("in");
        double[] a = npy(in.resolve("a.npy"), 10);
        double[] b = npy(in.resolve("folder/b.npy"), 11);
        Path out = in.resolve("out");

        Cli first = run(in.toString(), out);
        assertEquals(0, first.status, first::toString);
        assertEquals(List.of("a.npy", "folder/b.npy"), files(out));
        Map<String, byte[]> userFiles = snapshot(in);
        userFiles.keySet().removeIf(k -> k.startsWith("out/"));

        Cli again = run(in.toString(), out, "--overwrite");
        assertEquals(0, again.status, again::toString);
        assertEquals(List.of("a.npy", "folder/b.npy"), files(out), "the earlier output was not read as input");
        assertTrue(RejectedCsv.read(out).isEmpty(), again::toString);
        assertConvolved(a, out.resolve("a.npy"));
        assertConvolved(b, out.resolve("folder/b.npy"));

        Path elsewhere = tmp.resolve("elsewhere");
        Cli other = run(in.toString(), elsewhere);
        assertEquals(0, other.status, other::toString);
        assertEquals(List.of("a.npy", "folder/b.npy"), files(elsewhere), "an own output inside the input is no input");
        assertTrue(other.out.contains("2 image(s) from 2 file(s)"), other::toString);

        Cli users = run(in.toString(), in.resolve("folder"), "--overwrite");
        assertEquals(1, users.status, "a folder of the user's inside the input is never replaced: " + users);
        assertTrue(users.err.contains("not a tconv output"), users::toString);

        Map<String, byte[]> now = snapshot(in);
        now.keySet().removeIf(k -> k.startsWith("out/"));
        assertEquals(userFiles.keySet(), now.keySet());
        for (String k : userFiles.keySet()) assertArrayEquals(userFiles.get(k), now.get(k), k);
    }

    // ---- 1, 2 and 4 on a file system other than file: (Hadoop's listing, globbing and permission checks) ---

    @Test
    void onAnotherFileSystemLiteralNamesGlobsAndOwnOutputsFollowTheSameRules() throws IOException {
        org.apache.hadoop.conf.Configuration hadoop = SharedSpark.get().sparkContext().hadoopConfiguration();
        String key = "fs." + OtherSchemeFileSystem.SCHEME + ".impl";
        hadoop.set(key, OtherSchemeFileSystem.class.getName());
        System.setProperty("spark.hadoop." + key, OtherSchemeFileSystem.class.getName()); // the pre-flight's configuration
        try {
            String scheme = OtherSchemeFileSystem.SCHEME + "://";
            Path bracket = tmp.resolve("photos[2019]");
            double[] x = npy(bracket.resolve("x.npy"), 16);
            Path literal = tmp.resolve("literal");
            Cli l = run(scheme + bracket, literal);
            assertEquals(0, l.status, l::toString);
            assertEquals(List.of("x.npy"), files(literal));
            assertConvolved(x, literal.resolve("x.npy"));

            Path shoots = tmp.resolve("shoots");
            double[] a = npy(shoots.resolve("a/img.npy"), 17);
            double[] b = npy(shoots.resolve("b/img.npy"), 18);
            Map<String, byte[]> user = snapshot(shoots);
            Path out = shoots.resolve("out");
            Cli first = run(scheme + shoots + "/*", scheme + out);
            assertEquals(0, first.status, first::toString);
            assertEquals(List.of("a/img.npy", "b/img.npy"), files(out));
            assertConvolved(a, out.resolve("a/img.npy"));
            assertConvolved(b, out.resolve("b/img.npy"));

            Cli again = run(scheme + shoots + "/*", scheme + out, "--overwrite"); // the glob now matches out too
            assertEquals(0, again.status, again::toString);
            assertEquals(List.of("a/img.npy", "b/img.npy"), files(out), "the earlier output is not a match");

            Path elsewhere = tmp.resolve("elsewhere");
            Cli whole = run(scheme + shoots, elsewhere);
            assertEquals(0, whole.status, whole::toString);
            assertEquals(List.of("a/img.npy", "b/img.npy"), files(elsewhere), "the listing skips the output inside the input");

            Map<String, byte[]> now = snapshot(shoots);
            now.keySet().removeIf(k -> k.startsWith("out/"));
            assertEquals(user.keySet(), now.keySet());
            for (String k : user.keySet()) assertArrayEquals(user.get(k), now.get(k), k);
        } finally {
            hadoop.unset(key);
            System.clearProperty("spark.hadoop." + key);
        }
    }

    // ---- 5. a null image struct in a keyed table ------------------------------------------------------------

    @Test
    void aRowWhoseImageStructIsNullIsRejectedUnderItsKey() throws IOException {
        StructType image = new StructType().add("bytes", DataTypes.BinaryType).add("path", DataTypes.StringType);
        StructType schema = new StructType().add("image", image).add("key", DataTypes.StringType);
        List<Row> rows = List.of(
                RowFactory.create(RowFactory.create(npyBytes(12), "first.npy"), "k-first"),
                RowFactory.create(null, "k-null"),
                RowFactory.create(RowFactory.create(npyBytes(13), null), "k-nopath"));
        Path table = tmp.resolve("table[2019]"); // a literal name with glob characters, which Spark's reader would glob
        SharedSpark.get().createDataFrame(rows, schema).coalesce(1).write().parquet(tmp.resolve("plain").toString());
        Files.move(tmp.resolve("plain"), table);
        Path out = tmp.resolve("out");
        Cli r = run(table.toString(), out, "--image-column", "image");
        assertEquals(2, r.status, r::toString);
        assertEquals(List.of("first.npy", "k-nopath.npy"), files(out), "a row without a path is named by its key");
        assertConvolved(values(12), out.resolve("first.npy"));
        assertConvolved(values(13), out.resolve("k-nopath.npy"));
        Map<String, String> rejected = RejectedCsv.read(out);
        assertEquals(List.of("k-null"), List.copyOf(rejected.keySet()), rejected::toString);
        assertTrue(rejected.get("k-null").contains("null"), rejected::toString);
    }

    // ---- 6. links in a shard --------------------------------------------------------------------------------

    @ParameterizedTest(name = "split size {0}")
    @ValueSource(strings = {"1048576", "1024"})
    void linkMembersOfAShardAreIgnored(String splitSize) throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        Map<String, byte[]> members = new TreeMap<>(Map.of("0.npy", npyBytes(14), "2.npy", npyBytes(15)));
        Files.write(in.resolve("s.tar"), tar(members, Map.of("1.npy", "0.npy", "3.npy", "/etc/passwd"), Map.of("4.npy", "2.npy")));
        Path out = tmp.resolve("out");
        Cli r = run(in.toString(), out, "--shard-split-size", splitSize);
        assertEquals(0, r.status, r::toString);
        assertEquals(List.of("s/0.npy", "s/2.npy"), files(out));
        assertConvolved(values(14), out.resolve("s/0.npy"));
        assertConvolved(values(15), out.resolve("s/2.npy"));
        assertTrue(RejectedCsv.read(out).isEmpty());
        assertTrue(r.out.contains("2 image(s)"), r::toString);
    }
}
