package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.testing.Cli;
import org.tconv.testing.ParquetResults;
import org.tconv.testing.RejectedCsv;
import org.tconv.testing.SharedSpark;
import org.tconv.testing.TestFiles;

/**
 * Parquet image tables written here by Spark itself from the sample photos (a Hugging Face style struct
 * column and a plain binary column, beside label columns), run through {@code tconv run --image-column},
 * against the same photos as loose files run through the same command.
 */
class ParquetImageTableTest {
    @TempDir
    Path tmp;
    /** The loose photos and their job, made once for every test here. */
    @TempDir
    static Path shared;

    private static byte[] astronaut, coffee, chelsea;
    private static String weights;
    /** The loose-file job's output folder. */
    private static Path looseOut;

    private static byte[] photo(String name) throws IOException {
        return Files.readAllBytes(TestFiles.home().resolve("data/images").resolve(name));
    }

    @BeforeAll
    static void loosePhotos() throws IOException {
        astronaut = photo("astronaut.png");
        coffee = photo("coffee.jpg");
        chelsea = photo("chelsea.png");
        Random r = new Random(5);
        double[] w = new double[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        weights = TestFiles.write(shared.resolve("w.npy"), new int[] {2, 3, 3, 3}, w).toString();
        Path loose = shared.resolve("loose");
        Files.createDirectories(loose.resolve("sub"));
        Files.write(loose.resolve("astronaut.png"), astronaut);
        Files.write(loose.resolve("sub/coffee.jpg"), coffee);
        Files.write(loose.resolve("chelsea.png"), chelsea);
        looseOut = shared.resolve("loose-out");
        Cli l = Cli.run("run", "--input", loose.toString(), "--output", looseOut.toString(), "--weights", weights, "--format", "npy");
        assertEquals(0, l.status, l::toString);
    }

    private static final StructType IMAGE = new StructType().add("bytes", DataTypes.BinaryType).add("path", DataTypes.StringType);

    /** Hugging Face's layout: image struct<bytes, path>, label, caption; four files (Spark's partitions). */
    private Path structTable() {
        StructType schema = new StructType().add("image", IMAGE).add("label", DataTypes.IntegerType).add("caption", DataTypes.StringType)
                .add("tags", DataTypes.createArrayType(DataTypes.StringType));
        List<Row> rows = List.of(
                row(image(astronaut, "astronaut.png"), 0, "an astronaut"),
                row(image(coffee, "sub/coffee.jpg"), 1, "a cup"),
                row(image(chelsea, "chelsea.png"), 2, "a cat"),
                row(image("not a picture".getBytes(StandardCharsets.UTF_8), "corrupt.png"), 3, "corrupt"),
                row(image(null, "empty.png"), 4, "no bytes"),
                row(image(astronaut, "chelsea.png"), 5, "a second row of this key"),
                row(image(coffee, "../evil.jpg"), 6, "outside"),
                row(image(astronaut, null), 7, "no path: named by its position"));
        Path dir = tmp.resolve("table-struct");
        SparkSession spark = SharedSpark.get();
        spark.createDataFrame(rows, schema).write().parquet(dir.toString()); // several files: positions run on across them
        return dir;
    }

    private static Row image(byte[] bytes, String path) {
        return RowFactory.create(bytes, path);
    }

    private static Row row(Row image, int label, String caption) {
        return RowFactory.create(image, label, caption, List.of("x"));
    }

    private static List<String> npyFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".npy")).map(p -> root.relativize(p).toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void structTableGivesTheLooseFilesOutputsUnderItsKeysAndRejectsBadRowsUnderTheirs() throws IOException {
        Path table = structTable();
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", table.toString(), "--image-column", "image", "--output", out.toString(), "--weights", weights, "--format", "npy");
        assertEquals(2, r.status, r::toString);
        assertTrue(r.out.contains("from 4 row(s)"), r::toString);
        assertEquals(List.of("7.npy", "astronaut.npy", "chelsea.npy", "sub/coffee.npy"), npyFiles(out));
        assertArrayEquals(Files.readAllBytes(looseOut.resolve("astronaut.npy")), Files.readAllBytes(out.resolve("astronaut.npy")));
        assertArrayEquals(Files.readAllBytes(looseOut.resolve("sub/coffee.npy")), Files.readAllBytes(out.resolve("sub/coffee.npy")));
        assertArrayEquals(Files.readAllBytes(looseOut.resolve("chelsea.npy")), Files.readAllBytes(out.resolve("chelsea.npy")),
                "the first row of a key is written, not the later one (the astronaut)");
        assertArrayEquals(Files.readAllBytes(looseOut.resolve("astronaut.npy")), Files.readAllBytes(out.resolve("7.npy")),
                "a row whose struct has no path is named by its position");
        assertFalse(Files.exists(tmp.resolve("evil.npy")), "nothing written outside --output");

        Map<String, String> rejected = RejectedCsv.read(out);
        assertEquals(List.of("../evil.jpg", "chelsea.png", "corrupt.png", "empty.png"), List.copyOf(rejected.keySet()), rejected::toString);
        assertTrue(rejected.get("../evil.jpg").contains("'..'"), rejected::toString);
        assertTrue(rejected.get("chelsea.png").contains("would overwrite the output of chelsea.png"), rejected::toString);
        assertTrue(rejected.get("corrupt.png").toLowerCase().contains("not"), rejected::toString);
        assertEquals("image column image.bytes is null", rejected.get("empty.png"));
    }

    @Test
    void parquetOutputCarriesTheKeyAndTheScalarColumns() throws IOException {
        Path table = structTable();
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", table.toString(), "--image-column", "image", "--output", out.toString(), "--weights", weights);
        assertEquals(2, r.status, r::toString);
        Row[] rows = (Row[]) SharedSpark.get().read().parquet(out.toString()).orderBy("label").collect();
        assertEquals(List.of("path", "index", "shape", "dtype", "values", "label", "caption"),
                Arrays.asList(SharedSpark.get().read().parquet(out.toString()).schema().fieldNames()),
                "tconv's columns, then the table's scalar ones (not the image, not the array of tags)");
        Map<String, String> captions = new TreeMap<>();
        List<Integer> labels = new ArrayList<>();
        for (Row row : rows) {
            labels.add(row.getInt(row.fieldIndex("label")));
            captions.put(row.getString(0), row.getString(row.fieldIndex("caption")));
        }
        assertEquals(List.of(0, 1, 2, 5, 6, 7), labels, "Parquet rows name their source, so every decodable row is written");
        assertEquals("a cup", captions.get("sub/coffee.jpg"));
        assertEquals("no path: named by its position", captions.get("7"));
        Map<String, NpyArray> expected = new HashMap<>();
        expected.put("astronaut.png", TestFiles.read(looseOut.resolve("astronaut.npy")));
        expected.put("sub/coffee.jpg", TestFiles.read(looseOut.resolve("sub/coffee.npy")));
        expected.put("chelsea.png", TestFiles.read(looseOut.resolve("chelsea.npy")));
        for (Row row : rows) {
            int label = row.getInt(row.fieldIndex("label"));
            NpyArray want = expected.get(label == 5 || label == 7 ? "astronaut.png" : label == 6 ? "sub/coffee.jpg" : row.getString(0));
            assertEquals(Arrays.toString(want.shape), row.getList(2).toString(), row::toString);
            assertArrayEquals(want.data, ParquetResults.values(row), 0.0, row::toString);
        }
        Map<String, String> rejected = RejectedCsv.read(out);
        assertEquals(List.of("corrupt.png", "empty.png"), List.copyOf(rejected.keySet()), rejected::toString);

        // --method direct moves rows through Spark's bean encoder: the carried columns go with them
        Path direct = tmp.resolve("direct");
        Cli d = Cli.run("run", "--input", table.toString(), "--image-column", "image", "--output", direct.toString(), "--weights", weights,
                "--method", "direct");
        assertEquals(2, d.status, d::toString);
        Row[] directRows = (Row[]) SharedSpark.get().read().parquet(direct.toString()).orderBy("label").collect();
        assertEquals(rows.length, directRows.length);
        for (int i = 0; i < rows.length; i++) {
            assertEquals(rows[i].getString(0), directRows[i].getString(0));
            assertEquals(rows[i].<Integer>getAs("label"), directRows[i].<Integer>getAs("label"));
            assertEquals(rows[i].<String>getAs("caption"), directRows[i].<String>getAs("caption"));
            double[] a = ParquetResults.values(rows[i]);
            double[] b = ParquetResults.values(directRows[i]);
            assertArrayEquals(a, b, 1e-9 * 255 * 27 * 4);
        }
    }

    /** A plain binary column and a {@code __key__} column, as img2dataset-like tables have. */
    private Path binaryTable() {
        StructType schema = new StructType().add("jpg", DataTypes.BinaryType).add("__key__", DataTypes.StringType)
                .add("score", DataTypes.DoubleType);
        List<Row> rows = List.of(
                RowFactory.create(coffee, "000001", 0.5),
                RowFactory.create(chelsea, "000002", 0.25),
                RowFactory.create(null, "000003", 0.0),
                RowFactory.create(astronaut, "000001", 1.0));
        Path dir = tmp.resolve("table-binary");
        SharedSpark.get().createDataFrame(rows, schema).write().parquet(dir.toString());
        return dir;
    }

    @Test
    void binaryColumnWithKeysAsNpyAndAsWebDataset() throws IOException {
        Path table = binaryTable();
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", table.toString(), "--image-column", "jpg", "--output", out.toString(), "--weights", weights, "--format", "npy");
        assertEquals(2, r.status, r::toString);
        assertEquals(List.of("000001.npy", "000002.npy"), npyFiles(out));
        assertArrayEquals(Files.readAllBytes(looseOut.resolve("sub/coffee.npy")), Files.readAllBytes(out.resolve("000001.npy")));
        assertArrayEquals(Files.readAllBytes(looseOut.resolve("chelsea.npy")), Files.readAllBytes(out.resolve("000002.npy")));
        Map<String, String> rejected = RejectedCsv.read(out);
        assertEquals(List.of("000001", "000003"), List.copyOf(rejected.keySet()), rejected::toString);
        assertEquals("image column jpg is null", rejected.get("000003"));

        Path wds = tmp.resolve("wds");
        Cli t = Cli.run("run", "--input", table.toString(), "--image-column", "jpg", "--output", wds.toString(), "--weights", weights,
                "--format", "webdataset");
        assertEquals(2, t.status, t::toString);
        Map<String, byte[]> members = new TreeMap<>();
        try (Stream<Path> s = Files.list(wds)) {
            for (Path tar : s.filter(p -> p.toString().endsWith(".tar")).collect(Collectors.toList())) members.putAll(untar(tar));
        }
        assertEquals(List.of("000001.npy", "000002.npy"), List.copyOf(members.keySet()));
        assertArrayEquals(Files.readAllBytes(out.resolve("000001.npy")), members.get("000001.npy"));
        assertArrayEquals(Files.readAllBytes(out.resolve("000002.npy")), members.get("000002.npy"));

        // --key-column picks another column: the scores name the outputs (as strings)
        Path byScore = tmp.resolve("by-score");
        Cli k = Cli.run("run", "--input", table.toString(), "--image-column", "jpg", "--key-column", "score", "--output", byScore.toString(),
                "--weights", weights, "--format", "npy");
        assertEquals(2, k.status, k::toString);
        assertEquals(List.of("0.npy", "1.npy"), npyFiles(byScore),
                "keys lose their extension as file names do: 0.5, 0.25 and 0.0 all write 0.npy, the first one's");
        assertArrayEquals(Files.readAllBytes(looseOut.resolve("sub/coffee.npy")), Files.readAllBytes(byScore.resolve("0.npy")));
        assertArrayEquals(Files.readAllBytes(looseOut.resolve("astronaut.npy")), Files.readAllBytes(byScore.resolve("1.npy")));
        assertTrue(RejectedCsv.read(byScore).get("0.25").contains("would overwrite the output of 0.5"), "0.25 rejected");
    }

    @Test
    void pngNamesOfANpyBatchRowAreCheckedAgainstTheOtherKeys() throws IOException {
        double[] batch = new double[2 * 3 * 8 * 8], one = new double[3 * 8 * 8];
        for (int i = 0; i < batch.length; i++) batch[i] = i % 7;
        for (int i = 0; i < one.length; i++) one[i] = i % 5;
        StructType schema = new StructType().add("x", DataTypes.BinaryType).add("key", DataTypes.StringType);
        List<Row> rows = List.of(
                RowFactory.create(NpyArray.toBytes(new int[] {2, 3, 8, 8}, batch), "b"),
                RowFactory.create(NpyArray.toBytes(new int[] {3, 8, 8}, one), "b_1"),
                RowFactory.create(NpyArray.toBytes(new int[] {3, 8, 8}, one), "c"));
        Path table = tmp.resolve("table-npy");
        SharedSpark.get().createDataFrame(rows, schema).coalesce(1).write().parquet(table.toString());
        Path out = tmp.resolve("out");
        Cli r = Cli.run("run", "--input", table.toString(), "--image-column", "x", "--output", out.toString(), "--weights", weights, "--format", "png");
        assertEquals(2, r.status, r::toString);
        List<String> pngs;
        try (Stream<Path> s = Files.list(out)) {
            pngs = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().collect(Collectors.toList());
        }
        assertEquals(List.of("b_0.png", "b_1.png", "c.png"), pngs, "a batch row of key b writes b_0.png and b_1.png; the key column picked by default");
        Map<String, String> rejected = RejectedCsv.read(out);
        assertEquals(List.of("b_1"), List.copyOf(rejected.keySet()));
        assertTrue(rejected.get("b_1").contains("would overwrite the output of b"), rejected::toString);
    }

    private static Map<String, byte[]> untar(Path tar) throws IOException {
        Map<String, byte[]> m = new java.util.LinkedHashMap<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) m.put(e.getName(), t.readAllBytes());
        }
        return m;
    }

    @Test
    void badColumnsAndNonParquetInputsAreOneLineRefusalsBeforeAnyOutput() throws IOException {
        Path table = binaryTable();
        Path out = tmp.resolve("out");
        Cli missing = Cli.run("run", "--input", table.toString(), "--image-column", "png", "--output", out.toString(), "--weights", weights);
        assertEquals(1, missing.status, missing::toString);
        assertEquals("tconv: --image-column png: the table has no such column (its columns: jpg, __key__, score)", missing.err.trim());

        Cli wrongType = Cli.run("run", "--input", table.toString(), "--image-column", "score", "--output", out.toString(), "--weights", weights);
        assertEquals(1, wrongType.status, wrongType::toString);
        assertTrue(wrongType.err.trim().startsWith("tconv: --image-column score is double; it must be binary"), wrongType::toString);
        assertEquals(1, wrongType.err.trim().split("\n").length, wrongType::toString);

        Cli badKey = Cli.run("run", "--input", table.toString(), "--image-column", "jpg", "--key-column", "nope", "--output", out.toString(), "--weights", weights);
        assertEquals(1, badKey.status, badKey::toString);
        assertTrue(badKey.err.contains("--key-column nope: the table has no such column"), badKey::toString);

        Cli images = Cli.run("run", "--input", TestFiles.home().resolve("data/images").toString(), "--image-column", "image",
                "--output", out.toString(), "--weights", weights);
        assertEquals(1, images.status, images::toString);
        assertTrue(images.err.contains("--image-column needs a Parquet table as --input;") && images.err.contains("is not a Parquet file"), images::toString);

        Cli keyAlone = Cli.run("run", "--input", table.toString(), "--key-column", "__key__", "--output", out.toString(), "--weights", weights);
        assertEquals(1, keyAlone.status, keyAlone::toString);
        assertTrue(keyAlone.err.contains("--key-column names the rows of a Parquet table: it needs --image-column"), keyAlone::toString);
        assertFalse(Files.exists(out), "no output begun for a refused run");

        Cli noColumn = Cli.run("run", "--input", table.toString(), "--output", out.toString(), "--weights", weights, "--format", "npy");
        assertEquals(2, noColumn.status, noColumn::toString);
        Map<String, String> asFiles = RejectedCsv.read(out);
        assertFalse(asFiles.isEmpty());
        for (String reason : asFiles.values()) {
            assertEquals("a Parquet file: give --image-column COL to read --input as a table of images", reason);
        }
    }
}
