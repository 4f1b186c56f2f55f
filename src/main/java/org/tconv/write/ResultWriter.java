package org.tconv.write;

import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.io.Text;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.tconv.conv.GroupMajor;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;
import org.tconv.read.ParquetImageTable;

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
     * {@code float32}: the results are float32 ({@link ImageBatch#getOutFloats}) and written so.
     */
    public static void write(SparkSession spark, JavaRDD<ImageBatch> result, OutputFormat format, String output,
                             org.apache.hadoop.conf.Configuration conf,
                             CollectionAccumulator<Tuple2<String, String>> rejected, LongAccumulator inputsWritten,
                             LongAccumulator itemsWritten, StructType scalars, boolean float32) {
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
                spark.createDataFrame(good.flatMap(ResultWriter::rows), schema(scalars, float32))
                        // Append: the directory exists (it holds tconv's marker); Overwrite would delete it first.
                        .write().mode(SaveMode.Append)
                        .option(PendingOutput.COMMITTER_SUCCESS_KEY, "false")
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

    /**
     * tconv's columns (path, index, shape, values: float64, or float32 for a float32 product), then the
     * table's scalar columns when there are any.
     */
    static StructType schema(StructType scalars, boolean float32) {
        StructType s = new StructType()
                .add("path", DataTypes.StringType)
                .add("index", DataTypes.IntegerType, false)
                .add("shape", DataTypes.createArrayType(DataTypes.IntegerType, false))
                .add("values", DataTypes.createArrayType(float32 ? DataTypes.FloatType : DataTypes.DoubleType, false));
        if (scalars != null) for (StructField f : scalars.fields()) s = s.add(f);
        return s;
    }

    /** One row per item: its results, then the table's carried scalars if any. */
    private static java.util.Iterator<Row> rows(ImageBatch b) {
        Object[] carried = b.getScalars() == null ? new Object[0] : ParquetImageTable.unpack(b.getScalars());
        List<Row> out = new ArrayList<>(b.getCount());
        for (int first = 0; first < b.getCount(); first += GroupMajor.ITEMS_PER_PASS) {
            Object[] items = b.outItems(first, Math.min(GroupMajor.ITEMS_PER_PASS, b.getCount() - first));
            for (int k = 0; k < items.length; k++) {
                Object[] v = new Object[4 + carried.length];
                v[0] = b.getPath();
                v[1] = first + k;
                v[2] = b.getOutShape();
                v[3] = items[k];
                System.arraycopy(carried, 0, v, 4, carried.length);
                out.add(RowFactory.create(v));
            }
        }
        return out.iterator();
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
