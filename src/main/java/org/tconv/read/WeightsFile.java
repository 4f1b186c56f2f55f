package org.tconv.read;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Loads {@code --weights} and {@code --bias} .npy files from any Hadoop path, before Spark starts. */
public final class WeightsFile {
    private WeightsFile() {}

    /** @throws IllegalArgumentException with a one-line message naming the file and the problem */
    public static NpyArray load(String what, String path, Configuration conf) {
        try {
            Path p = new Path(path);
            try (InputStream in = p.getFileSystem(conf).open(p)) {
                return NpyArray.read(in);
            }
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(what + " file " + path + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " file " + path + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " file " + path + ": " + e.getMessage());
        }
    }
}
