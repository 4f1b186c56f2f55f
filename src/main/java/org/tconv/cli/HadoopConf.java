package org.tconv.cli;

import java.util.Properties;

import org.apache.hadoop.conf.Configuration;

/**
 * The Hadoop configuration the CLI uses before Spark starts (weights, bias, the output check): the
 * site files on the classpath plus every {@code spark.hadoop.*} setting, as Spark's own configuration of
 * the job will have them. Under spark-submit those settings ({@code --conf spark.hadoop.fs.defaultFS=...},
 * S3A credentials, ...) arrive as system properties; without this, a weights path on the cluster's default
 * file system or an s3a:// output would be resolved with a different configuration than the job's.
 */
final class HadoopConf {
    private HadoopConf() {}

    static Configuration create() {
        return create(System.getProperties());
    }

    static Configuration create(Properties props) {
        Configuration conf = new Configuration();
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith("spark.hadoop.") && key.length() > "spark.hadoop.".length()) {
                conf.set(key.substring("spark.hadoop.".length()), props.getProperty(key), "spark.hadoop.* (spark-submit --conf)");
            }
        }
        return conf;
    }
}
