package org.tconv.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of tconv's JNI libraries ({@link #JPEG}: libjpeg-turbo for {@link NativeJpeg}; {@link #PNG}: libpng for
 * {@link NativePng}), loaded once per JVM from the jar, the way snappy-java loads its own: the build compiles
 * them into {@code native/<os>-<arch>/} of the classes (so into the jar, and so to every Spark executor that
 * has the jar), and the first use copies one out to {@code java.io.tmpdir} under a name made of its content's
 * hash (two JVMs, or two tconv versions, never load each other's half-written copy) and calls
 * {@link System#load}. They are two libraries so that each falls back alone.
 *
 * <p>Where one cannot load (no library for this platform in the jar, the build machine had no gcc or headers,
 * libjpeg.so.62 or libpng16.so.16 missing at run time) {@link #loaded()} is false, one log line says why, and
 * that format decodes through the JDK's ImageIO.
 */
final class NativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
    static final NativeLibrary JPEG = new NativeLibrary("libtconvjpeg.so", "JPEG");
    static final NativeLibrary PNG = new NativeLibrary("libtconvpng.so", "PNG");

    private final String name;
    /** Why the library is not loaded; null once it is. */
    private final String failure;

    private NativeLibrary(String name, String format) {
        this.name = name;
        this.failure = load(name, format);
    }

    /** Whether the library is loaded in this JVM. */
    boolean loaded() {
        return failure == null;
    }

    /** Why it did not load, or null. */
    String failure() {
        return failure;
    }

    /** {@code native/linux-amd64/libtconvjpeg.so}: the path in the jar for this JVM's platform. */
    String resource() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return "native/" + os + "-" + arch + "/" + name;
    }

    private String load(String name, String format) {
        String resource = resource();
        String why;
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                why = "no " + resource + " in tconv's jar (built without gcc and the library's headers, or another platform)";
            } else {
                Path file = extract(name, in.readAllBytes());
                System.load(file.toString());
                return null;
            }
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            why = resource + " did not load: " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
        }
        LOG.warn("{} decoding falls back to ImageIO (slower): {}", format, why);
        return why;
    }

    /** The library in java.io.tmpdir as {@code <name>-<sha256 prefix>.so}, written once, atomically. */
    private static Path extract(String name, byte[] lib) throws IOException {
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lib)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        String stem = name.replace(".so", "");
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"));
        Path file = dir.resolve(stem + "-" + hash + ".so");
        // reused only if it holds exactly these bytes (a shared tmp may hold anyone's file of that name)
        if (Files.isRegularFile(file) && Files.isReadable(file) && Arrays.equals(Files.readAllBytes(file), lib)) return file;
        Path part = Files.createTempFile(dir, stem + "-" + hash, ".part");
        try {
            Files.write(part, lib);
            try {
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException notOurs) {
                // someone else's file of that name that we may not replace: load our own copy under its unique name
                Path own = Files.createTempFile(dir, stem + "-" + hash, ".so");
                Files.move(part, own, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                own.toFile().deleteOnExit();
                return own;
            }
        } finally {
            Files.deleteIfExists(part);
        }
        return file;
    }
}
