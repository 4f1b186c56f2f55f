package org.tconv.read;

/**
 * A byte range of a big uncompressed tar shard, read by a task of its own: the members whose header block
 * (the one right before a member's data) starts in {@code [start, end)}. Every member has one such block,
 * so the ranges of a shard share its members out, each to exactly one task, and a member is never split.
 */
public final class ShardRange extends InputFile {
    private static final long serialVersionUID = 1L;

    public final long start;
    public final long end;

    public ShardRange(InputFile shard, long start, long end) {
        super(shard.path, shard.relative);
        this.start = start;
        this.end = end;
    }

    boolean holds(long headerOffset) {
        return headerOffset >= start && headerOffset < end;
    }

    @Override
    public String toString() {
        return path + " [" + start + ", " + end + ")";
    }
}
