package org.tconv.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.junit.jupiter.api.Test;
import org.tconv.testing.HostileFiles;
import org.tconv.conv.InputRejectedException;
import org.tconv.testing.TestFiles;

/**
 * Mutation fuzzing of each decoder: real files (crops of the sample photos in data/images, the whole
 * coffee.jpg, small files of every kind the decoders handle, and issue 11's bombs) with header fields set
 * to edge values, lengths changed, bytes flipped, slices cut or doubled, the file truncated. Every input
 * must either decode to an array within the budget or be a clean rejection ({@link InputRejectedException}
 * for the budget, {@code IllegalArgumentException} for a file that cannot be decoded): any other
 * exception or Error, an input that takes longer than {@link FuzzRun#TIMEOUT_SECONDS}, or a decode that
 * allocates more than the budget (measured by the JVM's per-thread allocation counter) fails.
 *
 * <p>Short by default (up to {@code tconv.fuzz.seconds}, 3, or {@code tconv.fuzz.inputs}, 20000, per
 * decoder). The long run: {@code -Dtconv.fuzz.inputs=1000000 -Dtconv.fuzz.seconds=0}, see the README.
 * Failing inputs are saved under {@code target/fuzz-failures/}; the counts go to {@code target/fuzz-<decoder>.txt}.
 */
class DecoderFuzzTest {
    /** Small enough that the allocation check bites, large enough for every seed. */
    static final AdmissionBudget BUDGET = new AdmissionBudget(1 << 20, 64L << 20);

    static Function<byte[], NpyArray> images() {
        return b -> {
            NpyArray a = ImageDecoder.decode(b, BUDGET);
            if ((long) a.shape[1] * a.shape[2] > BUDGET.maxPixels()) {
                throw new IllegalStateException("decoded " + a.shape[1] + "x" + a.shape[2] + " pixels, over the limit");
            }
            return a;
        };
    }

    @Test
    void png() {
        List<byte[]> seeds = pngSeeds();
        FuzzRun.run("png", seeds, images(), BUDGET);
    }

