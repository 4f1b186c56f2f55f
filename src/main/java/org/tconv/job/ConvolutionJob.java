package org.tconv.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.tconv.conv.ConvSpec;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputBatches;
import org.tconv.read.InputDecoder;
import org.tconv.read.InputFile;
import org.tconv.read.InputFiles;
import org.tconv.read.ShardReader;
import org.tconv.read.WebDatasetShards;
import org.tconv.verify.Verification;
import org.tconv.write.OutputFormat;
import org.tconv.write.OutputLocation;
import org.tconv.write.ResultWriter;

/**
 * {@code tconv run}: read -> build T -> multiply -> write -> verify. The driver only lists file names and
 * collects the rejected ones; bytes are read, convolved and written by the tasks.
 */
public final class ConvolutionJob {
    private ConvolutionJob() {}

    /** Files per partition aim: enough partitions for every core, enough files per partition for full panels. */
    static final int PARTITIONS_PER_CORE = 4;
    /** Files a task should get at least, once every core has one: one vector register of images. */
    static final int FILES_PER_TASK = 8;

    public static JobResult run(SparkSession spark, JobConfig cfg) throws IOException {
        long start = System.nanoTime();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        OutputLocation out = new OutputLocation(cfg.output, hadoop);

        List<InputFile> files = InputFiles.list(cfg.input, hadoop);
        Map<String, String> rejected = new TreeMap<>();
        files = dropClashingNames(files, cfg.format, rejected);
        if (cfg.format != OutputFormat.PARQUET) files = WebDatasetShards.dropClashes(files, rejected);
        if (cfg.format == OutputFormat.WEBDATASET) files = WebDatasetShards.dropLoosePartClashes(files, rejected);

        Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(hadoop));
        ConvSpec spec = cfg.spec;
        boolean uniqueStems = cfg.format != OutputFormat.PARQUET;
        boolean companions = cfg.format == OutputFormat.WEBDATASET;
        JavaRDD<ImageBatch> decoded = inputs(sc, files).mapPartitions(it -> {
            InputDecoder decoder = new InputDecoder(spec);
            return new InputBatches(it, f -> WebDatasetShards.isShard(f)
                    ? new ShardReader(f, conf.value().value(), decoder, uniqueStems, companions)
                    : java.util.List.of(decoder.decode(f, conf.value().value())).iterator());
        });
        JavaRDD<ImageBatch> result = cfg.method.apply(spark, decoded, spec, cfg.verify, cfg.dtype);

        Verification verification = null;
        if (cfg.verify) {
            result = result.persist(StorageLevel.MEMORY_AND_DISK());
            verification = Verification.run(spark, result, spec, cfg.method, cfg.dtype);
        }
        CollectionAccumulator<String> rejectedAcc = sc.sc().collectionAccumulator("rejected");
        LongAccumulator items = sc.sc().longAccumulator("items");
        // Counted as rows are written: a shard's members are only known to its task.
        LongAccumulator acceptedAcc = sc.sc().longAccumulator("accepted");
        result = result.filter(b -> {
            if (b.ok()) acceptedAcc.add(1);
            return true;
        });
        ResultWriter.write(spark, result, cfg.format, out.uri(), rejectedAcc, items);
        for (String line : rejectedAcc.value()) {
            int tab = line.indexOf('\t');
            rejected.putIfAbsent(line.substring(0, tab), line.substring(tab + 1));
        }
        out.writeRejected(rejected);
        if (cfg.verify) result.unpersist();
        long accepted = acceptedAcc.value();
        return new JobResult(out.uri(), accepted, items.value(), rejected, verification, (System.nanoTime() - start) / 1e9);
    }

    /** Loose files spread over tasks as {@link #partitionsFor} says; each shard a task of its own. */
    static JavaRDD<InputFile> inputs(JavaSparkContext sc, List<InputFile> files) {
        List<InputFile> loose = new ArrayList<>();
        List<InputFile> shards = new ArrayList<>();
        for (InputFile f : files) (WebDatasetShards.isShard(f) ? shards : loose).add(f);
        JavaRDD<InputFile> looseRdd = sc.parallelize(loose, partitionsFor(loose.size(), sc.defaultParallelism()));
        return shards.isEmpty() ? looseRdd : looseRdd.union(sc.parallelize(shards, shards.size()));
    }

    /**
     * Tasks for a list of files: at least one per core and up to {@value #PARTITIONS_PER_CORE} per core
     * (every executor busy, stragglers evened out), but no fewer than {@value #FILES_PER_TASK} files per
     * task beyond one task per core, so a few big photographs still fill the kernel's vectors (eight
     * images per panel), and never more tasks than files.
     */
    public static int partitionsFor(int files, int parallelism) {
        int wanted = Math.max(parallelism, Math.min(parallelism * PARTITIONS_PER_CORE, files / FILES_PER_TASK));
        return Math.max(1, Math.min(files, wanted));
    }

    /** Two inputs that would write the same output file (a.png and a.jpg as a.npy): the later is rejected. */
    static List<InputFile> dropClashingNames(List<InputFile> files, OutputFormat format, Map<String, String> rejected) {
        if (format == OutputFormat.PARQUET) return files;
        Map<String, InputFile> seen = new HashMap<>();
        List<InputFile> kept = new ArrayList<>();
        for (InputFile f : files) {
            String name = ResultWriter.outputName(f, format);
            InputFile other = seen.putIfAbsent(name, f);
            if (other == null) {
                kept.add(f);
            } else {
                rejected.put(f.path, "output " + name + " would overwrite the output of " + other.path);
            }
        }
        return kept;
    }
}
