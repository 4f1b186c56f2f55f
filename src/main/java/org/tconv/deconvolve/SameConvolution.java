package org.tconv.deconvolve;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.Padding;
import org.tconv.operator.LinearMap;
import org.tconv.verify.DirectMap;

/**
 * T of {@code scipy.signal.convolve(x, psf, mode="same")} on one channel, built by tconv's one generator:
 * a true convolution is a cross-correlation with the flipped PSF, and scipy's window starts at
 * {@code (k - 1) // 2} of the full convolution, which is {@code ceil((k - 1) / 2)} samples of zero padding
 * before. PyTorch's {@code padding="same"} puts the odd sample after instead, so on each axis of even size the
 * flipped PSF gets one zero tap appended: an odd kernel of k + 1 taps whose {@code same} padding, k / 2 on
 * both sides, reads exactly scipy's window (the appended tap always multiplies 0 of the result).
 */
public final class SameConvolution {
    private SameConvolution() {}

    /** The 1-channel convolution spec (1, 1, k...) of the flipped, odd-extended PSF, padding {@code same}, zeros. */
    public static ConvSpec spec(Psf psf) {
        int[] k = psf.shape();
        int r = k.length;
        int[] odd = new int[r];
        for (int a = 0; a < r; a++) odd[a] = k[a] % 2 == 0 ? k[a] + 1 : k[a];
        int[] k3 = three(k, r), o3 = three(odd, r);
        double[] v = psf.values();
        double[] w = new double[o3[0] * o3[1] * o3[2]];
        for (int i = 0; i < k3[0]; i++) {
            for (int j = 0; j < k3[1]; j++) {
                for (int l = 0; l < k3[2]; l++) {
                    int fi = k3[0] - 1 - i, fj = k3[1] - 1 - j, fl = k3[2] - 1 - l; // flipped; the extra tap stays 0
                    w[(fi * o3[1] + fj) * o3[2] + fl] = v[(i * k3[1] + j) * k3[2] + l];
                }
            }
        }
        int[] ws = new int[r + 2];
        ws[0] = ws[1] = 1;
        System.arraycopy(odd, 0, ws, 2, r);
        return ConvSpec.builder(ws, w).padding(Padding.same()).build();
    }

    /** The geometry of {@link #spec} on one channel of {@code spatial} sizes (the PSF's rank of them). */
    public static ConvGeometry geometry(Psf psf, int[] spatial) {
        int[] item = new int[spatial.length + 1];
        item[0] = 1;
        System.arraycopy(spatial, 0, item, 1, spatial.length);
        return spec(psf).geometry(item);
    }

    /** T v and T^T u by the toeplitz line product ({@link ToeplitzProducts}). */
    public static LinearMap toeplitz(Psf psf, int[] spatial) {
        return new ToeplitzProducts(geometry(psf, spatial));
    }

    /** The same map from the direct loops over the PSF, never from T: the reference of {@code --verify}. */
    public static LinearMap direct(Psf psf, int[] spatial) {
        return new DirectMap(geometry(psf, spatial));
    }

    private static int[] three(int[] k, int r) {
        int[] t = {1, 1, 1};
        System.arraycopy(k, 0, t, 3 - r, r);
        return t;
    }
}
