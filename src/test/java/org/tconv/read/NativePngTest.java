package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;
import org.tconv.conv.InputRejectedException;
import org.tconv.testing.TestFiles;

/**
 * PNG through libpng against PIL's pixels: the corpus in src/test/resources/golden/png, made with its goldens by
 * src/test/python/make_png_corpus.py. Fails without the native library (CI installs gcc and libpng-dev).
 */
class NativePngTest {
    static final Path CORPUS = TestFiles.home().resolve("src/test/resources/golden/png");

    record Case(String name, byte[] png, NpyArray pil) {}

    static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORPUS)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".png")) continue;
                String base = name.substring(0, name.length() - 4);
                cases.add(new Case(base, Files.readAllBytes(f), NpyArray.read(Files.readAllBytes(CORPUS.resolve(base + ".npy")))));
            }
        }
        assertTrue(cases.size() >= 16, "the corpus has " + cases.size() + " files");
        return cases;
    }

    @Test
    void libpngEqualsPilOnEveryFileAndSoDoesImageIo() throws IOException {
        assertTrue(NativePng.available(), "libpng binding not loaded: " + NativeLibrary.PNG.failure());
        for (Case c : corpus()) {
            assertTrue(NativePng.readHeader(c.png()).handled(), c.name() + " is a kind libpng decodes here");
            NpyArray a = ImageDecoder.decode(c.png());
            assertArrayEquals(c.pil().shape, a.shape, c.name());
            assertArrayEquals(c.pil().data, a.data, c.name() + ": libpng differs from PIL");
            NpyArray fallback = ImageDecoder.decode(c.png(), AdmissionBudget.defaults(), false);
            assertArrayEquals(c.pil().data, fallback.data, c.name() + ": ImageIO differs from PIL");
        }
    }

    @Test
    void aHeaderClaimingHugeDimensionsIsRefusedBeforeAllocation() throws IOException {
        byte[] png = Files.readAllBytes(CORPUS.resolve("rgb.png"));
        // IHDR: width and height at bytes 16..23, its CRC at 29..32 (not checked, as ImageIO does not)
        byte[] bomb = png.clone();
        ByteBuffer.wrap(bomb, 16, 8).putInt(60000).putInt(60000);
        InputRejectedException e = assertThrows(InputRejectedException.class, () -> ImageDecoder.decode(bomb));
        assertTrue(e.getMessage().contains("60000x60000 = 3600000000 pixels is over the limit"), e.getMessage());
        AdmissionBudget noPixelLimit = new AdmissionBudget(Long.MAX_VALUE, 64L << 20);
        InputRejectedException m = assertThrows(InputRejectedException.class, () -> ImageDecoder.decode(bomb, noPixelLimit));
        assertTrue(m.getMessage().contains("60000x60000"), m.getMessage());
    }

    @Test
    void truncatedPngsAreRefusedUnlessOnlyIendIsMissing() throws IOException {
        for (Case c : corpus()) {
            byte[] p = c.png();
            // only the 12-byte IEND chunk missing: all pixels are there, and PIL decodes it too
            assertArrayEquals(c.pil().data, ImageDecoder.decode(Arrays.copyOf(p, p.length - 12)).data, c.name());
            if (p.length < 200) continue; // too short to cut inside the image data
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImageDecoder.decode(Arrays.copyOf(p, p.length - 40)), c.name());
            assertTrue(e.getMessage().startsWith("cannot decode image: Error reading PNG image data"), c.name() + ": " + e.getMessage());
        }
    }

    @Test
    void corruptDataIsAOneLineErrorOrPixelsNeverACrash() throws IOException {
        Random r = new Random(21);
        int refused = 0, decoded = 0;
        for (Case c : corpus()) {
            for (int k = 0; k < 40; k++) {
                byte[] p = c.png().clone();
                for (int n = 1 + r.nextInt(4); n > 0; n--) p[8 + r.nextInt(p.length - 8)] = (byte) r.nextInt(256);
                try {
                    NpyArray a = ImageDecoder.decode(p);
                    assertEquals(a.shape[0] * a.shape[1] * a.shape[2], a.data.length);
                    for (double v : a.data) assertTrue(v >= 0 && v <= 255 && v == Math.rint(v));
                    decoded++;
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage().startsWith("cannot decode image: "), e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                    refused++;
                } catch (InputRejectedException e) {
                    refused++;
                }
            }
        }
        assertTrue(refused > 0 && decoded > 0, refused + " refused, " + decoded + " decoded");
    }

    @Test
    void corruptImageDataGivesLibpngsReason() throws IOException {
        byte[] p = Files.readAllBytes(CORPUS.resolve("rgb-level0.png")).clone();
        // the first IDAT's zlib header (after length, type): a compression method zlib refuses
        int idat = indexOf(p, "IDAT");
        p[idat + 4] = 0x7f;
        fixCrc(p, idat - 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(p));
        assertTrue(e.getMessage().startsWith("cannot decode image: Error reading PNG image data"), e.getMessage());
    }

    private static int indexOf(byte[] b, String s) {
        outer:
        for (int i = 0; i + s.length() <= b.length; i++) {
            for (int k = 0; k < s.length(); k++) if (b[i + k] != s.charAt(k)) continue outer;
            return i;
        }
        throw new AssertionError("no " + s);
    }

    /** Recomputes the CRC of the chunk that starts (length field) at {@code at}. */
    private static void fixCrc(byte[] b, int at) {
        int len = ByteBuffer.wrap(b, at, 4).getInt();
        CRC32 crc = new CRC32();
        crc.update(b, at + 4, 4 + len);
        ByteBuffer.wrap(b, at + 8 + len, 4).putInt((int) crc.getValue());
    }
}
