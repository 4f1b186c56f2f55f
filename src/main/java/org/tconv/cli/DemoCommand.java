package org.tconv.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** {@code tconv demo}: {@code run} with every default (sample images, default kernel, parquet) and --verify. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job on the sample data in data/ with the default kernel, verified against the direct UDF.")
class DemoCommand extends TconvCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return Main.execute(out(), err(), "run", "--verify");
    }
}
