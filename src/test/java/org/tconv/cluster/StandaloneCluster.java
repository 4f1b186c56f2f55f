package org.tconv.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.tconv.testing.TestFiles;

/**
 * A Spark standalone cluster of separate JVMs on 127.0.0.1: one Master and {@code workers} Workers with one
 * core each. Workers build executor commands from SPARK_HOME, so SPARK_HOME is a folder under target/
 * whose jars/ links to the project's runtime jars.
 */
final class StandaloneCluster implements AutoCloseable {
    final ChildJvm master;
    final List<ChildJvm> workers = new ArrayList<>();
    final String url;
    final int webUiPort;
    final Path sparkHome;
    static final Path EVENTS = ChildJvm.LOGS.resolve("events");

    StandaloneCluster(int workerCount) throws Exception {
        sparkHome = sparkHome();
        int port = freePort();
        webUiPort = freePort();
        Map<String, String> env = env();
        master = ChildJvm.start("master", "org.apache.spark.deploy.master.Master", List.of("-Xmx512m"),
                List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(webUiPort)), env);
        url = "spark://127.0.0.1:" + port;
        try {
            for (int i = 0; i < workerCount; i++) {
                Path work = workDir(i);
                Files.createDirectories(work);
                workers.add(ChildJvm.start("worker-" + i, "org.apache.spark.deploy.worker.Worker", List.of("-Xmx256m"),
                        List.of("--host", "127.0.0.1", "--cores", "1", "--memory", "2g", "--webui-port", String.valueOf(freePort()),
                                "--work-dir", work.toString(), url), env));
            }
            awaitWorkers(workerCount, 240_000); // minutes on a machine busy with other builds
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    Map<String, String> env() {
        return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.13",
                "SPARK_LOG_DIR", ChildJvm.LOGS.toString(), "SPARK_NO_DAEMONIZE", "1");
    }

    private static Path sparkHome() throws IOException {
        Path home = TestFiles.home().resolve("target/spark-home");
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        for (String jar : ChildJvm.runtimeClasspath().split(java.io.File.pathSeparator)) {
            Path src = Path.of(jar);
            Path link = jars.resolve(src.getFileName());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, src);
        }
        return home;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The Master's JSON status page lists the registered workers. */
    String status() throws IOException {
        try (InputStream in = URI.create("http://127.0.0.1:" + webUiPort + "/json/").toURL().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void awaitWorkers(int n, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        Pattern alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
        while (System.currentTimeMillis() < deadline) {
            try {
                Matcher m = alive.matcher(status());
                if (m.find() && Integer.parseInt(m.group(1)) >= n) return;
            } catch (IOException notUpYet) {
                // the Master's UI is not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError(n + " workers did not register in " + millis / 1000 + " s; logs in " + ChildJvm.LOGS);
    }

    /** Executor JVMs running now: children of the Worker processes. */
    List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        for (ChildJvm w : workers) w.process.children().forEach(out::add);
        return out;
    }

    /** Starts {@code tconv <args>} through SparkSubmit (what spark-submit runs), the driver in its own JVM. */
    ChildJvm submit(String name, List<String> tconvArgs) throws IOException {
        return submit(name, List.of(), tconvArgs);
    }

    /**
     * As {@link #submit(String, List)}, with extra spark-submit options before the jar. Every application
     * writes a Spark event log to {@link #EVENTS}, which the tests read for task placement and retries.
     */
    ChildJvm submit(String name, List<String> sparkSubmitOptions, List<String> tconvArgs) throws IOException {
        return submit(name, List.of(), sparkSubmitOptions, tconvArgs);
    }

    /** As {@link #submit(String, List, List)}, with extra options for the driver's JVM (client mode: SparkSubmit's own). */
    ChildJvm submit(String name, List<String> driverJvmOptions, List<String> sparkSubmitOptions, List<String> tconvArgs) throws IOException {
        Files.createDirectories(EVENTS);
        // The shipped conf/spark-defaults.conf (module flags, committer, serializer); only sizes for this small cluster differ.
        List<String> args = new ArrayList<>(List.of("--master", url, "--deploy-mode", "client", "--class", "org.tconv.cli.Main",
                "--properties-file", TestFiles.home().resolve("conf/spark-defaults.conf").toString(),
                "--conf", "spark.executor.memory=1g",
                "--conf", "spark.driver.memory=1g",
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.eventLog.enabled=true",
                "--conf", "spark.eventLog.dir=" + EVENTS.toUri(),
                "--conf", "spark.eventLog.compress=false",
                // start tasks only once both executors are up, so "work is spread" is a property of tconv, not of timing
                "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0"));
        args.addAll(sparkSubmitOptions);
        args.add(System.getProperty("tconv.jar"));
        args.addAll(tconvArgs);
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
        jvm.addAll(driverJvmOptions);
        return ChildJvm.start(name, "org.apache.spark.deploy.SparkSubmit", jvm, args, env());
    }

    /** The application id a driver got from the Master, from its log; null until it connected. */
    static String appId(ChildJvm driver) throws IOException {
        Matcher m = Pattern.compile("Connected to Spark cluster with app ID (app-[0-9-]+)").matcher(driver.output());
        return m.find() ? m.group(1) : null;
    }

    /** The driver's event log, once the driver has ended (or was killed). */
    static EventLog eventLog(ChildJvm driver) throws IOException {
        String app = appId(driver);
        if (app == null) throw new AssertionError("driver never connected to the Master; " + logs(driver));
        return EventLog.read(EVENTS, app);
    }

    /** The stderr file of each executor worker {@code w} ran for {@code appId} (the Worker's work dir layout). */
    List<Path> executorLogs(int w, String appId) throws IOException {
        Path dir = workDir(w).resolve(appId);
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.map(d -> d.resolve("stderr")).filter(Files::exists).sorted().collect(java.util.stream.Collectors.toList());
        }
    }

    static Path workDir(int w) {
        return TestFiles.home().resolve("target/spark-work/worker-" + w);
    }

    /** Where to look when a test fails: the driver's log, the cluster's logs, the executors' stderr. */
    static String logs(ChildJvm driver) {
        return "driver log " + driver.log + "; Master and Worker logs in " + ChildJvm.LOGS + "; executor logs in "
                + TestFiles.home().resolve("target/spark-work") + "/worker-N/<app id>/<executor id>/stderr; event logs in " + EVENTS;
    }

    @Override
    public void close() {
        for (ChildJvm w : workers) w.close();
        master.close();
    }
}
