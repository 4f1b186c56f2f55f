package org.tconv.testing;

import java.net.URI;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under another scheme ({@value #SCHEME}:), so that tests reach the code paths tconv takes
 * for HDFS and other non-{@code file:} systems (Hadoop's own listing, globbing and permission checks)
 * without starting a cluster. Register it as {@code fs.otherfs.impl}.
 */
public final class OtherSchemeFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "otherfs";
    private static final URI ROOT = URI.create(SCHEME + ":///");

    @Override
    public URI getUri() {
        return ROOT;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    /** Hadoop's local link status goes through java.nio with the path's URI, which must say file:; links are not this test's subject. */
    @Override
    public org.apache.hadoop.fs.FileStatus getFileLinkStatus(Path f) throws java.io.IOException {
        return getFileStatus(f);
    }

    @Override
    public boolean supportsSymlinks() {
        return false;
    }

    /** The JVM's directory, fixed: RawLocalFileSystem asks for it while it is being constructed. */
    @Override
    public Path getWorkingDirectory() {
        return new Path(SCHEME, null, System.getProperty("user.dir"));
    }

    @Override
    public void setWorkingDirectory(Path dir) {
        // tests give absolute paths; the working directory stays the JVM's
    }

    @Override
    public Path getHomeDirectory() {
        return new Path(SCHEME, null, super.getHomeDirectory().toUri().getPath());
    }
}
