package org.tconv.operator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.IntTuple;
import org.tconv.toeplitz.BlockToeplitz;
import org.tconv.toeplitz.MemoryBudget;

/**
 * What the panel product walks for each output line: the blocks one kind of line reads, laid out as the
 * rows the kernel walks (block rows (co, ox) with, per input channel of the group, each pair's block row in
 * turn, columns relative to the line's first input line). Lines whose (input line offset, block) pairs
 * agree share one plan: the interior of an image is one plan, each distinct edge line another, so the
 * plans are a few times the blocks. Their float32 copy is made on the first float32 product.
 */
final class LinePlans {
    /** One kind of output line. */
    static final class Plan {
        final int[] rowPtr, colIdx;
        final double[] values;

        Plan(int[] rowPtr, int[] colIdx, double[] values) {
            this.rowPtr = rowPtr;
            this.colIdx = colIdx;
            this.values = values;
        }

        long bytes() { return (long) values.length * (Double.BYTES + Integer.BYTES) + (long) rowPtr.length * Integer.BYTES; }
    }

    /** The distinct plans. */
    final Plan[] plans;
    /** Each output line's plan. */
    final int[] planOf;
    private final double[] rowBias;
    /** Each plan's values rounded to float32, then the block rows' biases as the last array. */
    private volatile float[][] asFloat;

    private LinePlans(Plan[] plans, int[] planOf, double[] rowBias) {
        this.plans = plans;
        this.planOf = planOf;
        this.rowBias = rowBias;
    }

    /** One plan per distinct kind of line of {@code op}, and each line's plan. */
    static LinePlans compile(ConvGeometry g, BlockToeplitz op, double[] rowBias) {
        int[] lineStart = op.lineStart(), pairLine = op.pairLine(), pairBlock = op.pairBlock();
        int lines = g.outD * g.outH;
        int[] planOf = new int[lines];
        Map<String, Integer> ids = new HashMap<>();
        List<Plan> made = new ArrayList<>();
        for (int line = 0; line < lines; line++) {
            int p0 = lineStart[line], p1 = lineStart[line + 1];
            StringBuilder key = new StringBuilder();
            for (int p = p0; p < p1; p++) key.append(pairLine[p] - pairLine[p0]).append(':').append(pairBlock[p]).append(',');
            Integer id = ids.get(key.toString());
            if (id == null) {
                id = made.size();
                ids.put(key.toString(), id);
                made.add(plan(g, op, p0, p1));
            }
            planOf[line] = id;
        }
        return new LinePlans(made.toArray(new Plan[0]), planOf, rowBias);
    }

    private static Plan plan(ConvGeometry g, BlockToeplitz op, int p0, int p1) {
        int[] pairLine = op.pairLine(), pairBlock = op.pairBlock(), rowPtr = op.rowPtr(), colIdx = op.colIdx();
        int cinPG = g.spec.inChannelsPerGroup();
        int chan = Math.toIntExact(g.input().channelSize()), width = g.w;
        int rows = rowPtr.length - 1, nP = p1 - p0;
        long nnz = (long) rowPtr[rows] * nP;
        MemoryBudget.check("a line plan of the Toeplitz operator for input " + IntTuple.format(g.inputShape()), nnz * 12);
        int[] ptr = new int[rows + 1];
        int[] cols = new int[Math.toIntExact(nnz)];
        double[] vals = new double[cols.length];
        int e = 0;
        for (int br = 0; br < rows; br++) {
            ptr[br] = e;
            int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
            for (int c = 0; c < cinPG; c++) {
                for (int p = p0; p < p1; p++) {
                    double[] v = op.values(pairBlock[p]);
                    int lineOff = (pairLine[p] - pairLine[p0]) * width;
                    for (int k = k0 + c * n; k < k0 + (c + 1) * n; k++) {
                        int ci = colIdx[k] / width;
                        cols[e] = ci * chan + lineOff + (colIdx[k] - ci * width);
                        vals[e++] = v[k];
                    }
                }
            }
        }
        ptr[rows] = e;
        return new Plan(ptr, cols, vals);
    }

    /** Bytes of the plans and the line index (the float32 copy, once made, is not counted, as before). */
    long bytes() {
        long b = (long) planOf.length * Integer.BYTES;
        for (Plan plan : plans) b += plan.bytes();
        return b;
    }

    /** Each plan's values rounded to float32, then the block rows' biases as the last array; made on first use. */
    float[][] floats() {
        float[][] f = asFloat;
        if (f == null) {
            synchronized (this) {
                f = asFloat;
                if (f == null) {
                    f = new float[plans.length + 1][];
                    for (int b = 0; b < plans.length; b++) {
                        double[] v = plans[b].values;
                        f[b] = new float[v.length];
                        for (int i = 0; i < v.length; i++) f[b][i] = (float) v[i];
                    }
                    f[plans.length] = new float[rowBias.length];
                    for (int i = 0; i < rowBias.length; i++) f[plans.length][i] = (float) rowBias[i];
                    asFloat = f;
                }
            }
        }
        return f;
    }
}
