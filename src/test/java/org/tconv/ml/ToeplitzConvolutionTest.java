package org.tconv.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import javax.imageio.ImageIO;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.operator.OperatorCache;
import org.tconv.read.ImageDecoder;
import org.tconv.read.NpyArray;
import org.tconv.testing.SharedSpark;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectConvolution;

/**
 * The transformer against the direct loop ({@link DirectConvolution}) on every input type, with the files'
 * pixels taken from tconv's own file decoder, so the image-struct bridge is checked independently of itself.
 */
class ToeplitzConvolutionTest {
    private static final Path PHOTOS = TestFiles.home().resolve("data/images");
    private static final String WEIGHTS = TestFiles.home().resolve("conf/default-weights.npy").toString();

    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    /** Max |a - b| within 1e-12 of the largest |b| (the product sums in another order than the loop). */
    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        double scale = 1;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - got[i]) > 1e-12 * scale) {
                throw new AssertionError(what + ": value " + i + " is " + got[i] + ", the direct loop gives " + want[i]);
            }
        }
    }

    /** A Scala Seq, as createDataFrame takes array columns. */
    private static Object seq(Object... values) {
        return scala.collection.immutable.ArraySeq.unsafeWrapArray(values);
    }

    private static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Path fileOf(String origin) {
        return Paths.get(URI.create(origin));
    }

    /** Every sample photo through Spark's image source and the bridge is what tconv's decoder makes of the file. */
    @Test
    void imageStructIsReorderedToTheFileDecodersRgbPlanes() throws IOException {
        List<Row> rows = spark.read().format("image").load(PHOTOS.toString()).collectAsList();
        assertEquals(3, rows.size());
        for (Row r : rows) {
            Row image = r.getStruct(0);
            Item item = SparkImages.toItem(image, org.tconv.read.AdmissionBudget.defaults());
            NpyArray file = ImageDecoder.decode(Files.readAllBytes(fileOf(image.getAs("origin"))));
            String name = image.getAs("origin");
            assertArrayEquals(file.shape, item.shape, name);
            assertArrayEquals(file.data, item.values, 0.0, name);
        }
    }

    /** An RGBA and a gray PNG: Spark's 4- and 1-channel structs bridge to the file decoder's 3 and 1 planes. */
    @Test
    void alphaAndGrayImageStructsMatchTheFileDecoder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("alpha"));
        BufferedImage chelsea = ImageIO.read(PHOTOS.resolve("chelsea.png").toFile());
        BufferedImage rgba = new BufferedImage(23, 19, BufferedImage.TYPE_4BYTE_ABGR);
        for (int y = 0; y < 19; y++) {
            for (int x = 0; x < 23; x++) rgba.setRGB(x, y, (chelsea.getRGB(3 * x, 5 * y) & 0xffffff) | ((x * 11 + y * 3) % 256) << 24);
        }
        ImageIO.write(rgba, "png", dir.resolve("rgba.png").toFile());
        BufferedImage gray = new BufferedImage(17, 9, BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(chelsea, 0, 0, null);
        ImageIO.write(gray, "png", dir.resolve("gray.png").toFile());
        List<Row> rows = spark.read().format("image").load(dir.toString()).collectAsList();
        assertEquals(2, rows.size());
        Set<Integer> channels = new HashSet<>();
        for (Row r : rows) {
            Row image = r.getStruct(0);
            channels.add(image.getAs("nChannels"));
            Item item = SparkImages.toItem(image, org.tconv.read.AdmissionBudget.defaults());
            NpyArray file = ImageDecoder.decode(Files.readAllBytes(fileOf(image.getAs("origin"))));
            assertArrayEquals(file.shape, item.shape, image.<String>getAs("origin"));
            assertArrayEquals(file.data, item.values, 0.0, image.<String>getAs("origin"));
        }
        assertEquals(Set.of(1, 4), channels);
    }

    /** Structs that do not hold what they claim are reasons, with the figures. */
    @Test
    void inconsistentImageStructsAreRefused() {
        StructType schema = org.apache.spark.ml.image.ImageSchema.columnSchema();
        var budget = org.tconv.read.AdmissionBudget.defaults();
        Row ok = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(
                new Object[] {"x", 1, 2, 3, 16, new byte[] {30, 10, (byte) 200, 0, 0, (byte) 255}}, schema);
        Item item = SparkImages.toItem(ok, budget);
        assertArrayEquals(new int[] {3, 1, 2}, item.shape);
        assertArrayEquals(new double[] {200, 255, 10, 0, 30, 0}, item.values, 0.0);
        Row shortData = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {"x", 2, 2, 3, 16, new byte[6]}, schema);
        var e = assertThrows(org.tconv.conv.InputRejectedException.class, () -> SparkImages.toItem(shortData, budget));
        assertEquals("image struct of 2x2x3 holds 6 bytes of data, not 12", e.getMessage());
        Row float32 = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {"x", 1, 1, 3, 21, new byte[12]}, schema);
        e = assertThrows(org.tconv.conv.InputRejectedException.class, () -> SparkImages.toItem(float32, budget));
        assertTrue(e.getMessage().startsWith("image struct of mode 21"), e.getMessage());
        Row huge = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {"x", 30000, 30000, 1, 0, new byte[0]}, schema);
        e = assertThrows(org.tconv.conv.InputRejectedException.class, () -> SparkImages.toItem(huge, budget));
        assertTrue(e.getMessage().contains("over the limit of 178956970 pixels"), e.getMessage());
    }

    /** PNGs of several sizes (crops of the photos, a gray one), a corrupt file and a text file named .png in one folder. */
    private Path mixedFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        BufferedImage astronaut = ImageIO.read(PHOTOS.resolve("astronaut.png").toFile());
        BufferedImage chelsea = ImageIO.read(PHOTOS.resolve("chelsea.png").toFile());
        int[][] crops = {{64, 64}, {64, 64}, {31, 17}, {5, 90}, {64, 64}, {2, 2}}; // 2x2 is smaller than no kernel, padding 1 takes it
        for (int i = 0; i < crops.length; i++) {
            BufferedImage src = i % 2 == 0 ? astronaut : chelsea;
            BufferedImage crop = new BufferedImage(crops[i][0], crops[i][1], BufferedImage.TYPE_3BYTE_BGR);
            crop.getGraphics().drawImage(src.getSubimage(7 * i, 11 * i, crops[i][0], crops[i][1]), 0, 0, null);
            ImageIO.write(crop, "png", dir.resolve("crop" + i + ".png").toFile());
        }
        BufferedImage gray = new BufferedImage(20, 30, BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(chelsea, 0, 0, null);
        ImageIO.write(gray, "png", dir.resolve("gray.png").toFile());
        byte[] png = Files.readAllBytes(PHOTOS.resolve("chelsea.png"));
        Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, 300));
        Files.writeString(dir.resolve("notes.png"), "not an image");
        return dir;
    }

    private ToeplitzConvolution sobel(String input) {
        return new ToeplitzConvolution().setInputCol(input).setOutputCol("edges").setWeights(WEIGHTS).setPadding("1");
    }

    /** For each file of the folder: the direct loop on tconv's own decode, or null where it cannot be convolved. */
    private static double[] direct(ConvSpec spec, Path file) throws IOException {
        NpyArray a;
        try {
            a = ImageDecoder.decode(Files.readAllBytes(file));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (a.shape[0] != spec.inChannels()) return null;
        return DirectConvolution.convolve(spec.geometry(a.shape), a.data, 0);
    }

    @Test
    void imageSourceWithMixedSizesAndCorruptFilesEqualsTheDirectLoop() throws IOException {
        Path dir = mixedFolder();
        Dataset<Row> images = spark.read().format("image").load(dir.toString()).repartition(2);
        ToeplitzConvolution t = sobel("image");
        long builds = OperatorCache.buildCount();
        List<Row> out = t.transform(images).collectAsList();
        long built = OperatorCache.buildCount() - builds;
        List<Row> reference = t.copy(new org.apache.spark.ml.param.ParamMap()).setMethod("direct").transform(images).collectAsList();
        assertEquals(9, out.size());
        Set<List<Integer>> shapes = new HashSet<>();
        Map<String, Row> byName = new HashMap<>();
        for (Row r : out) byName.put(fileOf(r.getStruct(0).getAs("origin")).getFileName().toString(), r);
        Map<String, Row> directByName = new HashMap<>();
        for (Row r : reference) directByName.put(fileOf(r.getStruct(0).getAs("origin")).getFileName().toString(), r);
        for (var e : byName.entrySet()) {
            Row r = e.getValue();
            double[] want = direct(t.spec(), dir.resolve(e.getKey()));
            if (want == null) {
                assertNull(r.getAs("edges"), e.getKey());
                assertNull(r.getAs("edges_shape"), e.getKey());
                assertNotNull(r.getAs("edges_reason"), e.getKey());
                assertEquals(r.<String>getAs("edges_reason"), directByName.get(e.getKey()).getAs("edges_reason"));
                continue;
            }
            assertNull(r.getAs("edges_reason"), e.getKey());
            assertClose(want, r.<Vector>getAs("edges").toArray(), e.getKey());
            assertClose(want, directByName.get(e.getKey()).<Vector>getAs("edges").toArray(), e.getKey() + " (direct)");
            Row image = r.getStruct(0);
            assertEquals(List.of(2, image.<Integer>getAs("height"), image.<Integer>getAs("width")), r.getList(r.fieldIndex("edges_shape")));
            shapes.add(List.of(image.<Integer>getAs("height"), image.<Integer>getAs("width")));
        }
        assertEquals(4, shapes.size()); // 64x64, 17x31, 90x5, 2x2
        assertTrue(built <= shapes.size(), built + " operators built for " + shapes.size() + " shapes");
        assertTrue(byName.get("cut.png").<String>getAs("edges_reason").contains("could not decode"), byName.get("cut.png").toString());
        assertTrue(byName.get("notes.png").<String>getAs("edges_reason").contains("could not decode"));
        assertEquals("input has 1 channel, weights expect 3 (C_in/groups=3 x groups=1)", byName.get("gray.png").getAs("edges_reason"));
    }

    @Test
    void binaryColumnIsDecodedAsTheCliDecodesFiles() throws IOException {
        Path dir = mixedFolder();
        double[] chw = new double[3 * 9 * 8];
        Random random = new Random(3);
        for (int i = 0; i < chw.length; i++) chw[i] = random.nextGaussian();
        TestFiles.write(dir.resolve("item.npy"), new int[] {3, 9, 8}, chw);
        TestFiles.write(dir.resolve("batch.npy"), new int[] {2, 3, 4, 4}, new double[96]);
        Dataset<Row> files = spark.read().format("binaryFile").load(dir.toString());
        ToeplitzConvolution t = sobel("content");
        List<Row> out = t.transform(files).collectAsList();
        assertEquals(11, out.size());
        for (Row r : out) {
            Path file = fileOf(r.getAs("path"));
            String name = file.getFileName().toString();
            double[] want;
            if (name.equals("item.npy")) want = DirectConvolution.convolve(t.spec().geometry(new int[] {3, 9, 8}), chw, 0);
            else if (name.equals("batch.npy")) want = null;
            else want = direct(t.spec(), file);
            if (want == null) {
                assertNull(r.getAs("edges"), name);
                assertNotNull(r.getAs("edges_reason"), name);
            } else {
                assertNull(r.getAs("edges_reason"), name);
                assertClose(want, r.<Vector>getAs("edges").toArray(), name);
            }
        }
        Map<String, String> reasons = new HashMap<>();
        for (Row r : out) reasons.put(fileOf(r.getAs("path")).getFileName().toString(), r.getAs("edges_reason"));
        assertTrue(reasons.get("cut.png").startsWith("cannot decode image"), reasons.get("cut.png"));
        assertTrue(reasons.get("batch.npy").contains("a batch of 2 items"), reasons.get("batch.npy"));
        // the admission budget of the CLI: a pixel limit below the crops' sizes turns them into reasons
        List<Row> limited = t.copy(new org.apache.spark.ml.param.ParamMap()).setMaxPixels(1000).transform(files).collectAsList();
        for (Row r : limited) {
            if (fileOf(r.getAs("path")).getFileName().toString().equals("crop0.png")) {
                assertEquals("image of 64x64 = 4096 pixels is over the limit of 1000 pixels (--max-pixels)", r.getAs("edges_reason"));
            }
        }
    }

    private static final StructType VECTORS = new StructType().add("id", DataTypes.IntegerType).add("x", SQLDataTypes.VectorType())
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType));

    /** Rows of 1-D items of several lengths, one of them wrong in each way a row can be. */
    private List<Row> signals(Random r) {
        List<Row> rows = new ArrayList<>();
        int[][] shapes = {{2, 40}, {2, 40}, {2, 7}, {2, 1000}, {2, 40}, {2, 3}, {2, 9}, {1, 40}, {2, 2}};
        for (int i = 0; i < shapes.length; i++) {
            int n = shapes[i][0] * shapes[i][1];
            double[] x = new double[i == 6 ? n + 1 : n]; // row 6: shape and values disagree
            for (int j = 0; j < x.length; j++) x[j] = r.nextGaussian();
            rows.add(RowFactory.create(i, Vectors.dense(x), seq(shapes[i][0], shapes[i][1])));
        }
        rows.add(RowFactory.create(9, null, seq(2, 40)));
        rows.add(RowFactory.create(10, Vectors.dense(new double[80]), null));
        return rows;
    }

    private static ToeplitzConvolution oneD(Random r) {
        double[] w = new double[3 * 2 * 5];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return new ToeplitzConvolution().setInputCol("x").setShapeCol("shape").setOutputCol("y")
                .setWeights(new int[] {3, 2, 5}, w).setBias(0.5, -1, 2).setDilation(2).setPadding("3").setPaddingMode("reflect");
    }

    private void checkSignals(ToeplitzConvolution t, List<Row> in, List<Row> out) {
        assertEquals(in.size(), out.size());
        Map<Integer, String> reasons = new HashMap<>();
        for (Row o : out) {
            int id = o.getInt(0);
            Row i = in.get(id);
            reasons.put(id, o.getAs("y_reason"));
            if (o.getAs("y_reason") != null) {
                assertNull(o.getAs("y"));
                continue;
            }
            int[] shape = ints(i.getList(2));
            ConvGeometry g = t.spec().geometry(shape);
            assertClose(DirectConvolution.convolve(g, ((Vector) i.get(1)).toArray(), 0), o.<Vector>getAs("y").toArray(), "row " + id);
            assertArrayEquals(g.outputShape(), ints(o.getList(o.fieldIndex("y_shape"))));
        }
        assertEquals(null, reasons.get(0));
        assertEquals(null, reasons.get(3));
        assertEquals("reflect padding 3 needs input length > 3, got 3", reasons.get(5));
        assertEquals("shape (2,9) holds 18 values, the input has 19", reasons.get(6));
        assertEquals("input has 1 channel, weights expect 2 (C_in/groups=2 x groups=1)", reasons.get(7));
        assertTrue(reasons.get(8).startsWith("reflect padding 3"), reasons.get(8));
        assertEquals("the input is null", reasons.get(9));
        assertEquals("the shape is null", reasons.get(10));
    }

    @Test
    void vectorsWithAShapeColumnEqualTheDirectLoop() {
        Random r = new Random(4);
        ToeplitzConvolution t = oneD(r);
        List<Row> in = signals(r);
        Dataset<Row> df = spark.createDataFrame(in, VECTORS).repartition(3);
        checkSignals(t, in, t.transform(df).collectAsList());
        checkSignals(t, in, t.copy(new org.apache.spark.ml.param.ParamMap()).setMethod("direct").transform(df).collectAsList());
    }

    @Test
    void arraysWithAShapeColumnEqualTheDirectLoop() {
        Random r = new Random(5);
        ToeplitzConvolution t = oneD(r);
        List<Row> in = signals(r);
        List<Row> arrays = new ArrayList<>();
        for (Row row : in) {
            Vector v = (Vector) row.get(1);
            Object values = null;
            if (v != null) values = seq(Arrays.stream(v.toArray()).boxed().toArray());
            arrays.add(RowFactory.create(row.get(0), values, row.get(2)));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("x", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("shape", DataTypes.createArrayType(DataTypes.IntegerType));
        checkSignals(t, in, t.transform(spark.createDataFrame(arrays, schema)).collectAsList());
    }

    @Test
    void aFixedInputShapeServesVectorsWithoutAShapeColumn() {
        Random r = new Random(6);
        double[] w = new double[2 * 1 * 3 * 2];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        ToeplitzConvolution t = new ToeplitzConvolution().setInputCol("x").setOutputCol("y").setWeights(new int[] {2, 1, 3, 2}, w)
                .setBias(0.5, -1.0).setInputShape(1, 6, 5).setPadding("same").setPaddingMode("reflect").setDtype("f32");
        List<Row> rows = new ArrayList<>();
        List<double[]> xs = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            double[] x = new double[30];
            for (int j = 0; j < 30; j++) x[j] = r.nextDouble();
            xs.add(x);
            rows.add(RowFactory.create(i, Vectors.dense(x)));
        }
        List<Row> out = t.transform(spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType).add("x", SQLDataTypes.VectorType())))
                .collectAsList();
        ConvGeometry g = t.spec().geometry(new int[] {1, 6, 5});
        for (Row o : out) {
            double[] want = DirectConvolution.convolve(g, xs.get(o.getInt(0)), 0), got = o.<Vector>getAs("y").toArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), "f32 value " + i);
        }
    }

    @Test
    void paramsAndResultsSurviveSaveAndLoad() throws Exception {
        ToeplitzConvolution t = oneD(new Random(7)).setMethod("direct").setDtype("f32").setMaxPixels(12345).setReasonCol("why");
        String path = tmp.resolve("model").toString();
        t.write().overwrite().save(path);
        ToeplitzConvolution back = ToeplitzConvolution.load(path);
        assertEquals(t.uid(), back.uid());
        assertEquals(t.spec(), back.spec());
        assertEquals(t.toString(), back.toString());
        assertEquals("direct", back.getMethod());
        assertEquals("f32", back.getDtype());
        assertEquals(12345, back.getMaxPixels());
        assertEquals("why", back.getReasonCol());
        assertEquals("y_shape", back.getOutputShapeCol());
        assertEquals("shape", back.getShapeCol());
        assertArrayEquals(new double[] {0.5, -1, 2}, back.getBias());
        List<Row> in = signals(new Random(8));
        Dataset<Row> df = spark.createDataFrame(in, VECTORS);
        List<Row> a = t.transform(df).collectAsList(), b = back.transform(df).collectAsList();
        assertEquals(a, b);
    }

    @Test
    void schemaAndParamErrorsAreClearBeforeAnyJob() throws IOException {
        ToeplitzConvolution t = oneD(new Random(9));
        var strings = new StructType().add("x", DataTypes.StringType);
        var e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(strings));
        assertEquals("input column x is string; ToeplitzConvolution takes Spark's image struct, binary (encoded images), array<double> "
                + "or an ML Vector (the last two with a shape column)", e.getMessage());
        var noShape = new StructType().add("x", SQLDataTypes.VectorType());
        e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(noShape));
        assertEquals("shape column shape does not exist", e.getMessage());
        var unset = t.copy(new org.apache.spark.ml.param.ParamMap());
        unset.clear(unset.shapeCol());
        e = assertThrows(IllegalArgumentException.class, () -> unset.transformSchema(noShape));
        assertTrue(e.getMessage().contains("set shapeCol (an array<int> column) or inputShape"), e.getMessage());
        var badShape = new StructType().add("x", SQLDataTypes.VectorType()).add("shape", DataTypes.createArrayType(DataTypes.LongType));
        e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(badShape));
        assertEquals("shape column shape is array<bigint>, not array<int>", e.getMessage());
        var taken = VECTORS.add("y_shape", DataTypes.StringType);
        e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(taken));
        assertEquals("output column y_shape already exists", e.getMessage());
        var missing = new StructType().add("pixels", SQLDataTypes.VectorType());
        e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(missing));
        assertEquals("input column x does not exist; the columns are pixels", e.getMessage());
        // images need 2-D weights, and carry their own shape
        var images = new StructType().add("x", org.apache.spark.ml.image.ImageSchema.columnSchema());
        e = assertThrows(IllegalArgumentException.class, () -> t.transformSchema(images));
        assertTrue(e.getMessage().startsWith("shapeCol is for array<double> and vector inputs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> unset.transformSchema(images));
        assertEquals("input column x holds images, (C, H, W), which need 2-D weights; these are 1-D", e.getMessage());
        // PyTorch's refusals of the spec itself
        var strided = t.copy(new org.apache.spark.ml.param.ParamMap()).setPadding("same").setStride(2);
        e = assertThrows(IllegalArgumentException.class, () -> strided.transformSchema(VECTORS));
        assertTrue(e.getMessage().contains("strided"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ToeplitzConvolution().setInputCol("x").transformSchema(VECTORS));
        assertEquals("weights are not set (setWeights)", e.getMessage());
        // params refuse bad values when set
        assertThrows(IllegalArgumentException.class, () -> t.setStride(0));
        assertThrows(IllegalArgumentException.class, () -> t.setStride(1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> t.setPaddingMode("mirror"));
        assertThrows(IllegalArgumentException.class, () -> t.setPadding("lots"));
        assertThrows(IllegalArgumentException.class, () -> t.setMethod("fft"));
        assertThrows(IllegalArgumentException.class, () -> t.setGroups(0));
        assertThrows(IllegalArgumentException.class, () -> t.setBias(Double.NaN));
        // weights files
        e = assertThrows(IllegalArgumentException.class, () -> t.setWeights(tmp.resolve("none.npy").toString()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path flat = TestFiles.write(tmp.resolve("flat.npy"), new int[] {4}, new double[4]);
        e = assertThrows(IllegalArgumentException.class, () -> t.setWeights(flat.toString()));
        assertTrue(e.getMessage().contains("has shape (4)"), e.getMessage());
    }

    @Test
    void weightsAndBiasFromNpyFiles() throws IOException {
        double[] w = new double[2 * 3 * 2 * 2];
        for (int i = 0; i < w.length; i++) w[i] = i - 5;
        Path wf = TestFiles.write(tmp.resolve("w.npy"), new int[] {2, 3, 2, 2}, w);
        Path bf = TestFiles.write(tmp.resolve("b.npy"), new int[] {2}, new double[] {1, -2});
        ToeplitzConvolution t = new ToeplitzConvolution().setInputCol("image").setWeights(wf.toString()).setBias(bf.toString());
        assertArrayEquals(new int[] {2, 3, 2, 2}, t.getWeightShape());
        assertArrayEquals(w, t.getWeights());
        assertArrayEquals(new double[] {1, -2}, t.getBias());
        assertTrue(t.toString().contains("Conv2d(weights (2,3,2,2)"), t.toString());
        assertTrue(t.toString().contains("bias=true"), t.toString());
        assertTrue(t.toString().contains("image -> " + t.uid() + "__output"), t.toString());
    }

    @Test
    void toStringSaysWhatItComputesAsTheReadmeShows() {
        ToeplitzConvolution t = sobel("image");
        assertEquals("ToeplitzConvolution(" + t.uid() + "): image -> edges (shape edges_shape, reason edges_reason), Conv2d(weights (2,3,3,3), "
                + "stride=1,1, padding=1, dilation=1,1, groups=1, padding_mode=zeros, bias=false), method toeplitz f64, max 178956970 pixels",
                t.toString());
        assertTrue(new ToeplitzConvolution().toString().contains("no convolution (weights are not set (setWeights))"));
    }

    @Test
    void worksInsideAPipeline() throws IOException {
        Path dir = mixedFolder();
        Dataset<Row> images = spark.read().format("image").load(dir.toString());
        ToeplitzConvolution conv = sobel("image");
        SQLTransformer usable = new SQLTransformer().setStatement("SELECT image.origin AS origin, edges FROM __THIS__ WHERE edges_reason IS NULL");
        Normalizer norm = new Normalizer().setInputCol("edges").setOutputCol("unit").setP(Double.POSITIVE_INFINITY);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {conv, usable, norm});
        PipelineModel model = pipeline.fit(images);
        model.write().overwrite().save(tmp.resolve("pipeline").toString());
        List<Row> out = PipelineModel.load(tmp.resolve("pipeline").toString()).transform(images).collectAsList();
        assertEquals(6, out.size());
        for (Row r : out) {
            double[] want = direct(conv.spec(), fileOf(r.getAs("origin")));
            double max = 0;
            for (double v : want) max = Math.max(max, Math.abs(v));
            for (int i = 0; i < want.length; i++) want[i] /= max;
            assertClose(want, r.<Vector>getAs("unit").toArray(), r.getAs("origin"));
        }
    }
}
