package org.tconv.job;

import java.io.Serializable;
import java.util.Iterator;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.tconv.timing.StageClock;
import org.tconv.timing.StageClock.Counter;

/**
 * The job's stage timers: each task's {@link StageClock} counters, added to one Spark accumulator per
 * counter when the task ends, so they are summed over every task the job ran. Costs two nanoTime calls per
 * row, file write and rename; the bench reads them ({@link JobResult#stages}) to split a job's time.
 */
public final class JobStages implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The task attempt whose counters this thread holds: a task is begun once, by whichever wrap comes first. */
    private static final ThreadLocal<Long> BEGUN = ThreadLocal.withInitial(() -> -1L);

    private final LongAccumulator[] sums = new LongAccumulator[Counter.values().length];

    JobStages(JavaSparkContext sc) {
        for (Counter c : Counter.values()) sums[c.ordinal()] = sc.sc().longAccumulator("tconv.stage." + c.name().toLowerCase());
    }

    /** Decoded inputs of this task, counted as INPUT. */
    <T> Iterator<T> input(Iterator<T> it) {
        begin();
        return StageClock.timed(it, Counter.INPUT);
    }

    /** Rows a reader gives this task (a Parquet table's), counted as READ. */
    <T> Iterator<T> read(Iterator<T> it) {
        begin();
        return StageClock.timed(it, Counter.READ);
    }

    /** Results of this task, counted as RESULT. */
    <T> Iterator<T> result(Iterator<T> it) {
        begin();
        return StageClock.timed(it, Counter.RESULT);
    }

    private void begin() {
        TaskContext tc = TaskContext.get();
        if (tc == null || BEGUN.get() == tc.taskAttemptId()) return;
        BEGUN.set(tc.taskAttemptId());
        StageClock.take(); // whatever an earlier task on this thread left
        long t0 = System.nanoTime();
        tc.addTaskCompletionListener((TaskContext done) -> {
            StageClock.add(Counter.TASK, t0);
            long[] n = StageClock.take();
            for (Counter c : Counter.values()) sums[c.ordinal()].add(n[c.ordinal()]);
        });
    }

    /** The tasks' counters summed, nanoseconds, indexed by {@link Counter#ordinal}. */
    long[] taskNanos() {
        long[] n = new long[sums.length];
        for (int i = 0; i < n.length; i++) n[i] = sums[i].value();
        return n;
    }

    /**
     * A finished job's timers: on the driver, the time before the write job started (listing, name checks,
     * the output prepared: {@code listSeconds}), the write job itself ({@code sparkSeconds}, less the renames
     * the driver made in it), the driver's commit (those renames and {@link org.tconv.write.PendingOutput#commit});
     * in the tasks, the counters summed over every task.
     */
    public static final class Times implements Serializable {
        private static final long serialVersionUID = 1L;
        public final double listSeconds, sparkSeconds, driverCommitSeconds;
        private final long[] taskNanos;

        Times(double listSeconds, double sparkSeconds, double driverCommitSeconds, long[] taskNanos) {
            this.listSeconds = listSeconds;
            this.sparkSeconds = sparkSeconds;
            this.driverCommitSeconds = driverCommitSeconds;
            this.taskNanos = taskNanos.clone();
        }

        /** A counter summed over the tasks, seconds. */
        public double taskSeconds(Counter c) {
            return taskNanos[c.ordinal()] / 1e9;
        }
    }
}
