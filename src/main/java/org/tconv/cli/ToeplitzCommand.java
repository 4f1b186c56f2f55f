package org.tconv.cli;

import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.operator.ConvOperator;
import org.tconv.write.NoSpaceLeft;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "toeplitz", mixinStandardHelpOptions = true,
        description = "Write the Toeplitz matrix T of a convolution and input shape in MatrixMarket format.")
class ToeplitzCommand extends TconvCommand implements Callable<Integer> {
    @Mixin
    ConvOptions conv;

    @Mixin
    TransposedOptions transposed;

    @Option(names = "--input-shape", required = true, paramLabel = "C,L|C,H,W|C,D,H,W",
            description = "shape of one input (C,L for 1-D weights, C,H,W for 2-D, C,D,H,W for 3-D); T's rows and columns are"
                    + " numbered by C-order flattening of (channel, depth, row, col)")
    String inputShape;

    @Option(names = "--output", required = true, paramLabel = "T.mtx", description = "MatrixMarket file (any Hadoop path)")
    String output;

    @Option(names = "--overwrite", description = "replace an existing --output file (once the new one is complete)")
    boolean overwrite;

    /** 2 GB: a 1x3x3 kernel on a 4000x4000 image; beyond it the file is rarely what was meant. */
    static final long DEFAULT_MAX_BYTES = 2L << 30;

    @Option(names = "--max-bytes", paramLabel = "BYTES", defaultValue = "" + DEFAULT_MAX_BYTES,
            description = "refuse a MatrixMarket file estimated larger than this (default: ${DEFAULT-VALUE}, 2 GiB)")
    long maxBytes;

    @Override
    public Integer call() throws Exception {
        Configuration hadoop = HadoopConf.create();
        ConvSpec spec = conv.toSpec(hadoop, transposed);
        if (maxBytes <= 0) throw new UsageError("--max-bytes must be positive, got " + maxBytes);
        ConvGeometry g = InputShapes.geometry(spec, inputShape);
        long rows = product(g.outputShape()), cols = product(g.inputShape());
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new UsageError("--input-shape " + inputShape + ": T would be " + rows + " x " + cols
                    + "; tconv numbers rows and columns up to " + Integer.MAX_VALUE);
        }
        ConvOperator t = ConvOperator.of(g);
        long bytes = t.matrixMarketBytes();
        if (bytes > maxBytes) {
            throw new UsageError(String.format(Locale.ROOT,
                    "T of input shape %s is %d x %d with %d non-zeros: about %.1f GB of MatrixMarket text, over --max-bytes %d (raise it to write it)",
                    inputShape, rows, cols, g.structuralNonZeros(), bytes / 1e9, maxBytes));
        }
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(output);
        org.apache.hadoop.fs.FileSystem fs = target.getFileSystem(hadoop);
        if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) {
            throw new UsageError("--output " + output + " is a directory: name the .mtx file to write");
        }
        if (fs.exists(target) && !overwrite) {
            throw new UsageError("--output " + output + " already exists (use --overwrite to replace it)");
        }
        boolean exists = fs.exists(target);
        try {
            t.writeMatrixMarket(output, hadoop);
        } catch (Throwable e) { // Hadoop's local file system throws an FSError for a full disk
            if (NoSpaceLeft.in(e)) {
                throw NoSpaceLeft.at(output, exists ? "the earlier " + output + " is unchanged" : "no " + output + " was written", e);
            }
            throw e;
        }
        out().printf("T: %d x %d, written to %s%n", t.rows(), t.cols(), output);
        out().printf("entries of a dense matrix: %d%n", t.denseEntries());
        out().printf("stored non-zeros:          %d (%.4f%% of dense)%n", t.nonZeros(), 100.0 * t.nonZeros() / t.denseEntries());
        out().printf("distinct parameters:       %d (the kernel's weights%s)%n", t.distinctParameters(),
                spec.hasBias() ? "; the bias adds " + spec.outChannels() + ", outside T" : "");
        return 0;
    }

    /** The product, or Long.MAX_VALUE past it: three ints can overflow a long. */
    private static long product(int[] shape) {
        long n = 1;
        try {
            for (int d : shape) n = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        return n;
    }
}
