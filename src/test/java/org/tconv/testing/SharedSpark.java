package org.tconv.testing;

import org.apache.spark.sql.SparkSession;

/**
 * One SparkSession for the whole test JVM (surefire reuses the fork): the first start costs seconds,
 * later getOrCreate calls, including those inside the CLI under test, get this one.
 */
public final class SharedSpark {
    private SharedSpark() {}

    public static synchronized SparkSession get() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("tconv-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "4")
                .getOrCreate();
    }
}
