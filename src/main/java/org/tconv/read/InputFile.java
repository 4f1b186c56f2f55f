package org.tconv.read;

import java.io.Serializable;

/** One file to convolve: its full Hadoop path and its path relative to the input root (names the output). */
public class InputFile implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String path;
    public final String relative;

    public InputFile(String path, String relative) {
        this.path = path;
        this.relative = relative;
    }

    /** The relative path without its extension: {@code a/b/cat.png} gives {@code a/b/cat}. */
    public String relativeStem() {
        int slash = relative.lastIndexOf('/');
        int dot = relative.lastIndexOf('.');
        return dot > slash + 1 ? relative.substring(0, dot) : relative;
    }

    public String extension() {
        int slash = relative.lastIndexOf('/');
        int dot = relative.lastIndexOf('.');
        return dot > slash + 1 ? relative.substring(dot + 1).toLowerCase(java.util.Locale.ROOT) : "";
    }

    @Override
    public String toString() {
        return path;
    }
}
