package org.tconv.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.apache.spark.sql.Row;

/**
 * An item's results from a row of tconv's Parquet output as Spark reads it, whichever layout wrote it: the
 * {@code values} bytes decoded as numpy would ({@code np.frombuffer(values, dtype)}), or the list of numbers.
 */
public final class ParquetResults {
    private ParquetResults() {}

    public static double[] values(Row row) {
        Object v = row.get(row.fieldIndex("values"));
        if (v instanceof byte[]) return decode((byte[]) v, row.getString(row.fieldIndex("dtype")));
        List<?> list = row.getList(row.fieldIndex("values"));
        double[] d = new double[list.size()];
        for (int i = 0; i < d.length; i++) d[i] = ((Number) list.get(i)).doubleValue();
        return d;
    }

    /** numpy's little-endian bytes of dtype {@code <f8} or {@code <f4}, as doubles. */
    public static double[] decode(byte[] bytes, String dtype) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int width = dtype.equals("<f8") ? 8 : dtype.equals("<f4") ? 4 : -1;
        if (width < 0) throw new IllegalArgumentException("not a dtype tconv writes: " + dtype);
        if (bytes.length % width != 0) throw new IllegalArgumentException(bytes.length + " bytes are not whole " + dtype + " values");
        double[] d = new double[bytes.length / width];
        for (int i = 0; i < d.length; i++) d[i] = width == 8 ? b.getDouble(i * 8) : b.getFloat(i * 4);
        return d;
    }

    public static int[] shape(Row row) {
        return row.<Integer>getList(row.fieldIndex("shape")).stream().mapToInt(Integer::intValue).toArray();
    }
}
