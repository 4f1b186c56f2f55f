package org.tconv.deconvolve;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.tconv.read.AdmissionBudget;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputDecoder;
import org.tconv.read.InputFile;
import org.tconv.read.InputFiles;
import org.tconv.read.WebDatasetShards;
import org.tconv.write.OutputFormat;
import org.tconv.write.OutputLocation;
import org.tconv.write.OutputNames;
import org.tconv.write.PendingOutput;
import org.tconv.write.ResultWriter;

import scala.Tuple2;

/**
 * {@code tconv deconvolve}: list -> read -> solve -> write, on the run job's listing, budget, writers and
 * committed output. Each input file is one record, and a task solves each of its items with every
 * iteration inside it (no Spark job per iteration). {@code _deconvolve.csv} (one line per item) is written
 * into the output before {@code _rejected.csv} and {@code _SUCCESS}.
 */
public final class DeconvolveJob {
    private DeconvolveJob() {}

    public static final String REPORT = "_deconvolve.csv";
    /** --verify fails (exit 3) above this relative difference between the toeplitz and the direct solves. */
    public static final double VERIFY_TOLERANCE = 1e-8;

    /** What the command asked for, checked. */
    public static final class Config implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String input, output;
        public final Problem problem;
        public final OutputFormat format;
        public final boolean verify, overwrite;
        public final AdmissionBudget budget;

