package org.tconv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.job.SparkSessions;
import org.tconv.operator.ConvOperator;
import org.tconv.operator.GramLines;
import org.tconv.operator.Gram;
import org.tconv.read.NpyArray;
import org.tconv.spectrum.ArpackSingularValues;
import org.tconv.spectrum.CircularSpectrum;
import org.tconv.spectrum.SparkGram;
import org.tconv.toeplitz.MemoryBudget;
import org.tconv.verify.DirectMap;

import org.tconv.write.NoSpaceLeft;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "spectrum", mixinStandardHelpOptions = true,
        description = "The largest singular values of a convolution's map (bias excluded), by ARPACK on T v and T^T u.")
class SpectrumCommand extends TconvCommand implements Callable<Integer> {
    /** Below this CSR size T is built explicitly (its products are the fastest); above it the distinct blocks serve. */
    static final long SPARSE_LIMIT_BYTES = 256L << 20;

    @Mixin
    ConvOptions conv;

    @Mixin
    TransposedOptions transposed;

    @Option(names = "--input-shape", required = true, paramLabel = "C,L|C,H,W|C,D,H,W", description = "shape of one input")
    String inputShape;

    @Option(names = "--top", paramLabel = "K", defaultValue = "1", description = "how many singular values (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--operator", paramLabel = "auto|sparse|block|direct|lines|spark", defaultValue = "auto",
            description = "how T^T T v is computed: sparse (T explicit, CSR), block (T's distinct blocks), direct (loops over the"
                    + " kernel), lines (the toeplitz method's line product for T v and T^T u, on this JVM's threads), spark (the"
                    + " same in Spark tasks, each a range of T's output lines) or auto (sparse when T's CSR takes under 256 MB,"
                    + " else spark) (default: ${DEFAULT-VALUE})")
    String operator;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master for --operator spark (default: local[*])")
    String master;

    @Option(names = "--output", required = true, paramLabel = "S.npy", description = "new local .npy file for the values (<f8, shape (K,))")
    String output;

