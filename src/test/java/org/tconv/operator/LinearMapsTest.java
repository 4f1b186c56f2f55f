package org.tconv.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.RandomSpecs;
import org.tconv.verify.DirectConvolution;
import org.tconv.verify.DirectMap;

/**
 * The three ways of computing T x and T^T y agree with each other and with the reference: the direct gather
 * equals {@link DirectConvolution} less the bias, the explicit CSR product and the distinct blocks' product
 * equal it too, and each adjoint satisfies <T x, y> = <x, T^T y> and equals the others (one is a scatter
 * over the kernel's taps, the others the transposed products of T's entries and of its blocks); for
 * transposed convolutions as well, whose reference is the direct scatter of ConvTranspose.
 */
class LinearMapsTest {
    @Test
    void directSparseAndBlockMapsAgreeOnRandomSpecs() {
        Random rnd = new Random(9);
        for (int trial = 0; trial < 500; trial++) {
            RandomSpecs r = trial % 5 == 4 ? RandomSpecs.drawTransposed(rnd) : RandomSpecs.draw(rnd, true);
            ConvGeometry g = r.spec.geometry(r.inputShape);
            DirectMap direct = new DirectMap(g);
            LinearMap sparse = ConvOperator.of(g).toSparseMap();
            BlockToeplitzMap blocks = new BlockToeplitzMap(new org.tconv.toeplitz.BlockToeplitz(g));
            double[] x = RandomSpecs.randomInput(rnd, g.inputSize());
            double[] y = RandomSpecs.randomInput(rnd, g.outputSize());

            double[] reference = DirectConvolution.convolve(g, x, 0);
            for (int i = 0; i < reference.length; i++) reference[i] -= g.spec.bias(i / g.outputPlane());
            double[] yd = new double[g.outputSize()], ys = new double[g.outputSize()], yb = new double[g.outputSize()];
            direct.apply(x, yd);
            sparse.apply(x, ys);
            blocks.apply(x, yb);
            double[] yf = ConvOperator.of(g).apply(x);
            double scale = maxAbs(reference) + 1e-300;
            assertClose(reference, yd, 1e-12 * scale, r + " direct T x");
            assertClose(reference, ys, 1e-12 * scale, r + " sparse T x");
            assertClose(reference, yb, 1e-12 * scale, r + " block T x");
            assertClose(reference, yf, 1e-12 * scale, r + " front door T x");

            double[] xd = new double[g.inputSize()], xs = new double[g.inputSize()], xb = new double[g.inputSize()];
            direct.applyAdjoint(y, xd);
            sparse.applyAdjoint(y, xs);
            blocks.applyAdjoint(y, xb);
            assertClose(xs, xd, 1e-12 * (maxAbs(xs) + 1e-300), r + " T^T y");
            assertClose(xs, xb, 1e-12 * (maxAbs(xs) + 1e-300), r + " block T^T y");
            assertClose(xs, ConvOperator.of(g).applyAdjoint(y), 1e-12 * (maxAbs(xs) + 1e-300), r + " front door T^T y");
            double lhs = dot(yd, y), rhs = dot(x, xd);
            assertEquals(lhs, rhs, 1e-10 * (Math.abs(lhs) + norm(x) * norm(xd)), r + " <Tx,y> = <x,T^T y>");
        }
    }

    @Test
    void parallelScatterOverManyChannelsMatchesTheTransposedCsr() {
        Random rnd = new Random(3);
        double[] w = RandomSpecs.randomInput(rnd, 16 * 4 * 3 * 3);
        ConvSpec spec = ConvSpec.builder(new int[] {16, 4, 3, 3}, w).groups(2).build();
        ConvGeometry g = spec.geometry(new int[] {8, 40, 37});
        double[] y = RandomSpecs.randomInput(rnd, g.outputSize());
        double[] xd = new double[g.inputSize()], xs = new double[g.inputSize()];
        new DirectMap(g).applyAdjoint(y, xd);
        ConvOperator.of(g).toSparseMap().applyAdjoint(y, xs);
        assertClose(xs, xd, 1e-12 * maxAbs(xs), "T^T y");
        double[] xb = new double[g.inputSize()];
        new BlockToeplitzMap(new org.tconv.toeplitz.BlockToeplitz(g)).applyAdjoint(y, xb); // several partial inputs: rows * 16 is past the single-part size
        assertClose(xs, xb, 1e-12 * maxAbs(xs), "block T^T y");
    }

    private static void assertClose(double[] a, double[] b, double tol, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], tol, what + " [" + i + "]");
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double norm(double[] a) { return Math.sqrt(dot(a, a)); }
}
