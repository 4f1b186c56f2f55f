package org.tconv.cli;

import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.InputRejectedException;
import org.tconv.toeplitz.MatrixMarketWriter;
import org.tconv.toeplitz.ToeplitzEntries;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "toeplitz", mixinStandardHelpOptions = true,
        description = "Write the Toeplitz matrix T of a convolution and input shape in MatrixMarket format.")
class ToeplitzCommand extends TconvCommand implements Callable<Integer> {
    @Mixin
    ConvOptions conv;

    @Option(names = "--input-shape", required = true, paramLabel = "C,L|C,H,W|C,D,H,W",
            description = "shape of one input (C,L for 1-D weights, C,H,W for 2-D, C,D,H,W for 3-D); T's rows and columns are"
                    + " numbered by C-order flattening of (channel, depth, row, col)")
    String inputShape;

    @Option(names = "--output", required = true, paramLabel = "T.mtx", description = "MatrixMarket file (any Hadoop path)")
    String output;

    @Override
    public Integer call() throws Exception {
        Configuration hadoop = HadoopConf.create();
        ConvSpec spec = conv.toSpec(hadoop);
        ConvGeometry g;
        try {
            String[] parts = inputShape.trim().split("\\s*,\\s*");
            int[] shape = new int[parts.length];
            for (int i = 0; i < parts.length; i++) shape[i] = Integer.parseInt(parts[i]);
            g = spec.geometry(shape);
        } catch (NumberFormatException e) {
            throw new UsageError("--input-shape must be C,L, C,H,W or C,D,H,W, got '" + inputShape + "'");
        } catch (InputRejectedException e) {
            throw new UsageError("--input-shape " + inputShape + ": " + e.getMessage());
        }
        ToeplitzEntries t = new ToeplitzEntries(g);
        MatrixMarketWriter.write(t, output, hadoop);
        out().printf("T: %d x %d, written to %s%n", t.numRows(), t.numCols(), output);
        out().printf("entries of a dense matrix: %d%n", t.denseEntries());
        out().printf("stored non-zeros:          %d (%.4f%% of dense)%n", t.nonZeros(), 100.0 * t.nonZeros() / t.denseEntries());
        out().printf("distinct parameters:       %d (the kernel's weights%s)%n", t.distinctParameters(),
                spec.hasBias() ? "; the bias adds " + spec.outChannels() + ", outside T" : "");
        return 0;
    }
}
