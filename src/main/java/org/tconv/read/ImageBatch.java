package org.tconv.read;

import java.io.Serializable;

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
        b.shardFolder = shardFolder; b.companions = companions; b.scalars = scalars;
        return b;
    }

    public boolean ok() { return error == null; }

    /** Output values of the row, float64 or float32 (see {@link #getOutFloats}); 0 before the product. */
    public int outLength() {
        return outValues != null ? outValues.length : outFloats != null ? outFloats.length : 0;
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
    public String getShardFolder() { return shardFolder; }
    public void setShardFolder(String v) { shardFolder = v; }
    public java.util.Map<String, byte[]> getCompanions() { return companions; }
    public void setCompanions(java.util.Map<String, byte[]> v) { companions = v; }
    public byte[] getScalars() { return scalars; }
    public void setScalars(byte[] v) { scalars = v; }
}
