package org.tconv.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.ParquetResults;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/**
 * tconv's Parquet output read by a reader that is not Spark: DuckDB's own Parquet reader (C++, through its
 * JDBC driver), as a user's DuckDB, pandas or pyarrow would read it. Every value of every row, in each layout,
 * dtype and codec, equals the direct convolution (float64) or, for float32, the .npy output of the same run
 * (itself compared with the direct loop here), bit for bit.
 */
class DuckDbReadsParquetTest {
    @TempDir
    Path tmp;

    private static final int[] W_SHAPE = {2, 3, 3, 3};
    /** A batch of whole panels (its results stay group-major to the writer) and a loose image. */
    private static final int BATCH = 300;
    private static final int[] ITEM = {3, 6, 5}, LOOSE = {3, 7, 9};

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.floor(r.nextDouble() * 256) - 128 + r.nextDouble();
        return x;
    }

    /** One row of the output as DuckDB returned it. */
    private static final class Item {
        String path;
        int index;
        int[] shape;
        String dtype;
        double[] values;
    }

    @Test
    void everyLayoutDtypeAndCodecReadsBackInDuckDb() throws IOException, SQLException {
        double[] weights = random(2 * 3 * 3 * 3, 5);
        String w = TestFiles.write(tmp.resolve("w.npy"), W_SHAPE, weights).toString();
        Path in = tmp.resolve("in");
        double[] batch = random(BATCH * 3 * 6 * 5, 31), loose = random(3 * 7 * 9, 32);
        TestFiles.write(in.resolve("many.npy"), new int[] {BATCH, 3, 6, 5}, batch);
        TestFiles.write(in.resolve("a.npy"), LOOSE, loose);
        ConvSpec spec = ConvSpec.builder(W_SHAPE, weights).padding(Padding.same()).build();
        ConvGeometry gb = spec.geometry(ITEM), ga = spec.geometry(LOOSE);

        for (String dtype : List.of("f64", "f32")) {
            Path npy = tmp.resolve("npy-" + dtype);
            Cli r = Cli.run("run", "--input", in.toString(), "--output", npy.toString(), "--weights", w, "--padding", "same",
                    "--dtype", dtype, "--format", "npy");
            assertEquals(0, r.status, r::toString);
            NpyArray yb = TestFiles.read(npy.resolve("many.npy")), ya = TestFiles.read(npy.resolve("a.npy"));
            double tol = dtype.equals("f32") ? 1e-4 : 1e-9;
            for (int i = 0; i < BATCH; i += 37) {
                double[] direct = DirectConvolution.convolve(gb, batch, i * gb.inputSize());
                for (int k = 0; k < direct.length; k++) assertEquals(direct[k], yb.data[i * gb.outputSize() + k], tol * (1 + Math.abs(direct[k])));
            }

            String[][] runs = dtype.equals("f64")
                    ? new String[][] {{"binary", "none"}, {"array", "snappy"}, {"binary", "gzip"}}
                    : new String[][] {{"binary", "zstd"}, {"binary", "lz4"}, {"array", "none"}};
            for (String[] run : runs) {
                String label = dtype + " " + run[0] + " " + run[1];
                Path out = tmp.resolve("pq-" + dtype + "-" + run[0] + "-" + run[1]);
                Cli p = Cli.run("run", "--input", in.toString(), "--output", out.toString(), "--weights", w, "--padding", "same",
                        "--dtype", dtype, "--parquet-values", run[0], "--parquet-compression", run[1]);
                assertEquals(0, p.status, p::toString);
                assertEquals(codec(run[1]), codecs(out), label + ": the pages are compressed as asked");
                List<Item> items = readWithDuckDb(out, run[0].equals("binary"));
                assertEquals(BATCH + 1, items.size(), label);
                for (Item it : items) {
                    boolean isBatch = it.path.endsWith("/many.npy");
                    assertTrue(isBatch || it.path.endsWith("/a.npy"), it.path);
                    ConvGeometry g = isBatch ? gb : ga;
                    assertArrayEquals(g.outputShape(), it.shape, label);
                    if (run[0].equals("binary")) assertEquals(dtype.equals("f32") ? "<f4" : "<f8", it.dtype, label);
                    int n = g.outputSize();
                    double[] want = java.util.Arrays.copyOfRange(isBatch ? yb.data : ya.data, it.index * n, it.index * n + n);
                    assertArrayEquals(want, it.values, 0.0, label + " item " + it.index + ": the npy output's values, bit for bit");
                    if (dtype.equals("f64")) {
                        assertArrayEquals(DirectConvolution.convolve(g, isBatch ? batch : loose, it.index * g.inputSize()), it.values, 1e-9 * 256 * 27,
                                label + " item " + it.index + " against the direct loop");
                    }
                }
            }
        }
    }

    private static String codec(String option) {
        switch (option) {
            case "none": return "[UNCOMPRESSED]";
            case "lz4": return "[LZ4_RAW]";
            default: return "[" + option.toUpperCase() + "]";
        }
    }

    private static List<Item> readWithDuckDb(Path out, boolean binary) throws SQLException {
        String sql = "SELECT path, index, shape, " + (binary ? "dtype, " : "") + "values FROM read_parquet('" + parquetGlob(out) + "') ORDER BY path, index";
        List<Item> items = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Item it = new Item();
                it.path = rs.getString("path");
                it.index = rs.getInt("index");
                Object[] shape = (Object[]) rs.getArray("shape").getArray();
                it.shape = new int[shape.length];
                for (int i = 0; i < shape.length; i++) it.shape[i] = ((Number) shape[i]).intValue();
                if (binary) {
                    it.dtype = rs.getString("dtype");
                    it.values = ParquetResults.decode(rs.getBytes("values"), it.dtype);
                } else {
                    Object[] v = (Object[]) rs.getArray("values").getArray();
                    it.values = new double[v.length];
                    for (int i = 0; i < v.length; i++) it.values[i] = ((Number) v[i]).doubleValue();
                }
                items.add(it);
            }
        }
        return items;
    }

    /** The distinct codecs of the output's column chunks, from DuckDB's view of the footers. */
    private static String codecs(Path out) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('" + parquetGlob(out) + "') ORDER BY 1")) {
            while (rs.next()) found.add(rs.getString(1));
        }
        return found.toString();
    }

    private static String parquetGlob(Path out) {
        try (var files = Files.list(out)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet")), "parquet files in " + out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.resolve("*.parquet").toString().replace("'", "''");
    }
}
