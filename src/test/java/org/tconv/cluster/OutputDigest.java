package org.tconv.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.sql.Row;
import org.tconv.testing.SharedSpark;

/**
 * A canonical listing of a finished tconv output, to compare two runs byte for byte whatever the order
 * their tasks ran in: each output unit (a named file; a tar member, under {@code <tar>/<member>}; a Parquet
 * row, under {@code <path>#<index>}) by name, with the SHA-256 of its bytes. A unit named twice is an error
 * here, so a doubled member or row can never hide behind a map. Tar headers' times and Parquet part-file
 * names are left out: they say when and by which task a run wrote, not what.
 */
final class OutputDigest {
    final Map<String, String> units = new TreeMap<>();
    /** The bytes of {@code _rejected.csv}, as written. */
    final String rejectedCsv;
    final boolean success;

    private OutputDigest(Path out) throws IOException {
        Path rejected = out.resolve("_rejected.csv");
        rejectedCsv = Files.exists(rejected) ? Files.readString(rejected) : null;
        success = Files.exists(out.resolve("_SUCCESS"));
    }

    static OutputDigest of(Path out, String format) throws IOException {
        OutputDigest d = new OutputDigest(out);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(out)) {
            s.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        for (Path f : files) {
            String rel = out.relativize(f).toString();
            if (rel.equals("_rejected.csv") || rel.equals("_SUCCESS") || rel.equals("_tconv-output")) continue;
            switch (format) {
                case "npy" -> d.put(rel, sha(Files.readAllBytes(f)));
                case "webdataset" -> d.tar(rel, f);
                case "parquet" -> {
                    // rows are compared, not part files; their hidden .crc (Hadoop's LocalFileSystem) goes with them
                    if (!rel.endsWith(".parquet") && !rel.endsWith(".parquet.crc")) d.put(rel, sha(Files.readAllBytes(f)));
                }
                default -> throw new IllegalArgumentException(format);
            }
        }
        if (format.equals("parquet")) d.parquetRows(out);
        return d;
    }

    private void put(String name, String sha) {
        if (units.put(name, sha) != null) throw new AssertionError("output unit written twice: " + name);
    }

    private void tar(String rel, Path f) throws IOException {
        if (!rel.endsWith(".tar")) {
            put(rel, sha(Files.readAllBytes(f)));
            return;
        }
        try (InputStream in = Files.newInputStream(f); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            int n = 0;
            while ((e = t.getNextEntry()) != null) {
                // the member's position too: a reader sees a sample's members in this order
                put(rel + "/" + e.getName(), (n++) + ":" + sha(t.readAllBytes()));
            }
        }
    }

    private void parquetRows(Path out) {
        Iterator<Row> rows = SharedSpark.get().read().parquet(out.toString()).select("path", "index", "shape", "values").toLocalIterator();
        while (rows.hasNext()) {
            Row r = rows.next();
            List<Integer> shape = r.getList(2);
            List<Object> values = r.getList(3);
            ByteBuffer b = ByteBuffer.allocate(4 * shape.size() + 8 * values.size());
            for (int s : shape) b.putInt(s);
            for (Object v : values) {
                if (v instanceof Double x) b.putLong(Double.doubleToRawLongBits(x));
                else b.putLong(Float.floatToRawIntBits((Float) v));
            }
            put(r.getString(0) + "#" + r.getInt(1), sha(b.array()));
        }
    }

    static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Empty when equal; else how {@code got} differs from {@code this}: missing, extra and different units, a few of each. */
    String differences(OutputDigest got) {
        List<String> missing = new ArrayList<>(), extra = new ArrayList<>(), differ = new ArrayList<>();
        for (Map.Entry<String, String> e : units.entrySet()) {
            String g = got.units.get(e.getKey());
            if (g == null) missing.add(e.getKey());
            else if (!g.equals(e.getValue())) differ.add(e.getKey());
        }
        for (String k : got.units.keySet()) if (!units.containsKey(k)) extra.add(k);
        StringBuilder s = new StringBuilder();
        if (!missing.isEmpty()) s.append(missing.size()).append(" missing ").append(first(missing)).append("; ");
        if (!extra.isEmpty()) s.append(extra.size()).append(" extra ").append(first(extra)).append("; ");
        if (!differ.isEmpty()) s.append(differ.size()).append(" different ").append(first(differ)).append("; ");
        if (!java.util.Objects.equals(rejectedCsv, got.rejectedCsv)) s.append("_rejected.csv differs: expected\n").append(rejectedCsv).append("got\n").append(got.rejectedCsv);
        if (got.success != success) s.append("_SUCCESS ").append(got.success ? "present" : "missing");
        return s.toString();
    }

    private static List<String> first(List<String> l) {
        return l.subList(0, Math.min(5, l.size()));
    }
}
