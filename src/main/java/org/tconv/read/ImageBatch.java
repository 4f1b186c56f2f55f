package org.tconv.read;

import java.io.Serializable;

import org.tconv.conv.GroupMajor;

/**
 * One input file as a row of the job's Dataset: its items (one image or signal, or the N items of an
 * (N, C, ...) .npy batch), and after the multiply their convolutions. A file that cannot be used carries
 * the reason in {@code error} and no values. A Java bean so Spark's bean encoder moves the primitive arrays
 * in bulk rather than element by element.
 */
public class ImageBatch implements Serializable {
    private static final long serialVersionUID = 1L;

    private String path;
    private String relative;
    /** True when the file held a leading N axis, which the output keeps. */
    private boolean batched;
    private int count;
    /** Shape of one input item: (C, H, W) or (C, L). */
    private int[] shape;
    /** The {@code count} items one after another, each C order. */
    private double[] values;
    private String error;
    /** Shape of one output item: (C_out, outH, outW) or (C_out, outL). */
    private int[] outShape;
    private double[] outValues;
    /**
     * The results of a float32 product ({@code --dtype f32}), in place of {@code outValues}: kept and written
     * as float32, as PyTorch's float32 convolution returns them. Exactly one of the two is set on a done row.
     */
    private float[] outFloats;
    /**
     * Items per group when the results are kept in the panel product's layout ({@link GroupMajor}); 0 when
     * they are item after item, each in C order. Readers of the results ask {@link #outItems} or
     * {@link #itemMajor} rather than index them.
     */
    private int outGroup;
    /**
     * A shard member's folder of outputs ({@link WebDatasetShards#outputFolder}), null for a loose file;
     * {@code --format webdataset} writes the member into {@code <shardFolder>.tar}.
     */
    private String shardFolder;
    /** The sample's other members to copy beside the result (name after the key, e.g. {@code json}); may be null. */
    private java.util.Map<String, byte[]> companions;
    /**
     * A table row's scalar columns ({@link ParquetImageTable#carried}), packed by {@link ParquetImageTable}, for
     * Parquet output; null for a file.
     */
    private byte[] scalars;

    public ImageBatch() {}

    public static ImageBatch of(InputFile f, boolean batched, int count, int[] shape, double[] values) {
        ImageBatch b = new ImageBatch();
        b.path = f.path;
        b.relative = f.relative;
        b.batched = batched;
        b.count = count;
        b.shape = shape;
        b.values = values;
        return b;
    }

    public static ImageBatch rejected(InputFile f, String reason) {
        ImageBatch b = new ImageBatch();
        b.path = f.path;
        b.relative = f.relative;
        b.error = reason;
        return b;
    }

    public ImageBatch copy() {
        ImageBatch b = new ImageBatch();
        b.path = path; b.relative = relative; b.batched = batched; b.count = count; b.shape = shape;
        b.values = values; b.error = error; b.outShape = outShape; b.outValues = outValues;
        b.outFloats = outFloats;
        b.outGroup = outGroup;
        b.shardFolder = shardFolder; b.companions = companions; b.scalars = scalars;
        b.reservation = reservation;
        return b;
    }

    public boolean ok() { return error == null; }

    /** This item's ticket in {@link InFlightMemory} (0 for none), given back once its results are written; not a bean property. */
    private long reservation;

    public long reservation() { return reservation; }

    void holdReservation(long ticket) { reservation = ticket; }

    /** Output values of the row, float64 or float32 (see {@link #getOutFloats}); 0 before the product. */
    public int outLength() {
        return outValues != null ? outValues.length : outFloats != null ? outFloats.length : 0;
    }

    /**
     * Items {@code first .. first + n - 1} of the results, each as its own array in C order: double[] or
     * float[] as the product computed them. Reads the group-major layout a cache line at a time, so a
     * writer asks for a few items at once ({@link GroupMajor#ITEMS_PER_PASS}).
     */
    public Object[] outItems(int first, int n) {
        int size = outLength() / count;
        Object[] items = outFloats != null ? new float[n][size] : new double[n][size];
        if (outGroup == 0) {
            Object all = outFloats != null ? outFloats : outValues;
            for (int k = 0; k < n; k++) System.arraycopy(all, (first + k) * size, items[k], 0, size);
        } else if (outFloats != null) {
            GroupMajor.copyItems(outFloats, count, outGroup, size, first, (float[][]) items, 0);
        } else {
            GroupMajor.copyItems(outValues, count, outGroup, size, first, (double[][]) items, 0);
        }
        return items;
    }

    /** Item {@code i}'s results in float64 (float32 results widened): what a picture is drawn from. */
    public double[] outItemAsDoubles(int i) {
        Object item = outItems(i, 1)[0];
        if (item instanceof double[]) return (double[]) item;
        float[] f = (float[]) item;
        double[] d = new double[f.length];
        for (int k = 0; k < f.length; k++) d[k] = f[k];
        return d;
    }

    /** This row with its results item after item (itself when they already are): for readers of whole arrays. */
    public ImageBatch itemMajor() {
        if (outGroup == 0 || outLength() == 0) return this;
        ImageBatch b = copy();
        int size = outLength() / count;
        b.outGroup = 0;
        Object all = outFloats != null ? new float[outFloats.length] : new double[outValues.length];
        for (int first = 0; first < count; first += GroupMajor.ITEMS_PER_PASS) {
            int n = Math.min(GroupMajor.ITEMS_PER_PASS, count - first);
            Object[] items = outItems(first, n);
            for (int k = 0; k < n; k++) System.arraycopy(items[k], 0, all, (first + k) * size, size);
        }
        if (all instanceof float[]) b.outFloats = (float[]) all;
        else b.outValues = (double[]) all;
        return b;
    }

    /** Shape of the output file: the item shape, with N in front for a batch file. */
    public int[] outFileShape() {
        if (!batched) return outShape;
        int[] s = new int[outShape.length + 1];
        s[0] = count;
        System.arraycopy(outShape, 0, s, 1, outShape.length);
        return s;
    }

    /** Values of one output item, from outShape (set by the decoder on every accepted row); 0 if not known yet. */
    public long outItemSize() {
        if (outShape == null) return 0;
        long n = 1;
        for (int d : outShape) n *= d;
        return n;
    }

    public String getPath() { return path; }
    public void setPath(String v) { path = v; }
    public String getRelative() { return relative; }
    public void setRelative(String v) { relative = v; }
    public boolean isBatched() { return batched; }
    public void setBatched(boolean v) { batched = v; }
    public int getCount() { return count; }
    public void setCount(int v) { count = v; }
    public int[] getShape() { return shape; }
    public void setShape(int[] v) { shape = v; }
    public double[] getValues() { return values; }
    public void setValues(double[] v) { values = v; }
    public String getError() { return error; }
    public void setError(String v) { error = v; }
    public int[] getOutShape() { return outShape; }
    public void setOutShape(int[] v) { outShape = v; }
    public double[] getOutValues() { return outValues; }
    public void setOutValues(double[] v) { outValues = v; }
    public float[] getOutFloats() { return outFloats; }
    public void setOutFloats(float[] v) { outFloats = v; }
    public int getOutGroup() { return outGroup; }
    public void setOutGroup(int v) { outGroup = v; }
    public String getShardFolder() { return shardFolder; }
    public void setShardFolder(String v) { shardFolder = v; }
    public java.util.Map<String, byte[]> getCompanions() { return companions; }
    public void setCompanions(java.util.Map<String, byte[]> v) { companions = v; }
    public byte[] getScalars() { return scalars; }
    public void setScalars(byte[] v) { scalars = v; }
}
