package org.tconv.job;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The SparkSession of a tconv run: embedded {@code local[*]} unless spark-submit or {@code --master} says otherwise. */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession getOrCreate(String masterOption) {
        SparkConf conf = new SparkConf(true); // picks up spark.* set by spark-submit
        SparkSession.Builder b = SparkSession.builder().appName("tconv");
        if (masterOption != null) {
            b.master(masterOption);
        } else if (!conf.contains("spark.master")) {
            b.master("local[*]");
        }
        String master = masterOption != null ? masterOption : conf.get("spark.master", "local[*]");
        if (master.startsWith("local") && !conf.contains("spark.ui.enabled")) {
            b.config("spark.ui.enabled", "false"); // nobody watches a UI of a CLI run on a laptop
        }
        b.config("spark.ui.showConsoleProgress", "false");
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
