package org.tconv.cli;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.tconv.conv.ConvSpec;
import org.tconv.job.ConvolutionJob;
import org.tconv.job.JobConfig;
import org.tconv.job.JobProgress;
import org.tconv.job.JobResult;
import org.tconv.job.SessionSettings;
import org.tconv.job.SparkSessions;
import org.tconv.operator.Dtype;
import org.tconv.multiply.Method;
import org.tconv.read.AdmissionBudget;
import org.tconv.read.ParquetImageTable;
import org.tconv.write.OutputFormat;
import org.tconv.write.OutputLocation;
import org.tconv.write.ParquetCompression;
import org.tconv.write.ParquetLayout;
import org.tconv.write.ParquetValues;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Convolve every image or signal under --input and write the results.",
        footer = {"", "Exit status: 0 all went through; 1 bad options, weights or input (one line, before Spark starts);",
                "2 some inputs rejected (listed in <output>/_rejected.csv); 3 --verify found a difference; 4 the job failed.",
                "Environment: TCONV_DEBUG=1 Spark's log on stderr and stack traces; TCONV_TIMING=1 seconds per phase;",
                "TCONV_CDS=0 no class-data-sharing archive; TCONV_HEAP_PERCENT heap as %% of RAM (70); TCONV_JAVA_OPTS JVM options",
                "(Spark settings: --conf)."})
class RunCommand extends TconvCommand implements Callable<Integer> {
    static final String DEFAULT_INPUT = "data/images";

    @Mixin
    ConvOptions conv;

    @Mixin
    SparkOptions sparkOptions;

    @Mixin
    TransposedOptions transposed;

    @Option(names = "--input", paramLabel = "PATH", description = "file, directory (recursive) or glob; any Hadoop path (default: the sample photos in data/images)")
    String input;

    @Option(names = "--output", paramLabel = "PATH", description = "output directory, any Hadoop path (default: a new folder target/tconv-out/run-*)")
    String output;

    @Option(names = "--method", defaultValue = "toeplitz", description = "toeplitz, blockmatrix or direct (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--format", defaultValue = "parquet", description = "parquet, npy, png or webdataset (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--parquet-values", paramLabel = "LAYOUT", defaultValue = ParquetLayout.DEFAULT_VALUES_NAME,
            description = "with --format parquet: binary (each item's little-endian bytes beside shape and dtype, np.frombuffer reads them) or array (a list of numbers per row, about 10x slower to write) (default: ${DEFAULT-VALUE})")
    String parquetValues;

    @Option(names = "--parquet-compression", paramLabel = "CODEC", defaultValue = ParquetLayout.DEFAULT_COMPRESSION_NAME,
            description = "with --format parquet: none, snappy, zstd, lz4 or gzip (default: ${DEFAULT-VALUE}: convolution results hardly compress)")
    String parquetCompression;

    @Option(names = "--dtype", defaultValue = "f64",
            description = "precision of the toeplitz product: f64, or f32 (faster, ~1e-7 relative error; results written as float32) (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--verify", description = "also run the direct UDF and compare; exit 3 above the tolerance")
    boolean verify;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master when not under spark-submit (default: local[*])")
    String master;

    @Option(names = "--log", paramLabel = "FILE",
            description = "where Spark's and Hadoop's log goes (default: target/tconv.log in the tconv folder; TCONV_DEBUG=1 prints it on stderr)")
    String log;

