package org.tconv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import org.apache.spark.sql.SparkSession;
import org.tconv.conv.ConvSpec;
import org.tconv.job.ConvolutionJob;
import org.tconv.job.JobConfig;
import org.tconv.job.JobResult;
import org.tconv.operator.Dtype;
import org.tconv.multiply.Method;
import org.tconv.write.OutputFormat;

/**
 * File-to-file jobs timed as a user runs them: the real job ({@link ConvolutionJob#run}, what
 * {@code bin/tconv run} runs) in this process for the job's seconds and its {@link JobSplit}, and, when a
 * launcher is given, the same command as a separate {@code bin/tconv run} process timed whole (wall, the JVM
 * start included). Every run writes into a new directory under {@code outRoot} that is deleted before the
 * next run (a float64 W8 output is 9 GB: on tmpfs that is memory). Runs go round-robin over the cases and
 * the peers' commands, so a noisy minute hits all of them alike; medians are reported.
 */
public final class FileJobBench {
    /** One input to convolve: a folder, shards or a table. */
    public static final class Input {
        public final String id, path, imageColumn;
        public final long images;

        public Input(String id, String path, String imageColumn, long images) {
            this.id = id;
            this.path = path;
            this.imageColumn = imageColumn;
            this.images = images;
        }
    }

    /** A peer's command, run as a process; it prints "seconds: S" (its job) and writes into the output directory it is given. */
    public interface Peer {
        String name();
        Dtype dtype();
        List<String> command(Path outDir);
    }

    /** The figures of one (input, format or peer, dtype): every timed run's job and wall seconds, and each job's split. */
    public static final class Result {
        public final Input input;
        public final String method, format;
        public final Dtype dtype;
        public final List<Double> job = new ArrayList<>(), wall = new ArrayList<>();
        public final List<JobSplit> splits = new ArrayList<>();
        public long outputBytes;

        Result(Input input, String method, String format, Dtype dtype) {
            this.input = input;
            this.method = method;
            this.format = format;
            this.dtype = dtype;
        }

        /** The median run's index (the lower middle of an even count), by job seconds. */
        int medianRun() {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < job.size(); i++) order.add(i);
            order.sort(Comparator.comparingDouble(job::get));
            return order.get((order.size() - 1) / 2);
        }

