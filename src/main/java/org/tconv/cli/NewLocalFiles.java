package org.tconv.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files that spectrum and explain create on the local file system: never over something that exists (tconv
 * cannot prove it wrote it), written under a hidden temporary name beside the target and moved into place
 * only when complete, so an interrupted command leaves no partial file under the name asked for.
 */
final class NewLocalFiles {
    private NewLocalFiles() {}

    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Refuses, before any work, an output that already exists. */
    static Path refuseExisting(String option, String name) {
        Path p = Path.of(name).toAbsolutePath();
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageError(option + " " + name + " already exists; tconv does not replace files it did not write");
        }
        Path parent = p.getParent();
        if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) {
            throw new UsageError(option + " " + name + ": " + parent + " is not a directory");
        }
        return p;
    }

    static void write(Path target, Content content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tconv-tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            content.writeTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        // Without REPLACE_EXISTING: a file that appeared meanwhile is not overwritten.
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
