package org.tconv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The bench's tables: the CSV other tools read (its header is fixed), a Markdown table for people, and
 * the rows of a baseline CSV in the same format (e.g. {@code bench/pytorch_bench.py --csv}) beside them.
 */
public final class BenchReport {
    private BenchReport() {}

    public static final String CSV_HEADER = "workload,method,dtype,images_per_s,gflops,multiply_s,end_to_end_s,nnz,peak_heap_mb,explicit_nnz,"
            + "decode_s,pack_s,product_s,unpack_s,write_s,job_s,in_spark_s";

    /** The method name of {@link LatencyResult} rows: a whole {@code bin/tconv run}, cold JVM. */
    public static final String COMMAND = "command";

    /** A row of a baseline CSV: only what the comparison needs. */
    public static final class BaselineRow {
        public final String workload, method, dtype;
        public final double imagesPerSecond, gflops, seconds;
        /** A file-to-file row's output format and wall seconds (W8's CSV); null and NaN when the CSV has none. */
        public final String format;
        public final double wall;

        BaselineRow(String workload, String method, String dtype, double imagesPerSecond, double gflops, double seconds) {
            this(workload, method, dtype, imagesPerSecond, gflops, seconds, null, Double.NaN);
        }

        BaselineRow(String workload, String method, String dtype, double imagesPerSecond, double gflops, double seconds, String format, double wall) {
            this.format = format;
            this.wall = wall;
            this.workload = workload;
            this.method = method;
            this.dtype = dtype;
            this.imagesPerSecond = imagesPerSecond;
            this.gflops = gflops;
            this.seconds = seconds;
        }
    }

    public static String csv(List<BenchResult> results) {
        return csv(results, List.of());
    }

    /**
     * The bench's rows, then one row per timed command: method {@value #COMMAND}, {@code end_to_end_s} its
     * median wall seconds, {@code images_per_s} from it; the columns a command has no figure for are empty.
     */
    public static String csv(List<BenchResult> results, List<LatencyResult> latencies) {
        StringBuilder s = new StringBuilder(CSV_HEADER).append('\n');
        for (BenchResult r : results) {
            s.append(String.format(Locale.ROOT, "%s,%s,%s,%.6g,%.6g,%.6g,%.6g,%s,%.1f,%s,%s,%s,%s,%s,%s,%s,%s%n",
                    r.workload.id, r.method, r.dtype, r.imagesPerSecond(), r.gflops(), r.multiplySeconds(),
                    r.endToEndSeconds(), r.nnz == 0 ? "" : Long.toString(r.nnz), r.peakHeapBytes / 1048576.0,
                    r.explicitNnz == 0 ? "" : Long.toString(r.explicitNnz),
                    num(r.decodeSeconds()), num(r.packSeconds()), num(r.productSeconds()), num(r.unpackSeconds()), num(r.writeSeconds()),
                    num(r.jobSeconds()), num(r.inSparkSeconds())));
        }
        for (LatencyResult l : latencies) {
            s.append(String.format(Locale.ROOT, "%s,%s,f64,%.6g,,,%.6g,,,,,,,,,,%n", l.name, COMMAND, l.imagesPerSecond(), l.wallSeconds()));
        }
        return s.toString();
    }

