package org.tconv.job;

import java.util.Locale;

/**
 * The one line a person watching a run reads: tasks done of those started, images written, images/s and
 * the time left at the rate so far. Counting and wording only (no Spark, no clock of its own), so the
 * line for any sequence of events is tested directly; {@link JobProgress} feeds it Spark's events.
 */
public final class ProgressLine {
    private long tasksTotal, tasksDone, images;
    /** Inputs the job listed before its first task, or -1 before the listing is known. */
    private long listed = -1;
    private final long startNanos;

    public ProgressLine(long startNanos) {
        this.startNanos = startNanos;
    }

    /** The job listed {@code inputs} inputs (files and shards): known when its first Spark job starts. */
    public synchronized void listed(long inputs) {
        listed = inputs;
    }

    public synchronized void stageSubmitted(int tasks) {
        tasksTotal += tasks;
    }

    /** A finished task and the images it wrote (the job's {@code items} accumulator's update). */
    public synchronized void taskEnded(long imagesWritten) {
        tasksDone++;
        images += imagesWritten;
    }

    public synchronized String line(long nowNanos) {
        double s = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        StringBuilder b = new StringBuilder("tconv: ");
        if (listed >= 0) b.append(listed).append(" input(s) listed, ");
        b.append(String.format(Locale.ROOT, "%d/%d task(s), %d image(s)", tasksDone, tasksTotal, images));
        if (images > 0) b.append(String.format(Locale.ROOT, ", %.1f images/s", images / s));
        if (tasksDone > 0 && tasksDone < tasksTotal) {
            b.append(String.format(Locale.ROOT, ", ETA %.0f s", s * (tasksTotal - tasksDone) / tasksDone));
        }
        b.append(String.format(Locale.ROOT, ", %.0f s", s));
        return b.toString();
    }
}
