package org.tconv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.explain.Equivariance;
import org.tconv.explain.Explanation;
import org.tconv.operator.ConvOperator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Report what a convolution's matrix T is: weight sharing, sparsity, measured translation equivariance, with pictures.")
class ExplainCommand extends TconvCommand implements Callable<Integer> {
    @Mixin
    ConvOptions conv;

    @Option(names = "--input-shape", required = true, paramLabel = "C,L|C,H,W|C,D,H,W", description = "shape of one input")
    String inputShape;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "new (or empty) local directory for report.md, report.json, sparsity.png, weight-sharing.png, equivariance.png")
    String output;

    @Override
    public Integer call() throws Exception {
        ConvSpec spec = conv.toSpec(HadoopConf.create());
        ConvGeometry g = InputShapes.geometry(spec, inputShape);
        if (g.inputElements() > Integer.MAX_VALUE - 8 || g.outputElements() > Integer.MAX_VALUE - 8) {
            throw new UsageError("--input-shape " + inputShape + ": T is " + g.outputElements() + " x " + g.inputElements()
                    + ", more than one vector of doubles can hold");
        }
        Path dir = Path.of(output).toAbsolutePath();
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) throw new UsageError("--output " + output + " exists and is not a directory");
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) throw new UsageError("--output " + output + " is not empty; tconv does not replace files it did not write");
            }
        }
        ConvOperator t = ConvOperator.of(g);
        Explanation e = new Explanation(g, t);
        Files.createDirectories(dir);
        e.writeAll((name, content) -> NewLocalFiles.write(dir.resolve(name), content::writeTo));
        out().printf(Locale.ROOT, "T: %d x %d; dense entries %d; stored non-zeros %d; distinct parameters %d%n",
                g.outputElements(), g.inputElements(), t.denseEntries(), t.nonZeros(), t.distinctParameters());
        double worstInterior = 0;
        for (Equivariance.Shift s : e.shifts()) if (s.multipleOfStride()) worstInterior = Math.max(worstInterior, s.interiorMaxAbs());
        out().printf(Locale.ROOT, "equivariance: largest interior difference over shifts that are multiples of the stride %.3g%n", worstInterior);
        out().println("report written to " + dir.resolve("report.md"));
        return 0;
    }
}
