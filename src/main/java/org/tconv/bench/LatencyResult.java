package org.tconv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The timed runs of one whole command ({@link LatencyBench}): wall seconds per run, and per run the seconds
 * of each phase the command's own clock reported (jvm, options, session, job, stop, cpu).
 */
public final class LatencyResult {
    /** The phases of {@code TCONV_TIMING}, in the order a run goes through them. */
    public static final List<String> PHASES = List.of("jvm", "options", "session", "job", "stop");

    public final String name;
    public final long images;
    public final List<Double> wall;
    private final List<Map<String, Double>> phases;

    LatencyResult(String name, long images, List<Double> wall, List<Map<String, Double>> phases) {
        this.name = name;
        this.images = images;
        this.wall = List.copyOf(wall);
        this.phases = List.copyOf(phases);
    }

    public double wallSeconds() { return BenchResult.median(wall); }

    public double imagesPerSecond() { return images / wallSeconds(); }

    /** The median of a phase over the runs that reported it; NaN when none did. */
    public double phaseSeconds(String phase) {
        List<Double> v = new ArrayList<>();
        for (Map<String, Double> p : phases) if (p.containsKey(phase)) v.add(p.get(phase));
        return BenchResult.median(v);
    }

    /**
     * Wall time the JVM's own clock does not see: the launcher before {@code java} starts (its checks, the
     * JVM's creation up to the uptime clock) and after the JVM ends. Median over the runs of wall minus the
     * phases.
     */
    public double launcherSeconds() {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < wall.size(); i++) {
            Map<String, Double> p = phases.get(i);
            if (!p.keySet().containsAll(PHASES)) continue;
            double inside = 0;
            for (String ph : PHASES) inside += p.get(ph);
            v.add(wall.get(i) - inside);
        }
        return BenchResult.median(v);
    }
}
