package org.tconv.conv;

/** The {@code 2} / {@code 2,1} / {@code 1,2,2} notation of the command line, PyTorch's int-or-tuple arguments. */
public final class IntTuple {
    private IntTuple() {}

    /** One value, or one per spatial axis: {@code h,w} in 2-D, {@code d,h,w} in 3-D (checked against the weights later). */
    public static int[] parse(String name, String text) {
        String[] parts = text.trim().split("\\s*,\\s*");
        if (parts.length < 1 || parts.length > 3) {
            throw new IllegalArgumentException(name + " must be an int or 'h,w' (or 'd,h,w' in 3-D), got '" + text + "'");
        }
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an int or 'h,w' (or 'd,h,w' in 3-D), got '" + text + "'");
            }
        }
        return v;
    }

    /** A single value applies to every dimension; otherwise there must be one per dimension. */
    static int[] expand(String name, int[] v, int dims) {
        if (v.length == dims) return v.clone();
        if (v.length == 1) {
            int[] r = new int[dims];
            java.util.Arrays.fill(r, v[0]);
            return r;
        }
        throw new IllegalArgumentException(name + " " + format(v) + " has " + v.length
                + " values but the weights are " + dims + "-D");
    }

    public static String format(int[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) b.append(',');
            b.append(v[i]);
        }
        return b.toString();
    }
}
