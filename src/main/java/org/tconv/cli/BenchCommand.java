package org.tconv.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.spark.sql.SparkSession;
import org.tconv.bench.Bench;
import org.tconv.bench.BenchPlot;
import org.tconv.bench.BenchReport;
import org.tconv.bench.BenchResult;
import org.tconv.bench.LatencyBench;
import org.tconv.bench.LatencyResult;
import org.tconv.bench.Machine;
import org.tconv.bench.Shards;
import org.tconv.bench.Workload;
import org.tconv.job.SparkSessions;
import org.tconv.operator.Dtype;
import org.tconv.multiply.Method;
import org.tconv.operator.PanelTiming;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time the standard workloads (README: Benchmarks) in this process: the multiply alone and end to end inside Spark;",
                "with --latency, whole `bin/tconv run` commands instead, a new JVM each.",
                "Writes a CSV (" + BenchReport.CSV_HEADER + "), a Markdown table and, with --plot, a PNG chart."})
class BenchCommand extends TconvCommand implements Callable<Integer> {
    @Option(names = "--workload", defaultValue = "all",
            description = "W1 .. W7, W8 (a photo folder, file to file), W8s (its WebDataset shards), W8t (its Parquet table),"
                    + " a comma-separated list of them (W3,W6) or all (W1 .. W7) (default: ${DEFAULT-VALUE})")
    String workload;

    @Option(names = "--method", defaultValue = "all", description = "toeplitz, blockmatrix, direct or all (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--dtype", defaultValue = "f64", description = "f64 or f32 (f32: toeplitz only); W8: also f32,f64 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--runs", defaultValue = "5", description = "timed runs per measurement; medians are reported (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed runs first (JIT, T built once per executor) (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--images", paramLabel = "N", description = "images per workload instead of the standard N")
    Integer images;

    @Option(names = "--batch", defaultValue = "100", paramLabel = "N",
            description = "images per input row, as an (N,C,H,W) .npy file holds them (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--scaling", description = "instead: W1 at 5k, 10k, 20k, 40k images and W4 at 512, 1024, 2048 pixels square, with the least-squares line of time vs size")
    boolean scaling;

    @Option(names = "--csv", paramLabel = "PATH", description = "where the CSV goes (default: target/bench/bench-<time>.csv); the .md and .png go beside it")
    Path csv;

    @Option(names = "--plot", description = "also draw GFLOP/s per workload and method as a PNG bar chart")
    boolean plot;

    @Option(names = "--baseline", paramLabel = "CSV", description = "a CSV with the same header (e.g. from bench/pytorch_bench.py) to show beside the results")
    Path baselineCsv;

    @Option(names = "--write-shards", paramLabel = "DIR", description = "instead: write the workload's images as .npy shards (DIR/images/shard-*.npy) with DIR/weights.npy and DIR/bias.npy, for the file-to-file comparison")
    Path shards;

