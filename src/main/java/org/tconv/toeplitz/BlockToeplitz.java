package org.tconv.toeplitz;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.mllib.linalg.SparseMatrix;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.FlatIndex;
import org.tconv.conv.FoldedAxis;

/**
 * T of one convolution and input shape held as what it is: a few distinct blocks and where they go. This is
 * the one place that knows where a tap lands; every explicit form of T ({@link ToeplitzEntries}: the local
 * CSR, the MatrixMarket file, the CoordinateMatrix, the BlockMatrix) is generated from it by
 * {@link #forEachInRows}, and the toeplitz method multiplies by it directly.
 *
 * <p>The axes fold independently, so T restricted to output line (oz, oy) and input line (z, y) (a line is
 * one depth slice's image row, all channels) is a block B of (C_out * outW) x (C_in * W) that depends only on
 * which kernel taps fold onto z in depth and onto y in height: the block of tap set (Kd, Kh) holds, at
 * row (co, ox) and column (ci, x), the sum over kd in Kd, ky in Kh and the width taps kx that fold onto x of
 * w(co, ci, kd, ky, kx). With zero padding the tap sets are single taps, so there are kD * kH blocks, whatever
 * the image size; reflect, replicate and circular padding add a block for each set of taps that folds onto
 * one edge pixel. Every block has the same sparsity pattern (the width axis' sources and the groups), so
 * they share one row-pointer and column-index array and differ in their values only.
 *
 * <p>Example: 1 channel, 2-D kernel rows [a b c] / [d e f] / [g h i], padding 0, input 4 x 5: three blocks
 * B0 (taps a b c), B1 (d e f), B2 (g h i), each 3 x 5 and itself Toeplitz; output line 0 reads input lines
 * 0, 1, 2 through B0, B1, B2 and output line 1 reads lines 1, 2, 3 through the same three blocks.
 */
