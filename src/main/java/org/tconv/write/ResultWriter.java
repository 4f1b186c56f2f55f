package org.tconv.write;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.io.Text;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
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

    public static void write(SparkSession spark, JavaRDD<ImageBatch> result, OutputFormat format, String output,
                             CollectionAccumulator<String> rejected, LongAccumulator itemsWritten) {
        JavaRDD<ImageBatch> good = result.filter(b -> {
            if (b.ok()) {
                itemsWritten.add(b.getCount());
                return true;
            }
            rejected.add(b.getPath() + "\t" + b.getError());
            return false;
        });
        switch (format) {
            case PARQUET:
                spark.createDataset(good.flatMap(ResultWriter::rows).rdd(), Encoders.bean(OutputRow.class))
                        .select("path", "index", "shape", "values")
                        .write().mode(SaveMode.Overwrite).parquet(output);
                break;
            case NPY:
            case PNG:
                good.flatMapToPair(b -> files(b, format).iterator())
                        .saveAsNewAPIHadoopFile(output, Text.class, OutputFile.class, NamedFilesOutputFormat.class);
                break;
            case WEBDATASET:
                good.flatMapToPair(WebDatasetOutputFormat::members)
                        .saveAsNewAPIHadoopFile(output, Text.class, WebDatasetOutputFormat.Member.class, WebDatasetOutputFormat.class);
                break;
            default:
                throw new AssertionError(format);
        }
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
        List<Tuple2<Text, OutputFile>> out = new ArrayList<>();
        if (format == OutputFormat.NPY) {
            out.add(new Tuple2<>(new Text(stem + ".npy"), OutputFile.npy(b.outFileShape(), b.getOutValues())));
        } else {
            int size = b.getOutValues().length / b.getCount();
            for (int i = 0; i < b.getCount(); i++) {
                String name = b.isBatched() ? stem + "_" + i + ".png" : stem + ".png";
                out.add(new Tuple2<>(new Text(name), OutputFile.bytes(FeatureMapPng.encode(b.getOutShape(), b.getOutValues(), i * size))));
            }
        }
        return out;
    }

    /** The output file an input maps to, so the job can refuse two inputs that would write the same file. */
    public static String outputName(InputFile f, OutputFormat format) {
        return format == OutputFormat.NPY || format == OutputFormat.WEBDATASET ? f.relativeStem() + ".npy" : format == OutputFormat.PNG ? f.relativeStem() + ".png" : f.path;
    }
}
