#!/usr/bin/python3
"""OpenCV side of tconv's performance comparison: cv2.filter2D on the standard workloads W3 and W4.

A user of OpenCV writes a multi-channel convolution as one filter2D per (output, input) channel pair,
summed: that is what is timed here. filter2D computes a correlation (no kernel flip, as PyTorch and
tconv) with the anchor at the kernel's centre; zero padding is given explicitly (cv2.copyMakeBorder
with BORDER_CONSTANT, inside the timed loop, once per input channel) and the result cropped to the
valid part, so odd kernels and any padding give exactly PyTorch's conv2d (checked against
torch.nn.functional.conv2d on every workload before timing).

Data: the same tensors as bench/pytorch_bench.py (its make_data, same seeds), as NumPy arrays.
cv2.setNumThreads(--threads) (2 by default, as the other peers). Each run convolves all N images of
the workload; one warm-up run, then the median of --runs runs.

For comparison by hand only: nothing in the Java build or tests uses this script.

    /usr/bin/python3 bench/opencv_bench.py [--workload W3|W4|all] [--threads 2] [--dtype f64|f32]
        [--runs 5] [--csv PATH]

CSV columns as pytorch_bench.py (method "opencv"), so `bin/tconv bench --baseline PATH` puts it
beside tconv: workload,method,dtype,images_per_s,gflops,multiply_s,end_to_end_s,nnz,peak_heap_mb
(multiply_s and end_to_end_s both the median time of a run; nnz empty; peak_heap_mb the max RSS).
"""
import argparse
import csv
import os
import resource
import statistics
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_bench import CSV_HEADER, WORKLOADS, flops_per_image, make_data, out_size  # noqa: E402

SUPPORTED = ("W3", "W4")   # big images: where filter2D is the peer a user would reach for


def conv_opencv(x, weight, stride, pad, dtype):
    """x (N, C, H, W), weight (C_out, C, kH, kW), NumPy arrays of dtype; returns (N, C_out, oH, oW)."""
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError("odd kernels only (filter2D's anchor is the centre)")
    oh, ow = out_size(h, kh, stride, pad), out_size(w, kw, stride, pad)
    y = np.zeros((n, c_out, oh, ow), dtype=dtype)
    # filter2D keeps the size of its source: pad so that the valid part has PyTorch's size, then crop
    extra_h, extra_w = kh // 2, kw // 2
    for i in range(n):
        for ci in range(c):
            src = cv2.copyMakeBorder(x[i, ci], pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
            for co in range(c_out):
                full = cv2.filter2D(src, -1, weight[co, ci], borderType=cv2.BORDER_CONSTANT)
                y[i, co] += full[extra_h:full.shape[0] - extra_h:stride, extra_w:full.shape[1] - extra_w:stride]
    return y


def measure(wid, args):
    cv2.setNumThreads(args.threads)
    torch.set_num_threads(args.threads)
    tdtype = torch.float64 if args.dtype == "f64" else torch.float32
    ndtype = np.float64 if args.dtype == "f64" else np.float32
    n, _, _, stride, pad, _ = WORKLOADS[wid]
    xt, wt, bt = make_data(wid, tdtype)
    assert bt is None, "W3/W4 have no bias"
    x, weight = xt.numpy(), wt.numpy()

    # correctness first: OpenCV on the first image against torch conv2d in float64
    got = conv_opencv(x[:1], weight, stride, pad, ndtype).astype(np.float64)
    with torch.no_grad():
        ref = F.conv2d(xt[:1].double(), wt.double(), stride=stride, padding=pad).numpy()
    rel_err = float(np.abs(got - ref).max() / (np.abs(ref).max() or 1.0))
    limit = 1e-12 if args.dtype == "f64" else 1e-5
    if not rel_err <= limit:
        sys.exit("%s: OpenCV differs from torch conv2d by %.2e relative (limit %.0e)" % (wid, rel_err, limit))

    conv_opencv(x, weight, stride, pad, ndtype)   # warm-up
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        y = conv_opencv(x, weight, stride, pad, ndtype)
        times.append(time.perf_counter() - t0)
        del y
    med = statistics.median(times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return dict(workload=wid, n=n, med=med, tmin=min(times), tmax=max(times), ips=n / med,
                gflops=n * flops_per_image(wid) / med / 1e9, rss=rss, rel_err=rel_err)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", default="all", choices=list(SUPPORTED) + ["all"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", default="f64", choices=["f64", "f32"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--csv", metavar="PATH")
    args = ap.parse_args(argv)
    wids = list(SUPPORTED) if args.workload == "all" else [args.workload]

    cv2.setNumThreads(args.threads)
    print("OpenCV %s, cv2.getNumThreads() = %d, dtype %s, runs %d; NumPy %s" %
          (cv2.__version__, cv2.getNumThreads(), args.dtype, args.runs, np.__version__))
    sys.stdout.flush()
    rows = [measure(wid, args) for wid in wids]

    print()
    print("| workload | dtype | N | median time | min..max | images/s | GFLOP/s | rel. err vs torch f64 | peak RSS MB |")
    print("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        print("| %s | %s | %d | %.3f s | %.3f..%.3f s | %.2f | %.3f | %.1e | %.0f |" % (
            r["workload"], args.dtype, r["n"], r["med"], r["tmin"], r["tmax"], r["ips"], r["gflops"],
            r["rel_err"], r["rss"]))
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(CSV_HEADER)
            for r in rows:
                wr.writerow([r["workload"], "opencv", args.dtype, "%.6g" % r["ips"], "%.6g" % r["gflops"],
                             "%.6g" % r["med"], "%.6g" % r["med"], "", "%.1f" % r["rss"]])
        print("\nwrote %s" % args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