public final class BlockToeplitz implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ConvGeometry g;
    /** The blocks' common CSR structure: rows (co, ox), columns (ci, x) with ci the global input channel. */
    private final int[] rowPtr, colIdx;
    /** Values of each distinct block, in the order of colIdx. */
    private final double[][] values;
    /** Output line L = oz * outH + oy reads the pairs [lineStart[L], lineStart[L + 1]), input lines ascending. */
    private final int[] lineStart, pairLine, pairBlock;

    public BlockToeplitz(ConvGeometry geometry) {
        this.g = geometry;
        if (geometry.spec.transposed()) {
            BlockToeplitz f = new BlockToeplitz(geometry.forward());
            int[][] csr = transposedStructure(f, g);
            rowPtr = csr[0];
            colIdx = csr[1];
            int[] perm = csr[2];
            values = new double[f.values.length][];
            for (int b = 0; b < values.length; b++) {
                double[] fv = f.values[b], v = new double[perm.length];
                for (int k = 0; k < perm.length; k++) v[k] = fv[perm[k]];
                values[b] = v;
            }
            int[][] lines = invertedLines(f, g);
            lineStart = lines[0];
            pairLine = lines[1];
            pairBlock = lines[2];
            return;
        }
        ConvSpec s = g.spec;
        int cinPG = s.inChannelsPerGroup(), perGroup = s.outChannels() / s.groups();
        FoldedAxis cols = g.cols;
        long nnzLong = (long) s.outChannels() * cols.totalSources() * cinPG;
        int blockRows = Math.multiplyExact(s.outChannels(), g.outW);
        // Tap sets of the outer axes: which distinct lists of kernel indices fold onto one source.
        int[] depthSet = tapSets(g.depth), rowSet = tapSets(g.rows);
        int nDepthSets = max(depthSet) + 1, nRowSets = max(rowSet) + 1;
        int[] blockOf = new int[nDepthSets * nRowSets];
        java.util.Arrays.fill(blockOf, -1);
        List<int[]> blockSources = new ArrayList<>(); // {depth source entry, row source entry} that defines the block
        int lines = Math.multiplyExact(g.outD, g.outH);
        lineStart = new int[lines + 1];
        long pairs = 0;
        for (int oz = 0; oz < g.outD; oz++) {
            for (int oy = 0; oy < g.outH; oy++) {
                pairs += (long) (g.depth.start[oz + 1] - g.depth.start[oz]) * (g.rows.start[oy + 1] - g.rows.start[oy]);
            }
        }
        long bytesGuess = nnzLong * Integer.BYTES + (blockRows + 1L) * Integer.BYTES + (lines + 1L + 2 * pairs) * Integer.BYTES;
        MemoryBudget.check("the Toeplitz operator's structure for input " + ToeplitzEntries.shapeText(g.inputShape())
                + " (" + nnzLong + " non-zeros per block)", bytesGuess);
        if (nnzLong > Integer.MAX_VALUE - 8 || pairs > Integer.MAX_VALUE - 8) {
            throw new MemoryBudget.MatrixTooLargeException("one block of T for input " + ToeplitzEntries.shapeText(g.inputShape())
                    + " has " + nnzLong + " non-zeros, more than one array can index");
        }
        pairLine = new int[(int) pairs];
        pairBlock = new int[(int) pairs];
        int p = 0;
        for (int oz = 0; oz < g.outD; oz++) {
            for (int oy = 0; oy < g.outH; oy++) {
                lineStart[oz * g.outH + oy] = p;
                for (int z = g.depth.start[oz]; z < g.depth.start[oz + 1]; z++) {
                    for (int a = g.rows.start[oy]; a < g.rows.start[oy + 1]; a++) {
                        int combo = depthSet[z] * nRowSets + rowSet[a];
                        if (blockOf[combo] < 0) {
                            blockOf[combo] = blockSources.size();
                            blockSources.add(new int[] {z, a});
                        }
                        pairLine[p] = g.depth.source[z] * g.h + g.rows.source[a];
                        pairBlock[p++] = blockOf[combo];
                    }
                }
            }
        }
        lineStart[lines] = p;
        long valueBytes = (long) blockSources.size() * nnzLong * Double.BYTES;
        MemoryBudget.check("the " + blockSources.size() + " distinct blocks of T for input " + ToeplitzEntries.shapeText(g.inputShape()),
                valueBytes + bytesGuess);
        int nnz = (int) nnzLong;
        rowPtr = new int[blockRows + 1];
        colIdx = new int[nnz];
        int k = 0;
        for (int co = 0; co < s.outChannels(); co++) {
            int ci0 = (co / perGroup) * cinPG;
            for (int ox = 0; ox < g.outW; ox++) {
                rowPtr[co * g.outW + ox] = k;
                for (int c = 0; c < cinPG; c++) {
                    for (int b = cols.start[ox]; b < cols.start[ox + 1]; b++) colIdx[k++] = (ci0 + c) * g.w + cols.source[b];
                }
            }
        }
        rowPtr[blockRows] = k;
        values = new double[blockSources.size()][];
        for (int bl = 0; bl < values.length; bl++) values[bl] = blockValues(blockSources.get(bl)[0], blockSources.get(bl)[1]);
    }

    /**
     * The values of the block whose depth taps are those of depth source entry {@code z} and whose height
     * taps are those of row source entry {@code a}: each entry sums its taps in the order
     * (kd, ky, kx) ascending, the order T's entries always had.
     */
    private double[] blockValues(int z, int a) {
        ConvSpec s = g.spec;
        FoldedAxis depth = g.depth, rows = g.rows, cols = g.cols;
        int cinPG = s.inChannelsPerGroup(), kW = s.kernelWidth();
        // The block's depth and height taps summed once per (co, c, kx), in the order every entry sums them:
        // an entry that one width tap reaches (all but the folded edge columns) is then a single look-up.
        double[] perTap = new double[s.outChannels() * cinPG * kW];
        for (int co = 0, t = 0; co < s.outChannels(); co++) {
            for (int c = 0; c < cinPG; c++) {
                for (int kx = 0; kx < kW; kx++) {
                    double sum = 0.0;
                    for (int q = depth.kStart[z]; q < depth.kStart[z + 1]; q++) {
                        for (int i = rows.kStart[a]; i < rows.kStart[a + 1]; i++) sum += s.weight(co, c, depth.k[q], rows.k[i], kx);
                    }
                    perTap[t++] = sum;
                }
            }
        }
        double[] v = new double[colIdx.length];
        int k = 0;
        for (int co = 0; co < s.outChannels(); co++) {
            for (int ox = 0; ox < g.outW; ox++) {
                for (int c = 0; c < cinPG; c++) {
                    int tap0 = (co * cinPG + c) * kW;
                    for (int b = cols.start[ox]; b < cols.start[ox + 1]; b++) {
                        if (cols.kStart[b + 1] - cols.kStart[b] == 1) {
                            v[k++] = perTap[tap0 + cols.k[cols.kStart[b]]];
                            continue;
                        }
                        double sum = 0.0;
                        for (int q = depth.kStart[z]; q < depth.kStart[z + 1]; q++) {
                            for (int i = rows.kStart[a]; i < rows.kStart[a + 1]; i++) {
                                for (int j = cols.kStart[b]; j < cols.kStart[b + 1]; j++) {
                                    sum += s.weight(co, c, depth.k[q], rows.k[i], cols.k[j]);
                                }
                            }
                        }
                        v[k++] = sum;
                    }
                }
            }
        }
        return v;
    }

    /**
     * The blocks' common structure transposed: forward block rows (ci, x) over the forward output channels
     * become columns ci * w + x, forward columns (co, ox) rows. A counting sort over the forward columns,
     * walking forward rows ascending, so each row's columns come out ascending and grouped by input channel
     * (every forward row of channel ci reads the same columns of each channel of its group, so the groups
     * hold equal counts). {rowPtr, colIdx, perm}: transposed entry k is forward entry perm[k].
     */
    private static int[][] transposedStructure(BlockToeplitz f, ConvGeometry g) {
        int fRows = f.rowPtr.length - 1, rows = Math.multiplyExact(g.spec.outChannels(), g.outW);
        int nnz = f.colIdx.length;
        MemoryBudget.check("the transposed Toeplitz operator's structure for input " + ToeplitzEntries.shapeText(g.inputShape()),
                (3L * nnz + rows + 1) * Integer.BYTES + (long) f.values.length * nnz * Double.BYTES);
        int[] ptr = new int[rows + 1];
        for (int k = 0; k < nnz; k++) ptr[f.colIdx[k] + 1]++;
        for (int r = 0; r < rows; r++) ptr[r + 1] += ptr[r];
        int[] next = java.util.Arrays.copyOf(ptr, rows), col = new int[nnz], perm = new int[nnz];
        for (int fr = 0; fr < fRows; fr++) {
            for (int k = f.rowPtr[fr]; k < f.rowPtr[fr + 1]; k++) {
                int slot = next[f.colIdx[k]]++;
                col[slot] = fr;
                perm[slot] = k;
            }
        }
        return new int[][] {ptr, col, perm};
    }

    /**
     * The forward line map inverted: forward output line L reading input line l through block b becomes
     * output line l reading input line L through b's transpose. Walking L ascending keeps each line's input
     * lines ascending. {lineStart, pairLine, pairBlock}.
     */
    private static int[][] invertedLines(BlockToeplitz f, ConvGeometry g) {
        int lines = Math.multiplyExact(g.outD, g.outH), pairs = f.pairLine.length;
        int[] start = new int[lines + 1];
        for (int p = 0; p < pairs; p++) start[f.pairLine[p] + 1]++;
        for (int l = 0; l < lines; l++) start[l + 1] += start[l];
        int[] next = java.util.Arrays.copyOf(start, lines), line = new int[pairs], block = new int[pairs];
        for (int fl = 0; fl + 1 < f.lineStart.length; fl++) {
            for (int p = f.lineStart[fl]; p < f.lineStart[fl + 1]; p++) {
                int slot = next[f.pairLine[p]]++;
                line[slot] = fl;
                block[slot] = f.pairBlock[p];
            }
        }
        return new int[][] {start, line, block};
    }

    /** For each source entry of an axis, the id of its list of kernel indices; equal lists share an id. */
    private static int[] tapSets(FoldedAxis axis) {
        Map<List<Integer>, Integer> ids = new HashMap<>();
        int[] set = new int[axis.source.length];
        for (int e = 0; e < set.length; e++) {
            List<Integer> taps = new ArrayList<>();
            for (int i = axis.kStart[e]; i < axis.kStart[e + 1]; i++) taps.add(axis.k[i]);
            Integer id = ids.get(taps);
            if (id == null) ids.put(taps, id = ids.size());
            set[e] = id;
        }
        return set;
    }

    private static int max(int[] v) {
        int m = -1;
        for (int x : v) m = Math.max(m, x);
        return m;
    }

    public ConvGeometry geometry() { return g; }

    /** Distinct blocks stored. */
    public int blockCount() { return values.length; }
    /** Non-zeros the operator stores: every distinct block's values. */
    public long storedNonZeros() { return (long) values.length * colIdx.length; }
    /** Bytes the operator holds: the blocks' values, their shared structure and the line maps. */
    public long bytes() {
        return storedNonZeros() * Double.BYTES + ((long) colIdx.length + rowPtr.length + lineStart.length
                + pairLine.length + pairBlock.length) * Integer.BYTES;
    }

    /** Block {@code b} as an MLlib CSR matrix ({@code isTransposed}): (C_out * outW) x (C_in * W), sharing the structure. */
    public SparseMatrix block(int b) {
        return new SparseMatrix(rowPtr.length - 1, g.c * g.w, rowPtr, colIdx, values[b], true);
    }

    // ---- what the product needs, without copies ----

    public int[] rowPtr() { return rowPtr; }
    public int[] colIdx() { return colIdx; }
    public double[] values(int block) { return values[block]; }
    public int[] lineStart() { return lineStart; }
    public int[] pairLine() { return pairLine; }
    public int[] pairBlock() { return pairBlock; }

    /** Receives entries in row order, columns ascending within a row, each (row, col) once. */
    public interface Sink {
        void entry(long row, long col, double value);
    }

    /**
     * Visits the entries of T's rows [from, to): for row (co, oz, oy, ox), per input channel ci of its group,
     * the blocks of line (oz, oy) in ascending input line, each block row's columns ascending. So the
     * columns (ci, z, y, x) come out ascending.
     */
    public void forEachInRows(long from, long to, Sink sink) {
        ConvSpec s = g.spec;
        FlatIndex out = g.output(), in = g.input();
        int perGroup = s.outChannels() / s.groups(), cinPG = s.inChannelsPerGroup();
        int[] at = new int[4];
        for (long r = from; r < to; r++) {
            out.decode(r, at);
            int co = at[0], line = at[1] * g.outH + at[2], ox = at[3];
            int br = co * g.outW + ox;
            int k0 = rowPtr[br], n = (rowPtr[br + 1] - k0) / cinPG;
            int ci0 = (co / perGroup) * cinPG;
            for (int c = 0; c < cinPG; c++) {
                int ci = ci0 + c;
                long chanBase = in.of(ci, 0, 0, 0) - (long) ci * g.w;
                for (int p = lineStart[line]; p < lineStart[line + 1]; p++) {
                    double[] v = values[pairBlock[p]];
                    long base = chanBase + (long) pairLine[p] * g.w;
                    for (int k = k0 + c * n; k < k0 + (c + 1) * n; k++) sink.entry(r, base + colIdx[k], v[k]);
                }
            }
        }
    }
}
