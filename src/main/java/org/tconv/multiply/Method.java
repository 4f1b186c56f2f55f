package org.tconv.multiply;

import java.util.Locale;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.tconv.operator.Dtype;
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

    /** The precisions this method computes in: MLlib and the reference loop are float64 only. */
    public boolean supports(Dtype dtype) {
        return dtype == Dtype.F64 || this == TOEPLITZ;
    }

    /** @throws IllegalArgumentException naming the problem when this method cannot compute in {@code dtype} */
    public void requireSupports(Dtype dtype) {
        if (!supports(dtype)) throw new IllegalArgumentException("--dtype " + dtype + " needs --method toeplitz (" + this + " computes in float64)");
    }

    /**
     * Fills {@code outShape}/{@code outValues} of every accepted row; keeps the input values when asked.
     * The rows come and go as an RDD of objects: the toeplitz path never copies an image or a result
     * through a Spark SQL encoder (for 28x28 images that copy cost more than the product).
     */
    public JavaRDD<ImageBatch> apply(SparkSession spark, JavaRDD<ImageBatch> decoded, ConvSpec spec, boolean keepInput, Dtype dtype) {
        requireSupports(dtype);
        switch (this) {
            case TOEPLITZ: return decoded.mapPartitions(new ToeplitzMethod(spec, keepInput, dtype));
            case BLOCKMATRIX: return BlockMatrixMethod.apply(spark, decoded, spec, keepInput);
            case DIRECT: return DirectMethod.apply(spark, decoded, spec, keepInput);
            default: throw new AssertionError(this);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
