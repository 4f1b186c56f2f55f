package org.tconv.write;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * The output may never be or contain the input, and may not lie inside it when anything would be deleted.
 * {@link #check} judges all of this without changing anything (before Spark starts); {@link #begin} does it.
 */
public final class OutputLocation {
    public static final String REJECTED = "_rejected.csv";
    public static final String SUCCESS = "_SUCCESS";
    /** tconv's own file in every output it starts; its leading underscore hides it from Hadoop and Spark readers. */
    public static final String MARKER = "_tconv-output";
    private static final String MARKER_FIRST_LINE = "tconv output";

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
        Plan plan = judge(overwrite);
        for (Path in : inputs) {
            if (plan != Plan.WRITE && isAncestorOrSelf(in, dir)) {
                throw new IllegalArgumentException("output " + dir + " lies inside the input " + in
                        + " and would be deleted to be replaced: choose an output outside the input");
            }
        }
        return plan;
    }

    private Plan judge(boolean overwrite) throws IOException {
        if (!fs.exists(dir)) return Plan.WRITE;
        FileStatus st = fs.getFileStatus(dir);
        if (!st.isDirectory()) throw new IllegalArgumentException("output " + dir + " exists and is a file");
        if (fs.listStatus(dir).length == 0) return Plan.WRITE;
        if (!isTconvOutput(dir)) {
            throw new IllegalArgumentException("output " + dir + " already exists and is not a tconv output (no "
                    + MARKER + " in it): tconv replaces only what it wrote; choose another --output");
        }
        if (!fs.exists(new Path(dir, SUCCESS))) return Plan.REPLACE_INTERRUPTED;
        if (overwrite) return Plan.SWAP;
        throw new IllegalArgumentException("output " + dir + " already exists (a finished tconv output; use --overwrite to replace it)");
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
                fs.mkdirs(dir);
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
                fs.mkdirs(staging);
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
        Path marker = new Path(d, MARKER);
        if (!fs.isFile(marker)) return false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(marker), StandardCharsets.UTF_8))) {
            return MARKER_FIRST_LINE.equals(r.readLine());
        }
    }

    private void writeMarker(Path d, String runId) throws IOException {
        String text = MARKER_FIRST_LINE + "\nrun " + runId + "\nstarted " + Instant.now() + "\n"
                + "tconv deletes or replaces this directory only while this file is in it.\n";
        try (OutputStream out = ownFilesFs().create(new Path(d, MARKER), true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    void deleteOrFail(Path p) throws IOException {
        if (fs.exists(p) && !fs.delete(p, true)) throw new IOException("cannot delete " + p);
    }

    /** The directories or files the input names: the literal path if it exists, else what the glob matches. */
    private List<Path> inputRoots(String input) throws IOException {
        List<Path> roots = new ArrayList<>();
        if (input == null) return roots;
        Path p = new Path(input);
        FileSystem ifs = p.getFileSystem(fs.getConf());
        if (!ifs.getUri().equals(fs.getUri())) return roots; // another file system cannot overlap this one
        Path q = ifs.makeQualified(p);
        if (ifs.exists(q)) {
            roots.add(q);
            return roots;
        }
        FileStatus[] matches = ifs.globStatus(q);
        if (matches != null) for (FileStatus m : matches) roots.add(m.getPath());
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
