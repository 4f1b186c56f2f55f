package org.tconv.spectrum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.netlib.util.doubleW;
import org.netlib.util.intW;
import org.tconv.operator.Gram;
import org.tconv.operator.LinearMap;

import dev.ludovic.netlib.arpack.ARPACK;

/**
 * The K largest singular values of a map, as the square roots of the K largest eigenvalues of its smaller
 * Gram matrix ({@link Gram}), found by ARPACK's implicitly restarted Lanczos (dsaupd/dseupd) driven by
 * reverse communication, as MLlib's {@code EigenValueDecomposition.symmetricEigs} drives it. The Gram matrix
 * is never formed: each request is one Gram product (one T and one T^T product).
 *
 * <p>Repeated values. A Krylov space grown from one vector holds one direction of each eigenspace; the
 * other copies of a repeated eigenvalue (circular convolutions have many, and so does any kernel with enough
 * symmetry) appear only through rounding, late or not at all, so a single run can return the next distinct
 * value where a copy belongs. For K > 1 the values are therefore confirmed by deflation: the pairs found are
 * projected out, (I - YY^T) G (I - YY^T), and ARPACK runs again on the rest; what it finds above the K-th
 * value so far joins them, and the passes stop when one finds nothing above it. A missed copy is the
 * deflated operator's largest eigenvalue, so it cannot hide. K = 1 needs no pass: the largest value is the
 * same whatever its multiplicity.
 */
public final class ArpackSingularValues {
    /**
     * ARPACK's convergence test: a Ritz value theta is accepted when its residual is below tol * theta, which bounds
     * the eigenvalue's error by tol * theta and so each singular value's by tol / 2 relative: 1e-10 is 20 times inside
     * the 1e-9 promised. Large shapes (3x512x512) have pairs of values 1e-9 apart at the top, which a looser tolerance
     * would merge (3x128x128 with the (64,3,3,3) kernel: 8.1e-10 apart, measured with scipy's ARPACK).
     */
    static final double TOLERANCE = 1e-10;
    private static final int MAX_RESTARTS = 10_000;
    /** Deflation passes at most, after the first run: each finds at least one new copy or ends the search. */
    private static final int MAX_PASSES = 16;

    private ArpackSingularValues() {}

    /**
     * The values, descending, and how much work ARPACK did: restarts and Gram products (each one T and one T^T
     * product) over all runs, and the deflation passes after the first run.
     */
    public record Result(double[] values, int restarts, int gramProducts, int passes) {}

    /** Bytes ARPACK needs for K values of a map whose Gram matrix has dimension n: the Lanczos basis and the pairs kept. */
    public static long workBytes(int n, int k) {
        long ncv = lanczosVectors(n, k);
        long keptPairs = k == 1 ? 1 : 3L * k;
        return Double.BYTES * ((long) n * (ncv + 6 + keptPairs) + ncv * (ncv + 8));
    }

    static int lanczosVectors(int n, int k) {
        return Math.min(n, Math.max(2 * k + 20, 40));
    }

    /** The largest {@code k} singular values, descending; {@code k} must be below min(rows, cols). */
    public static Result top(LinearMap t, int k) {
        return top(Gram.of(t), k);
    }

    /** The largest {@code k} singular values of the map whose Gram matrix this is, descending; {@code k} below its dimension. */
    public static Result top(Gram gram, int k) {
        int n = gram.dimension();
        if (k < 1 || k >= n) {
            throw new IllegalArgumentException("--top must be between 1 and " + (n - 1)
                    + " (ARPACK finds fewer values than the smaller side of T, " + n + "), got " + k);
        }
        Run first = run(gram, k, k > 1);
        int restarts = first.restarts, products = first.products, passes = 0;
        List<Pair> found = new ArrayList<>(first.pairs);
        List<double[]> deflated = new ArrayList<>();
        for (Pair p : first.pairs) deflated.add(p.vector);
        int orthonormal = 0;
        while (k > 1 && passes < MAX_PASSES) {
            double kth = kthLargest(found, k);
            int room = n - deflated.size() - 1;
            if (room < 1) break;
            orthonormalise(deflated, orthonormal);
            orthonormal = deflated.size();
            Run next = run(new Deflated(gram, deflated), Math.min(k, room), true);
            passes++;
            restarts += next.restarts;
            products += next.products;
            boolean newAboveKth = false;
            for (Pair p : next.pairs) {
                if (p.lambda > kth * (1 + TOLERANCE)) {
                    newAboveKth = true;
                    found.add(p);
                }
                deflated.add(p.vector);
            }
            if (!newAboveKth) break;
        }
        found.sort(Comparator.comparingDouble((Pair p) -> p.lambda).reversed());
        double[] sigma = new double[k];
        for (int i = 0; i < k; i++) sigma[i] = Math.sqrt(Math.max(0.0, found.get(i).lambda));
        return new Result(sigma, restarts, products, passes);
    }

