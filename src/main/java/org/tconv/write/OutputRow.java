package org.tconv.write;

import java.io.Serializable;

/** A row of the Parquet output: one image's convolution. */
public class OutputRow implements Serializable {
    private static final long serialVersionUID = 1L;

    private String path;
    private int index;
    private int[] shape;
    private double[] values;

    public OutputRow() {}

    public OutputRow(String path, int index, int[] shape, double[] values) {
        this.path = path;
        this.index = index;
        this.shape = shape;
        this.values = values;
    }

    public String getPath() { return path; }
    public void setPath(String v) { path = v; }
    public int getIndex() { return index; }
    public void setIndex(int v) { index = v; }
    public int[] getShape() { return shape; }
    public void setShape(int[] v) { shape = v; }
    public double[] getValues() { return values; }
    public void setValues(double[] v) { values = v; }
}
