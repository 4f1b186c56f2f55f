package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.tconv.conv.InputRejectedException;
import org.tconv.testing.HostileFiles;
import org.tconv.testing.TestFiles;

/**
 * JPEG through libjpeg-turbo against PIL's pixels: the corpus in src/test/resources/golden/jpeg, made with its
 * goldens by src/test/python/make_jpeg_corpus.py. These tests need the native library and fail without it
 * (CI installs gcc and libjpeg62-turbo-dev, see .ci/run): a build that silently fell back would pass nothing here.
 */
class NativeJpegTest {
    static final Path CORPUS = TestFiles.home().resolve("src/test/resources/golden/jpeg");
    /**
     * The ImageIO fallback against PIL over the whole corpus, as docs/decoding.md states them, measured with
     * Debian's OpenJDK 17, whose ImageIO (libjavajpeg.so) is linked against the system's libjpeg-turbo too:
     * no sample differs. A JDK that bundles its own IJG libjpeg 6b differs (and cannot read arithmetic-coded
     * files at all); this bound then fails and says so, and docs/decoding.md says what to expect there.
     */
    static final int FALLBACK_MAX_ABS_DIFF = 0;
    static final long FALLBACK_DIFFERING_SAMPLES = 0;

    record Case(String name, byte[] jpeg, NpyArray pil) {}

