package org.tconv.spectrum;

import java.util.Arrays;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.jtransforms.fft.DoubleFFT_1D;
import org.jtransforms.fft.DoubleFFT_2D;
import org.jtransforms.fft.DoubleFFT_3D;
import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.PaddingMode;
import org.tconv.toeplitz.MemoryBudget;

/**
 * The singular values of a circular convolution by the formula of Sedghi, Gupta and Long (ICLR 2019,
 * arXiv 1805.10408): T is block-circulant, so the DFT over the input's spatial axes block-diagonalises it,
 * and its singular values are, over all frequencies f, those of the C_out x C_in matrix whose (co, ci) entry is
 * the DFT at f of the kernel (co, ci) zero-padded to the input size. Taps land at (t * dilation - padding)
 * mod n on each axis; groups make that matrix block diagonal.
 *
 * <p>Libraries rather than hand-written numerics: the DFTs are JTransforms' (any size, not only powers of
 * two as commons-math3's), which MLlib already brings through Breeze; the small complex SVDs are
 * commons-math3's real SVD of the real 2C_out x 2C_in embedding [[Re, -Im], [Im, Re]], whose singular values
 * are each of the complex matrix's twice (Breeze's and commons-math3's SVDs are real only).
 */
public final class CircularSpectrum {
    private CircularSpectrum() {}

    /** Whether the formula applies: circular padding, stride 1, output shape equal to the input shape. */
    public static boolean applies(ConvGeometry g) {
        ConvSpec s = g.spec;
        return s.paddingMode() == PaddingMode.CIRCULAR && s.strideD() == 1 && s.strideH() == 1 && s.strideW() == 1
                && sameSpatial(g);
    }

    private static boolean sameSpatial(ConvGeometry g) {
        return g.outD == g.d && g.outH == g.h && g.outW == g.w;
    }

    /** Bytes the kernel's spectra take: one complex value per (co, ci of its group, frequency). */
    public static long bytes(ConvGeometry g) {
        return 16L * g.spec.outChannels() * g.spec.inChannelsPerGroup() * g.d * g.h * g.w;
    }

    /** Every singular value of T (min(C_out, C_in) per frequency), descending. */
    public static double[] all(ConvGeometry g) {
        if (!applies(g)) throw new IllegalArgumentException("the FFT formula needs circular padding, stride 1 and an output the size of the input");
        MemoryBudget.check("the kernel's spectra for input " + Arrays.toString(g.inputShape()), bytes(g));
        ConvSpec s = g.spec;
        int n = g.d * g.h * g.w;
        int cinPG = s.inChannelsPerGroup(), cout = s.outChannels(), cin = g.c;
        int perGroup = cout / s.groups();
        double[][] spectra = new double[cout * cinPG][];
        for (int co = 0; co < cout; co++) {
            for (int cil = 0; cil < cinPG; cil++) spectra[co * cinPG + cil] = kernelDft(g, co, cil);
        }
        int m = Math.min(cout, cin);
        double[] sigma = new double[n * m];
        double[][] embed = new double[2 * cout][2 * cin];
        for (int f = 0; f < n; f++) {
            for (double[] row : embed) Arrays.fill(row, 0.0);
            for (int co = 0; co < cout; co++) {
                int ci0 = co / perGroup * cinPG;
                for (int cil = 0; cil < cinPG; cil++) {
                    double re = spectra[co * cinPG + cil][2 * f], im = spectra[co * cinPG + cil][2 * f + 1];
                    int ci = ci0 + cil;
                    embed[co][ci] = re;
                    embed[co][cin + ci] = -im;
                    embed[cout + co][ci] = im;
                    embed[cout + co][cin + ci] = re;
                }
            }
            double[] sv = new SingularValueDecomposition(new Array2DRowRealMatrix(embed, false)).getSingularValues();
            // Descending, each value twice: keep every other one.
            for (int i = 0; i < m; i++) sigma[f * m + i] = sv[2 * i];
        }
        Arrays.sort(sigma);
        for (int i = 0, j = sigma.length - 1; i < j; i++, j--) {
            double t = sigma[i];
            sigma[i] = sigma[j];
            sigma[j] = t;
        }
        return sigma;
    }

    /** The DFT of kernel (co, ci) placed circularly on the input grid, interleaved (re, im) in C order. */
    private static double[] kernelDft(ConvGeometry g, int co, int cil) {
        ConvSpec s = g.spec;
        double[] a = new double[2 * g.d * g.h * g.w];
        for (int kd = 0; kd < s.kernelDepth(); kd++) {
            int z = Math.floorMod((long) kd * s.dilationD() - s.padFront(), g.d);
            for (int ky = 0; ky < s.kernelHeight(); ky++) {
                int y = Math.floorMod((long) ky * s.dilationH() - s.padTop(), g.h);
                for (int kx = 0; kx < s.kernelWidth(); kx++) {
                    int x = Math.floorMod((long) kx * s.dilationW() - s.padLeft(), g.w);
                    a[2 * ((z * g.h + y) * g.w + x)] += s.weight(co, cil, kd, ky, kx);
                }
            }
        }
        switch (s.dims()) {
            case 3: new DoubleFFT_3D(g.d, g.h, g.w).complexForward(a); break;
            case 2: new DoubleFFT_2D(g.h, g.w).complexForward(a); break;
            default: new DoubleFFT_1D(g.w).complexForward(a); break;
        }
        return a;
    }
}
