package org.tconv.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a command's wall time goes, for {@code TCONV_TIMING=1}: seconds since the JVM started at each
 * phase's end, and the classes loaded by then (class loading is most of a cold start). Measured, not
 * guessed, so that start-up work can be cut where it is.
 */
public final class StartupClock {
    private static final List<String> MARKS = new ArrayList<>();
    private static double last;

    private StartupClock() {}

    public static synchronized void mark(String phase) {
        double now = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        long classes = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        MARKS.add(String.format(Locale.ROOT, "%s %.2f s (%d classes)", phase, now - last, classes));
        last = now;
    }

    /**
     * Seconds the person has waited so far: since {@code bin/tconv} started ({@code -Dtconv.launched.ms}),
     * else since this JVM started (spark-submit, tests).
     */
    public static double wallSeconds() {
        String launched = System.getProperty("tconv.launched.ms");
        if (launched != null) {
            try {
                return (System.currentTimeMillis() - Long.parseLong(launched)) / 1000.0;
            } catch (NumberFormatException e) {
                // fall through to the JVM's own clock
            }
        }
        return ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
    }

    public static boolean enabled() {
        String v = System.getenv("TCONV_TIMING");
        return v != null && !v.isEmpty() && !v.equals("0");
    }

    /** One line on stderr: the phases in order, each with its own seconds. */
    public static synchronized void print(PrintStream err) {
        if (!enabled() || MARKS.isEmpty()) return;
        double cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9 : Double.NaN;
        err.println("tconv: timing: " + String.join(", ", MARKS) + String.format(Locale.ROOT, "; cpu %.1f s", cpu));
    }
}
