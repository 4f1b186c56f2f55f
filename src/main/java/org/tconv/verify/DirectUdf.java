package org.tconv.verify;

import org.apache.spark.sql.api.java.UDF3;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.read.SqlArrays;

import scala.collection.Seq;

/**
 * The direct convolution as a Spark SQL UDF: (shape, values, count) of an input row to the concatenated
 * outputs of its items. {@code --method direct} computes with it and {@code --verify} compares against it.
 */
public final class DirectUdf implements UDF3<Seq<Object>, Seq<Object>, Integer, double[]> {
    private static final long serialVersionUID = 1L;

    private final ConvSpec spec;

    public DirectUdf(ConvSpec spec) {
        this.spec = spec;
    }

    @Override
    public double[] call(Seq<Object> shape, Seq<Object> values, Integer count) {
        if (shape == null || values == null || count == null) return null;
        ConvGeometry g = spec.geometry(SqlArrays.ints(shape));
        double[] x = SqlArrays.doubles(values);
        double[] y = new double[count * g.outputSize()];
        for (int k = 0; k < count; k++) {
            double[] one = DirectConvolution.convolve(g, x, k * g.inputSize());
            System.arraycopy(one, 0, y, k * g.outputSize(), one.length);
        }
        return y;
    }
}
