package org.tconv.job;

import org.tconv.conv.ConvSpec;
import org.tconv.operator.Dtype;
import org.tconv.read.AdmissionBudget;
import org.tconv.multiply.Method;
import org.tconv.write.OutputFormat;
import org.tconv.write.ParquetLayout;

/** What one {@code tconv run} does, fully validated before Spark starts. */
public final class JobConfig {
    public final String input;
    public final String output;
    public final ConvSpec spec;
    public final Method method;
    public final OutputFormat format;
    public final boolean verify;
    public final Dtype dtype;
    /** Replace a finished output (written beside it, swapped in on success). */
    public final boolean overwrite;
    /** What one input may claim and take (--max-pixels, the executor's memory), checked as it is decoded. */
    public final AdmissionBudget budget;
    /** {@code --image-column}: the input is a Parquet table of encoded images in this column; null for files. */
    public final String imageColumn;
    /** {@code --key-column}: what names a table's rows; null for the default (see ParquetImageTable). */
    public final String keyColumn;
    /** {@code --shard-split-size}: an uncompressed tar shard larger than this is read by several tasks. */
    public final long shardSplitBytes;
    /** {@code --parquet-values}, {@code --parquet-compression}: the rows of {@code --format parquet}. */
    public final ParquetLayout parquet;
    /** Spark's own split size for files, {@code spark.sql.files.maxPartitionBytes}'s default. */
    public static final long DEFAULT_SHARD_SPLIT_BYTES = 128L << 20;

    public JobConfig(String input, String output, ConvSpec spec, Method method, OutputFormat format, boolean verify, Dtype dtype) {
        this(input, output, spec, method, format, verify, dtype, false, AdmissionBudget.defaults());
    }

    public JobConfig(String input, String output, ConvSpec spec, Method method, OutputFormat format, boolean verify, Dtype dtype,
                     boolean overwrite, AdmissionBudget budget) {
        this(input, output, spec, method, format, verify, dtype, overwrite, budget, null, null, DEFAULT_SHARD_SPLIT_BYTES);
    }

    public JobConfig(String input, String output, ConvSpec spec, Method method, OutputFormat format, boolean verify, Dtype dtype,
                     boolean overwrite, AdmissionBudget budget, String imageColumn, String keyColumn, long shardSplitBytes) {
        this(input, output, spec, method, format, verify, dtype, overwrite, budget, imageColumn, keyColumn, shardSplitBytes, ParquetLayout.defaults());
    }

    public JobConfig(String input, String output, ConvSpec spec, Method method, OutputFormat format, boolean verify, Dtype dtype,
                     boolean overwrite, AdmissionBudget budget, String imageColumn, String keyColumn, long shardSplitBytes,
                     ParquetLayout parquet) {
        this.input = input;
        this.output = output;
        this.spec = spec;
        this.method = method;
        this.format = format;
        this.verify = verify;
        this.dtype = dtype;
        this.overwrite = overwrite;
        this.budget = budget;
        this.imageColumn = imageColumn;
        this.keyColumn = keyColumn;
        if (shardSplitBytes < 1) throw new IllegalArgumentException("--shard-split-size must be at least 1 byte, not " + shardSplitBytes);
        this.shardSplitBytes = shardSplitBytes;
        this.parquet = parquet;
    }
}
