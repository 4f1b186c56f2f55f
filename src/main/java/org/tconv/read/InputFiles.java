package org.tconv.read;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Lists the files an {@code --input} names: a file, a directory (read recursively) or a glob, on any
 * Hadoop file system. Only names go through the driver; the bytes are read by the tasks.
 * Hidden files ({@code .name}, {@code _name}), as Hadoop and Spark skip them, are not inputs.
 */
public final class InputFiles {
    private InputFiles() {}

    public static List<InputFile> list(String input, Configuration conf) throws IOException {
        Path pattern = new Path(input);
        FileSystem fs = pattern.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(pattern);
        if (matches == null || matches.length == 0) {
            throw new FileNotFoundException("input " + input + " does not exist");
        }
        List<InputFile> files = new ArrayList<>();
        for (FileStatus m : matches) {
            Path root = m.isDirectory() ? m.getPath() : m.getPath().getParent();
            if (m.isDirectory()) {
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    String rel = relative(root, f.getPath());
                    if (f.isFile() && !hidden(rel)) files.add(new InputFile(f.getPath().toString(), rel));
                }
            } else if (!hidden(m.getPath().getName())) {
                files.add(new InputFile(m.getPath().toString(), relative(root, m.getPath())));
            }
        }
        files.sort((a, b) -> a.path.compareTo(b.path));
        return files;
    }

    private static String relative(Path root, Path file) {
        String r = root.toUri().getPath();
        String f = file.toUri().getPath();
        if (!r.endsWith("/")) r = r + "/";
        return f.startsWith(r) ? f.substring(r.length()) : file.getName();
    }

    private static boolean hidden(String rel) {
        for (String part : rel.split("/")) {
            if (part.startsWith(".") || part.startsWith("_")) return true;
        }
        return false;
    }
}
