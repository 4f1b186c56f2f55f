package org.tconv.deconvolve;

import org.tconv.operator.LinearMap;

/**
 * Paige and Saunders' LSQR for min ||T x - y||^2 + damp^2 ||x||^2 from x = 0, step for step as
 * {@code scipy.sparse.linalg.lsqr(T, y, damp=damp, atol=0, btol=0, conlim=0, iter_lim=K)} (scipy 1.10), using
 * only T v and T^T u. With atol = btol = conlim = 0 the tolerance rules never fire, but scipy's machine-precision
 * rules still do (istop 4, 5, 6), and an exact solution stops it (istop 1, 2): they are kept, so the iteration
 * count and x match scipy's.
 */
public final class Lsqr {
    private static final double MACHINE_EPS = Math.ulp(1.0);
    private static final String[] STOPS = {
        "the exact solution is x = 0",
        "T x - y is small enough, given atol, btol",
        "the least-squares solution is good enough, given atol",
        "the estimate of cond(T) has exceeded conlim",
        "T x - y is small enough for this machine",
        "the least-squares solution is good enough for this machine",
        "cond(T) seems to be too large for this machine",
        "iteration limit",
    };

    private final LinearMap t;
    private final double damp;

    public Lsqr(LinearMap t, double damp) {
        if (!(damp >= 0) || Double.isInfinite(damp)) throw new IllegalArgumentException("damp must be finite and >= 0, got " + damp);
        this.t = t;
        this.damp = damp;
    }

    public Solution solve(double[] b, int iterLim) {
        int m = t.rows(), n = t.cols();
        if (b.length != m) throw new IllegalArgumentException("y has " + b.length + " values, T has " + m + " rows");
        final double atol = 0, btol = 0, ctol = 0; // conlim = 0: ctol stays 0
        double anorm = 0, acond = 0, dampsq = damp * damp, ddnorm = 0, res2 = 0, xnorm, xxnorm = 0, z = 0;
        double cs2 = -1, sn2 = 0;
        double[] u = b.clone(), v = new double[n], x = new double[n], w, scratchM = new double[m], scratchN = new double[n];
        double bnorm = norm(b), beta = bnorm, alfa;
        if (beta > 0) {
            scale(u, 1 / beta);
            t.applyAdjoint(u, v);
            alfa = norm(v);
        } else {
            alfa = 0;
        }
        if (alfa > 0) scale(v, 1 / alfa);
        w = v.clone();
        double rhobar = alfa, phibar = beta;
        if (alfa * beta == 0) return new Solution(x, 0, STOPS[0], null);

        int itn = 0, istop = 0;
        while (itn < iterLim) {
            itn++;
            // u = T v - alfa u
            t.apply(v, scratchM);
            for (int i = 0; i < m; i++) u[i] = scratchM[i] - alfa * u[i];
            beta = norm(u);
            if (beta > 0) {
                scale(u, 1 / beta);
                anorm = Math.sqrt(anorm * anorm + alfa * alfa + beta * beta + dampsq);
                // v = T^T u - beta v
                t.applyAdjoint(u, scratchN);
                for (int i = 0; i < n; i++) v[i] = scratchN[i] - beta * v[i];
                alfa = norm(v);
                if (alfa > 0) scale(v, 1 / alfa);
            }
            double rhobar1, psi;
            if (damp > 0) {
                rhobar1 = Math.sqrt(rhobar * rhobar + dampsq);
                double cs1 = rhobar / rhobar1, sn1 = damp / rhobar1;
                psi = sn1 * phibar;
                phibar = cs1 * phibar;
            } else {
                rhobar1 = rhobar;
                psi = 0;
            }
            double[] csr = symOrtho(rhobar1, beta);
            double cs = csr[0], sn = csr[1], rho = csr[2];
            double theta = sn * alfa;
            rhobar = -cs * alfa;
            double phi = cs * phibar;
            phibar = sn * phibar;
            double tau = sn * phi;
            double t1 = phi / rho, t2 = -theta / rho;
            double dkNorm2 = 0;
            for (int i = 0; i < n; i++) {
                double dk = (1 / rho) * w[i];
                dkNorm2 += dk * dk;
                x[i] = x[i] + t1 * w[i];
                w[i] = v[i] + t2 * w[i];
            }
            ddnorm = ddnorm + dkNorm2;
            double delta = sn2 * rho, gambar = -cs2 * rho, rhs = phi - delta * z, zbar = rhs / gambar;
            xnorm = Math.sqrt(xxnorm + zbar * zbar);
            double gamma = Math.sqrt(gambar * gambar + theta * theta);
            cs2 = gambar / gamma;
            sn2 = theta / gamma;
            z = rhs / gamma;
            xxnorm = xxnorm + z * z;
            acond = anorm * Math.sqrt(ddnorm);
            double res1 = phibar * phibar;
            res2 = res2 + psi * psi;
            double rnorm = Math.sqrt(res1 + res2), arnorm = alfa * Math.abs(tau);
            double test1 = rnorm / bnorm, test2 = arnorm / (anorm * rnorm + MACHINE_EPS), test3 = 1 / (acond + MACHINE_EPS);
            double tt1 = test1 / (1 + anorm * xnorm / bnorm), rtol = btol + atol * anorm * xnorm / bnorm;
            // scipy's order: a later rule overrides an earlier one
            if (itn >= iterLim) istop = 7;
            if (1 + test3 <= 1) istop = 6;
            if (1 + test2 <= 1) istop = 5;
            if (1 + tt1 <= 1) istop = 4;
            if (test3 <= ctol) istop = 3;
            if (test2 <= atol) istop = 2;
            if (test1 <= rtol) istop = 1;
            String bad = Solution.nonFinite(x, "lsqr iteration " + itn);
            if (bad != null) return new Solution(x, itn, "non-finite", bad);
            if (istop != 0) break;
        }
        return new Solution(x, itn, STOPS[istop], null);
    }

    /** scipy's {@code _sym_ortho}: a stable Givens rotation (c, s, r) with [c s; -s c] [a; b] = [r; 0]. */
    static double[] symOrtho(double a, double b) {
        if (b == 0) return new double[] {Math.signum(a), 0, Math.abs(a)};
        if (a == 0) return new double[] {0, Math.signum(b), Math.abs(b)};
        if (Math.abs(b) > Math.abs(a)) {
            double tau = a / b, s = Math.signum(b) / Math.sqrt(1 + tau * tau), c = s * tau;
            return new double[] {c, s, b / s};
        }
        double tau = b / a, c = Math.signum(a) / Math.sqrt(1 + tau * tau), s = c * tau;
        return new double[] {c, s, a / c};
    }

    static double norm(double[] v) {
        double s = 0;
        for (double e : v) s += e * e;
        return Math.sqrt(s);
    }

    private static void scale(double[] v, double f) {
        for (int i = 0; i < v.length; i++) v[i] = f * v[i];
    }
}
