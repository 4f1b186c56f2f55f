package org.tconv.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Which listed files are WebDataset shards ({@code .tar}, {@code .tar.gz}, {@code .tgz}) and where their
 * members' outputs go. Only names are looked at here, on the driver: the members themselves are read by
 * the task that gets the shard ({@link ShardReader}).
 */
public final class WebDatasetShards {
    private WebDatasetShards() {}

    private static final String[] SUFFIXES = {".tar.gz", ".tgz", ".tar"};

    /** The input extensions a member must have to be an input; other members (.json, .cls, .txt) travel along. */
    public static final List<String> INPUT_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif", "npy");

    public static boolean isShard(InputFile f) {
        return suffix(f.relative) != null;
    }

    /**
     * The job's inputs with each uncompressed tar shard larger than {@code splitBytes} replaced by its
     * {@link ShardRange}s of {@code splitBytes} (the last to the end), each read by a task of its own. Gzip
     * has no place to start reading but its beginning, so a {@code .tar.gz} stays whole. Looks at the shards'
     * lengths, not their contents.
     */
    public static List<InputFile> splitBigShards(List<InputFile> files, long splitBytes, Configuration conf) throws IOException {
        List<InputFile> out = new ArrayList<>();
        for (InputFile f : files) {
            if (!isShard(f) || gzipped(f)) {
                out.add(f);
                continue;
            }
            Path p = new Path(f.path);
            long len = p.getFileSystem(conf).getFileStatus(p).getLen();
            if (len <= splitBytes) {
                out.add(f);
                continue;
            }
            for (long start = 0; start < len; start += splitBytes) {
                out.add(new ShardRange(f, start, start + splitBytes >= len ? Long.MAX_VALUE : start + splitBytes));
            }
        }
        return out;
    }

    static boolean gzipped(InputFile f) {
        String s = suffix(f.relative);
        return s != null && !s.equals(".tar");
    }

    /** {@code a/b/s-000.tar.gz} gives {@code a/b/s-000}: the folder its members' outputs go to. */
    public static String outputFolder(InputFile shard) {
        String s = suffix(shard.relative);
        if (s == null) throw new IllegalArgumentException(shard.path + " is not a shard");
        return shard.relative.substring(0, shard.relative.length() - s.length());
    }

    private static String suffix(String relative) {
        String lower = relative.toLowerCase(Locale.ROOT);
        int slash = lower.lastIndexOf('/');
        for (String s : SUFFIXES) {
            // "x/.tar" has no stem: not a shard (and hidden anyway)
            if (lower.endsWith(s) && lower.length() - s.length() > slash + 1) return s;
        }
        return null;
    }

    /**
     * {@code --format webdataset} writes loose files into {@code part-NNNNN.tar} at the output's root: a shard
     * at the input's root with such a name, beside loose files, would write the same tar; it is rejected.
     */
    public static List<InputFile> dropLoosePartClashes(List<InputFile> files, Map<String, String> rejected) {
        boolean loose = files.stream().anyMatch(f -> !isShard(f));
        List<InputFile> kept = new ArrayList<>();
        for (InputFile f : files) {
            if (loose && isShard(f) && outputFolder(f).matches("part-\\d{5}")) {
                rejected.put(f.path, "its output " + outputFolder(f) + ".tar is the name of a shard of this input's loose files");
            } else {
                kept.add(f);
            }
        }
        return kept;
    }

    /**
     * The driver's share of the output-name check for shards, whose member names it never sees: two shards
     * with one output folder ({@code s.tar} and {@code s.tgz}), and a loose file whose output would land in a
     * shard's output folder, could write the same file; the later shard, and such a loose file, are rejected.
     * Clashes between members of one shard are found by the task reading it.
     */
    public static List<InputFile> dropClashes(List<InputFile> files, Map<String, String> rejected) {
        Map<String, InputFile> folders = new HashMap<>();
        List<InputFile> kept = new ArrayList<>();
        for (InputFile f : files) {
            if (!isShard(f)) continue;
            InputFile other = folders.putIfAbsent(outputFolder(f), f);
            if (other == null) {
                kept.add(f);
            } else {
                rejected.put(f.path, "shard's outputs in " + outputFolder(f) + "/ would overwrite those of shard " + other.path);
            }
        }
        for (InputFile f : files) {
            if (isShard(f)) continue;
            InputFile shard = null;
            String rel = f.relative;
            for (int slash = rel.lastIndexOf('/'); slash > 0 && shard == null; slash = rel.lastIndexOf('/', slash - 1)) {
                shard = folders.get(rel.substring(0, slash));
            }
            if (shard == null) {
                kept.add(f);
            } else {
                rejected.put(f.path, "its output would be inside " + outputFolder(shard) + "/, the output folder of shard " + shard.path);
            }
        }
        kept.sort((a, b) -> a.path.compareTo(b.path));
        return kept;
    }
}
