package org.tconv.write;

import java.io.IOException;

import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter;

/**
 * Hadoop's FileOutputCommitter, able to commit a file whose name holds a colon ({@code a:b.npy}). Its merge
 * builds each destination as {@code new Path(dir, name)}, which reads {@code a:} as a URI scheme and fails
 * the whole job commit, and LocalFileSystem cannot name such a file's {@code .crc}. So just before Hadoop
 * merges a task's files into the output, the files with a colon anywhere in their path are moved by this
 * class, with paths built literally on the raw file system; everything else (the other files, the cleanup,
 * {@code _SUCCESS}) stays Hadoop's, in the same order of events.
 */
final class ColonNamesCommitter extends FileOutputCommitter {
    ColonNamesCommitter(Path output, TaskAttemptContext ctx) throws IOException {
        super(output, ctx);
    }

    private static int algorithm(JobContext ctx) {
        return ctx.getConfiguration().getInt(FILEOUTPUTCOMMITTER_ALGORITHM_VERSION, FILEOUTPUTCOMMITTER_ALGORITHM_VERSION_DEFAULT);
    }

    private FileSystem raw(JobContext ctx) throws IOException {
        FileSystem fs = getOutputPath().getFileSystem(ctx.getConfiguration());
        return fs instanceof ChecksumFileSystem ? ((ChecksumFileSystem) fs).getRawFileSystem() : fs;
    }

    /** Algorithm 1 merges every committed task's directory into the output at job commit. */
    @Override
    protected void commitJobInternal(JobContext ctx) throws IOException {
        if (algorithm(ctx) == 1) {
            FileSystem raw = raw(ctx);
            Path job = getJobAttemptPath(ctx);
            if (raw.exists(job)) {
                for (FileStatus task : raw.listStatus(job)) {
                    if (task.isDirectory() && !task.getPath().getName().equals(PENDING_DIR_NAME)) {
                        moveColonNames(raw, task.getPath(), getOutputPath(), false);
                    }
                }
            }
        }
        super.commitJobInternal(ctx);
    }

    /** Algorithm 2 merges each task attempt's directory into the output at task commit. */
    @Override
    public void commitTask(TaskAttemptContext ctx, Path attempt) throws IOException {
        if (algorithm(ctx) == 2) {
            FileSystem raw = raw(ctx);
            Path from = attempt != null ? attempt : getTaskAttemptPath(ctx);
            if (raw.exists(from)) moveColonNames(raw, from, getOutputPath(), false);
        }
        super.commitTask(ctx, attempt);
    }

    /** Moves the files below {@code from} whose path holds a colon to the same place below {@code to}. */
    private static void moveColonNames(FileSystem raw, Path from, Path to, boolean colonAbove) throws IOException {
        for (FileStatus c : raw.listStatus(from)) {
            String name = c.getPath().getName();
            boolean colon = colonAbove || name.indexOf(':') >= 0;
            Path target = OutputNames.path(to, name);
            if (c.isDirectory()) {
                moveColonNames(raw, c.getPath(), target, colon);
                // Emptied, a directory named with a colon would still stop Hadoop's merge.
                if (name.indexOf(':') >= 0 && raw.listStatus(c.getPath()).length == 0) raw.delete(c.getPath(), false);
            } else if (colon) {
                raw.mkdirs(to);
                if (raw.exists(target) && !raw.delete(target, false)) throw new IOException("cannot replace " + target);
                if (!raw.rename(c.getPath(), target)) throw new IOException("cannot move " + c.getPath() + " to " + target);
            }
        }
    }
}
