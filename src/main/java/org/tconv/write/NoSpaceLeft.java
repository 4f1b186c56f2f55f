package org.tconv.write;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A write that failed because the output's device is full: Spark, Hadoop (whose local file system throws an
 * {@code FSError}) and the JDK each wrap the {@code IOException: No space left on device} in their own
 * exceptions, so the cause chain is searched, and the failure is told as one line that names the output.
 */
public final class NoSpaceLeft extends IOException {
    private static final long serialVersionUID = 1L;

    private NoSpaceLeft(String message, Throwable cause) {
        super(message, cause);
    }

    /** What the operating system says (Linux, macOS) when a device or a quota is full. */
    private static final String[] SIGNS = {"No space left on device", "ENOSPC", "Disk quota exceeded"};

    /** Whether {@code t}, its causes or their suppressed exceptions tell of a full device. */
    public static boolean in(Throwable t) {
        return find(t, new IdentityHashMap<>()) != null;
    }

    private static Throwable find(Throwable t, Map<Throwable, Boolean> seen) {
        if (t == null || seen.put(t, true) != null) return null;
        String m = t.getMessage();
        if (m != null) for (String s : SIGNS) if (m.contains(s)) return t;
        for (Throwable s : t.getSuppressed()) {
            Throwable f = find(s, seen);
            if (f != null) return f;
        }
        return find(t.getCause(), seen);
    }

    /**
     * The failure as the user reads it: which output, that its device is full, and what is left.
     *
     * @param left what the failed write left, e.g. "nothing was committed" or "the earlier output is unchanged"
     */
    public static NoSpaceLeft at(String output, String left, Throwable cause) {
        return new NoSpaceLeft("no space left on the device of --output " + output + "; " + left + ": free space and run again", cause);
    }
}
