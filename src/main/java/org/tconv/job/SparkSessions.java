package org.tconv.job;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.tconv.write.PosixLocalFileSystem;

/**
 * The SparkSession of a tconv run: embedded {@code local[*]} unless spark-submit or {@code --master} says
 * otherwise. In local mode it is lean: a CLI run on one machine has nobody watching a UI, no history server
 * reading an event log and nothing to shuffle across many partitions; every service Spark does not start
 * is start-up time saved. Any of these settings given explicitly (spark-submit --conf, spark-defaults)
 * wins.
 */
public final class SparkSessions {
    private SparkSessions() {}

    private static final AtomicInteger REQUESTED = new AtomicInteger();

    public static SparkSession getOrCreate(String masterOption) {
        SparkConf conf = new SparkConf(true); // picks up spark.* set by spark-submit
        SparkSession.Builder b = SparkSession.builder().appName("tconv");
        if (masterOption != null) {
            b.master(masterOption);
        } else if (!conf.contains("spark.master")) {
            b.master("local[*]");
        }
        String master = masterOption != null ? masterOption : conf.get("spark.master", "local[*]");
        if (master.startsWith("local")) {
            int cores = Runtime.getRuntime().availableProcessors();
            setUnlessGiven(b, conf, "spark.ui.enabled", "false");
            setUnlessGiven(b, conf, "spark.eventLog.enabled", "false");
            setUnlessGiven(b, conf, "spark.sql.shuffle.partitions", Integer.toString(Math.max(2, cores)));
            // Parquet: no summary files and no per-job schema merging to plan; the footer has the schema.
            setUnlessGiven(b, conf, "spark.hadoop.parquet.summary.metadata.level", "NONE");
            setUnlessGiven(b, conf, "spark.sql.parquet.mergeSchema", "false");
            // file: paths without a chmod process per file and directory written (PosixLocalFileSystem)
            if (new org.apache.hadoop.conf.Configuration().get(PosixLocalFileSystem.KEY) == null) {
                setUnlessGiven(b, conf, "spark.hadoop." + PosixLocalFileSystem.KEY, PosixLocalFileSystem.class.getName());
            }
        }
        setUnlessGiven(b, conf, "spark.ui.showConsoleProgress", "false");
        REQUESTED.incrementAndGet();
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }

    /** How often a tconv command in this JVM asked for a SparkSession (tests: a refused run never does). */
    public static int requested() {
        return REQUESTED.get();
    }

    private static void setUnlessGiven(SparkSession.Builder b, SparkConf conf, String key, String value) {
        if (!conf.contains(key)) b.config(key, value);
    }
}
