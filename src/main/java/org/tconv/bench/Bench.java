package org.tconv.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.job.ConvolutionJob;
import org.tconv.multiply.BlockPlan;
import org.tconv.operator.Dtype;
import org.tconv.operator.ConvOperator;
import org.tconv.operator.OperatorCache;
import org.tconv.operator.PanelTiming;
import org.tconv.multiply.Method;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;
import org.tconv.job.Verification;
import org.tconv.write.OutputFormat;
import org.tconv.write.PendingOutput;
import org.tconv.write.ResultWriter;

import scala.Tuple2;

/**
 * Runs one (workload, method, dtype) in this process: makes the data, times the multiply alone
 * ({@link ProductTimer}; MLlib's {@code BlockMatrix.multiply} for blockmatrix) and the method end to end
 * inside Spark, from a cached RDD of input rows to every result computed. Each is timed {@code warmup}
 * times untimed, then {@code runs} times. T is built once per executor (the first warm-up builds it, as the
 * first batch of a long-running job would) and its build is timed on its own.
 */
public final class Bench {
    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final int warmup, runs, batch;
    private final Path outRoot;

    /** {@code outRoot}: where the file-to-file runs put the workload's files and the outputs (tmpfs: /dev/shm). */
    public Bench(SparkSession spark, int warmup, int runs, int batch, Path outRoot) {
        this.outRoot = outRoot;
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.warmup = warmup;
        this.runs = runs;
        this.batch = batch;
    }

    public int parallelism() {
        return sc.defaultParallelism();
    }

    public BenchResult run(Workload wl, Method method, Dtype dtype) throws Exception {
        ConvSpec spec = wl.spec();
        if (!wl.uniform()) return runMixed(wl, spec, method, dtype);
        ConvGeometry g = spec.geometry(wl.inputShape());
        List<Double> multiply;
        double build = Double.NaN;
        // what each method stores: blockmatrix the explicit T (CSR blocks), toeplitz the operator (below)
        long explicitNnz = method == Method.DIRECT ? 0 : g.structuralNonZeros();
        long nnz = explicitNnz;
        long bytes = method == Method.DIRECT ? 0 : g.csrBytes();
        double f32Error = Double.NaN;
        List<Double> pack = List.of();
        try (ProductTimer timer = new ProductTimer(parallelism())) {
            switch (method) {
                case TOEPLITZ: {
                    OperatorCache.clear();
                    long t0 = System.nanoTime();
                    PanelTiming t = new PanelTiming(ConvOperator.of(g));
                    // what the timed product walks is part of the build: the line plans for wide panels
                    t.prepare(PanelTiming.panelWidth(g.inputSize(), (int) Math.min(Integer.MAX_VALUE, wl.images), dtype), dtype);
                    build = (System.nanoTime() - t0) / 1e9;
                    nnz = t.storedNonZeros();
                    bytes = t.bytes(); // the operator and the line plans the product walks
                    pack = timer.packing(wl, t, dtype, warmup, runs);
                    multiply = timer.toeplitz(wl, t, dtype, warmup, runs);
                    if (dtype == Dtype.F32) f32Error = f32Error(wl, ConvOperator.of(g));
                    break;
                }
                case BLOCKMATRIX: {
                    double[] buildOut = new double[1];
                    multiply = blockMatrixProduct(wl, g, buildOut);
                    build = buildOut[0];
                    break;
                }
                case DIRECT:
                    multiply = timer.direct(wl, spec, warmup, runs);
                    break;
                default:
                    throw new AssertionError(method);
            }
        }
        System.gc(); // the product timer's panels are garbage now; the Spark runs should not pay for them
        EndToEnd e = endToEnd(wl, spec, g, method, dtype);
        List<Double> files = fileToFile(wl, method, dtype);
        return new BenchResult(wl, method, dtype, multiply, files, e.seconds, build, nnz, bytes, e.peakHeap, e.builds, f32Error, explicitNnz,
                new StageSplit(e.decode, pack, e.write, e.job));
    }

