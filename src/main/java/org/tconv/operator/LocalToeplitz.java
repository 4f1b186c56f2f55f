package org.tconv.operator;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.GroupMajor;
import org.tconv.toeplitz.BlockToeplitz;

/**
 * T for one (convolution, input shape) as its distinct blocks ({@link BlockToeplitz}), with the products
 * that apply it, bias included, to a batch of items: the choice between the line product (one image at a
 * time) and the panel product (many images per pass over T), and the panel loop. {@link OperatorCache}
 * keeps one per executor JVM for each key; a build costs the distinct blocks (kD * kH of them with zero
 * padding), not the pixels, so a dataset of many image sizes pays little for each new size.
 *
 * <p>The panel product works panel by panel: up to {@link #panelWidth} items are packed with the images
 * innermost ({@link PanelPacking}), then each output line is computed {@link #ROW_BLOCK} block rows
 * (outputs of one channel) at a time from its {@link LinePlans line plan} into a small buffer that is
 * unpacked into the items' own output arrays at once. So neither X nor Y exists for the whole batch, and
 * the unpack writes each output once, while it is still in cache. Float64 and float32 have their own
 * typed loops.
 */
final class LocalToeplitz {
    /** Bytes a panel of X may take: it is read once per non-zero of a row, so it should stay in L2. */
    static final int PANEL_BYTES = 512 << 10;
    /**
     * Block rows per product call: their results (ROW_BLOCK x width values, 32 KB for 64 images) stay in
     * L1/L2 until unpacked, and each item then gets 512 contiguous bytes of its output at once.
     */
    static final int ROW_BLOCK = 64;
    /** Output values x panel width above which one panel's lines are shared between threads. */
    private static final long PARALLEL_WORK = 1L << 21;

    private final ConvGeometry geometry;
    private final BlockToeplitz op;
    /** The panel product's line plans: made on the first panel wide enough to need them. */
    private volatile LinePlans plans;
    /** Each block row's (co, ox) starting value: its output channel's bias. */
    private final double[] rowBias;
    /** The product for panels of fewer images than a vector holds: one image at a time, from the blocks. */
    private final LineProduct lineProduct;

    LocalToeplitz(ConvGeometry g) {
        this.geometry = g;
        this.op = new BlockToeplitz(g);
        rowBias = new double[op.rowPtr().length - 1];
        for (int br = 0; br < rowBias.length; br++) rowBias[br] = g.spec.bias(br / g.outW);
        double[] channelBias = new double[g.spec.outChannels()];
        for (int co = 0; co < channelBias.length; co++) channelBias[co] = g.spec.bias(co);
        lineProduct = new LineProduct(g, op, channelBias);
    }

    /** The cached operator for this geometry, built on first use ({@link OperatorCache}). */
    static LocalToeplitz of(ConvGeometry g) {
        return OperatorCache.get(g);
    }

    ConvGeometry geometry() { return geometry; }
    BlockToeplitz operator() { return op; }
    /** The per-image product (for the tests, which compare its kernels). */
    LineProduct lineProduct() { return lineProduct; }

    // ---- the line-or-panel choice ----

    /**
     * Whether a panel of {@code width} images runs image by image through {@link LineProduct}: when the
     * images would fill less than half a vector (the panel kernel then runs them as scalar lanes); or, while
     * most output columns lie in runs the line product computes a vector at a time, when they would fill
     * less than a whole one, or when an image is so big that fewer than four fit the panel's L2 budget (a
     * panel of them streams from memory, while the line product reads a few input lines at a time).
     */
    boolean byLines(int width, Dtype dtype) {
        int lanes = dtype == Dtype.F32 ? 16 : 8;
        if (2 * width < lanes) return true;
        boolean runs = 2 * lineProduct.runColumns() >= (long) geometry.spec.outChannels() * geometry.outW;
        long imageBytes = (long) geometry.inputSize() * (dtype == Dtype.F32 ? Float.BYTES : Double.BYTES);
        return runs && (width < lanes || 4 * imageBytes > PANEL_BYTES);
    }

    /**
     * Items per panel: as many as keep the panel within {@link #PANEL_BYTES}, a multiple of 32 (four
     * 512-bit vectors of doubles, the kernel's unit; 64 for floats), between one unit and four; never more
     * than there are items.
     */
    static int panelWidth(int inputSize, int count, Dtype dtype) {
        int unit = dtype == Dtype.F32 ? 64 : 32;
        int bytes = dtype == Dtype.F32 ? Float.BYTES : Double.BYTES;
        long fit = PANEL_BYTES / ((long) inputSize * bytes);
        int w = (int) Math.max(unit, Math.min(4L * unit, fit / unit * unit));
        return Math.min(w, count);
    }

