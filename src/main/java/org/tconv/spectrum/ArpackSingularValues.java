package org.tconv.spectrum;

import java.util.Arrays;

import org.netlib.util.doubleW;
import org.netlib.util.intW;
import org.tconv.operator.LinearMap;

import dev.ludovic.netlib.arpack.ARPACK;

/**
 * The K largest singular values of a {@link LinearMap}, as the square roots of the K largest eigenvalues of
 * the smaller Gram matrix (T^T T when T has no more columns than rows, else T T^T), found by ARPACK's implicitly
 * restarted Lanczos (dsaupd/dseupd) driven by reverse communication, as MLlib's
 * {@code EigenValueDecomposition.symmetricEigs} drives it. The Gram matrix is never formed: each request is
 * answered with one T product and one T^T product.
 *
 * <p>Repeated singular values (a circular convolution has many) need room: a Lanczos basis of
 * {@code ncv = max(2K + 20, 40)} vectors (capped at the dimension) and a tolerance near machine precision,
 * so each copy of a repeated value converges separately instead of one Ritz value standing for all of them.
 */
public final class ArpackSingularValues {
    /**
     * ARPACK's convergence test: a Ritz value theta is accepted when its residual is below tol * theta, which bounds
     * the eigenvalue's error by tol * theta and so each singular value's by tol / 2 relative: 1e-10 is 20 times inside
     * the 1e-9 promised. 1e-14 gave the same golden results but made the large shapes, whose top values cluster,
     * run for tens of minutes.
     */
    static final double TOLERANCE = 1e-10;
    private static final int MAX_RESTARTS = 10_000;

    private ArpackSingularValues() {}

    /** The values, descending, and how much work ARPACK did: restarts and Gram products (each one T and one T^T product). */
    public record Result(double[] values, int restarts, int gramProducts) {}

    /** Bytes ARPACK needs for K values of a map whose Gram matrix has dimension n (the Lanczos basis dominates). */
    public static long workBytes(int n, int k) {
        long ncv = lanczosVectors(n, k);
        return Double.BYTES * (n * (ncv + 6) + ncv * (ncv + 8));
    }

    static int lanczosVectors(int n, int k) {
        return Math.min(n, Math.max(2 * k + 20, 40));
    }

    /** The largest {@code k} singular values, descending; {@code k} must be below min(rows, cols). */
    public static Result top(LinearMap t, int k) {
        boolean gramOfColumns = t.cols() <= t.rows();
        int n = gramOfColumns ? t.cols() : t.rows();
        if (k < 1 || k >= n) {
            throw new IllegalArgumentException("--top must be between 1 and " + (n - 1)
                    + " (ARPACK finds fewer values than the smaller side of T, " + n + "), got " + k);
        }
        double[] middle = new double[gramOfColumns ? t.rows() : t.cols()];
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
            if (gramOfColumns) {
                t.apply(in, middle);
                t.applyAdjoint(middle, out);
            } else {
                t.applyAdjoint(in, middle);
                t.apply(middle, out);
            }
            System.arraycopy(out, 0, workd, ipntr[1] - 1, n);
            products++;
        }
        if (info.val != 0) throw new IllegalStateException(arpackMessage("dsaupd", info.val, iparam));
        double[] d = new double[k];
        double[] z = new double[n * k];
        arpack.dseupd(false, "A", new boolean[ncv], d, z, n, 0.0, "I", n, "LM", nev, tol.val, resid, ncv, v, n,
                iparam, ipntr, workd, workl, workl.length, info);
        if (info.val != 0) throw new IllegalStateException(arpackMessage("dseupd", info.val, iparam));
        int converged = iparam[4];
        if (converged < k) {
            throw new IllegalStateException("ARPACK converged on " + converged + " of " + k + " values");
        }
        double[] sigma = new double[k];
        for (int i = 0; i < k; i++) sigma[i] = Math.sqrt(Math.max(0.0, d[i]));
        Arrays.sort(sigma);
        for (int i = 0; i < k / 2; i++) {
            double tmp = sigma[i];
            sigma[i] = sigma[k - 1 - i];
            sigma[k - 1 - i] = tmp;
        }
        return new Result(sigma, iparam[2], products);
    }

    private static String arpackMessage(String routine, int info, int[] iparam) {
        if (info == 1) return "ARPACK reached " + iparam[2] + " restarts; " + iparam[4] + " values converged";
        if (info == 3) return "ARPACK found no shifts to apply; try a larger --top";
        return "ARPACK " + routine + " failed with info = " + info;
    }
}
