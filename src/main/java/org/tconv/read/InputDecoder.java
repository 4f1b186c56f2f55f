package org.tconv.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.InputRejectedException;

/**
 * Reads one input file inside a task and turns it into an {@link ImageBatch} the convolution accepts, or
 * a rejected one with the reason. Images decode to (C, H, W); a .npy is (L)/(C, L)/(N, C, L) for 1-D
 * weights and (H, W)/(C, H, W)/(N, C, H, W) for 2-D weights.
 */
public final class InputDecoder {
    private final ConvSpec spec;

    public InputDecoder(ConvSpec spec) {
        this.spec = spec;
    }

    public ImageBatch decode(InputFile f, Configuration conf) {
        byte[] bytes;
        try {
            bytes = readAll(new Path(f.path), conf);
        } catch (IOException | RuntimeException e) {
            return ImageBatch.rejected(f, "cannot read file: " + oneLine(e));
        }
        try {
            return decode(f, bytes);
        } catch (RuntimeException e) {
            // Whatever one file does to a decoder, the other files still go through.
            return ImageBatch.rejected(f, oneLine(e));
        }
    }

    /**
     * Decodes bytes that were read elsewhere (a shard's member), named {@code f}; like {@link #decode(InputFile,
     * Configuration)}, whatever the bytes do ends as a rejected batch, not an exception.
     */
    public ImageBatch decodeBytes(InputFile f, byte[] bytes) {
        try {
            return decode(f, bytes);
        } catch (RuntimeException e) {
            return ImageBatch.rejected(f, oneLine(e));
        }
    }

    ImageBatch decode(InputFile f, byte[] bytes) {
        NpyArray a;
        boolean npy = f.extension().equals("npy");
        if (npy) {
            a = NpyArray.read(bytes);
        } else {
            if (spec.dims() != 2) {
                throw new InputRejectedException("an image needs 2-D weights (C_out, C_in, kH, kW); the weights are 1-D");
            }
            a = ImageDecoder.decode(bytes);
        }
        int rank = a.shape.length;
        int dims = spec.dims();
        int[] item;
        int count = 1;
        boolean batched = false;
        if (rank == dims) {
            item = new int[rank + 1];
            item[0] = 1;
            System.arraycopy(a.shape, 0, item, 1, rank);
        } else if (rank == dims + 1) {
            item = a.shape.clone();
        } else if (rank == dims + 2) {
            batched = true;
            count = a.shape[0];
            item = Arrays.copyOfRange(a.shape, 1, rank);
            if (count == 0) throw new InputRejectedException("batch of 0 items");
        } else {
            throw new InputRejectedException("array of shape (" + org.tconv.conv.IntTuple.format(a.shape) + ") has rank "
                    + rank + "; " + dims + "-D weights take " + (dims == 2 ? "(H,W), (C,H,W) or (N,C,H,W)" : "(L), (C,L) or (N,C,L)"));
        }
        ImageBatch b = ImageBatch.of(f, batched, count, item, a.data);
        b.setOutShape(spec.geometry(item).outputShape()); // rejects what PyTorch would refuse
        return b;
    }

    private static byte[] readAll(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        long len = fs.getFileStatus(p).getLen();
        if (len > Integer.MAX_VALUE - 16) throw new IOException("file of " + len + " bytes is larger than 2 GB");
        byte[] bytes = new byte[(int) len];
        try (InputStream in = fs.open(p)) {
            IOUtils.readFully(in, bytes, 0, bytes.length);
        }
        return bytes;
    }

    /** Exception messages become reasons in _rejected.csv: one line, never empty. */
    public static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
