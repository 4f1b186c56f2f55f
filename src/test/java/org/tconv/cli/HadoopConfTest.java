package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Properties;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.tconv.write.PosixLocalFileSystem;

/** The CLI reads weights and checks the output with the same spark.hadoop.* settings the job gets. */
class HadoopConfTest {
    @Test
    void sparkHadoopSettingsReachTheCliConfiguration() {
        Properties p = new Properties();
        p.setProperty("spark.hadoop.fs.defaultFS", "hdfs://namenode:8020");
        p.setProperty("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000");
        p.setProperty("spark.executor.memory", "4g");
        p.setProperty("spark.hadoop.", "ignored: no key");
        Configuration c = HadoopConf.create(p);
        assertEquals("hdfs://namenode:8020", c.get("fs.defaultFS"));
        assertEquals("http://127.0.0.1:9000", c.get("fs.s3a.endpoint"));
        assertNull(c.get("spark.executor.memory"));
        assertNull(c.get("executor.memory"));
    }

    @Test
    void localPathsUseTheFileSystemWithoutChmodProcessesUnlessAnotherIsNamed() {
        assertEquals(PosixLocalFileSystem.class.getName(), HadoopConf.create(new Properties()).get("fs.file.impl"));
        Properties p = new Properties();
        p.setProperty("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.LocalFileSystem");
        assertEquals("org.apache.hadoop.fs.LocalFileSystem", HadoopConf.create(p).get("fs.file.impl"));
    }
}
