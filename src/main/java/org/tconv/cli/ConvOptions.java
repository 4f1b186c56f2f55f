package org.tconv.cli;

import org.apache.hadoop.conf.Configuration;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.read.NpyArray;
import org.tconv.read.WeightsFile;

import picocli.CommandLine.Option;

/** The convolution options shared by {@code run}, {@code toeplitz} and {@code bench}: PyTorch's arguments. */
final class ConvOptions {
    static final String DEFAULT_WEIGHTS = "conf/default-weights.npy";

    @Option(names = "--weights", paramLabel = "PATH",
            description = ".npy weights, or one tensor of a checkpoint: model.safetensors:conv1.weight; the rank picks the dimension: (C_out, C_in/groups, K) 1-D, (C_out, C_in/groups, kH, kW) 2-D,"
                    + " (C_out, C_in/groups, kD, kH, kW) 3-D (default: ${DEFAULT-VALUE} in the tconv folder)",
            defaultValue = DEFAULT_WEIGHTS)
    String weights;

    @Option(names = "--bias", paramLabel = "PATH", description = ".npy vector of length C_out, or model.safetensors:conv1.bias")
    String bias;

    @Option(names = "--stride", paramLabel = "S|H,W|D,H,W", defaultValue = "1",
            description = "one value for every axis or one per axis (default: ${DEFAULT-VALUE})")
    String stride;

    @Option(names = "--padding", paramLabel = "P|H,W|D,H,W|same|valid", defaultValue = "0",
            description = "one value for every axis, one per axis, same (even kernels pad one less before than after, as PyTorch)"
                    + " or valid (default: ${DEFAULT-VALUE})")
    String padding;

    @Option(names = "--dilation", paramLabel = "D|H,W|D,H,W", defaultValue = "1",
            description = "one value for every axis or one per axis (default: ${DEFAULT-VALUE})")
    String dilation;

    @Option(names = "--groups", paramLabel = "G", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    String groups;

    @Option(names = "--padding-mode", paramLabel = "MODE", defaultValue = "zeros",
            description = "zeros, reflect, replicate or circular (default: ${DEFAULT-VALUE})")
    String paddingMode;

    /** Loads the weights and checks every option against them; any problem is a {@link UsageError}. */
    ConvSpec toSpec(Configuration conf) {
        return toSpec(conf, null);
    }

    /** {@link #toSpec(Configuration)} with {@code --transposed} / {@code --output-padding} (null: a forward convolution). */
    ConvSpec toSpec(Configuration conf, TransposedOptions transposed) {
        try {
            String w = weights.equals(DEFAULT_WEIGHTS) ? Home.resolve(DEFAULT_WEIGHTS) : weights;
            NpyArray wa = WeightsFile.load("weights", w, conf);
            ConvSpec.Builder b = ConvSpec.builder(wa.shape, wa.data)
                    .stride(IntTuple.parse("stride", stride))
                    .dilation(IntTuple.parse("dilation", dilation))
                    .padding(Padding.parse(padding))
                    .paddingMode(PaddingMode.parse(paddingMode))
                    .groups(parseInt("groups", groups));
            if (transposed != null) transposed.applyTo(b);
            if (bias != null) {
                NpyArray ba = WeightsFile.load("bias", bias, conf);
                if (ba.shape.length != 1) {
                    throw new IllegalArgumentException("bias must be a vector of length C_out, got shape (" + IntTuple.format(ba.shape) + ")");
                }
                b.bias(ba.data);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    private static int parseInt(String name, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an int, got '" + v + "'");
        }
    }
}
