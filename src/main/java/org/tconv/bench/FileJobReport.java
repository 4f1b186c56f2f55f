package org.tconv.bench;

import java.util.List;
import java.util.Locale;

import org.tconv.operator.Dtype;

/**
 * The file-to-file table (W8, W8s, W8t): tconv's jobs with their split, the peers beside them (run by the
 * bench, or rows of a baseline CSV), the machine's bound and each job's fraction of it.
 */
public final class FileJobReport {
    private FileJobReport() {}

    public static final String CSV_HEADER = "workload,method,dtype,format,images,images_per_s,gflops,end_to_end_s,wall_s,"
            + "list_s,read_s,decode_s,product_s,encode_s,write_s,commit_s,busy,output_mb,bound_s";

    /** 2 * C_out * C_in * 3 * 3 per output pixel: W8's FLOPs from its pixels. */
    static double flops(long pixels) {
        return 2.0 * PhotoFolder.C_OUT * 3 * 9 * pixels;
    }

    public static String csv(List<FileJobBench.Result> results, long pixels, MachineBound bound) {
        StringBuilder s = new StringBuilder(CSV_HEADER).append('\n');
        for (FileJobBench.Result r : results) {
            JobSplit sp = r.split();
            double job = r.jobSeconds();
            s.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%.6g,%.6g,%.6g,%s", r.input.id, r.method, r.dtype, r.format, r.input.images,
                    r.input.images / job, flops(pixels) / job / 1e9, job, num(r.wallSeconds())));
            for (int i = 0; i < JobSplit.STAGES.length; i++) s.append(',').append(sp == null ? "" : num(sp.seconds[i]));
            s.append(',').append(sp == null ? "" : num(sp.busy));
            s.append(',').append(num(r.outputBytes / 1048576.0));
            s.append(',').append(bound == null ? "" : num(bound.seconds(r.dtype, r.outputBytes)));
            s.append('\n');
        }
        return s.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String cell(double v, String format) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    /** The OpenCV script's job seconds for a dtype: measured in this run first, else the baseline's. */
    static double opencvSeconds(List<FileJobBench.Result> results, List<BenchReport.BaselineRow> baseline, String workload, Dtype d) {
        for (FileJobBench.Result r : results) {
            if (r.method.equals("opencv") && r.dtype == d) return r.jobSeconds();
        }
        for (BenchReport.BaselineRow b : baseline) {
            if (b.method.equalsIgnoreCase("opencv") && b.dtype.equalsIgnoreCase(d.toString()) && b.workload.equalsIgnoreCase("W8")) return b.seconds;
        }
        return Double.NaN;
    }

    public static String markdown(List<FileJobBench.Result> results, List<BenchReport.BaselineRow> baseline, MachineBound bound) {
        StringBuilder s = new StringBuilder("| workload | tool | format | dtype | images | job s | wall s | images/s | list | read | decode | product "
                + "| encode | write | commit | tasks busy | output MB | bound s | job / bound | speed vs OpenCV script |\n");
        s.append("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (BenchReport.BaselineRow b : baseline) {
            if (!b.workload.toUpperCase(Locale.ROOT).startsWith("W8")) continue;
            s.append(String.format(Locale.ROOT, "| %s | %s (baseline CSV) | %s | %s | | %.3f | %s | %s | | | | | | | | | | | | %s |%n",
                    b.workload, b.method, b.format == null ? "npy" : b.format, b.dtype, b.seconds, cell(b.wall, "%.2f"), BenchReport.rate(b.imagesPerSecond),
                    b.method.equalsIgnoreCase("opencv") ? "1" : ""));
        }
        for (FileJobBench.Result r : results) {
            JobSplit sp = r.split();
            double job = r.jobSeconds();
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %.3f | %s | %s |", r.input.id, r.method.equals("toeplitz") ? "tconv" : r.method + " script",
                    r.format, r.dtype, r.input.images, job, cell(r.wallSeconds(), "%.2f"), BenchReport.rate(r.imagesPerSecond())));
            for (int i = 0; i < JobSplit.STAGES.length; i++) s.append(' ').append(sp == null ? "" : cell(sp.seconds[i], "%.3f")).append(" |");
            s.append(' ').append(sp == null ? "" : cell(sp.busy, "%.2f")).append(" |");
            s.append(' ').append(cell(r.outputBytes / 1048576.0, "%.0f")).append(" |");
            double b = bound == null ? Double.NaN : bound.seconds(r.dtype, r.outputBytes);
            s.append(' ').append(cell(b, "%.3f")).append(" | ").append(cell(job / b, "%.2f")).append(" |");
            double cv = opencvSeconds(results, baseline, "W8", r.dtype);
            s.append(' ').append(cell(cv / job, "%.2fx")).append(" |\n");
        }
        return s.toString();
    }
}
