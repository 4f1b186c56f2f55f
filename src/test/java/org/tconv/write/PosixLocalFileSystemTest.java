package org.tconv.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Permissions set through java.nio are the ones Hadoop's own local file system gets from chmod. */
class PosixLocalFileSystemTest {
    @TempDir
    Path tmp;

    @Test
    void everyModeGivesWhatChmodGives() throws IOException {
        Configuration conf = new Configuration();
        conf.set(PosixLocalFileSystem.KEY, PosixLocalFileSystem.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        try (FileSystem ours = FileSystem.get(URI.create("file:///"), conf); RawLocalFileSystem stock = new RawLocalFileSystem()) {
            assertInstanceOf(PosixLocalFileSystem.class, ours);
            stock.initialize(URI.create("file:///"), new Configuration());
            for (short mode : new short[] {0, 0644, 0755, 0700, 0421, 0777, 0640, 0111}) {
                for (boolean dir : new boolean[] {false, true}) {
                    Path a = tmp.resolve("ours-" + mode + dir), b = tmp.resolve("chmod-" + mode + dir);
                    if (dir) {
                        Files.createDirectory(a);
                        Files.createDirectory(b);
                    } else {
                        Files.writeString(a, "x");
                        Files.writeString(b, "x");
                    }
                    ours.setPermission(new org.apache.hadoop.fs.Path(a.toUri()), new FsPermission(mode));
                    stock.setPermission(new org.apache.hadoop.fs.Path(b.toUri()), new FsPermission(mode));
                    assertEquals(Files.getPosixFilePermissions(b), Files.getPosixFilePermissions(a), "mode " + Integer.toOctalString(mode) + (dir ? " dir" : " file"));
                }
            }
            Path sticky = Files.createDirectory(tmp.resolve("sticky"));
            ours.setPermission(new org.apache.hadoop.fs.Path(sticky.toUri()), new FsPermission((short) 01750)); // chmod's way: no error
            assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"), Files.getPosixFilePermissions(sticky));
            assertThrows(IOException.class, () -> ours.setPermission(new org.apache.hadoop.fs.Path(tmp.resolve("missing").toUri()), new FsPermission((short) 0644)));
        }
    }

    /**
     * Files written through it have no hidden {@code .crc} beside them (numpy, DuckDB and pandas readers get
     * the output alone), read back and rename as before, and a file replaced drops its old, now stale, .crc.
     */
    @Test
    void writesNoChecksumSideFiles() throws IOException {
        Configuration conf = new Configuration();
        conf.set(PosixLocalFileSystem.KEY, PosixLocalFileSystem.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        try (FileSystem ours = FileSystem.get(URI.create("file:///"), conf)) {
            org.apache.hadoop.fs.Path a = new org.apache.hadoop.fs.Path(tmp.resolve("part-0.parquet").toUri());
            try (var out = ours.create(a, true)) {
                out.write(new byte[] {1, 2, 3});
            }
            try (var names = Files.list(tmp)) {
                assertEquals(java.util.List.of("part-0.parquet"), names.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toList()));
            }
            try (var in = ours.open(a)) {
                assertEquals(3, in.readAllBytes().length);
            }
            org.apache.hadoop.fs.Path b = new org.apache.hadoop.fs.Path(tmp.resolve("moved.parquet").toUri());
            org.junit.jupiter.api.Assertions.assertTrue(ours.rename(a, b));
            Files.writeString(tmp.resolve(".moved.parquet.crc"), "stale");
            try (var out = ours.create(b, true)) {
                out.write(new byte[] {4});
            }
            try (var names = Files.list(tmp)) {
                assertEquals(java.util.List.of("moved.parquet"), names.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toList()));
            }
        }
    }
}