    static List<byte[]> pngSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (BufferedImage img : photoCrops()) seeds.add(HostileFiles.encode(img, "png"));
        seeds.add(HostileFiles.encode(typed(photoCrops().get(0), BufferedImage.TYPE_USHORT_GRAY), "png"));
        seeds.add(HostileFiles.encode(typed(photoCrops().get(0), BufferedImage.TYPE_INT_ARGB), "png"));
        seeds.add(HostileFiles.encode(typed(photoCrops().get(0), BufferedImage.TYPE_BYTE_BINARY), "png"));
        seeds.add(HostileFiles.pngWithoutRows());
        return seeds;
    }

    @Test
    void jpeg() throws IOException {
        List<byte[]> seeds = jpegSeeds();
        FuzzRun.run("jpeg", seeds, images(), BUDGET);
    }

    static List<byte[]> jpegSeeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (BufferedImage img : photoCrops()) seeds.add(HostileFiles.encode(img, "jpeg"));
        seeds.add(Files.readAllBytes(TestFiles.home().resolve("data/images/coffee.jpg")));
        seeds.add(HostileFiles.jpegWithHugeSof());
        return seeds;
    }

    @Test
    void bmp() {
        List<byte[]> seeds = bmpSeeds();
        FuzzRun.run("bmp", seeds, images(), BUDGET);
    }

    static List<byte[]> bmpSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (BufferedImage img : photoCrops()) seeds.add(HostileFiles.encode(img, "bmp"));
        BufferedImage indexed = typed(photoCrops().get(0), BufferedImage.TYPE_BYTE_INDEXED);
        seeds.add(HostileFiles.encode(indexed, "bmp"));
        seeds.add(bmpCompressed(indexed, "BI_RLE8"));
        seeds.add(HostileFiles.encode(typed(photoCrops().get(0), BufferedImage.TYPE_BYTE_BINARY), "bmp"));
        seeds.add(HostileFiles.bmpRle8());
        return seeds;
    }

    @Test
    void gif() {
        List<byte[]> seeds = gifSeeds();
        FuzzRun.run("gif", seeds, images(), BUDGET);
    }

    static List<byte[]> gifSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (BufferedImage img : photoCrops()) seeds.add(HostileFiles.encode(typed(img, BufferedImage.TYPE_BYTE_INDEXED), "gif"));
        seeds.add(HostileFiles.gifTinyFrameOnHugeScreen());
        return seeds;
    }

    @Test
    void npy() {
        List<byte[]> seeds = npySeeds();
        FuzzRun.run("npy", seeds, b -> NpyArray.read(b, BUDGET), BUDGET, FuzzRun::npyHeaderMutant);
    }

    static List<byte[]> npySeeds() {
        List<byte[]> seeds = new ArrayList<>();
        Random r = new Random(1);
        double[] v = new double[3 * 5 * 4];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(256);
        seeds.add(NpyArray.toBytes(new int[] {3, 5, 4}, v));
        seeds.add(NpyArray.toBytes(new int[] {2, 1, 6, 5}, v));
        seeds.add(NpyArray.toBytes(new int[] {60}, v));
        for (String descr : new String[] {"|u1", "<i2", ">f4", "<i8", "<u2"}) {
            int size = Integer.parseInt(descr.substring(2));
            byte[] h = HostileFiles.npyHeader(descr, "(3, 4, 5)");
            byte[] f = java.util.Arrays.copyOf(h, h.length + 60 * size);
            for (int i = h.length; i < f.length; i++) f[i] = (byte) r.nextInt();
            seeds.add(f);
        }
        byte[] fortran = HostileFiles.npyHeader("<f8", "(4, 3)").clone();
        String text = new String(fortran, java.nio.charset.StandardCharsets.ISO_8859_1).replace("False", "True ");
        seeds.add(java.util.Arrays.copyOf(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), fortran.length + 96));
        seeds.add(HostileFiles.npyWrappingShape());
        seeds.add(HostileFiles.npyUint8("(30000, 1, 1, 1)", new byte[300]));
        return seeds;
    }

    @Test
    void theHarnessCatchesADecoderThatMisbehaves() {
        List<byte[]> seeds = List.of(new byte[] {1, 2, 3});
        AssertionError npe = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> FuzzRun.run("selftest-npe", seeds, b -> { throw new NullPointerException("boom"); }, BUDGET, 5, 0));
        assertTrue(npe.getMessage().contains("NullPointerException: boom"), npe.getMessage());
        AssertionError alloc = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> FuzzRun.run("selftest-alloc", seeds, b -> {
                    byte[][] garbage = new byte[12][];
                    for (int i = 0; i < garbage.length; i++) garbage[i] = new byte[8 << 20]; // 96 MB, none of it kept
                    return new NpyArray(new int[] {garbage.length}, new double[garbage.length], "<f8");
                }, BUDGET, 5, 0));
        assertTrue(alloc.getMessage().contains("allocated"), alloc.getMessage());
        FuzzRun.Counts ok = FuzzRun.run("selftest-ok", seeds, b -> { throw new InputRejectedException("no"); }, BUDGET, 50, 0);
        assertEquals(50, ok.inputs);
        assertEquals(50, ok.rejected);
    }

    // ---- seeds ----

    private static List<BufferedImage> crops;

    /** Crops of the real photos: an RGB one of each, and a gray one. */
    static synchronized List<BufferedImage> photoCrops() {
        if (crops == null) {
            List<BufferedImage> c = new ArrayList<>();
            try {
                for (String name : new String[] {"astronaut.png", "chelsea.png", "coffee.jpg"}) {
                    BufferedImage photo = ImageIO.read(TestFiles.home().resolve("data/images").resolve(name).toFile());
                    c.add(typed(photo.getSubimage(photo.getWidth() / 3, photo.getHeight() / 3, 24, 20), BufferedImage.TYPE_3BYTE_BGR));
                }
                c.add(typed(c.get(1), BufferedImage.TYPE_BYTE_GRAY));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            crops = c;
        }
        return crops;
    }

    static BufferedImage typed(BufferedImage src, int type) {
        BufferedImage dst = new BufferedImage(src.getWidth(), src.getHeight(), type);
        dst.getGraphics().drawImage(src, 0, 0, null);
        return dst;
    }

    private static byte[] bmpCompressed(BufferedImage img, String compression) {
        try {
            ImageWriter w = ImageIO.getImageWritersByFormatName("bmp").next();
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionType(compression);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream s = new MemoryCacheImageOutputStream(out)) {
                w.setOutput(s);
                w.write(null, new IIOImage(img, null, null), p);
            }
            w.dispose();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
