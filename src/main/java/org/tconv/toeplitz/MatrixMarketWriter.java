package org.tconv.toeplitz;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.PaddingMode;

/**
 * T in MatrixMarket coordinate format, streamed from the entry generator (never held in memory), 1-based
 * indices, values printed so they read back exactly.
 */
public final class MatrixMarketWriter {
    private MatrixMarketWriter() {}

    /** Characters of the header lines beyond the size line: the banner and the comment naming the spec. */
    private static final int HEADER_CHARS = 4096;
    /** Double.toString is at most 24 characters ({@code -1.2345678901234567E-308}). */
    private static final int MAX_VALUE_CHARS = 24;

    /**
     * Bytes of the file for T of {@code rows x cols} with {@code nonZeros} entries: each line is the row,
     * the column, the value and three separators. Indices are counted at their widest; a value at the
     * longest of the kernel's weights printed, since with zero padding every entry is one weight, and at
     * the longest a double prints otherwise (folded taps sum weights). An upper bound, never too small.
     */
    public static long estimatedBytes(long rows, long cols, long nonZeros, ConvSpec spec) {
        int value = 0;
        if (spec.paddingMode() == PaddingMode.ZEROS) {
            for (double w : spec.weights()) value = Math.max(value, Double.toString(w).length());
        } else {
            value = MAX_VALUE_CHARS;
        }
        long line = digits(rows) + digits(cols) + value + 3;
        try {
            return Math.addExact(HEADER_CHARS, Math.multiplyExact(nonZeros, line));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static int digits(long n) {
        return Long.toString(n).length();
    }

    /**
     * Writes T to {@code output}. The text goes to a temporary file of a fresh name beside it, created only
     * if no such file exists, and is renamed to {@code output} when complete: a failure or a kill leaves
     * no partial {@code output}, and the only file ever deleted is that temporary one.
     */
    public static void write(ToeplitzEntries t, String output, Configuration conf) throws IOException {
        Path target = new Path(output);
        FileSystem checked = target.getFileSystem(conf);
        // Without LocalFileSystem's hidden .crc beside it (as the npy outputs): a MatrixMarket file is read
        // by scipy and friends; deleting a previous T through the checksummed view removes its old .crc too.
        FileSystem fs = checked instanceof ChecksumFileSystem ? ((ChecksumFileSystem) checked).getRawFileSystem() : checked;
        Path dir = target.getParent() == null ? new Path(".") : target.getParent();
        Path tmp = new Path(dir, new Path(null, null, "." + target.getName() + "." + UUID.randomUUID() + ".tmp"));
        boolean done = false;
        try {
            try (Writer w = new BufferedWriter(new OutputStreamWriter(fs.create(tmp, false), StandardCharsets.US_ASCII), 1 << 16)) {
                writeTo(t, w);
            }
            // A previous T.mtx is replaced only once the new one is whole.
            if (checked.exists(target)) checked.delete(target, false);
            if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
            done = true;
        } finally {
            if (!done) fs.delete(tmp, false);
        }
    }

    /** The coordinates T's rows and columns flatten, as the user's rank names them. */
    private static String axes(int dims) {
        return dims == 3 ? "(channel, depth, row, col)" : dims == 2 ? "(channel, row, col)" : "(channel, position)";
    }

    private static void writeTo(ToeplitzEntries t, Writer w) throws IOException {
        w.write("%%MatrixMarket matrix coordinate real general\n");
        w.write("% Toeplitz matrix of " + t.geometry().spec + " for input (" + org.tconv.conv.IntTuple.format(t.geometry().inputShape())
                + "); rows and columns are C-order flattenings of " + axes(t.geometry().spec.dims()) + "\n");
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
}
