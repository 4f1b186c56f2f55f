package org.tconv.read;

import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A task's inputs as the rows they give, one input at a time: a loose file gives one row, a shard a row
 * per member, read only when the rows before it have been taken (a shard is never held whole).
 */
public final class InputBatches implements Iterator<ImageBatch> {
    /** How one input becomes its rows. */
    public interface Expand extends Function<InputFile, Iterator<ImageBatch>>, Serializable {}

    private final Iterator<InputFile> inputs;
    private final Expand expand;
    private Iterator<ImageBatch> current = Collections.emptyIterator();

    public InputBatches(Iterator<InputFile> inputs, Expand expand) {
        this.inputs = inputs;
        this.expand = expand;
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext() && inputs.hasNext()) current = expand.apply(inputs.next());
        return current.hasNext();
    }

    @Override
    public ImageBatch next() {
        if (!hasNext()) throw new NoSuchElementException();
        return current.next();
    }
}
