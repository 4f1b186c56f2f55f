package org.tconv.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a tconv command asks of its SparkSession beyond spark-submit's and spark-defaults' own settings:
 * the lean local defaults (no UI, no event log, shuffle partitions = cores, no Parquet summaries, local
 * files without chmod processes, no Spark console bar), the UI when {@code --ui} asks for it, and the
 * user's {@code --conf k=v}; and whether tconv's own progress line is drawn. Order of precedence,
 * strongest first: {@code --conf}, settings already given (spark-submit --conf, spark-defaults.conf),
 * {@code --ui}, the lean defaults. Kept apart from the session so the decision is tested without Spark.
 * On a cluster, also {@link #CLUSTER_DEFAULTS}: how tasks survive executors that die.
 */
public final class SessionSettings {
    /**
     * What a job on a cluster asks of Spark's scheduler unless told otherwise, the same lines as in
     * conf/spark-defaults.conf (where the reasons are; SessionSettingsTest holds the two together), so a
     * spark-submit without that file gets them too: 8 attempts per task and per stage, since a lost
     * executor's tasks count as failed and clusters lose executors again and again (preemption, OOM kills);
     * no exclusion of executors or nodes (a tconv task fails only with its executor, and excluding the node
     * makes a small cluster unschedulable); speculation, which tconv's committed outputs make safe, only
     * for tasks far slower than their stage's median; the committer's algorithm 1, which keeps a killed
     * task's files out of the output. Measured under repeated executor kills by the soak
     * test (src/test/java/org/tconv/cluster/ExecutorKillSoakIT.java; docs/cluster.md).
     */
    public static final Map<String, String> CLUSTER_DEFAULTS = clusterDefaults();

    private static Map<String, String> clusterDefaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.task.maxFailures", "8");
        m.put("spark.stage.maxConsecutiveAttempts", "8");
        m.put("spark.excludeOnFailure.enabled", "false");
        m.put("spark.speculation", "true");
        m.put("spark.speculation.multiplier", "3");
        m.put("spark.speculation.quantile", "0.9");
        m.put("spark.speculation.minTaskRuntime", "5s");
        // no output file visible before the job commit (algorithm 2 shows a task's files as it commits them)
        m.put("spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version", "1");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The options of a command: {@code --conf} pairs in order, {@code --ui}, and whether progress is shown. */
    public final Map<String, String> conf;
    public final boolean ui;
    public final boolean progress;

    public SessionSettings(Map<String, String> conf, boolean ui, boolean progress) {
        this.conf = Map.copyOf(conf);
        this.ui = ui;
        this.progress = progress;
    }

    /** No --conf, no UI, no progress bar: what bench and the tests ask for. */
    public static SessionSettings quiet() {
        return new SessionSettings(Map.of(), false, false);
    }

    /**
     * The settings to put on the builder: {@code given} says which keys Spark already has from elsewhere
     * (those are left alone unless {@code --conf} names them); {@code local} whether the master is local.
     */
    public Map<String, String> resolve(boolean local, int cores, Predicate<String> given, String localFileSystem) {
        Map<String, String> s = new LinkedHashMap<>();
        if (local) {
            s.put("spark.ui.enabled", "false");
            s.put("spark.eventLog.enabled", "false");
            s.put("spark.sql.shuffle.partitions", Integer.toString(Math.max(2, cores)));
            // Parquet: no summary files and no per-job schema merging to plan; the footer has the schema.
            s.put("spark.hadoop.parquet.summary.metadata.level", "NONE");
            s.put("spark.sql.parquet.mergeSchema", "false");
            if (localFileSystem != null) s.put("spark.hadoop.fs.file.impl", localFileSystem);
        } else {
            s.putAll(CLUSTER_DEFAULTS);
        }
        if (ui) s.put("spark.ui.enabled", "true");
        // tconv draws its own line (JobProgress) on the terminal; Spark's bar would go through the launcher's
        // line filter of stderr and come out only at each stage's end
        s.put("spark.ui.showConsoleProgress", "false");
        s.keySet().removeIf(given);
        s.putAll(conf);
        return s;
    }

    /**
     * Whether Spark's console progress bar is drawn: only for a person at a terminal. Redirected to a file
     * or a pipe, a bar of carriage returns is noise in a log; {@code --quiet} turns it off too. The final
     * summary line is printed either way.
     */
    public static boolean showProgress(boolean quiet, boolean stderrIsTerminal) {
        return !quiet && stderrIsTerminal;
    }

    /**
     * Whether stderr is a terminal, as the launcher saw it ({@code -Dtconv.stderr.tty}, from bash's
     * {@code [[ -t 2 ]]}: Java 17 can only tell for stdin and stdout together). Unknown means no.
     */
    public static boolean stderrIsTerminal() {
        return Boolean.parseBoolean(System.getProperty("tconv.stderr.tty", "false"));
    }
}
