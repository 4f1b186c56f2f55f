package org.tconv.multiply;

import org.apache.spark.sql.api.java.UDF3;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.operator.ConvOperator;
import org.tconv.read.SqlArrays;

import scala.collection.Seq;

/** The local Toeplitz product as a UDF: what {@code --verify} compares {@code --method direct} against. */
public final class ToeplitzUdf implements UDF3<Seq<Object>, Seq<Object>, Integer, double[]> {
    private static final long serialVersionUID = 1L;

    private final ConvSpec spec;

    public ToeplitzUdf(ConvSpec spec) {
        this.spec = spec;
    }

    @Override
    public double[] call(Seq<Object> shape, Seq<Object> values, Integer count) {
        if (shape == null || values == null || count == null) return null;
        ConvGeometry g = spec.geometry(SqlArrays.ints(shape));
        double[] x = SqlArrays.doubles(values);
        double[] y = new double[count * g.outputSize()];
        ConvOperator.of(g).convolve(x, 0, count, y, 0);
        return y;
    }
}
