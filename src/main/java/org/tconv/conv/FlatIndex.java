package org.tconv.conv;

import java.io.Serializable;

/**
 * The C-order numbering of a (channel, depth, row, col) block of values: the rows of T (output elements)
 * and its columns (input elements) are numbered this way. The one place that turns a flat index into its
 * coordinates and back; every other class asks it rather than dividing by plane sizes itself.
 *
 * <p>Example: channels 2, depth 1, height 3, width 4: index 17 is channel 1, depth 0, row 1, col 1.
 */
public final class FlatIndex implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int channels, depth, height, width;

    public FlatIndex(int channels, int depth, int height, int width) {
        this.channels = channels;
        this.depth = depth;
        this.height = height;
        this.width = width;
    }

    /** Values in one channel, exactly. */
    public long channelSize() { return (long) depth * height * width; }
    /** Values in all channels, exactly (four ints cannot overflow a long past 2^62 only if checked: it is). */
    public long size() { return Math.multiplyExact(channelSize(), (long) channels); }

    /** The flat index of (channel, z, y, x). */
    public long of(int channel, int z, int y, int x) {
        return ((channel * (long) depth + z) * height + y) * width + x;
    }

    /** {@link #of} for local (int-indexed) arrays. */
    public int ofInt(int channel, int z, int y, int x) {
        return Math.toIntExact(of(channel, z, y, x));
    }

    /** Index {@code i} as {channel, z, y, x}, written into {@code into} (length 4) and returned. */
    public int[] decode(long i, int[] into) {
        long rest = i;
        into[3] = (int) (rest % width);
        rest /= width;
        into[2] = (int) (rest % height);
        rest /= height;
        into[1] = (int) (rest % depth);
        into[0] = (int) (rest / depth);
        return into;
    }

    /** The channel of index {@code i}. */
    public int channel(long i) { return (int) (i / channelSize()); }

    /** The flat (z, y, x) position of index {@code i} within its channel. */
    public long withinChannel(long i) { return i % channelSize(); }
}
