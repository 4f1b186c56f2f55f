package org.tconv.write;

import java.util.Locale;

/** {@code --parquet-compression}: the codec of the Parquet pages, by the name Spark's writer knows it. */
public enum ParquetCompression {
    NONE("none"),
    SNAPPY("snappy"),
    ZSTD("zstd"),
    /** Parquet's LZ4_RAW (plain LZ4 blocks), not the deprecated Hadoop-framed LZ4 that few readers take. */
    LZ4("lz4_raw"),
    GZIP("gzip");

    /** The value of Spark's {@code compression} option for Parquet. */
    public final String sparkName;

    ParquetCompression(String sparkName) {
        this.sparkName = sparkName;
    }

    public static ParquetCompression parse(String s) {
        String n = s.trim().toUpperCase(Locale.ROOT);
        if (n.equals("UNCOMPRESSED")) return NONE;
        if (n.equals("LZ4_RAW")) return LZ4;
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --parquet-compression '" + s + "' (expected none, snappy, zstd, lz4 or gzip)");
        }
    }
}
