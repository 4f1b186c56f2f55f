package org.tconv.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.tconv.conv.ConvSpec;
import org.tconv.operator.Dtype;
import org.tconv.read.AdmissionBudget;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputBatches;
import org.tconv.read.InputDecoder;
import org.tconv.read.InputFile;
import org.tconv.read.InputFiles;
import org.tconv.read.ParquetImageTable;
import org.tconv.read.ShardRange;
import org.tconv.read.ShardReader;
import org.tconv.read.WebDatasetShards;
import org.tconv.timing.StageClock;
import org.tconv.write.OutputFormat;
import org.tconv.write.NoSpaceLeft;
import org.tconv.write.OutputLocation;
import org.tconv.write.PendingOutput;
import org.tconv.write.OutputNames;
import org.tconv.write.ResultWriter;

import scala.Tuple2;

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

    /**
     * Runs the job into its output, which is finished ({@code _rejected.csv}, then {@code _SUCCESS}, then the
     * swap for {@code --overwrite}) only when everything was written; a failure leaves an old output as it was.
     */
    /**
     * Runs between the job's committed files and {@code _rejected.csv}/{@code _SUCCESS}: the window in which a
     * killed driver leaves files that must not look finished. Unit tests make it fail; the cluster test holds
     * the driver there ({@value #HOLD_PROPERTY} milliseconds) to kill it. Otherwise it does nothing.
     */
    static volatile Runnable beforeFinish = ConvolutionJob::holdIfAsked;
    static final String HOLD_PROPERTY = "tconv.faults.holdBeforeFinishMs";

    private static void holdIfAsked() {
        long ms = Long.getLong(HOLD_PROPERTY, 0);
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static JobResult run(SparkSession spark, JobConfig cfg) throws IOException {
        ParquetImageTable table = cfg.imageColumn == null ? null : ParquetImageTable.open(spark, cfg.input, cfg.imageColumn, cfg.keyColumn, cfg.budget);
        return run(spark, cfg, table);
    }

    /** As {@link #run(SparkSession, JobConfig)}, with the table of {@code --image-column} already opened (and checked). */
    public static JobResult run(SparkSession spark, JobConfig cfg, ParquetImageTable table) throws IOException {
        long start = System.nanoTime();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        Map<String, String> rejected = new TreeMap<>();
        if (table != null) rejected.putAll(table.damaged()); // each damaged file of the table, with its reason
        List<InputFile> files = table == null ? InputFiles.list(cfg.input, hadoop, rejected) : null;
        // the progress line reads it from the first job's properties
        sc.setLocalProperty(JobProgress.LISTED, files == null ? null : String.valueOf(files.size()));
        PendingOutput out = new OutputLocation(cfg.output, hadoop).begin(cfg.overwrite, cfg.input);
        try {
            OutputNames names = OutputNames.forScheme(new org.apache.hadoop.fs.Path(out.uri()).toUri().getScheme());
            JobStages stages = new JobStages(sc);
            JavaRDD<ImageBatch> decoded = table == null
                    ? decodedFiles(sc, hadoop, cfg, files, names, rejected, stages)
                    : decodedRows(spark, cfg, table, names, rejected, stages);
            long spark0 = System.nanoTime(), renames0 = StageClock.get(StageClock.Counter.COMMIT);
            JobResult r = convolve(spark, sc, hadoop, cfg, decoded, table == null ? null : table.carried(), rejected, out, stages);
            double sparkSeconds = (System.nanoTime() - spark0) / 1e9;
            double driverRenames = (StageClock.get(StageClock.Counter.COMMIT) - renames0) / 1e9; // the committer's job commit
            beforeFinish.run();
            long commit0 = System.nanoTime();
            out.commit(r.rejected);
            double commit = (System.nanoTime() - commit0) / 1e9;
            double total = (System.nanoTime() - start) / 1e9;
            return r.finishedIn(total, new JobStages.Times(total - sparkSeconds - commit, sparkSeconds - driverRenames,
                    driverRenames + commit, stages.taskNanos()));
        } catch (Throwable e) { // also Spark's SparkException, which Scala throws undeclared
            out.abort();
            if (NoSpaceLeft.in(e)) throw NoSpaceLeft.at(cfg.output, out.whatAFailureLeaves(), e);
            throw e;
        }
    }

    private static JavaRDD<ImageBatch> decodedFiles(JavaSparkContext sc, Configuration hadoop, JobConfig cfg, List<InputFile> files,
                                                    OutputNames names, Map<String, String> rejected, JobStages stages) throws IOException {
        Map<String, Integer> batchItems = batchItems(sc, files, cfg);
        files = dropClashingNames(files, cfg.format, batchItems, names, rejected);
        if (cfg.format != OutputFormat.PARQUET) files = WebDatasetShards.dropClashes(files, rejected);
        if (cfg.format == OutputFormat.WEBDATASET) files = WebDatasetShards.dropLoosePartClashes(files, rejected);
        // webdataset writes each input shard's tar from the one task that reads it: those stay whole
        else files = WebDatasetShards.splitBigShards(files, cfg.shardSplitBytes, hadoop);

        Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(hadoop));
        ConvSpec spec = cfg.spec;
        AdmissionBudget budget = cfg.budget;
        boolean uniqueStems = cfg.format != OutputFormat.PARQUET;
        boolean companions = cfg.format == OutputFormat.WEBDATASET;
        return inputs(sc, files).mapPartitions(it -> {
            InputDecoder decoder = new InputDecoder(spec, budget);
            return stages.input(new InputBatches(it, f -> f instanceof ShardRange
                    ? new ShardReader((ShardRange) f, conf.value().value(), decoder, uniqueStems)
                    : WebDatasetShards.isShard(f)
                    ? new ShardReader(f, conf.value().value(), decoder, uniqueStems, companions)
                    : java.util.List.of(decoder.decode(f, conf.value().value())).iterator()));
        });
    }

    /**
     * A table's rows as inputs: Spark's Parquet reader reads them in tasks, each decoded there. When rows
     * write named files (npy, png, webdataset), their keys are checked first, as file names are, on the
     * driver: only the keys travel there (a pass over the key column alone), never an image.
     */
    private static JavaRDD<ImageBatch> decodedRows(SparkSession spark, JobConfig cfg, ParquetImageTable table, OutputNames names,
                                                   Map<String, String> rejected, JobStages stages) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        table.countRows(spark);
        Set<String> skip = new HashSet<>();
        if (cfg.format != OutputFormat.PARQUET) {
            List<ParquetImageTable.RowName> keys = new ArrayList<>(table.names(spark, cfg.format == OutputFormat.PNG, cfg.spec.dims()).collect());
            // the later row of a clash is the one rejected, as the later file in path order is
            keys.sort(Comparator.comparing((ParquetImageTable.RowName k) -> k.file).thenComparingLong(k -> k.index));
            for (ParquetImageTable.RowName k : keys) {
                if (k.key == null) continue; // rejected by its task, with the reason
                OutputFormat naming = cfg.format == OutputFormat.WEBDATASET ? OutputFormat.NPY : cfg.format; // a member <key>.npy
                String why = names.claim(k.key, OutputNames.of(new InputFile(k.key, k.key).relativeStem(), naming, k.batchItems));
                if (why != null) {
                    skip.add(ParquetImageTable.rowId(k.file, k.index));
                    rejected.putIfAbsent(k.key, why);
                }
            }
        }
        Broadcast<Set<String>> skipped = sc.broadcast(skip);
        ConvSpec spec = cfg.spec;
        AdmissionBudget budget = cfg.budget;
        boolean carry = cfg.format == OutputFormat.PARQUET;
        return table.rows(spark, carry, PARTITIONS_PER_CORE * sc.defaultParallelism())
                .mapPartitions(it -> stages.input(table.decode(stages.read(it), new InputDecoder(spec, budget), skipped.value(), carry)));
    }

    private static JobResult convolve(SparkSession spark, JavaSparkContext sc, Configuration hadoop, JobConfig cfg,
                                      JavaRDD<ImageBatch> decoded, StructType scalars, Map<String, String> rejected, PendingOutput out,
                                      JobStages stages) {
        ConvSpec spec = cfg.spec;
        JavaRDD<ImageBatch> result = cfg.method.apply(spark, decoded, spec, cfg.verify, cfg.dtype).mapPartitions(stages::result, true);

        Verification verification = null;
        if (cfg.verify) {
            result = result.persist(StorageLevel.MEMORY_AND_DISK());
            verification = Verification.run(spark, result, spec, cfg.method, cfg.dtype);
        }
        CollectionAccumulator<Tuple2<String, String>> rejectedAcc = sc.sc().collectionAccumulator("rejected");
        LongAccumulator items = sc.sc().longAccumulator("items");
        // Counted as rows are written: a shard's members are only known to its task.
        LongAccumulator acceptedAcc = sc.sc().longAccumulator("accepted");
        ResultWriter.write(spark, result, cfg.format, out.workUri(), PendingOutput.writerConf(hadoop), rejectedAcc, acceptedAcc, items, scalars,
                cfg.dtype == Dtype.F32, cfg.parquet);
        for (Tuple2<String, String> r : rejectedAcc.value()) {
            rejected.putIfAbsent(r._1(), r._2());
        }
        if (cfg.verify) result.unpersist();
        long accepted = acceptedAcc.value();
        return new JobResult(out.uri(), accepted, items.value(), rejected, verification, 0);
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

    /**
     * Items of each batch file, by path, when the format names one output file per item (png): the names
     * must be known before the job writes, so the .npy headers are read first, in tasks (a few hundred
     * bytes each). Other formats name one file per input and need nothing.
     */
    static Map<String, Integer> batchItems(JavaSparkContext sc, List<InputFile> files, JobConfig cfg) {
        Map<String, Integer> items = new HashMap<>();
        if (cfg.format != OutputFormat.PNG) return items;
        List<InputFile> npy = new ArrayList<>();
        for (InputFile f : files) if (f.extension().equals("npy")) npy.add(f);
        if (npy.isEmpty()) return items;
        Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration()));
        int dims = cfg.spec.dims();
        for (Tuple2<String, Integer> t : sc.parallelize(npy, partitionsFor(npy.size(), sc.defaultParallelism()))
                .map(f -> new Tuple2<>(f.path, InputDecoder.batchItems(f, conf.value().value(), dims))).collect()) {
            if (t._2() > 0) items.put(t._1(), t._2());
        }
        return items;
    }

    /**
     * Inputs whose output names cannot be written (too long, not a name Hadoop keeps) or that would write
     * a file another input writes, or a file where another needs a directory: rejected, in path order, the
     * later one of a clash. Parquet rows name their source, so nothing clashes there.
     */
    static List<InputFile> dropClashingNames(List<InputFile> files, OutputFormat format, Map<String, Integer> batchItems,
                                             OutputNames names, Map<String, String> rejected) {
        if (format == OutputFormat.PARQUET) return files;
        List<InputFile> kept = new ArrayList<>();
        for (InputFile f : files) {
            if (WebDatasetShards.isShard(f)) { // its members' names are claimed by its task (ShardReader)
                kept.add(f);
                continue;
            }
            String why = names.claim(f.path, OutputNames.of(f.relativeStem(), format, batchItems.getOrDefault(f.path, 0)));
            if (why == null) {
                kept.add(f);
            } else {
                rejected.put(f.path, why);
            }
        }
        return kept;
    }
}
