package org.tconv.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.tconv.conv.ConvGeometry;
import org.tconv.operator.Dtype;
import org.tconv.operator.ConvOperator;
import org.tconv.operator.PanelTiming;
import org.tconv.read.ImageDecoder;

/**
 * What a file-to-file job on this machine cannot beat: decoding every pixel at libjpeg-turbo's rate on
 * every core, the product at the multiply's rate, and writing the result bytes at the output file system's
 * sequential rate, one after the other (each already uses every core). Every rate is measured here: decode
 * by PIL (libjpeg-turbo) on one thread on the same files ({@code bench/decode_rate.py}, Debian's python3-pil;
 * tconv's own decoder when it cannot run, said so), the product by {@link ProductTimer} on W3's images and
 * kernel (8x3x3x3, padding 1, the kernel W8 uses), the write by {@link #writeRate}.
 */
public final class MachineBound {
    public double libjpegMpixPerSecond = Double.NaN, tconvDecodeMpixPerSecond = Double.NaN;
    public String decodeSource;
    public double productPixelsPerSecondF32 = Double.NaN, productPixelsPerSecondF64 = Double.NaN;
    public double writeBytesPerSecond = Double.NaN;
    public long pixels;
    public int cores;

    /** The decode rate the bound uses: libjpeg-turbo's when measured, else tconv's decoder's. */
    public double decodeMpixPerSecond() {
        return Double.isNaN(libjpegMpixPerSecond) ? tconvDecodeMpixPerSecond : libjpegMpixPerSecond;
    }

    /** Seconds of the bound for a job writing {@code outputBytes} in {@code dtype}. */
    public double seconds(Dtype dtype, long outputBytes) {
        double product = dtype == Dtype.F32 ? productPixelsPerSecondF32 : productPixelsPerSecondF64;
        return pixels / (decodeMpixPerSecond() * 1e6 * cores) + pixels / product + outputBytes / writeBytesPerSecond;
    }

    public String describe() {
        return String.format(Locale.ROOT, "bound: decode %.1f Mpixel/s x %d cores (%s; tconv's decoder %.1f Mpixel/s on one thread), product %.1f"
                        + " / %.1f Mpixel/s (f32 / f64, 2-D 8x3x3x3 on %d threads), write %.2f GB/s (%d streams, no fsync)",
                decodeMpixPerSecond(), cores, decodeSource, tconvDecodeMpixPerSecond, productPixelsPerSecondF32 / 1e6,
                productPixelsPerSecondF64 / 1e6, cores, writeBytesPerSecond / 1e9, cores);
    }

    /** Measures every rate for the photos {@code files} and outputs under {@code outRoot}. */
    public static MachineBound measure(List<Path> files, Path home, Path outRoot, long writeBytes, int cores, int runs) throws Exception {
        MachineBound b = new MachineBound();
        b.cores = cores;
        List<byte[]> bytes = new ArrayList<>();
        for (Path f : files) bytes.add(Files.readAllBytes(f));
        for (byte[] jpg : bytes) {
            int[] s = ImageDecoder.decode(jpg).shape;
            b.pixels += (long) s[s.length - 2] * s[s.length - 1];
        }
        b.tconvDecodeMpixPerSecond = tconvDecodeRate(bytes, b.pixels, runs);
        b.libjpegMpixPerSecond = pilDecodeRate(home, files.get(0).getParent());
        b.decodeSource = Double.isNaN(b.libjpegMpixPerSecond) ? "tconv's decoder: PIL could not be run" : "PIL (libjpeg-turbo) on one thread";
        b.productPixelsPerSecondF32 = productRate(Dtype.F32, cores, runs);
        b.productPixelsPerSecondF64 = productRate(Dtype.F64, cores, runs);
        b.writeBytesPerSecond = writeRate(outRoot, writeBytes, cores, runs);
        return b;
    }

    /** tconv's decoder (what the job uses) on one thread over every file, Mpixel/s, the best of {@code runs} after one warm-up. */
    static double tconvDecodeRate(List<byte[]> files, long pixels, int runs) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < runs + 1; r++) {
            long t0 = System.nanoTime();
            for (byte[] f : files) ImageDecoder.decode(f);
            double s = (System.nanoTime() - t0) / 1e9;
            if (r > 0) best = Math.min(best, s);
        }
        return pixels / best / 1e6;
    }

    /** PIL's decode of the folder on one thread (bench/decode_rate.py), Mpixel/s; NaN when it cannot be run. */
    static double pilDecodeRate(Path home, Path folder) {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", home.resolve("bench/decode_rate.py").toString(), folder.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) return Double.NaN;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^mpixel_per_s: ([0-9.]+)").matcher(out);
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** Output pixels per second of the multiply alone on W3 (3x512x512, 8x3x3x3, padding 1) on {@code cores} threads. */
    static double productRate(Dtype dtype, int cores, int runs) throws Exception {
        Workload wl = Workload.W3;
        ConvGeometry g = wl.spec().geometry(wl.inputShape());
        PanelTiming t = new PanelTiming(ConvOperator.of(g));
        t.prepare(PanelTiming.panelWidth(g.inputSize(), wl.images, dtype), dtype);
        try (ProductTimer timer = new ProductTimer(cores)) {
            List<Double> s = timer.toeplitz(wl, t, dtype, 1, runs);
            return (double) wl.images * wl.h * wl.w / BenchResult.median(s);
        }
    }

    /**
     * The output file system's sequential write rate as a job writes: {@code streams} threads each writing
     * its share of {@code bytes} in 1 MiB chunks into a new file under {@code dir}, no fsync; the files
     * are deleted after each run. Bytes per second, the median of {@code runs} after one warm-up.
     */
    public static double writeRate(Path dir, long bytes, int streams, int runs) throws Exception {
        Files.createDirectories(dir);
        byte[] chunk = new byte[1 << 20];
        new java.util.Random(1).nextBytes(chunk);
        long per = Math.max(chunk.length, bytes / streams / chunk.length * chunk.length);
        List<Double> seconds = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        try {
            for (int r = 0; r < runs + 1; r++) {
                Path tmp = Files.createTempDirectory(dir, "tconv-bench-write-rate-");
                try {
                    List<Future<?>> done = new ArrayList<>();
                    long t0 = System.nanoTime();
                    for (int s = 0; s < streams; s++) {
                        Path f = tmp.resolve("stream-" + s);
                        done.add(pool.submit(() -> {
                            try (OutputStream out = Files.newOutputStream(f, java.nio.file.StandardOpenOption.CREATE_NEW)) {
                                for (long w = 0; w < per; w += chunk.length) out.write(chunk);
                            }
                            return null;
                        }));
                    }
                    for (Future<?> d : done) d.get();
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r > 0) seconds.add(s);
                } finally {
                    try (java.util.stream.Stream<Path> s = Files.list(tmp)) {
                        for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(tmp);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return per * streams / BenchResult.median(seconds);
    }
}
