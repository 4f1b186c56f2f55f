package org.tconv.bench;

import java.util.Locale;

import org.tconv.job.JobStages;
import org.tconv.timing.StageClock.Counter;

/**
 * One file-to-file job's seconds split into list, read, decode, product, encode, write and commit, adding up
 * to the job's own seconds (the run's summary's "in X s").
 * <ul>
 * <li>list: on the driver, everything before the write job starts and between it and the commit: listing the
 * input, checking output names, preparing the output;</li>
 * <li>read ... write: the write job's wall time (less the driver's renames in it), shared out in proportion to
 * the task timers summed over every task (so idle cores and scheduling are spread over the stages);</li>
 * <li>commit: the renames of the committer (the tasks' share, scaled as the others, and the driver's) and
 * tconv's own commit ({@code _rejected.csv}, {@code _SUCCESS}).</li>
 * </ul>
 * In a task, read is reading a file's bytes whole (a Parquet table: Spark's reader; a shard's members are
 * read by the decoding iterator and so count as decode), decode the rest of getting decoded inputs, product
 * what the results' iterator adds to that (the product, unpack and the row objects), write the local file
 * system's write/flush/close calls, commit its renames, and encode the rest of the task: turning results
 * into file bytes (npy) or rows and Parquet pages, and what Spark does around them. The split is
 * meaningful for the toeplitz method, whose stages run in one pipelined task; it is printed for what the
 * bench runs (toeplitz).
 */
public final class JobSplit {
    public static final String[] STAGES = {"list", "read", "decode", "product", "encode", "write", "commit"};

    /** Seconds per stage, in {@link #STAGES}' order. */
    public final double[] seconds = new double[STAGES.length];
    public final double jobSeconds;
    /** The task timers' sum over (cores x the write job's wall): how busy the cores were during it. */
    public final double busy;

    public JobSplit(double jobSeconds, JobStages.Times t, int cores) {
        this.jobSeconds = jobSeconds;
        double read = t.taskSeconds(Counter.READ);
        double decode = Math.max(0, t.taskSeconds(Counter.INPUT) - read);
        double product = Math.max(0, t.taskSeconds(Counter.RESULT) - t.taskSeconds(Counter.INPUT));
        double write = t.taskSeconds(Counter.WRITE);
        double taskCommit = t.taskSeconds(Counter.COMMIT);
        double encode = Math.max(0, t.taskSeconds(Counter.TASK) - t.taskSeconds(Counter.RESULT) - write - taskCommit);
        double sum = read + decode + product + encode + write + taskCommit;
        double scale = sum > 0 ? t.sparkSeconds / sum : 0;
        seconds[0] = t.listSeconds;
        seconds[1] = read * scale;
        seconds[2] = decode * scale;
        seconds[3] = product * scale;
        seconds[4] = encode * scale;
        seconds[5] = write * scale;
        seconds[6] = taskCommit * scale + t.driverCommitSeconds;
        if (sum == 0) seconds[0] += t.sparkSeconds; // no task timed anything (nothing to do): all of it is the driver's
        busy = t.sparkSeconds > 0 ? sum / (cores * t.sparkSeconds) : Double.NaN;
    }

    public double total() {
        double s = 0;
        for (double v : seconds) s += v;
        return s;
    }

    public double stage(String name) {
        for (int i = 0; i < STAGES.length; i++) if (STAGES[i].equals(name)) return seconds[i];
        throw new IllegalArgumentException(name);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < STAGES.length; i++) b.append(i == 0 ? "" : ", ").append(STAGES[i]).append(String.format(Locale.ROOT, " %.3f", seconds[i]));
        return b.toString();
    }
}
