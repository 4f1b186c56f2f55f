package org.tconv.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.InputRejectedException;
import org.tconv.timing.StageClock;

/**
 * Reads one input file inside a task and turns it into an {@link ImageBatch} the convolution accepts, or
 * a rejected one with the reason. Images decode to (C, H, W) and so need 2-D weights; a .npy is
 * (L)/(C, L)/(N, C, L) for 1-D weights, (H, W)/(C, H, W)/(N, C, H, W) for 2-D weights and
 * (D, H, W)/(C, D, H, W)/(N, C, D, H, W) for 3-D weights.
 */
public final class InputDecoder {
    private final ConvSpec spec;
    private final AdmissionBudget budget;

    public InputDecoder(ConvSpec spec) {
        this(spec, AdmissionBudget.defaults());
    }

    public InputDecoder(ConvSpec spec, AdmissionBudget budget) {
        this.spec = spec;
        this.budget = budget;
    }

    public ImageBatch decode(InputFile f, Configuration conf) {
        if (f.extension().equals("parquet")) { // not read: a table is many inputs, not one
            return ImageBatch.rejected(f, "a Parquet file: give --image-column COL to read --input as a table of images");
        }
        byte[] bytes;
        long t0 = System.nanoTime();
        try {
            bytes = readAll(new Path(f.path), conf, budget);
        } catch (IOException | RuntimeException e) {
            return closed(ImageBatch.rejected(f, "cannot read file: " + oneLine(e)));
        } finally {
            StageClock.add(StageClock.Counter.READ, t0); // the bench's read stage
        }
        return closed(guarded(f, () -> decode(f, bytes)));
    }

    /** The item's reservation in {@link InFlightMemory} passes to its batch, or is given back for a rejected one. */
    private static ImageBatch closed(ImageBatch b) {
        b.holdReservation(InFlightMemory.jvm().closeItem(b.ok()));
        return b;
    }

    /** One file's decode, whose every failure becomes that file's rejection. */
    static ImageBatch guarded(InputFile f, java.util.function.Supplier<ImageBatch> decode) {
        try {
            return decode.get();
        } catch (RuntimeException e) {
            // Whatever one file does to a decoder, the other files still go through.
            return ImageBatch.rejected(f, oneLine(e));
        } catch (OutOfMemoryError | StackOverflowError e) {
            // The last line behind the budget: what the decoder held is garbage once we are here, so the
            // task can go on with the next file.
            return ImageBatch.rejected(f, "decoding ran out of " + (e instanceof StackOverflowError ? "stack" : "memory")
                    + " (" + oneLine(e) + "); the file claims more than the budget saw");
        } catch (Error e) {
            if (e instanceof VirtualMachineError) throw e; // InternalError, UnknownError: the JVM itself is in doubt
            return ImageBatch.rejected(f, "decoder crashed: " + e.getClass().getSimpleName() + ": " + oneLine(e));
        }
    }

    /**
     * Decodes bytes that were read elsewhere (a shard's member), named {@code f}; like {@link #decode(InputFile,
     * Configuration)}, whatever the bytes do ends as a rejected batch, not an exception.
     */
    public ImageBatch decodeBytes(InputFile f, byte[] bytes) {
        try {
            return closed(decode(f, bytes));
        } catch (RuntimeException e) {
            return closed(ImageBatch.rejected(f, oneLine(e)));
        }
    }

    /**
     * Decodes bytes that carry no file name (a table's image column): a {@code .npy} when they start as one,
     * else an image, whose own magic picks PNG, JPEG, BMP or GIF. Checked against the budget as a file's
     * bytes are, and guarded as a file's decode is.
     */
    public ImageBatch decodeEncoded(InputFile f, byte[] bytes) {
        if (bytes.length > budget.memory() / 2) {
            return ImageBatch.rejected(f, "image of " + bytes.length + " bytes is more than half the " + budget.memory() + " bytes one item may take");
        }
        boolean npy = NpyArray.startsLikeNpy(bytes);
        return closed(guarded(f, () -> decode(f, bytes, npy)));
    }

    ImageBatch decode(InputFile f, byte[] bytes) {
        return decode(f, bytes, f.extension().equals("npy"));
    }

    private ImageBatch decode(InputFile f, byte[] bytes, boolean npy) {
        NpyArray a;
        if (npy) {
            a = NpyArray.read(bytes, budget);
        } else {
            if (spec.dims() != 2) {
                // An image is one (C, H, W) item: rank 3, the wrong rank for any but 2-D weights.
                throw new InputRejectedException("an image is (C, H, W) and needs 2-D weights (C_out, C_in, kH, kW); the weights are "
                        + spec.dims() + "-D, which take " + shapes(spec.dims()) + " .npy arrays");
            }
            a = ImageDecoder.decode(bytes, budget);
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
                    + rank + "; " + dims + "-D weights take " + shapes(dims));
        }
        ImageBatch b = ImageBatch.of(f, batched, count, item, a.data);
        int[] outShape = spec.geometry(item).outputShape(); // rejects what PyTorch would refuse
        budget.checkItem(count, item, outShape); // padding can make a small input's output huge
        b.setOutShape(outShape);
        return b;
    }

    /** The input shapes weights of {@code dims} spatial axes take, as the user writes them. */
    private static String shapes(int dims) {
        switch (dims) {
            case 1: return "(L), (C,L) or (N,C,L)";
            case 2: return "(H,W), (C,H,W) or (N,C,H,W)";
            default: return "(D,H,W), (C,D,H,W) or (N,C,D,H,W)";
        }
    }

    /**
     * Items of a batch file ((N, C, H, W) or (N, C, L)) from its header alone, 0 when it is not a batch or
     * its header cannot be read (the decoder then rejects it with the reason): the png names it will write.
     */
    public static int batchItems(InputFile f, Configuration conf, int dims) {
        if (!f.extension().equals("npy")) return 0;
        try (InputStream in = open(new Path(f.path), conf)) {
            int[] shape = NpyArray.readShape(in);
            return shape.length == dims + 2 ? shape[0] : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static InputStream open(Path p, Configuration conf) throws IOException {
        return rawOf(p.getFileSystem(conf)).open(p);
    }

    /**
     * Hadoop's LocalFileSystem looks for a hidden .crc beside every file it opens, and cannot even name it
     * for a file such as a:b.png (a colon in a relative path). Inputs are the user's files: a .crc exists
     * only beside files Hadoop wrote, so they are read from the raw local file system.
     */
    private static FileSystem rawOf(FileSystem fs) {
        return fs instanceof ChecksumFileSystem ? ((ChecksumFileSystem) fs).getRawFileSystem() : fs;
    }

    private static byte[] readAll(Path p, Configuration conf, AdmissionBudget budget) throws IOException {
        FileSystem fs = rawOf(p.getFileSystem(conf));
        long len = fs.getFileStatus(p).getLen();
        if (len > Integer.MAX_VALUE - 16) throw new IOException("file of " + len + " bytes is larger than 2 GB");
        // the file's bytes are held beside what they decode to; the decoders check the rest
        if (len > budget.memory() / 2) throw new IOException("file of " + len + " bytes is more than half the " + budget.memory() + " bytes one item may take");
        budget.reserve("file of " + len + " bytes", len); // before it exists: the decoders' estimates then grow it
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
