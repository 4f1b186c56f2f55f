package org.tconv.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.multiply.Method;
import org.tconv.read.ImageDecoder;
import org.tconv.read.NpyArray;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/** The sample photographs: decoded as PIL decodes them, convolved as torch does, the three methods agreeing. */
class RealPhotosTest {
    static final Path IMAGES = TestFiles.home().resolve("data/images");
    static final Path DECODE = TestFiles.home().resolve("src/test/resources/golden/decode");

    @TempDir
    Path tmp;

    @Test
    void decodingMatchesPil() throws IOException {
        for (String name : List.of("astronaut.png", "chelsea.png", "coffee.jpg")) {
            NpyArray a = ImageDecoder.decode(Files.readAllBytes(IMAGES.resolve(name)));
            assertEquals(3, a.shape[0], name);
            NpyArray crop = TestFiles.read(DECODE.resolve(name + ".crop.npy"));
            List<String> sums = Files.readAllLines(DECODE.resolve(name + ".sums.csv"));
            int h = a.shape[1], w = a.shape[2];
            double maxDiff = 0;
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int i = 0; i < h * w; i++) sum += a.data[c * h * w + i];
                double pil = Double.parseDouble(sums.get(c + 1).split(",")[1]);
                // JPEG too: ImageIO and PIL (libjpeg, islow IDCT, fancy upsampling) decode this file identically
                assertEquals(pil, sum, 0.0, name + " channel " + c);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        maxDiff = Math.max(maxDiff, Math.abs(crop.data[(c * 16 + y) * 16 + x] - a.data[(c * h + y) * w + x]));
                    }
                }
            }
            assertEquals(0.0, maxDiff, name + ": max pixel difference to PIL");
        }
    }

    @Test
    void threeMethodsAgreeWithTorchOnA512Photo() throws IOException {
        Map<Method, NpyArray> out = new EnumMap<>(Method.class);
        for (Method m : Method.values()) {
            Path dir = tmp.resolve(m.toString());
            Cli r = Cli.run("run", "--input", IMAGES.resolve("astronaut.png").toString(), "--output", dir.toString(),
                    "--padding", "1", "--format", "npy", "--method", m.toString());
            assertEquals(0, r.status, r::toString);
            out.put(m, TestFiles.read(dir.resolve("astronaut.npy")));
        }
        NpyArray ref = out.get(Method.DIRECT);
        assertArrayEquals(new int[] {2, 512, 512}, ref.shape);
        double scale = 0;
        for (double v : ref.data) scale = Math.max(scale, Math.abs(v));
        for (Method m : Method.values()) {
            double diff = 0;
            for (int i = 0; i < ref.data.length; i++) diff = Math.max(diff, Math.abs(ref.data[i] - out.get(m).data[i]));
            assertTrue(diff <= 1e-9 * scale, m + " differs from direct by " + diff / scale + " relative");
        }
        NpyArray torch = TestFiles.read(DECODE.resolve("expected-photo-conv.npy"));
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    assertEquals(torch.data[(c * 32 + y) * 32 + x], ref.data[(c * 512 + y) * 512 + x], 1e-9, "torch crop");
                }
            }
        }
    }
}