    private static double kthLargest(List<Pair> pairs, int k) {
        double[] l = pairs.stream().mapToDouble(p -> p.lambda).sorted().toArray();
        return l[l.length - k];
    }

    /** An eigenpair of the Gram matrix; the vector only when a deflation pass needs it. */
    private record Pair(double lambda, double[] vector) {}

    private record Run(List<Pair> pairs, int restarts, int products) {}

    /** One ARPACK run for the {@code k} largest eigenvalues, with their vectors when asked. */
    private static Run run(Gram gram, int k, boolean vectors) {
        int n = gram.dimension();
        int ncv = lanczosVectors(n, k);
        ARPACK arpack = ARPACK.getInstance();
        intW ido = new intW(0), info = new intW(0), nev = new intW(k);
        doubleW tol = new doubleW(TOLERANCE);
        int[] iparam = new int[11];
        iparam[0] = 1;            // exact shifts
        iparam[2] = MAX_RESTARTS;
        iparam[6] = 1;            // mode 1: ordinary eigenproblem A v = lambda v
        int[] ipntr = new int[11];
        int products = 0;
        double[] resid = new double[n];
        double[] v = new double[n * ncv];
        double[] workd = new double[3 * n];
        double[] workl = new double[ncv * (ncv + 8)];
        double[] in = new double[n], out = new double[n];
        while (true) {
            arpack.dsaupd(ido, "I", n, "LM", nev.val, tol, resid, ncv, v, n, iparam, ipntr, workd, workl, workl.length, info);
            if (ido.val == 99) break;
            if (ido.val != -1 && ido.val != 1) throw new IllegalStateException("ARPACK asked for ido = " + ido.val);
            System.arraycopy(workd, ipntr[0] - 1, in, 0, n);
            gram.apply(in, out);
            System.arraycopy(out, 0, workd, ipntr[1] - 1, n);
            products++;
        }
        if (info.val != 0) throw new IllegalStateException(arpackMessage("dsaupd", info.val, iparam));
        double[] d = new double[k];
        double[] z = new double[n * k];
        arpack.dseupd(vectors, "A", new boolean[ncv], d, z, n, 0.0, "I", n, "LM", nev, tol.val, resid, ncv, v, n,
                iparam, ipntr, workd, workl, workl.length, info);
        if (info.val != 0) throw new IllegalStateException(arpackMessage("dseupd", info.val, iparam));
        int converged = iparam[4];
        if (converged < k) {
            throw new IllegalStateException("ARPACK converged on " + converged + " of " + k + " values");
        }
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < k; i++) pairs.add(new Pair(d[i], vectors ? Arrays.copyOfRange(z, i * n, (i + 1) * n) : null));
        return new Run(pairs, iparam[2], products);
    }

    /**
     * Classical Gram-Schmidt, twice per vector, of the vectors from {@code from} on against all before them (those
     * are orthonormal already): ARPACK's vectors of separate runs are orthogonal only to their tolerance.
     */
    private static void orthonormalise(List<double[]> vs, int from) {
        for (int i = from; i < vs.size(); i++) {
            double[] v = vs.get(i);
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < i; j++) axpy(-dot(vs.get(j), v), vs.get(j), v);
            }
            double norm = Math.sqrt(dot(v, v));
            for (int t = 0; t < v.length; t++) v[t] /= norm;
        }
    }

    /** (I - YY^T) G (I - YY^T): the Gram matrix with the pairs found projected out (their eigenvalues become 0). */
    private static final class Deflated implements Gram {
        private final Gram gram;
        private final List<double[]> y;
        private final double[] w;

        Deflated(Gram gram, List<double[]> y) {
            this.gram = gram;
            this.y = List.copyOf(y);
            this.w = new double[gram.dimension()];
        }

        @Override public int dimension() { return gram.dimension(); }

        @Override
        public void apply(double[] v, double[] out) {
            System.arraycopy(v, 0, w, 0, v.length);
            project(w);
            gram.apply(w, out);
            project(out);
        }

        private void project(double[] v) {
            for (double[] q : y) axpy(-dot(q, v), q, v);
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0.0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += a * x[i];
    }

    private static String arpackMessage(String routine, int info, int[] iparam) {
        if (info == 1) return "ARPACK reached " + iparam[2] + " restarts; " + iparam[4] + " values converged";
        if (info == 3) return "ARPACK found no shifts to apply; try a larger --top";
        return "ARPACK " + routine + " failed with info = " + info;
    }
}
