package org.tconv.cli;

import java.io.PrintWriter;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every tconv subcommand shares: printing to the writer the caller gave {@link Main#execute}. */
abstract class TconvCommand {
    @Spec
    CommandSpec command;

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    PrintWriter err() {
        return command.commandLine().getErr();
    }
}
