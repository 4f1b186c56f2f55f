package org.tconv.write;

import java.io.IOException;
import java.io.OutputStream;

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
