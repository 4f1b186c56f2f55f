package org.tconv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.read.NpyArray;
import org.tconv.testing.TestFiles;

/** W8's folder has what workloads.md promises: count, sizes, 4:3 both ways, JPEG quality 80..95, parameters. */
class PhotoFolderTest {
    @TempDir
    Path tmp;

    /** JPEG Annex K's luminance quantisation table (natural order): what libjpeg scales by its quality. */
    private static final int[] STD_LUMA = {
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

    @Test
    void photosHaveTheSizesAspectAndQualityOfW8() throws IOException {
        PhotoFolder f = PhotoFolder.ensure(tmp.resolve("w8"), 24, TestFiles.home().resolve("data/images"));
        List<Path> files = f.photoFiles();
        assertEquals(24, files.size());
        int landscape = 0, portrait = 0;
        java.util.Set<Integer> qualities = new java.util.TreeSet<>();
        List<int[]> sizes = f.sizes();
        for (int i = 0; i < files.size(); i++) {
            int w = sizes.get(i)[0], h = sizes.get(i)[1];
            int longSide = Math.max(w, h);
            assertTrue(longSide >= 480 && longSide <= 1024, files.get(i) + ": " + w + "x" + h);
            assertEquals(3 * longSide, 4 * Math.min(w, h), files.get(i) + " is not 4:3: " + w + "x" + h);
            if (w > h) landscape++;
            else portrait++;
            int q = ijgQuality(Files.readAllBytes(files.get(i)));
            assertTrue(q >= 80 && q <= 95, files.get(i) + ": quality " + q);
            qualities.add(q);
        }
        assertTrue(landscape > 0 && portrait > 0, landscape + " landscape, " + portrait + " portrait");
        assertTrue(qualities.size() > 3, "qualities drawn from the range, not one: " + qualities);
        NpyArray w = NpyArray.read(Files.readAllBytes(f.weights()));
        assertArrayEquals(new int[] {8, 3, 3, 3}, w.shape);
        assertArrayEquals(new int[] {8}, NpyArray.read(Files.readAllBytes(f.bias())).shape);
        double mean = Arrays.stream(w.data).average().orElseThrow(), sd = Math.sqrt(Arrays.stream(w.data).map(v -> (v - mean) * (v - mean)).sum() / w.data.length);
        assertTrue(Math.abs(mean) < 0.35 && sd > 0.7 && sd < 1.3, "standard normal weights: mean " + mean + ", sd " + sd);
    }

    @Test
    void theSameSeedMakesTheSameFolderAndAnotherFolderIsNotReused() throws IOException {
        Path samples = TestFiles.home().resolve("data/images");
        PhotoFolder a = PhotoFolder.ensure(tmp.resolve("a"), 5, samples);
        PhotoFolder b = PhotoFolder.ensure(tmp.resolve("b"), 5, samples);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(Files.readAllBytes(a.photoFiles().get(i)), Files.readAllBytes(b.photoFiles().get(i)));
        }
        assertEquals(a.photoFiles().size(), PhotoFolder.ensure(tmp.resolve("a"), 5, samples).photoFiles().size()); // reused
        assertThrows(IllegalArgumentException.class, () -> PhotoFolder.ensure(tmp.resolve("a"), 6, samples));
        Files.writeString(tmp.resolve("c"), "a user's file");
        Files.createDirectories(tmp.resolve("d"));
        Files.writeString(tmp.resolve("d/x.txt"), "a user's file");
        assertThrows(IllegalArgumentException.class, () -> PhotoFolder.ensure(tmp.resolve("d"), 5, samples));
        assertEquals("a user's file", Files.readString(tmp.resolve("d/x.txt")));
    }

    @Test
    void shardsHoldEveryPhotoOnceInOrder() throws IOException {
        PhotoFolder f = PhotoFolder.ensure(tmp.resolve("w8"), 10, TestFiles.home().resolve("data/images"));
        Path shards = f.ensureShards();
        List<String> members = new ArrayList<>();
        int tars = 0;
        try (java.util.stream.Stream<Path> s = Files.list(shards)) {
            for (Path tar : (Iterable<Path>) s.sorted()::iterator) {
                assertTrue(tar.getFileName().toString().matches("shard-\\d{5}\\.tar"), tar.toString());
                tars++;
                try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
                    for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                        members.add(e.getName());
                        assertArrayEquals(Files.readAllBytes(f.photos().resolve(e.getName())), t.readAllBytes(), e.getName());
                    }
                }
            }
        }
        assertTrue(tars > 1 && tars <= PhotoFolder.SHARDS, tars + " shards");
        List<String> expected = new ArrayList<>();
        for (Path p : f.photoFiles()) expected.add(p.getFileName().toString());
        assertEquals(expected, members);
    }

    /**
     * The libjpeg quality whose scaled Annex K table is nearest the file's luminance table, compared as
     * multisets (so the zigzag order does not matter); -1 unless every entry is within 1 of it (ImageIO
     * scales in floating point, so an entry can round the other way at a half).
     */
    static int ijgQuality(byte[] jpg) {
        int[] sorted = lumaTable(jpg).clone();
        Arrays.sort(sorted);
        int best = -1, bestDistance = Integer.MAX_VALUE, bestMax = 0;
        for (int q = 1; q <= 100; q++) {
            int scale = q < 50 ? 5000 / q : 200 - 2 * q;
            int[] t = new int[64];
            for (int i = 0; i < 64; i++) t[i] = Math.max(1, Math.min(255, (STD_LUMA[i] * scale + 50) / 100));
            Arrays.sort(t);
            int distance = 0, max = 0;
            for (int i = 0; i < 64; i++) {
                distance += Math.abs(t[i] - sorted[i]);
                max = Math.max(max, Math.abs(t[i] - sorted[i]));
            }
            if (distance < bestDistance) {
                best = q;
                bestDistance = distance;
                bestMax = max;
            }
        }
        return bestMax <= 1 ? best : -1;
    }

    /** The 8-bit quantisation table 0 of a JPEG's DQT segments. */
    static int[] lumaTable(byte[] b) {
        int i = 2;
        while (i + 4 < b.length) {
            if ((b[i] & 0xff) != 0xff) throw new IllegalArgumentException("not a marker at " + i);
            int marker = b[i + 1] & 0xff, len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (marker == 0xdb) {
                int p = i + 4;
                while (p < i + 2 + len) {
                    int pq = (b[p] & 0xff) >> 4, tq = b[p] & 0x0f;
                    if (tq == 0 && pq == 0) {
                        int[] t = new int[64];
                        for (int k = 0; k < 64; k++) t[k] = b[p + 1 + k] & 0xff;
                        return t;
                    }
                    p += 1 + 64 * (pq + 1);
                }
            }
            if (marker == 0xda) break;
            i += 2 + len;
        }
        throw new IllegalArgumentException("no 8-bit luminance table");
    }
}
