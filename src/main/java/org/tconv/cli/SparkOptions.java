package org.tconv.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import org.tconv.job.SessionSettings;

import picocli.CommandLine.Option;

/** The options of a command that starts Spark: its settings, its UI, and whether a person watches. */
final class SparkOptions {
    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "a Spark setting, repeatable (--conf spark.executor.memory=4g --conf spark.sql.shuffle.partitions=8); wins over tconv's defaults and spark-defaults.conf")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--ui", description = "turn on Spark's web UI (off in local mode) and print its URL; the run's jobs are described there")
    boolean ui;

    @Option(names = "--quiet", description = "no progress line (none is drawn when stderr is not a terminal either); the summary is still printed")
    boolean quiet;

    /** The session's settings; a key Spark would ignore is refused here, before Spark starts. */
    SessionSettings settings(boolean stderrIsTerminal) {
        for (String k : conf.keySet()) {
            if (!k.startsWith("spark.")) throw new UsageError("--conf " + k + "=...: Spark settings start with spark. (Hadoop's: spark.hadoop." + k + ")");
        }
        return new SessionSettings(conf, ui, SessionSettings.showProgress(quiet, stderrIsTerminal));
    }
}
