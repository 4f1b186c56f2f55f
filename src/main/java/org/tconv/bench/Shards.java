package org.tconv.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.tconv.conv.ConvSpec;
import org.tconv.read.NpyArray;

/**
 * {@code bench --write-shards DIR}: a workload as files, for the file-to-file comparison with PyTorch.
 * {@code DIR/images/shard-00000.npy ...} hold (n, C, H, W) float64 batches of the workload's images in
 * order; {@code DIR/weights.npy} and {@code DIR/bias.npy} (when it has one) its parameters.
 */
public final class Shards {
    private Shards() {}

    /**
     * Writes the shards and returns the number of files written. {@code dir} must be new or empty: tconv
     * overwrites no file it did not write.
     */
    public static int write(Workload wl, Path dir, int shardSize) throws IOException {
        if (shardSize < 1) throw new IllegalArgumentException("--shard-size must be positive, got " + shardSize);
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--write-shards " + dir + " exists and is not a directory");
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) throw new IllegalArgumentException("--write-shards " + dir + " is not empty: choose a new directory");
            }
        }
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        ConvSpec spec = wl.spec();
        write(dir.resolve("weights.npy"), wl.weightShape(), spec.weights());
        if (wl.bias) {
            double[] b = new double[wl.cOut];
            for (int i = 0; i < b.length; i++) b[i] = spec.bias(i);
            write(dir.resolve("bias.npy"), new int[] {wl.cOut}, b);
        }
        if (!wl.uniform()) {
            // items of different shapes cannot share an (N, ...) array: one (C, H, W) file each, as photos come
            for (long i = 0; i < wl.images; i++) {
                write(images.resolve(String.format(Locale.ROOT, "image-%05d.npy", i)), wl.shape(i), wl.image(i));
            }
            return wl.images;
        }
        int[] item = wl.inputShape();
        int size = 1;
        for (int d : item) size *= d;
        int[] shardShape = new int[item.length + 1];
        System.arraycopy(item, 0, shardShape, 1, item.length);
        int files = 0;
        for (long first = 0; first < wl.images; first += shardSize, files++) {
            int n = (int) Math.min(shardSize, wl.images - first);
            double[] v = new double[n * size];
            for (int i = 0; i < n; i++) System.arraycopy(wl.image(first + i), 0, v, i * size, size);
            shardShape[0] = n;
            write(images.resolve(String.format(Locale.ROOT, "shard-%05d.npy", files)), shardShape, v);
        }
        return files;
    }

    private static void write(Path p, int[] shape, double[] data) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p, java.nio.file.StandardOpenOption.CREATE_NEW), 1 << 20)) {
            NpyArray.write(out, shape, data);
        }
    }
}
