package org.tconv.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.tconv.timing.StageClock;

/**
 * Hadoop's local file system with permissions set through java.nio instead of a {@code chmod} process.
 * Without Hadoop's native library (tconv does not ship it) {@link RawLocalFileSystem#setPermission} starts
 * {@code chmod} for every directory and file it creates: a 3-photo parquet run started 13 of them, a file
 * job one or more per output file, each a process spawned from a JVM with a large heap. The permission bits
 * set are the same; a sticky or set-id bit (which java.nio cannot express) and a file system without POSIX
 * attributes go the old way. Its writes and renames are also counted on the calling thread
 * ({@link StageClock}): the bench's write and commit stages of a job.
 *
 * <p>It writes no hidden {@code .crc} beside the files it creates (it still reads and checks one that is
 * there, and renames and deletes it with its file): tconv's outputs on {@code file:} are read by numpy,
 * pandas, DuckDB, which know nothing of Hadoop's side files, and computing them held a Parquet write to
 * Hadoop's checksum loop (see docs/perf/2026-12-08-parquet.md). Replacing a file still deletes the old
 * file's {@code .crc}, which would no longer match it.
 */
public final class PosixLocalFileSystem extends LocalFileSystem {
    /** The Hadoop setting that makes {@code file:} paths use this class. */
    public static final String KEY = "fs.file.impl";

    public PosixLocalFileSystem() {
        super(new Raw());
        setWriteChecksum(false);
    }

    static final class Raw extends RawLocalFileSystem {
        @Override
        protected java.io.OutputStream createOutputStream(Path f, boolean append) throws IOException {
            return StageClock.timedWrites(super.createOutputStream(f, append));
        }

        @Override
        protected java.io.OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission) throws IOException {
            return StageClock.timedWrites(super.createOutputStreamWithMode(f, append, permission));
        }

        @Override
        public boolean rename(Path src, Path dst) throws IOException {
            long t0 = System.nanoTime();
            try {
                return super.rename(src, dst);
            } finally {
                StageClock.add(StageClock.Counter.COMMIT, t0);
            }
        }

        @Override
        public void setPermission(Path p, FsPermission permission) throws IOException {
            short bits = permission.toShort();
            if ((bits & ~0777) != 0) {
                super.setPermission(p, permission);
                return;
            }
            java.nio.file.Path f = pathToFile(p).toPath();
            try {
                Files.setPosixFilePermissions(f, posix(bits));
            } catch (UnsupportedOperationException notPosix) {
                super.setPermission(p, permission);
            }
        }
    }

    /** rwx bits for user, group and others, as chmod reads an octal mode. */
    static Set<PosixFilePermission> posix(short bits) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE};
        for (int i = 0; i < 9; i++) {
            if ((bits & (0400 >> i)) != 0) s.add(order[i]);
        }
        return s;
    }
}