    @Option(names = "--overwrite", description = "replace a finished tconv output: the new one is written beside it and swapped in only when complete")
    boolean overwrite;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + AdmissionBudget.DEFAULT_MAX_PIXELS,
            description = "largest image (width x height, also a GIF's logical screen) decoded; a larger one is rejected (default: ${DEFAULT-VALUE}, PIL's MAX_IMAGE_PIXELS)")
    long maxPixels;

    @Option(names = "--image-column", paramLabel = "COL",
            description = "read --input as a Parquet table of encoded images in column COL: binary, or a struct with a binary field bytes (Hugging Face's Image)")
    String imageColumn;

    @Option(names = "--key-column", paramLabel = "COL",
            description = "with --image-column: the column naming each row's outputs (default: the image struct's path, else a column key or __key__, else the row's position)")
    String keyColumn;

    @Option(names = "--shard-split-size", paramLabel = "BYTES", defaultValue = "" + JobConfig.DEFAULT_SHARD_SPLIT_BYTES,
            description = "an uncompressed .tar shard larger than this is read by several tasks, one per range of this many bytes (not with --format webdataset) (default: ${DEFAULT-VALUE})")
    long shardSplitSize;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = configure();
        SessionSettings settings = sparkOptions.settings(SessionSettings.stderrIsTerminal());
        StartupClock.mark("options");
        SparkSession spark = SparkSessions.getOrCreate(master, settings);
        StartupClock.mark("session");
        ParquetImageTable table = null;
        if (cfg.imageColumn != null) {
            try {
                table = ParquetImageTable.open(spark, cfg.input, cfg.imageColumn, cfg.keyColumn, cfg.budget);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
        }
        if (sparkOptions.ui) {
            err().println("tconv: Spark UI at " + (spark.sparkContext().uiWebUrl().isDefined() ? spark.sparkContext().uiWebUrl().get()
                    : "(none: spark.ui.enabled is false)"));
        }
        // every job of the run is listed under this description in the UI and the event log
        spark.sparkContext().setJobGroup("tconv-run", "tconv run: " + cfg.spec + " on " + cfg.input + " to " + cfg.output, false);
        JobResult r;
        JobProgress progress = settings.progress ? JobProgress.start(spark.sparkContext()) : null;
        try {
            r = ConvolutionJob.run(spark, cfg, table);
        } finally {
            if (progress != null) progress.close();
            spark.sparkContext().clearJobGroup();
        }
        StartupClock.mark("job");
        out().printf("tconv: %s, method %s%s: %d %s from %d %s written as %s to %s in job %.1f s, wall %.1f s%n",
                cfg.spec, cfg.method, cfg.dtype == Dtype.F32 ? " in float32" : "", r.itemsConvolved, itemsWord(cfg.spec.dims()),
                r.filesWritten, table == null ? "file(s)" : "row(s)", cfg.format.name().toLowerCase(), r.output, r.seconds,
                StartupClock.wallSeconds());
        if (!r.rejected.isEmpty()) {
            out().printf("tconv: %d input(s) rejected, listed in %s/%s%n", r.rejected.size(), r.output, OutputLocation.REJECTED);
            int shown = 0;
            for (Map.Entry<String, String> e : r.rejected.entrySet()) {
                if (shown++ == 5) {
                    out().println("  ...");
                    break;
                }
                out().println("  " + e.getKey() + ": " + e.getValue());
            }
        }
        if (r.verification != null) out().println("tconv: " + r.verification);
        return r.exitStatus();
    }

    /** What the summary calls the items: a 1-D input is a signal, a 3-D one a volume. */
    static String itemsWord(int dims) {
        return dims == 1 ? "signal(s)" : dims == 3 ? "volume(s)" : "image(s)";
    }

    /** Everything that can be wrong with the options is found here, before Spark starts. */
    JobConfig configure() throws Exception {
        Configuration hadoop = HadoopConf.create();
        Preflight.master(master);
        String in = input != null ? input : Home.resolve(DEFAULT_INPUT);
        Preflight.connector("--input", in, hadoop);
        Preflight.connector("--output", output, hadoop);
        Preflight.connector("--weights", conv.weights, hadoop);
        Preflight.connector("--bias", conv.bias, hadoop);
        ConvSpec spec = conv.toSpec(hadoop, transposed);
        Method m;
        OutputFormat f;
        Dtype d;
        AdmissionBudget budget;
        ParquetLayout parquet;
        try {
            budget = AdmissionBudget.defaults().withMaxPixels(maxPixels);
            m = Method.parse(method);
            f = OutputFormat.parse(format);
            d = Dtype.parse(dtype);
            m.requireSupports(d);
            parquet = new ParquetLayout(ParquetValues.parse(parquetValues), ParquetCompression.parse(parquetCompression));
            if (f == OutputFormat.WEBDATASET && m == Method.BLOCKMATRIX) {
                throw new IllegalArgumentException("--format webdataset needs --method toeplitz or direct: blockmatrix regroups rows across tasks, and each output shard is written by the one task that read its input shard");
            }
            if (keyColumn != null && imageColumn == null) {
                throw new IllegalArgumentException("--key-column names the rows of a Parquet table: it needs --image-column");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        Preflight.localInputExists(in, hadoop);
        if (imageColumn == null) Preflight.weightsFitSomeImage(in, spec, hadoop);
        if (imageColumn != null) {
            try {
                ParquetImageTable.requireParquetFiles(in, hadoop); // the local case; the rest once Spark reads the footers
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
        }
        String out = output != null ? output
                : Home.resolve("target/tconv-out/run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")));
        try {
            new OutputLocation(out, hadoop).check(overwrite, in);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        try {
            return new JobConfig(in, out, spec, m, f, verify, d, overwrite, budget, imageColumn, keyColumn, shardSplitSize, parquet);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }
}
