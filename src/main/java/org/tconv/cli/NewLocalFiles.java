package org.tconv.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files that spectrum and explain create on the local file system: never over something that exists unless
 * the user says {@code --overwrite} (tconv cannot prove it wrote it), written under a hidden temporary name beside the target and moved into place
 * only when complete, so an interrupted command leaves no partial file under the name asked for.
 */
final class NewLocalFiles {
    private NewLocalFiles() {}

    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Refuses, before any work, an output that already exists. */
    static Path refuseExisting(String option, String name) {
        return refuseExisting(option, name, false);
    }

    /** As {@link #refuseExisting(String, String)}, but with {@code overwrite} an existing regular file may be replaced. */
    static Path refuseExisting(String option, String name, boolean overwrite) {
        Path p = Path.of(name).toAbsolutePath();
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            if (!overwrite) throw new UsageError(option + " " + name + " already exists (use --overwrite to replace it)");
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new UsageError(option + " " + name + " exists and is not a regular file; --overwrite replaces only a file");
            }
        }
        Path parent = p.getParent();
        if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) {
            throw new UsageError(option + " " + name + ": " + parent + " is not a directory");
        }
        return p;
    }

    static void write(Path target, Content content) throws IOException {
        write(target, content, false);
    }

    /** With {@code replace}, an existing file at the target is replaced, only by the complete new one. */
    static void write(Path target, Content content, boolean replace) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tconv-tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            content.writeTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        // Without REPLACE_EXISTING (unless asked): a file that appeared meanwhile is not overwritten.
        if (replace) Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        else Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
