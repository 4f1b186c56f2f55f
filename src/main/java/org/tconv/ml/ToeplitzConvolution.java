package org.tconv.ml;

import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.operator.Dtype;
import org.tconv.read.AdmissionBudget;
import org.tconv.read.NpyArray;
import org.tconv.read.WeightsFile;

/**
 * A PyTorch convolution ({@code Conv1d/2d/3d}) as a Spark ML transformer. The input column is one of
 * <ul>
 * <li>Spark's image struct ({@code spark.read.format("image")}), reordered from BGR(A) interleaved to the
 *     R, G, B planes tconv's own decoder gives for the same file (gray stays one channel, alpha is dropped);</li>
 * <li>{@code binary}: encoded PNG, JPEG, BMP, GIF or {@code .npy} bytes, decoded as {@code tconv run} decodes
 *     files, within the same admission budget ({@link #maxPixels()} and the executor's memory);</li>
 * <li>{@code array<double>} or an ML Vector holding one item in C order, with its shape ((C, H, W), (C, L)
 *     or (C, D, H, W)) in the {@code array<int>} column {@link #shapeCol()}, or the same {@link #inputShape()}
 *     for every row.</li>
 * </ul>
 * Rows may have different shapes: each partition is taken in chunks whose items are grouped by shape and
 * multiplied, a panel of items at a time, by their shape's sparse Toeplitz operator, built once per executor.
 * Three columns are added: the output (an ML Vector, C order), its shape ({@code array<int>}) and a reason
 * (string). A row that cannot be used (undecodable, wrong channel count, smaller than the kernel, ...) gets
 * a null output and shape and the reason; the others go through.
 *
 * <pre>
 *   new ToeplitzConvolution().setInputCol("image").setOutputCol("edges")
 *       .setWeights("conf/default-weights.npy").setPadding("1").transform(images);
 * </pre>
 */
