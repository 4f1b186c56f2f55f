package org.tconv.write;

import java.util.Locale;

/** {@code --format}: how results are written. */
public enum OutputFormat {
    /** One row per image: source path, index within the file, output shape, values. */
    PARQUET,
    /** One little-endian float64 .npy per input file, named after it. */
    NPY,
    /** Feature maps as 8-bit grayscale pictures, one PNG per image. */
    PNG,
    /** Tar shards: one per input shard (loose files: one per task), each result a member {@code <key>.npy}. */
    WEBDATASET;

    public static OutputFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + s + "' (expected parquet, npy, png or webdataset)");
        }
    }
}
