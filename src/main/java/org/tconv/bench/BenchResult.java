package org.tconv.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.tconv.operator.Dtype;
import org.tconv.multiply.Method;

/** The figures of one (workload, method, dtype) of the bench: medians over the timed runs. */
public final class BenchResult {
    public final Workload workload;
    public final Method method;
    public final Dtype dtype;
    /** Seconds of the multiply alone, one per timed run. */
    public final List<Double> multiply;
    /**
     * Seconds end to end, file to file: the real job ({@code bin/tconv run}'s) reading the workload as .npy
     * files and writing its results as .npy, one per timed run (the in-memory figure where none was run).
     */
    public final List<Double> endToEnd;
    /** Seconds of the method inside Spark, from a cached RDD of input rows to every result computed (no files). */
    public final List<Double> inSpark;
    /** Seconds to build T once (toeplitz: the operator's distinct blocks; blockmatrix: its CSR blocks); NaN for direct. */
    public final double buildSeconds;
    /**
     * The non-zeros the method stores and their bytes: toeplitz the operator's distinct blocks, blockmatrix
     * the explicit T as CSR; 0 for direct, which has no T.
     */
    public final long nnz, matrixBytes;
    /** The explicit T's structural non-zeros (what a CSR of T would hold); 0 for direct. */
    public final long explicitNnz;
    /** Largest heap in use during a timed run (sum of the heap pools' peaks, garbage included). */
    public final long peakHeapBytes;
    /** Matrices the executors built during the timed runs: 0 means T was reused, never rebuilt per image. */
    public final long buildsDuringRuns;
    /** float32 only: max |y32 - y64| / max |y64| over a sample of images; NaN otherwise. */
    public final double f32Error;
    /** The end-to-end time taken apart: stages timed on their own (see {@link StageSplit}). */
    public final StageSplit split;

    /** A result whose stages around the product were not timed apart. */
    BenchResult(Workload workload, Method method, Dtype dtype, List<Double> multiply, List<Double> endToEnd,
                double buildSeconds, long nnz, long matrixBytes, long peakHeapBytes, long buildsDuringRuns, double f32Error,
                long explicitNnz) {
        this(workload, method, dtype, multiply, endToEnd, buildSeconds, nnz, matrixBytes, peakHeapBytes, buildsDuringRuns, f32Error,
                explicitNnz, new StageSplit(List.of(), List.of(), List.of(), List.of()));
    }

    BenchResult(Workload workload, Method method, Dtype dtype, List<Double> multiply, List<Double> endToEnd,
                double buildSeconds, long nnz, long matrixBytes, long peakHeapBytes, long buildsDuringRuns, double f32Error,
                long explicitNnz, StageSplit split) {
        this(workload, method, dtype, multiply, endToEnd, endToEnd, buildSeconds, nnz, matrixBytes, peakHeapBytes, buildsDuringRuns, f32Error,
                explicitNnz, split);
    }

    BenchResult(Workload workload, Method method, Dtype dtype, List<Double> multiply, List<Double> endToEnd, List<Double> inSpark,
                double buildSeconds, long nnz, long matrixBytes, long peakHeapBytes, long buildsDuringRuns, double f32Error,
                long explicitNnz, StageSplit split) {
        this.inSpark = List.copyOf(inSpark);
        this.workload = workload;
        this.method = method;
        this.dtype = dtype;
        this.multiply = List.copyOf(multiply);
        this.endToEnd = List.copyOf(endToEnd);
        this.buildSeconds = buildSeconds;
        this.nnz = nnz;
        this.matrixBytes = matrixBytes;
        this.peakHeapBytes = peakHeapBytes;
        this.buildsDuringRuns = buildsDuringRuns;
        this.f32Error = f32Error;
        this.explicitNnz = explicitNnz;
        this.split = split;
    }

    public double decodeSeconds() { return median(split.decode); }
    /** Packing the images into panels ({@code PanelTiming.packedPanel}); NaN where it is not timed apart. */
    public double packSeconds() { return median(split.pack); }
    /** The product alone: the multiply column. */
    public double productSeconds() { return multiplySeconds(); }
    /**
     * The rest of the method inside Spark: the in-Spark run minus pack, product and the empty job (unpack,
     * the output arrays, row objects). It is a difference of medians, so on a noisy machine it can come out
     * slightly negative.
     */
    public double unpackSeconds() {
        double pack = packSeconds(), job = jobSeconds();
        return inSparkSeconds() - (Double.isNaN(pack) ? 0 : pack) - productSeconds() - (Double.isNaN(job) ? 0 : job);
    }
    public double writeSeconds() { return median(split.write); }
    /** A Spark job over the same cached rows that only counts them: Spark's own share of end to end. */
    public double jobSeconds() { return median(split.job); }

    public double multiplySeconds() { return median(multiply); }
    public double endToEndSeconds() { return median(endToEnd); }
    public double inSparkSeconds() { return median(inSpark); }
    /** Images per second end to end (the CSV's images_per_s). */
    public double imagesPerSecond() { return workload.images / endToEndSeconds(); }
    /** GFLOP/s end to end (the CSV's gflops). */
    public double gflops() { return workload.totalFlops() / endToEndSeconds() / 1e9; }
    public double multiplyImagesPerSecond() { return workload.images / multiplySeconds(); }
    public double multiplyGflops() { return workload.totalFlops() / multiplySeconds() / 1e9; }
    /** What the job adds to the product: pack, unpack, Spark. The target is at most 1.5. */
    public double overheadRatio() { return endToEndSeconds() / multiplySeconds(); }

    public static double median(List<Double> v) {
        if (v.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
