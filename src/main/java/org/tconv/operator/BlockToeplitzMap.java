package org.tconv.operator;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.tconv.conv.ConvGeometry;
import org.tconv.toeplitz.BlockToeplitz;

/**
 * T as its distinct blocks ({@link BlockToeplitz}): T x and T^T y walk each output line's (input line,
 * block) pairs, so the memory is the blocks (kD * kH of them with zero padding), not T's entries. A (64,3,3,3)
 * kernel on 3x512x512 holds 3 blocks of 884K values (21 MB) where the explicit CSR would take 5.4 GB.
 *
 * <p>T x runs in parallel over output lines (each writes its own rows); T^T y gives each range of lines its own
 * partial x and adds them in a fixed order, so the result does not depend on timing.
 */
public final class BlockToeplitzMap implements LinearMap {
    private final ConvGeometry g;
    private final BlockToeplitz op;
    private final int rows, cols;
    /** Per block entry: its column's offset in x without the input line (channel * channel size + column). */
    private final int[] colOffset;
    private final int[][] ranges;

    public BlockToeplitzMap(ConvGeometry g) {
        this(new BlockToeplitz(g));
    }

    public BlockToeplitzMap(BlockToeplitz op) {
        this.op = op;
        this.g = op.geometry();
        rows = g.outputSize();
        cols = g.inputSize();
        int[] colIdx = op.colIdx();
        int chan = Math.toIntExact(g.input().channelSize());
        colOffset = new int[colIdx.length];
        for (int k = 0; k < colIdx.length; k++) {
            int ci = colIdx[k] / g.w;
            colOffset[k] = ci * chan + (colIdx[k] - ci * g.w);
        }
        int lines = g.outD * g.outH;
        int parts = Math.max(1, Math.min(lines, (long) rows * 16 < (1 << 16) ? 1 : Runtime.getRuntime().availableProcessors()));
        ranges = new int[parts][];
        for (int p = 0; p < parts; p++) ranges[p] = new int[] {(int) ((long) lines * p / parts), (int) ((long) lines * (p + 1) / parts)};
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }

    /** Bytes the operator holds. */
    public long bytes() { return op.bytes() + (long) colOffset.length * Integer.BYTES; }

    @Override
    public void apply(double[] x, double[] y) {
        int[] rowPtr = op.rowPtr(), lineStart = op.lineStart(), pairLine = op.pairLine(), pairBlock = op.pairBlock();
        int outW = g.outW, plane = g.outputPlane(), blockRows = rowPtr.length - 1, width = g.w;
        // Lines share nothing, so any split works; a fine one balances uneven edge lines.
        IntStream.range(0, g.outD * g.outH).parallel().forEach(line -> {
            int p0 = lineStart[line], p1 = lineStart[line + 1];
            for (int br = 0; br < blockRows; br++) {
                int co = br / outW, ox = br - co * outW;
                double acc = 0.0;
                for (int p = p0; p < p1; p++) {
                    double[] v = op.values(pairBlock[p]);
                    int base = pairLine[p] * width;
                    for (int k = rowPtr[br]; k < rowPtr[br + 1]; k++) acc += v[k] * x[colOffset[k] + base];
                }
                y[co * plane + line * outW + ox] = acc;
            }
        });
    }

    @Override
    public void applyAdjoint(double[] y, double[] x) {
        int[] rowPtr = op.rowPtr(), lineStart = op.lineStart(), pairLine = op.pairLine(), pairBlock = op.pairBlock();
        int outW = g.outW, plane = g.outputPlane(), blockRows = rowPtr.length - 1, width = g.w;
        double[][] partial = new double[ranges.length][];
        IntStream.range(0, ranges.length).parallel().forEach(part -> {
            double[] into = part == 0 ? x : new double[cols];
            if (part == 0) Arrays.fill(x, 0.0);
            for (int line = ranges[part][0]; line < ranges[part][1]; line++) {
                for (int p = lineStart[line]; p < lineStart[line + 1]; p++) {
                    double[] v = op.values(pairBlock[p]);
                    int base = pairLine[p] * width;
                    for (int br = 0; br < blockRows; br++) {
                        int co = br / outW, ox = br - co * outW;
                        double u = y[co * plane + line * outW + ox];
                        if (u == 0.0) continue;
                        for (int k = rowPtr[br]; k < rowPtr[br + 1]; k++) into[colOffset[k] + base] += v[k] * u;
                    }
                }
            }
            partial[part] = into;
        });
        for (int part = 1; part < partial.length; part++) {
            double[] q = partial[part];
            for (int i = 0; i < cols; i++) x[i] += q[i];
        }
    }
}
