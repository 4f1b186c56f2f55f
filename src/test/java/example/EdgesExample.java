package example;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.tconv.ml.ToeplitzConvolution;

/** Sobel edges of the sample photos as a Spark ML stage, written as Parquet. */
public class EdgesExample {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("edges").master("local[*]").getOrCreate();
        edges(spark, "data/images", "conf/default-weights.npy", "target/edges.parquet");
        spark.stop();
    }

    public static void edges(SparkSession spark, String photos, String weights, String output) {
        Dataset<Row> images = spark.read().format("image").load(photos);
        ToeplitzConvolution sobel = new ToeplitzConvolution()
                .setInputCol("image").setOutputCol("edges")
                .setWeights(weights).setPadding("1");
        sobel.transform(images)
                .select(col("image.origin").as("path"), col("edges"), col("edges_shape"), col("edges_reason"))
                .write().mode(SaveMode.Overwrite).parquet(output);
    }
}
