package org.tconv.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.testing.Cli;
import org.tconv.testing.TestFiles;
import org.tconv.verify.DirectMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code tconv explain} as users call it: the seed notebook's 5x5 example must show its numbers (9x25 T, 225
 * dense entries, 9 parameters), and the measured equivariance must show what convolution theory says:
 * circular padding with stride 1 exact everywhere, zero padding exact in the interior only, a stride exact
 * only for shifts that are multiples of it.
 */
class ExplainTest {
    @Test
    void seedFiveByFiveExampleShowsTheNotebooksNumbers(@TempDir Path dir) throws IOException {
        Path w = TestFiles.write(dir.resolve("w.npy"), new int[] {1, 1, 3, 3}, new double[] {1, 0, -1, 2, 0, -2, 1, 0, -1});
        Path out = dir.resolve("report");
        Cli r = Cli.run("explain", "--weights", w.toString(), "--input-shape", "1,5,5", "--output", out.toString());
        assertEquals(0, r.status, r.toString());
        JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(9, j.at("/toeplitz/rows").asLong());
        assertEquals(25, j.at("/toeplitz/cols").asLong());
        assertEquals(225, j.at("/toeplitz/dense_entries").asLong());
        assertEquals(81, j.at("/toeplitz/stored_nonzeros").asLong());
        assertEquals(9, j.at("/toeplitz/distinct_parameters").asLong());
        assertEquals(225, j.at("/dense_layer_comparison/dense_layer_weights").asLong());
        assertEquals(9, j.at("/dense_layer_comparison/convolution_weights").asLong());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| T's shape | 9 x 25 |") && md.contains("| entries of a dense T | 225 |")
                && md.contains("| weight positions (the kernel's taps, each repeated along T's diagonals) | 9 |")
                && md.contains("| distinct weight values | 5 |"), md);
        assertTrue(md.contains("would have 225 weights; the convolution has 9 weights:"), "no biases counted without a bias: " + md);
        assertTrue(md.contains("relative to the output's largest magnitude") && md.contains("interior max diff (relative)"), md);
        for (String png : List.of("sparsity.png", "weight-sharing.png", "equivariance.png")) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png);
            assertTrue(img.getWidth() > 200 && img.getHeight() > 100, png);
        }
        assertEquals("exact", j.at("/pictures/sparsity_kind").asText());
        Cli again = Cli.run("explain", "--weights", w.toString(), "--input-shape", "1,5,5", "--output", out.toString());
        assertEquals(1, again.status, again.toString());
        assertTrue(again.err.contains("not empty"), again.err);
    }

    @Test
    void shiftsWithoutInteriorPositionsSayNotApplicable(@TempDir Path dir) throws IOException {
        double[] w = new double[9];
        for (int i = 0; i < 9; i++) w[i] = i - 4;
        Path wf = TestFiles.write(dir.resolve("w.npy"), new int[] {1, 1, 3, 3}, w);
        Path out = dir.resolve("report");
        Cli r = Cli.run("explain", "--weights", wf.toString(), "--input-shape", "1,3,3", "--padding", "1", "--output", out.toString());
        assertEquals(0, r.status, r.toString());
        JsonNode shifts = new ObjectMapper().readTree(out.resolve("report.json").toFile()).at("/equivariance/shifts");
        List<String> rows = Files.readAllLines(out.resolve("report.md")).stream()
                .filter(l -> l.startsWith("| height") || l.startsWith("| width")).toList();
        assertEquals(shifts.size(), rows.size(), rows::toString);
        int none = 0;
        for (int i = 0; i < rows.size(); i++) {
            String interior = rows.get(i).split("\\|")[5].strip();
            boolean empty = shifts.get(i).path("interior_positions").asLong() == 0;
            if (empty) none++;
            assertEquals(empty, interior.equals("n/a"), rows.get(i));
        }
        assertTrue(none > 0, "a 3x3 input with a 3x3 kernel and padding 1 has shifts without interior positions: " + rows);
    }

    private static ConvGeometry geometry(PaddingMode mode, int pad, int stride, int... shape) {
        double[] w = new double[2 * 2 * 3 * 3];
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        return ConvSpec.builder(new int[] {2, 2, 3, 3}, w).padding(Padding.parse(Integer.toString(pad))).paddingMode(mode)
                .stride(stride).build().geometry(shape);
    }

    @Test
    void circularStrideOneIsExactlyEquivariantEverywhere() {
        ConvGeometry g = geometry(PaddingMode.CIRCULAR, 1, 1, 2, 9, 8);
        List<Equivariance.Shift> shifts = Equivariance.measure(g, new DirectMap(g));
        assertEquals(List.of(1, 2, 3, 1, 2, 3), shifts.stream().map(Equivariance.Shift::shift).toList());
        for (Equivariance.Shift s : shifts) {
            assertTrue(s.interiorMaxAbs() < 1e-12 && s.borderMaxAbs() < 1e-12, s.toString());
            assertTrue(s.borderPositions() > 0, s.toString());
        }
    }

    @Test
    void zeroPaddingIsEquivariantOnlyInTheInterior() {
        ConvGeometry g = geometry(PaddingMode.ZEROS, 1, 1, 2, 9, 8);
        for (Equivariance.Shift s : Equivariance.measure(g, new DirectMap(g))) {
            assertTrue(s.interiorMaxAbs() < 1e-12, s.toString());
            assertTrue(s.interiorPositions() > 0 && s.borderMaxAbs() > 1e-3, s.toString());
        }
    }

    @Test
    void aStrideIsEquivariantOnlyForItsMultiples() {
        ConvGeometry g = geometry(PaddingMode.ZEROS, 0, 2, 2, 13, 12);
        List<Equivariance.Shift> shifts = Equivariance.measure(g, new DirectMap(g));
        assertEquals(List.of(1, 2, 3, 4, 6, 1, 2, 3, 4, 6), shifts.stream().map(Equivariance.Shift::shift).toList());
        for (Equivariance.Shift s : shifts) {
            if (s.multipleOfStride()) assertTrue(s.interiorMaxAbs() < 1e-12, s.toString());
            else assertTrue(s.interiorMaxAbs() > 1e-3, s.toString());
        }
    }

    @Test
    void bigShapesGetADensityMap(@TempDir Path dir) throws IOException {
        Path w = TestFiles.write(dir.resolve("w.npy"), new int[] {4, 3, 3, 3}, new double[4 * 27]);
        Cli r = Cli.run("explain", "--weights", w.toString(), "--input-shape", "3,64,64", "--padding", "1", "--output",
                dir.resolve("big").toString());
        assertEquals(0, r.status, r.toString());
        JsonNode j = new ObjectMapper().readTree(dir.resolve("big/report.json").toFile());
        assertEquals("density", j.at("/pictures/sparsity_kind").asText());
        assertTrue(j.at("/pictures/weight_sharing").isNull());
        assertTrue(Files.notExists(dir.resolve("big/weight-sharing.png")));
        BufferedImage img = ImageIO.read(dir.resolve("big/sparsity.png").toFile());
        assertTrue(img.getWidth() <= 1000 && img.getHeight() <= 1000, img.getWidth() + "x" + img.getHeight());
    }
}
