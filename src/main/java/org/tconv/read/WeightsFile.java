package org.tconv.read;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tconv.conv.IntTuple;

/** Loads {@code --weights} and {@code --bias} (.npy files or safetensors tensors) from any Hadoop path, before Spark starts. */
public final class WeightsFile {
    private WeightsFile() {}

    /** {@code model.safetensors:conv1.weight}: the checkpoint and the tensor's name. */
    private static final Pattern SAFETENSORS = Pattern.compile("(.*\\.safetensors)(?::(.+))?");

    /** The file of a {@code --weights}/{@code --bias} argument: {@code model.safetensors:conv1.weight} is in {@code model.safetensors}. */
    public static String fileOf(String argument) {
        Matcher st = SAFETENSORS.matcher(argument);
        return st.matches() ? st.group(1) : argument;
    }

    /**
     * A {@code .npy} file, or one tensor of a safetensors checkpoint as people save them
     * ({@code model.safetensors:conv1.weight}; the name may be left out when the file holds one tensor).
     *
     * @throws IllegalArgumentException with a one-line message naming the file and the problem
     */
    public static NpyArray load(String what, String path, Configuration conf) {
        try {
            Matcher st = SAFETENSORS.matcher(path);
            NpyArray a;
            if (st.matches()) {
                Path p = new Path(st.group(1));
                a = SafetensorsFile.read(p.getFileSystem(conf), p, st.group(2));
            } else {
                Path p = new Path(path);
                try (InputStream in = p.getFileSystem(conf).open(p)) {
                    a = NpyArray.read(in);
                }
            }
            requireFinite(a);
            return a;
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(what + " file " + path + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " file " + path + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " file " + path + ": " + e.getMessage());
        }
    }

    /**
     * A NaN or infinite weight is a bug upstream, and T (which drops the taps that fall on zero padding)
     * would not even reproduce PyTorch's NaN times the padded zeros at the border: refuse it, naming the
     * first one.
     */
    private static void requireFinite(NpyArray a) {
        for (int i = 0; i < a.data.length; i++) {
            double v = a.data[i];
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("value " + v + " at index " + i + " (" + IntTuple.format(IntTuple.unflatten(i, a.shape))
                        + " in shape (" + IntTuple.format(a.shape) + ")): weights and bias must be finite");
            }
        }
    }
}
