package org.tconv.read;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Lists the files an {@code --input} names: a file, a directory (read recursively) or a glob, on any
 * Hadoop file system. Only names go through the driver; the bytes are read by the tasks.
 *
 * <p>Every entry the listing meets is an input, a documented skip (hidden files {@code .name},
 * {@code _name}, as Hadoop and Spark skip them) or a rejection with its reason: nothing is dropped
 * without a word. On the local file system the listing looks at each entry itself rather than through
 * Hadoop, whose local listing opens named pipes as files (the task then blocks forever), follows a
 * symbolic link loop until the path is too long, and skips a dangling link in silence.
 */
public final class InputFiles {
    private InputFiles() {}

    /**
     * The inputs, sorted by path; entries that cannot be inputs go to {@code rejected} (path to reason).
     * A path that exists is taken literally, before it is read as a glob ({@code data[1]} is a directory);
     * a glob's files are named below its fixed parent ({@link InputPaths}). A tconv output found inside a
     * directory (its marker, {@link OwnOutputs}) is skipped, as hidden entries are.
     */
    public static List<InputFile> list(String input, Configuration conf, Map<String, String> rejected) throws IOException {
        InputPaths in = InputPaths.resolve(input, conf);
        if (in.isEmpty()) {
            throw new FileNotFoundException("input " + input + " does not exist");
        }
        FileSystem fs = in.fs;
        List<InputFile> files = new ArrayList<>();
        boolean local = "file".equals(fs.getUri().getScheme());
        LocalWalk walk = new LocalWalk(files, rejected); // one for all roots: a directory two matches reach is listed once
        for (InputPaths.Root m : in.roots) {
            Path qualified = fs.makeQualified(m.path());
            if (local) {
                walk.root(Paths.get(qualified.toUri().getPath()), m.prefix);
            } else if (m.status.isDirectory()) {
                walkHadoop(fs, m.path(), m.prefix, files, rejected);
            } else if (!hidden(m.path().getName())) {
                add(m.status, m.prefix, files, rejected);
            }
        }
        files.sort((a, b) -> a.path.compareTo(b.path));
        List<InputFile> once = new ArrayList<>();
        for (InputFile f : files) {
            // two matches of one glob ({a,a}) name one file twice: it is one input
            if (once.isEmpty() || !once.get(once.size() - 1).path.equals(f.path)) once.add(f);
        }
        return once;
    }

    /** Any other file system (HDFS, S3, ...): its listing, entries that are neither file nor directory rejected. */
    private static void walkHadoop(FileSystem fs, Path dir, String rel, List<InputFile> files, Map<String, String> rejected)
            throws IOException {
        FileStatus[] children;
        try {
            children = fs.listStatus(dir);
        } catch (org.apache.hadoop.security.AccessControlException e) {
            rejected.put(dir.toString(), "cannot list directory: permission denied");
            return;
        }
        for (FileStatus c : children) {
            String name = c.getPath().getName();
            if (hidden(name)) continue;
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            if (c.isDirectory()) {
                if (!OwnOutputs.isOwnOutput(fs, c.getPath())) walkHadoop(fs, c.getPath(), childRel, files, rejected);
            } else {
                add(c, childRel, files, rejected);
            }
        }
    }

    private static void add(FileStatus f, String rel, List<InputFile> files, Map<String, String> rejected) {
        if (f.isFile()) {
            files.add(new InputFile(f.getPath().toString(), rel));
        } else {
            rejected.put(f.getPath().toString(), "not a regular file (" + (f.isSymlink() ? "symbolic link" : "special file") + "), not read");
        }
    }

    /** The local file system, entry by entry, without following a link before it is known where it leads. */
    private static final class LocalWalk {
        private final List<InputFile> files;
        private final Map<String, String> rejected;
        /** Each real directory listed once (by device and inode): a second way in is a loop or a duplicate. */
        private final Map<Object, java.nio.file.Path> listed = new HashMap<>();

        LocalWalk(List<InputFile> files, Map<String, String> rejected) {
            this.files = files;
            this.rejected = rejected;
        }

        /** A root of the input; {@code prefix} is the relative name its files start with ("" for a literal directory). */
        void root(java.nio.file.Path p, String prefix) throws IOException {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (a.isDirectory()) {
                if (listed.putIfAbsent(key(p, a), p.toRealPath()) == null) walk(p, prefix);
            } else {
                java.nio.file.Path name = p.getFileName();
                if (!hidden(name.toString())) entry(p, prefix);
            }
        }

