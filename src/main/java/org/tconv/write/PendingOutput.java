package org.tconv.write;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output being written: where the job writes ({@link #workUri}), and the steps that make it finished,
 * in an order that a driver killed at any point cannot turn into an output that looks finished but is not:
 * the job's files are committed by the output committer (which is told not to write {@code _SUCCESS}),
 * then {@code _rejected.csv}, then {@code _SUCCESS}, then, for {@code --overwrite}, the swap with the old
 * output. Until {@code _SUCCESS} exists the output is an interrupted one, which the next run replaces.
 */
public final class PendingOutput {
    /** Hadoop's switch for the committer's own {@code _SUCCESS}: tconv writes it itself, after {@code _rejected.csv}. */
    public static final String COMMITTER_SUCCESS_KEY = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

    private final OutputLocation location;
    private final Path work;
    /** The finished output this one replaces on success ({@code --overwrite}), or null. */
    private final Path replaces;
    private final String runId;

    PendingOutput(OutputLocation location, Path work, Path replaces, String runId) {
        this.location = location;
        this.work = work;
        this.replaces = replaces;
        this.runId = runId;
    }

    /** The directory the job writes its files to: the output itself, or a hidden one beside it. */
    public String workUri() {
        return work.toString();
    }

    /** The output as the user named it. */
    public String uri() {
        return location.uri();
    }

    /** The job's Hadoop configuration for writing here: the committer leaves {@code _SUCCESS} to {@link #commit}. */
    public static Configuration writerConf(Configuration base) {
        Configuration c = new Configuration(base);
        c.setBoolean(COMMITTER_SUCCESS_KEY, false);
        return c;
    }

    /** Finishes the output: {@code _rejected.csv}, then {@code _SUCCESS}, then the swap. */
    public void commit(Map<String, String> rejected) throws IOException {
        FileSystem own = location.ownFilesFs();
        writeRejected(own, rejected);
        own.create(new Path(work, OutputLocation.SUCCESS), true).close();
        FileSystem fs = location.fs();
        if (replaces == null) return;
        Path old = location.sibling("old", runId);
        if (!fs.rename(replaces, old)) throw new IOException("cannot move the old output " + replaces + " aside to " + old);
        if (!fs.rename(work, replaces)) {
            fs.rename(old, replaces); // put the old one back; the new one stays beside it, complete
            throw new IOException("cannot move the new output " + work + " to " + replaces + "; the old output is unchanged");
        }
        if (location.isTconvOutput(old)) location.deleteOrFail(old);
    }

    /** What a failed run leaves, as the error tells it. */
    public String whatAFailureLeaves() {
        return replaces == null ? "nothing was committed (no " + OutputLocation.SUCCESS + ")"
                : "nothing was committed and the earlier output is unchanged";
    }

    /** After a failed run: removes the hidden directory a {@code --overwrite} run was writing, never anything else. */
    public void abort() {
        if (replaces == null) return;
        try {
            if (location.isTconvOutput(work)) location.deleteOrFail(work);
        } catch (IOException e) {
            // The failure that brought us here is the one to report; the hidden directory is harmless.
        }
    }

    /** RFC 4180 ({@code path,reason}, CRLF), through a temporary file renamed into place. */
    private void writeRejected(FileSystem fs, Map<String, String> rejected) throws IOException {
        Path tmp = new Path(work, "." + OutputLocation.REJECTED + ".tmp");
        try (OutputStream os = fs.create(tmp, true);
             Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.RFC4180.builder().setHeader("path", "reason").build())) {
            for (Map.Entry<String, String> e : rejected.entrySet()) csv.printRecord(e.getKey(), e.getValue());
        }
        Path target = new Path(work, OutputLocation.REJECTED);
        if (fs.exists(target) && !fs.delete(target, false)) throw new IOException("cannot replace " + target);
        if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
    }
}
