package org.tconv.timing;

import java.util.Iterator;

/**
 * Where a task's time goes, counted on the task's own thread at a few cheap points (two {@code nanoTime}
 * calls each): the bench's split of a job into read, decode, product, encode, write and commit
 * ({@code org.tconv.job.JobStages} sums the counters over tasks through Spark accumulators). In Spark a
 * task is one thread pulling its rows through the chain read -> decode -> product -> write, so the time
 * spent inside an iterator includes the time of the iterators it pulls from; {@link Counter}s that nest say
 * so, and the stages are differences of them.
 */
public final class StageClock {
    private StageClock() {}

    /** What is counted; INPUT and RESULT include what they pull from. */
    public enum Counter {
        /** Reading an input file's bytes (a loose file read whole before it is decoded). */
        READ,
        /** Inside the decoded inputs' iterator: reading and decoding (READ included). */
        INPUT,
        /** Inside the results' iterator: the product and everything before it (INPUT included). */
        RESULT,
        /** Inside an output file's write/flush/close calls on the local file system. */
        WRITE,
        /** Renames on the local file system: the output committer moving files into place. */
        COMMIT,
        /** The task from its first row pulled to its end, its commit included. */
        TASK
    }

    private static final ThreadLocal<long[]> NANOS = ThreadLocal.withInitial(() -> new long[Counter.values().length]);

    public static void add(Counter c, long startNanos) {
        NANOS.get()[c.ordinal()] += System.nanoTime() - startNanos;
    }

    /** This thread's counters, then zeroed: a thread runs one task after another. */
    public static long[] take() {
        long[] n = NANOS.get();
        long[] copy = n.clone();
        java.util.Arrays.fill(n, 0);
        return copy;
    }

    /** This thread's counters, left as they are. */
    public static long get(Counter c) {
        return NANOS.get()[c.ordinal()];
    }

    /** The time spent inside {@code it}'s hasNext and next, counted under {@code c}. */
    public static <T> Iterator<T> timed(Iterator<T> it, Counter c) {
        return new Iterator<T>() {
            @Override
            public boolean hasNext() {
                long t0 = System.nanoTime();
                try {
                    return it.hasNext();
                } finally {
                    add(c, t0);
                }
            }

            @Override
            public T next() {
                long t0 = System.nanoTime();
                try {
                    return it.next();
                } finally {
                    add(c, t0);
                }
            }
        };
    }

    /** Set while a timed write runs on this thread: a timed stream below another is not counted twice. */
    private static final ThreadLocal<boolean[]> IN_WRITE = ThreadLocal.withInitial(() -> new boolean[1]);

    private interface Write {
        void run() throws java.io.IOException;
    }

    private static void timedWrite(Write w) throws java.io.IOException {
        boolean[] in = IN_WRITE.get();
        if (in[0]) {
            w.run();
            return;
        }
        in[0] = true;
        long t0 = System.nanoTime();
        try {
            w.run();
        } finally {
            in[0] = false;
            add(Counter.WRITE, t0);
        }
    }

    /**
     * An output stream whose write, flush and close calls are counted under {@link Counter#WRITE}, once
     * where such streams wrap each other (tconv's writer over the local file system's stream).
     */
    public static java.io.OutputStream timedWrites(java.io.OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(int b) throws java.io.IOException {
                timedWrite(() -> out.write(b));
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                timedWrite(() -> out.write(b, off, len));
            }

            @Override
            public void flush() throws java.io.IOException {
                timedWrite(out::flush);
            }

            @Override
            public void close() throws java.io.IOException {
                timedWrite(out::close);
            }
        };
    }
}