    static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORPUS)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".jpg")) continue;
                String base = name.substring(0, name.length() - 4);
                cases.add(new Case(base, Files.readAllBytes(f), NpyArray.read(Files.readAllBytes(CORPUS.resolve(base + ".npy")))));
            }
        }
        assertTrue(cases.size() >= 25, "the corpus has " + cases.size() + " files");
        return cases;
    }

    @Test
    void theNativeLibraryLoads() {
        assertTrue(NativeJpeg.available(), "libjpeg-turbo binding not loaded: " + NativeLibrary.JPEG.failure());
        assertEquals(62, NativeJpeg.libjpegVersion());
    }

    @Test
    void libjpegTurboEqualsPilOnEveryFile() throws IOException {
        theNativeLibraryLoads();
        for (Case c : corpus()) {
            NpyArray a = ImageDecoder.decode(c.jpeg());
            assertArrayEquals(c.pil().shape, a.shape, c.name());
            assertEquals("|u1", a.dtype);
            assertArrayEquals(c.pil().data, a.data, c.name() + ": libjpeg-turbo differs from PIL");
        }
    }

    @Test
    void imageIoFallbackDiffersFromPilWithinTheDocumentedBounds() throws IOException {
        long differing = 0, samples = 0;
        int maxAbs = 0;
        StringBuilder table = new StringBuilder();
        for (Case c : corpus()) {
            NpyArray a = ImageDecoder.decode(c.jpeg(), AdmissionBudget.defaults(), false);
            assertArrayEquals(c.pil().shape, a.shape, c.name());
            int fileMax = 0;
            long fileDiffering = 0;
            for (int i = 0; i < a.data.length; i++) {
                int d = (int) Math.abs(a.data[i] - c.pil().data[i]);
                if (d != 0) fileDiffering++;
                fileMax = Math.max(fileMax, d);
            }
            table.append(String.format(Locale.ROOT, "| %s | %d | %d of %d |%n", c.name(), fileMax, fileDiffering, a.data.length));
            differing += fileDiffering;
            samples += a.data.length;
            maxAbs = Math.max(maxAbs, fileMax);
        }
        System.out.print(table);
        System.out.printf(Locale.ROOT, "ImageIO vs PIL: max |diff| %d, %d of %d samples differ (%.2f%%)%n",
                maxAbs, differing, samples, 100.0 * differing / samples);
        String jdk = System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version");
        assertTrue(maxAbs <= FALLBACK_MAX_ABS_DIFF, "ImageIO of " + jdk + " is " + maxAbs + " away from PIL\n" + table);
        assertTrue(differing <= FALLBACK_DIFFERING_SAMPLES, differing + " of " + samples + " samples differ with " + jdk + "\n" + table);
    }

    @Test
    void aHeaderClaimingHugeDimensionsIsRefusedBeforeAllocation() {
        theNativeLibraryLoads();
        byte[] bomb = HostileFiles.jpegWithHugeSof();
        InputRejectedException e = assertThrows(InputRejectedException.class, () -> ImageDecoder.decode(bomb));
        assertTrue(e.getMessage().contains("pixels is over the limit"), e.getMessage());
        // with no pixel limit, the memory check refuses it: 65000x65000 float64 planes are not allocated
        byte[] huge = withSize(HostileFiles.jpegWithHugeSof(), 65000, 65000);
        AdmissionBudget noPixelLimit = new AdmissionBudget(Long.MAX_VALUE, 64L << 20);
        InputRejectedException m = assertThrows(InputRejectedException.class, () -> ImageDecoder.decode(huge, noPixelLimit));
        assertTrue(m.getMessage().contains("65000x65000"), m.getMessage());
    }

    @Test
    void truncatedJpegsAreRefusedAsPilRefusesThem() throws IOException {
        theNativeLibraryLoads();
        for (Case c : corpus()) {
            byte[] j = c.jpeg();
            // make_jpeg_corpus.py prints PIL's verdicts: "image file is truncated" for both cuts
            for (int cut : new int[] {j.length / 2, j.length - 2}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ImageDecoder.decode(Arrays.copyOf(j, cut)), c.name() + " cut to " + cut);
                assertTrue(e.getMessage().startsWith("cannot decode image: truncated JPEG"), c.name() + ": " + e.getMessage());
            }
        }
        // cut inside the header: libjpeg's own reason, on one line
        byte[] j = corpus().get(0).jpeg();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(Arrays.copyOf(j, 40)));
        assertTrue(e.getMessage().startsWith("cannot decode image: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void corruptDataIsAOneLineErrorOrPixelsNeverACrash() throws IOException {
        theNativeLibraryLoads();
        Random r = new Random(21);
        int refused = 0, decoded = 0;
        for (Case c : corpus()) {
            for (int k = 0; k < 40; k++) {
                byte[] j = c.jpeg().clone();
                // damage a few bytes anywhere: tables, frame header, scan data
                for (int n = 1 + r.nextInt(4); n > 0; n--) j[2 + r.nextInt(j.length - 2)] = (byte) r.nextInt(256);
                try {
                    NpyArray a = ImageDecoder.decode(j);
                    assertEquals(a.shape[0] * a.shape[1] * a.shape[2], a.data.length);
                    for (double v : a.data) assertTrue(v >= 0 && v <= 255 && v == Math.rint(v));
                    decoded++;
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage().startsWith("cannot decode image: "), e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                    refused++;
                } catch (InputRejectedException e) {
                    refused++; // a damaged SOF can claim a size over the budget
                }
            }
        }
        assertTrue(refused > 0 && decoded > 0, refused + " refused, " + decoded + " decoded");
    }

    @Test
    void theHeaderGivesTheFrameWithoutDecoding() throws IOException {
        theNativeLibraryLoads();
        // CMYK refusals through this path are ImageDecoderTest.cmykJpegIsRefused (ImageDecoder uses libjpeg there)
        NativeJpeg.Header gray = NativeJpeg.readHeader(Files.readAllBytes(CORPUS.resolve("gray.jpg")));
        assertEquals(new NativeJpeg.Header(128, 96, 1, 1), gray); // JCS_GRAYSCALE
        NativeJpeg.Header odd = NativeJpeg.readHeader(Files.readAllBytes(CORPUS.resolve("odd-17x13-420.jpg")));
        assertEquals(new NativeJpeg.Header(17, 13, 3, 3), odd); // JCS_YCbCr
        NativeJpeg.Header rgb = NativeJpeg.readHeader(Files.readAllBytes(CORPUS.resolve("rgb-no-ycc.jpg")));
        assertEquals(new NativeJpeg.Header(80, 64, 3, 2), rgb); // JCS_RGB
    }

    /** The JPEG with its SOF0's width and height set. */
    static byte[] withSize(byte[] j, int width, int height) {
        for (int i = 2; i + 8 < j.length; i++) {
            if ((j[i] & 0xff) == 0xFF && (j[i + 1] & 0xff) == 0xC0) {
                java.nio.ByteBuffer.wrap(j, i + 5, 4).putShort((short) height).putShort((short) width);
                return j;
            }
        }
        throw new AssertionError("no SOF0");
    }
}