    /**
     * Items per group of {@link #applyGroupMajor} for a batch of {@code count}: the panel width of a long
     * batch, or, for a shorter one, the whole kernel units it holds (100 float32 images of 28x28 are groups
     * of 64 and 36, where a long batch's panels hold 128), so every group but the last is a whole panel.
     */
    int groupWidth(int count, Dtype dtype) {
        int unit = dtype == Dtype.F32 ? 64 : 32;
        return Math.min(panelWidth(geometry.inputSize(), Integer.MAX_VALUE, dtype), Math.max(unit, count / unit * unit));
    }

    /** Whether a batch of {@code count} items fills at least one whole panel of the panel product. */
    boolean fillsPanels(int count, Dtype dtype) {
        int group = groupWidth(count, dtype);
        return count >= group && !byLines(group, dtype);
    }

    /**
     * Makes what a product of panels of {@code width} images walks (the line plans, and their float32
     * values for f32), so that a build can be timed with them; every product makes them itself when needed.
     */
    void prepare(int width, Dtype dtype) {
        if (byLines(width, dtype)) {
            if (dtype == Dtype.F32) lineProduct.floats();
            return;
        }
        LinePlans p = linePlans();
        if (dtype == Dtype.F32) p.floats();
    }

    // ---- batches ----

    /**
     * Convolves {@code count} items stored one after another in {@code in} (each {@code inputSize()}
     * values, C order) into {@code out} (each {@code outputSize()} values), in float64.
     */
    void apply(double[] in, int inOffset, int count, double[] out, int outOffset) {
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
     * {@code outOffsets[i]}: items of several files go through one panel. In float32 the product rounds and
     * its results are widened into the float64 outputs.
     */
    void apply(double[][] in, int[] inOffsets, double[][] out, int[] outOffsets, Dtype dtype) {
        int count = in.length, inSize = geometry.inputSize();
        int width = panelWidth(inSize, count, dtype);
        if (byLines(width, dtype)) {
            for (int i = 0; i < count; i++) {
                if (dtype == Dtype.F32) throughLines(rounded(in[i], inOffsets[i]), 0, out[i], outOffsets[i]);
                else throughLines(in[i], inOffsets[i], out[i], outOffsets[i]);
            }
            return;
        }
        linePlans();
        if (dtype == Dtype.F32) {
            float[] x = Scratch.PACKED.floats(inSize * PanelProduct.padded(width, dtype));
            for (int first = 0; first < count; first += width) {
                int w = Math.min(width, count - first), ws = PanelProduct.padded(w, dtype), f = first;
                PanelPacking.pack(in, inOffsets, first, w, ws, inSize, x);
                productF32(x, ws, null, (y, tRow, rows) -> {
                    for (int j = 0; j < w; j++) {
                        double[] dst = out[f + j];
                        int d = outOffsets[f + j] + tRow;
                        for (int r = 0; r < rows; r++) dst[d + r] = y[r * ws + j];
                    }
                });
            }
            return;
        }
        double[] x = Scratch.PACKED.doubles(inSize * PanelProduct.padded(width, dtype));
        for (int first = 0; first < count; first += width) {
            int w = Math.min(width, count - first), ws = PanelProduct.padded(w, dtype), f = first; // whole vectors; lanes past w are never unpacked
            PanelPacking.pack(in, inOffsets, first, w, ws, inSize, x);
            productF64(x, ws, null, (y, tRow, rows) -> {
                for (int j = 0; j < w; j++) {
                    double[] dst = out[f + j];
                    int d = outOffsets[f + j] + tRow;
                    for (int r = 0; r < rows; r++) dst[d + r] = y[r * ws + j];
                }
            });
        }
    }

    /**
     * {@link #apply(double[][], int[], double[][], int[], Dtype)} in float32 with float32 results, as
     * PyTorch's float32 convolution gives them: half the bytes to write, and no widening.
     */
    void apply(double[][] in, int[] inOffsets, float[][] out, int[] outOffsets) {
        int count = in.length, inSize = geometry.inputSize();
        int width = panelWidth(inSize, count, Dtype.F32);
        if (byLines(width, Dtype.F32)) {
            for (int i = 0; i < count; i++) throughLines(rounded(in[i], inOffsets[i]), 0, out[i], outOffsets[i]);
            return;
        }
        linePlans();
        float[] x = Scratch.PACKED.floats(inSize * PanelProduct.padded(width, Dtype.F32));
        for (int first = 0; first < count; first += width) {
            int w = Math.min(width, count - first), ws = PanelProduct.padded(w, Dtype.F32), f = first;
            PanelPacking.pack(in, inOffsets, first, w, ws, inSize, x);
            productF32(x, ws, null, (y, tRow, rows) -> {
                for (int j = 0; j < w; j++) {
                    float[] dst = out[f + j];
                    int d = outOffsets[f + j] + tRow;
                    for (int r = 0; r < rows; r++) dst[d + r] = y[r * ws + j];
                }
            });
        }
    }

    /**
     * Convolves {@code count} items stored one after another in {@code in} from {@code inOffset} into
     * {@code out} (count x outputSize() values), left in the panel product's own layout, {@link GroupMajor}
     * with groups of {@link #groupWidth}({@code count}): each panel's results are copied out a tile row at a
     * time as the product leaves them, and the transpose into item after item is left to whoever reads the
     * items ({@code ImageBatch#outItems}), which converts them anyway. For batches that {@link #fillsPanels}.
     */
    void applyGroupMajor(double[] in, int inOffset, int count, double[] out) {
        Dtype dtype = Dtype.F64;
        int inSize = geometry.inputSize(), outSize = geometry.outputSize(), group = groupWidth(count, dtype);
        linePlans();
        double[][] src = groupSources(in, count, group);
        double[] x = Scratch.PACKED.doubles(inSize * PanelProduct.padded(src.length, dtype));
        int[] offsets = new int[src.length];
        for (int first = 0, w; first < count; first += w) {
            w = GroupMajor.width(count, group, first);
            int ws = PanelProduct.padded(w, dtype), width = w, base = first * outSize;
            for (int j = 0; j < w; j++) offsets[j] = inOffset + (first + j) * inSize;
            PanelPacking.pack(src, offsets, 0, w, ws, inSize, x);
            productF64(x, ws, null, (y, tRow, rows) -> {
                for (int r = 0; r < rows; r++) System.arraycopy(y, r * ws, out, base + (tRow + r) * width, width);
            });
        }
    }

    /** {@link #applyGroupMajor(double[], int, int, double[])} in float32 with float32 results. */
    void applyGroupMajor(double[] in, int inOffset, int count, float[] out) {
        Dtype dtype = Dtype.F32;
        int inSize = geometry.inputSize(), outSize = geometry.outputSize(), group = groupWidth(count, dtype);
        linePlans();
        double[][] src = groupSources(in, count, group);
        float[] x = Scratch.PACKED.floats(inSize * PanelProduct.padded(src.length, dtype));
        int[] offsets = new int[src.length];
        for (int first = 0, w; first < count; first += w) {
            w = GroupMajor.width(count, group, first);
            int ws = PanelProduct.padded(w, dtype), width = w, base = first * outSize;
            for (int j = 0; j < w; j++) offsets[j] = inOffset + (first + j) * inSize;
            PanelPacking.pack(src, offsets, 0, w, ws, inSize, x);
            productF32(x, ws, null, (y, tRow, rows) -> {
                for (int r = 0; r < rows; r++) System.arraycopy(y, r * ws, out, base + (tRow + r) * width, width);
            });
        }
    }

    /** {@code in} once per item of the widest group: what the packing reads its items from. */
    private static double[][] groupSources(double[] in, int count, int group) {
        int widest = GroupMajor.width(count, group, GroupMajor.start(count, group, count - 1));
        double[][] src = new double[Math.max(group, widest)][];
        Arrays.fill(src, in);
        return src;
    }

    // ---- the line product, one image at a time ----

    /** A float32 copy of one image, in this thread's scratch buffer. */
    private float[] rounded(double[] in, int inOffset) {
        int inSize = geometry.inputSize();
        float[] x = Scratch.ROUNDED.floats(inSize);
        for (int p = 0; p < inSize; p++) x[p] = (float) in[inOffset + p];
        return x;
    }

    /** Receives output lines [from, to). */
    private interface LineRange {
        void run(int from, int to);
    }

    /** Runs the output lines in one range, or shared between threads when {@code work} is big. */
    private void overLines(long work, LineRange range) {
        int lines = geometry.outD * geometry.outH;
        int parts = work >= PARALLEL_WORK ? Math.min(lines, 4 * Runtime.getRuntime().availableProcessors()) : 1;
        if (parts <= 1) {
            range.run(0, lines);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(i ->
                range.run((int) ((long) lines * i / parts), (int) ((long) lines * (i + 1) / parts)));
    }

    /** One image through {@link LineProduct}, read where it lies, written where its output goes. */
    void throughLines(double[] x, int xOff, double[] y, int yOff) {
        overLines(geometry.outputElements(), (from, to) -> lineProduct.lines(x, xOff, y, yOff, from, to));
    }

    /** A float32 image, its results widened into float64. */
    void throughLines(float[] x, int xOff, double[] y, int yOff) {
        overLines(geometry.outputElements(), (from, to) -> lineProduct.lines(x, xOff, y, yOff, from, to));
    }

    /** A float32 image, float32 results. */
    void throughLines(float[] x, int xOff, float[] y, int yOff) {
        overLines(geometry.outputElements(), (from, to) -> lineProduct.lines(x, xOff, y, yOff, from, to));
    }

    // ---- the panel product ----

    /** Receives rows [tRow, tRow + rows) of T X, (rows) x ws in {@code y}. */
    interface RowsF64 {
        void rows(double[] y, int tRow, int rows);
    }

    /** {@link RowsF64} in float32. */
    interface RowsF32 {
        void rows(float[] y, int tRow, int rows);
    }

    /**
     * T X + bias for one packed panel x ((columns of T) x ws): into {@code whole} ((rows of T) x ws) when
     * given, else tile by tile through {@code unpack}. Big panels (a few large images) share their output
     * lines between threads, each with its own tile buffer. The line plans must exist.
     */
    void productF64(double[] x, int ws, double[] whole, RowsF64 unpack) {
        overLines(geometry.outputElements() * ws, (from, to) -> linesF64(x, ws, whole, unpack, from, to));
    }

    /** {@link #productF64} in float32. */
    void productF32(float[] x, int ws, float[] whole, RowsF32 unpack) {
        overLines(geometry.outputElements() * ws, (from, to) -> linesF32(x, ws, whole, unpack, from, to));
    }

    private void linesF64(double[] x, int ws, double[] whole, RowsF64 unpack, int from, int to) {
        ConvGeometry g = geometry;
        int outW = g.outW, plane = g.outputPlane(), width = g.w, cout = g.spec.outChannels();
        int[] lineStart = op.lineStart(), pairLine = op.pairLine();
        LinePlans lp = plans;
        double[] tile = Scratch.TILE.doubles(ROW_BLOCK * ws);
        for (int line = from; line < to; line++) {
            LinePlans.Plan plan = lp.plans[lp.planOf[line]];
            int p0 = lineStart[line];
            int xOff = lineStart[line + 1] > p0 ? pairLine[p0] * width * ws : 0;
            for (int co = 0; co < cout; co++) {
                int tRowBase = co * plane + line * outW;
                for (int ox0 = 0; ox0 < outW; ox0 += ROW_BLOCK) {
                    int rows = Math.min(ROW_BLOCK, outW - ox0), br = co * outW + ox0;
                    PanelProduct.multiply(plan.rowPtr, plan.colIdx, plan.values, rowBias, x, xOff, ws, br, br + rows, tile);
                    if (whole == null) unpack.rows(tile, tRowBase + ox0, rows);
                    else System.arraycopy(tile, 0, whole, (tRowBase + ox0) * ws, rows * ws);
                }
            }
        }
    }

    private void linesF32(float[] x, int ws, float[] whole, RowsF32 unpack, int from, int to) {
        ConvGeometry g = geometry;
        int outW = g.outW, plane = g.outputPlane(), width = g.w, cout = g.spec.outChannels();
        int[] lineStart = op.lineStart(), pairLine = op.pairLine();
        LinePlans lp = plans;
        float[][] f = lp.floats();
        float[] bias = f[lp.plans.length];
        float[] tile = Scratch.TILE.floats(ROW_BLOCK * ws);
        for (int line = from; line < to; line++) {
            int id = lp.planOf[line];
            LinePlans.Plan plan = lp.plans[id];
            int p0 = lineStart[line];
            int xOff = lineStart[line + 1] > p0 ? pairLine[p0] * width * ws : 0;
            for (int co = 0; co < cout; co++) {
                int tRowBase = co * plane + line * outW;
                for (int ox0 = 0; ox0 < outW; ox0 += ROW_BLOCK) {
                    int rows = Math.min(ROW_BLOCK, outW - ox0), br = co * outW + ox0;
                    PanelProduct.multiply(plan.rowPtr, plan.colIdx, f[id], bias, x, xOff, ws, br, br + rows, tile);
                    if (whole == null) unpack.rows(tile, tRowBase + ox0, rows);
                    else System.arraycopy(tile, 0, whole, (tRowBase + ox0) * ws, rows * ws);
                }
            }
        }
    }

    /** The line plans, made on first use; the cache is told what they add. */
    LinePlans linePlans() {
        LinePlans p = plans;
        if (p == null) {
            synchronized (this) {
                p = plans;
                if (p == null) {
                    p = LinePlans.compile(geometry, op, rowBias);
                    plans = p;
                    OperatorCache.grew(this, p.bytes());
                }
            }
        }
        return p;
    }

    /** Bytes this cached product holds: the operator, the line product's index and the line plans once made. */
    long bytes() {
        long b = op.bytes() + lineProduct.bytes() + (long) rowBias.length * Double.BYTES;
        LinePlans p = plans;
        if (p != null) b += p.bytes();
        return b;
    }
}
