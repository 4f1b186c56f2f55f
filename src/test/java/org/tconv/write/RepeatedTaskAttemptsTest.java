package org.tconv.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.JobID;
import org.apache.hadoop.mapreduce.OutputCommitter;
import org.apache.hadoop.mapreduce.RecordWriter;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.task.JobContextImpl;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several attempts of one task writing named files, as Spark makes them when an executor dies or a task is
 * speculated, through tconv's committer (names with a colon included): only the attempt Spark's commit
 * coordinator let commit reaches the output, whole, once. An attempt killed halfway, a speculative copy
 * denied its commit, and an attempt that committed before its executor died and was replaced by another
 * that committed too, each leave nothing of their own behind. The cluster soak test
 * (ExecutorKillSoakIT) shows the first case end to end; a single-host cluster never speculates.
 */
class RepeatedTaskAttemptsTest {
    @TempDir
    Path tmp;

    private Configuration conf(Path out) {
        Configuration c = PendingOutput.writerConf(new Configuration()); // as the job: _SUCCESS is tconv's, after _rejected.csv
        c.set(FileOutputFormat.OUTDIR, out.toUri().toString());
        c.setInt("mapreduce.fileoutputcommitter.algorithm.version", 1);
        return c;
    }

    private static final JobID JOB = new JobID("20261208", 7);

    /** A task attempt: its own format instance (Spark makes one per task) and context. */
    private record Attempt(TaskAttemptContext ctx, NamedFilesOutputFormat format, OutputCommitter committer) {}

    private Attempt attempt(Configuration c, int task, int number) throws Exception {
        TaskAttemptContext ctx = new TaskAttemptContextImpl(c, new TaskAttemptID(JOB.getJtIdentifier(), JOB.getId(), TaskType.REDUCE, task, number));
        NamedFilesOutputFormat f = new NamedFilesOutputFormat();
        OutputCommitter committer = f.getOutputCommitter(ctx);
        committer.setupTask(ctx);
        return new Attempt(ctx, f, committer);
    }

    private static void write(Attempt a, Map<String, String> files) throws Exception {
        RecordWriter<Text, OutputFile> w = a.format.getRecordWriter(a.ctx);
        for (Map.Entry<String, String> e : files.entrySet()) w.write(new Text(e.getKey()), OutputFile.bytes(e.getValue().getBytes(StandardCharsets.UTF_8)));
        w.close(a.ctx);
    }

    private static void commit(Attempt a) throws Exception {
        if (a.committer.needsTaskCommit(a.ctx)) a.committer.commitTask(a.ctx);
    }

    /** Sets up the job, runs {@code tasks}, commits the job as the driver does, returns every file left under the output. */
    private Map<String, String> job(Path out, Configuration c, TaskScript tasks) throws Exception {
        JobContext job = new JobContextImpl(c, JOB);
        OutputCommitter driver = new NamedFilesOutputFormat().getOutputCommitter(
                new TaskAttemptContextImpl(c, new TaskAttemptID(JOB.getJtIdentifier(), JOB.getId(), TaskType.JOB_SETUP, 0, 0)));
        driver.setupJob(job);
        tasks.run(c);
        driver.commitJob(job);
        Map<String, String> left = new TreeMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) left.put(out.relativize(p).toString(), Files.readString(p));
        }
        return left;
    }

    interface TaskScript {
        void run(Configuration c) throws Exception;
    }

    private static final Map<String, String> GOOD = Map.of("sub/a.npy", "a from the committed attempt", "x:y/b:c.npy", "b from the committed attempt");
    private static final Map<String, String> EXPECTED = new TreeMap<>(Map.of("sub/a.npy", "a from the committed attempt",
            "x:y/b:c.npy", "b from the committed attempt", "other.npy", "task 1"));

    private static void otherTask(Configuration c, RepeatedTaskAttemptsTest t) throws Exception {
        Attempt o = t.attempt(c, 1, 0);
        write(o, Map.of("other.npy", "task 1"));
        commit(o);
    }

    @Test
    void anAttemptKilledHalfwayLeavesNothing() throws Exception {
        Path out = tmp.resolve("killed");
        Map<String, String> left = job(out, conf(out), c -> {
            Attempt killed = attempt(c, 0, 0);
            write(killed, Map.of("sub/a.npy", "half of a", "x:y/only-the-killed-one.npy", "stray"));
            // SIGKILL: no commit, no abort; the task runs again
            Attempt retry = attempt(c, 0, 1);
            write(retry, GOOD);
            commit(retry);
            otherTask(c, this);
        });
        assertEquals(EXPECTED, left);
    }

    @Test
    void aSpeculativeCopyDeniedItsCommitLeavesNothing() throws Exception {
        Path out = tmp.resolve("speculated");
        Map<String, String> left = job(out, conf(out), c -> {
            Attempt first = attempt(c, 0, 0);
            Attempt copy = attempt(c, 0, 1);
            write(first, GOOD);
            write(copy, Map.of("sub/a.npy", "a from the copy", "x:y/b:c.npy", "b from the copy", "copy-only.npy", "stray"));
            commit(first);
            copy.committer.abortTask(copy.ctx); // what Spark does on TaskCommitDenied
            otherTask(c, this);
        });
        assertEquals(EXPECTED, left);
    }

    /** The authorised attempt committed, then its executor died before Spark heard of it: the coordinator lets a new attempt commit too. */
    @Test
    void aSecondCommitOfOneTaskReplacesTheFirstWhole() throws Exception {
        Path out = tmp.resolve("recommitted");
        Map<String, String> left = job(out, conf(out), c -> {
            Attempt lost = attempt(c, 0, 0);
            write(lost, Map.of("sub/a.npy", "a from the lost attempt", "x:y/lost-only.npy", "stray"));
            commit(lost);
            Attempt retry = attempt(c, 0, 1);
            write(retry, GOOD);
            commit(retry);
            otherTask(c, this);
        });
        assertEquals(EXPECTED, left);
    }
}
