package org.tconv.deconvolve;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.tconv.conv.InputRejectedException;
import org.tconv.conv.IntTuple;
import org.tconv.read.AdmissionBudget;
import org.tconv.read.ImageBatch;
import org.tconv.read.ImageDecoder;
import org.tconv.read.InputDecoder;
import org.tconv.read.InputFile;
import org.tconv.read.NpyArray;

/**
 * One input file of {@code deconvolve} as a row: an {@code .npy} as stored or an image file as its (C, H, W)
 * values, split into items by the problem's spatial rank r: rank r is one single-channel item, r + 1 one item
 * (C, ...), r + 2 a batch (N, C, ...). The input's own decoder ({@link InputDecoder}) checks inputs against a
 * layer's channels, which a PSF does not have, so the files are read here with the same decoders and budget.
 * Every failure is the file's rejection, with the reason.
 */
public final class DeconvolveInputs {
    private DeconvolveInputs() {}

    /**
     * Float64 arrays of one channel the solvers hold beside the item (RL: y, x, T x, the ratio, its
     * correction; LSQR: u, v, w, x and two products' scratch, counted on the larger side).
     */
    static final int WORKSPACE_ARRAYS = 8;

    /**
     * @param keepChannelAxis write a rank-r input as (1, ...) rather than as its own shape (PNG pictures need C)
     */
    public static ImageBatch decode(InputFile f, Configuration conf, Problem p, AdmissionBudget budget, boolean keepChannelAxis) {
        if (f.extension().equals("parquet")) return ImageBatch.rejected(f, "a Parquet file: deconvolve reads .npy and image files");
        try {
            byte[] bytes = readAll(new Path(f.path), conf, budget);
            return split(f, f.extension().equals("npy") ? NpyArray.read(bytes, budget) : image(p, bytes, budget), p, budget, keepChannelAxis);
        } catch (IOException | RuntimeException e) {
            return ImageBatch.rejected(f, InputDecoder.oneLine(e));
        } catch (OutOfMemoryError e) {
            return ImageBatch.rejected(f, "decoding ran out of memory (" + InputDecoder.oneLine(e) + ")");
        }
    }

    private static NpyArray image(Problem p, byte[] bytes, AdmissionBudget budget) {
        if (p.spatialRank() != 2) {
            throw new InputRejectedException("an image is (C, H, W) and needs a 2-D " + (p.psf != null ? "PSF" : "layer") + "; this one is "
                    + p.spatialRank() + "-D");
        }
        return ImageDecoder.decode(bytes, budget);
    }

    static ImageBatch split(InputFile f, NpyArray a, Problem p, AdmissionBudget budget, boolean keepChannelAxis) {
        int r = p.spatialRank(), rank = a.shape.length;
        int[] item;
        int count = 1;
        boolean batched = false;
        if (rank == r) {
            item = new int[r + 1];
            item[0] = 1;
            System.arraycopy(a.shape, 0, item, 1, r);
        } else if (rank == r + 1) {
            item = a.shape.clone();
        } else if (rank == r + 2) {
            batched = true;
            count = a.shape[0];
            item = Arrays.copyOfRange(a.shape, 1, rank);
            if (count == 0) throw new InputRejectedException("batch of 0 items");
        } else {
            throw new InputRejectedException("array of shape (" + IntTuple.format(a.shape) + ") has rank " + rank + "; a " + r + "-D "
                    + (p.psf != null ? "PSF" : "layer") + " takes rank " + r + ", " + (r + 1) + " (C, ...) or " + (r + 2) + " (N, C, ...)");
        }
        for (int d : item) if (d < 1) throw new InputRejectedException("input of shape (" + IntTuple.format(a.shape) + ") is empty");
        int[] solution = p.solutionShape(item);
        budget.checkItem(count, item, solution);
        long channel = 1;
        for (int i = 1; i < solution.length; i++) channel *= solution[i];
        long rows = AdmissionBudget.elements("input item", item) / item[0];
        long workspace = (long) WORKSPACE_ARRAYS * Math.max(channel, rows) * (p.psf != null ? 1 : Math.max(item[0], solution[0]));
        // the item's own arrays were checked above; its workspace is several arrays, so the bytes count, not one array's limit
        if (workspace > budget.memory() / Double.BYTES) {
            throw new InputRejectedException("the solver's workspace for item (" + IntTuple.format(item) + ") needs " + workspace * Double.BYTES
                    + " bytes, more than the " + budget.memory() + " bytes one item may take");
        }
        ImageBatch b = ImageBatch.of(f, batched, count, item, a.data);
        b.setOutShape(rank == r && !keepChannelAxis && p.psf != null ? Arrays.copyOfRange(item, 1, item.length) : solution);
        return b;
    }

    /** The file's bytes, refused before reading when they could not fit the item budget (as run's decoder does). */
    private static byte[] readAll(Path path, Configuration conf, AdmissionBudget budget) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        if (fs instanceof ChecksumFileSystem) fs = ((ChecksumFileSystem) fs).getRawFileSystem();
        long len = fs.getFileStatus(path).getLen();
        if (len > Integer.MAX_VALUE - 16) throw new IOException("file of " + len + " bytes is larger than 2 GB");
        if (len > budget.memory() / 2) throw new IOException("file of " + len + " bytes is more than half the " + budget.memory() + " bytes one item may take");
        byte[] bytes = new byte[(int) len];
        try (InputStream in = fs.open(path)) {
            IOUtils.readFully(in, bytes, 0, bytes.length);
        }
        return bytes;
    }
}
