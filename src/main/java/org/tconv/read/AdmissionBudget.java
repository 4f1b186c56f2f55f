package org.tconv.read;

import java.io.Serializable;
import java.util.Locale;

import org.tconv.conv.InputRejectedException;
import org.tconv.conv.IntTuple;

/**
 * The one budget every decoder asks before it allocates: a file's claims about its own size (an image's
 * width and height, a GIF's logical screen, a {@code .npy} shape) are multiplied out exactly and checked
 * against a pixel limit, against one Java array, and against the memory of the JVM that will hold the
 * item, so a 40-byte file that claims 26000x26000 pixels is a row of {@code _rejected.csv}, never an
 * OutOfMemoryError that takes every other input's work with it.
 *
 * <p>The pixel limit is PIL's {@code Image.MAX_IMAGE_PIXELS} (178956970 = 1024 * 1024 * 1024 / 4 / 3,
 * where PIL starts warning of a decompression bomb); {@code --max-pixels} moves it. The memory is a share of the heap of the JVM that decodes (an executor's, read when the
 * check runs, not the driver's), the same share one cached Toeplitz matrix may take.
 *
 * <p>Example: with the defaults, a PNG whose IHDR says 26000x26000 is refused with
 * {@code image of 26000x26000 = 676000000 pixels is over the limit of 178956970 pixels (--max-pixels)}.
 */
public final class AdmissionBudget implements Serializable {
    private static final long serialVersionUID = 1L;

    /** PIL's {@code Image.MAX_IMAGE_PIXELS}: {@code int(1024 * 1024 * 1024 // 4 // 3)}. */
    public static final long DEFAULT_MAX_PIXELS = 178_956_970L;
    /** Share of the decoding JVM's maximum heap one item (its input and output values) may take. */
    public static final double ITEM_SHARE = 0.4;
    /** The largest Java array HotSpot allocates. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /**
     * Bytes per pixel while ImageIO decodes: its raster (up to 4 bytes for 8-bit RGBA; 16-bit and
     * palette rasters are no larger per colour channel) and the float64 values of up to 3 channels.
     */
    static final long IMAGE_BYTES_PER_PIXEL = 4 + 3 * Double.BYTES;

    private final long maxPixels;
    /** Bytes one item may take; 0 means {@link #ITEM_SHARE} of this JVM's heap, read at check time. */
    private final long memoryBytes;

    public AdmissionBudget(long maxPixels, long memoryBytes) {
        if (maxPixels < 1) throw new IllegalArgumentException("--max-pixels must be at least 1, got " + maxPixels);
        if (memoryBytes < 0) throw new IllegalArgumentException("memory budget must not be negative, got " + memoryBytes);
        this.maxPixels = maxPixels;
        this.memoryBytes = memoryBytes;
    }

    public static AdmissionBudget defaults() {
        return new AdmissionBudget(DEFAULT_MAX_PIXELS, 0);
    }

    /** The same budget with another pixel limit. */
    public AdmissionBudget withMaxPixels(long pixels) {
        return new AdmissionBudget(pixels, memoryBytes);
    }

    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Bytes one item may take in the JVM that runs this, and all items in flight there together. The system
     * property {@value #MEMORY_PROPERTY} (bytes, in the JVM that decodes) sets it instead of the heap's share.
     */
    public long memory() {
        if (memoryBytes > 0) return memoryBytes;
        long set = Long.getLong(MEMORY_PROPERTY, 0);
        return set > 0 ? set : (long) (Runtime.getRuntime().maxMemory() * ITEM_SHARE);
    }

    /** The in-flight pool in bytes, for a small test of two items or an executor shared with other work. */
    public static final String MEMORY_PROPERTY = "tconv.memory.inFlight";

    /**
     * An image's declared size, before a raster exists.
     *
     * @param what {@code "image"}, {@code "GIF screen"}, ...
     * @throws InputRejectedException over the pixel limit, or when decoding it would not fit in memory
     */
    public void checkImage(String what, long width, long height) {
        if (width <= 0 || height <= 0) throw new InputRejectedException(what + " of " + width + "x" + height + " pixels");
        long pixels = exact(what + " of " + width + "x" + height, width, height);
        if (pixels > maxPixels) {
            throw new InputRejectedException(String.format(Locale.ROOT,
                    "%s of %dx%d = %d pixels is over the limit of %d pixels (--max-pixels)", what, width, height, pixels, maxPixels));
        }
        checkBytes(what + " of " + width + "x" + height + " (" + pixels + " pixels)", exact(what, pixels, IMAGE_BYTES_PER_PIXEL));
        checkArray(what + " of " + width + "x" + height, exact(what, pixels, 3));
    }

    /**
     * The elements of an array of this shape, multiplied exactly.
     *
     * @throws InputRejectedException when the product does not fit in a long
     */
    public static long elements(String what, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new InputRejectedException(what + " (" + IntTuple.format(shape) + ") has a negative dimension");
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new InputRejectedException(what + " (" + IntTuple.format(shape) + ") has more than 2^63 elements");
            }
        }
        return n;
    }

    /**
     * {@code values} float64 values in one array: a Java array's limit and the memory.
     *
     * @throws InputRejectedException with the figure
     */
    public void checkArray(String what, long values) {
        if (values > MAX_ARRAY) {
            throw new InputRejectedException(what + " needs " + values + " values, more than one array holds (" + MAX_ARRAY + ")");
        }
        checkBytes(what + " (" + values + " values)", exact(what, values, Double.BYTES));
    }

    /**
     * One item as the job will hold it: {@code count} inputs of {@code itemShape} and as many outputs of
     * {@code outShape}, each set in one float64 array, both alive at once.
     */
    public void checkItem(int count, int[] itemShape, int[] outShape) {
        long in = exact("input", count, elements("input item", itemShape));
        long out = exact("output", count, elements("output item", outShape));
        String items = count == 1 ? "" : count + " items x ";
        if (in > MAX_ARRAY) {
            throw new InputRejectedException("input of " + items + "(" + IntTuple.format(itemShape) + ") = " + in
                    + " values is more than one array holds (" + MAX_ARRAY + ")");
        }
        if (out > MAX_ARRAY) {
            throw new InputRejectedException("output of " + items + "(" + IntTuple.format(outShape) + ") = " + out
                    + " values is more than one array holds (" + MAX_ARRAY + ")");
        }
        checkBytes("input " + items + "(" + IntTuple.format(itemShape) + ") and output (" + IntTuple.format(outShape) + ")",
                exact("item", in + out, Double.BYTES));
    }

    private void checkBytes(String what, long bytes) {
        long limit = memory();
        if (bytes > limit) {
            throw new InputRejectedException(String.format(Locale.ROOT, "%s needs %s, over the %s one item may take (%.0f%% of the heap)",
                    what, bytesText(bytes), bytesText(limit), ITEM_SHARE * 100));
        }
        reserve(what, bytes);
    }

    /**
     * Reserves {@code bytes} for the item being decoded on this thread beside every other item in flight in
     * this JVM ({@link InFlightMemory}, whose pool is {@link #memory()}): waits while the others hold too much.
     */
    public void reserve(String what, long bytes) {
        InFlightMemory.jvm().reserve(what, bytes, memory());
    }

    private static long exact(String what, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new InputRejectedException(what + ": " + a + " x " + b + " does not fit in 64 bits");
        }
    }

    static String bytesText(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
}
