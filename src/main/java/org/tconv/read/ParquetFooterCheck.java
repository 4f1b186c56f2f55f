package org.tconv.read;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

import shaded.parquet.org.apache.thrift.TConfiguration;
import shaded.parquet.org.apache.thrift.TException;
import shaded.parquet.org.apache.thrift.protocol.TCompactProtocol;
import shaded.parquet.org.apache.thrift.transport.TIOStreamTransport;

/**
 * What one Parquet file claims about itself, checked against its length before any reader trusts it: the
 * magic at both ends, a footer length that fits the file, and row groups whose column chunks lie inside the
 * file. Parquet's own reader allocates the footer length it reads from the tail and then each column chunk's
 * stated size, so a 1 KB file whose tail says 2 GB would be an OutOfMemoryError in a task, and a cut-off
 * file a failed job; here each is a one-line reason for that file alone.
 *
 * <p>Example: {@code footer claims 2147483000 bytes, more than the 812 bytes of the file hold}.
 */
public final class ParquetFooterCheck {
    private ParquetFooterCheck() {}

    static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] ENCRYPTED_MAGIC = "PARE".getBytes(StandardCharsets.US_ASCII);
    /** Magic, footer, footer length, magic: the smallest Parquet file (an empty footer is not one). */
    static final int MIN_LENGTH = 4 + 4 + 4;
    /**
     * The largest footer read: footers of tables with thousands of row groups are a few MB; more than this is a
     * claim, not a footer.
     */
    static final int MAX_FOOTER = 64 << 20;

    /** Thrown with the one-line reason a file is not read. */
    public static final class Damaged extends Exception {
        private static final long serialVersionUID = 1L;

        Damaged(String reason) {
            super(reason);
        }
    }

    /** Positional reads of the file being checked. */
    interface Reads {
        void read(long pos, byte[] into, int length) throws IOException;
    }

    /**
     * Checks the file at {@code p}: reads its first 4 bytes, its last 8, the footer they bound, then each
     * page header of each column chunk (a few dozen bytes per page, found by seeking).
     *
     * @param maxPageBytes the most one page may claim to decompress to (the memory one item may take)
     */
    public static ParquetMetadata check(FileSystem fs, Path p, long maxPageBytes) throws Damaged, IOException {
        long len = fs.getFileStatus(p).getLen();
        try (FSDataInputStream in = fs.open(p)) {
            return check(len, (pos, into, n) -> in.readFully(pos, into, 0, n), maxPageBytes);
        }
    }

    /** The same checks on a whole file in memory (tests, fuzzing). */
    public static ParquetMetadata check(byte[] file, long maxPageBytes) throws Damaged {
        try {
            return check(file.length, (pos, into, n) -> System.arraycopy(file, (int) pos, into, 0, n), maxPageBytes);
        } catch (IOException e) {
            throw new AssertionError(e); // arraycopy throws none
        }
    }

    private static ParquetMetadata check(long len, Reads in, long maxPageBytes) throws Damaged, IOException {
        if (len < MIN_LENGTH) throw new Damaged(cutOff(len));
        byte[] head = new byte[4];
        byte[] tail = new byte[8];
        in.read(0, head, 4);
        in.read(len - 8, tail, 8);
        int footer = footerLength(head, tail, len);
        byte[] bytes = new byte[footer];
        in.read(len - 8 - footer, bytes, footer);
        ParquetMetadata meta = parse(bytes, len);
        checkPages(meta, in, maxPageBytes);
        return meta;
    }

    /** The most bytes a page header takes, statistics included, that is read. */
    static final int MAX_PAGE_HEADER = 64 << 10;

    /**
     * Each page's header, walked through its column chunk: its sizes must stay in the chunk, what it claims to
     * decompress to must fit {@code maxPageBytes} (an uncompressed page is as large as it is), and a dictionary
     * must not claim more entries than its bytes hold; Parquet's reader allocates each of these as claimed
     * (a dictionary of 44 million entries from a 2 KB file was what fuzzing found).
     */
    private static void checkPages(ParquetMetadata meta, Reads in, long maxPageBytes) throws Damaged, IOException {
        int g = 0;
        for (BlockMetaData block : meta.getBlocks()) {
            for (ColumnChunkMetaData c : block.getColumns()) {
                String where = "row group " + g + ", column " + c.getPath().toDotString();
                long pos = c.getStartingPos(), end = pos + c.getTotalSize();
                while (pos < end) {
                    byte[] h = new byte[(int) Math.min(MAX_PAGE_HEADER, end - pos)];
                    in.read(pos, h, h.length);
                    ByteArrayInputStream hs = new ByteArrayInputStream(h);
                    PageHeader ph;
                    try {
                        ph = new PageHeader();
                        ph.read(bounded(hs, h.length));
                    } catch (TException | RuntimeException e) {
                        throw new Damaged(where + ": page header at offset " + pos + " cannot be read: " + InputDecoder.oneLine(e));
                    }
                    long headerBytes = h.length - hs.available();
                    long compressed = ph.getCompressed_page_size(), uncompressed = ph.getUncompressed_page_size();
                    if (compressed < 0 || compressed > end - pos - headerBytes) {
                        throw new Damaged(where + ": page at offset " + pos + " claims " + compressed + " bytes, past its column chunk");
                    }
                    boolean plain = c.getCodec() == CompressionCodecName.UNCOMPRESSED;
                    if (uncompressed < 0 || uncompressed > maxPageBytes || plain && uncompressed > compressed) {
                        throw new Damaged(String.format(Locale.ROOT, "%s: page at offset %d claims %d bytes %s, from %d bytes (at most %d are taken)",
                                where, pos, uncompressed, plain ? "uncompressed" : "once decompressed", compressed, plain ? compressed : maxPageBytes));
                    }
                    if (ph.isSetDictionary_page_header()) {
                        long entries = ph.getDictionary_page_header().getNum_values();
                        if (entries < 0 || entries > uncompressed) {
                            throw new Damaged(where + ": dictionary page claims " + entries + " entries in " + uncompressed + " bytes");
                        }
                    }
                    pos += headerBytes + compressed;
                }
            }
            g++;
        }
    }

    private static String cutOff(long len) {
        return "not a whole Parquet file: " + len + " bytes, fewer than the " + MIN_LENGTH + " of magic and footer length (cut off?)";
    }

    /** The footer's length from the tail, checked against the file before anything of that size exists. */
    private static int footerLength(byte[] head, byte[] tail, long len) throws Damaged {
        if (!java.util.Arrays.equals(head, MAGIC)) throw new Damaged("not a Parquet file: it does not start with PAR1");
        byte[] end = java.util.Arrays.copyOfRange(tail, 4, 8);
        if (java.util.Arrays.equals(end, ENCRYPTED_MAGIC)) throw new Damaged("an encrypted Parquet footer (PARE): not read");
        if (!java.util.Arrays.equals(end, MAGIC)) throw new Damaged("Parquet file cut off or damaged: it does not end with PAR1");
        long footer = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        if (footer == 0 || footer > len - MIN_LENGTH) {
            throw new Damaged("Parquet footer claims " + footer + " bytes, more than the " + len + " bytes of the file hold");
        }
        if (footer > MAX_FOOTER) throw new Damaged("Parquet footer of " + footer + " bytes is larger than the " + MAX_FOOTER + " read");
        return (int) footer;
    }

    /**
     * Thrift's compact protocol over {@code bytes} bytes, every string, binary and list length bounded by them:
     * Parquet's own parse allocates what a field claims (84 MB from a 2 KB page header, fuzzing found) and then
     * finds the bytes missing.
     */
    private static TCompactProtocol bounded(InputStream in, int bytes) throws TException {
        TConfiguration conf = new TConfiguration(Math.max(bytes, 1), Math.max(bytes, 1), 64);
        return new TCompactProtocol(new TIOStreamTransport(conf, in), bytes, bytes);
    }

    /** The footer's row groups: each column chunk's stated place and size inside the data before the footer. */
    private static ParquetMetadata parse(byte[] footer, long len) throws Damaged {
        ParquetMetadata meta;
        try {
            FileMetaData thrift = new FileMetaData();
            thrift.read(bounded(new ByteArrayInputStream(footer), footer.length));
            meta = new ParquetMetadataConverter().fromParquetMetadata(thrift);
        } catch (IOException | TException | RuntimeException e) {
            throw new Damaged("Parquet footer cannot be read: " + InputDecoder.oneLine(e));
        }
        long dataEnd = len - 8 - footer.length;
        int g = 0;
        for (BlockMetaData block : meta.getBlocks()) {
            if (block.getRowCount() < 0) throw new Damaged("row group " + g + " claims " + block.getRowCount() + " rows");
            for (ColumnChunkMetaData c : block.getColumns()) {
                long start = c.getStartingPos();
                long size = c.getTotalSize();
                if (start < 4 || size < 0 || start > dataEnd || size > dataEnd - start) {
                    throw new Damaged(String.format(Locale.ROOT,
                            "row group %d claims column %s of %d bytes at offset %d, past the %d bytes of data in the file (%d bytes in all)",
                            g, c.getPath().toDotString(), size, start, dataEnd, len));
                }
            }
            g++;
        }
        return meta;
    }
}
