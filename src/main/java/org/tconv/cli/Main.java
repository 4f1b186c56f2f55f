package org.tconv.cli;

import java.io.PrintWriter;
import java.util.List;

import org.apache.spark.sql.SparkSession;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tconv}: convolutions of image and signal datasets as sparse block-Toeplitz products on Spark.
 * Exit status: 0 success, 1 bad options or weights, 2 some inputs rejected, 3 verification failed,
 * 4 the job failed.
 */
@Command(name = "tconv", mixinStandardHelpOptions = true, version = "tconv 0.1.0",
        subcommands = {RunCommand.class, ToeplitzCommand.class, DemoCommand.class, BenchCommand.class,
                SpectrumCommand.class, ExplainCommand.class, DeconvolveCommand.class},
        description = "Convolutions as sparse block-Toeplitz matrix products on Apache Spark, with PyTorch semantics.")
public final class Main {
    /** Exit status when the job itself failed (not the options, not an input). */
    public static final int FAILED = 4;

    /**
     * Exits with the command's status, except that success returns normally: under YARN in cluster deploy
     * mode the ApplicationMaster runs this method and reports any System.exit, even System.exit(0), as a
     * FAILED application ("Shutdown hook called before final status was reported", exit code 16).
     * The Spark session is stopped first, so no Spark thread keeps the JVM (bin/tconv, spark-submit) alive.
     */
    public static void main(String[] args) {
        StartupClock.mark("jvm");
        logTo(args);
        int status = execute(args);
        if (SparkSession.getDefaultSession().isDefined()) {
            classesOfARunLoaded();
            SparkSession.getDefaultSession().get().stop();
        }
        StartupClock.mark("stop");
        StartupClock.print(System.err);
        if (status != 0) System.exit(status);
    }

    /**
     * Tells the launcher that this JVM ran Spark, so the class-data archive it dumps at exit holds the
     * classes a run needs: {@code run --help} also exits 0, and its archive (a few MB of picocli) would
     * be mapped by every later start instead of the real one.
     */
    private static void classesOfARunLoaded() {
        String marker = System.getProperty("tconv.cds.keep");
        if (marker == null) return;
        try {
            java.nio.file.Files.createFile(java.nio.file.Path.of(marker));
        } catch (java.io.IOException e) {
            // no marker: the launcher drops this dump and the next run makes one; never fail the run for it
        }
    }

    /**
     * {@code --log FILE} must be known before the first logger exists (Hadoop's and Spark's classes
     * configure log4j when they load), so it is read here, ahead of the parser that documents it.
     */
    private static void logTo(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) return;
            if (args[i].equals("--log") && i + 1 < args.length) System.setProperty("tconv.log", args[i + 1]);
            if (args[i].startsWith("--log=")) System.setProperty("tconv.log", args[i].substring("--log=".length()));
        }
    }

    /** Runs a command and returns its exit status (tests call this rather than {@link #main}). */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, printing to the given writers. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOverwrittenOptionsAllowed(true); // a later --stride replaces an earlier one, as in most CLIs
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String name = ex.getCommandLine().getCommandName();
            ex.getCommandLine().getErr().println("tconv: " + ex.getMessage() + didYouMean(ex)
                    + " (see " + (name.equals("tconv") ? "" : "tconv ") + name + " --help)");
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UsageError || ex instanceof java.io.FileNotFoundException) {
                c.getErr().println("tconv: " + ex.getMessage());
                return 1;
            }
            if (ex instanceof org.tconv.write.NoSpaceLeft) { // names the output already
                c.getErr().println("tconv: " + ex.getMessage());
                return FAILED;
            }
            // A failure of the job itself (a lost cluster, a full disk): one line, the trace only on request.
            Throwable root = ex;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            c.getErr().println("tconv: job failed: " + root.getClass().getSimpleName() + ": " + root.getMessage()
                    + (System.getenv("TCONV_DEBUG") == null ? " (set TCONV_DEBUG=1 for the stack trace)" : ""));
            if (System.getenv("TCONV_DEBUG") != null) ex.printStackTrace(c.getErr());
            return FAILED;
        });
        return cl.execute(args);
    }

    /** picocli's nearest option or command to a misspelled one ({@code --paddng}: {@code --padding}), if any. */
    private static String didYouMean(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u)) return "";
        List<String> near = u.getSuggestions();
        return near.isEmpty() ? "" : "; did you mean " + near.get(0) + "?";
    }
}