    /**
     * A workload of many shapes (W6): its point is that whatever is built per shape is paid per image, so
     * every timed run, the multiply alone and end to end, starts with no T cached and builds each one
     * (T built ... times during the timed runs says so). {@code T build s} is building all of them once;
     * the non-zeros and bytes are those of all the workload's T's together.
     */
    private BenchResult runMixed(Workload wl, ConvSpec spec, Method method, Dtype dtype) throws Exception {
        if (method == Method.BLOCKMATRIX) {
            throw new IllegalArgumentException("blockmatrix is timed on workloads of one shape only (one MLlib product per"
                    + " shape would time 48 Spark jobs, not the method)");
        }
        long nnz = 0, bytes = 0, explicitNnz = 0;
        double build = Double.NaN, f32Error = Double.NaN;
        List<Double> multiply;
        try (ProductTimer timer = new ProductTimer(parallelism())) {
            if (method == Method.TOEPLITZ) {
                OperatorCache.clear();
                long t0 = System.nanoTime();
                for (long i = 0; i < wl.images; i++) {
                    ConvGeometry g = spec.geometry(wl.shape(i));
                    PanelTiming t = new PanelTiming(ConvOperator.of(g));
                    nnz += t.storedNonZeros();
                    bytes += t.blockBytes();
                    explicitNnz += g.structuralNonZeros();
                }
                build = (System.nanoTime() - t0) / 1e9;
                multiply = timer.toeplitzMixed(wl, spec, dtype, warmup, runs);
                if (dtype == Dtype.F32) f32Error = f32Error(wl, ConvOperator.of(spec.geometry(wl.shape(0))));
            } else {
                multiply = timer.direct(wl, spec, warmup, runs);
            }
        }
        System.gc();
        EndToEnd e = endToEnd(wl, spec, null, method, dtype);
        List<Double> files = fileToFile(wl, method, dtype);
        // pack is not timed apart here: each image's T is built and applied (pack, product, unpack) in the multiply
        return new BenchResult(wl, method, dtype, multiply, files, e.seconds, build, nnz, bytes, e.peakHeap, e.builds, f32Error, explicitNnz,
                new StageSplit(e.decode, List.of(), e.write, e.job));
    }

    /**
     * End to end as a user runs it: the workload written once as .npy files ({@link Shards}: (N, C, H, W) files
     * of {@code batch} images, one file per image for W6) under {@code outRoot}, then the real job
     * ({@link ConvolutionJob#run}, {@code bin/tconv run}'s) from them into {@code --format npy}; one untimed run
     * when there are warm-ups, then {@code runs}; each output and finally the files deleted. The job's seconds
     * (its summary's "in X s": list, read, decode, product, encode, write, commit).
     */
    private List<Double> fileToFile(Workload wl, Method method, Dtype dtype) throws Exception {
        Files.createDirectories(outRoot);
        Path dir = Files.createTempDirectory(outRoot, "tconv-bench-" + wl.id.replace('@', '-') + "-");
        List<Double> seconds = new ArrayList<>();
        try {
            Path in = dir.resolve("in");
            Shards.write(wl, in, batch);
            for (int run = 0; run < Math.min(warmup, 1) + runs; run++) {
                if (!wl.uniform()) OperatorCache.clear(); // many shapes: every run meets them for the first time
                Path out = dir.resolve("out-" + run);
                try {
                    org.tconv.job.JobResult r = ConvolutionJob.run(spark, new org.tconv.job.JobConfig(in.resolve("images").toUri().toString(),
                            out.toUri().toString(), wl.spec(), method, OutputFormat.NPY, false, dtype));
                    if (r.itemsConvolved != wl.images || !r.rejected.isEmpty()) {
                        throw new IllegalStateException(wl.id + " file to file: convolved " + r.itemsConvolved + " of " + wl.images + ", rejected " + r.rejected);
                    }
                    if (run >= Math.min(warmup, 1)) seconds.add(r.seconds);
                } finally {
                    if (Files.exists(out)) deleteTree(out);
                }
            }
        } finally {
            deleteTree(dir);
        }
        return seconds;
    }

    private static final class EndToEnd {
        final List<Double> seconds = new ArrayList<>();
        /** Making the input rows (the bench's decode: an uncached pass over {@link #inputRows}). */
        final List<Double> decode = new ArrayList<>();
        /** Writing computed results (cached first) as parquet to a new directory. */
        final List<Double> write = new ArrayList<>();
        /** A job over the cached input rows whose tasks only count them, run beside each end-to-end run. */
        final List<Double> job = new ArrayList<>();
        long peakHeap;
        long builds;
    }

