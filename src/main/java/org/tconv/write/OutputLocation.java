package org.tconv.write;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tconv.read.InputPaths;
import org.tconv.read.OwnOutputs;

/**
 * The {@code --output} directory, and the one rule that keeps a user's data safe: tconv deletes only what
 * it can prove it wrote. Every output tconv starts holds a marker file of its own ({@value #MARKER}); a
 * directory without it is never deleted or replaced, with or without {@code --overwrite}.
 *
 * <p>What a run may find at the output path:
 * <ul>
 *   <li>nothing, or an empty directory: the run writes there;</li>
 *   <li>a tconv output without {@code _SUCCESS} (a run that was interrupted): its contents are replaced;</li>
 *   <li>a finished tconv output: refused, unless {@code --overwrite}; then the new output is written beside
 *       it and swapped in only when it is complete, so a failed run leaves the old one as it was;</li>
 *   <li>anything else (a file, a user's directory): refused.</li>
 * </ul>
 * An output that cannot be made or written (below a regular file, through a dangling link, in a folder
 * that is not writable) is refused too. The output may never be or contain the input; it may lie inside
 * it, since the listing skips tconv's outputs ({@link OwnOutputs}), so replacing one deletes no input.
 * {@link #check} judges all of this without changing anything (before Spark starts); {@link #begin} does it.
 */
public final class OutputLocation {
    public static final String REJECTED = "_rejected.csv";
    public static final String SUCCESS = "_SUCCESS";
    /** tconv's own file in every output it starts ({@link OwnOutputs}). */
    public static final String MARKER = OwnOutputs.MARKER;

    /** What starting a run at the output path does. */
    public enum Plan {
        /** The path does not exist, or is an empty directory: write there. */
        WRITE,
        /** An interrupted tconv output: its contents are deleted first. */
        REPLACE_INTERRUPTED,
        /** A finished tconv output and {@code --overwrite}: write beside it, swap on success. */
        SWAP
    }

    private final Path dir;
    private final FileSystem fs;

    public OutputLocation(String output, Configuration conf) throws IOException {
        Path p = new Path(output);
        this.fs = p.getFileSystem(conf);
        this.dir = fs.makeQualified(p);
        if (dir.getParent() == null) throw new IllegalArgumentException("output " + dir + " is a file system root");
    }

    public String uri() {
        return dir.toString();
    }

    /**
     * What a run would do here, judged without changing anything.
     *
     * @param input the {@code --input} as given (a path or a glob)
     * @throws IllegalArgumentException naming why the output is refused
     */
    public Plan check(boolean overwrite, String input) throws IOException {
        List<Path> inputs = inputRoots(input);
        for (Path in : inputs) {
            if (isAncestorOrSelf(dir, in)) {
                throw new IllegalArgumentException("output " + dir + " " + (isAncestorOrSelf(in, dir) ? "is" : "contains")
                        + " the input " + in + ": choose an output outside the input");
            }
        }
        // An output inside the input needs no rule of its own: the listing skips tconv's outputs, so
        // writing, clearing or swapping one touches nothing that is read as input.
        return judge(overwrite);
    }

    private Plan judge(boolean overwrite) throws IOException {
        if (!exists(dir)) {
            requireCreatable();
            return Plan.WRITE;
        }
        FileStatus st = fs.getFileStatus(dir);
        if (!st.isDirectory()) throw new IllegalArgumentException("output " + dir + " exists and is a file");
        if (fs.listStatus(dir).length == 0) {
            requireWritable(dir);
            return Plan.WRITE;
        }
        if (!isTconvOutput(dir)) {
            throw new IllegalArgumentException("output " + dir + " already exists and is not a tconv output (no "
                    + MARKER + " in it): tconv replaces only what it wrote; choose another --output");
        }
        if (!fs.exists(new Path(dir, SUCCESS))) {
            requireWritable(dir);
            return Plan.REPLACE_INTERRUPTED;
        }
        if (!overwrite) {
            throw new IllegalArgumentException("output " + dir + " already exists (a finished tconv output; use --overwrite to replace it)");
        }
        requireWritable(dir.getParent()); // the new output is written beside it and renamed into its place
        requireWritable(dir);
        return Plan.SWAP;
    }

    /** {@code exists}, a path below a regular file counted as not there (some file systems throw then). */
    private boolean exists(Path p) throws IOException {
        try {
            return fs.exists(p);
        } catch (org.apache.hadoop.fs.ParentNotDirectoryException e) {
            return false;
        }
    }

