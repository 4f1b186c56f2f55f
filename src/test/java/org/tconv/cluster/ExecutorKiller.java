package org.tconv.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kills an executor JVM with SIGKILL every few seconds while a driver's job runs: after a pause drawn
 * from [{@code minMs}, {@code maxMs}], the executor of the next worker in turn that is running a task (its
 * stderr shows more started than finished tasks) and has finished one before, the other worker's when
 * that one is not. A new executor is thus left its first task: killed sooner, a JVM that needs longer to
 * start and warm up than the pause would never finish a task, and no job could end. Executors are
 * found as the Worker processes' children and named by the {@code --executor-id} of their command line;
 * the Workers start new ones, which are killed in their turn.
 */
final class ExecutorKiller implements AutoCloseable {
    /** One kill: when (ms after the killer started), which executor, and the task it was running. */
    record Kill(long atMs, int worker, long pid, String executorId, int finished, String task) {
        @Override
        public String toString() {
            return String.format("%.1f s: worker %d executor %s (pid %d) after %d finished task(s), running %s", atMs / 1e3, worker,
                    executorId, pid, finished, task);
        }
    }

    private static final Pattern RUNNING = Pattern.compile("Running task ([0-9.]+ in stage [0-9.]+ \\(TID \\d+\\))");
    private static final Pattern FINISHED = Pattern.compile("Finished task ");

    private final StandaloneCluster cluster;
    private final ChildJvm driver;
    private final Random random;
    private final long minMs, maxMs;
    private final List<Kill> kills = new ArrayList<>();
    private final Thread thread;
    private final long start = System.currentTimeMillis();
    private volatile boolean stop;

    ExecutorKiller(StandaloneCluster cluster, ChildJvm driver, long minMs, long maxMs, long seed) {
        this.cluster = cluster;
        this.driver = driver;
        this.minMs = minMs;
        this.maxMs = maxMs;
        this.random = new Random(seed);
        thread = new Thread(this::loop, "executor-killer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        int next = 0;
        try {
            while (!stop && driver.process.isAlive()) {
                Thread.sleep(minMs + (long) (random.nextDouble() * (maxMs - minMs)));
                // wait for an executor that is running a task (a new one needs a few seconds to register)
                Kill k = null;
                while (k == null && !stop && driver.process.isAlive()) {
                    String app = StandaloneCluster.appId(driver);
                    for (int i = 0; i < cluster.workers.size() && k == null && app != null; i++) {
                        k = killIfBusy((next + i) % cluster.workers.size(), app);
                    }
                    if (k == null) Thread.sleep(50);
                }
                if (k != null) {
                    synchronized (kills) {
                        kills.add(k);
                    }
                    next = (k.worker + 1) % cluster.workers.size();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Kill killIfBusy(int w, String app) throws IOException {
        for (ProcessHandle executor : cluster.workers.get(w).process.children().toList()) {
            Optional<String> id = executorId(executor.pid());
            if (id.isEmpty()) continue;
            Path log = StandaloneCluster.workDir(w).resolve(app).resolve(id.get()).resolve("stderr");
            if (!Files.exists(log)) continue;
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            int started = count(RUNNING, text), done = count(FINISHED, text);
            if (done >= 1 && started > done && executor.isAlive()) {
                Matcher m = RUNNING.matcher(text);
                String task = "";
                while (m.find()) task = m.group(1);
                executor.destroyForcibly(); // SIGKILL
                return new Kill(System.currentTimeMillis() - start, w, executor.pid(), id.get(), done, task);
            }
        }
        return null;
    }

    /** The {@code --executor-id} argument of a process's command line ({@code /proc/<pid>/cmdline}), if it has one. */
    private static Optional<String> executorId(long pid) {
        try {
            String[] args = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).split("\0");
            for (int i = 0; i + 1 < args.length; i++) if (args[i].equals("--executor-id")) return Optional.of(args[i + 1]);
        } catch (IOException gone) {
            // ended meanwhile
        }
        return Optional.empty();
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    List<Kill> kills() {
        synchronized (kills) {
            return List.copyOf(kills);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
