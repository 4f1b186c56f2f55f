package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.InputRejectedException;
import org.tconv.testing.HostileFiles;
import org.tconv.testing.TestFiles;

/**
 * Mutation fuzzing of the two readers that parse a container before any decoder sees its bytes: the
 * WebDataset shard reader (tar headers, read streaming and by seeking; gzip headers and streams) and the
 * Parquet table's footer and page-header check ({@link ParquetFooterCheck}). The property, as {@link DecoderFuzzTest}'s: every input ends as rows decoded within the
 * budget or one-line rejections, within {@link FuzzRun#TIMEOUT_SECONDS}, allocating no more than the budget
 * (plus slack).
 *
 * <p>Short by default (3 s or 20000 inputs each, {@code tconv.fuzz.seconds}, {@code tconv.fuzz.inputs}); the
 * long run, one reader per JVM: {@code mvn -o test -Dtest='ReaderFuzzTest#tar' -Dtconv.fuzz.inputs=1000000
 * -Dtconv.fuzz.seconds=0} (see docs/faults.md). Counts go to {@code target/fuzz-<reader>.txt}.
 */
class ReaderFuzzTest {
    static final AdmissionBudget BUDGET = DecoderFuzzTest.BUDGET;
    /** 2-D weights: every member kind (images and .npy) decodes. */
    static final ConvSpec SPEC = ConvSpec.builder(new int[] {1, 1, 3, 3}, new double[9]).build();

    @Test
    void tar() {
        FuzzRun.run("tar", tarSeeds(), shard("s.tar", false), BUDGET);
    }

    @Test
    void tarBySeeking() {
        FuzzRun.run("tar-seek", tarSeeds(), shard("s.tar", true), BUDGET);
    }

    @Test
    void gzip() {
        FuzzRun.run("tar-gz", gzipSeeds(), shard("s.tar.gz", false), BUDGET);
    }

    @Test
    void parquet() {
        FuzzRun.run("parquet", parquetSeeds(), ReaderFuzzTest::table, BUDGET);
    }

    @Test
    void theHarnessSeesAShardReaderFailure() {
        // a member that decodes into a rejected row with a two-line reason would be a broken _rejected.csv row
        Function<byte[], NpyArray> reader = shard("s.tar", false);
        assertEquals(2, reader.apply(tarSeeds().get(0)).shape[0], "the seed shard has two members, both read");
        AssertionError e = assertThrows(AssertionError.class, () -> FuzzRun.run("selftest-rows", tarSeeds(), b -> {
            throw new IllegalStateException("row of " + b.length + " bytes rejected with a reason of two lines");
        }, BUDGET, 5, 0));
        assertTrue(e.getMessage().contains("two lines"), e.getMessage());
    }

    // ---- targets ----

    /** One Hadoop configuration for every input: making one reads Hadoop's XML resources. */
    static final Configuration HADOOP = new Configuration();

