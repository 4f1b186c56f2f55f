package org.tconv.spectrum;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.tconv.operator.GramLines;
import org.tconv.operator.Gram;

/**
 * A^T A v on Spark: the output-line ranges of {@link GramLines} are tasks. Each product broadcasts v, every
 * task computes its range's partial on an executor (where the line products' operators are built once per
 * JVM and kept between products), and the driver adds the partials in range order, so the result does not
 * depend on which task finished first. Only v (the Gram side, the smaller of T's) travels out and each
 * range's input lines travel back; A v, T's long side, never leaves its task.
 */
public final class SparkGram implements Gram {
    private final JavaSparkContext sc;
    private final GramLines lines;
    private final JavaRDD<int[]> ranges;
    private int products;

    /** {@code tasks} ranges of about equal numbers of output lines (fewer when A has fewer lines). */
    public SparkGram(JavaSparkContext sc, GramLines lines, int tasks) {
        this.sc = sc;
        this.lines = lines;
        int n = Math.max(1, Math.min(tasks, lines.lines()));
        List<int[]> bounds = new ArrayList<>();
        for (int r = 0; r < n; r++) bounds.add(new int[] {lines.lineFrom(r, n), lines.lineFrom(r + 1, n)});
        this.ranges = sc.parallelize(bounds, n);
    }

    @Override public int dimension() { return lines.dimension(); }

    @Override
    public void apply(double[] v, double[] out) {
        Broadcast<double[]> shared = sc.broadcast(v);
        GramLines gram = lines;
        try {
            sc.setJobDescription("tconv spectrum: Gram product " + (++products));
            List<GramLines.Partial> parts = ranges.map(r -> gram.partial(shared.value(), r[0], r[1])).collect();
            GramLines.sum(parts, out);
        } finally {
            shared.destroy();
        }
    }
}
