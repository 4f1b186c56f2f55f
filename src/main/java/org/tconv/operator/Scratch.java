package org.tconv.operator;

/**
 * Per-thread buffers of the products, reused: a task calls the product once per panel, and a fresh panel
 * each time (786 KB for 32 CIFAR images) was zeroed only to be overwritten. Lanes past a panel's images
 * hold an earlier panel's values; they are computed like the others (vector lanes do not mix) and never
 * unpacked.
 */
final class Scratch {
    /** Above this many values a buffer is not kept for the next call (a task's threads would each hold it). */
    private static final int KEEP = 8 << 20;

    /** The packed panel X. */
    static final Scratch PACKED = new Scratch();
    /** The product's tile of results, before it is unpacked. */
    static final Scratch TILE = new Scratch();
    /** The float32 copy of a line-product input. */
    static final Scratch ROUNDED = new Scratch();

    private final ThreadLocal<double[]> doubles = new ThreadLocal<>();
    private final ThreadLocal<float[]> floats = new ThreadLocal<>();

    private Scratch() {}

    /** This thread's buffer of at least {@code length} doubles. */
    double[] doubles(int length) {
        double[] a = doubles.get();
        if (a != null && a.length >= length) return a;
        a = new double[length];
        if (length <= KEEP) doubles.set(a);
        return a;
    }

    /** This thread's buffer of at least {@code length} floats. */
    float[] floats(int length) {
        float[] a = floats.get();
        if (a != null && a.length >= length) return a;
        a = new float[length];
        if (length <= KEEP) floats.set(a);
        return a;
    }
}
