package org.tconv.read;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How a folder is known to be a tconv output: its marker file {@value #MARKER}, whose first line is
 * {@value #FIRST_LINE}. The writer puts it in every output it starts and deletes or replaces only folders
 * that hold it; the reader leaves such folders out of an input's listing, so an output written inside its
 * input is never read back as input. It lives here, with the reader, because the writer depends on the
 * reader and not the other way round.
 */
public final class OwnOutputs {
    private OwnOutputs() {}

    /** tconv's own file in every output it starts; its leading underscore hides it from Hadoop and Spark readers. */
    public static final String MARKER = "_tconv-output";
    public static final String FIRST_LINE = "tconv output";
    /** A marker is a few lines; reading more than this of a file of that name proves nothing. */
    private static final int MAX_FIRST_LINE = 64;

    /** Whether {@code dir} (on any Hadoop file system) holds tconv's marker. */
    public static boolean isOwnOutput(FileSystem fs, Path dir) throws IOException {
        Path marker = new Path(dir, MARKER);
        if (!fs.isFile(marker)) return false;
        try (InputStream in = fs.open(marker)) {
            return startsWithFirstLine(in);
        }
    }

    /** Whether the local directory {@code dir} holds tconv's marker (a regular file, not a link to one). */
    public static boolean isOwnOutput(java.nio.file.Path dir) throws IOException {
        java.nio.file.Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) return false;
        try (InputStream in = Files.newInputStream(marker)) {
            return startsWithFirstLine(in);
        }
    }

    private static boolean startsWithFirstLine(InputStream in) throws IOException {
        byte[] head = in.readNBytes(MAX_FIRST_LINE);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new java.io.ByteArrayInputStream(head), StandardCharsets.UTF_8))) {
            return FIRST_LINE.equals(r.readLine());
        }
    }
}
