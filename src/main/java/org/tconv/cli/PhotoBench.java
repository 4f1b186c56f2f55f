package org.tconv.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.spark.sql.SparkSession;
import org.tconv.bench.BenchReport;
import org.tconv.bench.FileJobBench;
import org.tconv.bench.FileJobReport;
import org.tconv.bench.MachineBound;
import org.tconv.bench.Machine;
import org.tconv.bench.PhotoFolder;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.job.SparkSessions;
import org.tconv.operator.Dtype;
import org.tconv.read.NpyArray;
import org.tconv.write.OutputFormat;

/**
 * {@code tconv bench --workload W8[,W8s,W8t]}: the photo folder file to file ({@link FileJobBench}), the
 * peers beside it, the machine's bound ({@link MachineBound}) and, with --check, the outputs compared.
 */
final class PhotoBench {
    static final int STANDARD_IMAGES = 300;
    private final BenchCommand c;

    PhotoBench(BenchCommand c) {
        this.c = c;
    }

    int run(List<String> ids) throws Exception {
        List<Dtype> dtypes = new ArrayList<>();
        List<OutputFormat> formats = new ArrayList<>();
        List<String> peerNames = new ArrayList<>();
        List<BenchReport.BaselineRow> baseline = new ArrayList<>();
        int n = c.images == null ? STANDARD_IMAGES : c.images;
        try {
            if (c.runs < 1 || c.warmup < 0) throw new IllegalArgumentException("--runs must be positive, --warmup not negative");
            for (String d : (c.dtype.equalsIgnoreCase("all") ? "f32,f64" : c.dtype).split(",", -1)) {
                Dtype x = Dtype.parse(d.trim());
                if (!dtypes.contains(x)) dtypes.add(x);
            }
            for (String f : c.formats.split(",", -1)) {
                OutputFormat x = OutputFormat.parse(f.trim());
                if (x != OutputFormat.NPY && x != OutputFormat.PARQUET) throw new IllegalArgumentException("--format for W8: npy, parquet or npy,parquet, not " + f);
                if (!formats.contains(x)) formats.add(x);
            }
            if (c.peers != null) {
                for (String p : c.peers.split(",", -1)) {
                    String x = p.trim().toLowerCase(Locale.ROOT);
                    if (!x.equals("opencv") && !x.equals("pytorch")) throw new IllegalArgumentException("--peers: opencv, pytorch or opencv,pytorch, not '" + p + "'");
                    if (!peerNames.contains(x)) peerNames.add(x);
                }
            }
            if (c.baselineCsv != null) baseline = BenchReport.readBaseline(c.baselineCsv);
            if (n < 1) throw new IllegalArgumentException("--images must be positive, got " + n);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new UsageError(e.getMessage());
        }
        if (c.csv != null && Files.exists(c.csv)) throw new UsageError("--csv " + c.csv + " already exists: tconv overwrites no file it did not write");
        Path home = Path.of(Home.resolve("."));
        Path dir = c.photos != null ? c.photos : Path.of(Home.resolve("target/bench/w8-" + n));
        Path outRoot = c.outputRoot();
        PhotoFolder folder;
        try {
            folder = PhotoFolder.ensure(dir, n, home.resolve("data/images"));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        long pixels = folder.pixels();
        SparkSession spark = SparkSessions.getOrCreate(c.master);
        int cores = spark.sparkContext().defaultParallelism();
        String machine = Machine.describe(cores);
        c.out().println("tconv bench on " + machine);
        c.out().printf(Locale.ROOT, "W8: %d photos (%.2f Mpixel mean) in %s, weights (8,3,3,3) + bias, padding 1; outputs under %s; %d warm-up and %d timed"
                + " round(s), alternating, medians%n", n, pixels / 1e6 / n, folder.photos(), outRoot, c.warmup, c.runs);
        c.out().flush();

        NpyArray w = NpyArray.read(Files.readAllBytes(folder.weights()));
        NpyArray b = NpyArray.read(Files.readAllBytes(folder.bias()));
        ConvSpec spec = ConvSpec.builder(w.shape, w.data).bias(b.data).padding(Padding.of(1)).build();
        List<FileJobBench.Input> inputs = new ArrayList<>();
        for (String id : ids) {
            if (id.equals("W8")) inputs.add(new FileJobBench.Input(id, folder.photos().toString(), null, n));
            else if (id.equals("W8s")) inputs.add(new FileJobBench.Input(id, folder.ensureShards().toString(), null, n));
            else inputs.add(new FileJobBench.Input(id, folder.ensureTable(spark).toString(), "image", n));
        }
        List<FileJobBench.Peer> peers = new ArrayList<>();
        for (String p : peerNames) for (Dtype d : dtypes) peers.add(peer(home, folder, p, d, cores));

        Path launcher = c.noWall ? null : Path.of(Home.resolve("bin/tconv"));
        FileJobBench bench = new FileJobBench(spark, outRoot, launcher, c.warmup, c.runs, line -> {
            c.out().println(line);
            c.out().flush();
        });
        List<FileJobBench.Result> results = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            FileJobBench.Input in = inputs.get(i);
            c.out().println("  " + in.id + " (" + in.path + ") ...");
            try {
                // the peers read the folder: they run beside the first input, W8 when it is timed
                results.addAll(bench.run(in, spec, folder.weights(), folder.bias(), "1", formats, dtypes, i == 0 ? peers : List.of()));
            } catch (IllegalStateException e) {
                failed.add(in.id + ": " + e.getMessage());
                c.out().println("    not measured: " + e.getMessage());
            }
        }
        MachineBound bound = null;
        if (!c.noBound) {
            long largest = 0;
            for (FileJobBench.Result r : results) largest = Math.max(largest, r.outputBytes);
            long writeBytes = Math.max(256L << 20, Math.min(largest, 2L << 30));
            bound = MachineBound.measure(folder.photoFiles(), home, outRoot, writeBytes, cores, 3);
            c.out().println("  " + bound.describe());
        }
        if (c.check) {
            for (Dtype d : dtypes) {
                try {
                    c.out().print(check(spark, home, folder, spec, d, outRoot));
                } catch (IllegalStateException e) {
                    failed.add("check " + d + ": " + e.getMessage());
                    c.out().println("    check " + d + " failed: " + e.getMessage());
                }
            }
        }

        Path csvPath = c.csvPath("bench-w8");
        if (csvPath.toAbsolutePath().getParent() != null) Files.createDirectories(csvPath.toAbsolutePath().getParent());
        String stem = csvPath.toString().endsWith(".csv") ? csvPath.toString().substring(0, csvPath.toString().length() - 4) : csvPath.toString();
        Files.writeString(csvPath, FileJobReport.csv(results, pixels, bound), StandardCharsets.UTF_8);
        String md = FileJobReport.markdown(results, baseline, bound);
        Files.writeString(Path.of(stem + ".md"), "tconv bench on " + machine + "\n\n" + md + (bound == null ? "" : "\n" + bound.describe() + "\n"),
                StandardCharsets.UTF_8);
        c.out().println();
        c.out().print(md);
        c.out().println();
        c.out().println("tconv: CSV " + csvPath + ", Markdown " + stem + ".md");
        for (String f : failed) c.out().println("tconv: not measured: " + f);
        return failed.isEmpty() ? 0 : 2;
    }