        public Config(String input, String output, Problem problem, OutputFormat format, boolean verify, boolean overwrite, AdmissionBudget budget) {
            if (format == OutputFormat.WEBDATASET) {
                throw new IllegalArgumentException("deconvolve writes --format npy, parquet or png (webdataset shards are not supported yet)");
            }
            this.input = input;
            this.output = output;
            this.problem = problem;
            this.format = format;
            this.verify = verify;
            this.overwrite = overwrite;
            this.budget = budget;
        }
    }

    /** The job's outcome, for the summary line and the exit status. */
    public static final class Result {
        public final String output;
        public final long filesWritten, itemsSolved;
        public final Map<String, String> rejected;
        public final List<ItemReport> items;
        public final double seconds;

        Result(String output, long filesWritten, long itemsSolved, Map<String, String> rejected, List<ItemReport> items, double seconds) {
            this.output = output;
            this.filesWritten = filesWritten;
            this.itemsSolved = itemsSolved;
            this.rejected = rejected;
            this.items = items;
            this.seconds = seconds;
        }

        /** Median of the items' residuals; NaN without items. */
        public double medianResidual() {
            double[] r = items.stream().mapToDouble(i -> i.residual).sorted().toArray();
            if (r.length == 0) return Double.NaN;
            return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        }

        /** Largest --verify difference over the items; NaN without --verify. */
        public double largestVerifyDifference() {
            return items.stream().mapToDouble(i -> i.verifyDifference).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
        }

        /** 0 all solved; 2 some inputs rejected; 3 --verify found a difference above {@link #VERIFY_TOLERANCE}. */
        public int exitStatus() {
            if (largestVerifyDifference() > VERIFY_TOLERANCE) return 3;
            return rejected.isEmpty() ? 0 : 2;
        }
    }

    public static Result run(SparkSession spark, Config cfg) throws IOException {
        long start = System.nanoTime();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        Map<String, String> rejected = new TreeMap<>();
        List<InputFile> files = new ArrayList<>();
        for (InputFile f : InputFiles.list(cfg.input, hadoop, rejected)) {
            if (WebDatasetShards.isShard(f)) rejected.put(f.path, "a .tar shard: deconvolve reads loose .npy and image files");
            else files.add(f);
        }
        PendingOutput out = new OutputLocation(cfg.output, hadoop).begin(cfg.overwrite, cfg.input);
        try {
            files = claimNames(sc, files, cfg, OutputNames.forScheme(new Path(out.uri()).toUri().getScheme()), rejected);
            Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(hadoop));
            Problem problem = cfg.problem;
            AdmissionBudget budget = cfg.budget;
            boolean verify = cfg.verify, channelAxis = cfg.format == OutputFormat.PNG;
            int partitions = Math.max(1, Math.min(files.size(), 4 * sc.defaultParallelism()));
            JavaPairRDD<ImageBatch, List<ItemReport>> solved = sc.parallelize(files, partitions).mapPartitionsToPair(it -> {
                ItemSolver solver = new ItemSolver(problem, verify);
                List<Tuple2<ImageBatch, List<ItemReport>>> done = new ArrayList<>();
                while (it.hasNext()) done.add(solve(it.next(), conf.value().value(), problem, budget, channelAxis, solver));
                return done.iterator();
            }).persist(StorageLevel.MEMORY_AND_DISK());
            CollectionAccumulator<Tuple2<String, String>> rejectedAcc = sc.sc().collectionAccumulator("rejected");
            LongAccumulator written = sc.sc().longAccumulator("written"), items = sc.sc().longAccumulator("items");
            ResultWriter.write(spark, solved.keys(), cfg.format, out.workUri(), PendingOutput.writerConf(hadoop), rejectedAcc, written, items, null, false);
            for (Tuple2<String, String> r : rejectedAcc.value()) rejected.putIfAbsent(r._1(), r._2());
            List<ItemReport> reports = new ArrayList<>(solved.values().flatMap(List::iterator).collect());
            solved.unpersist();
            reports.sort(Comparator.comparing((ItemReport r) -> r.path).thenComparingInt(r -> r.item));
            writeReport(new Path(out.workUri(), REPORT), hadoop, reports);
            out.commit(rejected);
            return new Result(out.uri(), written.value(), items.value(), rejected, reports, (System.nanoTime() - start) / 1e9);
        } catch (IOException | RuntimeException | Error e) {
            out.abort();
            throw e;
        }
    }

    /** Decodes one file and solves its items; any failure rejects the file with the reason, and no report lines. */
    static Tuple2<ImageBatch, List<ItemReport>> solve(InputFile f, Configuration conf, Problem p, AdmissionBudget budget, boolean channelAxis,
                                                      ItemSolver solver) {
        ImageBatch b = DeconvolveInputs.decode(f, conf, p, budget, channelAxis);
        List<ItemReport> reports = new ArrayList<>();
        if (!b.ok()) return new Tuple2<>(b, reports);
        try {
            int itemSize = b.getValues().length / b.getCount();
            int outSize = Math.toIntExact(b.outItemSize());
            double[] x = new double[Math.multiplyExact(outSize, b.getCount())];
            for (int i = 0; i < b.getCount(); i++) {
                ItemSolver.Result r = solver.solve(b.getShape(), b.getValues(), i * itemSize);
                if (r.error != null) return new Tuple2<>(ImageBatch.rejected(f, (b.isBatched() ? "item " + i + ": " : "") + r.error), List.of());
                System.arraycopy(r.x, 0, x, i * outSize, outSize);
                reports.add(new ItemReport(f.path, i, r.iterations, r.stop, r.residual, r.verifyDifference));
            }
            b.setValues(null); // the input is not written; the persisted row holds the result only
            b.setOutValues(x);
            return new Tuple2<>(b, reports);
        } catch (RuntimeException e) {
            return new Tuple2<>(ImageBatch.rejected(f, InputDecoder.oneLine(e)), List.of());
        } catch (OutOfMemoryError e) {
            return new Tuple2<>(ImageBatch.rejected(f, "the solve ran out of memory (" + InputDecoder.oneLine(e) + ")"), List.of());
        }
    }

    /**
     * Rejects inputs whose output names clash or cannot be written, as run does. PNG writes one picture per
     * item, so a batch's item count is read from its .npy header first, in tasks.
     */
    private static List<InputFile> claimNames(JavaSparkContext sc, List<InputFile> files, Config cfg, OutputNames names, Map<String, String> rejected) {
        if (cfg.format == OutputFormat.PARQUET) return files;
        Map<String, Integer> batchItems = new HashMap<>();
        if (cfg.format == OutputFormat.PNG) {
            List<InputFile> npy = new ArrayList<>();
            for (InputFile f : files) if (f.extension().equals("npy")) npy.add(f);
            if (!npy.isEmpty()) {
                Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration()));
                int batchRank = cfg.problem.spatialRank() + 2;
                for (Tuple2<String, Integer> t : sc.parallelize(npy, Math.max(1, Math.min(npy.size(), sc.defaultParallelism())))
                        .map(f -> new Tuple2<>(f.path, batchCount(f, conf.value().value(), batchRank))).collect()) {
                    if (t._2() > 0) batchItems.put(t._1(), t._2());
                }
            }
        }
        List<InputFile> kept = new ArrayList<>();
        for (InputFile f : files) {
            String why = names.claim(f.path, OutputNames.of(f.relativeStem(), cfg.format, batchItems.getOrDefault(f.path, 0)));
            if (why == null) kept.add(f);
            else rejected.put(f.path, why);
        }
        return kept;
    }

    /** N of an (N, C, ...) .npy from its header, 0 when it is not a batch or cannot be read (its decode then says why). */
    private static int batchCount(InputFile f, Configuration conf, int batchRank) {
        try (java.io.InputStream in = new Path(f.path).getFileSystem(conf).open(new Path(f.path))) {
            int[] shape = org.tconv.read.NpyArray.readShape(in);
            return shape.length == batchRank ? shape[0] : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void writeReport(Path file, Configuration conf, List<ItemReport> reports) throws IOException {
        FileSystem fs = file.getFileSystem(conf);
        try (Writer w = new OutputStreamWriter(fs.create(file, false), StandardCharsets.UTF_8)) {
            w.write(ItemReport.HEADER + "\n");
            for (ItemReport r : reports) w.write(r.csvLine() + "\n");
        }
    }
}
