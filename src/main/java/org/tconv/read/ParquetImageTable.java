package org.tconv.read;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * A Parquet table of encoded images ({@code --input} with {@code --image-column}): which column holds the
 * bytes (a {@code binary} column, or a struct with a binary {@code bytes} field as Hugging Face datasets store
 * {@code Image}), which names each row (its key), and which scalar columns travel with the features into
 * Parquet output. Only the schema (the footers) is read on the driver; rows are read by Spark's Parquet
 * reader inside the tasks, and each becomes an {@link ImageBatch} named by its key, decoded by the same
 * guarded decoder and budget as a file.
 *
 * <p>A row's key: {@code --key-column}; else the struct's {@code path}; else a column {@code key} or
 * {@code __key__}; else the row's position (0, 1, ... over the table's files in path order). A row whose
 * struct or its {@code path} is null (Hugging Face stores images given as bytes so) is named by the column
 * {@code key} or {@code __key__} where the table has one, else by its position.
 */
public final class ParquetImageTable implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Columns of tconv's own Parquet output, which a carried column may not shadow. */
    public static final List<String> OUTPUT_COLUMNS = List.of("path", "index", "shape", "values");

    enum KeySource { COLUMN, STRUCT_PATH, POSITION }

    private final String input;
    private final String imageColumn;
    private final boolean struct;
    private final KeySource keySource;
    private final String keyColumn;
    /** With {@link KeySource#STRUCT_PATH}: the column {@code key} or {@code __key__} naming a row whose path is null, or null. */
    private final String pathlessKey;
    private final StructType carried;
    /** The files read (those {@link ParquetFooterCheck} passed), or null to let Spark list {@code input}. */
    private List<String> files;
    private Map<String, String> damaged = new TreeMap<>();
    /** First position of each file's rows (files in path order), when positions name rows; else null. */
    private Map<String, Long> offsets;

    private ParquetImageTable(String input, String imageColumn, boolean struct, KeySource keySource, String keyColumn,
                              String pathlessKey, StructType carried) {
        this.input = input;
        this.imageColumn = imageColumn;
        this.struct = struct;
        this.keySource = keySource;
        this.keyColumn = keyColumn;
        this.pathlessKey = pathlessKey;
        this.carried = carried;
    }

    /**
     * Reads the table's schema and checks the columns; every problem is an {@link IllegalArgumentException}
     * with a one-line message, before any row is read.
     */
    public static ParquetImageTable open(SparkSession spark, String input, String imageColumn, String keyColumn) {
        return open(spark, input, imageColumn, keyColumn, AdmissionBudget.defaults());
    }

    /**
     * As {@link #open(SparkSession, String, String, String)}; each file's footer and page headers are checked
     * first ({@link ParquetFooterCheck}, pages against {@code budget}): a damaged file is left out of the table
     * and listed in {@link #damaged()}, the others are read.
     */
    public static ParquetImageTable open(SparkSession spark, String input, String imageColumn, String keyColumn, AdmissionBudget budget) {
        requireParquetFiles(input, spark.sparkContext().hadoopConfiguration());
        Map<String, String> damaged = new TreeMap<>();
        List<String> files = readableFiles(input, spark.sparkContext().hadoopConfiguration(), budget, damaged);
        StructType schema;
        try {
            schema = read(spark, input, files).schema();
        } catch (Exception e) { // AnalysisException (no schema), SparkException (not Parquet): the user's input
            throw new IllegalArgumentException("--input " + input + " is not a Parquet table: " + InputDecoder.oneLine(root(e)));
        }
        StructField image = field(schema, imageColumn, "--image-column");
        boolean struct;
        boolean structPath = false;
        if (image.dataType() instanceof BinaryType) {
            struct = false;
        } else if (image.dataType() instanceof StructType
                && hasField((StructType) image.dataType(), "bytes") && ((StructType) image.dataType()).apply("bytes").dataType() instanceof BinaryType) {
            struct = true;
            StructType s = (StructType) image.dataType();
            structPath = hasField(s, "path") && s.apply("path").dataType() instanceof StringType;
        } else {
            throw new IllegalArgumentException("--image-column " + imageColumn + " is " + image.dataType().simpleString()
                    + "; it must be binary (encoded PNG/JPEG/BMP/GIF/.npy bytes) or a struct with a binary field bytes (Hugging Face's Image)");
        }
        KeySource source;
        String key = null;
        if (keyColumn != null) {
            StructField k = field(schema, keyColumn, "--key-column");
            if (!scalar(k.dataType())) {
                throw new IllegalArgumentException("--key-column " + keyColumn + " is " + k.dataType().simpleString()
                        + "; a key must be a string or number column");
            }
            source = KeySource.COLUMN;
            key = keyColumn;
        } else if (structPath) {
            source = KeySource.STRUCT_PATH;
        } else if (hasScalar(schema, "key")) {
            source = KeySource.COLUMN;
            key = "key";
        } else if (hasScalar(schema, "__key__")) {
            source = KeySource.COLUMN;
            key = "__key__";
        } else {
            source = KeySource.POSITION;
        }
        List<StructField> kept = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (f.name().equals(imageColumn) || !scalar(f.dataType())) continue;
            // the key is the output's path already; a key column named path is that same value
            if (f.name().equals(key) && f.name().equals("path")) continue;
            if (OUTPUT_COLUMNS.contains(f.name())) {
                throw new IllegalArgumentException("the table's column " + f.name() + " has the name of a column of tconv's output ("
                        + String.join(", ", OUTPUT_COLUMNS) + "); rename it to carry it along");
            }
            kept.add(f);
        }
        String pathless = source != KeySource.STRUCT_PATH ? null
                : hasScalar(schema, "key") ? "key" : hasScalar(schema, "__key__") ? "__key__" : null;
        ParquetImageTable t = new ParquetImageTable(input, imageColumn, struct, source, key, pathless,
                new StructType(kept.toArray(new StructField[0])));
        t.files = files;
        t.damaged = damaged;
        return t;
    }

    /** The table's damaged files, by path, with the reason each is not read (rows of {@code _rejected.csv}). */
    public Map<String, String> damaged() {
        return damaged;
    }

    /**
     * The table's files that pass {@link ParquetFooterCheck}; the others go to {@code damaged}. Every file
     * damaged is a refusal of the whole input, with the first file's reason.
     */
    static List<String> readableFiles(String input, Configuration conf, AdmissionBudget budget, Map<String, String> damaged) {
        List<String> good = new ArrayList<>();
        try {
            Path p = new Path(input);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) return null; // a glob, or missing: Spark's reader says which
            List<FileStatus> files = new ArrayList<>();
            leaves(fs, fs.getFileStatus(p), files);
            for (FileStatus f : files) {
                try {
                    ParquetFooterCheck.check(fs, f.getPath(), budget.memory());
                    good.add(f.getPath().toString());
                } catch (ParquetFooterCheck.Damaged e) {
                    damaged.put(f.getPath().toString(), e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (good.isEmpty() && !damaged.isEmpty()) {
            Map.Entry<String, String> first = damaged.entrySet().iterator().next();
            throw new IllegalArgumentException("--input " + input + " holds no readable Parquet file: " + first.getKey() + ": " + first.getValue());
        }
        return good;
    }

    /**
     * The table, of the files that passed the check when they were listed (partition folders still read as
     * such); each path as Spark's reader takes it, an existing name's glob characters escaped.
     */
    private static Dataset<Row> read(SparkSession spark, String input, List<String> files) {
        if (files == null) return spark.read().parquet(readPath(spark, input));
        String[] paths = files.stream().map(InputPaths::escaped).toArray(String[]::new); // listed: they exist
        return spark.read().option("basePath", input).parquet(paths);
    }

    /** The scalar columns carried into Parquet output, after path, index, shape and values. */
    public StructType carried() {
        return carried;
    }

    public String describeKey() {
        switch (keySource) {
            case COLUMN: return "column " + keyColumn;
            case STRUCT_PATH: return imageColumn + ".path (where it is null, " + (pathlessKey == null ? "the row's position" : "column " + pathlessKey) + ")";
            default: return "the row's position";
        }
    }

    /**
     * An input none of whose files is Parquet is not a table: on the local file system the files' first four
     * bytes are looked at, so that is a one-line refusal before any work. A table with some damaged files is
     * still read: {@link #readableFiles} rejects those one by one.
     */
    public static void requireParquetFiles(String input, Configuration conf) {
        try {
            Path p = new Path(input);
            FileSystem fs = p.getFileSystem(conf);
            if (!"file".equals(fs.getUri().getScheme()) || !fs.exists(p)) return;
            List<FileStatus> files = new ArrayList<>();
            leaves(fs, fs.getFileStatus(p), files);
            if (files.isEmpty()) throw new IllegalArgumentException("--input " + input + " holds no Parquet file");
            // a table with a damaged file is still a table (that file is rejected); one with no Parquet file is not
            FileStatus notParquet = null;
            for (FileStatus f : files) {
                byte[] magic = new byte[4];
                int n;
                try (InputStream in = fs.open(f.getPath())) {
                    n = in.readNBytes(magic, 0, 4);
                }
                if (n == 4 && new String(magic, java.nio.charset.StandardCharsets.ISO_8859_1).equals("PAR1")) return;
                if (notParquet == null) notParquet = f;
            }
            throw new IllegalArgumentException("--image-column needs a Parquet table as --input; " + notParquet.getPath() + " is not a Parquet file");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files as Spark's file index lists them: hidden names ({@code .x}, {@code _x}) skipped. */
    private static void leaves(FileSystem fs, FileStatus s, List<FileStatus> out) throws IOException {
        if (s.isFile()) {
            out.add(s);
            return;
        }
        for (FileStatus c : fs.listStatus(s.getPath())) {
            String n = c.getPath().getName();
            if (n.startsWith(".") || n.startsWith("_")) continue;
            leaves(fs, c, out);
        }
    }

    private static StructField field(StructType schema, String name, String option) {
        if (!hasField(schema, name)) {
            throw new IllegalArgumentException(option + " " + name + ": the table has no such column (its columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        return schema.apply(name);
    }

    private static boolean hasField(StructType s, String name) {
        return Arrays.asList(s.fieldNames()).contains(name);
    }

    private static boolean hasScalar(StructType s, String name) {
        return hasField(s, name) && scalar(s.apply(name).dataType());
    }

    /** Labels, ids, captions, scores: what Parquet output can carry beside the features. */
    static boolean scalar(DataType t) {
        return t instanceof StringType || t instanceof NumericType || t instanceof BooleanType || t instanceof DateType
                || t instanceof TimestampType || t instanceof TimestampNTZType;
    }

    private static Throwable root(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e;
    }

    private static Column quoted(String name) {
        return col("`" + name.replace("`", "``") + "`");
    }

    private Dataset<Row> table(SparkSession spark) {
        return read(spark, input, files);
    }

    /** The input as Spark's reader takes it: an existing name with glob characters escaped ({@link InputPaths}). */
    private static String readPath(SparkSession spark, String input) {
        try {
            return InputPaths.forSparkReader(input, spark.sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Computes each file's first position when positions name rows: one count per file, no column read. */
    public void countRows(SparkSession spark) {
        if (keySource == KeySource.COLUMN) return;
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : table(spark).groupBy(col("_metadata.file_path")).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        Map<String, Long> first = new TreeMap<>();
        long next = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            first.put(e.getKey(), next);
            next += e.getValue();
        }
        offsets = first;
    }

    private Column keyColumn() {
        switch (keySource) {
            case COLUMN: return quoted(keyColumn).cast(DataTypes.StringType);
            case STRUCT_PATH: {
                Column path = quoted(imageColumn).getField("path"); // null where the struct itself is null
                return pathlessKey == null ? path : org.apache.spark.sql.functions.coalesce(path, quoted(pathlessKey).cast(DataTypes.StringType));
            }
            default: return lit(null).cast(DataTypes.StringType);
        }
    }

    private Column bytesColumn() {
        return struct ? quoted(imageColumn).getField("bytes") : quoted(imageColumn);
    }

    /** Where a row is: its file and its index there; also the id the driver's name check refers to it by. */
    public static String rowId(String file, long index) {
        return file + "#" + index;
    }

    private String key(Row r) {
        if (!r.isNullAt(1)) return r.getString(1);
        if (keySource == KeySource.COLUMN) return null;
        Long first = offsets.get(r.getString(2));
        if (first == null) throw new IllegalStateException("file " + r.getString(2) + " was not counted; was the table changed during the run?");
        return Long.toString(first + r.getLong(3));
    }

    /** A row's key, the output names it gives and where it is: what the driver checks, without the image bytes. */
    public static final class RowName implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String file;
        public final long index;
        /** Null when the key column is null in this row (the row is then rejected by its task). */
        public final String key;
        /** Items of an (N, C, ...) .npy row, 0 otherwise (png names one file per item). */
        public final int batchItems;

        RowName(String file, long index, String key, int batchItems) {
            this.file = file;
            this.index = index;
            this.key = key;
            this.batchItems = batchItems;
        }
    }

    /**
     * Every row's key, read in tasks (the key column only, unless {@code withBatchItems}: then the image
     * bytes too, for the .npy header of a batch row), for the driver's output-name check.
     */
    public JavaRDD<RowName> names(SparkSession spark, boolean withBatchItems, int dims) {
        Column bytes = withBatchItems ? bytesColumn() : lit(null).cast(DataTypes.BinaryType);
        return table(spark).select(bytes, keyColumn(), col("_metadata.file_path"), col("_metadata.row_index"))
                .javaRDD().map(r -> new RowName(r.getString(2), r.getLong(3), key(r), r.isNullAt(0) ? 0 : batchItems((byte[]) r.get(0), dims)));
    }

    private static int batchItems(byte[] bytes, int dims) {
        if (!NpyArray.startsLikeNpy(bytes)) return 0;
        try {
            int[] shape = NpyArray.readShape(new ByteArrayInputStream(bytes));
            return shape.length == dims + 2 ? shape[0] : 0;
        } catch (IOException | RuntimeException e) {
            return 0; // the decoder rejects it with the reason
        }
    }

    /**
     * The table's rows as Spark's Parquet reader gives them to tasks: bytes, key, file, index, carried columns;
     * in at least {@code minTasks} tasks where the table's row groups allow.
     */
    public JavaRDD<Row> rows(SparkSession spark, boolean carry, int minTasks) {
        List<Column> cols = new ArrayList<>(List.of(bytesColumn(), keyColumn(), col("_metadata.file_path"), col("_metadata.row_index")));
        if (carry) for (String c : carried.fieldNames()) cols.add(quoted(c));
        // Spark packs a table into splits of up to 128 MB: a 250 MB table of photos would be 2 or 3 tasks, one
        // core idle at the end. More, smaller splits, as loose files get, unless the user set it. The splits are
        // planned when the RDD is made, so the setting is put back right after.
        String key = "spark.sql.files.minPartitionNum";
        boolean given = spark.conf().contains(key);
        if (!given) spark.conf().set(key, Integer.toString(minTasks));
        try {
            return table(spark).select(cols.toArray(new Column[0])).javaRDD();
        } finally {
            if (!given) spark.conf().unset(key);
        }
    }

    /**
     * A task's rows as inputs named by their key, decoded one at a time; rows the driver already rejected
     * ({@code skip}, by {@link #rowId}) are left out.
     */
    public Iterator<ImageBatch> decode(Iterator<Row> rows, InputDecoder decoder, java.util.Set<String> skip, boolean carry) {
        return new Iterator<>() {
            private ImageBatch next;

            @Override
            public boolean hasNext() {
                while (next == null && rows.hasNext()) {
                    Row r = rows.next();
                    if (!skip.contains(rowId(r.getString(2), r.getLong(3)))) next = decodeRow(r, decoder, carry);
                }
                return next != null;
            }

            @Override
            public ImageBatch next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                ImageBatch b = next;
                next = null;
                return b;
            }
        };
    }

    private ImageBatch decodeRow(Row r, InputDecoder decoder, boolean carry) {
        String key = key(r);
        if (key == null) {
            return ImageBatch.rejected(new InputFile(r.getString(2) + " row " + r.getLong(3), ""), "key column " + keyColumn + " is null");
        }
        InputFile f = new InputFile(key, key);
        ImageBatch b;
        if (r.isNullAt(0)) {
            b = ImageBatch.rejected(f, "image column " + imageColumn + (struct ? ".bytes" : "") + " is null");
        } else {
            b = decoder.decodeEncoded(f, (byte[]) r.get(0));
        }
        if (carry && b.ok()) {
            Object[] values = new Object[carried.size()];
            for (int i = 0; i < values.length; i++) values[i] = r.get(4 + i);
            b.setScalars(pack(values));
        }
        return b;
    }

    /** A row's carried values as bytes: ImageBatch is a bean, and a bean holds no Object[]. */
    static byte[] pack(Object[] values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(out)) {
            o.writeObject(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The values {@link #pack} packed, in the order of {@link #carried()}. */
    public static Object[] unpack(byte[] bytes) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (Object[]) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("carried columns could not be read back: " + e, e);
        }
    }
}
