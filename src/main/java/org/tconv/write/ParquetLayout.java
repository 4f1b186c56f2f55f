package org.tconv.write;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.tconv.conv.GroupMajor;
import org.tconv.read.ImageBatch;
import org.tconv.read.ParquetImageTable;

/**
 * What a row of {@code --format parquet} holds and how Parquet is asked to write it: path, index, shape,
 * then the values ({@link ParquetValues}: numpy bytes with their {@code dtype}, or a list of numbers), then a
 * table's carried scalar columns; pages compressed by {@link ParquetCompression}.
 */
public final class ParquetLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The column of the results; {@code dtype} is beside it in the binary layout. */
    public static final String VALUES = "values";
    public static final String DTYPE = "dtype";
    /** numpy's descr of the bytes in {@link #VALUES}. */
    public static final String FLOAT64 = "<f8", FLOAT32 = "<f4";

    /** The defaults, chosen by measurement (docs/outputs.md, docs/perf/2026-12-08-parquet.md). */
    public static final String DEFAULT_VALUES_NAME = "binary", DEFAULT_COMPRESSION_NAME = "none";
    public static final ParquetValues DEFAULT_VALUES = ParquetValues.parse(DEFAULT_VALUES_NAME);
    public static final ParquetCompression DEFAULT_COMPRESSION = ParquetCompression.parse(DEFAULT_COMPRESSION_NAME);

    public final ParquetValues values;
    public final ParquetCompression compression;

    public ParquetLayout(ParquetValues values, ParquetCompression compression) {
        this.values = values;
        this.compression = compression;
    }

    public static ParquetLayout defaults() {
        return new ParquetLayout(DEFAULT_VALUES, DEFAULT_COMPRESSION);
    }

    /** tconv's columns, then the table's scalar columns when there are any. */
    public StructType schema(StructType scalars, boolean float32) {
        StructType s = new StructType()
                .add("path", DataTypes.StringType)
                .add("index", DataTypes.IntegerType, false)
                .add("shape", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
        s = values == ParquetValues.BINARY
                ? s.add(DTYPE, DataTypes.StringType, false).add(VALUES, DataTypes.BinaryType, false)
                : s.add(VALUES, DataTypes.createArrayType(float32 ? DataTypes.FloatType : DataTypes.DoubleType, false), false);
        if (scalars != null) for (StructField f : scalars.fields()) s = s.add(f);
        return s;
    }

    /**
     * Options of Spark's Parquet writer (they reach parquet-mr's Hadoop settings). For the bytes column: no
     * dictionary (every item differs; trying one hashes and copies each item before falling back) and no
     * min/max statistics (each page header and the footer would hold whole items as its min and max).
     */
    public Map<String, String> writerOptions() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("compression", compression.sparkName);
        // parquet-mr checks a page's and a row group's size only every 100 rows at first; a row here is a whole
        // item (a photo's float64 result is ~28 MB), so 100 of them were buffered, and copied once more when
        // the page was written, before the 1 MB page or 128 MB row group was noticed: W8 in float64 ran the
        // executor out of heap. Checked after every row instead: a row is large, the check is a sum.
        o.put("parquet.page.size.row.check.min", "1");
        o.put("parquet.page.size.row.check.max", "1");
        if (values == ParquetValues.BINARY) {
            o.put("parquet.enable.dictionary#" + VALUES, "false");
            o.put("parquet.column.statistics.enabled#" + VALUES, "false");
        }
        return o;
    }

    /** One row per item of {@code b}, made a few items at a time as the writer takes them. */
    public Iterator<Row> rows(ImageBatch b) {
        Object[] carried = b.getScalars() == null ? new Object[0] : ParquetImageTable.unpack(b.getScalars());
        boolean binary = values == ParquetValues.BINARY;
        String dtype = b.getOutFloats() != null ? FLOAT32 : FLOAT64;
        int fixed = binary ? 5 : 4;
        return new Iterator<>() {
            private Object[] items = new Object[0];
            private int first, k;

            @Override
            public boolean hasNext() {
                return first + k < b.getCount();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                if (k == items.length) {
                    first += k;
                    k = 0;
                    items = b.outItems(first, Math.min(GroupMajor.ITEMS_PER_PASS, b.getCount() - first));
                }
                Object[] v = new Object[fixed + carried.length];
                v[0] = b.getPath();
                v[1] = first + k;
                v[2] = b.getOutShape();
                if (binary) {
                    v[3] = dtype;
                    v[4] = littleEndian(items[k]);
                } else {
                    v[3] = items[k];
                }
                items[k++] = null; // the row holds its own copy now
                System.arraycopy(carried, 0, v, fixed, carried.length);
                return RowFactory.create(v);
            }
        };
    }

    /** numpy's bytes of a double[] or float[]: little-endian, C order. */
    static byte[] littleEndian(Object item) {
        if (item instanceof double[]) {
            double[] d = (double[]) item;
            byte[] out = new byte[d.length * Double.BYTES];
            ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(d);
            return out;
        }
        float[] f = (float[]) item;
        byte[] out = new byte[f.length * Float.BYTES];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(f);
        return out;
    }
}
