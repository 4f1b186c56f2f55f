package org.tconv.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.tconv.testing.TestFiles;

/**
 * A Java process the cluster tests start, with its output in target/cluster-logs, killed with all it started.
 * Every one still running when the test JVM exits (a test that never reached its cleanup, failsafe's
 * timeout, Ctrl-C) is killed by a shutdown hook, so no Master, Worker, executor or driver outlives the build.
 */
final class ChildJvm implements AutoCloseable {
    static final Path LOGS = TestFiles.home().resolve("target/cluster-logs");
    private static final Set<ChildJvm> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ChildJvm::kill), "kill-cluster-test-processes"));
    }

    final String name;
    final Process process;
    final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** The module flags Spark needs, as this test JVM got them from the build (failsafe's argLine). */
    static List<String> sparkJvmFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-modules") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                        || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty"))
                .collect(Collectors.toList());
    }

    static String runtimeClasspath() throws IOException {
        return Files.readString(TestFiles.home().resolve("target/tconv.classpath")).trim();
    }

    static ChildJvm start(String name, String mainClass, List<String> jvmArgs, List<String> args, Map<String, String> env)
            throws IOException {
        Files.createDirectories(LOGS);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(sparkJvmFlags());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(runtimeClasspath());
        cmd.add(mainClass);
        cmd.addAll(args);
        Path log = LOGS.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().putAll(env);
        ChildJvm jvm = new ChildJvm(name, pb.start(), log);
        RUNNING.add(jvm);
        return jvm;
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    int waitFor(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            close();
            throw new AssertionError(name + " did not finish in " + seconds + " s; log: " + log);
        }
        return process.exitValue();
    }

    /** Kills the process and everything it started (a Worker's executors), without waiting for them to clean up. */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() {
        kill();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(this);
    }
}
