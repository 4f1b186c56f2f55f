package org.tconv.operator;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.GroupMajor;
import org.tconv.conv.IntTuple;
import org.tconv.toeplitz.MemoryBudget;
import org.tconv.toeplitz.BlockToeplitz;

/**
 * T for one (convolution, input shape) as its distinct blocks ({@link BlockToeplitz}), with the product that
 * applies it to a batch of items. Built at most once per executor JVM for each key: {@link #of} caches; a
 * build costs the distinct blocks (kD * kH of them with zero padding), not the pixels, so a dataset of many
 * image sizes pays little for each new size.
 *
 * <p>The product works panel by panel: up to {@link #panelWidth} items are packed with the images innermost,
 * then each output line is computed {@link #ROW_BLOCK} block rows (outputs of one channel) at a time into a
 * small buffer that is unpacked into the items' own output arrays at once. So neither X nor Y exists for the
 * whole batch, and the unpack writes each output once, while it is still in cache.
 */
final class LocalToeplitz {
    /** Bytes a panel of X may take: it is read once per non-zero of a row, so it should stay in L2. */
    static final int PANEL_BYTES = 512 << 10;
    /**
     * Block rows per product call: their results (ROW_BLOCK x width values, 32 KB for 64 images) stay in
     * L1/L2 until unpacked, and each item then gets 512 contiguous bytes of its output at once.
     */
    static final int ROW_BLOCK = 64;
    /** Pixels packed per pass: one cache line of each item's input. */
    private static final int PACK_BLOCK = 8;
    /** Output values x panel width above which one panel's lines are shared between threads. */
    private static final long PARALLEL_WORK = 1L << 21;

    private final ConvGeometry geometry;
    private final BlockToeplitz op;
    /** The blocks' values and the biases rounded to float32, made on the first f32 product. */
    private volatile float[][] asFloat;

    /** The panel product's line plans: made on the first panel wide enough to need them. */
    private volatile LinePlan[] plans;
    private int[] planOf;
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

    /**
     * Whether a panel of {@code width} images runs image by image through {@link LineProduct}: when the
     * images would fill less than half a vector (the panel kernel then runs them as scalar lanes); or, while
     * most output columns lie in runs the line product computes a vector at a time, when they would fill
     * less than a whole one, or when an image is so big that fewer than four fit the panel's L2 budget (a
     * panel of them streams from memory, while the line product reads a few input lines at a time).
     */
    public boolean byLines(int width, Dtype dtype) {
        int lanes = dtype == Dtype.F32 ? 16 : 8;
        if (2 * width < lanes) return true;
        boolean runs = 2 * lineProduct.runColumns() >= (long) geometry.spec.outChannels() * geometry.outW;
        long imageBytes = (long) geometry.inputSize() * (dtype == Dtype.F32 ? Float.BYTES : Double.BYTES);
        return runs && (width < lanes || 4 * imageBytes > PANEL_BYTES);
    }

    /**
     * Makes what a product of panels of {@code width} images walks (the line plans, and their float32
     * values for f32), so that a build can be timed with them; every product makes them itself when needed.
     */
    public void prepare(int width, Dtype dtype) {
        if (byLines(width, dtype)) {
            if (dtype == Dtype.F32) lineProduct.floats();
            return;
        }
        linePlans();
        if (dtype == Dtype.F32) floats();
    }

    public ConvGeometry geometry() { return geometry; }
    public BlockToeplitz operator() { return op; }
    /** The per-image product (for the tests, which compare its kernels). */
    LineProduct lineProduct() { return lineProduct; }

