package org.tconv.multiply;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockManagerId;
import org.apache.spark.storage.StorageLevel;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.FlatIndex;
import org.tconv.read.ImageBatch;
import org.tconv.read.InputDecoder;
import org.tconv.operator.ConvOperator;

import scala.Tuple2;

/**
 * {@code --method blockmatrix}: for each input shape, T (sparse blocks, built where they live from
 * {@link ToeplitzEntries}) and the batch X (pixels x items, dense blocks) are MLlib {@link BlockMatrix}es
 * and Y = T X is computed distributed. This is the path for a T too large for one executor; for small
 * images it is much slower than {@code toeplitz} (every block of the product is dense and shuffled).
 */
public final class BlockMatrixMethod {
    private BlockMatrixMethod() {}

    public static JavaRDD<ImageBatch> apply(SparkSession spark, JavaRDD<ImageBatch> decoded, ConvSpec spec, boolean keepInput) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // Read twice (the plan, then the blocks of X): kept, unless the caller keeps it already.
        JavaRDD<ImageBatch> rows = decoded.getStorageLevel().equals(StorageLevel.NONE())
                ? decoded.persist(StorageLevel.MEMORY_AND_DISK()) : decoded;
        // Per file: shape and item count. Small, so the driver can plan the blocks.
        List<Tuple2<String, Tuple2<int[], Integer>>> index = rows.filter(ImageBatch::ok)
                .map(b -> new Tuple2<>(b.getPath(), new Tuple2<>(b.getShape(), b.getCount()))).collect();
        Map<String, List<Tuple2<String, Integer>>> byShape = new LinkedHashMap<>();
        Map<String, int[]> shapes = new HashMap<>();
        for (Tuple2<String, Tuple2<int[], Integer>> e : index) {
            String key = Arrays.toString(e._2._1);
            shapes.put(key, e._2._1);
            byShape.computeIfAbsent(key, k -> new ArrayList<>()).add(new Tuple2<>(e._1, e._2._2));
        }
        int parallelism = sc.defaultParallelism();
        Executors executors = Executors.of(spark);
        JavaPairRDD<String, double[]> outputs = sc.emptyRDD().mapToPair(o -> new Tuple2<>("", new double[0]));
        Map<String, String> refused = new HashMap<>();
        for (Map.Entry<String, List<Tuple2<String, Integer>>> group : byShape.entrySet()) {
            ConvGeometry g = spec.geometry(shapes.get(group.getKey()));
            Map<String, Long> firstItem = new HashMap<>();
            Map<String, Integer> counts = new HashMap<>();
            long items = 0;
            for (Tuple2<String, Integer> f : group.getValue()) {
                firstItem.put(f._1, items);
                counts.put(f._1, f._2);
                items += f._2;
            }
            BlockPlan plan;
            try {
                plan = BlockPlan.choose(g, items, parallelism, executors.tasksEach);
                plan.check(g, items, executors.bytesEach);
                if (executors.shuffleDirs != null) plan.checkDisk(g, executors.shuffleFreeBytes, executors.shuffleDirs);
            } catch (RuntimeException e) {
                for (String p : firstItem.keySet()) refused.put(p, InputDecoder.oneLine(e));
                continue;
            }
            outputs = outputs.union(multiplyGroup(sc, rows, g, plan, firstItem, counts, items));
        }
        Broadcast<Map<String, String>> refusedB = sc.broadcast(refused);
        // the join shuffles the rows: without --verify their pixels are dropped below, so drop them first
        JavaRDD<ImageBatch> result = rows.mapToPair(b -> {
                    ImageBatch slim = b;
                    if (!keepInput && b.getValues() != null) {
                        slim = b.copy();
                        slim.setValues(null);
                    }
                    return new Tuple2<>(b.getPath(), slim);
                })
                .leftOuterJoin(outputs)
                .values()
                .map(t -> {
                    ImageBatch b = t._1.copy();
                    String why = refusedB.value().get(b.getPath());
                    if (why != null) {
                        b.setError(why);
                        b.setValues(null);
                    } else if (b.ok()) {
                        ConvGeometry g = spec.geometry(b.getShape());
                        // no block of Y at all when every entry of T is zero (all taps in the padding): the bias alone
                        b.setOutValues(t._2.isPresent() ? t._2.get() : biasOnly(g, b.getCount()));
                        b.setOutShape(g.outputShape());
                        if (!keepInput) b.setValues(null);
                    }
                    return b;
                });
        return result;
    }

    private static JavaPairRDD<String, double[]> multiplyGroup(JavaSparkContext sc, JavaRDD<ImageBatch> rows, ConvGeometry g,
                                                               BlockPlan plan, Map<String, Long> firstItem,
                                                               Map<String, Integer> counts, long items) {
        Broadcast<Map<String, Long>> first = sc.broadcast(firstItem);
        int cpb = plan.colsPerBlock, ipb = plan.itemsPerBlock, rpb = plan.rowsPerBlock;
        // one item's input is one array (BlockPlan.check refused any larger): offsets within it are ints,
        // offsets across items (item numbers, T's rows and columns) longs
        int pixels = g.inputSize();
        int[] shape = g.inputShape();
        // X: pixel block bj of item i goes to block (bj, i / ipb), column i % ipb.
        JavaPairRDD<Tuple2<Object, Object>, Matrix> xBlocks = rows
                .filter(b -> b.ok() && Arrays.equals(b.getShape(), shape))
                .flatMapToPair(b -> {
                    List<Tuple2<Tuple2<Integer, Integer>, Tuple2<Integer, double[]>>> out = new ArrayList<>();
                    long f = first.value().get(b.getPath());
                    for (int k = 0; k < b.getCount(); k++) {
                        long item = f + k;
                        for (int bj = 0; (long) bj * cpb < pixels; bj++) {
                            int from = Math.toIntExact((long) k * pixels + (long) bj * cpb);
                            int len = (int) Math.min(cpb, pixels - (long) bj * cpb);
                            out.add(new Tuple2<>(new Tuple2<>(bj, (int) (item / ipb)),
                                    new Tuple2<>((int) (item % ipb), Arrays.copyOfRange(b.getValues(), from, from + len))));
                        }
                    }
                    return out.iterator();
                })
                // no more partitions than T's, so MLlib's result grid is planned from T's (BlockPlan.midDimSplits)
                .groupByKey(Math.max(1, Math.min(plan.partitions, plan.colBlocks * plan.itemBlocks)))
                .mapToPair(e -> {
                    int bj = e._1._1, bk = e._1._2;
                    int r = (int) Math.min(cpb, pixels - (long) bj * cpb);
                    int c = (int) Math.min(ipb, items - (long) bk * ipb);
                    double[] v = new double[r * c];
                    for (Tuple2<Integer, double[]> col : e._2) System.arraycopy(col._2, 0, v, col._1 * r, r);
                    return new Tuple2<>(new Tuple2<Object, Object>(bj, bk), (Matrix) new DenseMatrix(r, c, v));
                });
        BlockMatrix x = new BlockMatrix(xBlocks.rdd(), cpb, ipb, pixels, items);
        BlockMatrix t = ConvOperator.of(g).toBlockMatrix(sc, rpb, cpb, plan.partitions);
        BlockMatrix y = t.multiply(x, plan.midDimSplits);

        // Y block (bi, bk) holds rows bi*rpb.. of items bk*ipb..: cut it back into per-item segments.
        List<String> paths = new ArrayList<>(firstItem.keySet());
        paths.sort((a, b) -> Long.compare(firstItem.get(a), firstItem.get(b)));
        long[] starts = paths.stream().mapToLong(firstItem::get).toArray();
        Broadcast<String[]> pathsB = sc.broadcast(paths.toArray(new String[0]));
        Broadcast<long[]> startsB = sc.broadcast(starts);
        int outSize = g.outputSize();
        FlatIndex outIndex = g.output();
        ConvSpec spec = g.spec;
        return y.blocks().toJavaRDD()
                .flatMapToPair(blk -> {
                    int bi = (Integer) blk._1()._1(), bk = (Integer) blk._1()._2();
                    Matrix m = blk._2();
                    List<Tuple2<String, Tuple2<Integer, double[]>>> out = new ArrayList<>();
                    for (int c = 0; c < m.numCols(); c++) {
                        long item = (long) bk * ipb + c;
                        int fi = Arrays.binarySearch(startsB.value(), item);
                        if (fi < 0) fi = -fi - 2;
                        double[] seg = column(m, c);
                        long within = item - startsB.value()[fi];
                        // where the segment goes in its file's output array (one array: an int)
                        int at = Math.toIntExact(within * outSize + (long) bi * rpb);
                        out.add(new Tuple2<>(pathsB.value()[fi], new Tuple2<>(at, seg)));
                    }
                    return out.iterator();
                })
                .groupByKey()
                .mapToPair(e -> {
                    int count = counts.get(e._1);
                    double[] v = new double[count * outSize];
                    for (Tuple2<Integer, double[]> seg : e._2) System.arraycopy(seg._2, 0, v, seg._1, seg._2.length);
                    // T holds the weights only: the bias of output channel co is added here.
                    for (int i = 0; i < v.length; i++) v[i] += spec.bias(outIndex.channel(i % outSize));
                    return new Tuple2<>(e._1, v);
                });
    }

    /** {@code count} outputs of T = 0: each element its output channel's bias. */
    private static double[] biasOnly(ConvGeometry g, int count) {
        int outSize = g.outputSize();
        double[] v = new double[count * outSize];
        for (int i = 0; i < v.length; i++) v[i] = g.spec.bias(g.output().channel(i % outSize));
        return v;
    }

    /** Column c of a product block: a copy of the column-major values where MLlib left them so. */
    private static double[] column(Matrix m, int c) {
        int rows = m.numRows();
        double[] seg = new double[rows];
        if (m instanceof DenseMatrix && !m.isTransposed()) {
            System.arraycopy(((DenseMatrix) m).values(), c * rows, seg, 0, rows);
        } else {
            for (int r = 0; r < rows; r++) seg[r] = m.apply(r, c);
        }
        return seg;
    }

    /** Spark's reserved system memory (UnifiedMemoryManager): no task can use it. */
    static final long SPARK_RESERVED_BYTES = 300L << 20;

    /**
     * What one executor can give the product, and how many tasks share it. Local mode: the executor is this
     * JVM, so its heap less Spark's reserve, shared by all {@code local[N]} tasks. On a cluster: the smallest
     * executor's heap less the reserve (from the storage memory its block manager reports, which is that
     * times {@code spark.memory.fraction}; before any executor has registered, {@code spark.executor.memory}),
     * shared by {@code spark.executor.cores / spark.task.cpus} tasks (else the slots per registered executor).
     */
    static final class Executors {
        final long bytesEach;
        final int tasksEach;
        /** Local mode: Spark's local directories, where the shuffle files go, and their file systems' free space; else null. */
        final String shuffleDirs;
        final long shuffleFreeBytes;

        Executors(long bytesEach, int tasksEach, String shuffleDirs, long shuffleFreeBytes) {
            this.bytesEach = bytesEach;
            this.tasksEach = tasksEach;
            this.shuffleDirs = shuffleDirs;
            this.shuffleFreeBytes = shuffleFreeBytes;
        }

        static Executors of(SparkSession spark) {
            SparkContext sc = spark.sparkContext();
            int parallelism = sc.defaultParallelism();
            if (sc.isLocal()) {
                // each file system once: two local directories on one disk share its free space
                Map<java.nio.file.FileStore, Long> free = new LinkedHashMap<>();
                List<String> dirs = new ArrayList<>();
                for (java.io.File d : SparkEnv.get().blockManager().diskBlockManager().localDirs()) {
                    try {
                        java.nio.file.FileStore store = java.nio.file.Files.getFileStore(d.toPath());
                        free.put(store, store.getUsableSpace());
                        dirs.add(d.getPath());
                    } catch (java.io.IOException e) {
                        // a directory Spark cannot use is Spark's to report; it holds no shuffle files
                    }
                }
                long bytes = free.values().stream().mapToLong(Long::longValue).sum();
                return new Executors(Runtime.getRuntime().maxMemory() - SPARK_RESERVED_BYTES, parallelism,
                        dirs.isEmpty() ? null : String.join(", ", dirs), bytes);
            }
            SparkConf conf = sc.getConf();
            double fraction = conf.getDouble("spark.memory.fraction", 0.6);
            BlockManagerId driver = SparkEnv.get().blockManager().blockManagerId();
            long smallest = Long.MAX_VALUE;
            int count = 0;
            for (SparkExecutorInfo e : sc.statusTracker().getExecutorInfos()) {
                if (e.host().equals(driver.host()) && e.port() == driver.port()) continue;
                smallest = Math.min(smallest, (long) (e.totalOnHeapStorageMemory() / fraction));
                count++;
            }
            long bytes = count > 0 ? smallest : conf.getSizeAsBytes("spark.executor.memory", "1g") - SPARK_RESERVED_BYTES;
            int cpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
            int tasks = conf.contains("spark.executor.cores") ? Math.max(1, conf.getInt("spark.executor.cores", 1) / cpus)
                    : count > 0 ? (parallelism + count - 1) / count : parallelism;
            return new Executors(bytes, tasks, null, 0);
        }
    }
}
