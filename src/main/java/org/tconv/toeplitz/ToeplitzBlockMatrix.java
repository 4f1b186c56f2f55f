package org.tconv.toeplitz;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.GridPartitioner;
import org.apache.spark.rdd.RDD;

import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * T as an MLlib {@link BlockMatrix} that knows, from the shape alone, which of its blocks can exist.
 *
 * <p>{@code BlockMatrix.multiply} first "simulates" the product to learn where each block must be sent:
 * it collects the block keys of both operands, two Spark jobs, and the one for T builds every block of T
 * only to read its key (T was then built twice). Here that step is answered from the layout instead, so
 * the multiply runs no extra job; and it routes work so that each task of the product holds exactly one row
 * block of T (for one group of item blocks), which is what {@code BlockPlan} budgets memory for.
 *
 * <p>Routing: row block i and item block k meet in partition {@code (i / gi) * kc + k / gk} of the
 * {@code partitioner.numPartitions * midDimSplits} partitions MLlib cogroups into; T's block (i, j) goes to
 * the partitions of (i, every item group), X's block (j, k) to those of (every i with a block (i, j), k).
 * A pair T(i, j), X(j, k) then meets in exactly one partition (the one of (i, k)), so every product is
 * computed once, however many partitions there are. With {@code midDimSplits} chosen so that there are at
 * least (row blocks x item blocks) partitions, gi = gk = 1.
 *
 * <p>{@code simulateMultiply} is {@code private[distributed]} in Scala, which is public in the bytecode
 * Java compiles against; {@code ToeplitzBlockMatrixTest} checks that MLlib still has it and calls this override (no
 * extra jobs). Were it ever not called, MLlib's own simulation would run: slower, same result.
 */
public final class ToeplitzBlockMatrix extends BlockMatrix {
    private static final long serialVersionUID = 1L;

    /** For each row block, the column blocks that may be non-empty, ascending (a superset is fine). */
    private final int[][] columnBlocks;

    public ToeplitzBlockMatrix(RDD<Tuple2<Tuple2<Object, Object>, Matrix>> blocks, int rowsPerBlock, int colsPerBlock,
                               long nRows, long nCols, int[][] columnBlocks) {
        super(blocks, rowsPerBlock, colsPerBlock, nRows, nCols);
        if (columnBlocks.length != numRowBlocks()) {
            throw new IllegalArgumentException(columnBlocks.length + " row blocks listed, " + numRowBlocks() + " in the matrix");
        }
        this.columnBlocks = columnBlocks;
    }

    /** Column blocks of row block {@code i} that may hold entries. */
    public int[] columnBlocksOf(int i) {
        return columnBlocks[i].clone();
    }

    @Override
    public Tuple2<scala.collection.immutable.Map<Tuple2<Object, Object>, scala.collection.immutable.Set<Object>>,
            scala.collection.immutable.Map<Tuple2<Object, Object>, scala.collection.immutable.Set<Object>>> simulateMultiply(
            BlockMatrix other, GridPartitioner partitioner, int midDimSplitNum) {
        int rowBlocks = numRowBlocks();
        int itemBlocks = other.numColBlocks();
        int otherRowBlocks = other.numRowBlocks();
        Routing route = new Routing(rowBlocks, itemBlocks, (long) partitioner.numPartitions() * midDimSplitNum);
        Map<Tuple2<Object, Object>, Set<Object>> left = new HashMap<>();
        Map<Tuple2<Object, Object>, Set<Object>> right = new HashMap<>();
        for (int i = 0; i < rowBlocks; i++) {
            for (int j : columnBlocks[i]) {
                if (j >= otherRowBlocks) continue;
                Set<Object> dest = left.computeIfAbsent(new Tuple2<>(i, j), key -> new HashSet<>());
                for (int k = 0; k < itemBlocks; k++) {
                    int p = route.partition(i, k);
                    dest.add(p);
                    right.computeIfAbsent(new Tuple2<>(j, k), key -> new HashSet<>()).add(p);
                }
            }
        }
        return new Tuple2<>(immutable(left), immutable(right));
    }

    private static scala.collection.immutable.Map<Tuple2<Object, Object>, scala.collection.immutable.Set<Object>> immutable(
            Map<Tuple2<Object, Object>, Set<Object>> m) {
        Map<Tuple2<Object, Object>, scala.collection.immutable.Set<Object>> converted = new HashMap<>();
        m.forEach((k, v) -> converted.put(k, scala.collection.immutable.Set$.MODULE$.from(CollectionConverters.asScala(v))));
        return scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(converted));
    }

    /** Which of {@code partitions} cogroup partitions row block i and item block k meet in. */
    static final class Routing {
        final int gi, gk, kc;

        Routing(int rowBlocks, int itemBlocks, long partitions) {
            int p = (int) Math.max(1, Math.min(Integer.MAX_VALUE, partitions));
            int k = Math.min(itemBlocks, p);
            gk = (itemBlocks + k - 1) / k;
            kc = (itemBlocks + gk - 1) / gk;
            int r = Math.max(1, Math.min(rowBlocks, p / kc));
            gi = (rowBlocks + r - 1) / r;
        }

        int partition(int i, int k) {
            return (i / gi) * kc + k / gk;
        }
    }
}
