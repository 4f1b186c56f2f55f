package org.tconv.write;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code --output} directory. Checked before Spark starts: an existing finished output is never
 * overwritten without {@code --overwrite}; a directory an interrupted run left behind (no
 * {@code _SUCCESS}, a {@code _temporary} inside) is replaced, so rerunning a killed job just works.
 */
public final class OutputLocation {
    public static final String REJECTED = "_rejected.csv";

    private final Path dir;
    private final FileSystem fs;

    public OutputLocation(String output, Configuration conf) throws IOException {
        this.dir = new Path(output);
        this.fs = dir.getFileSystem(conf);
    }

    public String uri() {
        return fs.makeQualified(dir).toString();
    }

    /** @throws IllegalArgumentException when the directory holds something that must not be replaced */
    public void prepare(boolean overwrite) throws IOException {
        if (!fs.exists(dir)) return;
        FileStatus st = fs.getFileStatus(dir);
        if (!st.isDirectory()) throw new IllegalArgumentException("output " + dir + " exists and is a file");
        FileStatus[] children = fs.listStatus(dir);
        if (children.length == 0) return;
        boolean finished = fs.exists(new Path(dir, "_SUCCESS"));
        boolean interrupted = !finished && fs.exists(new Path(dir, "_temporary"));
        if (overwrite || interrupted) {
            if (!fs.delete(dir, true)) throw new IOException("cannot delete " + dir);
            return;
        }
        throw new IllegalArgumentException("output " + dir + " already exists and is not empty (use --overwrite to replace it)");
    }

    /** Writes {@code _rejected.csv} (header {@code path,reason}) atomically: a temporary file, then a rename. */
    public void writeRejected(Map<String, String> rejected) throws IOException {
        StringBuilder csv = new StringBuilder("path,reason\n");
        for (Map.Entry<String, String> e : rejected.entrySet()) {
            csv.append(quote(e.getKey())).append(',').append(quote(e.getValue())).append('\n');
        }
        fs.mkdirs(dir);
        Path tmp = new Path(dir, "." + REJECTED + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(csv.toString().getBytes(StandardCharsets.UTF_8));
        }
        Path target = new Path(dir, REJECTED);
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
    }

    /** RFC 4180: quote fields that hold a comma, quote or line break. */
    static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
