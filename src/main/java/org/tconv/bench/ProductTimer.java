package org.tconv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.operator.Dtype;
import org.tconv.operator.ConvOperator;
import org.tconv.operator.OperatorCache;
import org.tconv.operator.PanelTiming;
import org.tconv.verify.DirectConvolution;

/**
 * The multiply alone, outside Spark, on as many threads as Spark has cores: for {@code toeplitz}, Y = T X
 * over the whole workload with X already packed into panels and every panel of Y kept (so the result is
 * written to memory, as the job writes it); for {@code direct}, the reference loop over every image.
 * The data are made before the clock starts. What the job adds on top (pack, unpack, Spark) is the
 * difference to the end-to-end time.
 */
final class ProductTimer implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    ProductTimer(int threads) {
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tconv-bench-product");
            t.setDaemon(true);
            return t;
        });
    }

    /** A workload packed for one thread: its panels of X and room for its panels of Y. */
    private static final class Share {
        final List<Object> x = new ArrayList<>();
        final List<Object> y = new ArrayList<>();
        final List<Integer> widths = new ArrayList<>();
    }

    /** Packs the images of {@code wl} into per-thread panels, with the product's own packing. */
    private List<Share> pack(Workload wl, PanelTiming t, Dtype dtype) {
        int in = t.geometry().inputSize(), out = t.geometry().outputSize();
        List<Share> shares = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            Share s = new Share();
            long from = (long) wl.images * th / threads, to = (long) wl.images * (th + 1) / threads;
            int count = (int) (to - from);
            int width = Math.max(1, PanelTiming.panelWidth(in, Math.max(1, count), dtype));
            for (long first = from; first < to; first += width) {
                double[][] images = new double[(int) Math.min(width, to - first)][];
                for (int j = 0; j < images.length; j++) images[j] = wl.image(first + j);
                int ws = t.panelRowLength(images.length, dtype);
                s.x.add(t.packedPanel(images, dtype));
                s.y.add(dtype == Dtype.F32 ? new float[out * ws] : new double[out * ws]);
                s.widths.add(ws);
            }
            shares.add(s);
        }
        return shares;
    }

    /**
     * Seconds of each pass of packing the whole workload into panels ({@link PanelTiming#packedPanel}),
     * on the product's threads, with the images made before the clock starts: the job's pack step alone.
     */
    List<Double> packing(Workload wl, PanelTiming t, Dtype dtype, int warmup, int runs) throws Exception {
        int in = t.geometry().inputSize();
        List<List<double[][]>> panels = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            List<double[][]> mine = new ArrayList<>();
            long from = (long) wl.images * th / threads, to = (long) wl.images * (th + 1) / threads;
            int width = Math.max(1, PanelTiming.panelWidth(in, Math.max(1, (int) (to - from)), dtype));
            for (long first = from; first < to; first += width) {
                double[][] images = new double[(int) Math.min(width, to - first)][];
                for (int j = 0; j < images.length; j++) images[j] = wl.image(first + j);
                mine.add(images);
            }
            panels.add(mine);
        }
        Object[] sink = new Object[threads]; // the last panel of each thread stays reachable: the packing is not dead code
        return time(warmup, runs, () -> { }, share -> {
            for (double[][] images : panels.get(share)) sink[share] = t.packedPanel(images, dtype);
        });
    }

    /** Seconds of each of {@code warmup + runs} passes of Y = T X over the whole workload; warm-ups dropped. */
    List<Double> toeplitz(Workload wl, PanelTiming t, Dtype dtype, int warmup, int runs) throws Exception {
        List<Share> shares = pack(wl, t, dtype);
        return time(warmup, runs, () -> { }, share -> {
            Share s = shares.get(share);
            for (int i = 0; i < s.widths.size(); i++) {
                if (dtype == Dtype.F32) {
                    t.multiplyPanel((float[]) s.x.get(i), s.widths.get(i), (float[]) s.y.get(i));
                } else {
                    t.multiplyPanel((double[]) s.x.get(i), s.widths.get(i), (double[]) s.y.get(i));
                }
            }
        });
    }

    /**
     * A workload whose items do not share a shape (W6): every pass starts with no T cached and builds each
     * item's T before multiplying it, as a job meeting these shapes for the first time does; so the
     * figure is build plus product.
     */
    List<Double> toeplitzMixed(Workload wl, ConvSpec spec, Dtype dtype, int warmup, int runs) throws Exception {
        List<List<double[]>> data = new ArrayList<>();
        List<List<ConvGeometry>> shapes = new ArrayList<>();
        splitMixed(wl, spec, data, shapes);
        int[] zero = {0};
        return time(warmup, runs, OperatorCache::clear, share -> {
            List<double[]> x = data.get(share);
            for (int i = 0; i < x.size(); i++) {
                ConvOperator t = ConvOperator.of(shapes.get(share).get(i));
                double[][] y = {new double[t.geometry().outputSize()]};
                t.convolve(new double[][] {x.get(i)}, zero, y, zero, dtype);
            }
        });
    }

    /** A workload of many shapes split between the threads: each thread's images and their geometries. */
    private void splitMixed(Workload wl, ConvSpec spec, List<List<double[]>> data, List<List<ConvGeometry>> shapes) {
        for (int th = 0; th < threads; th++) {
            List<double[]> x = new ArrayList<>();
            List<ConvGeometry> g = new ArrayList<>();
            for (long i = (long) wl.images * th / threads; i < (long) wl.images * (th + 1) / threads; i++) {
                x.add(wl.image(i));
                g.add(spec.geometry(wl.shape(i)));
            }
            data.add(x);
            shapes.add(g);
        }
    }

    /** Seconds of each pass of the direct loop over every image, images split between the threads. */
    List<Double> direct(Workload wl, ConvSpec spec, int warmup, int runs) throws Exception {
        if (!wl.uniform()) {
            List<List<double[]>> data = new ArrayList<>();
            List<List<ConvGeometry>> shapes = new ArrayList<>();
            splitMixed(wl, spec, data, shapes);
            return time(warmup, runs, () -> { }, share -> {
                for (int i = 0; i < data.get(share).size(); i++) DirectConvolution.convolve(shapes.get(share).get(i), data.get(share).get(i), 0);
            });
        }
        ConvGeometry g = spec.geometry(wl.inputShape());
        int in = g.inputSize();
        List<double[]> data = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long from = (long) wl.images * t / threads, to = (long) wl.images * (t + 1) / threads;
            double[] x = new double[(int) (to - from) * in];
            for (long i = from; i < to; i++) System.arraycopy(wl.image(i), 0, x, (int) (i - from) * in, in);
            data.add(x);
        }
        return time(warmup, runs, () -> { }, share -> {
            double[] x = data.get(share);
            for (int off = 0; off < x.length; off += in) DirectConvolution.convolve(g, x, off);
        });
    }

    private interface Work {
        void run(int share) throws Exception;
    }

    /** {@code before} runs ahead of each pass, outside the clock. */
    private List<Double> time(int warmup, int runs, Runnable before, Work work) throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int run = 0; run < warmup + runs; run++) {
            before.run();
            long t0 = System.nanoTime();
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int share = t;
                parts.add(pool.submit(() -> {
                    work.run(share);
                    return null;
                }));
            }
            for (Future<?> f : parts) f.get();
            if (run >= warmup) seconds.add((System.nanoTime() - t0) / 1e9);
        }
        return seconds;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
