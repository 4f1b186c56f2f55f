package org.tconv.cli;

import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;

import picocli.CommandLine.Option;

/**
 * {@code --transposed} and {@code --output-padding}: PyTorch's ConvTranspose1d/2d/3d for the commands that
 * compute a map (run, toeplitz, spectrum). A mixin of its own so commands for which a transposed map means
 * nothing (explain's pictures, bench's workloads) do not offer it.
 */
final class TransposedOptions {
    @Option(names = "--transposed",
            description = "torch.nn.ConvTranspose1d/2d/3d: weights (C_in, C_out/groups, k...), bias of length C_out, integer padding,"
                    + " padding mode zeros; output (in - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1 per axis")
    boolean transposed;

    @Option(names = "--output-padding", paramLabel = "P|H,W|D,H,W",
            description = "with --transposed: added to one side of each output axis, smaller than that axis' stride or dilation (default: 0)")
    String outputPadding;

    /** Applies both options to a spec being built; a bad value is an IllegalArgumentException, as ConvSpec's own. */
    void applyTo(ConvSpec.Builder b) {
        b.transposed(transposed);
        if (outputPadding != null) b.outputPadding(IntTuple.parse("output_padding", outputPadding));
    }
}