    /**
     * The method as the job runs it, on a cached RDD of input rows; every result is computed and counted.
     * Beside it, timed on their own: making the input rows (decode) and writing the results (write).
     */
    private EndToEnd endToEnd(Workload wl, ConvSpec spec, ConvGeometry g, Method method, Dtype dtype) throws java.io.IOException {
        EndToEnd e = new EndToEnd();
        for (int run = 0; run < Math.min(warmup, 1) + runs; run++) {
            long t0 = System.nanoTime();
            inputRows(wl, g).count();
            if (run >= Math.min(warmup, 1)) e.decode.add((System.nanoTime() - t0) / 1e9);
        }
        JavaRDD<ImageBatch> input = inputRows(wl, g).persist(StorageLevel.MEMORY_ONLY());
        try {
            input.count();
            long expected = 0;
            for (long i = 0; i < wl.images; i++) expected += (g != null ? g : spec.geometry(wl.shape(i))).outputElements();
            for (int run = 0; run < warmup + runs; run++) {
                if (g == null) OperatorCache.clear(); // many shapes: every run meets them for the first time
                resetHeapPeaks();
                long builds = OperatorCache.buildCount();
                long t0 = System.nanoTime();
                long values = method.apply(spark, input, spec, false, dtype)
                        .map(b -> {
                            if (!b.ok()) throw new IllegalStateException(b.getPath() + ": " + b.getError());
                            return (long) b.outLength();
                        })
                        .reduce(Long::sum);
                double s = (System.nanoTime() - t0) / 1e9;
                if (values != expected) throw new IllegalStateException("computed " + values + " output values, expected " + expected);
                long j0 = System.nanoTime();
                long rows = input.map(b -> (long) b.getCount()).reduce(Long::sum);
                double job = (System.nanoTime() - j0) / 1e9;
                if (rows != wl.images) throw new IllegalStateException("counted " + rows + " images, expected " + wl.images);
                if (run >= warmup) {
                    e.seconds.add(s);
                    e.job.add(job);
                    e.peakHeap = Math.max(e.peakHeap, heapPeak());
                    e.builds += OperatorCache.buildCount() - builds;
                }
                unpersistAllBut(input);
            }
            timeWrite(input, spec, method, dtype, e);
            return e;
        } finally {
            input.unpersist(true);
        }
    }

    /**
     * The results computed once and cached, then written as {@code tconv run} writes them (parquet, the
     * default format, through {@link ResultWriter}) into a new directory of the bench's own, which is deleted
     * after each run; one untimed write first when there are warm-ups.
     */
    private void timeWrite(JavaRDD<ImageBatch> input, ConvSpec spec, Method method, Dtype dtype, EndToEnd e) throws java.io.IOException {
        JavaRDD<ImageBatch> result = method.apply(spark, input, spec, false, dtype).persist(StorageLevel.MEMORY_ONLY());
        try {
            result.count();
            org.apache.hadoop.conf.Configuration conf = PendingOutput.writerConf(sc.hadoopConfiguration());
            for (int run = 0; run < Math.min(warmup, 1) + runs; run++) {
                Path dir = Files.createTempDirectory("tconv-bench-write");
                try {
                    long t0 = System.nanoTime();
                    ResultWriter.write(spark, result, OutputFormat.PARQUET, dir.toUri().toString(), conf,
                            sc.sc().collectionAccumulator(), sc.sc().longAccumulator(), sc.sc().longAccumulator(), null, dtype == Dtype.F32);
                    if (run >= Math.min(warmup, 1)) e.write.add((System.nanoTime() - t0) / 1e9);
                } finally {
                    deleteTree(dir);
                }
            }
        } finally {
            result.unpersist(true);
        }
    }

