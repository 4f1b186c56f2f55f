package org.tconv.multiply;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.tconv.conv.ConvGeometry;
import org.tconv.toeplitz.MemoryBudget;
import org.tconv.toeplitz.ToeplitzEntries;

/**
 * T for one (convolution, input shape) as an MLlib CSR {@link SparseMatrix}, with the product that
 * applies it to a batch of items. Built at most once per executor JVM for each key: {@link #of} caches.
 */
public final class LocalToeplitz {
    /** Panel width in images: wide enough for long vector loops, small enough for Y's rows to stay in cache. */
    public static final int PANEL = 96;

    private final ConvGeometry geometry;
    private final SparseMatrix t;
    private final double[] rowBias;

    private LocalToeplitz(ConvGeometry g) {
        this.geometry = g;
        this.t = new ToeplitzEntries(g).toSparseMatrix();
        this.rowBias = new double[g.outputSize()];
        int plane = g.outputPlane();
        for (int r = 0; r < rowBias.length; r++) rowBias[r] = g.spec.bias(r / plane);
    }

    public ConvGeometry geometry() { return geometry; }
    public SparseMatrix matrix() { return t; }

    private static final Map<String, LocalToeplitz> CACHE = new LinkedHashMap<>(16, 0.75f, true);
    private static long cachedBytes;
    private static long builds;

    /** The cached T for this geometry, built on first use; least recently used matrices make room. */
    public static LocalToeplitz of(ConvGeometry g) {
        String key = g.spec.fingerprint() + ":" + g.c + "x" + g.h + "x" + g.w;
        synchronized (CACHE) {
            LocalToeplitz hit = CACHE.get(key);
            if (hit != null) return hit;
            long bytes = g.csrBytes();
            MemoryBudget.check("the Toeplitz matrix for input " + g.c + "x" + g.h + "x" + g.w, bytes);
            var it = CACHE.entrySet().iterator();
            while (cachedBytes + bytes > MemoryBudget.available() && it.hasNext()) {
                cachedBytes -= it.next().getValue().geometry.csrBytes();
                it.remove();
            }
            LocalToeplitz built = new LocalToeplitz(g);
            builds++;
            CACHE.put(key, built);
            cachedBytes += bytes;
            return built;
        }
    }

    /** Matrices built by this JVM so far: lets tests and the bench check T is not rebuilt per image. */
    public static long buildCount() {
        synchronized (CACHE) {
            return builds;
        }
    }

    /**
     * Convolves {@code count} items stored one after another in {@code in} (each {@code inputSize()}
     * values, C order) into {@code out} (each {@code outputSize()} values), panel by panel.
     */
    public void apply(double[] in, int inOffset, int count, double[] out, int outOffset) {
        double[][] src = new double[count][];
        double[][] dst = new double[count][];
        int[] so = new int[count], d = new int[count];
        for (int i = 0; i < count; i++) {
            src[i] = in;
            so[i] = inOffset + i * geometry.inputSize();
            dst[i] = out;
            d[i] = outOffset + i * geometry.outputSize();
        }
        apply(src, so, dst, d);
    }

    /**
     * Convolves item i, read from {@code in[i]} at {@code inOffsets[i]}, into {@code out[i]} at
     * {@code outOffsets[i]}: items of several files go through one panel.
     */
    public void apply(double[][] in, int[] inOffsets, double[][] out, int[] outOffsets) {
        int count = in.length;
        int inSize = geometry.inputSize(), outSize = geometry.outputSize();
        int[] rowPtr = t.colPtrs(), colIdx = t.rowIndices();
        double[] values = t.values();
        int width = Math.min(PANEL, count);
        double[] x = new double[inSize * width];
        double[] y = new double[outSize * width];
        for (int first = 0; first < count; first += width) {
            int w = Math.min(width, count - first);
            // Pack: item j's pixel p goes to x[p*w + j] (images innermost).
            for (int j = 0; j < w; j++) {
                double[] src = in[first + j];
                int so = inOffsets[first + j];
                for (int p = 0; p < inSize; p++) x[p * w + j] = src[so + p];
            }
            PanelProduct.multiply(rowPtr, colIdx, values, rowBias, x, y, w);
            for (int j = 0; j < w; j++) {
                double[] dst = out[first + j];
                int d = outOffsets[first + j];
                for (int r = 0; r < outSize; r++) dst[d + r] = y[r * w + j];
            }
        }
    }
}