    /**
     * The output does not exist: it must be possible to make it. Its nearest existing ancestor must be a
     * directory that can be written, and on {@code file:} the output must not be a dangling symbolic link
     * (making a directory there fails, or makes one wherever the link points).
     */
    private void requireCreatable() throws IOException {
        if (local()) {
            java.nio.file.Path p = java.nio.file.Paths.get(dir.toUri());
            if (java.nio.file.Files.isSymbolicLink(p)) {
                throw new IllegalArgumentException("output " + dir + " is a symbolic link to " + java.nio.file.Files.readSymbolicLink(p)
                        + ", which does not exist: give the folder itself as --output");
            }
        }
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            FileStatus st;
            try {
                st = fs.getFileStatus(p);
            } catch (java.io.FileNotFoundException | org.apache.hadoop.fs.ParentNotDirectoryException e) {
                continue;
            } catch (org.apache.hadoop.security.AccessControlException e) {
                throw new IllegalArgumentException("output " + dir + " cannot be written: " + p + " cannot be looked at (permission denied)");
            }
            if (!st.isDirectory()) throw new IllegalArgumentException("output " + dir + " cannot be made: " + p + " is not a directory");
            requireWritable(p);
            return;
        }
    }

    /**
     * Files can be made in the directory {@code d}: on {@code file:} as the kernel answers access(2) (which
     * also says no on a read-only mount); elsewhere as the file system's permission check answers, where it
     * has one (an object store may not: then the job finds out).
     */
    private void requireWritable(Path d) throws IOException {
        boolean writable;
        if (local()) {
            writable = java.nio.file.Files.isWritable(java.nio.file.Paths.get(d.toUri()));
        } else {
            try {
                fs.access(d, org.apache.hadoop.fs.permission.FsAction.WRITE);
                writable = true;
            } catch (org.apache.hadoop.security.AccessControlException e) {
                writable = false;
            } catch (IOException | RuntimeException e) {
                writable = true; // no answer (no permission model, or a check that failed itself): the job finds out
            }
        }
        if (!writable) {
            throw new IllegalArgumentException("output " + dir + " cannot be written: " + d
                    + " is not writable (permission denied or a read-only file system)");
        }
    }

    private boolean local() {
        return "file".equals(dir.toUri().getScheme());
    }

    /**
     * Starts the run's output: checks again (the directory may have changed since {@link #check}), clears an
     * interrupted output of ours, or makes the directory the new output is written to beside a finished one.
     */
    public PendingOutput begin(boolean overwrite, String input) throws IOException {
        Plan plan = check(overwrite, input);
        String runId = UUID.randomUUID().toString();
        switch (plan) {
            case WRITE:
                if (!fs.mkdirs(dir)) throw new IOException("cannot make the output directory " + dir);
                writeMarker(dir, runId);
                return new PendingOutput(this, dir, null, runId);
            case REPLACE_INTERRUPTED:
                for (FileStatus child : fs.listStatus(dir)) {
                    if (!child.getPath().getName().equals(MARKER)) deleteOrFail(child.getPath());
                }
                writeMarker(dir, runId);
                return new PendingOutput(this, dir, null, runId);
            case SWAP: {
                Path staging = sibling("new", runId);
                if (!fs.mkdirs(staging)) throw new IOException("cannot make the directory " + staging + " for the new output");
                writeMarker(staging, runId);
                return new PendingOutput(this, staging, dir, runId);
            }
            default:
                throw new AssertionError(plan);
        }
    }

    /** A hidden directory beside the output: Hadoop's and Spark's listings skip names starting with a dot. */
    Path sibling(String role, String runId) {
        return new Path(dir.getParent(), "." + dir.getName() + ".tconv-" + role + "-" + runId);
    }

    FileSystem fs() { return fs; }

    /**
     * The file system for tconv's own small files (marker, {@code _rejected.csv}, {@code _SUCCESS}): on
     * {@code file:} without Hadoop's hidden {@code .crc} beside each, as the result files are written.
     */
    FileSystem ownFilesFs() {
        return fs instanceof org.apache.hadoop.fs.ChecksumFileSystem ? ((org.apache.hadoop.fs.ChecksumFileSystem) fs).getRawFileSystem() : fs;
    }

    boolean isTconvOutput(Path d) throws IOException {
        return OwnOutputs.isOwnOutput(fs, d);
    }

    private void writeMarker(Path d, String runId) throws IOException {
        String text = OwnOutputs.FIRST_LINE + "\nrun " + runId + "\nstarted " + Instant.now() + "\n"
                + "tconv deletes or replaces this directory only while this file is in it.\n";
        try (OutputStream out = ownFilesFs().create(new Path(d, MARKER), true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    void deleteOrFail(Path p) throws IOException {
        if (fs.exists(p) && !fs.delete(p, true)) throw new IOException("cannot delete " + p);
    }

    /**
     * The directories or files the input names, as the listing reads it ({@link InputPaths}): the literal
     * path if it exists, else what the glob matches, tconv's outputs among the matches left out.
     */
    private List<Path> inputRoots(String input) throws IOException {
        List<Path> roots = new ArrayList<>();
        if (input == null) return roots;
        FileSystem ifs = new Path(input).getFileSystem(fs.getConf());
        if (!ifs.getUri().equals(fs.getUri())) return roots; // another file system cannot overlap this one
        for (InputPaths.Root r : InputPaths.resolve(input, fs.getConf()).roots) roots.add(ifs.makeQualified(r.path()));
        return roots;
    }

    /**
     * Is {@code a} the same as {@code b} or one of its ancestors? Both qualified; on the local file system
     * symbolic links are resolved first, so a link to the input is the input.
     */
    static boolean isAncestorOrSelf(Path a, Path b) {
        Path ra = real(a), rb = real(b);
        for (Path p = rb; p != null; p = p.getParent()) {
            if (p.equals(ra)) return true;
        }
        return false;
    }

    /** A local path with its links resolved (the part that exists; the rest appended as given). */
    private static Path real(Path p) {
        if (!"file".equals(p.toUri().getScheme())) return p;
        java.nio.file.Path local = java.nio.file.Paths.get(p.toUri());
        java.nio.file.Path existing = local;
        while (existing != null && !java.nio.file.Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return p;
        try {
            java.nio.file.Path resolved = existing.toRealPath().resolve(existing.relativize(local)).normalize();
            return new Path("file", null, resolved.toString());
        } catch (IOException e) {
            return p;
        }
    }
}
