"""Golden cases of `tconv deconvolve`, written under src/test/resources/golden/deconvolve/.

    /usr/bin/python3 src/test/python/make_deconvolve_goldens.py

Needs Debian's python3-skimage (0.19), python3-scipy (1.10), python3-numpy, python3-torch and python3-pil; the
build and tests need none of them (the outputs are committed). Deterministic (fixed seeds).

Each case is a folder with its input (input.npy or input.png), its PSF (psf.npy) or layer (weights.npy, bias.npy),
and expected.npy; cases.json lists them with the options and the residual ||T x - y|| / ||y|| of the expected x.

- richardson-lucy: exactly skimage.restoration.richardson_lucy(y, psf, num_iter=K, clip=False) on float64 values
  as stored, each channel of each item on its own.
- lsqr with --psf: scipy.sparse.linalg.lsqr(T, y.ravel(), damp=L, atol=0, btol=0, conlim=0, iter_lim=K)[0],
  T the dense matrix of scipy.signal.convolve(x, psf, mode="same") per channel, built from unit vectors.
- lsqr with --weights: the same lsqr on T of torch.nn.functional.conv2d (stride, groups, reflect padding),
  built from unit vectors; the input is the layer's output with its bias, which the solve subtracts first.
- same/: T v checks: x, psf and scipy.signal.convolve(x, psf, mode="same", method="direct").
"""
import json
import os

import numpy as np
import scipy
import scipy.signal
import scipy.sparse.linalg
import skimage
import skimage.restoration
import torch
import torch.nn.functional as F
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "deconvolve")
rng = np.random.default_rng(20261208)
cases = []


def save(case, name, a):
    d = os.path.join(OUT, case)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, name), a)


