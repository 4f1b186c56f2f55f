package org.tconv.job;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.tconv.write.PosixLocalFileSystem;

/**
 * The SparkSession of a tconv run: embedded {@code local[*]} unless spark-submit or {@code --master} says
 * otherwise. In local mode it is lean: a CLI run on one machine has nobody watching a UI, no history server
 * reading an event log and nothing to shuffle across many partitions; every service Spark does not start
 * is start-up time saved. Any of these settings given explicitly (tconv's --conf, spark-submit --conf,
 * spark-defaults) wins; {@link SessionSettings} holds the order.
 */
public final class SparkSessions {
    private SparkSessions() {}

    private static final AtomicInteger REQUESTED = new AtomicInteger();

    public static SparkSession getOrCreate(String masterOption) {
        return getOrCreate(masterOption, SessionSettings.quiet());
    }

    public static SparkSession getOrCreate(String masterOption, SessionSettings settings) {
        SparkConf conf = new SparkConf(true); // picks up spark.* set by spark-submit
        SparkSession.Builder b = SparkSession.builder().appName("tconv");
        String confMaster = settings.conf.get("spark.master");
        if (masterOption != null) {
            b.master(masterOption);
        } else if (confMaster == null && !conf.contains("spark.master")) {
            b.master("local[*]");
        }
        String master = masterOption != null ? masterOption : confMaster != null ? confMaster : conf.get("spark.master", "local[*]");
        // file: paths without a chmod process per file and directory written, unless a site file names a class
        String localFs = new org.apache.hadoop.conf.Configuration().get(PosixLocalFileSystem.KEY) == null
                ? PosixLocalFileSystem.class.getName() : null;
        for (Map.Entry<String, String> e : settings.resolve(master.startsWith("local"), Runtime.getRuntime().availableProcessors(),
                conf::contains, localFs).entrySet()) {
            b.config(e.getKey(), e.getValue());
        }
        REQUESTED.incrementAndGet();
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }

    /** How often a tconv command in this JVM asked for a SparkSession (tests: a refused run never does). */
    public static int requested() {
        return REQUESTED.get();
    }
}
