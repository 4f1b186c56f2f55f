package org.tconv.deconvolve;

/** What one solve returns: x, the iterations it ran, why it stopped, or why its item is rejected. */
public final class Solution {
    public final double[] x;
    public final int iterations;
    /** Why the iterations ended (the limit, or a stopping rule of LSQR). */
    public final String stop;
    /** Non-null when the solve produced a NaN or an Inf: the item is rejected with this reason. */
    public final String error;

    Solution(double[] x, int iterations, String stop, String error) {
        this.x = x;
        this.iterations = iterations;
        this.stop = stop;
        this.error = error;
    }

    public boolean ok() { return error == null; }

    /** The first non-finite value of {@code v}, as a reason naming {@code what}; null when all are finite. */
    static String nonFinite(double[] v, String what) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) return what + " produced " + v[i] + " at flat index " + i;
        }
        return null;
    }
}
