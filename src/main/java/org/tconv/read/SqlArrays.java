package org.tconv.read;

import scala.collection.Seq;

/** Spark SQL hands array columns to Java UDFs as boxed Scala sequences; the convolution wants primitive arrays. */
public final class SqlArrays {
    private SqlArrays() {}

    public static int[] ints(Seq<Object> s) {
        int[] v = new int[s.size()];
        for (int i = 0; i < v.length; i++) v[i] = ((Number) s.apply(i)).intValue();
        return v;
    }

    public static double[] doubles(Seq<Object> s) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) v[i] = ((Number) s.apply(i)).doubleValue();
        return v;
    }
}
