package org.tconv.multiply;

import java.util.Locale;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.tconv.conv.ConvSpec;
import org.tconv.read.ImageBatch;

/** {@code --method}: how the convolution is computed. */
public enum Method {
    /** Each partition builds the sparse T for its input shapes and multiplies its batch. */
    TOEPLITZ,
    /** T and the batch as MLlib BlockMatrix, multiplied distributed. */
    BLOCKMATRIX,
    /** The direct-convolution UDF: the reference. */
    DIRECT;

    public static Method parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown method '" + s + "' (expected toeplitz, blockmatrix or direct)");
        }
    }

    /** Fills {@code outShape}/{@code outValues} of every accepted row; keeps the input values when asked. */
    public Dataset<ImageBatch> apply(SparkSession spark, Dataset<ImageBatch> decoded, ConvSpec spec, boolean keepInput) {
        switch (this) {
            case TOEPLITZ: return ToeplitzMethod.apply(decoded, spec, keepInput);
            case BLOCKMATRIX: return BlockMatrixMethod.apply(spark, decoded, spec, keepInput);
            case DIRECT: return DirectMethod.apply(decoded, spec, keepInput);
            default: throw new AssertionError(this);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
