package org.tconv.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tconv's JNI library ({@code libtconvnative.so}: libjpeg-turbo for {@link NativeJpeg}), loaded once per JVM
 * from the jar, the way snappy-java loads its own: the build compiles it into
 * {@code native/<os>-<arch>/} of the classes (so into the jar, and so to every Spark executor that has the
 * jar), and the first use copies it out to {@code java.io.tmpdir} under a name made of its content's hash
 * (two JVMs, or two tconv versions, never load each other's half-written copy) and calls
 * {@link System#load}.
 *
 * <p>Where it cannot load (no library for this platform in the jar, the build machine had no gcc or libjpeg
 * headers, libjpeg.so.62 missing at run time) {@link #loaded()} is false, one log line says why, and the
 * decoders fall back to the JDK's (ImageIO).
 */
final class NativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
    static final String NAME = "libtconvnative.so";
    /** Why the library is not loaded; null once it is. */
    private static final String FAILURE = load();

    private NativeLibrary() {}

    /** Whether the library is loaded in this JVM. */
    static boolean loaded() {
        return FAILURE == null;
    }

    /** Why it did not load, or null. */
    static String failure() {
        return FAILURE;
    }

    /** {@code native/linux-amd64/libtconvnative.so}: the path in the jar for this JVM's platform. */
    static String resource() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return "native/" + os + "-" + arch + "/" + NAME;
    }

    private static String load() {
        String resource = resource();
        String why;
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                why = "no " + resource + " in tconv's jar (built without gcc and libjpeg headers, or another platform)";
            } else {
                byte[] lib = in.readAllBytes();
                Path file = extract(lib);
                System.load(file.toString());
                return null;
            }
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            why = resource + " did not load: " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
        }
        LOG.warn("JPEG decoding falls back to ImageIO, slower and not PIL-exact in the last bit: {}", why);
        return why;
    }

    /** The library in java.io.tmpdir as {@code tconvnative-<sha256 prefix>.so}, written once, atomically. */
    private static Path extract(byte[] lib) throws IOException {
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lib)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"));
        Path file = dir.resolve("tconvnative-" + hash + ".so");
        if (Files.isRegularFile(file) && Files.size(file) == lib.length) return file;
        Path part = Files.createTempFile(dir, "tconvnative-" + hash, ".part");
        try {
            Files.write(part, lib);
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
        return file;
    }
}
