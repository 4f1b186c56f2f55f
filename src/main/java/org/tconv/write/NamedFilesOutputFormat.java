package org.tconv.write;

import java.io.IOException;

import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.OutputCommitter;
import org.apache.hadoop.mapreduce.RecordWriter;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.PathOutputCommitter;
import org.tconv.timing.StageClock;

/**
 * Writes each record (relative path, bytes) as its own file. Files go to the task attempt's work
 * directory and reach the output only through the output committer ({@link FileOutputCommitter} on
 * file: and hdfs:): a failed or killed attempt leaves nothing visible, and the job's files appear at job
 * commit, {@code _SUCCESS} last.
 */
public final class NamedFilesOutputFormat extends FileOutputFormat<Text, OutputFile> {

    @Override
    public RecordWriter<Text, OutputFile> getRecordWriter(TaskAttemptContext ctx) throws IOException {
        // Any PathOutputCommitter Hadoop picks for the file system: FileOutputCommitter, the manifest
        // committer (abfs:, gs: by default), the S3A committers (s3a: with fs.s3a.committer.name).
        Path work = ((PathOutputCommitter) getOutputCommitter(ctx)).getWorkPath();
        FileSystem fs = work.getFileSystem(ctx.getConfiguration());
        // On file: Hadoop's LocalFileSystem would write a hidden .crc beside every file (and compute it):
        // numpy users get their .npy files alone, as np.save writes them. HDFS keeps its own checksums.
        FileSystem target = fs instanceof ChecksumFileSystem ? ((ChecksumFileSystem) fs).getRawFileSystem() : fs;
        return new RecordWriter<>() {
            @Override
            public void write(Text name, OutputFile file) throws IOException {
                long t0 = System.nanoTime();
                FSDataOutputStream created = target.create(OutputNames.path(work, name.toString()), true);
                StageClock.add(StageClock.Counter.WRITE, t0); // the bench's write stage: creating, writing, closing the file
                try (java.io.OutputStream out = StageClock.timedWrites(created)) {
                    file.writeTo(out);
                }
            }

            @Override
            public void close(TaskAttemptContext c) {
            }
        };
    }

    /** Hadoop's committer for the file system, able to commit names with a colon where it is FileOutputCommitter. */
    @Override
    public synchronized OutputCommitter getOutputCommitter(TaskAttemptContext ctx) throws IOException {
        OutputCommitter c = super.getOutputCommitter(ctx);
        if (c.getClass() == FileOutputCommitter.class) {
            if (colonSafe == null) colonSafe = new ColonNamesCommitter(getOutputPath(ctx), ctx);
            return colonSafe;
        }
        return c;
    }

    private ColonNamesCommitter colonSafe;

    @Override
    public void checkOutputSpecs(org.apache.hadoop.mapreduce.JobContext job) {
        // The job checks and prepares the output directory itself (see OutputLocation) before Spark starts.
    }
}
