package org.tconv.ml;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.InputRejectedException;
import org.tconv.conv.IntTuple;
import org.tconv.read.AdmissionBudget;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputDecoder;
import org.tconv.read.InputFile;

/**
 * Reads the item of one row's input column, whatever its kind, or says why the row cannot be used
 * ({@link InputRejectedException}). Encoded bytes go through the CLI's own decoder and admission budget, so
 * a row of a Parquet image table gives the values its file would.
 */
final class RowItems implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The first bytes of every {@code .npy} file. */
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private final InputKind kind;
    private final int inputIndex;
    /** The shape column's index, or -1 when every row has {@link #fixedShape}. */
    private final int shapeIndex;
    private final int[] fixedShape;
    private final ConvSpec spec;
    private final AdmissionBudget budget;

    RowItems(InputKind kind, int inputIndex, int shapeIndex, int[] fixedShape, ConvSpec spec, AdmissionBudget budget) {
        this.kind = kind;
        this.inputIndex = inputIndex;
        this.shapeIndex = shapeIndex;
        this.fixedShape = fixedShape;
        this.spec = spec;
        this.budget = budget;
    }

    InputKind kind() {
        return kind;
    }

    Item read(Row row) {
        if (row.isNullAt(inputIndex)) throw new InputRejectedException("the input is null");
        switch (kind) {
            case IMAGE:
                return SparkImages.toItem(row.getStruct(inputIndex), budget);
            case BINARY:
                return decode(row.getAs(inputIndex));
            case ARRAY: {
                List<Double> values = row.getList(inputIndex);
                double[] v = new double[values.size()];
                for (int i = 0; i < v.length; i++) {
                    Double d = values.get(i);
                    if (d == null) throw new InputRejectedException("the array holds a null at index " + i);
                    v[i] = d;
                }
                return shaped(row, v);
            }
            default:
                return shaped(row, ((Vector) row.get(inputIndex)).toArray());
        }
    }

    private Item decode(byte[] bytes) {
        // The decoder tells .npy from images by the name's extension (images by their own bytes).
        String name = startsWith(bytes, NPY_MAGIC) ? "row.npy" : "row";
        ImageBatch b = new InputDecoder(spec, budget).decodeBytes(new InputFile(name, name), bytes);
        if (!b.ok()) throw new InputRejectedException(b.getError());
        if (b.isBatched()) {
            throw new InputRejectedException("the .npy holds a batch of " + b.getCount() + " items of (" + IntTuple.format(b.getShape())
                    + "); a row takes one item");
        }
        return new Item(b.getShape(), b.getValues());
    }

    private Item shaped(Row row, double[] v) {
        int[] shape = fixedShape;
        if (shapeIndex >= 0) {
            if (row.isNullAt(shapeIndex)) throw new InputRejectedException("the shape is null");
            List<Integer> s = row.getList(shapeIndex);
            shape = new int[s.size()];
            for (int i = 0; i < shape.length; i++) {
                if (s.get(i) == null) throw new InputRejectedException("the shape holds a null at index " + i);
                shape[i] = s.get(i);
            }
        }
        long n = AdmissionBudget.elements("shape", shape);
        if (n != v.length) {
            throw new InputRejectedException("shape (" + IntTuple.format(shape) + ") holds " + n + " values, the input has " + v.length);
        }
        return new Item(shape, v);
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[i] != prefix[i]) return false;
        return true;
    }
}
