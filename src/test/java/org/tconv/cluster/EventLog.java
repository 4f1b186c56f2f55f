package org.tconv.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the driver recorded about one application in its Spark event log (spark.eventLog.enabled, one JSON
 * event per line): which executor ran each task, which task attempts failed and why, and which tasks and
 * stages were run again. The tests read it to prove that work was spread and to count retries.
 */
final class EventLog {
    /** A task attempt that did not succeed. */
    record Failure(int stage, int stageAttempt, int index, int attempt, String executor, String reason) {
        @Override
        public String toString() {
            return "stage " + stage + "." + stageAttempt + " task " + index + " attempt " + attempt + " on executor " + executor + ": " + reason;
        }
    }

    final String appId;
    final Path file;
    /** Successful task attempts per executor id. */
    final Map<String, Integer> succeededByExecutor = new TreeMap<>();
    /** Successful task attempts per stage id, per executor id. */
    final Map<Integer, Map<String, Integer>> succeededByStage = new TreeMap<>();
    final List<Failure> failures = new ArrayList<>();
    /** Task attempts with an attempt number above 0: tasks launched again after a failure. */
    int relaunchedTasks;
    /** Stage attempts above 0: stages resubmitted (e.g. their shuffle input was on the lost executor). */
    int resubmittedStages;
    /** Speculative copies launched (Task Info "Speculative"). */
    int speculativeTasks;
    /** The highest attempt number any task reached (0: every task ran once). */
    int maxAttempt;
    final List<String> removedExecutors = new ArrayList<>();

    private EventLog(String appId, Path file) {
        this.appId = appId;
        this.file = file;
    }

    /**
     * The log of {@code appId} in {@code dir}: Spark 4's rolling layout ({@code eventlog_v2_<app>/events_<n>_<app>},
     * the default) or a single file ({@code <app>}, {@code <app>.inprogress} while running or after a kill).
     */
    static EventLog read(Path dir, String appId) throws IOException {
        List<Path> parts = new ArrayList<>();
        Path rolling = dir.resolve("eventlog_v2_" + appId);
        if (Files.isDirectory(rolling)) {
            try (var s = Files.list(rolling)) {
                s.filter(p -> p.getFileName().toString().startsWith("events_"))
                        .sorted(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().split("_")[1])))
                        .forEach(parts::add);
            }
        } else {
            for (String name : List.of(appId, appId + ".inprogress")) {
                if (Files.exists(dir.resolve(name))) parts.add(dir.resolve(name));
            }
        }
        if (parts.isEmpty()) throw new AssertionError("no event log for " + appId + " in " + dir);
        EventLog log = new EventLog(appId, parts.get(0));
        List<String> lines = new ArrayList<>();
        for (Path p : parts) lines.addAll(Files.readAllLines(p));
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            if (line.isBlank()) continue;
            JsonNode e;
            try {
                e = json.readTree(line);
            } catch (IOException partialLastLine) {
                continue; // a killed driver may leave half a line
            }
            switch (e.path("Event").asText()) {
                case "SparkListenerTaskStart" -> {
                    JsonNode info = e.path("Task Info");
                    if (info.path("Attempt").asInt() > 0) log.relaunchedTasks++;
                    if (info.path("Speculative").asBoolean()) log.speculativeTasks++;
                    log.maxAttempt = Math.max(log.maxAttempt, info.path("Attempt").asInt());
                }
                case "SparkListenerTaskEnd" -> {
                    JsonNode info = e.path("Task Info");
                    String executor = info.path("Executor ID").asText();
                    String reason = e.path("Task End Reason").path("Reason").asText();
                    if (reason.equals("Success")) {
                        log.succeededByExecutor.merge(executor, 1, Integer::sum);
                        log.succeededByStage.computeIfAbsent(e.path("Stage ID").asInt(), s -> new TreeMap<>()).merge(executor, 1, Integer::sum);
                    } else {
                        JsonNode r = e.path("Task End Reason");
                        String detail = r.has("Loss Reason") ? reason + " (" + r.path("Loss Reason").asText() + ")" : reason;
                        log.failures.add(new Failure(e.path("Stage ID").asInt(), e.path("Stage Attempt ID").asInt(),
                                info.path("Index").asInt(), info.path("Attempt").asInt(), executor, detail));
                    }
                }
                case "SparkListenerStageSubmitted" -> {
                    if (e.path("Stage Info").path("Stage Attempt ID").asInt() > 0) log.resubmittedStages++;
                }
                case "SparkListenerExecutorRemoved" ->
                        log.removedExecutors.add(e.path("Executor ID").asText() + " (" + e.path("Removed Reason").asText() + ")");
                default -> { }
            }
        }
        return log;
    }

    /** One line for the test output and the report. */
    String summary() {
        return String.format("%s: successful tasks by executor %s; %d failed task attempt(s)%s; %d task(s) relaunched; "
                        + "%d stage(s) resubmitted; executors removed: %s",
                appId, succeededByExecutor, failures.size(), failures.isEmpty() ? "" : " " + failures, relaunchedTasks,
                resubmittedStages, removedExecutors.isEmpty() ? "none" : removedExecutors);
    }
}
