package org.tconv.cli;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.tconv.conv.ConvSpec;
import org.tconv.deconvolve.Algorithm;
import org.tconv.deconvolve.DeconvolveJob;
import org.tconv.deconvolve.Problem;
import org.tconv.deconvolve.Psf;
import org.tconv.job.JobProgress;
import org.tconv.job.SessionSettings;
import org.tconv.job.SparkSessions;
import org.tconv.read.AdmissionBudget;
import org.tconv.write.OutputFormat;
import org.tconv.write.OutputLocation;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "deconvolve", mixinStandardHelpOptions = true,
        description = {"Invert a known blur (--psf) or a convolution layer (--weights, lsqr only) for every image or signal under --input.",
                "Richardson-Lucy as scikit-image's richardson_lucy(clip=False); LSQR as scipy's lsqr(atol=0, btol=0, conlim=0)."},
        footer = {"", "Exit status: 0 all went through; 1 bad options, PSF or weights (one line, before Spark starts);",
                "2 some inputs rejected (listed in <output>/_rejected.csv); 3 --verify found a difference above 1e-8; 4 the job failed.",
                "Per item: <output>/_deconvolve.csv (iterations, stop, residual ||T x - y|| / ||y||, --verify's difference)."})
class DeconvolveCommand extends TconvCommand implements Callable<Integer> {
    @Mixin
    ConvOptions conv;

    @Mixin
    SparkOptions sparkOptions;

    @Mixin
    TransposedOptions transposed;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "file, directory (recursive) or glob of .npy and image files; any Hadoop path")
    String input;

    @Option(names = "--output", paramLabel = "PATH", description = "output directory, any Hadoop path (default: a fresh folder under target/)")
    String output;

    @Option(names = "--psf", paramLabel = "PSF.npy", description = "the blur's point-spread function, rank 1, 2 or 3 (scipy.signal.convolve(x, psf, mode='same'))")
    String psf;

    @Option(names = "--input-shape", paramLabel = "C,L|C,H,W|C,D,H,W", description = "with --weights: the layer's input shape, the shape of each solution")
    String inputShape;

    @Option(names = "--algorithm", defaultValue = "richardson-lucy", description = "richardson-lucy or lsqr (default: ${DEFAULT-VALUE})")
    String algorithm;

    @Option(names = "--iterations", required = true, paramLabel = "K", description = "iterations of the solver (at least 1)")
    int iterations;

    @Option(names = "--damp", paramLabel = "L", defaultValue = "0", description = "lsqr: minimise ||T x - y||^2 + L^2 ||x||^2 (default: ${DEFAULT-VALUE})")
    double damp;

    @Option(names = "--format", defaultValue = "parquet", description = "parquet, npy or png (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--verify", description = "also solve with the direct loops and report the largest relative difference; exit 3 above 1e-8")
    boolean verify;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master when not under spark-submit (default: local[*])")
    String master;

    @Option(names = "--log", paramLabel = "FILE",
            description = "where Spark's and Hadoop's log goes (default: target/tconv.log in the tconv folder; TCONV_DEBUG=1 prints it on stderr)")
    String log;

    @Option(names = "--overwrite", description = "replace a finished tconv output: the new one is written beside it and swapped in only when complete")
    boolean overwrite;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + AdmissionBudget.DEFAULT_MAX_PIXELS,
            description = "largest image (width x height) decoded; a larger one is rejected (default: ${DEFAULT-VALUE})")
    long maxPixels;

    @Override
    public Integer call() throws Exception {
        DeconvolveJob.Config cfg = configure();
        SessionSettings settings = sparkOptions.settings(SessionSettings.stderrIsTerminal());
        SparkSession spark = SparkSessions.getOrCreate(master, settings);
        spark.sparkContext().setJobGroup("tconv-deconvolve", "tconv deconvolve: " + cfg.problem + " on " + cfg.input + " to " + cfg.output, false);
        DeconvolveJob.Result r;
        JobProgress progress = settings.progress ? JobProgress.start(spark.sparkContext()) : null;
        try {
            r = DeconvolveJob.run(spark, cfg);
        } finally {
            if (progress != null) progress.close();
            spark.sparkContext().clearJobGroup();
        }
        out().printf(Locale.ROOT, "tconv: deconvolve %s: %d item(s) from %d file(s) written as %s to %s in job %.1f s, wall %.1f s, median residual %s%n",
                cfg.problem, r.items.size(), r.filesWritten, cfg.format.name().toLowerCase(Locale.ROOT), r.output, r.seconds,
                StartupClock.wallSeconds(),
                Double.isNaN(r.medianResidual()) ? "n/a" : String.format(Locale.ROOT, "%.4g", r.medianResidual()));
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
        if (cfg.verify) {
            double d = r.largestVerifyDifference();
            out().printf(Locale.ROOT, "tconv: verify: largest relative difference between the toeplitz and direct solves %s (tolerance %.0e)%s%n",
                    Double.isNaN(d) ? "n/a (no item solved)" : String.format(Locale.ROOT, "%.3e", d), DeconvolveJob.VERIFY_TOLERANCE,
                    d > DeconvolveJob.VERIFY_TOLERANCE ? ": FAILED" : "");
        }
        return r.exitStatus();
    }

    /** Everything that can be wrong with the options is found here, before Spark starts. */
    DeconvolveJob.Config configure() throws Exception {
        Configuration hadoop = HadoopConf.create();
        Preflight.master(master);
        boolean weightsGiven = command.commandLine().getParseResult().hasMatchedOption("--weights");
        if (psf != null && weightsGiven) throw new UsageError("give --psf (a blur) or --weights (a layer), not both");
        if (psf == null && !weightsGiven) throw new UsageError("deconvolve needs --psf PSF.npy (a blur) or --weights W.npy with --input-shape (a layer)");
        if (iterations < 1) throw new UsageError("--iterations must be at least 1, got " + iterations);
        if (!(damp >= 0) || Double.isInfinite(damp)) throw new UsageError("--damp must be a finite number >= 0, got " + damp);
        Preflight.connector("--input", input, hadoop);
        Preflight.connector("--output", output, hadoop);
        Problem problem;
        OutputFormat f;
        AdmissionBudget budget;
        try {
            Algorithm a = Algorithm.parse(algorithm);
            f = OutputFormat.parse(format);
            budget = AdmissionBudget.defaults().withMaxPixels(maxPixels);
            if (psf != null) {
                if (inputShape != null) throw new IllegalArgumentException("--input-shape is the layer's input (with --weights); a PSF keeps each input's shape");
                Preflight.connector("--psf", psf, hadoop);
                problem = Problem.ofPsf(a, iterations, damp, Psf.load(psf, hadoop));
            } else {
                if (a != Algorithm.LSQR) throw new IllegalArgumentException("richardson-lucy inverts a PSF's blur (--psf); with --weights use --algorithm lsqr");
                if (inputShape == null) throw new IllegalArgumentException("--weights needs --input-shape C,H,W (the layer's input, the shape of each solution)");
                Preflight.connector("--weights", conv.weights, hadoop);
                Preflight.connector("--bias", conv.bias, hadoop);
                ConvSpec spec = conv.toSpec(hadoop, transposed);
                problem = Problem.ofLayer(a, iterations, damp, spec, InputShapes.geometry(spec, inputShape).inputShape());
            }
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        Preflight.localInputExists(input, hadoop);
        String out = output != null ? output
                : Home.resolve("target/tconv-out/deconvolve-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")));
        try {
            new OutputLocation(out, hadoop).check(overwrite, input);
            return new DeconvolveJob.Config(input, out, problem, f, verify, overwrite, budget);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }
}