def same_matrix(shape, psf):
    """Dense T of scipy.signal.convolve(x, psf, mode='same') on one channel of `shape`, column j = T e_j."""
    n = int(np.prod(shape))
    t = np.zeros((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1.0
        t[:, j] = scipy.signal.convolve(e.reshape(shape), psf, mode="same", method="direct").ravel()
    return t


def psf_of(shape):
    p = rng.uniform(0.05, 1.0, size=shape)
    return p / p.sum()


def blurred(shape, psf):
    """A positive image blurred by psf (per leading channel/item axis), plus Poisson noise: what RL is for."""
    lead = shape[: len(shape) - psf.ndim]
    x = rng.uniform(5.0, 50.0, size=shape)
    y = np.empty(shape)
    for idx in np.ndindex(*lead):
        y[idx] = scipy.signal.convolve(x[idx], psf, mode="same", method="direct")
    return rng.poisson(y).astype(np.float64) + 0.5


def rl_case(name, shape, psf_shape, iters, png=False):
    psf = psf_of(psf_shape)
    y = blurred(shape, psf)
    if png:
        y = np.clip(np.round(y * 4), 0, 255).astype(np.uint8)  # (3, H, W) as stored in the file
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        Image.fromarray(np.moveaxis(y, 0, -1), "RGB").save(os.path.join(d, "input.png"))
        y = y.astype(np.float64)
    else:
        save(name, "input.npy", y)
    lead = shape[: len(shape) - psf.ndim]
    x = np.empty(y.shape)
    res = []
    for idx in np.ndindex(*lead):
        x[idx] = skimage.restoration.richardson_lucy(y[idx], psf, num_iter=iters, clip=False)
    # residual per item (channels of one item together), as tconv reports it
    items = y.shape[0] if len(lead) == 2 else 1
    yi = y.reshape(items, -1) if len(lead) == 2 else y.reshape(1, -1)
    tx = np.empty(y.shape)
    for idx in np.ndindex(*lead):
        tx[idx] = scipy.signal.convolve(x[idx], psf, mode="same", method="direct")
    txi = tx.reshape(yi.shape)
    res = [float(np.linalg.norm(txi[i] - yi[i]) / np.linalg.norm(yi[i])) for i in range(items)]
    save(name, "psf.npy", psf)
    save(name, "expected.npy", x)
    cases.append(dict(name=name, algorithm="richardson-lucy", input="input.png" if png else "input.npy",
                      psf="psf.npy", iterations=iters, damp=0.0, residuals=res))


def lsqr(t, y, damp, iters):
    return scipy.sparse.linalg.lsqr(t, y.ravel(), damp=damp, atol=0, btol=0, conlim=0, iter_lim=iters)[0]


def lsqr_psf_case(name, shape, psf_shape, iters, damp):
    psf = psf_of(psf_shape)
    y = blurred(shape, psf)
    lead = shape[: len(shape) - psf.ndim]
    t = same_matrix(shape[len(lead):], psf)
    x = np.empty(shape)
    for idx in np.ndindex(*lead):
        x[idx] = lsqr(t, y[idx], damp, iters).reshape(shape[len(lead):])
    tx = np.empty(shape)
    for idx in np.ndindex(*lead):
        tx[idx] = (t @ x[idx].ravel()).reshape(shape[len(lead):])
    res = [float(np.linalg.norm(tx - y) / np.linalg.norm(y))]
    save(name, "input.npy", y)
    save(name, "psf.npy", psf)
    save(name, "expected.npy", x)
    cases.append(dict(name=name, algorithm="lsqr", input="input.npy", psf="psf.npy", iterations=iters, damp=damp,
                      residuals=res))


def lsqr_layer_case(name, in_shape, weight_shape, stride, padding, groups, mode, iters, damp):
    w = torch.tensor(rng.normal(size=weight_shape))
    b = torch.tensor(rng.normal(size=weight_shape[0]))

    def layer(x):
        xt = torch.tensor(x.reshape((1,) + in_shape))
        if mode != "zeros":
            xt = F.pad(xt, (padding, padding, padding, padding), mode=mode)
            return F.conv2d(xt, w, None, stride=stride, groups=groups)[0].numpy()
        return F.conv2d(xt, w, None, stride=stride, padding=padding, groups=groups)[0].numpy()

    n = int(np.prod(in_shape))
    cols = []
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1.0
        cols.append(layer(e).ravel())
    t = np.stack(cols, axis=1)
    out_shape = layer(np.zeros(n)).shape
    x_true = rng.uniform(-1, 1, size=in_shape)
    y = (t @ x_true.ravel()).reshape(out_shape) + b.numpy()[:, None, None] + 0.01 * rng.normal(size=out_shape)
    x = lsqr(t, y - b.numpy()[:, None, None], damp, iters).reshape(in_shape)
    yb = (y - b.numpy()[:, None, None]).ravel()
    res = [float(np.linalg.norm(t @ x.ravel() - yb) / np.linalg.norm(yb))]
    save(name, "input.npy", y)
    save(name, "weights.npy", w.numpy())
    save(name, "bias.npy", b.numpy())
    save(name, "expected.npy", x)
    cases.append(dict(name=name, algorithm="lsqr", input="input.npy", weights="weights.npy", bias="bias.npy",
                      input_shape=list(in_shape), stride=stride, padding=padding, groups=groups, padding_mode=mode,
                      iterations=iters, damp=damp, residuals=res))


def same_case(name, shape, psf_shape):
    psf = rng.normal(size=psf_shape)  # any sign: T v is checked, not a solve
    x = rng.normal(size=shape)
    save(os.path.join("same", name), "x.npy", x)
    save(os.path.join("same", name), "psf.npy", psf)
    save(os.path.join("same", name), "expected.npy", scipy.signal.convolve(x, psf, mode="same", method="direct"))


def main():
    print("skimage", skimage.__version__, "scipy", scipy.__version__, "numpy", np.__version__, "torch", torch.__version__)
    rl_case("rl_1d", (40,), (5,), 10)
    rl_case("rl_1d_even_channels", (2, 33), (4,), 12)
    rl_case("rl_2d_odd", (24, 20), (3, 5), 8)
    rl_case("rl_2d_even", (24, 20), (4, 6), 8)
    rl_case("rl_rgb", (3, 16, 20), (3, 3), 6, png=True)
    rl_case("rl_3d", (8, 10, 12), (3, 2, 3), 5)
    rl_case("rl_batch", (2, 2, 12, 14), (3, 4), 6)
    lsqr_psf_case("lsqr_psf_2d", (14, 12), (5, 4), 15, 0.0)
    lsqr_psf_case("lsqr_psf_2d_damp", (14, 12), (3, 3), 15, 0.5)
    lsqr_psf_case("lsqr_psf_1d_damp", (30,), (6,), 10, 0.2)
    lsqr_layer_case("lsqr_layer", (4, 9, 10), (6, 2, 3, 3), 2, 1, 2, "reflect", 20, 0.0)
    lsqr_layer_case("lsqr_layer_damp", (4, 9, 10), (6, 2, 3, 3), 2, 1, 2, "reflect", 20, 0.1)
    lsqr_layer_case("lsqr_layer_zeros", (2, 8, 8), (3, 2, 2, 3), 1, 1, 1, "zeros", 12, 0.0)
    same_case("odd_1d", (11,), (5,))
    same_case("even_1d", (11,), (4,))
    same_case("odd_2d", (9, 8), (3, 5))
    same_case("even_2d", (9, 8), (4, 2))
    same_case("mixed_3d", (5, 6, 7), (2, 3, 4))
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(dict(skimage=skimage.__version__, scipy=scipy.__version__, cases=cases), f, indent=1)


if __name__ == "__main__":
    main()
