package org.tconv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** One line naming the machine a bench ran on, for the report: CPU, cores, JVM, heap. */
public final class Machine {
    private Machine() {}

    public static String describe(int sparkCores) {
        return String.format(Locale.ROOT, "%s, %d CPU(s), Spark on %d core(s), Java %s, max heap %.1f GB",
                cpu(), Runtime.getRuntime().availableProcessors(), sparkCores, System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() / (double) (1L << 30));
    }

    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture is all we know
        }
        return System.getProperty("os.arch");
    }
}
