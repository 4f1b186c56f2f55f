package org.tconv.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.multiply.LocalToeplitz;

/**
 * A PyTorch convolution as a Spark ML transformer: each row's vector, one (C, H, W) or (C, L) item
 * flattened in C order, becomes the flattened (C_out, outH, outW) output, computed as T x with the sparse
 * Toeplitz matrix of {@code inputShape} (built once per executor).
 *
 * <pre>
 *   new ToeplitzConvolution().setInputCol("pixels").setOutputCol("edges")
 *       .setWeights(new int[] {1, 1, 3, 3}, sobel).setInputShape(1, 28, 28).setPadding("same")
 *       .transform(df);
 * </pre>
 */
public final class ToeplitzConvolution extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final IntArrayParam inputShape;
    private final IntArrayParam weightShape;
    private final DoubleArrayParam weights;
    private final DoubleArrayParam bias;
    private final IntArrayParam stride;
    private final Param<String> padding;
    private final IntArrayParam dilation;
    private final IntParam groups;
    private final Param<String> paddingMode;

    public ToeplitzConvolution() {
        this(Identifiable$.MODULE$.randomUID("toeplitzConv"));
    }

    public ToeplitzConvolution(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "input column of ML vectors: one item, C order");
        outputCol = new Param<>(this, "outputCol", "output column of ML vectors: the convolution, C order");
        inputShape = new IntArrayParam(this, "inputShape", "shape of one input item: (C, H, W) or (C, L)");
        weightShape = new IntArrayParam(this, "weightShape", "(C_out, C_in/groups, kH, kW) or (C_out, C_in/groups, K)");
        weights = new DoubleArrayParam(this, "weights", "the weights, C order");
        bias = new DoubleArrayParam(this, "bias", "bias of length C_out, or empty for none");
        stride = new IntArrayParam(this, "stride", "stride: one value or (h, w)");
        padding = new Param<>(this, "padding", "padding: an int, 'h,w', 'same' or 'valid'");
        dilation = new IntArrayParam(this, "dilation", "dilation: one value or (h, w)");
        groups = new IntParam(this, "groups", "number of channel groups");
        paddingMode = new Param<>(this, "paddingMode", "zeros, reflect, replicate or circular");
        setDefault(outputCol, uid + "__output");
        setDefault(bias, new double[0]);
        setDefault(stride, new int[] {1});
        setDefault(padding, "0");
        setDefault(dilation, new int[] {1});
        setDefault(groups, 1);
        setDefault(paddingMode, "zeros");
    }

    @Override
    public String uid() { return uid; }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public IntArrayParam inputShape() { return inputShape; }
    public IntArrayParam weightShape() { return weightShape; }
    public DoubleArrayParam weights() { return weights; }
    public DoubleArrayParam bias() { return bias; }
    public IntArrayParam stride() { return stride; }
    public Param<String> padding() { return padding; }
    public IntArrayParam dilation() { return dilation; }
    public IntParam groups() { return groups; }
    public Param<String> paddingMode() { return paddingMode; }

    public ToeplitzConvolution setInputCol(String v) { set(inputCol, v); return this; }
    public ToeplitzConvolution setOutputCol(String v) { set(outputCol, v); return this; }
    public ToeplitzConvolution setInputShape(int... v) { set(inputShape, v); return this; }
    public ToeplitzConvolution setWeights(int[] shape, double[] values) { set(weightShape, shape); set(weights, values); return this; }
    public ToeplitzConvolution setBias(double... v) { set(bias, v); return this; }
    public ToeplitzConvolution setStride(int... v) { set(stride, v); return this; }
    public ToeplitzConvolution setPadding(String v) { set(padding, v); return this; }
    public ToeplitzConvolution setDilation(int... v) { set(dilation, v); return this; }
    public ToeplitzConvolution setGroups(int v) { set(groups, v); return this; }
    public ToeplitzConvolution setPaddingMode(String v) { set(paddingMode, v); return this; }

    /** The convolution these params describe; every PyTorch refusal surfaces here as IllegalArgumentException. */
    public ConvSpec spec() {
        double[] b = $(bias);
        return ConvSpec.builder($(weightShape), $(weights))
                .bias(b.length == 0 ? null : b)
                .stride($(stride))
                .padding(Padding.parse($(padding)))
                .dilation($(dilation))
                .groups((Integer) $(groups))
                .paddingMode(PaddingMode.parse($(paddingMode)))
                .build();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        StructField in = schema.apply($(inputCol));
        if (!in.dataType().equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException("column " + $(inputCol) + " must be an ML Vector, got " + in.dataType().simpleString());
        }
        if (schema.getFieldIndex($(outputCol)).isDefined()) {
            throw new IllegalArgumentException("output column " + $(outputCol) + " already exists");
        }
        spec().geometry($(inputShape)); // fails early on shapes PyTorch would refuse
        return schema.add($(outputCol), SQLDataTypes.VectorType(), true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        ConvGeometry g = spec().geometry($(inputShape));
        UDF1<Vector, Vector> f = x -> {
            if (x == null) return null;
            if (x.size() != g.inputSize()) {
                throw new IllegalArgumentException("vector of size " + x.size() + " does not hold an input of " + g.inputSize() + " values");
            }
            double[] y = new double[g.outputSize()];
            LocalToeplitz.of(g).apply(x.toArray(), 0, 1, y, 0);
            return Vectors.dense(y);
        };
        return dataset.withColumn($(outputCol), udf(f, SQLDataTypes.VectorType()).apply(col($(inputCol))));
    }

    @Override
    public ToeplitzConvolution copy(ParamMap extra) {
        return (ToeplitzConvolution) defaultCopy(extra);
    }

    public static MLReader<ToeplitzConvolution> read() {
        return new DefaultParamsReader<>();
    }

    public static ToeplitzConvolution load(String path) {
        return read().load(path);
    }
}
