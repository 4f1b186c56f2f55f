package org.tconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;

/** Weights that no input can take are refused before Spark with one line, not answered by a folder of rejections. */
class WeightsFitInputsTest {
    @TempDir
    Path tmp;

    private Path photos() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("photos/sub"));
        ImageIO.write(new BufferedImage(9, 7, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("a.png").toFile());
        ImageIO.write(new BufferedImage(9, 7, BufferedImage.TYPE_BYTE_GRAY), "png", dir.getParent().resolve("b.png").toFile());
        Files.writeString(dir.getParent().resolve(".notes.txt"), "hidden files are not inputs");
        return dir.getParent();
    }

    private Cli run(Path input, int[] weightShape, String out) throws IOException {
        int n = 1;
        for (int d : weightShape) n *= d;
        Path w = TestFiles.write(tmp.resolve("w-" + out + ".npy"), weightShape, new double[n]);
        return Cli.run("run", "--input", input.toString(), "--weights", w.toString(), "--output", tmp.resolve(out).toString(),
                "--format", "npy");
    }

    @Test
    void channelsNoImageHasAreRefusedBeforeSpark() throws IOException {
        Cli r = run(photos(), new int[] {4, 2, 3, 3}, "two");
        assertEquals(1, r.status, r::toString);
        assertEquals(1, r.err.strip().lines().count(), r::toString);
        assertTrue(r.err.contains("all 2 inputs under") && r.err.contains("decode to 1 (gray) or 3 (colour) channels")
                && r.err.contains("take 2 input channels (4,2,3,3)"), r::toString);
        assertFalse(Files.exists(tmp.resolve("two")), "no output folder begun");
    }

    @Test
    void oneAndThreeDimensionalWeightsOnImagesAreRefused() throws IOException {
        Cli r = run(photos().resolve("sub/a.png"), new int[] {2, 3, 5}, "oned");
        assertEquals(1, r.status, r::toString);
        assertTrue(r.err.contains("the input ") && r.err.contains("is an image, which need 2-D weights; the weights (2,3,5) are 1-D"), r::toString);
        assertFalse(Files.exists(tmp.resolve("oned")));
    }

    @Test
    void aFolderThatHoldsAnythingElseIsJudgedInputByInput() throws IOException {
        Path in = photos();
        TestFiles.write(in.resolve("x.npy"), new int[] {2, 6, 6}, new double[72]);
        Cli r = run(in, new int[] {4, 2, 3, 3}, "mixed");
        assertEquals(2, r.status, r::toString);
        assertTrue(Files.exists(tmp.resolve("mixed/x.npy")), "the input that fits is written");
        assertEquals(3, Files.readAllLines(tmp.resolve("mixed/_rejected.csv")).size(), "header and the two photos");
    }

    @Test
    void weightsThatFitSomeImagesGoOn() throws IOException {
        Cli r = run(photos(), new int[] {1, 3, 3, 3}, "rgb");
        assertEquals(2, r.status, "the colour photo is written, the gray one rejected: " + r);
        assertTrue(Files.exists(tmp.resolve("rgb/sub/a.npy")));
    }
}
