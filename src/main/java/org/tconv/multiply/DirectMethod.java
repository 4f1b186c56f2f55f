package org.tconv.multiply;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.tconv.conv.ConvSpec;
import org.tconv.read.ImageBatch;
import org.tconv.read.SqlArrays;
import org.tconv.verify.DirectUdf;

import scala.collection.Seq;

/** {@code --method direct}: the direct-convolution UDF applied to every accepted row of a Dataset. */
public final class DirectMethod {
    private DirectMethod() {}

    public static UserDefinedFunction udfOf(ConvSpec spec) {
        return udf(new DirectUdf(spec), DataTypes.createArrayType(DataTypes.DoubleType, false));
    }

    public static JavaRDD<ImageBatch> apply(SparkSession spark, JavaRDD<ImageBatch> decoded, ConvSpec spec, boolean keepInput) {
        return apply(spark.createDataset(decoded.rdd(), Encoders.bean(ImageBatch.class)), spec, keepInput).javaRDD();
    }

    public static Dataset<ImageBatch> apply(Dataset<ImageBatch> decoded, ConvSpec spec, boolean keepInput) {
        var direct = udfOf(spec).apply(col("shape"), col("values"), col("count"));
        var shape = udf((UDF1<Seq<Object>, int[]>) s -> spec.outputShape(SqlArrays.ints(s)),
                DataTypes.createArrayType(DataTypes.IntegerType, false)).apply(col("shape"));
        var out = decoded.withColumn("outValues", when(col("error").isNull(), direct))
                .withColumn("outShape", when(col("error").isNull(), shape));
        if (!keepInput) out = out.withColumn("values", lit(null).cast(DataTypes.createArrayType(DataTypes.DoubleType)));
        return out.as(Encoders.bean(ImageBatch.class));
    }
}
