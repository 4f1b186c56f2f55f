package org.tconv.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.udf;

import java.util.Locale;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.tconv.conv.ConvSpec;
import org.tconv.multiply.DirectMethod;
import org.tconv.operator.Dtype;
import org.tconv.multiply.Method;
import org.tconv.multiply.ToeplitzUdf;
import org.tconv.read.ImageBatch;
import org.tconv.read.SqlArrays;

import scala.collection.Seq;

/**
 * {@code --verify}: runs the direct UDF beside the chosen method (for {@code --method direct}, the local
 * Toeplitz product) and reports the largest absolute difference and the largest difference relative to
 * the largest reference magnitude of the run. Fails above {@link #TOLERANCE}.
 */
public final class Verification {
    /** Relative tolerance: float64 sums of a few hundred terms differ by ~1e-15; 1e-9 leaves room, catches bugs. */
    public static final double TOLERANCE = 1e-9;
    /** With {@code --dtype f32} the product rounds to float32 (2^-24 = 6e-8 per operation): 1e-5. */
    public static final double TOLERANCE_F32 = 1e-5;

    public final double maxAbsDifference;
    public final double maxRelDifference;
    public final String reference;
    public final double tolerance;

    private Verification(double abs, double rel, String reference, double tolerance) {
        this.maxAbsDifference = abs;
        this.maxRelDifference = rel;
        this.reference = reference;
        this.tolerance = tolerance;
    }

    public boolean passed() {
        return maxRelDifference <= tolerance; // NaN fails
    }

    public static Verification run(SparkSession spark, JavaRDD<ImageBatch> result, ConvSpec spec, Method method, Dtype dtype) {
        // the comparison reads whole output arrays: results kept in the product's layout are put item after item
        return run(spark.createDataset(result.map(ImageBatch::itemMajor).rdd(), Encoders.bean(ImageBatch.class)), spec, method, dtype);
    }

    public static Verification run(Dataset<ImageBatch> result, ConvSpec spec, Method method, Dtype dtype) {
        UserDefinedFunction ref = method == Method.DIRECT
                ? udf(new ToeplitzUdf(spec), DataTypes.createArrayType(DataTypes.DoubleType, false))
                : DirectMethod.udfOf(spec);
        UserDefinedFunction diff = udf((UDF2<Seq<Object>, Seq<Object>, double[]>) Verification::differences,
                DataTypes.createArrayType(DataTypes.DoubleType, false));
        Row r = result.filter(col("error").isNull())
                .withColumn("reference", ref.apply(col("shape"), col("values"), col("count")))
                .withColumn("d", diff.apply(col(dtype == Dtype.F32 ? "outFloats" : "outValues"), col("reference")))
                .agg(max(col("d").getItem(0)), max(col("d").getItem(1)))
                .first();
        double abs = r.isNullAt(0) ? 0.0 : r.getDouble(0);
        double scale = r.isNullAt(1) ? 0.0 : r.getDouble(1);
        double rel = abs == 0.0 ? 0.0 : abs / scale;
        return new Verification(abs, rel, method == Method.DIRECT ? "toeplitz" : "direct",
                dtype == Dtype.F32 ? TOLERANCE_F32 : TOLERANCE);
    }

    /** [max |a - b|, max |b|]; NaN when the lengths differ or a value is NaN, so the check fails. */
    static double[] differences(Seq<Object> a, Seq<Object> b) {
        if (a == null || b == null || a.size() != b.size()) return new double[] {Double.NaN, 1.0};
        return differences(SqlArrays.doubles(a), SqlArrays.doubles(b));
    }

    /** [max |x - y|, max |y|] of two arrays of the same length; NaN where a value is NaN. */
    public static double[] differences(double[] x, double[] y) {
        double d = 0, s = 0;
        for (int i = 0; i < x.length; i++) {
            double diff = Math.abs(x[i] - y[i]);
            if (Double.isNaN(diff)) return new double[] {Double.NaN, 1.0};
            d = Math.max(d, diff);
            s = Math.max(s, Math.abs(y[i]));
        }
        return new double[] {d, s};
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "verify against %s: max abs difference %.3e, max relative difference %.3e (tolerance %.0e): %s",
                reference, maxAbsDifference, maxRelDifference, tolerance, passed() ? "OK" : "FAILED");
    }
}