    @Option(names = "--shard-size", defaultValue = "1000", description = "images per shard with --write-shards (default: ${DEFAULT-VALUE})")
    int shardSize;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*])")
    String master;

    @Option(names = "--latency", description = "instead: time whole `bin/tconv run` commands, a new JVM each, on the sample photos"
            + " (no options: parquet) and on W5 (the seed's 5x5 example, --padding valid): one untimed run, then --runs timed, medians")
    boolean latency;

    @Option(names = "--format", defaultValue = "npy,parquet", description = "W8: the output formats timed (default: ${DEFAULT-VALUE})")
    String formats;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "where the file-to-file runs' files and outputs go, each output deleted before the next run"
            + " (default: /dev/shm, tmpfs, when it exists; give a disk directory for the disk's figures)")
    Path outputDir;

    @Option(names = "--photos", paramLabel = "DIR", description = "W8: the photo folder, made there if new (default: target/bench/w8-<images>)")
    Path photos;

    @Option(names = "--peers", paramLabel = "LIST", description = "W8: also run these peer scripts from bench/, alternating with tconv's runs:"
            + " opencv (bench/opencv_files.py), pytorch (bench/pytorch_photos.py), or opencv,pytorch; needs /usr/bin/python3 with their packages")
    String peers;

    @Option(names = "--no-wall", description = "W8: skip the wall runs (each a separate `bin/tconv run` process, the JVM start included)")
    boolean noWall;

    @Option(names = "--no-bound", description = "W8: skip measuring the machine's bound (decode, product and write rates)")
    boolean noBound;

    @Option(names = "--check", description = "W8: also compare tconv's npy outputs on a few photos with the OpenCV and PyTorch scripts' (bench/w8_check.py)")
    boolean check;

    @Override
    public Integer call() throws Exception {
        List<String> fileWorkloads = new ArrayList<>();
        StringBuilder inMemory = new StringBuilder();
        for (String part : workload.split(",", -1)) {
            String p = part.trim();
            if (p.equalsIgnoreCase("W8") || p.equalsIgnoreCase("W8s") || p.equalsIgnoreCase("W8t")) {
                String id = "W8" + p.substring(2).toLowerCase(java.util.Locale.ROOT);
                if (fileWorkloads.contains(id)) throw new UsageError("--workload '" + workload + "' names " + id + " twice");
                fileWorkloads.add(id);
            } else {
                inMemory.append(inMemory.length() == 0 ? "" : ",").append(part);
            }
        }
        if (!fileWorkloads.isEmpty()) {
            if (inMemory.length() > 0) throw new UsageError("--workload: time W8, W8s, W8t in a bench run of their own, apart from W1 .. W7");
            if (shards != null || latency || scaling) throw new UsageError("--write-shards, --latency and --scaling are for W1 .. W7, not " + fileWorkloads);
            return new PhotoBench(this).run(fileWorkloads);
        }
        List<Workload> workloads = new ArrayList<>();
        List<Method> methods = new ArrayList<>();
        Dtype d;
        List<BenchReport.BaselineRow> baseline = new ArrayList<>();
        try {
            if (runs < 1 || warmup < 0 || batch < 1) throw new IllegalArgumentException("--runs and --batch must be positive, --warmup not negative");
            d = Dtype.parse(dtype);
            for (Workload wl : Workload.parseList(workload)) {
                workloads.add(images == null ? wl : wl.withImages(images));
            }
            if (method.equalsIgnoreCase("all")) methods.addAll(List.of(Method.values()));
            else methods.add(Method.parse(method));
            if (baselineCsv != null) baseline = BenchReport.readBaseline(baselineCsv);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new UsageError(e.getMessage());
        }
        if (shards != null) {
            if (workloads.size() != 1) throw new UsageError("--write-shards needs one --workload, e.g. --workload W1");
            int n;
            try {
                n = Shards.write(workloads.get(0), shards, shardSize);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
            out().printf("tconv: wrote %d image(s) of %s as %d shard(s) to %s/images, weights to %s/weights.npy%s%n",
                    workloads.get(0).images, workloads.get(0).id, n, shards, shards, workloads.get(0).bias ? " and bias.npy" : "");
            return 0;
        }

        if (csv != null && Files.exists(csv)) throw new UsageError("--csv " + csv + " already exists: tconv overwrites no file it did not write");
        if (latency) return latency();

        SparkSession spark = SparkSessions.getOrCreate(master);
        Bench bench = new Bench(spark, warmup, runs, batch, outputRoot());
        String machine = Machine.describe(bench.parallelism());
        out().println("tconv bench on " + machine);
        out().println("kernel: " + PanelTiming.kernel() + "; Spark " + spark.version() + ", " + bench.parallelism()
                + " cores; " + warmup + " warm-up and " + runs + " timed run(s) each, medians; " + batch + " image(s) per input row");
        List<BenchResult> results = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        if (scaling) {
            scaling(bench, d, results, failed);
        } else {
            for (Workload wl : workloads) {
                for (Method m : methods) measure(bench, wl, m, d, results, failed);
            }
        }

        Path csvPath = csvPath("bench");
        if (csvPath.toAbsolutePath().getParent() != null) Files.createDirectories(csvPath.toAbsolutePath().getParent());
        String stem = csvPath.toString().endsWith(".csv") ? csvPath.toString().substring(0, csvPath.toString().length() - 4) : csvPath.toString();
        Files.writeString(csvPath, BenchReport.csv(results), StandardCharsets.UTF_8);
        String md = "tconv bench on " + machine + "\n\n" + BenchReport.markdown(results, baseline);
        Files.writeString(Path.of(stem + ".md"), md, StandardCharsets.UTF_8);
        out().println();
        out().print(BenchReport.markdown(results, baseline));
        out().println();
        out().println("tconv: CSV " + csvPath + ", Markdown " + stem + ".md");
        if (plot && !results.isEmpty()) {
            BenchPlot.write(Path.of(stem + ".png"), results, baseline, machine);
            out().println("tconv: chart " + stem + ".png");
        }
        for (String f : failed) out().println("tconv: not measured: " + f);
        return failed.isEmpty() ? 0 : 2;
    }

    /** --output-dir, else tmpfs (/dev/shm) when there is one, else the temp directory. */
    Path outputRoot() {
        if (outputDir != null) return outputDir;
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    Path csvPath(String kind) {
        return csv != null ? csv : Path.of(Home.resolve("target/bench"),
                kind + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".csv");
    }

    /**
     * Whole commands, each a new JVM through bin/tconv: no Spark in this process, so the commands timed
     * share the machine with nothing of the bench's. Their outputs stay in a new folder beside the CSV.
     */
    private int latency() throws Exception {
        Path csvPath = csvPath("latency");
        if (csvPath.toAbsolutePath().getParent() != null) Files.createDirectories(csvPath.toAbsolutePath().getParent());
        String stem = csvPath.toString().endsWith(".csv") ? csvPath.toString().substring(0, csvPath.toString().length() - 4) : csvPath.toString();
        Path scratch = Path.of(stem + "-runs");
        if (Files.exists(scratch)) throw new UsageError(scratch + " already exists: tconv overwrites no file it did not write");
        Files.createDirectories(scratch);
        LatencyBench lb;
        try {
            lb = new LatencyBench(Path.of(Home.resolve("bin/tconv")), scratch, runs);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        String machine = Machine.describe(Runtime.getRuntime().availableProcessors());
        out().println("tconv bench --latency on " + machine + "; " + load());
        List<LatencyResult> results = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (LatencyBench.Command c : LatencyBench.standard(scratch)) {
            out().println("  bin/tconv run (" + c.name + "): 1 untimed and " + runs + " timed run(s) ...");
            try {
                LatencyResult r = lb.time(c);
                results.add(r);
                out().printf(Locale.ROOT, "    median %.2f s; runs (s): %s%n", r.wallSeconds(), seconds(r.wall));
            } catch (IllegalStateException e) {
                failed.add(e.getMessage());
                out().println("    not measured: " + e.getMessage());
            }
        }
        Files.writeString(csvPath, BenchReport.csv(List.of(), results), StandardCharsets.UTF_8);
        String md = BenchReport.latencyMarkdown(results);
        Files.writeString(Path.of(stem + ".md"), "tconv bench --latency on " + machine + "; " + load() + "\n\n" + md, StandardCharsets.UTF_8);
        out().println();
        out().print(md);
        out().println();
        out().println("tconv: CSV " + csvPath + ", Markdown " + stem + ".md, the runs' outputs and stderr in " + scratch);
        for (String f : failed) out().println("tconv: not measured: " + f);
        return failed.isEmpty() ? 0 : 2;
    }

    /** The machine's load when the figures were taken: wall times on a shared machine mean little without it. */
    private static String load() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "load average unknown" : String.format(Locale.ROOT, "load average %.2f", l);
    }

    private void measure(Bench bench, Workload wl, Method m, Dtype d, List<BenchResult> results, List<String> failed) {
        if (!m.supports(d)) {
            failed.add(wl.id + " " + m + " " + d + ": " + m + " computes in float64 only");
            return;
        }
        out().println("  " + wl.describe() + " / " + m + " / " + d + " ...");
        try {
            BenchResult r = bench.run(wl, m, d);
            results.add(r);
            out().printf(Locale.ROOT, "    multiply %.4g s (%.2f GFLOP/s), end to end %.4g s (%s images/s, %.2f GFLOP/s, %.2fx the multiply)%s%s%n",
                    r.multiplySeconds(), r.multiplyGflops(), r.endToEndSeconds(), String.format(Locale.ROOT, "%.4g", r.imagesPerSecond()),
                    r.gflops(), r.overheadRatio(),
                    Double.isNaN(r.buildSeconds) ? "" : String.format(Locale.ROOT, "; T built in %.3g s, %d time(s) during the timed runs", r.buildSeconds, r.buildsDuringRuns),
                    Double.isNaN(r.f32Error) ? "" : String.format(Locale.ROOT, "; f32 error vs f64 %.2e", r.f32Error));
            out().println("    runs (s): multiply " + seconds(r.multiply) + ", end to end " + seconds(r.endToEnd));
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String why = wl.id + " " + m + " " + d + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
            failed.add(why);
            out().println("    not measured: " + why);
        }
    }

    private static String seconds(List<Double> runs) {
        StringBuilder b = new StringBuilder();
        for (double v : runs) b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4g", v));
        return b.toString();
    }

    private void scaling(Bench bench, Dtype d, List<BenchResult> results, List<String> failed) {
        List<BenchResult> byImages = new ArrayList<>();
        for (int n : new int[] {5000, 10000, 20000, 40000}) {
            int before = results.size();
            measure(bench, Workload.W1.withImages(n), Method.TOEPLITZ, d, results, failed);
            if (results.size() > before) byImages.add(results.get(results.size() - 1));
        }
        report("W1 toeplitz, time vs images", "image", byImages, r -> r.workload.images);
        for (Method m : new Method[] {Method.TOEPLITZ, Method.BLOCKMATRIX}) {
            if (!m.supports(d)) continue;
            List<BenchResult> byPixels = new ArrayList<>();
            for (int side : new int[] {512, 1024, 2048}) {
                int before = results.size();
                measure(bench, Workload.W4.withSide(side), m, d, results, failed);
                if (results.size() > before) byPixels.add(results.get(results.size() - 1));
            }
            report("W4 " + m + ", time vs pixels", "pixel", byPixels, r -> (double) r.workload.h * r.workload.w);
        }
    }

    private void report(String what, String unit, List<BenchResult> series, java.util.function.ToDoubleFunction<BenchResult> size) {
        if (series.size() < 2) return;
        BenchReport.LinearFit e2e = BenchReport.linearFit(series, size, BenchResult::endToEndSeconds);
        BenchReport.LinearFit mul = BenchReport.linearFit(series, size, BenchResult::multiplySeconds);
        long builds = series.stream().mapToLong(r -> r.buildsDuringRuns).sum();
        out().printf(Locale.ROOT, "  %s: end to end %.4g s + %.4g us per %s (R^2 %.4f; %.4g %ss/s at the margin), multiply %.4g s + %.4g us per %s (R^2 %.4f); T built %d time(s) during the timed runs%n",
                what, e2e.fixed, e2e.perUnit * 1e6, unit, e2e.r2, 1 / e2e.perUnit, unit, mul.fixed, mul.perUnit * 1e6, unit, mul.r2, builds);
    }
}
