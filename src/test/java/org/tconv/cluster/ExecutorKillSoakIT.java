package org.tconv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/**
 * A job over WebDataset shards and loose files on the standalone cluster (two Workers, one core each)
 * while an executor JVM is SIGKILLed every few seconds ({@link ExecutorKiller}; the Workers start new
 * ones): each output must equal a local-mode run of the same job byte for byte ({@link OutputDigest}: every
 * file, tar member and Parquet row, none missing or doubled), with the same {@code _rejected.csv}. Submitted
 * with the shipped conf/spark-defaults.conf, so it tests the settings tconv ships (maxFailures, no
 * exclusion, speculation).
 *
 * <p>In CI a short run (2,000 images, npy, a few kills). The long run, by hand:
 * <pre>
 * mvn -o verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ExecutorKillSoakIT \
 *     -Dtconv.soak.images=20000 -Dtconv.soak.repeats=3 -Dtconv.soak.formats=npy,parquet,webdataset
 * </pre>
 * (failsafe passes -D properties of the Maven command line to the test JVM). Each run's figures are printed
 * ({@code soak: ...}) and appended to target/soak/results.txt.
 */
class ExecutorKillSoakIT {
    static final Path WORK = TestFiles.home().resolve("target/soak");
    static final int IMAGES = Integer.getInteger("tconv.soak.images", 2000);
    static final int REPEATS = Integer.getInteger("tconv.soak.repeats", 1);
    static final List<String> FORMATS = List.of(System.getProperty("tconv.soak.formats", "npy").split(","));
    static final long KILL_MIN_MS = Long.getLong("tconv.soak.killMinMs", 3000), KILL_MAX_MS = Long.getLong("tconv.soak.killMaxMs", 5000);
    /** Kills each run must have seen while its job ran; fewer and the run proves nothing about repeated loss. */
    static final int MIN_KILLS = Integer.getInteger("tconv.soak.minKills", 3);

    static StandaloneCluster cluster;
    static SoakInputs inputs;

    @BeforeAll
    static void start() throws Exception {
        ClusterIT.deleteTree(TestFiles.home().resolve("target/spark-work"));
        for (String f : FORMATS) {
            ClusterIT.deleteTree(WORK.resolve("local-" + f));
            for (int r = 1; r <= REPEATS; r++) ClusterIT.deleteTree(WORK.resolve("cluster-" + f + "-" + r));
        }
        long t0 = System.nanoTime();
        inputs = SoakInputs.make(WORK, IMAGES);
        long t1 = System.nanoTime();
        cluster = new StandaloneCluster(2);
        System.out.printf("soak: %d images (+%d bad inputs) made or reused in %.1f s; Master + 2 Workers started in %.1f s%n",
                IMAGES, SoakInputs.REJECTED, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    private static List<String> job(Path output, String format) {
        return List.of("run", "--input", inputs.dir.toString(), "--output", output.toString(), "--weights", inputs.weights.toString(),
                "--padding", "1", "--format", format);
    }

    @Test
    void outputsUnderRepeatedExecutorKillsEqualLocalMode() throws Exception {
        List<String> figures = new ArrayList<>();
        for (String format : FORMATS) {
            Path localOut = WORK.resolve("local-" + format);
            long t0 = System.nanoTime();
            Cli local = Cli.run(job(localOut, format).toArray(new String[0]));
            double localSeconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(2, local.status, local::toString);
            OutputDigest expected = OutputDigest.of(localOut, format);
            assertWhole(expected, format);
            for (int r = 1; r <= REPEATS; r++) figures.add(clusterRun(format, r, expected, localSeconds));
        }
        Files.createDirectories(WORK);
        Files.write(WORK.resolve("results.txt"), figures, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The local run, the reference, has one output per good image and the four rejected inputs. */
    private static void assertWhole(OutputDigest d, String format) {
        long results = format.equals("parquet") ? d.units.size() : d.units.keySet().stream().filter(k -> k.endsWith(".npy")).count();
        assertEquals(inputs.goodImages(), results, "one result per good image in the local run");
        assertEquals(SoakInputs.REJECTED + 1, d.rejectedCsv.lines().count(), d.rejectedCsv);
        assertTrue(d.success);
    }

    private static String clusterRun(String format, int repeat, OutputDigest expected, double localSeconds) throws Exception {
        Path out = WORK.resolve("cluster-" + format + "-" + repeat);
        long t0 = System.nanoTime();
        List<ExecutorKiller.Kill> kills;
        int status;
        EventLog ev;
        // spark.default.parallelism as in the local test session: the same tasks, so the same part-NNNNN.tar names
        try (ChildJvm driver = cluster.submit("driver-soak-" + format + "-" + repeat, List.of("--conf", "spark.default.parallelism=4"), job(out, format))) {
            try (ExecutorKiller killer = new ExecutorKiller(cluster, driver, KILL_MIN_MS, KILL_MAX_MS, 31L * repeat + format.hashCode())) {
                status = driver.waitFor(3600);
                killer.close();
                kills = killer.kills();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            ev = StandaloneCluster.eventLog(driver);
            String logs = StandaloneCluster.logs(driver);
            long lostTasks = ev.failures.stream().filter(f -> f.reason().startsWith("ExecutorLostFailure")).count();
            Map<String, Integer> reasons = new HashMap<>();
            for (EventLog.Failure f : ev.failures) reasons.merge(f.reason().replaceAll(" \\(.*", ""), 1, Integer::sum);
            String figure = String.format("soak: %s run %d: %d images (+%d bad), %d executor kills in %.1f s (local mode %.1f s); "
                            + "%d failed task attempts %s, %d relaunched, highest attempt %d, %d speculative, %d executors removed; exit %d",
                    format, repeat, IMAGES, SoakInputs.REJECTED, kills.size(), seconds, localSeconds, ev.failures.size(), reasons,
                    ev.relaunchedTasks, ev.maxAttempt, ev.speculativeTasks, ev.removedExecutors.size(), status);
            System.out.println(figure);
            kills.forEach(k -> System.out.println("soak:   killed at " + k));
            assertEquals(2, status, () -> "the job finished despite the kills (exit 2: some inputs rejected); " + logs);
            assertTrue(kills.size() >= MIN_KILLS, "at least " + MIN_KILLS + " executors killed while the job ran, got " + kills + "; " + logs);
            assertTrue(ev.removedExecutors.size() >= kills.size(), "each killed executor was lost to the driver: " + ev.summary());
            assertTrue(lostTasks >= 1, "tasks were running on killed executors: " + ev.summary());
            OutputDigest got = OutputDigest.of(out, format);
            String diff = expected.differences(got);
            assertTrue(diff.isEmpty(), format + " run " + repeat + " under executor kills differs from local mode: " + diff + "; " + logs);
            String equal = String.format("soak: %s run %d equals local mode byte for byte: %d output units, _rejected.csv of %d lines", format,
                    repeat, got.units.size(), got.rejectedCsv.lines().count());
            System.out.println(equal);
            return figure + "\n" + equal;
        }
    }
}