    /** A shard of these bytes read to its end; its rows counted as one value each. */
    static Function<byte[], NpyArray> shard(String name, boolean seeking) {
        return bytes -> {
            java.nio.file.Path file = scratch().resolve(Thread.currentThread().getId() + "-" + name);
            try {
                Files.write(file, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            org.tconv.read.InputFile f = new org.tconv.read.InputFile(file.toUri().toString(), name);
            InputDecoder decoder = new InputDecoder(SPEC, BUDGET);
            ShardReader r = seeking ? new ShardReader(new ShardRange(f, 0, bytes.length), HADOOP, decoder, true)
                    : new ShardReader(f, HADOOP, decoder, true);
            int rows = 0, read = 0;
            while (r.hasNext()) {
                ImageBatch b = r.next();
                if (!b.ok() && (b.getError() == null || b.getError().isBlank() || b.getError().contains("\n"))) {
                    throw new IllegalStateException("a rejected row without a one-line reason: " + b.getError());
                }
                rows++;
                if (b.ok()) read++;
            }
            if (read == 0) throw new InputRejectedException("no member read"); // counted as a rejection
            return new NpyArray(new int[] {rows}, new double[rows], "<f8");
        };
    }

    /**
     * A Parquet file of these bytes through what tconv reads of it itself: the footer and every page header
     * ({@link ParquetFooterCheck}); admitted (its rows counted) or refused with a one-line reason. The pages'
     * values are Spark's reader's, in the tasks (60 ms an input here, too slow for a million inputs).
     */
    static NpyArray table(byte[] bytes) {
        org.apache.parquet.hadoop.metadata.ParquetMetadata meta;
        try {
            meta = ParquetFooterCheck.check(bytes, BUDGET.memory());
        } catch (ParquetFooterCheck.Damaged e) {
            throw new InputRejectedException(e.getMessage());
        }
        long rows = 0;
        for (org.apache.parquet.hadoop.metadata.BlockMetaData b : meta.getBlocks()) rows += b.getRowCount();
        return new NpyArray(new int[] {1}, new double[] {rows}, "<f8");
    }

    private static java.nio.file.Path scratchDir;

    private static synchronized java.nio.file.Path scratch() {
        if (scratchDir == null) {
            try {
                java.nio.file.Path shm = java.nio.file.Path.of("/dev/shm");
                scratchDir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : TestFiles.home().resolve("target"), "tconv-fuzz-");
                scratchDir.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return scratchDir;
    }

    // ---- seeds ----

    /** Small shards: a PNG crop and a .npy per sample, a companion, a folder, a link, a long (PAX) name. */
    static List<byte[]> tarSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        byte[] png = HostileFiles.encode(DecoderFuzzTest.photoCrops().get(3), "png");
        byte[] npy = NpyArray.toBytes(new int[] {4, 5}, new double[20]);
        seeds.add(tar(new String[] {"000.png", "000.npy"}, new byte[][] {png, npy}, false, false));
        seeds.add(tar(new String[] {"a/001.png", "a/001.json", "a/002.npy"}, new byte[][] {png, "{\"y\":1}".getBytes(), npy}, true, false));
        seeds.add(tar(new String[] {"x".repeat(120) + "/003.npy"}, new byte[][] {npy}, false, true));
        return seeds;
    }

    static List<byte[]> gzipSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (byte[] t : tarSeeds()) seeds.add(gz(t));
        // two gzip members, as a concatenated shard is
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        byte[] a = gz(tarSeeds().get(0));
        two.write(a, 0, a.length);
        byte[] b = gz(new byte[1024]);
        two.write(b, 0, b.length);
        seeds.add(two.toByteArray());
        return seeds;
    }

    static byte[] tar(String[] names, byte[][] data, boolean withFolderAndLink, boolean pax) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(pax ? TarArchiveOutputStream.LONGFILE_POSIX : TarArchiveOutputStream.LONGFILE_GNU);
            if (withFolderAndLink) {
                t.putArchiveEntry(new TarArchiveEntry("a/"));
                t.closeArchiveEntry();
                TarArchiveEntry link = new TarArchiveEntry("a/link.png", TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("001.png");
                t.putArchiveEntry(link);
                t.closeArchiveEntry();
            }
            for (int i = 0; i < names.length; i++) {
                TarArchiveEntry e = new TarArchiveEntry(names[i]);
                e.setSize(data[i].length);
                t.putArchiveEntry(e);
                t.write(data[i]);
                t.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gz(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream g = new GzipCompressorOutputStream(out)) {
            g.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
            "message t { required binary png; optional binary key (UTF8); optional double score; }");

    /** Tables of three rows in each codec and page version tconv meets in Hugging Face and Spark files. */
    static List<byte[]> parquetSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        byte[] png = HostileFiles.encode(DecoderFuzzTest.photoCrops().get(3), "png");
        byte[] npy = NpyArray.toBytes(new int[] {4, 5}, new double[20]);
        CompressionCodecName[] codecs = {CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY, CompressionCodecName.GZIP};
        for (CompressionCodecName codec : codecs) {
            for (ParquetProperties.WriterVersion v : ParquetProperties.WriterVersion.values()) {
                seeds.add(parquet(codec, v, new byte[][] {npy, png, npy}));
            }
        }
        return seeds;
    }

    static byte[] parquet(CompressionCodecName codec, ParquetProperties.WriterVersion version, byte[][] images) {
        try {
            java.nio.file.Path file = scratch().resolve("seed-" + System.nanoTime() + ".parquet");
            SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
            try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                    .withType(SCHEMA).withCompressionCodec(codec).withWriterVersion(version).withConf(new Configuration())
                    .withRowGroupSize(4096L).withPageSize(1024).build()) {
                Random r = new Random(5);
                for (int i = 0; i < images.length; i++) {
                    Group g = rows.newGroup().append("png", org.apache.parquet.io.api.Binary.fromConstantByteArray(images[i]))
                            .append("key", "k" + i).append("score", r.nextDouble());
                    w.write(g);
                }
            }
            byte[] b = Files.readAllBytes(file);
            Files.delete(file);
            Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
