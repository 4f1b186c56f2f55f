package org.tconv.write;

import java.util.Locale;

/**
 * {@code --parquet-values}: how a Parquet row holds an item's results.
 */
public enum ParquetValues {
    /**
     * The item's values as numpy's little-endian bytes in one {@code binary} column, beside {@code shape} and
     * {@code dtype} ({@code "<f8"} or {@code "<f4"}, numpy's descr): {@code np.frombuffer(values, dtype).reshape(shape)}.
     * Parquet writes one length and one memory copy per item instead of two level entries per value.
     */
    BINARY,
    /** The values as Parquet's list of {@code double} (or {@code float}): {@code array<double>} in Spark, a list in DuckDB. */
    ARRAY;

    public static ParquetValues parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --parquet-values '" + s + "' (expected binary or array)");
        }
    }
}
