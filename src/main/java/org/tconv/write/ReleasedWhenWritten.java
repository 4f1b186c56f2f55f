package org.tconv.write;

import java.util.Iterator;

import org.tconv.read.ImageBatch;
import org.tconv.read.InFlightMemory;

/**
 * A task's results on their way to the writer, each item's memory reservation ({@link InFlightMemory}) given
 * back once the writer asks for the next one (it has written this one's files by then), and all of the
 * task's at the end.
 */
final class ReleasedWhenWritten implements Iterator<ImageBatch> {
    private final Iterator<ImageBatch> in;
    private long written;

    ReleasedWhenWritten(Iterator<ImageBatch> in) {
        this.in = in;
    }

    @Override
    public boolean hasNext() {
        if (written != 0) InFlightMemory.jvm().release(written);
        written = 0;
        boolean more = in.hasNext();
        if (!more) InFlightMemory.jvm().releaseThread();
        return more;
    }

    @Override
    public ImageBatch next() {
        ImageBatch b = in.next();
        written = b.reservation();
        return b;
    }
}