        private static String child(String rel, java.nio.file.Path e) {
            String name = e.getFileName().toString();
            return rel.isEmpty() ? name : rel + "/" + name;
        }

        private void walk(java.nio.file.Path dir, String rel) throws IOException {
            List<java.nio.file.Path> entries = new ArrayList<>();
            try (DirectoryStream<java.nio.file.Path> ds = Files.newDirectoryStream(dir)) {
                for (java.nio.file.Path e : ds) entries.add(e);
            } catch (AccessDeniedException e) {
                rejected.put(hadoopPath(dir), "cannot list directory: permission denied");
                return;
            }
            // Real entries before links, so a directory reached both ways is listed under its own name.
            entries.sort((x, y) -> {
                int links = Boolean.compare(Files.isSymbolicLink(x), Files.isSymbolicLink(y));
                return links != 0 ? links : x.compareTo(y);
            });
            for (java.nio.file.Path e : entries) {
                if (hidden(e.getFileName().toString())) continue;
                try {
                    entry(e, child(rel, e));
                } catch (IOException x) {
                    // Gone since the directory was read, or its attributes unreadable: one row, not the job.
                    rejected.put(hadoopPath(e), "cannot look at it: " + InputDecoder.oneLine(x));
                }
            }
        }

        /** An entry found below a root, {@code relative} the name its output gets. */
        private void entry(java.nio.file.Path e, String relative) throws IOException {
            String path = hadoopPath(e);
            if (!spelledAsItIs(e)) {
                // The name's bytes do not decode in the JVM's file-name encoding (bin/tconv makes it UTF-8):
                // a name that cannot be spelled cannot be opened again by the task.
                rejected.put(path, "file name is not valid in the JVM's file-name encoding ("
                        + System.getProperty("sun.jnu.encoding") + "; bin/tconv runs Java in UTF-8): it cannot be opened by its name");
                return;
            }
            BasicFileAttributes own = Files.readAttributes(e, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes a = own;
            if (own.isSymbolicLink()) {
                try {
                    a = Files.readAttributes(e, BasicFileAttributes.class);
                } catch (NoSuchFileException x) {
                    rejected.put(path, "dangling symbolic link to " + Files.readSymbolicLink(e) + ": nothing to read");
                    return;
                } catch (FileSystemException x) {
                    rejected.put(path, "symbolic link that cannot be followed (" + x.getReason() + ")");
                    return;
                }
            }
            if (a.isDirectory()) {
                if (OwnOutputs.isOwnOutput(e)) return; // an earlier output of tconv's: results, not inputs
                java.nio.file.Path real = e.toRealPath();
                java.nio.file.Path first = listed.putIfAbsent(key(e, a), real);
                if (first == null) {
                    walk(e, relative);
                } else if (e.getParent().toRealPath().startsWith(first)) {
                    rejected.put(path, "symbolic link loop: leads back to " + first + ", which is being listed; not followed");
                } else {
                    rejected.put(path, "directory " + real + " is already listed by another path; not listed twice");
                }
            } else if (a.isRegularFile()) {
                files.add(new InputFile(path, relative));
            } else {
                rejected.put(path, "not a regular file (" + kind(e) + "); not opened");
            }
        }

        private static boolean spelledAsItIs(java.nio.file.Path e) {
            try {
                return Paths.get(e.toString()).equals(e);
            } catch (java.nio.file.InvalidPathException x) {
                return false;
            }
        }

        private static Object key(java.nio.file.Path p, BasicFileAttributes a) throws IOException {
            Object k = a.fileKey();
            return k != null ? k : p.toRealPath();
        }

        /** What a special file is, from its Unix mode (S_IFMT), where the platform tells it. */
        private static String kind(java.nio.file.Path p) {
            try {
                int type = (Integer) Files.getAttribute(p, "unix:mode") & 0170000;
                switch (type) {
                    case 0010000: return "named pipe";
                    case 0020000: return "character device";
                    case 0060000: return "block device";
                    case 0140000: return "socket";
                    default: return "special file";
                }
            } catch (IOException | RuntimeException e) {
                return "special file";
            }
        }

        /** The Hadoop path of a local file, built so a colon in a name is not read as a scheme. */
        private static String hadoopPath(java.nio.file.Path p) {
            return new Path("file", null, p.toAbsolutePath().toString()).toString();
        }
    }

    private static boolean hidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }
}
