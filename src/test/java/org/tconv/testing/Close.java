package org.tconv.testing;

/** Relative closeness of a result to its reference, scaled by the reference's largest magnitude. */
public final class Close {
    private Close() {}

    /** Asserts |ref[i] - got[offset + i]| <= rel * max|ref| for every i; NaN fails. */
    public static void assertClose(double[] ref, double[] got, int offset, double rel, String what) {
        double scale = 0;
        for (double v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++) {
            double diff = Math.abs(ref[i] - got[offset + i]);
            if (!(diff <= rel * Math.max(scale, 1e-300))) {
                throw new AssertionError(what + ": element " + i + " expected " + ref[i] + " got " + got[offset + i]);
            }
        }
    }
}
