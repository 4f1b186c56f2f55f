package org.tconv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
 * must equal a local-mode run of the same job, also when an executor or the driver is killed. HDFS and the
 * cluster start once for the class; every process is stopped in {@link #stop()} (and by ChildJvm's
 * shutdown hook if the JVM ends first). Logs: target/cluster-logs (driver-*.log, master.log, worker-N.log,
 * events/), executors' stderr under target/spark-work/worker-N/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    static final Path WORK = TestFiles.home().resolve("target/cluster-it");
    static MiniHdfs hdfs;
    static StandaloneCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        deleteTree(WORK);
        deleteTree(ChildJvm.LOGS);
        deleteTree(TestFiles.home().resolve("target/spark-work"));
        Files.createDirectories(WORK);
        makeInputs(WORK.resolve("in"), 12, 16, 40, 3);
        makeInputs(WORK.resolve("heavy"), 32, 24, 48, 7);
        long t0 = System.nanoTime();
        hdfs = new MiniHdfs();
        long t1 = System.nanoTime();
        cluster = new StandaloneCluster(2);
        long t2 = System.nanoTime();
        System.out.printf("cluster-it: HDFS (MiniDFSCluster, 1 DataNode) started in %.1f s, Spark Master + 2 Workers (JVMs) in %.1f s%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        FileSystem fs = hdfs.fs();
        fs.copyFromLocalFile(hadoopPath(WORK.resolve("in")), new org.apache.hadoop.fs.Path("/in"));
        fs.copyFromLocalFile(hadoopPath(WORK.resolve("heavy")), new org.apache.hadoop.fs.Path("/heavy"));
        fs.copyFromLocalFile(hadoopPath(WORK.resolve("weights-3.npy")), new org.apache.hadoop.fs.Path("/weights-3.npy"));
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

    static String localWeights(int k) {
        return WORK.resolve("weights-" + k + ".npy").toUri().toString();
    }

    private static List<String> jobArgs(String input, String output, String method, String weights, int k) {
        return List.of("run", "--input", input, "--output", output, "--weights", weights,
                "--padding", String.valueOf(k / 2), "--padding-mode", "reflect", "--method", method, "--format", "npy");
    }

    /** The same job in local mode (local[2], in this JVM, local files): what every cluster output must equal. */
    record Reference(Map<String, NpyArray> files, String summary) {}

    private static final Map<String, Reference> LOCAL = new HashMap<>();

    private static Reference localRun(String input, String method, int k) throws IOException {
        String key = input + "/" + method + "/" + k;
        if (LOCAL.containsKey(key)) return LOCAL.get(key);
        long t0 = System.nanoTime();
        Path out = WORK.resolve("local-" + method + "-" + input.replace('/', '_'));
        Cli r = Cli.run(jobArgs(WORK.resolve(input).toString(), out.toString(), method, localWeights(k), k).toArray(new String[0]));
        assertEquals(2, r.status, r::toString);
        Map<String, NpyArray> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.toString().endsWith(".npy")) files.put(out.relativize(p).toString(), TestFiles.read(p));
            }
        }
        System.out.printf("cluster-it: local mode, %s on %s: %.1f s (local[2] in the test JVM, warm)%n", method, input, (System.nanoTime() - t0) / 1e9);
        Reference ref = new Reference(files, summary(r.out));
        LOCAL.put(key, ref);
        return ref;
    }

    /** "N image(s) from M file(s)" of tconv's summary line. */
    private static String summary(String output) {
        Matcher m = Pattern.compile("\\d+ image\\(s\\) from \\d+ file\\(s\\)").matcher(output);
        return m.find() ? m.group() : "(no summary line)";
    }

    /** Every file under an HDFS directory, by relative path. */
    private static Map<String, byte[]> hdfsFiles(String dir) throws IOException {
        FileSystem fs = hdfs.fs();
        Map<String, byte[]> files = new TreeMap<>();
        org.apache.hadoop.fs.Path root = fs.makeQualified(new org.apache.hadoop.fs.Path(dir));
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus st = it.next();
            try (InputStream in = fs.open(st.getPath())) {
                files.put(relative(root, st.getPath()), in.readAllBytes());
            }
        }
        return files;
    }

    private static String relative(org.apache.hadoop.fs.Path root, org.apache.hadoop.fs.Path p) {
        return p.toUri().getPath().substring(root.toUri().getPath().length() + 1);
    }

    /**
     * The cluster's output holds exactly the local run's files, equal to 1e-12 of the largest magnitude (in
     * practice bit-identical), plus {@code _SUCCESS} and {@code _rejected.csv}: nothing partial, duplicated
     * or temporary.
     */
    private static void assertSameAsLocal(Reference local, String hdfsDir, String what, ChildJvm driver) throws IOException {
        String logs = StandaloneCluster.logs(driver);
        Map<String, byte[]> remote = hdfsFiles(hdfsDir);
        List<String> expectedNames = new ArrayList<>(local.files.keySet());
        expectedNames.add("_SUCCESS");
        expectedNames.add("_rejected.csv");
        expectedNames.add("_tconv-output");
        expectedNames.sort(null);
        assertEquals(expectedNames, new ArrayList<>(remote.keySet()), what + ": exactly the local run's files, no partial, duplicate or temporary one; " + logs);
        int identical = 0;
        for (Map.Entry<String, NpyArray> e : local.files.entrySet()) {
            NpyArray got = NpyArray.read(remote.get(e.getKey()));
            assertTrue(java.util.Arrays.equals(e.getValue().shape, got.shape), what + " " + e.getKey() + ": shape; " + logs);
            double scale = 0, diff = 0;
            for (int i = 0; i < got.data.length; i++) {
                scale = Math.max(scale, Math.abs(e.getValue().data[i]));
                diff = Math.max(diff, Math.abs(e.getValue().data[i] - got.data[i]));
            }
            assertTrue(diff <= 1e-12 * scale, what + " " + e.getKey() + " differs by " + diff + "; " + logs);
            if (diff == 0) identical++;
        }
        String rejected = new String(remote.get("_rejected.csv"), StandardCharsets.UTF_8);
        assertEquals(2, rejected.lines().count(), rejected);
        assertTrue(rejected.contains("broken.png,\"cannot decode image: not a PNG"), rejected);
        assertEquals(local.summary, summary(driver.output()), what + ": the driver's summary line counts each image once; " + logs);
        System.out.printf("cluster-it: %s: %d output files + _SUCCESS + _rejected.csv, %d of them bit-identical to local mode, the rest within 1e-12%n",
                what, local.files.size(), identical);
    }

    /** Both executors ran tasks: the job's work is spread over the cluster, not left to one executor. */
    private static void assertSpread(EventLog ev, ChildJvm driver) {
        System.out.println("cluster-it: " + ev.summary());
        System.out.println("cluster-it: " + ev.appId + " successful tasks per stage per executor: " + ev.succeededByStage);
        assertTrue(ev.succeededByExecutor.size() >= 2 && ev.succeededByExecutor.values().stream().allMatch(n -> n > 0),
                "tasks ran on both executors: " + ev.succeededByExecutor + "; " + StandaloneCluster.logs(driver));
    }

    @Test
    @Order(1)
    void toeplitzOnTheClusterEqualsLocalMode() throws Exception {
        Reference local = localRun("in", "toeplitz", 3);
        String out = hdfs.uri + "/out-toeplitz";
        long t0 = System.nanoTime();
        try (ChildJvm driver = cluster.submit("driver-toeplitz", jobArgs(hdfs.uri + "/in", out, "toeplitz", localWeights(3), 3))) {
            assertEquals(2, driver.waitFor(300), () -> StandaloneCluster.logs(driver));
            System.out.printf("cluster-it: toeplitz on the cluster: %.1f s (spark-submit JVM start + job)%n", (System.nanoTime() - t0) / 1e9);
            assertSpread(StandaloneCluster.eventLog(driver), driver);
            assertSameAsLocal(local, out, "toeplitz", driver);
        }
    }

    /**
     * blockmatrix, with paths as users on a cluster write them: no scheme, resolved against the cluster's
     * default file system (here given as spark.hadoop.fs.defaultFS), the weights on HDFS too.
     */
    @Test
    @Order(2)
    void blockmatrixOnTheClusterEqualsLocalMode() throws Exception {
        Reference local = localRun("in", "blockmatrix", 3);
        long t0 = System.nanoTime();
        try (ChildJvm driver = cluster.submit("driver-blockmatrix", List.of("--conf", "spark.hadoop.fs.defaultFS=" + hdfs.uri),
                jobArgs("/in", "/out-blockmatrix", "blockmatrix", "/weights-3.npy", 3))) {
            assertEquals(2, driver.waitFor(300), () -> StandaloneCluster.logs(driver));
            System.out.printf("cluster-it: blockmatrix on the cluster: %.1f s (spark-submit JVM start + job)%n", (System.nanoTime() - t0) / 1e9);
            assertTrue(driver.output().contains("written as npy to " + hdfs.uri + "/out-blockmatrix"), () -> StandaloneCluster.logs(driver));
            assertSpread(StandaloneCluster.eventLog(driver), driver);
            assertSameAsLocal(local, hdfs.uri + "/out-blockmatrix", "blockmatrix", driver);
        }
    }

    /**
     * An executor JVM is killed (SIGKILL, by its PID: the child process of Worker 0) while it runs a task of
     * a blockmatrix job, after it has finished others (its cached input blocks and shuffle outputs are lost
     * with it). The job must still finish, with every output whole and equal to local mode.
     */
    @Test
    @Order(3)
    void killedExecutorLosesNothing() throws Exception {
        Reference local = localRun("in", "blockmatrix", 3);
        String out = hdfs.uri + "/out-executor-killed";
        try (ChildJvm driver = cluster.submit("driver-executor-killed", jobArgs(hdfs.uri + "/in", out, "blockmatrix", localWeights(3), 3))) {
            String killed = killExecutorMidTask(driver, 0, 15);
            System.out.println("cluster-it: killed " + killed);
            assertEquals(2, driver.waitFor(300), () -> StandaloneCluster.logs(driver));
            EventLog ev = StandaloneCluster.eventLog(driver);
            System.out.println("cluster-it: after the executor kill: " + ev.summary());
            System.out.printf("cluster-it: the driver log has %d 'Lost task' line(s)%n", count(Pattern.compile("Lost task [0-9.]+ in stage"), driver.output()));
            assertTrue(ev.failures.stream().anyMatch(f -> f.reason().startsWith("ExecutorLostFailure")),
                    "the task running on the killed executor failed as ExecutorLostFailure: " + ev.summary() + "; " + StandaloneCluster.logs(driver));
            assertTrue(ev.relaunchedTasks >= 1, "the lost task ran again: " + ev.summary());
            assertSameAsLocal(local, out, "executor killed", driver);
        }
    }

    /**
     * Waits until worker {@code w}'s executor for the driver's application has finished at least
     * {@code finished} tasks and is running another, then kills that executor JVM. Returns what was killed.
     */
    private static String killExecutorMidTask(ChildJvm driver, int w, int finished) throws Exception {
        long deadline = System.currentTimeMillis() + 240_000;
        Pattern running = Pattern.compile("Running task ([0-9.]+ in stage [0-9.]+ \\(TID \\d+\\))");
        while (System.currentTimeMillis() < deadline) {
            if (!driver.process.isAlive()) throw new AssertionError("the job ended before an executor could be killed; " + StandaloneCluster.logs(driver));
            String app = StandaloneCluster.appId(driver);
            List<ProcessHandle> executors = app == null ? List.of() : cluster.workers.get(w).process.children().collect(Collectors.toList());
            List<Path> logs = app == null ? List.of() : cluster.executorLogs(w, app);
            if (executors.size() == 1 && logs.size() == 1) {
                String log = Files.readString(logs.get(0));
                int started = count(running, log), done = count(Pattern.compile("Finished task "), log);
                if (done >= finished && started > done) {
                    Matcher last = running.matcher(log);
                    String task = "";
                    while (last.find()) task = last.group(1);
                    ProcessHandle victim = executors.get(0);
                    victim.destroyForcibly();
                    return String.format("executor JVM pid %d of worker %d (%s) with SIGKILL, after %d finished task(s), while running task %s",
                            victim.pid(), w, logs.get(0).getParent().getFileName(), done, task);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("worker " + w + "'s executor never reached " + finished + " finished tasks; " + StandaloneCluster.logs(driver));
    }

    /**
     * The driver is killed (SIGKILL) while tasks are writing: after task attempts have put files under
     * {@code _temporary}, before the job commit. Nothing of the killed run may look finished or be
     * visible outside {@code _temporary}; rerunning the same command must give the whole output.
     */
    @Test
    @Order(4)
    void killedDriverThenRerunGivesAWholeOutput() throws Exception {
        Reference local = localRun("heavy", "direct", 7);
        String out = hdfs.uri + "/out-driver-killed";
        List<String> args = jobArgs(hdfs.uri + "/heavy", out, "direct", localWeights(7), 7);
        FileSystem fs = hdfs.fs();
        try (ChildJvm driver = cluster.submit("driver-killed", args)) {
            long deadline = System.currentTimeMillis() + 240_000;
            int written = 0;
            while (written == 0 && System.currentTimeMillis() < deadline) {
                if (!driver.process.isAlive()) throw new AssertionError("the job ended before the driver could be killed; " + StandaloneCluster.logs(driver));
                written = countNpy(fs, out + "/_temporary");
                if (written == 0) Thread.sleep(50);
            }
            assertTrue(written > 0, "tasks started writing; " + StandaloneCluster.logs(driver));
            driver.kill();
            driver.process.waitFor();
            System.out.printf("cluster-it: killed the driver (pid %d, SIGKILL) with %d of %d output files written under _temporary%n",
                    driver.process.pid(), written, local.files.size());
        }
        Map<String, byte[]> left = hdfsFiles(out);
        List<String> visible = left.keySet().stream().filter(n -> !n.startsWith("_temporary/")).collect(Collectors.toList());
        System.out.printf("cluster-it: the killed run left %d file(s) under _temporary and outside it: %s%n", left.size() - visible.size(), visible);
        assertFalse(left.containsKey("_SUCCESS"), "a killed job never looks finished");
        assertTrue(visible.stream().noneMatch(n -> n.endsWith(".npy")), "no output file of the killed run is visible outside _temporary: " + visible);
        long t0 = System.nanoTime();
        try (ChildJvm rerun = cluster.submit("driver-rerun", args)) {
            assertEquals(2, rerun.waitFor(300), () -> StandaloneCluster.logs(rerun));
            System.out.printf("cluster-it: the rerun replaced the interrupted output in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            assertSameAsLocal(local, out, "rerun after driver kill", rerun);
        }
    }

    /**
     * The driver is killed (SIGKILL) after the job commit made its files visible, before {@code _rejected.csv}
     * and {@code _SUCCESS} (the driver is held in that window by a fault-injection property). The output
     * must not look finished, and the rerun must replace it with the whole output.
     */
    @Test
    @Order(5)
    void killedDriverBeforeRejectedCsvLeavesAnUnfinishedOutput() throws Exception {
        Reference local = localRun("heavy", "direct", 7);
        String out = hdfs.uri + "/out-killed-before-finish";
        List<String> args = jobArgs(hdfs.uri + "/heavy", out, "direct", localWeights(7), 7);
        FileSystem fs = hdfs.fs();
        try (ChildJvm driver = cluster.submit("driver-held", List.of("-Dtconv.faults.holdBeforeFinishMs=600000"), List.of(), args)) {
            long deadline = System.currentTimeMillis() + 240_000;
            while (System.currentTimeMillis() < deadline) {
                if (!driver.process.isAlive()) throw new AssertionError("the driver ended before it could be killed; " + StandaloneCluster.logs(driver));
                if (!fs.exists(new org.apache.hadoop.fs.Path(out + "/_temporary")) && countNpy(fs, out) == local.files.size()) break;
                Thread.sleep(50);
            }
            driver.kill();
            driver.process.waitFor();
        }
        Map<String, byte[]> left = hdfsFiles(out);
        System.out.printf("cluster-it: killed the driver after the job commit, before _rejected.csv: %d file(s) left%n", left.size());
        assertEquals(local.files.size(), left.keySet().stream().filter(n -> n.endsWith(".npy")).count(), "the job commit had made every file visible");
        assertFalse(left.containsKey("_SUCCESS"), "without _rejected.csv the output never looks finished");
        assertFalse(left.containsKey("_rejected.csv"));
        try (ChildJvm rerun = cluster.submit("driver-rerun-after-commit", args)) {
            assertEquals(2, rerun.waitFor(300), () -> StandaloneCluster.logs(rerun));
            assertSameAsLocal(local, out, "rerun after a driver killed before _rejected.csv", rerun);
        }
    }

    /**
     * {@code spectrum --operator spark}: the Gram products run as tasks on both executors (the operator built in
     * their JVMs from the serialised geometry) and give the values of the explicit CSR in local mode.
     */
    @Test
    @Order(6)
    void spectrumOnTheClusterEqualsTheLocalCsr() throws Exception {
        List<String> conv = List.of("spectrum", "--weights", localWeights(3), "--input-shape", "3,24,20", "--padding", "1",
                "--padding-mode", "reflect", "--top", "2");
        Path localOut = WORK.resolve("spectrum-local.npy"), clusterOut = WORK.resolve("spectrum-cluster.npy");
        List<String> local = new java.util.ArrayList<>(conv);
        local.addAll(List.of("--operator", "sparse", "--output", localOut.toString()));
        Cli r = Cli.run(local.toArray(new String[0]));
        assertEquals(0, r.status, r::toString);
        List<String> onCluster = new java.util.ArrayList<>(conv);
        onCluster.addAll(List.of("--operator", "spark", "--output", clusterOut.toString()));
        long t0 = System.nanoTime();
        try (ChildJvm driver = cluster.submit("driver-spectrum", onCluster)) {
            assertEquals(0, driver.waitFor(300), () -> StandaloneCluster.logs(driver));
            System.out.printf("cluster-it: spectrum on the cluster: %.1f s%n", (System.nanoTime() - t0) / 1e9);
            assertTrue(driver.output().contains("(spark products)"), () -> StandaloneCluster.logs(driver));
            assertSpread(StandaloneCluster.eventLog(driver), driver);
        }
        double[] expected = TestFiles.read(localOut).data, got = TestFiles.read(clusterOut).data;
        assertEquals(2, got.length);
        for (int i = 0; i < 2; i++) assertEquals(expected[i], got[i], 1e-9 * expected[0], "sigma[" + i + "]");
    }

    /** .npy files below {@code dir} now; 0 while it does not exist, also when it disappears while listed. */
    private static int countNpy(FileSystem fs, String dir) throws IOException {
        try {
            int n = 0;
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(new org.apache.hadoop.fs.Path(dir), true);
            while (it.hasNext()) {
                if (it.next().getPath().getName().endsWith(".npy")) n++;
            }
            return n;
        } catch (FileNotFoundException e) {
            return 0;
        }
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    private static org.apache.hadoop.fs.Path hadoopPath(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.delete(q);
        }
    }
}
