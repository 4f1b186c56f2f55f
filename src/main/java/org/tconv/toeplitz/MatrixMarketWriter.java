package org.tconv.toeplitz;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * T in MatrixMarket coordinate format, streamed from the entry generator (never held in memory), 1-based
 * indices, values printed so they read back exactly. Written to a temporary name, then renamed.
 */
public final class MatrixMarketWriter {
    private MatrixMarketWriter() {}

    public static void write(ToeplitzEntries t, String output, Configuration conf) throws IOException {
        Path target = new Path(output);
        FileSystem fs = target.getFileSystem(conf);
        Path tmp = new Path(target.getParent() == null ? new Path(".") : target.getParent(), "." + target.getName() + ".tmp");
        try (Writer w = new BufferedWriter(new OutputStreamWriter(fs.create(tmp, true), StandardCharsets.US_ASCII), 1 << 16)) {
            w.write("%%MatrixMarket matrix coordinate real general\n");
            w.write("% Toeplitz matrix of " + t.geometry().spec + " for input (" + org.tconv.conv.IntTuple.format(t.geometry().inputShape())
                    + "); rows and columns are C-order flattenings of (channel, row, col)\n");
            w.write(t.numRows() + " " + t.numCols() + " " + t.nonZeros() + "\n");
            StringBuilder line = new StringBuilder(64);
            try {
                t.forEachInRows(0, t.numRows(), (r, c, v) -> {
                    line.setLength(0);
                    line.append(r + 1).append(' ').append(c + 1).append(' ').append(v).append('\n');
                    try {
                        w.append(line);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
    }
}
