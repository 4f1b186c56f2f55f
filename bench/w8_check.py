#!/usr/bin/python3
"""W8's outputs checked against each other: for the first N photos, the OpenCV peer's result
(bench/opencv_files.py's convolve on cv2.imread's pixels), the PyTorch peer's (bench/pytorch_photos.py's
convolve on PIL's pixels) and tconv's .npy in TCONV_OUT (bin/tconv run --format npy): same shape, and the
largest difference relative to the largest |value|, pairwise. The decoders are compared too: cv2.imread
and PIL both use libjpeg-turbo but may upsample chroma differently, so the pixels that differ are counted.
`bin/tconv bench --workload W8 --check` runs it; needs python3-opencv, -pil, -torch, -numpy.

  /usr/bin/python3 bench/w8_check.py W8_DIR TCONV_OUT DTYPE [N=5]
"""
import glob
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opencv_files  # noqa: E402
import pytorch_photos  # noqa: E402

w8, tconv_out, dt = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 5
dtype = np.float32 if dt == "f32" else np.float64
weights, bias = np.load(os.path.join(w8, "weights.npy")), np.load(os.path.join(w8, "bias.npy"))
tw, tb = torch.from_numpy(weights.astype(dtype)), torch.from_numpy(bias.astype(dtype))


def rel(a, b):
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max() / np.abs(b.astype(np.float64)).max())


worst = {"opencv vs pytorch": 0.0, "tconv vs pytorch": 0.0, "tconv vs opencv": 0.0}
px_diff = px_total = px_max = 0
for path in sorted(glob.glob(os.path.join(w8, "photos", "*.jpg")))[:n]:
    name = os.path.splitext(os.path.basename(path))[0]
    cv = opencv_files.read(path)                       # (H, W, 3) RGB
    pil = pytorch_photos.read(path)                    # (3, H, W)
    d = np.abs(cv.transpose(2, 0, 1).astype(int) - pil.astype(int))
    px_diff += int((d > 0).sum()); px_total += d.size; px_max = max(px_max, int(d.max()))
    y_cv = opencv_files.convolve(np.ascontiguousarray(cv), weights.astype(dtype), bias.astype(dtype), dtype)
    y_pt = pytorch_photos.convolve(torch.from_numpy(pil).to(tw.dtype), tw, tb)
    y_pt_cvpix = pytorch_photos.convolve(torch.from_numpy(np.ascontiguousarray(cv.transpose(2, 0, 1))).to(tw.dtype), tw, tb)
    y_t = np.load(os.path.join(tconv_out, name + ".npy"))
    assert y_t.shape == y_pt.shape == y_cv.shape, (name, y_t.shape, y_pt.shape, y_cv.shape)
    assert y_t.dtype == dtype, (name, y_t.dtype)
    worst["opencv vs pytorch"] = max(worst["opencv vs pytorch"], rel(y_cv, y_pt_cvpix))
    worst["tconv vs pytorch"] = max(worst["tconv vs pytorch"], rel(y_t, y_pt))
    worst["tconv vs opencv"] = max(worst["tconv vs opencv"], rel(y_t, y_cv))
print("check %s on %d photo(s): shapes equal; decoders: %d of %d samples differ between cv2.imread and PIL (largest by %d)"
      % (dt, n, px_diff, px_total, px_max))
print("  opencv vs pytorch on the same (cv2) pixels: max relative difference %.2e" % worst["opencv vs pytorch"])
print("  tconv vs pytorch (both PIL's pixels): %.2e" % worst["tconv vs pytorch"])
print("  tconv vs opencv (each its own decoder): %.2e" % worst["tconv vs opencv"])