    /** The cached operator for this geometry, built on first use ({@link OperatorCache}). */
    static LocalToeplitz of(ConvGeometry g) {
        return OperatorCache.get(g);
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
     * {@code outOffsets[i]}: items of several files go through one panel. In float32 the product rounds and
     * its results are widened into the float64 outputs.
     */
    public void apply(double[][] in, int[] inOffsets, double[][] out, int[] outOffsets, Dtype dtype) {
        applyTo(in, inOffsets, out, outOffsets, dtype);
    }

    /**
     * {@link #apply(double[][], int[], double[][], int[], Dtype)} in float32 with float32 results, as
     * PyTorch's float32 convolution gives them: half the bytes to write, and no widening.
     */
    public void apply(double[][] in, int[] inOffsets, float[][] out, int[] outOffsets) {
        applyTo(in, inOffsets, out, outOffsets, Dtype.F32);
    }

    /** {@code out} is a double[][] or (float32 only) a float[][]. */
    private void applyTo(double[][] in, int[] inOffsets, Object[] out, int[] outOffsets, Dtype dtype) {
        int count = in.length;
        int inSize = geometry.inputSize();
        boolean single = dtype == Dtype.F32;
        boolean floatOut = out instanceof float[][];
        int width = panelWidth(inSize, count, dtype);
        if (byLines(width, dtype)) {
            for (int i = 0; i < count; i++) applyByLines(in[i], inOffsets[i], out[i], outOffsets[i], single);
            return;
        }
        linePlans();
        int wsMax = PanelProduct.padded(width, dtype);
        Object x = scratch(single ? PACKED_F32 : PACKED_F64, inSize * wsMax, single);
        for (int first = 0; first < count; first += width) {
            int w = Math.min(width, count - first);
            int ws = PanelProduct.padded(w, dtype); // whole vectors; the lanes past w are never unpacked
            if (single) pack(in, inOffsets, first, w, ws, (float[]) x);
            else pack(in, inOffsets, first, w, ws, (double[]) x);
            int f = first;
            product(x, ws, null, (y, tRow, rows) -> {
                for (int j = 0; j < w; j++) {
                    int d = outOffsets[f + j] + tRow;
                    if (floatOut) {
                        float[] dst = (float[]) out[f + j], yf = (float[]) y;
                        for (int r = 0; r < rows; r++) dst[d + r] = yf[r * ws + j];
                    } else if (single) {
                        double[] dst = (double[]) out[f + j];
                        float[] yf = (float[]) y;
                        for (int r = 0; r < rows; r++) dst[d + r] = yf[r * ws + j];
                    } else {
                        double[] dst = (double[]) out[f + j], yd = (double[]) y;
                        for (int r = 0; r < rows; r++) dst[d + r] = yd[r * ws + j];
                    }
                }
            });
        }
    }

    /**
     * Items per group of {@link #applyGroupMajor} for a batch of {@code count}: the panel width of a long
     * batch, or, for a shorter one, the whole kernel units it holds (100 float32 images of 28x28 are groups
     * of 64 and 36, where a long batch's panels hold 128), so every group but the last is a whole panel.
     */
    public int groupWidth(int count, Dtype dtype) {
        int unit = dtype == Dtype.F32 ? 64 : 32;
        return Math.min(panelWidth(geometry.inputSize(), Integer.MAX_VALUE, dtype), Math.max(unit, count / unit * unit));
    }

    /** Whether a batch of {@code count} items fills at least one whole panel of the panel product. */
    public boolean fillsPanels(int count, Dtype dtype) {
        int group = groupWidth(count, dtype);
        return count >= group && !byLines(group, dtype);
    }

    /**
     * Convolves {@code count} items stored one after another in {@code in} from {@code inOffset} into
     * {@code out} (count x outputSize() values: a double[] in float64, a float[] in float32), left in the
     * panel product's own layout, {@link GroupMajor} with groups of {@link #groupWidth}({@code count}): each panel's results
     * are copied out a tile row at a time as the product leaves them, and the transpose into item after
     * item is left to whoever reads the items ({@code ImageBatch#outItems}), which converts them anyway.
     * For batches that {@link #fillsPanels}.
     */
    public void applyGroupMajor(double[] in, int inOffset, int count, Object out, Dtype dtype) {
        boolean single = dtype == Dtype.F32;
        if (single != out instanceof float[]) throw new IllegalArgumentException("a " + dtype + " product needs a " + (single ? "float[]" : "double[]") + " output");
        int inSize = geometry.inputSize(), outSize = geometry.outputSize(), group = groupWidth(count, dtype);
        linePlans();
        int widest = GroupMajor.width(count, group, GroupMajor.start(count, group, count - 1));
        Object x = scratch(single ? PACKED_F32 : PACKED_F64, inSize * PanelProduct.padded(Math.max(group, widest), dtype), single);
        double[][] src = new double[Math.max(group, widest)][];
        java.util.Arrays.fill(src, in);
        int[] offsets = new int[src.length];
        for (int first = 0, w; first < count; first += w) {
            w = GroupMajor.width(count, group, first);
            int ws = PanelProduct.padded(w, dtype), width = w;
            for (int j = 0; j < w; j++) offsets[j] = inOffset + (first + j) * inSize;
            if (single) pack(src, offsets, 0, w, ws, (float[]) x);
            else pack(src, offsets, 0, w, ws, (double[]) x);
            int base = first * outSize;
            product(x, ws, null, (y, tRow, rows) -> {
                for (int r = 0; r < rows; r++) System.arraycopy(y, r * ws, out, base + (tRow + r) * width, width);
            });
        }
    }

    /**
     * One image through {@link LineProduct}: read where it lies, written where its output goes, a double[] or
     * a float[] (in float32 through a rounded copy of the input; a double[] output gets the float results
     * widened, as the panel product's unpack widens them).
     */
    private void applyByLines(double[] in, int inOffset, Object out, int outOffset, boolean single) {
        if (!single) {
            throughLines(in, inOffset, out, outOffset);
            return;
        }
        int inSize = geometry.inputSize();
        float[] x = (float[]) scratch(ROUNDED, inSize, true);
        for (int p = 0; p < inSize; p++) x[p] = (float) in[inOffset + p];
        throughLines(x, 0, out, outOffset);
    }

    /**
     * Per thread, the packed panel, the product's tile buffer and the float32 copy of a line-product input,
     * reused: a task calls {@link #apply} once per panel, and a fresh panel each time (786 KB for 32 CIFAR
     * images) was zeroed only to be overwritten (W2 end to end 0.184 -> 0.157 s in one interleaved run).
     * Lanes past a panel's images hold an earlier panel's values; they are computed like the others (vector
     * lanes do not mix) and never unpacked.
     */
    private static final ThreadLocal<Object> PACKED_F64 = new ThreadLocal<>(), PACKED_F32 = new ThreadLocal<>(),
            TILE_F64 = new ThreadLocal<>(), TILE_F32 = new ThreadLocal<>(), ROUNDED = new ThreadLocal<>();
    /** Above this many values a buffer is not kept for the next call (a task's threads would each hold it). */
    private static final int KEEP_SCRATCH = 8 << 20;

    /** A double[] (float[] when {@code single}) of at least {@code length} from {@code mine}, kept up to {@link #KEEP_SCRATCH}. */
    private static Object scratch(ThreadLocal<Object> mine, int length, boolean single) {
        Object a = mine.get();
        if (a != null && (single ? ((float[]) a).length : ((double[]) a).length) >= length) return a;
        a = single ? new float[length] : new double[length];
        if (length <= KEEP_SCRATCH) mine.set(a);
        return a;
    }

    /** The output lines of one image shared between threads when the image is big, as a wide panel's are. */
    private void throughLines(Object x, int xOff, Object y, int yOff) {
        int lines = geometry.outD * geometry.outH;
        int parts = geometry.outputElements() >= PARALLEL_WORK ? Math.min(lines, 4 * Runtime.getRuntime().availableProcessors()) : 1;
        java.util.function.IntConsumer part = i -> {
            int from = (int) ((long) lines * i / parts), to = (int) ((long) lines * (i + 1) / parts);
            if (!(x instanceof float[])) lineProduct.lines((double[]) x, xOff, (double[]) y, yOff, from, to);
            else if (y instanceof double[]) lineProduct.lines((float[]) x, xOff, (double[]) y, yOff, from, to);
            else lineProduct.lines((float[]) x, xOff, (float[]) y, yOff, from, to);
        };
        if (parts <= 1) part.accept(0);
        else java.util.stream.IntStream.range(0, parts).parallel().forEach(part);
    }

    /** Receives rows [tRow, tRow + rows) of T X, (rows) x ws in {@code y} (a double[] or a float[]). */
    private interface Unpack {
        void rows(Object y, int tRow, int rows);
    }

    /**
     * T X + bias for one packed panel x (a double[] or float[], (columns of T) x ws): into {@code whole}
     * ((rows of T) x ws) when given, else tile by tile through {@code unpack}. Big panels (a few large
     * images) share their output lines between threads, each with its own tile buffer.
     */
    private void product(Object x, int ws, Object whole, Unpack unpack) {
        int lines = geometry.outD * geometry.outH;
        long work = geometry.outputElements() * ws;
        int parts = work >= PARALLEL_WORK ? Math.min(lines, 4 * Runtime.getRuntime().availableProcessors()) : 1;
        if (parts <= 1) {
            lines(x, ws, whole, unpack, 0, lines);
            return;
        }
        java.util.stream.IntStream.range(0, parts).parallel().forEach(i ->
                lines(x, ws, whole, unpack, (int) ((long) lines * i / parts), (int) ((long) lines * (i + 1) / parts)));
    }

    /** Output lines [from, to) of {@link #product}. */
    private void lines(Object x, int ws, Object whole, Unpack unpack, int from, int to) {
        ConvGeometry g = geometry;
        boolean single = x instanceof float[];
        int outW = g.outW, plane = g.outputPlane(), width = g.w;
        int[] lineStart = op.lineStart(), pairLine = op.pairLine();
        LinePlan[] plans = this.plans;
        Object tile = scratch(single ? TILE_F32 : TILE_F64, ROW_BLOCK * ws, single);
        for (int line = from; line < to; line++) {
            LinePlan plan = plans[planOf[line]];
            int p0 = lineStart[line];
            int xOff = lineStart[line + 1] > p0 ? pairLine[p0] * width * ws : 0;
            for (int co = 0; co < g.spec.outChannels(); co++) {
                int tRowBase = co * plane + line * outW;
                for (int ox0 = 0; ox0 < outW; ox0 += ROW_BLOCK) {
                    int rows = Math.min(ROW_BLOCK, outW - ox0);
                    int br = co * outW + ox0;
                    if (single) {
                        float[][] f = floats();
                        PanelProduct.multiply(plan.rowPtr, plan.colIdx, f[planOf[line]], f[plans.length], (float[]) x, xOff, ws,
                                br, br + rows, (float[]) tile);
                    } else {
                        PanelProduct.multiply(plan.rowPtr, plan.colIdx, plan.values, rowBias, (double[]) x, xOff, ws,
                                br, br + rows, (double[]) tile);
                    }
                    if (whole == null) unpack.rows(tile, tRowBase + ox0, rows);
                    else System.arraycopy(tile, 0, whole, (tRowBase + ox0) * ws, rows * ws);
                }
            }
        }
    }

    /**
     * The blocks one kind of output line reads, laid out as the rows the kernel walks: block rows (co, ox)
     * with, per input channel of the group, each pair's block row in turn, columns relative to the line's
     * first input line. Lines whose (input line offset, block) pairs agree share one plan: the interior of
     * an image is one plan, each distinct edge line another, so the plans are a few times the blocks.
     */
    private static final class LinePlan {
        final int[] rowPtr, colIdx;
        final double[] values;

        LinePlan(int[] rowPtr, int[] colIdx, double[] values) {
            this.rowPtr = rowPtr;
            this.colIdx = colIdx;
            this.values = values;
        }

        long bytes() { return (long) values.length * (Double.BYTES + Integer.BYTES) + (long) rowPtr.length * Integer.BYTES; }
    }

    /** The line plans, made on first use; the cache is told what they add. */
    private LinePlan[] linePlans() {
        LinePlan[] p = plans;
        if (p == null) {
            synchronized (this) {
                p = plans;
                if (p == null) {
                    p = makePlans();
                    long added = (long) planOf.length * Integer.BYTES;
                    for (LinePlan plan : p) added += plan.bytes();
                    plans = p;
                    OperatorCache.grew(this, added);
                }
            }
        }
        return p;
    }

    /** One plan per distinct kind of line, and each line's plan. */
    private LinePlan[] makePlans() {
        ConvGeometry g = geometry;
        int[] lineStart = op.lineStart(), pairLine = op.pairLine(), pairBlock = op.pairBlock();
        int lines = g.outD * g.outH;
        planOf = new int[lines];
        java.util.Map<String, Integer> ids = new java.util.HashMap<>();
        java.util.List<LinePlan> made = new java.util.ArrayList<>();
        for (int line = 0; line < lines; line++) {
            int p0 = lineStart[line], p1 = lineStart[line + 1];
            StringBuilder key = new StringBuilder();
            for (int p = p0; p < p1; p++) key.append(pairLine[p] - pairLine[p0]).append(':').append(pairBlock[p]).append(',');
            Integer id = ids.get(key.toString());
            if (id == null) {
                id = made.size();
                ids.put(key.toString(), id);
                made.add(plan(p0, p1));
            }
            planOf[line] = id;
        }
        return made.toArray(new LinePlan[0]);
    }

    private LinePlan plan(int p0, int p1) {
        ConvGeometry g = geometry;
        int[] pairLine = op.pairLine(), pairBlock = op.pairBlock(), rowPtr = op.rowPtr(), colIdx = op.colIdx();
        int cinPG = g.spec.inChannelsPerGroup();
        int chan = Math.toIntExact(g.input().channelSize()), width = g.w;
        int rows = rowPtr.length - 1, nP = p1 - p0;
        long nnz = (long) rowPtr[rows] * nP;
        MemoryBudget.check("a line plan of the Toeplitz operator for input " + IntTuple.format(g.inputShape()), nnz * 12);
        int[] ptr = new int[rows + 1];
        int[] cols = new int[Math.toIntExact(nnz)];
        double[] vals = new double[cols.length];
        int e = 0;
        for (int br = 0; br < rows; br++) {
            ptr[br] = e;
            int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
            for (int c = 0; c < cinPG; c++) {
                for (int p = p0; p < p1; p++) {
                    double[] v = op.values(pairBlock[p]);
                    int lineOff = (pairLine[p] - pairLine[p0]) * width;
                    for (int k = k0 + c * n; k < k0 + (c + 1) * n; k++) {
                        int ci = colIdx[k] / width;
                        cols[e] = ci * chan + lineOff + (colIdx[k] - ci * width);
                        vals[e++] = v[k];
                    }
                }
            }
        }
        ptr[rows] = e;
        return new LinePlan(ptr, cols, vals);
    }

    /** Bytes this cached product holds: the operator, the line product's index and the line plans once made. */
    public long bytes() {
        long b = op.bytes() + lineProduct.bytes() + (long) rowBias.length * Double.BYTES;
        LinePlan[] p = plans;
        if (p != null) {
            b += (long) planOf.length * Integer.BYTES;
            for (LinePlan plan : p) b += plan.bytes();
        }
        return b;
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
     * The row length of a panel of {@code images} images as {@link #packedPanel} makes it and
     * {@link #multiplyPanel} takes it: the padded width for the panel product, the image count when the
     * images go through the line product one after another.
     */
    public int panelRowLength(int images, Dtype dtype) {
        return byLines(images, dtype) ? images : PanelProduct.padded(images, dtype);
    }

    /**
     * The images as one panel, packed and padded exactly as {@link #apply} packs them: for the bench,
     * which times the product on panels made before the clock starts.
     */
    public Object packedPanel(double[][] images, Dtype dtype) {
        int w = images.length, ws = PanelProduct.padded(w, dtype);
        int[] zero = new int[w];
        if (byLines(w, dtype)) { // the line product reads each image as it lies: one after another
            int in = geometry.inputSize();
            if (dtype == Dtype.F32) {
                float[] x = new float[in * w];
                for (int j = 0; j < w; j++) for (int p = 0; p < in; p++) x[j * in + p] = (float) images[j][p];
                return x;
            }
            double[] x = new double[in * w];
            for (int j = 0; j < w; j++) System.arraycopy(images[j], 0, x, j * in, in);
            return x;
        }
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
        if (byLines(width, Dtype.F64)) {
            for (int j = 0; j < width; j++) throughLines(x, j * geometry.inputSize(), y, j * geometry.outputSize());
            return;
        }
        linePlans();
        product(x, width, y, null);
    }

    /** {@link #multiplyPanel(double[], int, double[])} in float32. */
    public void multiplyPanel(float[] x, int width, float[] y) {
        if (byLines(width, Dtype.F32)) {
            for (int j = 0; j < width; j++) throughLines(x, j * geometry.inputSize(), y, j * geometry.outputSize());
            return;
        }
        linePlans();
        product(x, width, y, null);
    }

    /** Each line plan's values rounded to float32, then the block rows' biases as the last array. */
    private float[][] floats() {
        float[][] f = asFloat;
        if (f == null) {
            LinePlan[] plans = linePlans();
            synchronized (this) {
                f = asFloat;
                if (f == null) {
                    f = new float[plans.length + 1][];
                    for (int b = 0; b < plans.length; b++) {
                        double[] v = plans[b].values;
                        f[b] = new float[v.length];
                        for (int i = 0; i < v.length; i++) f[b][i] = (float) v[i];
                    }
                    f[plans.length] = new float[rowBias.length];
                    for (int i = 0; i < rowBias.length; i++) f[plans.length][i] = (float) rowBias[i];
                    asFloat = f;
                }
            }
        }
        return f;
    }
}
