package org.tconv.deconvolve;

import java.io.Serializable;
import java.util.Arrays;

import org.tconv.conv.IntTuple;
import org.tconv.read.NpyArray;

/**
 * A point-spread function as {@code scipy.signal.convolve(x, psf, mode="same")} takes it: rank 1, 2 or 3,
 * C order. Its rank picks how many trailing axes of an input it blurs; every value is finite.
 */
public final class Psf implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] shape;
    private final double[] values;

    /** @throws IllegalArgumentException (one line) for a rank other than 1-3, a NaN or Inf, or an all-zero PSF */
    public Psf(int[] shape, double[] values) {
        if (shape.length < 1 || shape.length > 3) {
            throw new IllegalArgumentException("--psf must have rank 1 (k), 2 (kH, kW) or 3 (kD, kH, kW), got shape ("
                    + IntTuple.format(shape) + ")");
        }
        long n = 1;
        for (int d : shape) {
            if (d < 1) throw new IllegalArgumentException("--psf of shape (" + IntTuple.format(shape) + ") is empty");
            n *= d;
        }
        if (n != values.length) throw new IllegalArgumentException("--psf holds " + values.length + " values, shape needs " + n);
        boolean nonZero = false;
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("--psf has " + values[i] + " at flat index " + i + ": every value must be finite");
            }
            nonZero |= values[i] != 0.0;
        }
        if (!nonZero) throw new IllegalArgumentException("--psf is all zeros: it blurs every image to 0");
        this.shape = shape.clone();
        this.values = values.clone();
    }

    /**
     * Reads {@code --psf} (an .npy of any float or int dtype, any Hadoop path).
     *
     * @throws IllegalArgumentException with a one-line message naming the file and the problem
     */
    public static Psf load(String path, org.apache.hadoop.conf.Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        NpyArray a;
        try (java.io.InputStream in = p.getFileSystem(conf).open(p)) {
            a = NpyArray.read(in);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("psf file " + path + " does not exist");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("psf file " + path + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("psf file " + path + ": " + e.getMessage());
        }
        return new Psf(a.shape, a.data);
    }

    public int rank() { return shape.length; }

    public int[] shape() { return shape.clone(); }

    public double[] values() { return values.clone(); }

    /** Richardson-Lucy keeps x positive only with a non-negative PSF: the first negative value, else null. */
    public String negativeEntry() {
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0) return "--psf has " + values[i] + " at flat index " + i + ": richardson-lucy needs a non-negative PSF";
        }
        return null;
    }

    /** {@code np.flip(psf)}: every axis reversed, the PSF scikit-image's second convolution uses. */
    public Psf mirrored() {
        double[] m = new double[values.length];
        for (int i = 0; i < values.length; i++) m[values.length - 1 - i] = values[i];
        return new Psf(shape, m);
    }

    /**
     * Why the PSF cannot blur an item of {@code spatial} sizes (its last {@link #rank()} axes), else null:
     * a PSF larger than the image on some axis.
     */
    public String tooLargeFor(int[] spatial) {
        for (int a = 0; a < shape.length; a++) {
            if (shape[a] > spatial[a]) {
                return "PSF (" + IntTuple.format(shape) + ") is larger than the image (" + IntTuple.format(spatial) + ")";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "psf (" + IntTuple.format(shape) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Psf && Arrays.equals(shape, ((Psf) o).shape) && Arrays.equals(values, ((Psf) o).values);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values); }
}