    @Option(names = "--overwrite", description = "replace an existing --output file (once the new one is complete)")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        ConvSpec spec = conv.toSpec(HadoopConf.create(), transposed);
        ConvGeometry g = InputShapes.geometry(spec, inputShape);
        Path target = NewLocalFiles.refuseExisting("--output", output, overwrite);
        long n = Math.min(g.inputElements(), g.outputElements());
        if (top < 1 || top >= n) {
            throw new UsageError("--top must be between 1 and " + (n - 1) + " (below the smaller side of T, " + n + "), got " + top);
        }
        if (g.inputElements() > Integer.MAX_VALUE - 8 || g.outputElements() > Integer.MAX_VALUE - 8) {
            throw new UsageError("--input-shape " + inputShape + ": T is " + g.outputElements() + " x " + g.inputElements()
                    + ", more than one vector of doubles can hold");
        }
        try {
            MemoryBudget.check("ARPACK's Lanczos vectors", ArpackSingularValues.workBytes((int) n, top)
                    + 16L * (g.inputElements() + g.outputElements()));
        } catch (MemoryBudget.MatrixTooLargeException e) {
            throw new UsageError(e.getMessage());
        }
        String kind = operatorKind(g);
        long started = System.nanoTime();
        Progress gram = new Progress(gram(kind, g), started);
        ArpackSingularValues.Result result = ArpackSingularValues.top(gram, top);
        double[] sigma = result.values();
        double seconds = (System.nanoTime() - started) / 1e9;
        try {
            NewLocalFiles.write(target, out -> NpyArray.write(out, new int[] {sigma.length}, sigma), overwrite);
        } catch (IOException e) {
            if (NoSpaceLeft.in(e)) {
                throw NoSpaceLeft.at(output, overwrite && Files.exists(target) ? "the earlier " + output + " is unchanged"
                        : "no " + output + " was written", e);
            }
            throw e;
        }
        out().printf(Locale.ROOT, "T: %d x %d (%s products), %d singular value(s) in %.2f s (ARPACK: %d restarts, %d products by the Gram matrix,"
                        + " %.3f s each, %d deflation pass(es)), written to %s%n",
                g.outputElements(), g.inputElements(), kind, sigma.length, seconds, result.restarts(), result.gramProducts(),
                gram.seconds / Math.max(1, gram.products), result.passes(), output);
        out().printf(Locale.ROOT, "spectral norm: %.15g%n", sigma[0]);
        for (int i = 0; i < sigma.length; i++) out().printf(Locale.ROOT, "sigma[%d] = %.15g%n", i, sigma[i]);
        if (CircularSpectrum.applies(g)) printFftFormula(g, sigma);
        return 0;
    }

    /** The operator --operator names, auto resolved. */
    private String operatorKind(ConvGeometry g) {
        String kind = operator.trim().toLowerCase(Locale.ROOT);
        switch (kind) {
            case "sparse": case "block": case "direct": case "lines": case "spark": return kind;
            case "auto": return g.csrBytes() <= SPARSE_LIMIT_BYTES ? "sparse" : "spark";
            default: throw new UsageError("--operator must be auto, sparse, block, direct, lines or spark, got '" + operator + "'");
        }
    }

    private Gram gram(String kind, ConvGeometry g) {
        try {
            switch (kind) {
                case "sparse": return Gram.of(linear(g).toSparseMap());
                case "block": return linear(g).gram();
                case "direct": return Gram.of(new DirectMap(g));
                default: {
                    GramLines lines = linear(g).gramLines();
                    int cores = Runtime.getRuntime().availableProcessors();
                    lines.checkMemory(cores);
                    if (kind.equals("lines")) return lines;
                    SparkSession spark = SparkSessions.getOrCreate(master);
                    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                    return new SparkGram(sc, lines, 2 * sc.defaultParallelism());
                }
            }
        } catch (MemoryBudget.MatrixTooLargeException e) {
            throw new UsageError(e.getMessage() + (kind.equals("direct") ? "" : "; use --operator direct"));
        }
    }

    /** T of the layer without its bias (the spectrum is T's; the bias is not part of it). */
    private static ConvOperator linear(ConvGeometry g) {
        return ConvOperator.of(g.spec.withoutBias(), g.inputShape());
    }

    /**
     * Says on stderr, at most every 30 s, how many products ARPACK has asked for and how fast they go: a large
     * shape runs for minutes, and the rate is what tells whether to wait.
     */
    private final class Progress implements Gram {
        private final Gram gram;
        private final long started;
        private long products, lastSaid;
        private double seconds;

        Progress(Gram gram, long started) {
            this.gram = gram;
            this.started = started;
            this.lastSaid = started;
        }

        @Override public int dimension() { return gram.dimension(); }

        @Override
        public void apply(double[] v, double[] out) {
            long t0 = System.nanoTime();
            gram.apply(v, out);
            long now = System.nanoTime();
            seconds += (now - t0) / 1e9;
            products++;
            if (now - lastSaid > 30_000_000_000L) {
                lastSaid = now;
                double s = (now - started) / 1e9;
                err().printf(Locale.ROOT, "spectrum: %d products by the Gram matrix in %.0f s (%.3f s each)%n", products, s, seconds / products);
            }
        }
    }

    private void printFftFormula(ConvGeometry g, double[] arpack) {
        double[] fft;
        try {
            fft = CircularSpectrum.all(g);
        } catch (MemoryBudget.MatrixTooLargeException e) {
            out().println("FFT formula (Sedghi et al.) skipped: " + e.getMessage());
            return;
        }
        double worst = 0.0;
        out().println("circular convolution: FFT formula of Sedghi, Gupta and Long beside ARPACK");
        for (int i = 0; i < arpack.length; i++) {
            double diff = arpack[i] - fft[i];
            worst = Math.max(worst, Math.abs(diff));
            out().printf(Locale.ROOT, "sigma[%d]: arpack %.15g  fft %.15g  difference %.3g%n", i, arpack[i], fft[i], diff);
        }
        out().printf(Locale.ROOT, "largest difference: %.3g (%.3g relative to the spectral norm)%n", worst, worst / arpack[0]);
    }
}
