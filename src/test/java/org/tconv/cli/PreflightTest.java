package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tconv.job.SparkSessions;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/** Input that can be judged before Spark starts is refused there: exit 1, one line with the cause, no session asked for. */
class PreflightTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void files() throws IOException {
        TestFiles.write(tmp.resolve("w.npy"), new int[] {1, 1, 3, 3}, new double[9]);
        TestFiles.write(tmp.resolve("x.npy"), new int[] {1, 5, 5}, new double[25]);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--input @/missing.npy                  | input @/missing.npy does not exist",
            "--input @/nothing-*.npy                | input @/nothing-*.npy does not exist",
            "--master bogus://x                     | --master bogus://x is not a Spark master URL",
            "--master local[0]                      | --master local[0] is not a Spark master URL",
            "--master spark://127.0.0.1:1           | no master reachable at spark://127.0.0.1:1",
            "--master spark://nohost                | expected spark://HOST:PORT",
            "--output s3a://bucket/out              | add org.apache.hadoop:hadoop-aws:",
            "--input abfs://c@a.dfs.core.windows.net/x | add org.apache.hadoop:hadoop-azure:",
            "--conf executor.memory=4g              | --conf executor.memory=...: Spark settings start with spark.",
            "--conf spark.executor.memory           | should be in KEY=VALUE format",
    })
    void refusedBeforeSpark(String options, String message) {
        String[] extra = options.trim().replace("@", tmp.toString()).split("\\s+");
        String[] args = new String[] {"run", "--input", tmp.resolve("x.npy").toString(), "--weights", tmp.resolve("w.npy").toString(),
                "--output", tmp.resolve("out").toString(), extra[0], extra[1]};
        int before = SparkSessions.requested();
        Cli r = Cli.run(args);
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains(message.replace("@", tmp.toString())), r::toString);
        assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
        assertEquals(before, SparkSessions.requested(), "no SparkSession was asked for");
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }

    @Test
    void acceptedMastersPass() throws IOException {
        for (String m : new String[] {"local", "local[*]", "local[2]", "local[2,3]", "local-cluster[2,1,1024]", "yarn", "k8s://https://h:6443"}) {
            assertDoesNotThrow(() -> Preflight.master(m), m);
        }
        try (ServerSocket master = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // the first of a list of masters is down, the second answers: a standby setup is fine
            assertDoesNotThrow(() -> Preflight.master("spark://127.0.0.1:1,127.0.0.1:" + master.getLocalPort()));
        }
    }
}
