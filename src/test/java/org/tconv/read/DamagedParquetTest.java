package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.Util;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.testing.Cli;
import org.tconv.testing.RejectedCsv;
import org.tconv.testing.SharedSpark;
import org.tconv.testing.TestFiles;

/**
 * Damaged Parquet files as {@code --image-column} input: each is a row of {@code _rejected.csv} under its own
 * path with a one-line reason, the table's other files are convolved as if the damaged ones were not there,
 * and no file's claims about its sizes are allocated.
 */
class DamagedParquetTest {
    @TempDir
    Path tmp;

    static final long BUDGET = 64L << 20;

    /** A one-row table file of a .npy image keyed {@code key}, as Spark writes it. */
    private byte[] oneRowFile(String key, long seed) throws IOException {
        Random r = new Random(seed);
        double[] v = new double[2 * 6 * 7];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(256);
        StructType schema = new StructType().add("npy", DataTypes.BinaryType).add("key", DataTypes.StringType);
        Path dir = tmp.resolve("w-" + key);
        SharedSpark.get().createDataFrame(List.of(RowFactory.create(NpyArray.toBytes(new int[] {2, 6, 7}, v), key)), schema)
                .coalesce(1).write().parquet(dir.toString());
        try (Stream<Path> s = Files.list(dir)) {
            return Files.readAllBytes(s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow());
        }
    }

