package org.tconv.deconvolve;

import java.io.IOException;
import java.nio.file.Path;

import org.tconv.read.NpyArray;
import org.tconv.testing.TestFiles;

/** The cases src/test/python/make_deconvolve_goldens.py wrote (scikit-image 0.19, scipy 1.10, torch). */
final class Goldens {
    private Goldens() {}

    static final Path DIR = TestFiles.home().resolve("src/test/resources/golden/deconvolve");

    static NpyArray read(String caseName, String file) throws IOException {
        return TestFiles.read(DIR.resolve(caseName).resolve(file));
    }

    static Psf psf(String caseName) throws IOException {
        NpyArray p = read(caseName, "psf.npy");
        return new Psf(p.shape, p.data);
    }

    /** Largest |a - b| over the largest |b|. */
    static double relativeDifference(double[] a, double[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " and " + b.length);
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }
}
