package org.tconv.multiply;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.tconv.operator.Dtype;
import org.tconv.operator.ConvOperator;
import org.tconv.operator.PanelTiming;
import org.tconv.bench.Workload;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.job.ConvolutionJob;
import org.tconv.job.SparkSessions;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;

/**
 * Where a workload's end-to-end time goes beyond the product, in float64: the steps from the bench's
 * multiply (pre-packed panels) to {@link ToeplitzMethod} inside Spark, each added one at a time and timed
 * in one JVM, the runs interleaved (so a busy machine slows every step alike), medians. A measurement, not a
 * test (the README's "Start-up" gives the command and a run's figures):
 *
 * <pre>
 *   java &lt;spark.jvm.flags&gt; -Xmx16g -XX:G1HeapRegionSize=32m -cp ... org.tconv.multiply.EndToEndFloor W1 21 [PARTITIONS]
 * </pre>
 *
 * <ol>
 *   <li>product: {@link PanelTiming#multiplyPanel} on panels packed before the clock, as the bench times it;
 *   <li>apply, one output reused: {@link ConvOperator#convolve} on the rows of 100 images (pack, product, unpack)
 *       into one output array per thread, so the results stay in cache;
 *   <li>apply, new outputs: the same into a new array per row, as a job must (1 GB per run for W1);
 *   <li>Spark, empty job: a job over the cached rows whose tasks only count them;
 *   <li>Spark, apply (reused / new outputs): the two apply steps in Spark's tasks;
 *   <li>Spark, ToeplitzMethod: the method as {@code tconv run} and the bench run it.
 * </ol>
 */
public final class EndToEndFloor {
    private EndToEndFloor() {}

    private static final ThreadLocal<double[]> REUSED = new ThreadLocal<>();
    private static final int PER_ROW = 100;

    public static void main(String[] args) throws Exception {
        Workload wl = Workload.parse(args.length > 0 ? args[0] : "W1");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 21;
        SparkSession spark = SparkSessions.getOrCreate(null);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ConvSpec spec = wl.spec();
        ConvGeometry g = spec.geometry(wl.inputShape());
        int rows = (wl.images + PER_ROW - 1) / PER_ROW, size = g.inputSize(), threads = sc.defaultParallelism();
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : ConvolutionJob.partitionsFor(rows, threads);
        List<Integer> ids = new ArrayList<>();
        for (int r = 0; r < rows; r++) ids.add(r);
        int[] outShape = g.outputShape();
        JavaRDD<ImageBatch> input = sc.parallelize(ids, partitions).map(r -> {
            long first = (long) r * PER_ROW;
            int count = (int) Math.min(PER_ROW, wl.images - first);
            double[] values = new double[count * size];
            for (int i = 0; i < count; i++) System.arraycopy(wl.image(first + i), 0, values, i * size, size);
            ImageBatch b = ImageBatch.of(new InputFile("bench:/" + r + ".npy", r + ".npy"), true, count, wl.inputShape(), values);
            b.setOutShape(outShape);
            return b;
        }).persist(StorageLevel.MEMORY_ONLY());
        input.count();
        List<ImageBatch> local = input.collect();
        ConvOperator op = ConvOperator.of(g);
        PanelTiming t = new PanelTiming(op);

        int width = PanelTiming.panelWidth(size, Integer.MAX_VALUE, Dtype.F64);
        List<List<double[]>> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            List<double[]> x = new ArrayList<>(), y = new ArrayList<>();
            int to = (int) ((long) wl.images * (th + 1) / threads);
            for (int first = (int) ((long) wl.images * th / threads); first < to; first += width) {
                double[][] images = new double[Math.min(width, to - first)][];
                for (int j = 0; j < images.length; j++) images[j] = wl.image(first + j);
                x.add((double[]) t.packedPanel(images, Dtype.F64));
                y.add(new double[g.outputSize() * t.panelRowLength(images.length, Dtype.F64)]);
            }
            xs.add(x);
            ys.add(y);
        }

        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (String step : List.of("product (pre-packed panels)", "apply, one output reused", "apply, new outputs",
                "Spark, empty job", "Spark, apply, one output reused", "Spark, apply, new outputs", "Spark, ToeplitzMethod")) {
            seconds.put(step, new ArrayList<>());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int run = 0; run < 3 + runs; run++) {
                List<Double> t0 = new ArrayList<>();
                t0.add(now());
                onThreads(pool, threads, th -> {
                    for (int i = 0; i < xs.get(th).size(); i++) {
                        double[] y = ys.get(th).get(i);
                        t.multiplyPanel(xs.get(th).get(i), y.length / g.outputSize(), y);
                    }
                });
                t0.add(now());
                onThreads(pool, threads, th -> {
                    for (int i = th; i < local.size(); i += threads) applyRow(op, local.get(i), true);
                });
                t0.add(now());
                onThreads(pool, threads, th -> {
                    for (int i = th; i < local.size(); i += threads) applyRow(op, local.get(i), false);
                });
                t0.add(now());
                input.map(b -> (long) b.getCount()).reduce(Long::sum);
                t0.add(now());
                input.mapPartitions(it -> applyAll(g, it, true)).reduce(Long::sum);
                t0.add(now());
                input.mapPartitions(it -> applyAll(g, it, false)).reduce(Long::sum);
                t0.add(now());
                input.mapPartitions(new ToeplitzMethod(spec, false, Dtype.F64)).map(b -> (long) b.outLength()).reduce(Long::sum);
                t0.add(now());
                if (run < 3) continue; // warm-up
                int k = 0;
                for (List<Double> s : seconds.values()) s.add(t0.get(k + 1) - t0.get(k++));
            }
        } finally {
            pool.shutdown();
        }
        double product = median(seconds.values().iterator().next());
        System.out.printf("%s, %d rows of %d images in %d partitions, %d threads, medians of %d interleaved runs, load %s%n",
                wl.id, rows, PER_ROW, partitions, threads, runs, Files.readString(Path.of("/proc/loadavg")).trim());
        for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
            double m = median(e.getValue());
            System.out.printf("  %-34s %.4f s  %.2fx product%n", e.getKey(), m, m / product);
        }
        spark.stop();
    }

    private interface Share {
        void run(int thread) throws Exception;
    }

    private static void onThreads(ExecutorService pool, int threads, Share share) throws Exception {
        List<Future<?>> parts = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            int mine = th;
            parts.add(pool.submit(() -> {
                share.run(mine);
                return null;
            }));
        }
        for (Future<?> f : parts) f.get();
    }

    private static long applyRow(ConvOperator t, ImageBatch b, boolean reuse) {
        int length = b.getCount() * t.geometry().outputSize();
        double[] out = reuse ? REUSED.get() : null;
        if (out == null || out.length < length) {
            out = new double[length];
            if (reuse) REUSED.set(out);
        }
        t.convolve(b.getValues(), 0, b.getCount(), out, 0);
        return length;
    }

    private static java.util.Iterator<Long> applyAll(ConvGeometry g, java.util.Iterator<ImageBatch> rows, boolean reuse) {
        ConvOperator t = ConvOperator.of(g);
        long values = 0;
        while (rows.hasNext()) values += applyRow(t, rows.next(), reuse);
        return List.of(values).iterator();
    }

    private static double now() {
        return System.nanoTime() / 1e9;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