    /** A CSV figure, empty when it was not measured. */
    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String cell(double v, String format) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    /**
     * Whole commands, cold JVM: median wall seconds, the runs, and where the time went by the command's own
     * clock (TCONV_TIMING's phases, medians; launcher = wall minus the JVM's phases).
     */
    public static String latencyMarkdown(List<LatencyResult> latencies) {
        StringBuilder s = new StringBuilder("| command | images | wall s (median) | runs (s) | launcher | jvm | options | session | job | stop | CPU s |\n");
        s.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (LatencyResult l : latencies) {
            StringBuilder runs = new StringBuilder();
            for (double v : l.wall) runs.append(runs.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v));
            s.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %s | %s |", l.name, l.images, l.wallSeconds(), runs, cell(l.launcherSeconds(), "%.2f")));
            for (String ph : LatencyResult.PHASES) s.append(' ').append(cell(l.phaseSeconds(ph), "%.2f")).append(" |");
            s.append(' ').append(cell(l.phaseSeconds("cpu"), "%.1f")).append(" |\n");
        }
        return s.toString();
    }

    /** Reads a CSV with {@link #CSV_HEADER}'s columns (in any order; extra columns are ignored). */
    public static List<BaselineRow> readBaseline(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) throw new IllegalArgumentException(csv + " is empty");
        Map<String, Integer> col = new LinkedHashMap<>();
        String[] head = lines.get(0).trim().split(",", -1);
        for (int i = 0; i < head.length; i++) col.put(head[i].trim(), i);
        for (String need : new String[] {"workload", "method", "dtype", "images_per_s", "gflops", "end_to_end_s"}) {
            if (!col.containsKey(need)) throw new IllegalArgumentException(csv + " has no column " + need + " (header: " + lines.get(0) + ")");
        }
        List<BaselineRow> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split(",", -1);
            try {
                String format = col.containsKey("format") ? f[col.get("format")].trim() : null;
                String wall = col.containsKey("wall_s") ? f[col.get("wall_s")].trim() : "";
                rows.add(new BaselineRow(f[col.get("workload")].trim(), f[col.get("method")].trim(), f[col.get("dtype")].trim(),
                        Double.parseDouble(f[col.get("images_per_s")]), Double.parseDouble(f[col.get("gflops")]),
                        Double.parseDouble(f[col.get("end_to_end_s")]), format, wall.isEmpty() ? Double.NaN : Double.parseDouble(wall)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(csv + ": cannot read line '" + line + "': " + e.getMessage());
            }
        }
        return rows;
    }

    /** The baseline row for a workload and dtype, or null. */
    static BaselineRow baselineFor(List<BaselineRow> baseline, BenchResult r) {
        for (BaselineRow b : baseline) {
            if (b.workload.equalsIgnoreCase(r.workload.id) && b.dtype.equalsIgnoreCase(r.dtype.toString())) return b;
        }
        return null;
    }

    public static String markdown(List<BenchResult> results, List<BaselineRow> baseline) {
        boolean f32 = results.stream().anyMatch(r -> !Double.isNaN(r.f32Error));
        StringBuilder s = new StringBuilder();
        s.append("| workload | method | dtype | images/s | GFLOP/s | multiply s | multiply GFLOP/s | end-to-end s (file to file) | end-to-end / multiply "
                + "| in Spark s | T build s | T non-zeros | T MB | peak heap MB | decode s | pack s | product s | unpack s | job s | write s |");
        if (!baseline.isEmpty()) s.append(" images/s vs ").append(baseline.get(0).method).append(" (multiply; end-to-end) |");
        if (f32) s.append(" f32 error vs f64 |");
        s.append('\n');
        s.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        if (!baseline.isEmpty()) s.append(" ---: |");
        if (f32) s.append(" ---: |");
        s.append('\n');
        for (BaselineRow b : baseline) {
            boolean shown = results.stream().anyMatch(r -> r.workload.id.equalsIgnoreCase(b.workload) && r.dtype.toString().equalsIgnoreCase(b.dtype));
            if (!shown) continue;
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %.4g | %.2f | %.4g | | | | | | | | | | | | |",
                    b.workload, b.method, b.dtype, rate(b.imagesPerSecond), b.gflops, b.seconds, b.gflops, b.seconds));
            if (!baseline.isEmpty()) s.append(" 1 |");
            if (f32) s.append(" |");
            s.append('\n');
        }
        for (BenchResult r : results) {
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %.4g | %.2f | %.4g | %.2f | %.4g | %s | %s | %s | %.0f |",
                    r.workload.id, r.method, r.dtype, rate(r.imagesPerSecond()), r.gflops(), r.multiplySeconds(), r.multiplyGflops(),
                    r.endToEndSeconds(), r.overheadRatio(), r.inSparkSeconds(), Double.isNaN(r.buildSeconds) ? "" : String.format(Locale.ROOT, "%.3g", r.buildSeconds),
                    r.nnz == 0 ? "" : Long.toString(r.nnz), r.matrixBytes == 0 ? "" : String.format(Locale.ROOT, "%.1f", r.matrixBytes / 1048576.0),
                    r.peakHeapBytes / 1048576.0));
            for (double v : new double[] {r.decodeSeconds(), r.packSeconds(), r.productSeconds(), r.unpackSeconds(), r.jobSeconds(), r.writeSeconds()}) {
                s.append(' ').append(cell(v, "%.4g")).append(" |");
            }
            if (!baseline.isEmpty()) {
                BaselineRow b = baselineFor(baseline, r);
                s.append(b == null ? " |" : String.format(Locale.ROOT, " %.2fx; %.2fx |",
                        r.multiplyImagesPerSecond() / b.imagesPerSecond, r.imagesPerSecond() / b.imagesPerSecond));
            }
            if (f32) s.append(Double.isNaN(r.f32Error) ? " |" : String.format(Locale.ROOT, " %.2e |", r.f32Error));
            s.append('\n');
        }
        return s.toString();
    }

    /** 46000 as 46,000; 18.6 as 18.6: rates span six orders of magnitude. */
    static String rate(double v) {
        if (v >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (v >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** A least-squares line time = fixed + perUnit * size, with its R². */
    public static final class LinearFit {
        public final double fixed, perUnit, r2;

        LinearFit(double fixed, double perUnit, double r2) {
            this.fixed = fixed;
            this.perUnit = perUnit;
            this.r2 = r2;
        }
    }

    /**
     * Fits time = fixed + perUnit * size over a series ({@code size} is images or pixels). Linear cost is a
     * good fit (R² near 1) with a small fixed part; the fixed part is what a Spark job costs anyway.
     */
    public static LinearFit linearFit(List<BenchResult> series, ToDoubleFunction<BenchResult> size, ToDoubleFunction<BenchResult> seconds) {
        int n = series.size();
        double mx = 0, my = 0;
        for (BenchResult r : series) {
            mx += size.applyAsDouble(r);
            my += seconds.applyAsDouble(r);
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (BenchResult r : series) {
            double dx = size.applyAsDouble(r) - mx, dy = seconds.applyAsDouble(r) - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        double b = sxy / sxx;
        return new LinearFit(my - b * mx, b, syy == 0 ? 1.0 : sxy * sxy / (sxx * syy));
    }
}
