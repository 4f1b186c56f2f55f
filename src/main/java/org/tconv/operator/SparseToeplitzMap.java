package org.tconv.operator;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.apache.spark.mllib.linalg.SparseMatrix;

/**
 * T held explicitly, as the CSR {@link SparseMatrix} that {@link ConvOperator#toSparseMatrix()} builds (and its memory check
 * refuses when too big). T x is a row-by-row gather; T^T y scatters each row into the columns it touches.
 * Both run in parallel over ranges of rows; the scatter gives each range its own partial x so threads never
 * write the same element, then adds the partials (in a fixed order, so the result does not depend on timing).
 */
final class SparseToeplitzMap implements LinearMap {
    private final int rows, cols;
    private final int[] rowPtr, colIdx;
    private final double[] values;
    private final int[][] ranges;

    SparseToeplitzMap(SparseMatrix t) {
        rows = t.numRows();
        cols = t.numCols();
        rowPtr = t.colPtrs();
        colIdx = t.rowIndices();
        values = t.values();
        int parts = values.length < (1 << 16) ? 1 : Runtime.getRuntime().availableProcessors();
        ranges = new int[parts][];
        for (int p = 0; p < parts; p++) {
            ranges[p] = new int[] {(int) ((long) rows * p / parts), (int) ((long) rows * (p + 1) / parts)};
        }
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }

    /** Stored non-zeros of T. */
    int nonZeros() { return values.length; }

    @Override
    public void apply(double[] x, double[] y) {
        IntStream.range(0, ranges.length).parallel().forEach(p -> {
            for (int r = ranges[p][0]; r < ranges[p][1]; r++) {
                double acc = 0.0;
                for (int e = rowPtr[r]; e < rowPtr[r + 1]; e++) acc += values[e] * x[colIdx[e]];
                y[r] = acc;
            }
        });
    }

    @Override
    public void applyAdjoint(double[] y, double[] x) {
        double[][] partial = new double[ranges.length][];
        IntStream.range(0, ranges.length).parallel().forEach(p -> {
            double[] into = p == 0 ? x : new double[cols];
            if (p == 0) Arrays.fill(x, 0.0);
            for (int r = ranges[p][0]; r < ranges[p][1]; r++) {
                double v = y[r];
                if (v == 0.0) continue;
                for (int e = rowPtr[r]; e < rowPtr[r + 1]; e++) into[colIdx[e]] += values[e] * v;
            }
            partial[p] = into;
        });
        for (int p = 1; p < partial.length; p++) {
            double[] q = partial[p];
            for (int i = 0; i < cols; i++) x[i] += q[i];
        }
    }
}
