package org.tconv.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobPattern;
import org.apache.hadoop.fs.Path;

/**
 * What an {@code --input} names, the one reading of it that the pre-flight check, the listing and the
 * output's safety check share: the path itself when it exists (a name such as {@code photos[2019]} or
 * {@code x*y} is a name, not a pattern), else the matches of it read as a Hadoop glob.
 *
 * <p>Each match carries the name its files' outputs start with: a glob's matches are named by their path
 * below the glob's fixed parent (the leading components without glob characters), so {@code shoots/*}
 * matching {@code shoots/a} and {@code shoots/b} writes {@code a/...} and {@code b/...}. A literal input
 * is its own root: a directory's files are named below it, a file by its own name. A glob match that is a
 * tconv output ({@link OwnOutputs}) is left out, as the listing leaves out outputs inside an input.
 */
public final class InputPaths {
    /** One root of the input: what is there, and the relative name its files' names start with. */
    public static final class Root {
        public final FileStatus status;
        /** "" for a literal directory (its files are named below it), else the match's own relative name. */
        public final String prefix;

        Root(FileStatus status, String prefix) {
            this.status = status;
            this.prefix = prefix;
        }

        public Path path() {
            return status.getPath();
        }
    }

    public final FileSystem fs;
    public final boolean glob;
    public final List<Root> roots;

    private InputPaths(FileSystem fs, boolean glob, List<Root> roots) {
        this.fs = fs;
        this.glob = glob;
        this.roots = roots;
    }

    /** The roots of {@code input}, empty when nothing of that name exists and the glob matches nothing. */
    public static InputPaths resolve(String input, Configuration conf) throws IOException {
        Path given = new Path(input);
        FileSystem fs = given.getFileSystem(conf);
        Path q = fs.makeQualified(given);
        List<Root> roots = new ArrayList<>();
        if (exists(fs, q)) {
            FileStatus st = fs.getFileStatus(q);
            roots.add(new Root(st, st.isDirectory() ? "" : q.getName()));
            return new InputPaths(fs, false, roots);
        }
        FileStatus[] matches = fs.globStatus(q);
        if (matches != null) {
            Path fixed = fixedParent(q);
            for (FileStatus m : matches) {
                if (m.isDirectory() && OwnOutputs.isOwnOutput(fs, m.getPath())) continue;
                roots.add(new Root(m, below(fixed, fs.makeQualified(m.getPath()))));
            }
        }
        return new InputPaths(fs, true, roots);
    }

    /** {@code exists}, with a path below a regular file (ENOTDIR, which some file systems throw) as not there. */
    private static boolean exists(FileSystem fs, Path p) throws IOException {
        try {
            return fs.exists(p);
        } catch (org.apache.hadoop.fs.ParentNotDirectoryException e) {
            return false;
        }
    }

    /**
     * {@code input} as Spark's file reader should be given it: Spark reads any path with a glob character as
     * a glob, so an existing name that holds one gets each such character escaped ({@code photos\[2019\]}),
     * which Hadoop's glob matches as that one name. A glob, and a plain name, are passed on as given.
     */
    public static String forSparkReader(String input, Configuration conf) throws IOException {
        Path given = new Path(input);
        FileSystem fs = given.getFileSystem(conf);
        if (!exists(fs, fs.makeQualified(given))) return input;
        return escaped(input);
    }

    /** A path known to exist (just listed), its glob characters escaped for Spark's reader. */
    public static String escaped(String path) {
        StringBuilder b = new StringBuilder(path.length() + 8);
        for (char c : path.toCharArray()) {
            if ("{}[]*?\\".indexOf(c) >= 0) b.append('\\');
            b.append(c);
        }
        return b.toString();
    }

    public boolean isEmpty() {
        return roots.isEmpty();
    }

    /**
     * The longest leading part of a qualified pattern whose components hold no glob character: the folder
     * a glob's matches are named from. {@code /d/shoots/*} gives {@code /d/shoots}; {@code /d/s*}/x gives {@code /d}.
     */
    static Path fixedParent(Path pattern) {
        Path fixed = pattern;
        for (Path p = pattern; p != null; p = p.getParent()) {
            if (p.getParent() != null && new GlobPattern(p.getName()).hasWildcard()) fixed = p.getParent();
        }
        return fixed;
    }

    /** A match's path below the fixed parent (the match's name alone should the two not line up). */
    private static String below(Path fixed, Path match) {
        String base = fixed.toUri().getPath();
        String m = match.toUri().getPath();
        if (!base.endsWith("/")) base = base + "/";
        return m.startsWith(base) && m.length() > base.length() ? m.substring(base.length()) : match.getName();
    }
}