    private static FileJobBench.Peer peer(Path home, PhotoFolder folder, String name, Dtype d, int cores) {
        String script = home.resolve(name.equals("opencv") ? "bench/opencv_files.py" : "bench/pytorch_photos.py").toString();
        return new FileJobBench.Peer() {
            @Override public String name() { return name; }
            @Override public Dtype dtype() { return d; }
            @Override public List<String> command(Path outDir) {
                List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script, folder.dir.toString(), outDir.toString(),
                        "--dtype", d.toString(), "--workers", String.valueOf(cores)));
                if (name.equals("pytorch")) cmd.addAll(List.of("--threads", String.valueOf(cores)));
                return cmd;
            }
        };
    }

    /** One tconv npy job of {@code d} into a directory of its own, compared by bench/w8_check.py with the peers' results, then deleted. */
    private static String check(SparkSession spark, Path home, PhotoFolder folder, ConvSpec spec, Dtype d, Path outRoot) throws Exception {
        Path tmp = Files.createTempDirectory(outRoot, "tconv-bench-check-");
        Path out = tmp.resolve("out");
        try {
            org.tconv.job.ConvolutionJob.run(spark, new org.tconv.job.JobConfig(folder.photos().toString(), out.toUri().toString(), spec,
                    org.tconv.multiply.Method.TOEPLITZ, OutputFormat.NPY, false, d));
            Process p = new ProcessBuilder("/usr/bin/python3", home.resolve("bench/w8_check.py").toString(), folder.dir.toString(), out.toString(),
                    d.toString(), "5").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IllegalStateException("bench/w8_check.py: " + text.substring(Math.max(0, text.length() - 600)).trim());
            return text;
        } finally {
            try (java.util.stream.Stream<Path> s = Files.walk(tmp)) {
                for (Path x : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(x);
            }
        }
    }
}