        /** The median run's job seconds; its split adds up to it. */
        public double jobSeconds() { return job.isEmpty() ? Double.NaN : job.get(medianRun()); }
        public JobSplit split() { return splits.isEmpty() ? null : splits.get(medianRun()); }
        public double wallSeconds() { return BenchResult.median(wall); }
        public double imagesPerSecond() { return input.images / jobSeconds(); }
    }

    private final SparkSession spark;
    private final Path outRoot;
    private final Path launcher;
    private final int warmup, runs, cores;
    private final Consumer<String> log;

    /** {@code launcher}: bin/tconv for the wall runs, or null for none. */
    public FileJobBench(SparkSession spark, Path outRoot, Path launcher, int warmup, int runs, Consumer<String> log) {
        this.spark = spark;
        this.outRoot = outRoot;
        this.launcher = launcher;
        this.warmup = warmup;
        this.runs = runs;
        this.cores = spark.sparkContext().defaultParallelism();
        this.log = log;
    }

    /**
     * Times every (format, dtype) of tconv on {@code input} and every peer, round-robin, {@code warmup}
     * untimed rounds then {@code runs} timed; weights and bias are files ({@code weights}, {@code bias})
     * the wall runs read as a user's command would.
     */
    public List<Result> run(Input input, ConvSpec spec, Path weights, Path bias, String padding,
                            List<OutputFormat> formats, List<Dtype> dtypes, List<Peer> peers) throws IOException, InterruptedException {
        List<Result> results = new ArrayList<>();
        for (OutputFormat f : formats) for (Dtype d : dtypes) results.add(new Result(input, "toeplitz", f.name().toLowerCase(Locale.ROOT), d));
        List<Result> peerResults = new ArrayList<>();
        for (Peer p : peers) peerResults.add(new Result(input, p.name(), "npy", p.dtype()));
        Files.createDirectories(outRoot);
        for (int round = 0; round < warmup + runs; round++) {
            boolean timed = round >= warmup;
            for (Result r : results) {
                Path out = fresh("tconv");
                try {
                    JobConfig cfg = new JobConfig(input.path, out.toUri().toString(), spec, Method.TOEPLITZ, OutputFormat.parse(r.format), false,
                            r.dtype, false, org.tconv.read.AdmissionBudget.defaults(), input.imageColumn, null, JobConfig.DEFAULT_SHARD_SPLIT_BYTES);
                    JobResult jr = ConvolutionJob.run(spark, cfg);
                    if (jr.itemsConvolved != input.images || !jr.rejected.isEmpty()) {
                        throw new IllegalStateException(input.id + " " + r.format + " " + r.dtype + ": convolved " + jr.itemsConvolved + " of "
                                + input.images + " image(s), rejected " + jr.rejected);
                    }
                    r.outputBytes = bytesUnder(out);
                    if (timed) {
                        r.job.add(jr.seconds);
                        r.splits.add(new JobSplit(jr.seconds, jr.stages, cores));
                    }
                    log.accept(String.format(Locale.ROOT, "    %s %s %s %s: job %.2f s (%s)", timed ? "run" : "warm-up", input.id, r.format, r.dtype,
                            jr.seconds, new JobSplit(jr.seconds, jr.stages, cores)));
                } finally {
                    deleteTree(out);
                }
                if (launcher != null) {
                    Path wout = fresh("tconv-wall");
                    try {
                        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "run", "--quiet", "--master", "local[" + cores + "]",
                                "--input", input.path, "--weights", weights.toString(), "--padding", padding,
                                "--format", r.format, "--dtype", r.dtype.toString(), "--output", wout.toString()));
                        if (bias != null) cmd.addAll(List.of("--bias", bias.toString()));
                        if (input.imageColumn != null) cmd.addAll(List.of("--image-column", input.imageColumn));
                        double s = timeProcess(cmd, null);
                        if (timed) r.wall.add(s);
                        log.accept(String.format(Locale.ROOT, "    %s %s %s %s: bin/tconv run %.2f s wall", timed ? "run" : "warm-up", input.id, r.format, r.dtype, s));
                    } catch (IllegalStateException e) {
                        // a wall run that fails (a child JVM killed for memory on a shared machine) costs its
                        // column, not the jobs already timed
                        log.accept("    wall run not measured: " + e.getMessage());
                    } finally {
                        deleteTree(wout);
                    }
                }
            }
            for (int i = 0; i < peers.size(); i++) {
                Peer p = peers.get(i);
                Result r = peerResults.get(i);
                Path out = fresh(p.name());
                try {
                    double[] own = new double[1];
                    double wall = timeProcess(p.command(out), own);
                    r.outputBytes = bytesUnder(out);
                    if (timed) {
                        r.wall.add(wall);
                        r.job.add(own[0]);
                    }
                    log.accept(String.format(Locale.ROOT, "    %s %s %s %s: %.2f s its loop, %.2f s wall", timed ? "run" : "warm-up", input.id, p.name(), p.dtype(), own[0], wall));
                } finally {
                    deleteTree(out);
                }
            }
        }
        results.addAll(peerResults);
        return results;
    }

    private Path fresh(String what) throws IOException {
        return Files.createTempDirectory(outRoot, "tconv-bench-" + what + "-").resolve("out");
    }

    /**
     * Runs a command, its output to a log beside the outputs' root, and returns its wall seconds; with
     * {@code own}, the seconds it printed on a line "seconds: S". A failure is an error with the log's tail.
     */
    static double timeProcess(List<String> cmd, double[] own) throws IOException, InterruptedException {
        Path logFile = Files.createTempFile("tconv-bench-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
            long t0 = System.nanoTime();
            int status = pb.start().waitFor();
            double s = (System.nanoTime() - t0) / 1e9;
            String text = Files.readString(logFile, StandardCharsets.UTF_8);
            if (status != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited " + status + ": " + text.substring(Math.max(0, text.length() - 600)).trim());
            }
            if (own != null) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^seconds: ([0-9.eE+-]+)").matcher(text);
                if (!m.find()) throw new IllegalStateException(String.join(" ", cmd) + " printed no 'seconds: S' line: " + text.trim());
                own[0] = Double.parseDouble(m.group(1));
            }
            return s;
        } finally {
            Files.deleteIfExists(logFile);
        }
    }

    static long bytesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) return 0;
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Deletes a run's output directory and the temp directory above it, which this bench made. */
    static void deleteTree(Path out) throws IOException {
        Path dir = out.getParent();
        if (!Files.exists(dir)) return;
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }
}
