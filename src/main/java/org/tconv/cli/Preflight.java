package org.tconv.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.VersionInfo;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;
import org.tconv.read.InputPaths;
import org.tconv.read.WeightsFile;

/**
 * What can be judged about a run before Spark starts, so it fails in a second with the real cause instead
 * of a job failure after Spark's start-up: a master URL Spark would not accept, a standalone master nobody
 * answers at, a path whose file system has no connector on the classpath, an input that does not exist.
 * Each check throws a {@link UsageError} (exit 1, one line).
 */
final class Preflight {
    private Preflight() {}

    /** How long a standalone master may take to accept a TCP connection before it counts as unreachable. */
    static final int CONNECT_TIMEOUT_MS = 3000;

    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|[1-9][0-9]*)(,\\s*[0-9]+)?\\])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*[1-9][0-9]*\\s*,\\s*[1-9][0-9]*\\s*,\\s*[1-9][0-9]*\\s*\\]");

    /** The artifact each known connector lives in (the Hadoop ones at the version Spark brings). */
    private static final Map<String, String> CONNECTORS = Map.of(
            "s3a", "org.apache.hadoop:hadoop-aws:%s",
            "s3", "org.apache.hadoop:hadoop-aws:%s (and use s3a://)",
            "s3n", "org.apache.hadoop:hadoop-aws:%s (and use s3a://)",
            "abfs", "org.apache.hadoop:hadoop-azure:%s",
            "abfss", "org.apache.hadoop:hadoop-azure:%s",
            "wasb", "org.apache.hadoop:hadoop-azure:%s",
            "wasbs", "org.apache.hadoop:hadoop-azure:%s",
            "gs", "com.google.cloud.bigdataoss:gcs-connector (hadoop3 build)",
            "oss", "org.apache.hadoop:hadoop-aliyun:%s");

    /**
     * The master URL as Spark 4 accepts it ({@code local[N]}, {@code spark://}, {@code yarn},
     * {@code k8s://}, {@code local-cluster[...]}); a standalone master must accept a connection.
     * {@code null} (embedded local, or spark-submit's own) is not checked.
     */
    static void master(String master) {
        if (master == null) return;
        String m = master.trim();
        if (LOCAL.matcher(m).matches() || LOCAL_CLUSTER.matcher(m).matches() || m.equals("yarn") || m.startsWith("k8s://")) return;
        if (m.startsWith("spark://")) {
            List<String> tried = new ArrayList<>();
            for (String hostPort : m.substring("spark://".length()).split(",")) {
                URI u = URI.create("spark://" + hostPort.trim());
                if (u.getHost() == null || u.getPort() < 0) {
                    throw new UsageError("--master " + master + ": expected spark://HOST:PORT[,HOST:PORT...]");
                }
                if (reachable(u.getHost(), u.getPort())) return;
                tried.add(u.getHost() + ":" + u.getPort());
            }
            throw new UsageError("no master reachable at spark://" + String.join(",", tried)
                    + " (nothing accepted a connection within " + CONNECT_TIMEOUT_MS / 1000 + " s)");
        }
        throw new UsageError("--master " + master + " is not a Spark master URL: use local[N], local[*], spark://HOST:PORT, yarn or k8s://URL");
    }

    private static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Every path's file system has its connector on the classpath; the message names the artifact to add. */
    static void connector(String option, String path, Configuration conf) {
        if (path == null) return;
        String scheme;
        try {
            scheme = new Path(WeightsFile.fileOf(path)).toUri().getScheme();
        } catch (IllegalArgumentException e) {
            throw new UsageError(option + " " + path + " is not a valid path: " + e.getMessage());
        }
        if (scheme == null) return; // the default file system, which Hadoop always has
        try {
            FileSystem.getFileSystemClass(scheme, conf);
        } catch (IOException | RuntimeException e) { // RuntimeException: fs.s3a.impl is set, its class is not there
            String artifact = CONNECTORS.get(scheme.toLowerCase(Locale.ROOT));
            throw new UsageError(option + " " + path + ": no file system for " + scheme + ":// on the classpath"
                    + (artifact == null ? "" : "; add " + String.format(artifact, VersionInfo.getVersion())
                    + " (spark-submit --packages, or a dependency in pom.xml)"));
        }
    }

    /**
     * A local input must exist: the path itself (taken literally, glob characters and all) or, where no
     * such path exists, something its glob matches. Other file systems are listed by the job, where their
     * credentials live.
     */
    static void localInputExists(String input, Configuration conf) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(conf);
        if (!"file".equals(fs.getScheme())) return;
        InputPaths in;
        try {
            in = InputPaths.resolve(input, conf);
        } catch (IOException e) { // a glob Hadoop cannot read ("Illegal file pattern")
            throw new UsageError("input " + input + ": " + e.getMessage());
        }
        if (in.isEmpty()) throw new UsageError("input " + input + " does not exist");
    }

    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");
    private static final int MAX_ENTRIES_LOOKED_AT = 100_000;

    /**
     * Weights that no input can take are a mistake in the command, not a folder of rejections: when a local
     * input holds only image files (which decode to 1 or 3 channels, in 2-D), weights of another rank or
     * another channel count are refused here. Anything else in the input (a .npy, a shard, a link, more
     * entries than are worth walking before Spark) leaves the judgement to each input, as before.
     */
    static void weightsFitSomeImage(String input, ConvSpec spec, Configuration conf) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(conf);
        if (!"file".equals(fs.getScheme()) || !fs.exists(p)) return;
        java.nio.file.Path root = java.nio.file.Paths.get(fs.makeQualified(p).toUri());
        long[] images = {0};
        boolean[] onlyImages = {true};
        int[] seen = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(java.nio.file.Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && hidden(dir)) return FileVisitResult.SKIP_SUBTREE;
                return ++seen[0] > MAX_ENTRIES_LOOKED_AT ? stop() : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(java.nio.file.Path file, BasicFileAttributes attrs) {
                if (++seen[0] > MAX_ENTRIES_LOOKED_AT) return stop();
                if (!file.equals(root) && hidden(file)) return FileVisitResult.CONTINUE;
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                int dot = name.lastIndexOf('.');
                if (!attrs.isRegularFile() || dot < 0 || !IMAGE_EXTENSIONS.contains(name.substring(dot + 1))) return stop();
                images[0]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(java.nio.file.Path file, IOException e) {
                return stop();
            }

            private FileVisitResult stop() {
                onlyImages[0] = false;
                return FileVisitResult.TERMINATE;
            }

            private boolean hidden(java.nio.file.Path f) {
                String n = f.getFileName().toString();
                return n.startsWith(".") || n.startsWith("_");
            }
        });
        if (!onlyImages[0] || images[0] == 0) return;
        String what = images[0] == 1 ? "the input " + input + " is an image" : "all " + images[0] + " inputs under " + input + " are images";
        if (spec.dims() != 2) {
            throw new UsageError(what + ", which need 2-D weights; the weights (" + IntTuple.format(spec.weightShape()) + ") are "
                    + spec.dims() + "-D");
        }
        if (spec.inChannels() != 1 && spec.inChannels() != 3) {
            throw new UsageError(what + ", which decode to 1 (gray) or 3 (colour) channels, but the weights take " + spec.inChannels()
                    + " input channels (" + IntTuple.format(spec.weightShape()) + "): none can be convolved");
        }
    }
}