    /** Deletes a directory this bench made (and only such: the callers pass their own temp directories). */
    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }

    /**
     * Rows of {@code batch} images each, as (N, C, H, W) .npy files would give (fewer when the workload
     * has fewer than {@code batch} images per core, so every core gets rows); made in the tasks.
     */
    private JavaRDD<ImageBatch> inputRows(Workload wl, ConvGeometry g) {
        if (g == null) return mixedRows(wl);
        int per = Math.max(1, Math.min(batch, (wl.images + parallelism() - 1) / parallelism()));
        int rows = (wl.images + per - 1) / per;
        List<Integer> ids = new ArrayList<>();
        for (int r = 0; r < rows; r++) ids.add(r);
        int[] outShape = g.outputShape();
        int size = g.inputSize();
        return sc.parallelize(ids, ConvolutionJob.partitionsFor(rows, parallelism())).map(r -> {
            long first = (long) r * per;
            int count = (int) Math.min(per, wl.images - first);
            double[] values = new double[count * size];
            for (int i = 0; i < count; i++) System.arraycopy(wl.image(first + i), 0, values, i * size, size);
            String name = wl.id + "-" + r + ".npy";
            ImageBatch b = ImageBatch.of(new InputFile("bench:/" + name, name), per > 1, count, wl.inputShape(), values);
            b.setOutShape(outShape);
            return b;
        });
    }

    /** One row per item (items of different shapes cannot share a row), as one file per photo gives them. */
    private JavaRDD<ImageBatch> mixedRows(Workload wl) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < wl.images; i++) ids.add(i);
        ConvSpec spec = wl.spec();
        return sc.parallelize(ids, ConvolutionJob.partitionsFor(wl.images, parallelism())).map(i -> {
            String name = wl.id + "-" + i + ".npy";
            ImageBatch b = ImageBatch.of(new InputFile("bench:/" + name, name), false, 1, wl.shape(i), wl.image(i));
            b.setOutShape(spec.geometry(wl.shape(i)).outputShape());
            return b;
        });
    }

    /**
     * MLlib's product alone: T (sparse blocks) and X (dense blocks, pixels x images) are built and cached
     * first, with the block sizes the blockmatrix method would choose; each run is {@code T.multiply(X)}
     * with every result block computed.
     */
    private List<Double> blockMatrixProduct(Workload wl, ConvGeometry g, double[] buildSeconds) {
        BlockPlan plan = BlockPlan.choose(g, wl.images, parallelism());
        long t0 = System.nanoTime();
        BlockMatrix t = ConvOperator.of(g).toBlockMatrix(sc, plan.rowsPerBlock, plan.colsPerBlock, plan.partitions);
        t.blocks().persist(StorageLevel.MEMORY_AND_DISK());
        t.blocks().count();
        buildSeconds[0] = (System.nanoTime() - t0) / 1e9;
        BlockMatrix x = denseX(wl, g, plan);
        x.blocks().persist(StorageLevel.MEMORY_AND_DISK());
        x.blocks().count();
        List<Double> seconds = new ArrayList<>();
        try {
            for (int run = 0; run < warmup + runs; run++) {
                long s0 = System.nanoTime();
                t.multiply(x).blocks().count();
                if (run >= warmup) seconds.add((System.nanoTime() - s0) / 1e9);
            }
        } finally {
            t.blocks().unpersist(true);
            x.blocks().unpersist(true);
        }
        return seconds;
    }

    private BlockMatrix denseX(Workload wl, ConvGeometry g, BlockPlan plan) {
        int pixels = g.inputSize(), cpb = plan.colsPerBlock, ipb = plan.itemsPerBlock;
        int rowBlocks = (pixels + cpb - 1) / cpb, colBlocks = (wl.images + ipb - 1) / ipb;
        List<Tuple2<Integer, Integer>> ids = new ArrayList<>();
        for (int bj = 0; bj < rowBlocks; bj++) {
            for (int bk = 0; bk < colBlocks; bk++) ids.add(new Tuple2<>(bj, bk));
        }
        JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks = sc.parallelize(ids, Math.max(1, Math.min(ids.size(), plan.partitions)))
                .mapToPair(id -> {
                    int bj = id._1, bk = id._2;
                    int r = Math.min(cpb, pixels - bj * cpb), c = Math.min(ipb, wl.images - bk * ipb);
                    double[] v = new double[r * c];
                    for (int j = 0; j < c; j++) System.arraycopy(wl.image((long) bk * ipb + j), bj * cpb, v, j * r, r);
                    return new Tuple2<>(new Tuple2<Object, Object>(bj, bk), (Matrix) new DenseMatrix(r, c, v));
                });
        return new BlockMatrix(blocks.rdd(), cpb, ipb, pixels, wl.images);
    }

    /** max |y32 - y64| / max |y64| over the first (up to) 64 images (a mixed workload: its first image). */
    private static double f32Error(Workload wl, ConvOperator t) {
        ConvGeometry g = t.geometry();
        int n = wl.uniform() ? Math.min(64, wl.images) : 1;
        double[][] in = new double[n][];
        double[][] y64 = new double[n][], y32 = new double[n][];
        int[] zero = new int[n];
        for (int i = 0; i < n; i++) {
            in[i] = wl.image(i);
            y64[i] = new double[g.outputSize()];
            y32[i] = new double[g.outputSize()];
        }
        t.convolve(in, zero, y64, zero, Dtype.F64);
        t.convolve(in, zero, y32, zero, Dtype.F32);
        double diff = 0, scale = 0;
        for (int i = 0; i < n; i++) {
            double[] d = Verification.differences(y32[i], y64[i]);
            diff = Math.max(diff, d[0]);
            scale = Math.max(scale, d[1]);
        }
        return scale == 0 ? 0 : diff / scale;
    }

    private void unpersistAllBut(JavaRDD<?> keep) {
        for (Map.Entry<Integer, org.apache.spark.api.java.JavaRDD<?>> e : sc.getPersistentRDDs().entrySet()) {
            if (e.getKey() != keep.id()) e.getValue().unpersist(true);
        }
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        }
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }
}
