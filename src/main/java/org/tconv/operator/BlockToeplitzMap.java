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
 * <p>Both products walk tiles of block rows, each tile over every output line, so a tile's entries stay in
 * cache. T x runs the tiles in parallel (each writes its own rows of y); T^T y gives each range of tiles its
 * own partial x and adds them in a fixed order, so the result does not depend on timing.
 */
final class BlockToeplitzMap implements LinearMap {
    private final ConvGeometry g;
    private final BlockToeplitz op;
    private final int rows, cols;
    /** Per block entry: its column's offset in x without the input line (channel * channel size + column). */
    private final int[] colOffset;
    /** Partial inputs of T^T y: one per core, or one for small maps. */
    private final int parts;

    BlockToeplitzMap(BlockToeplitz op) {
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
        parts = (long) rows * 16 < (1 << 16) ? 1 : Runtime.getRuntime().availableProcessors();
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }

    /** Bytes the operator holds. */
    long bytes() { return op.bytes() + (long) colOffset.length * Integer.BYTES; }

    /**
     * Block rows per tile: the tile's entries of every block (a few hundred KB for 256 rows of a 3x3x3 kernel
     * on 3 channels) stay in cache while the tile walks all output lines. Walking whole blocks per line
     * instead streams every block from memory once per line (12 GB per product for 64 channels on 512x512).
     */
    static final int TILE_ROWS = 256;

    private int tiles() { return (op.rowPtr().length - 1 + TILE_ROWS - 1) / TILE_ROWS; }

    @Override
    public void apply(double[] x, double[] y) {
        int[] rowPtr = op.rowPtr(), lineStart = op.lineStart(), pairLine = op.pairLine(), pairBlock = op.pairBlock();
        int outW = g.outW, plane = g.outputPlane(), blockRows = rowPtr.length - 1, width = g.w, lines = g.outD * g.outH;
        // Tiles own disjoint rows of y, so any split works.
        IntStream.range(0, tiles()).parallel().forEach(tile -> {
            int br0 = tile * TILE_ROWS, br1 = Math.min(blockRows, br0 + TILE_ROWS);
            for (int line = 0; line < lines; line++) {
                int p0 = lineStart[line], p1 = lineStart[line + 1];
                for (int br = br0; br < br1; br++) {
                    int co = br / outW, ox = br - co * outW;
                    double acc = 0.0;
                    for (int p = p0; p < p1; p++) {
                        double[] v = op.values(pairBlock[p]);
                        int base = pairLine[p] * width;
                        for (int k = rowPtr[br]; k < rowPtr[br + 1]; k++) acc += v[k] * x[colOffset[k] + base];
                    }
                    y[co * plane + line * outW + ox] = acc;
                }
            }
        });
    }

    @Override
    public void applyAdjoint(double[] y, double[] x) {
        int[] rowPtr = op.rowPtr(), lineStart = op.lineStart(), pairLine = op.pairLine(), pairBlock = op.pairBlock();
        int outW = g.outW, plane = g.outputPlane(), blockRows = rowPtr.length - 1, width = g.w, lines = g.outD * g.outH;
        int tiles = tiles(), parts = Math.max(1, Math.min(this.parts, tiles));
        double[][] partial = new double[parts][];
        // Each part scatters a contiguous range of tiles into its own partial input.
        IntStream.range(0, parts).parallel().forEach(part -> {
            double[] into = part == 0 ? x : new double[cols];
            if (part == 0) Arrays.fill(x, 0.0);
            for (int tile = tiles * part / parts; tile < tiles * (part + 1) / parts; tile++) {
                int br0 = tile * TILE_ROWS, br1 = Math.min(blockRows, br0 + TILE_ROWS);
                for (int line = 0; line < lines; line++) {
                    for (int p = lineStart[line]; p < lineStart[line + 1]; p++) {
                        double[] v = op.values(pairBlock[p]);
                        int base = pairLine[p] * width;
                        for (int br = br0; br < br1; br++) {
                            int co = br / outW, ox = br - co * outW;
                            double u = y[co * plane + line * outW + ox];
                            if (u == 0.0) continue;
                            for (int k = rowPtr[br]; k < rowPtr[br + 1]; k++) into[colOffset[k] + base] += v[k] * u;
                        }
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
