package org.tconv.deconvolve;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.InputRejectedException;
import org.tconv.conv.IntTuple;
import org.tconv.operator.LinearMap;
import org.tconv.verify.DirectMap;

/**
 * Solves one item of a {@link Problem} in the calling thread, all iterations at once: per channel with a PSF,
 * jointly with a layer. Keeps T (and the mirrored PSF's map) per shape, so a task's items of one shape share
 * them. With {@code reference} set, the same solve also runs on the direct loops, for {@code --verify}.
 */
public final class ItemSolver {
    /** One item's outcome. */
    public static final class Result {
        public final double[] x;
        public final int iterations;
        public final String stop;
        /** ||T x - y|| / ||y|| (y less the bias for a layer); 0 when y and T x are both 0. */
        public final double residual;
        /** Largest |x - x_direct| over the largest |x_direct|; NaN without {@code --verify}. */
        public final double verifyDifference;
        public final String error;

        Result(double[] x, int iterations, String stop, double residual, double verifyDifference, String error) {
            this.x = x;
            this.iterations = iterations;
            this.stop = stop;
            this.residual = residual;
            this.verifyDifference = verifyDifference;
            this.error = error;
        }
    }

    private final Problem p;
    private final boolean reference;
    /** Per spatial shape: T, the mirrored PSF's map, and their direct twins (null without reference). */
    private final Map<String, LinearMap[]> maps = new HashMap<>();

    public ItemSolver(Problem p, boolean reference) {
        this.p = p;
        this.reference = reference;
    }

    /**
     * Solves the item of {@code itemShape} (C, ...) held in {@code y} from {@code offset}.
     *
     * @throws InputRejectedException when the item cannot be solved at all (a PSF larger than it, a shape the layer does not make)
     */
    public Result solve(int[] itemShape, double[] y, int offset) {
        return p.psf != null ? solvePsf(itemShape, y, offset) : solveLayer(itemShape, y, offset);
    }

    private Result solvePsf(int[] itemShape, double[] y, int offset) {
        int[] spatial = Arrays.copyOfRange(itemShape, 1, itemShape.length);
        String tooLarge = p.psf.tooLargeFor(spatial);
        if (tooLarge != null) throw new InputRejectedException(tooLarge);
        LinearMap[] m = maps.computeIfAbsent(Arrays.toString(spatial), k -> psfMaps(spatial));
        int n = m[0].cols(), channels = itemShape[0];
        double[] x = new double[channels * n], tx = new double[n], yc = new double[n];
        double diff = reference ? 0 : Double.NaN, scale = 0, rr = 0, yy = 0;
        int iterations = 0;
        String stop = null;
        for (int c = 0; c < channels; c++) {
            System.arraycopy(y, offset + c * n, yc, 0, n);
            Solution s = solve(m[0], m[1], yc);
            if (!s.ok()) return failed(s, channels > 1 ? "channel " + c + ": " : "");
            System.arraycopy(s.x, 0, x, c * n, n);
            iterations = Math.max(iterations, s.iterations);
            stop = s.stop;
            m[0].apply(s.x, tx);
            for (int i = 0; i < n; i++) {
                rr += (tx[i] - yc[i]) * (tx[i] - yc[i]);
                yy += yc[i] * yc[i];
            }
            if (reference) {
                Solution d = solve(m[2], m[3], yc);
                if (!d.ok()) return failed(d, "--verify's direct solve, channel " + c + ": ");
                for (int i = 0; i < n; i++) {
                    diff = Math.max(diff, Math.abs(s.x[i] - d.x[i]));
                    scale = Math.max(scale, Math.abs(d.x[i]));
                }
            }
        }
        return new Result(x, iterations, stop, relative(rr, yy), reference ? diff / Math.max(scale, Double.MIN_NORMAL) : Double.NaN, null);
    }

    private Result solveLayer(int[] itemShape, double[] y, int offset) {
        LinearMap[] m = maps.computeIfAbsent("layer", k -> layerMaps());
        ConvGeometry g = p.layerGeometry();
        int[] expected = g.outputShape();
        if (!Arrays.equals(itemShape, expected)) {
            throw new InputRejectedException("input item (" + IntTuple.format(itemShape) + ") is not the layer's output on --input-shape ("
                    + IntTuple.format(g.inputShape()) + "), which is (" + IntTuple.format(expected) + ")");
        }
        int rows = m[0].rows(), plane = g.outputPlane();
        double[] b = new double[rows];
        for (int i = 0; i < rows; i++) b[i] = y[offset + i] - p.layer.bias(i / plane);
        Solution s = solve(m[0], null, b);
        if (!s.ok()) return failed(s, "");
        double[] tx = new double[rows];
        m[0].apply(s.x, tx);
        double rr = 0, yy = 0;
        for (int i = 0; i < rows; i++) {
            rr += (tx[i] - b[i]) * (tx[i] - b[i]);
            yy += b[i] * b[i];
        }
        double diff = Double.NaN;
        if (reference) {
            Solution d = solve(m[2], null, b);
            if (!d.ok()) return failed(d, "--verify's direct solve: ");
            double worst = 0, scale = 0;
            for (int i = 0; i < s.x.length; i++) {
                worst = Math.max(worst, Math.abs(s.x[i] - d.x[i]));
                scale = Math.max(scale, Math.abs(d.x[i]));
            }
            diff = worst / Math.max(scale, Double.MIN_NORMAL);
        }
        return new Result(s.x, s.iterations, s.stop, relative(rr, yy), diff, null);
    }

    private Solution solve(LinearMap t, LinearMap mirrored, double[] y) {
        return p.algorithm == Algorithm.RICHARDSON_LUCY
                ? new RichardsonLucy(t, mirrored).solve(y, p.iterations)
                : new Lsqr(t, p.damp).solve(y, p.iterations);
    }

    private LinearMap[] psfMaps(int[] spatial) {
        Psf mirror = p.psf.mirrored();
        return new LinearMap[] {
            SameConvolution.toeplitz(p.psf, spatial), SameConvolution.toeplitz(mirror, spatial),
            reference ? SameConvolution.direct(p.psf, spatial) : null, reference ? SameConvolution.direct(mirror, spatial) : null,
        };
    }

    private LinearMap[] layerMaps() {
        ConvGeometry g = p.layerGeometry();
        return new LinearMap[] {new ToeplitzProducts(g), null, reference ? new DirectMap(g) : null, null};
    }

    private static Result failed(Solution s, String where) {
        return new Result(null, s.iterations, s.stop, Double.NaN, Double.NaN, where + s.error);
    }

    private static double relative(double rr, double yy) {
        if (yy == 0) return rr == 0 ? 0 : Double.POSITIVE_INFINITY;
        return Math.sqrt(rr) / Math.sqrt(yy);
    }
}
