package org.tconv.write;

import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.io.Text;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;

import scala.Tuple2;

/**
 * Writes the convolved rows through Spark's commit protocol and sends rejected rows to an accumulator
 * instead (they are listed in {@code _rejected.csv} by the job). One pass: nothing is computed twice.
 */
public final class ResultWriter {
    private ResultWriter() {}

    /**
     * Writes into {@code output}, an existing directory that {@link OutputLocation} prepared, with the Hadoop
     * settings {@code conf} ({@link PendingOutput#writerConf}: the committer writes no {@code _SUCCESS}).
     * {@code scalars}, when not null, are the columns of a Parquet image table that each row carries
     * ({@link ImageBatch#getScalars}) and that Parquet output keeps after path, index, shape and values.
     * {@code float32}: the results are float32 ({@link ImageBatch#getOutFloats}) and written so. Parquet rows
     * as {@link ParquetLayout#defaults}.
     */
    public static void write(SparkSession spark, JavaRDD<ImageBatch> result, OutputFormat format, String output,
                             org.apache.hadoop.conf.Configuration conf,
                             CollectionAccumulator<Tuple2<String, String>> rejected, LongAccumulator inputsWritten,
                             LongAccumulator itemsWritten, StructType scalars, boolean float32) {
        write(spark, result, format, output, conf, rejected, inputsWritten, itemsWritten, scalars, float32, ParquetLayout.defaults());
    }

    /** As above, Parquet rows laid out and compressed as {@code parquet} says. */
    public static void write(SparkSession spark, JavaRDD<ImageBatch> result, OutputFormat format, String output,
                             org.apache.hadoop.conf.Configuration conf,
                             CollectionAccumulator<Tuple2<String, String>> rejected, LongAccumulator inputsWritten,
                             LongAccumulator itemsWritten, StructType scalars, boolean float32, ParquetLayout parquet) {
        JavaRDD<ImageBatch> good = result.mapPartitions(ReleasedWhenWritten::new).filter(b -> {
            if (b.ok()) {
                inputsWritten.add(1);
                itemsWritten.add(b.getCount());
                return true;
            }
            rejected.add(new Tuple2<>(b.getPath(), b.getError())); // a pair: a path may hold any character
            return false;
        });
        switch (format) {
            case PARQUET:
                spark.createDataFrame(good.flatMap(parquet::rows), parquet.schema(scalars, float32))
                        // Append: the directory exists (it holds tconv's marker); Overwrite would delete it first.
                        .write().mode(SaveMode.Append)
                        .option(PendingOutput.COMMITTER_SUCCESS_KEY, "false")
                        .options(parquet.writerOptions())
                        .parquet(output);
                break;
            case NPY:
            case PNG:
                good.flatMapToPair(b -> files(b, format).iterator())
                        .saveAsNewAPIHadoopFile(output, Text.class, OutputFile.class, NamedFilesOutputFormat.class, conf);
                break;
            case WEBDATASET:
                good.flatMapToPair(WebDatasetOutputFormat::members)
                        .saveAsNewAPIHadoopFile(output, Text.class, WebDatasetOutputFormat.Member.class, WebDatasetOutputFormat.class, conf);
                break;
            default:
                throw new AssertionError(format);
        }
    }

    private static List<Tuple2<Text, OutputFile>> files(ImageBatch b, OutputFormat format) {
        String stem = new InputFile(b.getPath(), b.getRelative()).relativeStem();
        List<String> names = OutputNames.of(stem, format, b.isBatched() ? b.getCount() : 0);
        List<Tuple2<Text, OutputFile>> out = new ArrayList<>();
        if (format == OutputFormat.NPY) {
            out.add(new Tuple2<>(new Text(names.get(0)), OutputFile.npy(b)));
        } else {
            for (int i = 0; i < b.getCount(); i++) {
                out.add(new Tuple2<>(new Text(names.get(i)), OutputFile.bytes(FeatureMapPng.encode(b.getOutShape(), b.outItemAsDoubles(i), 0))));
            }
        }
        return out;
    }
}
