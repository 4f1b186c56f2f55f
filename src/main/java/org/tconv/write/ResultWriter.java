package org.tconv.write;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.io.Text;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
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
     */
    public static void write(SparkSession spark, JavaRDD<ImageBatch> result, OutputFormat format, String output,
                             org.apache.hadoop.conf.Configuration conf,
                             CollectionAccumulator<Tuple2<String, String>> rejected, LongAccumulator inputsWritten,
                             LongAccumulator itemsWritten) {
        write(spark, result, format, output, conf, rejected, inputsWritten, itemsWritten, null);
    }

    /**
     * As above; {@code scalars}, when not null, are the columns of a Parquet image table that each row
     * carries ({@link ImageBatch#getScalars}) and that Parquet output keeps after path, index, shape and values.
     */
    public static void write(SparkSession spark, JavaRDD<ImageBatch> result, OutputFormat format, String output,
                             org.apache.hadoop.conf.Configuration conf,
                             CollectionAccumulator<Tuple2<String, String>> rejected, LongAccumulator inputsWritten,
                             LongAccumulator itemsWritten, StructType scalars) {
        JavaRDD<ImageBatch> good = result.filter(b -> {
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
                Dataset<Row> rows = scalars == null
                        ? spark.createDataset(good.flatMap(ResultWriter::rows).rdd(), Encoders.bean(OutputRow.class)).select("path", "index", "shape", "values")
                        : spark.createDataFrame(good.flatMap(ResultWriter::rowsWithScalars), withScalars(scalars));
                rows
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

    /** tconv's columns, as the bean encoder writes them for files, then the table's. */
    static StructType withScalars(StructType scalars) {
        StructType s = new StructType()
                .add("path", DataTypes.StringType)
                .add("index", DataTypes.IntegerType, false)
                .add("shape", DataTypes.createArrayType(DataTypes.IntegerType, false))
                .add("values", DataTypes.createArrayType(DataTypes.DoubleType, false));
        for (StructField f : scalars.fields()) s = s.add(f);
        return s;
    }

    private static java.util.Iterator<Row> rowsWithScalars(ImageBatch b) {
        Object[] carried = ParquetImageTable.unpack(b.getScalars());
        int size = b.getOutValues().length / b.getCount();
        List<Row> out = new ArrayList<>(b.getCount());
        for (int i = 0; i < b.getCount(); i++) {
            Object[] v = new Object[4 + carried.length];
            v[0] = b.getPath();
            v[1] = i;
            v[2] = b.getOutShape();
            v[3] = Arrays.copyOfRange(b.getOutValues(), i * size, (i + 1) * size);
            System.arraycopy(carried, 0, v, 4, carried.length);
            out.add(RowFactory.create(v));
        }
        return out.iterator();
    }

    private static java.util.Iterator<OutputRow> rows(ImageBatch b) {
        int size = b.getOutValues().length / b.getCount();
        List<OutputRow> out = new ArrayList<>(b.getCount());
        for (int i = 0; i < b.getCount(); i++) {
            out.add(new OutputRow(b.getPath(), i, b.getOutShape(), Arrays.copyOfRange(b.getOutValues(), i * size, (i + 1) * size)));
        }
        return out.iterator();
    }

    private static List<Tuple2<Text, OutputFile>> files(ImageBatch b, OutputFormat format) {
        String stem = new InputFile(b.getPath(), b.getRelative()).relativeStem();
        List<String> names = OutputNames.of(stem, format, b.isBatched() ? b.getCount() : 0);
        List<Tuple2<Text, OutputFile>> out = new ArrayList<>();
        if (format == OutputFormat.NPY) {
            out.add(new Tuple2<>(new Text(names.get(0)), OutputFile.npy(b.outFileShape(), b.getOutValues())));
        } else {
            int size = b.getOutValues().length / b.getCount();
            for (int i = 0; i < b.getCount(); i++) {
                out.add(new Tuple2<>(new Text(names.get(i)), OutputFile.bytes(FeatureMapPng.encode(b.getOutShape(), b.getOutValues(), i * size))));
            }
        }
        return out;
    }
}
