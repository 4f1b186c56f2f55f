package org.tconv.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.SharedSpark;
import org.tconv.testing.TestFiles;

/**
 * npy/png outputs go through whatever committer Hadoop picks for the output's file system, not only
 * FileOutputCommitter: on abfs:// and gs:// Hadoop's default is the manifest committer, on s3a:// the S3A
 * committers once fs.s3a.committer.name is set. Here the manifest committer is chosen for file:.
 */
class OutputCommitterTest {
    static final String FACTORY = "mapreduce.outputcommitter.factory.scheme.file";

    @TempDir
    Path tmp;

    @Test
    void npyOutputThroughTheManifestCommitter() throws Exception {
        Random r = new Random(3);
        double[] x = new double[2 * 1 * 6 * 5];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(256);
        TestFiles.write(tmp.resolve("in/sub/a.npy"), new int[] {2, 1, 6, 5}, x);
        TestFiles.write(tmp.resolve("in/b.npy"), new int[] {1, 6, 5}, java.util.Arrays.copyOf(x, 30));
        TestFiles.write(tmp.resolve("w.npy"), new int[] {1, 1, 1, 1}, new double[] {2.0});
        Configuration hadoop = SharedSpark.get().sparkContext().hadoopConfiguration();
        hadoop.set(FACTORY, "org.apache.hadoop.mapreduce.lib.output.committer.manifest.ManifestCommitterFactory");
        try {
            Path out = tmp.resolve("out");
            Cli c = Cli.run("run", "--input", tmp.resolve("in").toString(), "--output", out.toString(),
                    "--weights", tmp.resolve("w.npy").toString(), "--format", "npy");
            assertEquals(0, c.status, c::toString);
            NpyArray a = TestFiles.read(out.resolve("sub/a.npy"));
            assertArrayEquals(new int[] {2, 1, 6, 5}, a.shape);
            for (int i = 0; i < x.length; i++) assertEquals(2 * x[i], a.data[i]);
            assertArrayEquals(new int[] {1, 6, 5}, TestFiles.read(out.resolve("b.npy")).shape);
            assertTrue(Files.exists(out.resolve("_SUCCESS")), "the manifest committer's _SUCCESS");
            assertFalse(Files.exists(out.resolve("_temporary")), "nothing temporary left");
        } finally {
            hadoop.unset(FACTORY);
        }
    }
}
