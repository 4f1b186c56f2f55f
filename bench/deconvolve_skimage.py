#!/usr/bin/python3
"""W9 of issue 20, the scikit-image side and its data.

  /usr/bin/python3 bench/deconvolve_skimage.py make DIR [N=24] [PSF=5]
      N blurred 512x512 gray photos DIR/in/NNN.npy (float64; random crops of data/images, converted to gray,
      blurred by a PSFxPSF Gaussian of sigma PSF/5 with scipy.signal.convolve(mode="same"), plus Poisson noise),
      and the PSF as DIR/psf.npy.
  /usr/bin/python3 bench/deconvolve_skimage.py run DIR OUT [ITERATIONS=20] [PROCESSES=2]
      skimage.restoration.richardson_lucy(y, psf, num_iter=ITERATIONS, clip=False) on every DIR/in/*.npy in a
      multiprocessing Pool(PROCESSES), each result to OUT/<name>.npy; prints "seconds: S" (the pool's time).

Needs Debian's python3-skimage, -scipy, -numpy and -pil; nothing in the build uses this script.
"""
import glob
import os
import sys
import time
from multiprocessing import Pool

import numpy as np


def make(d, n, k):
    import scipy.signal
    from PIL import Image
    home = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    photos = [np.asarray(Image.open(os.path.join(home, "data/images", f)).convert("L"), dtype=np.float64)
              for f in ("astronaut.png", "chelsea.png", "coffee.jpg")]
    rng = np.random.default_rng(9)
    g = np.exp(-0.5 * (np.arange(k) - (k - 1) / 2) ** 2 / (k / 5) ** 2)
    psf = np.outer(g, g)
    psf /= psf.sum()
    os.makedirs(os.path.join(d, "in"), exist_ok=True)
    np.save(os.path.join(d, "psf.npy"), psf)
    for i in range(n):
        p = photos[i % len(photos)]
        y0, x0 = rng.integers(0, p.shape[0] - 280 + 1), rng.integers(0, p.shape[1] - 280 + 1)
        crop = np.asarray(Image.fromarray(p[y0:y0 + 280, x0:x0 + 280]).resize((512, 512)), dtype=np.float64)
        blurred = np.clip(scipy.signal.convolve(crop, psf, mode="same"), 0, None)
        np.save(os.path.join(d, "in", "%03d.npy" % i), rng.poisson(blurred).astype(np.float64))


def one(args):
    from skimage.restoration import richardson_lucy
    path, psf, out, k = args
    x = richardson_lucy(np.load(path), psf, num_iter=k, clip=False)
    np.save(os.path.join(out, os.path.basename(path)), x)


def run(d, out, k, processes):
    psf = np.load(os.path.join(d, "psf.npy"))
    files = sorted(glob.glob(os.path.join(d, "in", "*.npy")))
    os.makedirs(out, exist_ok=True)
    with Pool(processes) as pool:
        pool.map(one, [(files[0], psf, out, 1)])  # workers started and skimage imported before the clock
        t = time.time()
        pool.map(one, [(f, psf, out, k) for f in files], chunksize=1)
        print("seconds: %.3f" % (time.time() - t))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 24, int(sys.argv[4]) if len(sys.argv) > 4 else 5)
    else:
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 20, int(sys.argv[5]) if len(sys.argv) > 5 else 2)