    /** The same file with its first row group's first column claiming 2^40 bytes, the footer rewritten. */
    static byte[] hugeRowGroup(byte[] file) throws IOException {
        int footerLen = ByteBuffer.wrap(file, file.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int footerStart = file.length - 8 - footerLen;
        FileMetaData meta = Util.readFileMetaData(new ByteArrayInputStream(file, footerStart, footerLen));
        meta.getRow_groups().get(0).getColumns().get(0).getMeta_data().setTotal_compressed_size(1L << 40);
        meta.getRow_groups().get(0).setTotal_byte_size(1L << 40);
        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        Util.writeFileMetaData(meta, footer);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(file, 0, footerStart);
        footer.writeTo(out);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.size()).array());
        out.write("PAR1".getBytes());
        return out.toByteArray();
    }

    @Test
    void eachDamagedFileIsRejectedUnderItsPathAndTheOthersAreConvolved() throws IOException {
        Path table = Files.createDirectories(tmp.resolve("table"));
        Path clean = Files.createDirectories(tmp.resolve("clean"));
        Map<String, byte[]> good = new TreeMap<>();
        for (String k : List.of("a", "b")) {
            good.put(k, oneRowFile(k, k.hashCode()));
            Files.write(table.resolve("part-" + k + ".parquet"), good.get(k));
            Files.write(clean.resolve("part-" + k + ".parquet"), good.get(k));
        }
        byte[] c = oneRowFile("c", 3);
        Files.write(table.resolve("part-c-cut.parquet"), Arrays.copyOf(c, c.length / 2));
        byte[] d = oneRowFile("d", 4);
        d[0] = 'X';
        Files.write(table.resolve("part-d-magic.parquet"), d);
        byte[] e = oneRowFile("e", 5);
        ByteBuffer.wrap(e, e.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(e.length + 1000);
        Files.write(table.resolve("part-e-footer.parquet"), e);
        Files.write(table.resolve("part-f-rowgroup.parquet"), hugeRowGroup(oneRowFile("f", 6)));

        Path w = TestFiles.write(tmp.resolve("w.npy"), new int[] {1, 2, 3, 3}, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, -4, -5, -6, -7, -8, -9});
        Path out = tmp.resolve("out");
        Cli run = Cli.run("run", "--input", table.toString(), "--image-column", "npy", "--output", out.toString(), "--weights", w.toString(), "--format", "npy");
        assertEquals(2, run.status, run::toString); // some inputs rejected
        Map<String, String> rejected = RejectedCsv.read(out);
        Map<String, String> byFile = new TreeMap<>();
        for (Map.Entry<String, String> r : rejected.entrySet()) {
            byFile.put(r.getKey().substring(r.getKey().lastIndexOf('/') + 1), r.getValue());
            assertTrue(r.getKey().startsWith("file:" + table) || r.getKey().startsWith(table.toString()), r.getKey());
            assertFalse(r.getValue().contains("\n"), r.getValue());
        }
        assertEquals(List.of("part-c-cut.parquet", "part-d-magic.parquet", "part-e-footer.parquet", "part-f-rowgroup.parquet"),
                List.copyOf(byFile.keySet()), rejected::toString);
        assertTrue(byFile.get("part-c-cut.parquet").contains("cut off"), byFile::toString);
        assertTrue(byFile.get("part-d-magic.parquet").contains("does not start with PAR1"), byFile::toString);
        assertTrue(byFile.get("part-e-footer.parquet").contains("footer claims " + (e.length + 1000) + " bytes, more than the " + e.length), byFile::toString);
        assertTrue(byFile.get("part-f-rowgroup.parquet").contains("of " + (1L << 40) + " bytes"), byFile::toString);

        // the good files' rows, as a run over a table of only them writes them
        Path cleanOut = tmp.resolve("clean-out");
        Cli ok = Cli.run("run", "--input", clean.toString(), "--image-column", "npy", "--output", cleanOut.toString(), "--weights", w.toString(), "--format", "npy");
        assertEquals(0, ok.status, ok::toString);
        for (String k : good.keySet()) {
            assertArrayEquals(Files.readAllBytes(cleanOut.resolve(k + ".npy")), Files.readAllBytes(out.resolve(k + ".npy")), k);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(2, s.filter(p -> p.toString().endsWith(".npy")).count(), "only the good files' rows are written");
        }
    }

    @Test
    void aTableOfOnlyDamagedFilesIsRefusedBeforeAnyOutput() throws IOException {
        Path table = Files.createDirectories(tmp.resolve("t"));
        byte[] c = oneRowFile("c", 3);
        Files.write(table.resolve("part-c.parquet"), Arrays.copyOf(c, c.length - 1));
        Path out = tmp.resolve("out");
        Cli run = Cli.run("run", "--input", table.toString(), "--image-column", "npy", "--output", out.toString(), "--format", "npy");
        assertEquals(1, run.status, run::toString);
        assertEquals(1, run.err.trim().split("\n").length, run::toString);
        assertTrue(run.err.contains("holds no readable Parquet file") && run.err.contains("part-c.parquet"), run::toString);
        assertFalse(Files.exists(out));
    }

    /** A page header that claims more than its column chunk, or a huge dictionary, is refused from the header alone. */
    @Test
    void pageHeadersAreCheckedAgainstTheirChunkAndTheBudget() throws IOException {
        byte[] f = ReaderFuzzTest.parquetSeeds().get(0);
        assertEquals(3, (int) ReaderFuzzTest.table(f).data[0], "the seed is whole: three rows");
        ParquetFooterCheck.Damaged tight = assertThrows(ParquetFooterCheck.Damaged.class, () -> ParquetFooterCheck.check(f, 16));
        assertTrue(tight.getMessage().contains("claims") && tight.getMessage().contains("at most"), tight.getMessage());
    }

    /**
     * Fuzzing's finding (parquet input 168252): a 2227-byte file whose page header's statistics claim an 84 MB
     * binary; Parquet's Thrift parse allocated it before finding the bytes missing. Now a one-line refusal
     * within the allocation check.
     */
    @Test
    void aPageHeaderClaimingAHugeBinaryIsRefusedWithoutAllocatingIt() throws IOException {
        byte[] f = Files.readAllBytes(TestFiles.home().resolve("src/test/resources/org/tconv/read/faults/parquet-page-header-claims-84mb.bin"));
        ParquetFooterCheck.Damaged d = assertThrows(ParquetFooterCheck.Damaged.class, () -> ParquetFooterCheck.check(f, BUDGET));
        assertTrue(d.getMessage().contains("page header at offset") && d.getMessage().contains("cannot be read"), d.getMessage());
        assertFalse(FuzzRun.check("parquet-regression", f, ReaderFuzzTest::table, ReaderFuzzTest.BUDGET), "rejected within the allocation check");
    }
}
