package org.tconv.cli;

import java.util.Properties;

import org.apache.hadoop.conf.Configuration;
import org.tconv.write.PosixLocalFileSystem;

/**
 * The Hadoop configuration the CLI uses before Spark starts (weights, bias, the output check): the
 * site files on the classpath plus every {@code spark.hadoop.*} setting, as Spark's own configuration of
 * the job will have them. Under spark-submit those settings ({@code --conf spark.hadoop.fs.defaultFS=...},
 * S3A credentials, ...) arrive as system properties; without this, a weights path on the cluster's default
 * file system or an s3a:// output would be resolved with a different configuration than the job's.
 * Local paths use {@link PosixLocalFileSystem} (no chmod processes) unless a site file or
 * {@code spark.hadoop.fs.file.impl} names another class, as the Spark session does.
 */
final class HadoopConf {
    private HadoopConf() {}

    static Configuration create() {
        return create(System.getProperties());
    }

    static Configuration create(Properties props) {
        Configuration conf = new Configuration();
        if (!props.containsKey("spark.hadoop." + PosixLocalFileSystem.KEY)) {
            // before the site files' own setting is known: set() would override core-site.xml, so only fill a gap
            if (conf.get(PosixLocalFileSystem.KEY) == null) conf.set(PosixLocalFileSystem.KEY, PosixLocalFileSystem.class.getName(), "tconv");
        }
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith("spark.hadoop.") && key.length() > "spark.hadoop.".length()) {
                conf.set(key.substring("spark.hadoop.".length()), props.getProperty(key), "spark.hadoop.* (spark-submit --conf)");
            }
        }
        return conf;
    }
}
