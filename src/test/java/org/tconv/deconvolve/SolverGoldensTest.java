package org.tconv.deconvolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.conv.PaddingMode;
import org.tconv.read.ImageDecoder;
import org.tconv.read.NpyArray;

/**
 * The solvers on the goldens, without Spark: Richardson-Lucy against scikit-image to 1e-8 relative, LSQR
 * against scipy to 1e-7, and each item's residual against the one numpy computed from the golden x.
 */
class SolverGoldensTest {
    static Stream<JsonNode> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(Goldens.DIR.resolve("cases.json")));
        List<JsonNode> all = new ArrayList<>();
        root.get("cases").forEach(all::add);
        return all.stream();
    }

    static Problem problem(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        Algorithm a = Algorithm.parse(c.get("algorithm").asText());
        int k = c.get("iterations").asInt();
        double damp = c.get("damp").asDouble();
        if (c.has("psf")) return Problem.ofPsf(a, k, damp, Goldens.psf(name));
        NpyArray w = Goldens.read(name, "weights.npy"), b = Goldens.read(name, "bias.npy");
        int pad = c.get("padding").asInt();
        ConvSpec layer = ConvSpec.builder(w.shape, w.data).bias(b.data).stride(c.get("stride").asInt()).padding(Padding.of(pad))
                .groups(c.get("groups").asInt()).paddingMode(PaddingMode.parse(c.get("padding_mode").asText())).build();
        int[] shape = new ObjectMapper().convertValue(c.get("input_shape"), int[].class);
        return Problem.ofLayer(a, k, damp, layer, shape);
    }

    /** The input as tconv reads it: an .npy as stored, a PNG as its (C, H, W) values 0..255. */
    static NpyArray input(JsonNode c) throws IOException {
        String name = c.get("name").asText(), file = c.get("input").asText();
        if (file.endsWith(".png")) return ImageDecoder.decode(Files.readAllBytes(Goldens.DIR.resolve(name).resolve(file)));
        return Goldens.read(name, file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void solverMatchesTheGolden(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        Problem p = problem(c);
        NpyArray y = input(c);
        int r = p.spatialRank();
        int items = y.shape.length == r + 2 ? y.shape[0] : 1;
        int[] item = y.shape.length == r ? prepend(1, y.shape) : Arrays.copyOfRange(y.shape, y.shape.length - r - 1, y.shape.length);
        int itemSize = y.data.length / items;
        double[] expected = Goldens.read(name, "expected.npy").data;
        int xSize = expected.length / items;
        double tol = p.algorithm == Algorithm.LSQR ? 1e-7 : 1e-8;
        ItemSolver solver = new ItemSolver(p, false);
        for (int i = 0; i < items; i++) {
            ItemSolver.Result res = solver.solve(item, y.data, i * itemSize);
            assertNull(res.error, name);
            double[] want = Arrays.copyOfRange(expected, i * xSize, (i + 1) * xSize);
            double d = Goldens.relativeDifference(res.x, want);
            assertTrue(d < tol, name + " item " + i + ": relative difference " + d);
            double golden = c.get("residuals").get(i).asDouble();
            assertEquals(golden, res.residual, 1e-8 * golden, name + " residual");
            assertEquals(p.iterations, res.iterations, name);
        }
    }

    @Test
    void verifyComparesWithTheDirectLoops() throws IOException {
        JsonNode c = cases().filter(j -> j.get("name").asText().equals("rl_2d_even")).findFirst().orElseThrow();
        NpyArray y = input(c);
        ItemSolver.Result r = new ItemSolver(problem(c), true).solve(prepend(1, y.shape), y.data, 0);
        assertTrue(r.verifyDifference < 1e-12 && r.verifyDifference >= 0, "difference " + r.verifyDifference);
    }

    @Test
    void transposedLayerSolvesAgreeWithTheDirectLoops() {
        // ConvTranspose2d(2 -> 3, k 3, stride 2, padding 1) on (2, 4, 5): T^T of the forward map, no golden of its own,
        // so the toeplitz solve is checked against the same solve on the direct scatter loops
        java.util.Random rnd = new java.util.Random(4);
        double[] w = new double[2 * 3 * 9];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        ConvSpec layer = ConvSpec.builder(new int[] {2, 3, 3, 3}, w).transposed(true).stride(2).padding(Padding.of(1)).build();
        int[] in = {2, 4, 5};
        int[] outShape = layer.geometry(in).outputShape();
        double[] y = new double[outShape[0] * outShape[1] * outShape[2]];
        for (int i = 0; i < y.length; i++) y[i] = rnd.nextGaussian();
        ItemSolver.Result r = new ItemSolver(Problem.ofLayer(Algorithm.LSQR, 10, 0.05, layer, in), true).solve(outShape, y, 0);
        assertNull(r.error);
        assertEquals(2 * 4 * 5, r.x.length);
        assertTrue(r.verifyDifference < 1e-10, "difference " + r.verifyDifference);
        assertTrue(r.residual > 0 && r.residual < 1, "residual " + r.residual); // y is not in T's range: 0 < r < ||y||
    }

    @Test
    void aSolveThatOverflowsRejectsItsItem() {
        // y of 1e300 over a PSF of tiny mass: the ratio y / (T x) overflows in the first iteration
        Psf psf = new Psf(new int[] {3}, new double[] {1e-300, 1e-300, 1e-300});
        double[] y = new double[8];
        Arrays.fill(y, 1e300);
        ItemSolver.Result r = new ItemSolver(Problem.ofPsf(Algorithm.RICHARDSON_LUCY, 5, 0, psf), false).solve(new int[] {1, 8}, y, 0);
        assertTrue(r.error != null && r.error.contains("richardson-lucy iteration 1 produced"), r.error);
        assertEquals(null, r.x);
    }

    @Test
    void lsqrOnAnExactSystemStopsAtTheExactSolution() {
        // a 1-tap PSF is the identity: LSQR finds x = y in one step and stops (scipy's istop 1 or 4)
        Psf psf = new Psf(new int[] {1}, new double[] {2.0});
        double[] y = {1, 2, 3, 4, 5};
        ItemSolver.Result r = new ItemSolver(Problem.ofPsf(Algorithm.LSQR, 50, 0, psf), false).solve(new int[] {1, 5}, y, 0);
        assertNull(r.error);
        assertTrue(r.iterations < 50, "ran " + r.iterations);
        for (int i = 0; i < 5; i++) assertEquals(y[i] / 2, r.x[i], 1e-15);
        assertFalse(r.stop.equals("iteration limit"), r.stop);
    }

    static int[] prepend(int first, int[] rest) {
        int[] s = new int[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }
}
