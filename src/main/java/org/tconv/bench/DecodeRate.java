package org.tconv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.tconv.read.AdmissionBudget;
import org.tconv.read.ImageDecoder;
import org.tconv.read.NpyArray;

/**
 * tconv's image decode rate on one thread: every file of a folder read into memory first, then decoded
 * by {@link ImageDecoder} to its float64 planes, the whole folder once per pass; the rate is the folder's
 * pixels (H x W, whatever C) over the median pass. {@code bench/pil_decode_rate.py} times PIL on the same
 * files the same way.
 *
 * <pre>
 *   java -cp target/classes:$(cat target/tconv.classpath) org.tconv.bench.DecodeRate DIR [native|imageio] [PASSES=5]
 *   DIR: 100 files, 64.1 Mpixel, native: median pass 0.512 s = 125.2 Mpixel/s (passes 0.530 0.512 ...)
 * </pre>
 *
 * The W8 bench's decode column can call {@link #measure} directly.
 */
public final class DecodeRate {
    /** One measurement: the folder's size and the pass times. */
    public record Result(int files, long pixels, double[] passSeconds) {
        public double medianSeconds() {
            double[] s = passSeconds.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        public double mpixelPerSecond() {
            return pixels / medianSeconds() / 1e6;
        }
    }

    private DecodeRate() {}

    /**
     * Decodes every regular file in {@code dir} (sorted by name) {@code passes} times on the calling thread,
     * after one unclocked warm-up pass.
     *
     * @param libjpeg true: JPEGs and PNGs through libjpeg-turbo and libpng where loaded (tconv's default); false: ImageIO
     */
    public static Result measure(Path dir, boolean libjpeg, int passes) throws IOException {
        List<byte[]> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile).sorted()::iterator) files.add(Files.readAllBytes(p));
        }
        AdmissionBudget budget = AdmissionBudget.defaults();
        long pixels = pass(files, budget, libjpeg);
        double[] seconds = new double[passes];
        for (int i = 0; i < passes; i++) {
            long t0 = System.nanoTime();
            pass(files, budget, libjpeg);
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return new Result(files.size(), pixels, seconds);
    }

    private static long pass(List<byte[]> files, AdmissionBudget budget, boolean libjpeg) {
        long pixels = 0;
        for (byte[] f : files) {
            NpyArray a = ImageDecoder.decode(f, budget, libjpeg);
            pixels += (long) a.shape[1] * a.shape[2];
        }
        return pixels;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: DecodeRate DIR [native|imageio] [PASSES=5]");
            System.exit(2);
        }
        boolean libjpeg = args.length < 2 || !args[1].equals("imageio");
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        if (libjpeg && !ImageDecoder.libjpegLoaded()) System.err.println("libjpeg-turbo is not loaded: JPEGs decode through ImageIO");
        Result r = measure(Path.of(args[0]), libjpeg, passes);
        StringBuilder each = new StringBuilder();
        for (double s : r.passSeconds()) each.append(String.format(Locale.ROOT, " %.3f", s));
        System.out.printf(Locale.ROOT, "%s: %d files, %.1f Mpixel, %s: median pass %.3f s = %.1f Mpixel/s (passes%s)%n",
                args[0], r.files(), r.pixels() / 1e6, libjpeg ? "native" : "imageio", r.medianSeconds(), r.mpixelPerSecond(), each);
    }
}
