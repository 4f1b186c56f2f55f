package org.tconv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whole {@code bin/tconv run} commands timed from outside, one new JVM each: what a person waits for, not
 * what a warm Spark does. Each command runs once untimed first (the launcher builds the jar or dumps its
 * class-data archive on a first run; that is not the latency a person meets every time), then
 * {@code runs} times, each into a new output directory of its own under {@code scratch}. The child runs
 * with {@code TCONV_TIMING=1}, so each run's seconds per phase come back from its own clock.
 */
public final class LatencyBench {
    /** One command to time: a name for the table, the images it convolves, and its arguments after {@code run}. */
    public static final class Command {
        public final String name;
        public final long images;
        final List<String> args;

        public Command(String name, long images, List<String> args) {
            this.name = name;
            this.images = images;
            this.args = List.copyOf(args);
        }
    }

    private final Path launcher;
    private final Path scratch;
    private final int runs;

    /** {@code scratch} must be a new or empty directory: the outputs go below it and are left there. */
    public LatencyBench(Path launcher, Path scratch, int runs) {
        if (runs < 1) throw new IllegalArgumentException("--runs must be positive, got " + runs);
        this.launcher = launcher;
        this.scratch = scratch;
        this.runs = runs;
    }

    /**
     * The standard pair: the sample photos as {@code bin/tconv run} with no options reads them (parquet), and
     * W5, the seed's 5x5 example, written once as {@code .npy} files below the scratch directory.
     */
    public static List<Command> standard(Path scratch) throws IOException {
        Path w5 = scratch.resolve("w5-data");
        Shards.write(Workload.W5, w5, 1);
        List<Command> c = new ArrayList<>();
        c.add(new Command("photos", 3, List.of()));
        c.add(new Command("W5", Workload.W5.images, List.of("--input", w5.resolve("images").toString(),
                "--weights", w5.resolve("weights.npy").toString(), "--padding", "valid")));
        return c;
    }

    public LatencyResult time(Command c) throws IOException, InterruptedException {
        run(c, "warm", null);
        List<Double> wall = new ArrayList<>();
        List<Map<String, Double>> phases = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Map<String, Double> p = new LinkedHashMap<>();
            wall.add(run(c, Integer.toString(i), p));
            phases.add(p);
        }
        return new LatencyResult(c.name, c.images, wall, phases);
    }

    /** Seconds from starting the launcher to its exit; a failed run is an error naming its last line. */
    private double run(Command c, String tag, Map<String, Double> phases) throws IOException, InterruptedException {
        Path out = scratch.resolve(c.name + "-out-" + tag);
        Path log = scratch.resolve(c.name + "-" + tag + ".stderr");
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "run"));
        cmd.addAll(c.args);
        cmd.addAll(List.of("--output", out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile());
        pb.environment().put("TCONV_TIMING", "1");
        long t0 = System.nanoTime();
        int status = pb.start().waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String err = Files.readString(log, StandardCharsets.UTF_8);
        if (status != 0) {
            String[] lines = err.strip().split("\n");
            throw new IllegalStateException("bin/tconv run (" + c.name + ") exited " + status + ": " + lines[lines.length - 1]);
        }
        if (phases != null) phases.putAll(phases(err));
        return seconds;
    }

    private static final Pattern PHASE = Pattern.compile("(\\w+) (\\d+(?:\\.\\d+)?) s \\(\\d+ classes\\)");
    private static final Pattern CPU = Pattern.compile("; cpu (\\d+(?:\\.\\d+)?) s");

    /** The phases of a {@code tconv: timing: ...} line (StartupClock's), with {@code cpu}; empty without one. */
    static Map<String, Double> phases(String stderr) {
        Map<String, Double> p = new LinkedHashMap<>();
        for (String line : stderr.split("\n")) {
            if (!line.startsWith("tconv: timing: ")) continue;
            Matcher m = PHASE.matcher(line);
            while (m.find()) p.put(m.group(1), Double.parseDouble(m.group(2)));
            Matcher cpu = CPU.matcher(line);
            if (cpu.find()) p.put("cpu", Double.parseDouble(cpu.group(1)));
        }
        return p;
    }
}
