package org.tconv.deconvolve;

import java.io.Serializable;

import org.tconv.conv.ConvGeometry;
import org.tconv.conv.ConvSpec;
import org.tconv.conv.IntTuple;

/**
 * What every item is solved with: the algorithm, its iterations and damping, and T's source, either a PSF
 * (each channel on its own, T its {@code same} convolution) or a layer (all channels jointly, T the layer's
 * map on one input shape, its bias subtracted from y first). Checked whole here, so the driver refuses
 * before Spark what can never work.
 */
public final class Problem implements Serializable {
    private static final long serialVersionUID = 1L;

    public final Algorithm algorithm;
    public final int iterations;
    public final double damp;
    /** Null for a layer. */
    public final Psf psf;
    /** Null for a PSF. */
    public final ConvSpec layer;
    /** The layer's input item (C, ...): the shape of each x; null for a PSF. */
    private final int[] layerInput;

    private Problem(Algorithm algorithm, int iterations, double damp, Psf psf, ConvSpec layer, int[] layerInput) {
        if (iterations < 1) throw new IllegalArgumentException("--iterations must be at least 1, got " + iterations);
        if (!(damp >= 0) || Double.isInfinite(damp)) throw new IllegalArgumentException("--damp must be a finite number >= 0, got " + damp);
        if (damp > 0 && algorithm != Algorithm.LSQR) {
            throw new IllegalArgumentException("--damp is the damping of lsqr; richardson-lucy takes none");
        }
        this.algorithm = algorithm;
        this.iterations = iterations;
        this.damp = damp;
        this.psf = psf;
        this.layer = layer;
        this.layerInput = layerInput;
    }

    /** A PSF's problem; a negative entry is refused for richardson-lucy, which needs T >= 0 to stay positive. */
    public static Problem ofPsf(Algorithm algorithm, int iterations, double damp, Psf psf) {
        if (algorithm == Algorithm.RICHARDSON_LUCY && psf.negativeEntry() != null) throw new IllegalArgumentException(psf.negativeEntry());
        return new Problem(algorithm, iterations, damp, psf, null, null);
    }

    /** A layer's problem on input items of {@code inputShape}; lsqr only (T of a layer is neither square nor positive). */
    public static Problem ofLayer(Algorithm algorithm, int iterations, double damp, ConvSpec layer, int[] inputShape) {
        if (algorithm != Algorithm.LSQR) {
            throw new IllegalArgumentException("richardson-lucy inverts a PSF's blur (--psf); with --weights use --algorithm lsqr");
        }
        layer.geometry(inputShape); // refuses a shape the layer cannot take
        return new Problem(algorithm, iterations, damp, null, layer, inputShape.clone());
    }

    /** Axes an input's item has after its channel axis: the PSF's rank or the layer's dimension. */
    public int spatialRank() { return psf != null ? psf.rank() : layer.dims(); }

    /** The layer's geometry on {@link #layerInput}; only for a layer. */
    public ConvGeometry layerGeometry() { return layer.withoutBias().geometry(layerInput); }

    /** The shape of each solved x for an input item of {@code itemShape}: the same for a PSF, the layer's input else. */
    public int[] solutionShape(int[] itemShape) { return psf != null ? itemShape.clone() : layerInput.clone(); }

    @Override
    public String toString() {
        return algorithm + ", " + iterations + " iteration" + (iterations == 1 ? "" : "s") + (damp > 0 ? ", damp " + damp : "") + ", "
                + (psf != null ? psf.toString() : layer + " on (" + IntTuple.format(layerInput) + ")");
    }
}
