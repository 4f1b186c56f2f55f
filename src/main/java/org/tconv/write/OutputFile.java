package org.tconv.write;

import java.io.IOException;
import java.io.OutputStream;

import org.tconv.conv.GroupMajor;
import org.tconv.read.ImageBatch;
import org.tconv.read.NpyArray;

/**
 * The content of one output file of {@code --format npy} or {@code png}, written by the task straight to
 * its stream: a .npy is converted a block at a time rather than copied whole into a byte array first.
 * Never serialised: records go from the task's iterator to {@link NamedFilesOutputFormat} in one JVM.
 */
public abstract class OutputFile {
    public abstract void writeTo(OutputStream out) throws IOException;

    /** A float64 .npy of {@code shape}, numpy's bytes. */
    public static OutputFile npy(int[] shape, double[] values) {
        return new OutputFile() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                NpyArray.write(out, shape, values);
            }
        };
    }

    /** A float32 .npy of {@code shape}, numpy's bytes. */
    public static OutputFile npy(int[] shape, float[] values) {
        return new OutputFile() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                NpyArray.write(out, shape, values);
            }
        };
    }

    /**
     * A row's results as one .npy of {@link ImageBatch#outFileShape}, float32 or float64 as computed, read
     * from the row's layout a few items at a time ({@link ImageBatch#outItems}) as the bytes are written.
     */
    public static OutputFile npy(ImageBatch b) {
        if (b.getOutGroup() == 0) return b.getOutFloats() != null ? npy(b.outFileShape(), b.getOutFloats()) : npy(b.outFileShape(), b.getOutValues());
        return new OutputFile() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                boolean float32 = b.getOutFloats() != null;
                NpyArray.Writer w = new NpyArray.Writer(out, b.outFileShape(), b.outLength(), float32);
                for (int first = 0; first < b.getCount(); first += GroupMajor.ITEMS_PER_PASS) {
                    for (Object item : b.outItems(first, Math.min(GroupMajor.ITEMS_PER_PASS, b.getCount() - first))) {
                        if (float32) w.put((float[]) item, 0, ((float[]) item).length);
                        else w.put((double[]) item, 0, ((double[]) item).length);
                    }
                }
            }
        };
    }

    /** Bytes already encoded (a PNG). */
    public static OutputFile bytes(byte[] content) {
        return new OutputFile() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(content);
            }
        };
    }
}
