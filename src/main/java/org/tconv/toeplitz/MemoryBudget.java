package org.tconv.toeplitz;

import java.util.Locale;

/** Estimate before allocating: a matrix that would not fit is refused with the figure, not an OutOfMemoryError. */
public final class MemoryBudget {
    private MemoryBudget() {}

    /** Share of this JVM's maximum heap that one cached matrix may take. */
    public static final double MATRIX_SHARE = 0.4;

    public static long available() {
        return (long) (Runtime.getRuntime().maxMemory() * MATRIX_SHARE);
    }

    /** @throws MatrixTooLargeException when {@code bytes} exceeds {@link #available()} */
    public static void check(String what, long bytes) {
        long limit = available();
        if (bytes > limit) {
            throw new MatrixTooLargeException(String.format(Locale.ROOT,
                    "%s needs %s but this JVM allows %s (%.0f%% of -Xmx %s); use --method blockmatrix or more memory",
                    what, format(bytes), format(limit), MATRIX_SHARE * 100, format(Runtime.getRuntime().maxMemory())));
        }
    }

    public static String format(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }

    public static final class MatrixTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public MatrixTooLargeException(String message) {
            super(message, null, false, false);
        }
    }
}
