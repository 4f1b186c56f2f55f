package org.tconv.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordWriter;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.PathOutputCommitter;
import org.apache.spark.TaskContext;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputFile;
import org.tconv.read.NpyArray;
import org.tconv.read.ShardReader;

import scala.Tuple2;

/**
 * {@code --format webdataset}: each record (shard name, member) is appended to that tar shard, opened in
 * the task attempt's work directory on first use and closed with the task; like {@link NamedFilesOutputFormat},
 * shards reach the output only through the output committer, so a failed attempt leaves no half tar.
 * A result is the member {@code <key>.npy}, followed by its sample's {@code .json}/{@code .cls}/{@code .txt}
 * members, so WebDataset readers find them as one sample.
 */
public final class WebDatasetOutputFormat extends FileOutputFormat<Text, WebDatasetOutputFormat.Member> {

    /** One tar member: its name inside the shard and its bytes. Never serialised (task-local records). */
    public static final class Member {
        final String name;
        final byte[] bytes;

        Member(String name, byte[] bytes) {
            this.name = name;
            this.bytes = bytes;
        }
    }

    /**
     * The members a result gives: a shard member goes to {@code <shard folder>.tar} under its sample key; a
     * loose file to this task's {@code part-NNNNN.tar} under its path without extension.
     */
    static Iterator<Tuple2<Text, Member>> members(ImageBatch b) {
        String tarName;
        String key;
        if (b.getShardFolder() != null) {
            tarName = b.getShardFolder() + ".tar";
            key = ShardReader.sampleKey(b.getRelative().substring(b.getShardFolder().length() + 1));
        } else {
            tarName = String.format("part-%05d.tar", TaskContext.getPartitionId());
            key = new InputFile(b.getPath(), b.getRelative()).relativeStem();
        }
        Text tar = new Text(tarName);
        List<Tuple2<Text, Member>> out = new ArrayList<>();
        ImageBatch items = b.itemMajor(); // a member is one byte array: the results item after item, then their bytes
        out.add(new Tuple2<>(tar, new Member(key + ".npy", items.getOutFloats() != null
                ? NpyArray.toBytes(items.outFileShape(), items.getOutFloats()) : NpyArray.toBytes(items.outFileShape(), items.getOutValues()))));
        if (b.getCompanions() != null) {
            for (Map.Entry<String, byte[]> c : b.getCompanions().entrySet()) {
                out.add(new Tuple2<>(tar, new Member(key + "." + c.getKey(), c.getValue())));
            }
        }
        return out.iterator();
    }

    @Override
    public RecordWriter<Text, Member> getRecordWriter(TaskAttemptContext ctx) throws IOException {
        Path work = ((PathOutputCommitter) getOutputCommitter(ctx)).getWorkPath();
        FileSystem fs = work.getFileSystem(ctx.getConfiguration());
        FileSystem target = fs instanceof ChecksumFileSystem ? ((ChecksumFileSystem) fs).getRawFileSystem() : fs;
        Map<String, TarArchiveOutputStream> open = new LinkedHashMap<>();
        return new RecordWriter<>() {
            @Override
            public void write(Text tarName, Member m) throws IOException {
                TarArchiveOutputStream tar = open.get(tarName.toString());
                if (tar == null) {
                    tar = new TarArchiveOutputStream(target.create(new Path(work, tarName.toString()), true));
                    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                    open.put(tarName.toString(), tar);
                }
                TarArchiveEntry e = new TarArchiveEntry(m.name);
                e.setSize(m.bytes.length);
                tar.putArchiveEntry(e);
                tar.write(m.bytes);
                tar.closeArchiveEntry();
            }

            @Override
            public void close(TaskAttemptContext c) throws IOException {
                IOException first = null;
                for (TarArchiveOutputStream tar : open.values()) {
                    try {
                        tar.close(); // writes the end-of-archive blocks
                    } catch (IOException e) {
                        if (first == null) first = e;
                    }
                }
                if (first != null) throw first;
            }
        };
    }

    @Override
    public void checkOutputSpecs(JobContext job) {
        // The job checks and prepares the output directory itself (see OutputLocation) before Spark starts.
    }
}
