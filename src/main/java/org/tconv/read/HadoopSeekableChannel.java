package org.tconv.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

import org.apache.hadoop.fs.FSDataInputStream;

/**
 * A Hadoop file opened for reading as the {@link SeekableByteChannel} Commons Compress's {@code TarFile}
 * takes, so a range of a shard on any file system is found by seeking over the members before it, not by
 * reading them.
 */
final class HadoopSeekableChannel implements SeekableByteChannel {
    private final FSDataInputStream in;
    private final long size;
    private boolean open = true;
    private byte[] chunk = new byte[0];

    HadoopSeekableChannel(FSDataInputStream in, long size) {
        this.in = in;
        this.size = size;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) throw new ClosedChannelException();
        int want = dst.remaining();
        if (want == 0) return 0;
        if (chunk.length < Math.min(want, 1 << 16)) chunk = new byte[Math.min(want, 1 << 16)];
        int n = in.read(chunk, 0, Math.min(want, chunk.length));
        if (n > 0) dst.put(chunk, 0, n);
        return n;
    }

    @Override
    public long position() throws IOException {
        return in.getPos();
    }

    @Override
    public SeekableByteChannel position(long p) throws IOException {
        in.seek(Math.min(p, size)); // past the end reads as end of file, as a channel's position may be
        return this;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public SeekableByteChannel truncate(long s) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        in.close();
    }
}
