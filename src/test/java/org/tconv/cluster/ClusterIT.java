package org.tconv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/**
 * tconv on a real distributed Spark and a real HDFS: a standalone Master and two Workers (separate JVMs,
 * one core each), the packaged jar submitted through SparkSubmit, inputs and outputs on hdfs://. Outputs
 * must equal a local-mode run of the same job, also when an executor or the driver is killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    static final Path WORK = TestFiles.home().resolve("target/cluster-it");
    static MiniHdfs hdfs;
    static StandaloneCluster cluster;
    static double hdfsStartSeconds, clusterStartSeconds;

    @BeforeAll
    static void start() throws Exception {
        deleteTree(WORK);
        Files.createDirectories(WORK);
        makeInputs(WORK.resolve("in"), 12, 16, 40, 3);
        makeInputs(WORK.resolve("heavy"), 32, 24, 48, 7);
        long t0 = System.nanoTime();
        hdfs = new MiniHdfs();
        long t1 = System.nanoTime();
        cluster = new StandaloneCluster(2);
        long t2 = System.nanoTime();
        hdfsStartSeconds = (t1 - t0) / 1e9;
        clusterStartSeconds = (t2 - t1) / 1e9;
        System.out.printf("cluster-it: HDFS started in %.1f s, Spark master + 2 workers in %.1f s%n", hdfsStartSeconds, clusterStartSeconds);
        FileSystem fs = hdfs.fs();
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(WORK.resolve("in").toUri()), new org.apache.hadoop.fs.Path("/in"));
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(WORK.resolve("heavy").toUri()), new org.apache.hadoop.fs.Path("/heavy"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
        if (hdfs != null) hdfs.close();
    }

    /**
     * {@code files} .npy batches of {@code n} 3-channel images of side {@code size}, the sample photographs,
     * one corrupt file, and weights with a {@code k}x{@code k} kernel.
     */
    static void makeInputs(Path dir, int files, int n, int size, int k) throws IOException {
        Random r = new Random(files * 31L + k);
        for (int f = 0; f < files; f++) {
            double[] x = new double[n * 3 * size * size];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() * 255;
            TestFiles.write(dir.resolve("data/batch-" + f + ".npy"), new int[] {n, 3, size, size}, x);
        }
        try (Stream<Path> photos = Files.list(TestFiles.home().resolve("data/images"))) {
            for (Path p : (Iterable<Path>) photos::iterator) {
                Files.createDirectories(dir.resolve("photos"));
                Files.copy(p, dir.resolve("photos").resolve(p.getFileName()));
            }
        }
        Files.write(dir.resolve("photos/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        double[] w = new double[4 * 3 * k * k];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        TestFiles.write(WORK.resolve("weights-" + k + ".npy"), new int[] {4, 3, k, k}, w);
    }

    private static List<String> jobArgs(String input, String output, String method, int k) {
        return List.of("run", "--input", input, "--output", output, "--weights", WORK.resolve("weights-" + k + ".npy").toUri().toString(),
                "--padding", String.valueOf(k / 2), "--padding-mode", "reflect", "--method", method, "--format", "npy");
    }

    /** The same job in local mode, in this JVM: the reference every cluster output must equal. */
    private static final Map<String, Map<String, NpyArray>> LOCAL = new java.util.HashMap<>();

    private static Map<String, NpyArray> localRun(String input, String method, int k) throws IOException {
        String key = input + "/" + method + "/" + k;
        if (LOCAL.containsKey(key)) return LOCAL.get(key);
        long t0 = System.nanoTime();
        Map<String, NpyArray> files = localRunUncached(input, method, k);
        System.out.printf("cluster-it: local mode %s on %s: %.1f s (in-process, warm JVM)%n", method, input, (System.nanoTime() - t0) / 1e9);
        LOCAL.put(key, files);
        return files;
    }

    private static Map<String, NpyArray> localRunUncached(String input, String method, int k) throws IOException {
        Path out = WORK.resolve("local-" + method + "-" + input.replace('/', '_'));
        Cli r = Cli.run(jobArgs(WORK.resolve(input).toString(), out.toString(), method, k).toArray(new String[0]));
        assertEquals(2, r.status, r::toString);
        Map<String, NpyArray> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.toString().endsWith(".npy")) files.put(out.relativize(p).toString(), TestFiles.read(p));
            }
        }
        return files;
    }

    /** Every file under an HDFS output, by relative path. */
    private static Map<String, byte[]> hdfsFiles(String dir) throws IOException {
        FileSystem fs = hdfs.fs();
        Map<String, byte[]> files = new TreeMap<>();
        org.apache.hadoop.fs.Path root = fs.makeQualified(new org.apache.hadoop.fs.Path(dir));
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus st = it.next();
            String rel = st.getPath().toUri().getPath().substring(root.toUri().getPath().length() + 1);
            try (InputStream in = fs.open(st.getPath())) {
                files.put(rel, in.readAllBytes());
            }
        }
        return files;
    }

    /** The cluster's output holds exactly the local run's files, equal to 1e-12, plus _SUCCESS and _rejected.csv. */
    private static void assertSameAsLocal(Map<String, NpyArray> local, String hdfsDir, String what) throws IOException {
        Map<String, byte[]> remote = hdfsFiles(hdfsDir);
        List<String> expectedNames = new ArrayList<>(local.keySet());
        expectedNames.add("_SUCCESS");
        expectedNames.add("_rejected.csv");
        expectedNames.sort(null);
        assertEquals(expectedNames, new ArrayList<>(remote.keySet()), what + ": no partial, duplicate or temporary file");
        for (Map.Entry<String, NpyArray> e : local.entrySet()) {
            NpyArray got = NpyArray.read(remote.get(e.getKey()));
            assertTrue(java.util.Arrays.equals(e.getValue().shape, got.shape), what + " " + e.getKey());
            double scale = 0, diff = 0;
            for (int i = 0; i < got.data.length; i++) {
                scale = Math.max(scale, Math.abs(e.getValue().data[i]));
                diff = Math.max(diff, Math.abs(e.getValue().data[i] - got.data[i]));
            }
            assertTrue(diff <= 1e-12 * scale, what + " " + e.getKey() + " differs by " + diff);
        }
        String rejected = new String(remote.get("_rejected.csv"), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, rejected.lines().count(), rejected);
        assertTrue(rejected.contains("broken.png,\"cannot decode image: not a PNG"), rejected);
    }

    @Test
    @Order(1)
    void toeplitzOnTheClusterEqualsLocalMode() throws Exception {
        sameAsLocal("toeplitz");
    }

    @Test
    @Order(2)
    void blockmatrixOnTheClusterEqualsLocalMode() throws Exception {
        sameAsLocal("blockmatrix");
    }

    private void sameAsLocal(String method) throws Exception {
        long t0 = System.nanoTime();
        Map<String, NpyArray> local = localRun("in", method, 3);
        double localSeconds = (System.nanoTime() - t0) / 1e9;
        String out = hdfs.uri + "/out-" + method;
        long t1 = System.nanoTime();
        try (ChildJvm driver = cluster.submit("driver-" + method, jobArgs(hdfs.uri + "/in", out, method, 3))) {
            assertEquals(2, driver.waitFor(300), () -> "driver log: " + driver.log);
            System.out.printf("cluster-it: %s: local mode (in-process, warm JVM) %.1f s, cluster (spark-submit JVM + job) %.1f s%n",
                    method, localSeconds, (System.nanoTime() - t1) / 1e9);
        }
        assertSameAsLocal(local, out, method);
    }

    @Test
    @Order(3)
    void killedExecutorLosesNothing() throws Exception {
        Map<String, NpyArray> local = localRun("heavy", "direct", 7);
        String out = hdfs.uri + "/out-executor-killed";
        try (ChildJvm driver = cluster.submit("driver-executor-killed", jobArgs(hdfs.uri + "/heavy", out, "direct", 7))) {
            ProcessHandle victim = awaitRunningTasks(driver, out);
            long pid = victim.pid();
            victim.destroyForcibly();
            System.out.printf("cluster-it: killed executor JVM pid %d while the job ran%n", pid);
            assertEquals(2, driver.waitFor(300), () -> "driver log: " + driver.log);
            String log = driver.output();
            int lost = count(Pattern.compile("Lost task [0-9.]+ in stage"), log);
            System.out.printf("cluster-it: the driver reported %d lost task attempt(s) and re-ran them; executor lost: %s%n",
                    lost, log.contains("ExecutorLostFailure") || log.contains("Executor lost") || log.contains("Lost executor"));
            assertTrue(lost >= 1, "a task was running on the killed executor; driver log: " + driver.log);
        }
        assertSameAsLocal(local, out, "executor killed");
    }

    @Test
    @Order(4)
    void killedDriverThenRerunGivesAWholeOutput() throws Exception {
        Map<String, NpyArray> local = localRun("heavy", "direct", 7);
        String out = hdfs.uri + "/out-driver-killed";
        FileSystem fs = hdfs.fs();
        try (ChildJvm driver = cluster.submit("driver-killed", jobArgs(hdfs.uri + "/heavy", out, "direct", 7))) {
            long deadline = System.currentTimeMillis() + 180_000;
            org.apache.hadoop.fs.Path temporary = new org.apache.hadoop.fs.Path(out + "/_temporary");
            while (!fs.exists(temporary) && System.currentTimeMillis() < deadline) Thread.sleep(100);
            assertTrue(fs.exists(temporary), "the job started writing; driver log: " + driver.log);
            Thread.sleep(2000); // tasks are writing their attempt files now
            driver.kill();
            driver.process.waitFor();
        }
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(out + "/_SUCCESS")), "a killed job never looks finished");
        try (ChildJvm rerun = cluster.submit("driver-rerun", jobArgs(hdfs.uri + "/heavy", out, "direct", 7))) {
            assertEquals(2, rerun.waitFor(300), () -> "rerun log: " + rerun.log);
        }
        assertSameAsLocal(local, out, "rerun after driver kill");
    }

    /** Waits until both executors run and tasks have opened their output attempts; returns one executor to kill. */
    private static ProcessHandle awaitRunningTasks(ChildJvm driver, String out) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        org.apache.hadoop.fs.Path temporary = new org.apache.hadoop.fs.Path(out + "/_temporary");
        while (System.currentTimeMillis() < deadline) {
            List<ProcessHandle> executors = cluster.executors();
            if (executors.size() >= 2 && hdfs.fs().exists(temporary)) {
                Thread.sleep(1500); // into the stage, tasks holding partial results
                return executors.get(0);
            }
            if (!driver.process.isAlive()) throw new AssertionError("driver ended early; log: " + driver.log);
            Thread.sleep(100);
        }
        throw new AssertionError("no running executors within 180 s; logs in " + ChildJvm.LOGS);
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.delete(q);
        }
    }
}
