package org.tconv.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tconv demo}: {@code run} with every default (sample images, default kernel, parquet) and --verify. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job on the sample data in data/ with the default kernel, verified against the direct UDF.")
class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        return Main.execute(command.commandLine().getOut(), command.commandLine().getErr(), "run", "--verify");
    }
}