public final class ToeplitzConvolution extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> outputShapeCol;
    private final Param<String> reasonCol;
    private final Param<String> shapeCol;
    private final IntArrayParam inputShape;
    private final IntArrayParam weightShape;
    private final DoubleArrayParam weights;
    private final DoubleArrayParam bias;
    private final IntArrayParam stride;
    private final Param<String> padding;
    private final IntArrayParam dilation;
    private final IntParam groups;
    private final Param<String> paddingMode;
    private final Param<String> method;
    private final Param<String> dtype;
    private final LongParam maxPixels;

    public ToeplitzConvolution() {
        this(Identifiable$.MODULE$.randomUID("toeplitzConv"));
    }

    public ToeplitzConvolution(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "input column: Spark's image struct, binary (encoded images), array<double> or ML Vector");
        outputCol = new Param<>(this, "outputCol", "output column: the convolution of each row as an ML Vector, C order (null for a row that cannot be used)");
        outputShapeCol = new Param<>(this, "outputShapeCol", "output shape column, array<int>: (C_out, outH, outW), (C_out, outL) or (C_out, outD, outH, outW); default outputCol + '_shape'");
        reasonCol = new Param<>(this, "reasonCol", "column of the reason a row has no output, null when it has one; default outputCol + '_reason'");
        shapeCol = new Param<>(this, "shapeCol", "array<int> column with each row's item shape (C, H, W), (C, L) or (C, D, H, W): for array<double> and vector inputs");
        inputShape = new IntArrayParam(this, "inputShape", "the item shape of every row of an array<double> or vector input without a shapeCol",
                Validators.of(v -> v.length >= 2 && v.length <= 4 && java.util.Arrays.stream(v).allMatch(x -> x >= 1)));
        weightShape = new IntArrayParam(this, "weightShape", "(C_out, C_in/groups, K), (C_out, C_in/groups, kH, kW) or (C_out, C_in/groups, kD, kH, kW)",
                Validators.of(v -> v.length >= 3 && v.length <= 5 && java.util.Arrays.stream(v).allMatch(x -> x >= 1)));
        weights = new DoubleArrayParam(this, "weights", "the weights, C order (as numpy.save writes conv.weight)",
                Validators.of(v -> v.length > 0 && java.util.Arrays.stream(v).allMatch(Double::isFinite)));
        bias = new DoubleArrayParam(this, "bias", "bias of length C_out, or empty for none",
                Validators.of(v -> java.util.Arrays.stream(v).allMatch(Double::isFinite)));
        stride = new IntArrayParam(this, "stride", "stride: one value for every axis or one per axis, each >= 1", Validators.perAxis(1));
        padding = new Param<>(this, "padding", "padding: an int, one per axis ('h,w'), 'same' or 'valid'",
                Validators.parses(s -> Padding.parse(s) != null));
        dilation = new IntArrayParam(this, "dilation", "dilation: one value for every axis or one per axis, each >= 1", Validators.perAxis(1));
        groups = new IntParam(this, "groups", "number of channel groups (>= 1)", ParamValidators.<Object>gtEq(1));
        paddingMode = new Param<>(this, "paddingMode", "padding mode: zeros, reflect, replicate or circular",
                ParamValidators.<String>inArray(new String[] {"zeros", "reflect", "replicate", "circular"}));
        method = new Param<>(this, "method", "toeplitz (batches through the sparse Toeplitz product) or direct (the reference loop, one item at a time)",
                ParamValidators.<String>inArray(new String[] {"toeplitz", "direct"}));
        dtype = new Param<>(this, "dtype", "precision of the toeplitz product: f64, or f32 (about 1e-7 relative error; outputs stay float64)",
                ParamValidators.<String>inArray(new String[] {"f64", "f32"}));
        maxPixels = new LongParam(this, "maxPixels", "largest image (width x height) decoded or accepted; a larger one is a row with a reason",
                ParamValidators.<Object>gtEq(1));
        setDefault(outputCol, uid + "__output");
        setDefault(bias, new double[0]);
        setDefault(stride, new int[] {1});
        setDefault(padding, "0");
        setDefault(dilation, new int[] {1});
        setDefault(groups, 1);
        setDefault(paddingMode, "zeros");
        setDefault(method, "toeplitz");
        setDefault(dtype, "f64");
        setDefault(maxPixels, AdmissionBudget.DEFAULT_MAX_PIXELS);
    }

    @Override
    public String uid() { return uid; }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public Param<String> outputShapeCol() { return outputShapeCol; }
    public Param<String> reasonCol() { return reasonCol; }
    public Param<String> shapeCol() { return shapeCol; }
    public IntArrayParam inputShape() { return inputShape; }
    public IntArrayParam weightShape() { return weightShape; }
    public DoubleArrayParam weights() { return weights; }
    public DoubleArrayParam bias() { return bias; }
    public IntArrayParam stride() { return stride; }
    public Param<String> padding() { return padding; }
    public IntArrayParam dilation() { return dilation; }
    public IntParam groups() { return groups; }
    public Param<String> paddingMode() { return paddingMode; }
    public Param<String> method() { return method; }
    public Param<String> dtype() { return dtype; }
    public LongParam maxPixels() { return maxPixels; }

    public String getInputCol() { return $(inputCol); }
    public String getOutputCol() { return $(outputCol); }
    public String getOutputShapeCol() { return isDefined(outputShapeCol) ? $(outputShapeCol) : getOutputCol() + "_shape"; }
    public String getReasonCol() { return isDefined(reasonCol) ? $(reasonCol) : getOutputCol() + "_reason"; }
    /** The shape column, or null when none is set. */
    public String getShapeCol() { return isDefined(shapeCol) ? $(shapeCol) : null; }
    /** The fixed item shape, or null when none is set. */
    public int[] getInputShape() { return isDefined(inputShape) ? $(inputShape).clone() : null; }
    public int[] getWeightShape() { return $(weightShape).clone(); }
    public double[] getWeights() { return $(weights).clone(); }
    public double[] getBias() { return $(bias).clone(); }
    public int[] getStride() { return $(stride).clone(); }
    public String getPadding() { return $(padding); }
    public int[] getDilation() { return $(dilation).clone(); }
    public int getGroups() { return (Integer) $(groups); }
    public String getPaddingMode() { return $(paddingMode); }
    public String getMethod() { return $(method); }
    public String getDtype() { return $(dtype); }
    public long getMaxPixels() { return (Long) $(maxPixels); }

    public ToeplitzConvolution setInputCol(String v) { set(inputCol, v); return this; }
    public ToeplitzConvolution setOutputCol(String v) { set(outputCol, v); return this; }
    public ToeplitzConvolution setOutputShapeCol(String v) { set(outputShapeCol, v); return this; }
    public ToeplitzConvolution setReasonCol(String v) { set(reasonCol, v); return this; }
    public ToeplitzConvolution setShapeCol(String v) { set(shapeCol, v); return this; }
    public ToeplitzConvolution setInputShape(int... v) { set(inputShape, v); return this; }
    public ToeplitzConvolution setWeights(int[] shape, double[] values) { set(weightShape, shape); set(weights, values); return this; }
    public ToeplitzConvolution setBias(double... v) { set(bias, v); return this; }
    public ToeplitzConvolution setStride(int... v) { set(stride, v); return this; }
    public ToeplitzConvolution setPadding(String v) { set(padding, v); return this; }
    public ToeplitzConvolution setDilation(int... v) { set(dilation, v); return this; }
    public ToeplitzConvolution setGroups(int v) { set(groups, v); return this; }
    public ToeplitzConvolution setPaddingMode(String v) { set(paddingMode, v); return this; }
    public ToeplitzConvolution setMethod(String v) { set(method, v); return this; }
    public ToeplitzConvolution setDtype(String v) { set(dtype, v); return this; }
    public ToeplitzConvolution setMaxPixels(long v) { set(maxPixels, v); return this; }

    /**
     * The weights from a {@code .npy} file (float32 or float64, any Hadoop path), as
     * {@code numpy.save("w.npy", conv.weight.detach().double().numpy())} writes them; read now, on the driver,
     * and kept as params (so {@code save} stores them).
     *
     * @throws IllegalArgumentException naming the file: missing, unreadable, not finite, wrong rank
     */
    public ToeplitzConvolution setWeights(String path) {
        NpyArray a = WeightsFile.load("weights", path, hadoopConf());
        if (a.shape.length < 3 || a.shape.length > 5) {
            throw new IllegalArgumentException("weights file " + path + " has shape (" + IntTuple.format(a.shape)
                    + "); a convolution's weights are (C_out, C_in/groups, K), (.., kH, kW) or (.., kD, kH, kW)");
        }
        return setWeights(a.shape, a.data);
    }

    /** The bias from a {@code .npy} vector of length C_out (checked against the weights when the transformer runs). */
    public ToeplitzConvolution setBias(String path) {
        NpyArray a = WeightsFile.load("bias", path, hadoopConf());
        if (a.shape.length != 1) {
            throw new IllegalArgumentException("bias file " + path + " has shape (" + IntTuple.format(a.shape) + "); a bias is a vector (C_out)");
        }
        return setBias(a.data);
    }

    private static Configuration hadoopConf() {
        var active = SparkSession.getActiveSession();
        return active.isDefined() ? active.get().sparkContext().hadoopConfiguration() : new Configuration();
    }

    /** The convolution these params describe; every PyTorch refusal surfaces here as IllegalArgumentException. */
    public ConvSpec spec() {
        if (!isDefined(weights)) throw new IllegalArgumentException("weights are not set (setWeights)");
        double[] b = $(bias);
        return ConvSpec.builder($(weightShape), $(weights))
                .bias(b.length == 0 ? null : b)
                .stride($(stride))
                .padding(Padding.parse($(padding)))
                .dilation($(dilation))
                .groups(getGroups())
                .paddingMode(PaddingMode.parse($(paddingMode)))
                .build();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = getInputCol();
        if (schema.getFieldIndex(in).isEmpty()) {
            throw new IllegalArgumentException("input column " + in + " does not exist; the columns are " + String.join(", ", schema.fieldNames()));
        }
        InputKind kind = InputKind.of(in, schema.apply(in).dataType());
        ConvSpec s = spec();
        String shapes = getShapeCol();
        if (shapes != null) {
            if (!kind.needsShape()) {
                throw new IllegalArgumentException("shapeCol is for array<double> and vector inputs; " + in + " is " + kind.description
                        + ", which carries its own shape");
            }
            if (schema.getFieldIndex(shapes).isEmpty()) throw new IllegalArgumentException("shape column " + shapes + " does not exist");
            var t = schema.apply(shapes).dataType();
            if (!(t instanceof ArrayType) || !((ArrayType) t).elementType().equals(DataTypes.IntegerType)) {
                throw new IllegalArgumentException("shape column " + shapes + " is " + t.simpleString() + ", not array<int>");
            }
        } else if (kind.needsShape() && getInputShape() == null) {
            throw new IllegalArgumentException("input column " + in + " is " + kind.description
                    + ", which does not say its shape: set shapeCol (an array<int> column) or inputShape");
        }
        if (!kind.needsShape() && s.dims() != 2) {
            throw new IllegalArgumentException("input column " + in + " holds images, (C, H, W), which need 2-D weights; these are "
                    + s.dims() + "-D");
        }
        if (shapes == null && getInputShape() != null && kind.needsShape()) {
            s.geometry(getInputShape()); // fails early on a shape PyTorch would refuse for every row
        }
        List<String> added = List.of(getOutputCol(), getOutputShapeCol(), getReasonCol());
        for (String c : added) {
            if (schema.getFieldIndex(c).isDefined()) throw new IllegalArgumentException("output column " + c + " already exists");
        }
        if (new java.util.HashSet<>(added).size() < 3) {
            throw new IllegalArgumentException("outputCol, outputShapeCol and reasonCol must differ, got " + String.join(", ", added));
        }
        List<StructField> fields = new ArrayList<>(List.of(schema.fields()));
        fields.add(DataTypes.createStructField(getOutputCol(), SQLDataTypes.VectorType(), true));
        fields.add(DataTypes.createStructField(getOutputShapeCol(), DataTypes.createArrayType(DataTypes.IntegerType, false), true));
        fields.add(DataTypes.createStructField(getReasonCol(), DataTypes.StringType, true));
        return DataTypes.createStructType(fields);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        StructType out = transformSchema(schema);
        ConvSpec s = spec();
        String in = getInputCol();
        InputKind kind = InputKind.of(in, schema.apply(in).dataType());
        int shapeIndex = getShapeCol() == null ? -1 : schema.fieldIndex(getShapeCol());
        AdmissionBudget budget = AdmissionBudget.defaults().withMaxPixels(getMaxPixels());
        RowItems items = new RowItems(kind, schema.fieldIndex(in), shapeIndex, getInputShape(), s, budget);
        var f = new PartitionConvolution(items, s, getMethod().equals("direct"), Dtype.parse(getDtype()), budget);
        return dataset.toDF().mapPartitions(f, Encoders.row(out));
    }

    @Override
    public ToeplitzConvolution copy(ParamMap extra) {
        return (ToeplitzConvolution) defaultCopy(extra);
    }

    /** What it computes and where, in one line: {@code ToeplitzConvolution(uid): image -> edges (...), Conv2d(...), method toeplitz, f64}. */
    @Override
    public String toString() {
        String conv;
        try {
            conv = spec().toString();
        } catch (IllegalArgumentException e) {
            conv = "no convolution (" + e.getMessage() + ")";
        }
        String input = isDefined(inputCol) ? getInputCol() : "?";
        String shape = getShapeCol() != null ? " with shapes in " + getShapeCol()
                : getInputShape() != null ? " of shape (" + IntTuple.format(getInputShape()) + ")" : "";
        return "ToeplitzConvolution(" + uid + "): " + input + shape + " -> " + getOutputCol() + " (shape " + getOutputShapeCol()
                + ", reason " + getReasonCol() + "), " + conv + ", method " + getMethod()
                + (getMethod().equals("toeplitz") ? " " + getDtype() : "") + ", max " + getMaxPixels() + " pixels";
    }

    public static MLReader<ToeplitzConvolution> read() {
        return new DefaultParamsReader<>();
    }

    public static ToeplitzConvolution load(String path) {
        return read().load(path);
    }
}
