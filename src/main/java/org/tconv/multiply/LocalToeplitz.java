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
 *
 * <p>The product works panel by panel: up to {@link #panelWidth} items are packed with the images innermost,
 * then T is applied {@link #ROW_BLOCK} rows at a time into a small buffer that is unpacked into the items'
 * own output arrays at once. So neither X nor Y exists for the whole batch, and the unpack writes each output
 * once, while it is still in cache.
 */
public final class LocalToeplitz {
    /** Bytes a panel of X may take: it is read once per non-zero of a row, so it should stay in L2. */
    static final int PANEL_BYTES = 512 << 10;
    /**
     * Rows of T per product call: their results (ROW_BLOCK x width values, 32 KB for 64 images) stay in
     * L1/L2 until unpacked, and each item then gets 512 contiguous bytes of its output at once.
     */
    static final int ROW_BLOCK = 64;
    /** Pixels packed per pass: one cache line of each item's input. */
    private static final int PACK_BLOCK = 8;

    private final ConvGeometry geometry;
    private final SparseMatrix t;
    private final double[] rowBias;
    /** T's values and the biases rounded to float32, made on the first f32 product. */
    private volatile float[][] asFloat;

    private LocalToeplitz(ConvGeometry g) {
        this.geometry = g;
        this.t = new ToeplitzEntries(g).toSparseMatrix();
        this.rowBias = new double[g.outputSize()];
        for (int r = 0; r < rowBias.length; r++) rowBias[r] = g.spec.bias(g.output().channel(r));
    }

    public ConvGeometry geometry() { return geometry; }
    public SparseMatrix matrix() { return t; }

    private static final Map<String, LocalToeplitz> CACHE = new LinkedHashMap<>(16, 0.75f, true);
    private static long cachedBytes;
    private static long builds;

    /** The cached T for this geometry, built on first use; least recently used matrices make room. */
    public static LocalToeplitz of(ConvGeometry g) {
        String shape = org.tconv.conv.IntTuple.format(g.inputShape()).replace(',', 'x');
        String key = g.spec.fingerprint() + ":" + shape;
        synchronized (CACHE) {
            LocalToeplitz hit = CACHE.get(key);
            if (hit != null) return hit;
            long bytes = g.csrBytes();
            MemoryBudget.check("the Toeplitz matrix for input " + shape, bytes);
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

    /** Forgets every cached matrix (the bench uses it to time a build). */
    public static void clearCache() {
        synchronized (CACHE) {
            CACHE.clear();
            cachedBytes = 0;
        }
    }

    /**
     * Items per panel: as many as keep the panel within {@link #PANEL_BYTES}, a multiple of 32 (four
     * 512-bit vectors of doubles, the kernel's unit; 64 for floats), between one unit and four; never more
     * than there are items.
     */
    public static int panelWidth(int inputSize, int count, Dtype dtype) {
        int unit = dtype == Dtype.F32 ? 64 : 32;
        int bytes = dtype == Dtype.F32 ? Float.BYTES : Double.BYTES;
        long fit = PANEL_BYTES / ((long) inputSize * bytes);
        int w = (int) Math.max(unit, Math.min(4L * unit, fit / unit * unit));
        return Math.min(w, count);
    }

    /**
     * Convolves {@code count} items stored one after another in {@code in} (each {@code inputSize()}
     * values, C order) into {@code out} (each {@code outputSize()} values), in float64.
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
        apply(src, so, dst, d, Dtype.F64);
    }

    /**
     * Convolves item i, read from {@code in[i]} at {@code inOffsets[i]}, into {@code out[i]} at
     * {@code outOffsets[i]}: items of several files go through one panel.
     */
    public void apply(double[][] in, int[] inOffsets, double[][] out, int[] outOffsets, Dtype dtype) {
        if (dtype == Dtype.F32) {
            applyFloat(in, inOffsets, out, outOffsets);
            return;
        }
        int count = in.length;
        int inSize = geometry.inputSize(), outSize = geometry.outputSize();
        int[] rowPtr = t.colPtrs(), colIdx = t.rowIndices();
        double[] values = t.values();
        int width = panelWidth(inSize, count, Dtype.F64);
        double[] x = new double[inSize * PanelProduct.padded(width, Dtype.F64)];
        double[] y = new double[ROW_BLOCK * PanelProduct.padded(width, Dtype.F64)];
        for (int first = 0; first < count; first += width) {
            int w = Math.min(width, count - first);
            int ws = PanelProduct.padded(w, Dtype.F64); // whole vectors; the lanes past w are never unpacked
            pack(in, inOffsets, first, w, ws, x);
            for (int r0 = 0; r0 < outSize; r0 += ROW_BLOCK) {
                int rows = Math.min(ROW_BLOCK, outSize - r0);
                PanelProduct.multiply(rowPtr, colIdx, values, rowBias, x, ws, r0, r0 + rows, y);
                for (int j = 0; j < w; j++) {
                    double[] dst = out[first + j];
                    int d = outOffsets[first + j] + r0;
                    for (int r = 0; r < rows; r++) dst[d + r] = y[r * ws + j];
                }
            }
        }
    }

    /** The same product in float32: T, the bias and each panel rounded to float, the results widened back. */
    private void applyFloat(double[][] in, int[] inOffsets, double[][] out, int[] outOffsets) {
        float[][] f = floats();
        float[] values = f[0], bias = f[1];
        int count = in.length;
        int inSize = geometry.inputSize(), outSize = geometry.outputSize();
        int[] rowPtr = t.colPtrs(), colIdx = t.rowIndices();
        int width = panelWidth(inSize, count, Dtype.F32);
        float[] x = new float[inSize * PanelProduct.padded(width, Dtype.F32)];
        float[] y = new float[ROW_BLOCK * PanelProduct.padded(width, Dtype.F32)];
        for (int first = 0; first < count; first += width) {
            int w = Math.min(width, count - first);
            int ws = PanelProduct.padded(w, Dtype.F32);
            pack(in, inOffsets, first, w, ws, x);
            for (int r0 = 0; r0 < outSize; r0 += ROW_BLOCK) {
                int rows = Math.min(ROW_BLOCK, outSize - r0);
                PanelProduct.multiply(rowPtr, colIdx, values, bias, x, ws, r0, r0 + rows, y);
                for (int j = 0; j < w; j++) {
                    double[] dst = out[first + j];
                    int d = outOffsets[first + j] + r0;
                    for (int r = 0; r < rows; r++) dst[d + r] = y[r * ws + j];
                }
            }
        }
    }

    /**
     * Items {@code first .. first+w} into panel x, (columns of T) x ws, images innermost: 8 x 8 tiles, so
     * eight images are read as eight sequential streams and each line of x is written whole.
     */
    private void pack(double[][] in, int[] inOffsets, int first, int w, int ws, double[] x) {
        int inSize = geometry.inputSize();
        for (int j0 = 0; j0 < w; j0 += PACK_BLOCK) {
            int j1 = Math.min(w, j0 + PACK_BLOCK);
            for (int p0 = 0; p0 < inSize; p0 += PACK_BLOCK) {
                int p1 = Math.min(inSize, p0 + PACK_BLOCK);
                for (int j = j0; j < j1; j++) {
                    double[] src = in[first + j];
                    int s = inOffsets[first + j];
                    for (int p = p0; p < p1; p++) x[p * ws + j] = src[s + p];
                }
            }
        }
    }

    /** {@link #pack(double[][], int[], int, int, int, double[])}, rounding to float32. */
    private void pack(double[][] in, int[] inOffsets, int first, int w, int ws, float[] x) {
        int inSize = geometry.inputSize();
        for (int j0 = 0; j0 < w; j0 += PACK_BLOCK) {
            int j1 = Math.min(w, j0 + PACK_BLOCK);
            for (int p0 = 0; p0 < inSize; p0 += PACK_BLOCK) {
                int p1 = Math.min(inSize, p0 + PACK_BLOCK);
                for (int j = j0; j < j1; j++) {
                    double[] src = in[first + j];
                    int s = inOffsets[first + j];
                    for (int p = p0; p < p1; p++) x[p * ws + j] = (float) src[s + p];
                }
            }
        }
    }

    /**
     * The images as one panel, packed and padded exactly as {@link #apply} packs them: for the bench,
     * which times the product on panels made before the clock starts.
     */
    public Object packedPanel(double[][] images, Dtype dtype) {
        int w = images.length, ws = PanelProduct.padded(w, dtype);
        int[] zero = new int[w];
        if (dtype == Dtype.F32) {
            float[] x = new float[geometry.inputSize() * ws];
            pack(images, zero, 0, w, ws, x);
            return x;
        }
        double[] x = new double[geometry.inputSize() * ws];
        pack(images, zero, 0, w, ws, x);
        return x;
    }

    /**
     * T applied to one panel that is already packed ((columns of T) x width, images innermost) into
     * (rows of T) x width: the product alone, without pack or unpack, as the bench times it.
     */
    public void multiplyPanel(double[] x, int width, double[] y) {
        PanelProduct.multiply(t.colPtrs(), t.rowIndices(), t.values(), rowBias, x, width, 0, geometry.outputSize(), y);
    }

    /** {@link #multiplyPanel(double[], int, double[])} in float32. */
    public void multiplyPanel(float[] x, int width, float[] y) {
        float[][] f = floats();
        PanelProduct.multiply(t.colPtrs(), t.rowIndices(), f[0], f[1], x, width, 0, geometry.outputSize(), y);
    }

    private float[][] floats() {
        float[][] f = asFloat;
        if (f == null) {
            synchronized (this) {
                f = asFloat;
                if (f == null) {
                    double[] v = t.values();
                    float[] fv = new float[v.length], fb = new float[rowBias.length];
                    for (int i = 0; i < v.length; i++) fv[i] = (float) v[i];
                    for (int i = 0; i < fb.length; i++) fb[i] = (float) rowBias[i];
                    asFloat = f = new float[][] {fv, fb};
                }
            }
        }
        return f;
    }
}
