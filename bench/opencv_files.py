#!/usr/bin/python3
"""W8's OpenCV peer: a folder of JPEGs convolved file to file as a user of OpenCV writes it.
cv2.imread each photo (BGR -> RGB, values 0..255), filter2D per (output, input) channel pair, zero
padding 1 (BORDER_CONSTANT; filter2D correlates, as PyTorch's conv2d does), summed, plus the bias,
np.save as (C_out, H, W) into OUT/<name>.npy; multiprocessing.Pool(WORKERS), each worker one OpenCV thread.
Prints "seconds: S" (pool start to the last file saved), the figure `bin/tconv bench --peers` reads, and
with --csv appends a row in the bench's W8 CSV format. Needs Debian's python3-opencv and python3-numpy;
nothing in the build uses this script.

  /usr/bin/python3 bench/opencv_files.py W8_DIR OUT [--dtype f32|f64] [--workers 2] [--csv CSV]
W8_DIR holds photos/*.jpg, weights.npy and bias.npy (bin/tconv bench --workload W8 makes it).
"""
import argparse
import glob
import os
import time
from multiprocessing import Pool

import cv2
import numpy as np

_w = _b = _out = _dtype = None


def _init(weights, bias, out, dtype):
    global _w, _b, _out, _dtype
    cv2.setNumThreads(1)
    _w, _b, _out, _dtype = weights.astype(dtype), bias.astype(dtype), out, dtype


def convolve(img, w, b, dtype):
    """img (H, W, C) uint8 RGB -> (C_out, H, W): filter2D per channel pair, summed, plus the bias."""
    x = img.astype(dtype)
    c_out, c_in = w.shape[:2]
    y = np.empty((c_out, x.shape[0], x.shape[1]), dtype=dtype)
    for o in range(c_out):
        acc = np.full(x.shape[:2], b[o], dtype=dtype)
        for i in range(c_in):
            acc += cv2.filter2D(x[:, :, i], -1, w[o, i], borderType=cv2.BORDER_CONSTANT)
        y[o] = acc
    return y


def read(path):
    return cv2.imread(path, cv2.IMREAD_COLOR)[:, :, ::-1]  # BGR -> RGB, tconv's and PIL's channel order


def one(path):
    y = convolve(read(path), _w, _b, _dtype)
    np.save(os.path.join(_out, os.path.splitext(os.path.basename(path))[0] + ".npy"), y)
    return y.shape[1] * y.shape[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("w8")
    ap.add_argument("out")
    ap.add_argument("--dtype", default="f64", choices=["f32", "f64"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--csv")
    a = ap.parse_args()
    dtype = np.float32 if a.dtype == "f32" else np.float64
    files = sorted(glob.glob(os.path.join(a.w8, "photos", "*.jpg")))
    weights, bias = np.load(os.path.join(a.w8, "weights.npy")), np.load(os.path.join(a.w8, "bias.npy"))
    os.makedirs(a.out)
    t0 = time.perf_counter()
    with Pool(a.workers, _init, (weights, bias, a.out, dtype)) as pool:
        pixels = sum(pool.map(one, files, chunksize=4))
    s = time.perf_counter() - t0
    flops = 2.0 * weights.size * pixels
    print("files: %d, Mpixel: %.1f" % (len(files), pixels / 1e6))
    print("seconds: %.4f" % s)
    if a.csv:
        new = not os.path.exists(a.csv)
        with open(a.csv, "a") as f:
            if new:
                f.write("workload,method,dtype,format,images,images_per_s,gflops,end_to_end_s,wall_s\n")
            f.write("W8,opencv,%s,npy,%d,%.6g,%.6g,%.6g,\n" % (a.dtype, len(files), len(files) / s, flops / s / 1e9, s))


if __name__ == "__main__":
    main()
