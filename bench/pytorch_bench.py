#!/usr/bin/python3
"""PyTorch side of tconv's performance comparison on the standard workloads W1..W7.

The workloads are those of workloads.md (kept in the project's shared notes): PyTorch Conv2d
semantics, inputs uniform in [0, 255), weights and bias standard normal, fixed seeds; float32 runs
use the same values rounded to float32.

Measures torch.nn.functional.conv2d on the CPU with torch.set_num_threads(--threads). The N inputs
of a workload are one preallocated (N, C, H, W) tensor; only the conv2d call is timed (under
torch.no_grad()), after one warm-up call, and the median of --runs runs is reported. W5 (one 5x5
image) is pure overhead: every one of --w5-calls calls is timed on its own and the median per call is
reported (images/s = 1 / that latency).

For comparison by hand only: nothing in the Java build or tests uses this script.

W6 (48 photos of different sizes) calls conv2d once per image, on the (H, W) sizes tconv's bench draws
(listed below, so the FLOPs are the same); W7 (volumes) is conv3d on one (4, 1, 64, 128, 128) tensor.

    /usr/bin/python3 bench/pytorch_bench.py [--workload W1..W7|all] [--threads 2]
        [--dtype f64|f32] [--runs 5] [--w5-calls 20000] [--csv PATH] [--batch B]

CSV header: workload,method,dtype,images_per_s,gflops,multiply_s,end_to_end_s,nnz,peak_heap_mb
(method "pytorch"; multiply_s and end_to_end_s are both the median conv2d time; nnz empty;
peak_heap_mb the max RSS in MB, from resource.getrusage, of the process that ran the
workload: with several workloads, each one runs in a fresh process of its own).
"""
import argparse
import csv
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

# id: (N, (C_in, H, W), (C_out, C_in, kH, kW), stride, padding, bias)
WORKLOADS = {
    "W1": (20000, (1, 28, 28), (8, 1, 5, 5), 1, 2, True),
    "W2": (5000, (3, 32, 32), (16, 3, 3, 3), 1, 1, True),
    "W3": (16, (3, 512, 512), (8, 3, 3, 3), 1, 1, False),
    "W4": (1, (1, 2048, 2048), (1, 1, 5, 5), 1, 2, False),
    "W5": (1, (1, 5, 5), (1, 1, 3, 3), 1, 0, False),
    "W6": (48, (3, None, None), (8, 3, 3, 3), 1, 1, False),
    "W7": (4, (1, 64, 128, 128), (8, 1, 3, 3, 3), 1, 1, False),
}
SEEDS = {"W1": 101, "W2": 102, "W3": 103, "W4": 104, "W5": 105, "W6": 106, "W7": 107}
# W6's (H, W) per image, as org.tconv.bench.Workload.W6 draws them (Workload.shape(i))
W6_SIZES = [(481, 470), (487, 420), (406, 332), (455, 341), (404, 414), (314, 379), (445, 315), (493, 469),
            (400, 350), (420, 350), (306, 371), (384, 474), (414, 380), (385, 508), (322, 463), (341, 358),
            (368, 425), (468, 405), (329, 305), (493, 326), (443, 385), (486, 438), (512, 449), (490, 421),
            (483, 481), (424, 346), (358, 341), (406, 492), (491, 377), (340, 404), (387, 375), (468, 342),
            (464, 419), (357, 406), (353, 327), (371, 356), (311, 409), (364, 326), (420, 328), (368, 484),
            (436, 411), (387, 432), (466, 452), (349, 423), (313, 341), (352, 500), (369, 332), (304, 483)]
CSV_HEADER = ["workload", "method", "dtype", "images_per_s", "gflops", "multiply_s",
              "end_to_end_s", "nnz", "peak_heap_mb"]


def out_size(size, k, stride, pad, dilation=1):
    return (size + 2 * pad - dilation * (k - 1) - 1) // stride + 1


def flops_per_image(wid, groups=1):
    """Mean over the workload's images for W6."""
    n, shape, wshape, stride, pad, _ = WORKLOADS[wid]
    c_out, c_in_g, ks = wshape[0], wshape[1], wshape[2:]
    taps = 1
    for k in ks:
        taps *= k
    sizes = W6_SIZES if wid == "W6" else [shape[1:]]
    total = 0
    for size in sizes:
        positions = 1
        for s, k in zip(size, ks):
            positions *= out_size(s, k, stride, pad)
        total += 2 * c_out * c_in_g * taps * positions
    return total / len(sizes)


def conv(x, weight, bias, stride, pad):
    fn = F.conv3d if weight.dim() == 5 else F.conv2d
    if isinstance(x, list):   # W6: one call per image, as one file per photo gives them
        return [fn(xi, weight, bias, stride=stride, padding=pad) for xi in x]
    return fn(x, weight, bias, stride=stride, padding=pad)


def make_data(wid, dtype):
    """Inputs uniform in [0, 255), weights/bias standard normal, drawn in float64 with a fixed
    seed, then rounded to dtype (so f32 runs see the same values rounded to float32)."""
    n, shape, wshape, _, _, has_bias = WORKLOADS[wid]
    g = torch.Generator().manual_seed(SEEDS[wid])
    if wid == "W6":
        x = [(torch.rand((1, shape[0], h, w), generator=g, dtype=torch.float64) * 255.0).to(dtype).contiguous()
             for h, w in W6_SIZES]
    else:
        x = (torch.rand((n,) + tuple(shape), generator=g, dtype=torch.float64) * 255.0).to(dtype).contiguous()
    weight = torch.randn(wshape, generator=g, dtype=torch.float64)
    bias = torch.randn((wshape[0],), generator=g, dtype=torch.float64) if has_bias else None
    weight = weight.to(dtype).contiguous()
    bias = bias.to(dtype).contiguous() if bias is not None else None
    return x, weight, bias


def peak_rss_mb():
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_library():
    """The BLAS shared object actually mapped into this process (float64 conv2d goes through
    BLAS gemm; float32 goes through oneDNN)."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and ("blas" in parts[-1].lower() or "dnnl" in parts[-1].lower()):
                    libs.add(parts[-1])
    except OSError:
        pass
    return ", ".join(sorted(libs)) or "unknown"


def bench_batch(wid, x, weight, bias, runs, batch=None):
    """Median-able list of times of one conv2d call on the whole (N, C, H, W) tensor; with
    batch, of conv2d called on consecutive slices of batch images (outputs kept until the
    end, as the whole call's would be)."""
    _, _, _, stride, pad, _ = WORKLOADS[wid]
    n = len(x) if isinstance(x, list) else x.shape[0]

    def once():
        if not batch or batch >= n or isinstance(x, list):
            return conv(x, weight, bias, stride, pad)
        return [conv(x[i:i + batch], weight, bias, stride, pad) for i in range(0, n, batch)]

    times = []
    with torch.no_grad():
        y = once()  # warm-up
        del y
        for _ in range(runs):
            t0 = time.perf_counter()
            y = once()
            t1 = time.perf_counter()
            del y
            times.append(t1 - t0)
    return times


def bench_latency(wid, x, weight, bias, calls):
    _, _, _, stride, pad, _ = WORKLOADS[wid]
    times = []
    with torch.no_grad():
        for _ in range(max(100, calls // 10)):  # warm-up
            F.conv2d(x, weight, bias, stride=stride, padding=pad)
        for _ in range(calls):
            t0 = time.perf_counter()
            F.conv2d(x, weight, bias, stride=stride, padding=pad)
            t1 = time.perf_counter()
            times.append(t1 - t0)
    return times


def check_against_float64(wid, x, weight, bias):
    """Sanity check on a few images, cropped to 64 x 64 so that it costs no memory to speak
    of (the peak RSS is the timed call's): the timed dtype agrees with a float64 conv2d."""
    _, _, _, stride, pad, _ = WORKLOADS[wid]
    xs = x[0] if isinstance(x, list) else x[:4]
    xs = xs[..., :16, :64, :64] if weight.dim() == 5 else xs[..., :64, :64]
    with torch.no_grad():
        y = conv(xs, weight, bias, stride, pad).double()
        ref = conv(xs.double(), weight.double(), None if bias is None else bias.double(), stride, pad)
    scale = ref.abs().max().item() or 1.0
    return (y - ref).abs().max().item() / scale


def measure(wid, args):
    """Runs one workload (in the calling process) and returns its figures."""
    torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.dtype == "f64" else torch.float32
    n = WORKLOADS[wid][0]
    x, weight, bias = make_data(wid, dtype)
    rel_err = check_against_float64(wid, x, weight, bias)
    if wid == "W5":
        times = bench_latency(wid, x, weight, bias, args.w5_calls)
    else:
        times = bench_batch(wid, x, weight, bias, args.runs, args.batch)
    med = statistics.median(times)
    return dict(workload=wid, n=n, med=med, tmin=min(times), tmax=max(times),
                count=len(times), ips=n / med, gflops=n * flops_per_image(wid) / med / 1e9,
                rss=peak_rss_mb(), rel_err=rel_err, threads=torch.get_num_threads(),
                libs=blas_library())


def fmt_time(s):
    if s < 1e-3:
        return "%.2f us" % (s * 1e6)
    if s < 1.0:
        return "%.2f ms" % (s * 1e3)
    return "%.3f s" % s


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", default="all", choices=list(WORKLOADS) + ["all"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", default="f64", choices=["f64", "f32"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--w5-calls", type=int, default=20000,
                    help="number of individually timed calls for the latency workload W5")
    ap.add_argument("--batch", type=int, default=None,
                    help="(not the standard measurement) call conv2d on slices of this many "
                         "images instead of once on the whole tensor")
    ap.add_argument("--csv", metavar="PATH")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    wids = list(WORKLOADS) if args.workload == "all" else [args.workload]

    print("torch %s, torch.get_num_threads() = %d, dtype %s, runs %d%s" %
          (torch.__version__, torch.get_num_threads(), args.dtype, args.runs,
           ", conv2d on slices of %d images" % args.batch if args.batch else ""))
    print("CPU: %s (%s logical CPUs seen by the OS)" % (cpu_model(), os.cpu_count()))
    print("python %s, mkldnn available: %s" % (platform.python_version(),
                                               torch.backends.mkldnn.is_available()))
    sys.stdout.flush()

    rows = []
    for wid in wids:
        if len(wids) == 1:
            rows.append(measure(wid, args))
        else:
            # one fresh process per workload, so that each one's peak RSS is its own
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(1) as pool:
                rows.append(pool.apply(measure, (wid, args)))

    print()
    print("BLAS/oneDNN libraries mapped: %s; threads seen while measuring: %s" %
          (rows[0]["libs"], sorted({r["threads"] for r in rows})))
    print()
    print("| workload | dtype | N | timed | median time | min..max | images/s | GFLOP/s | rel. err vs f64 | peak RSS MB |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        timed = "%d calls, per call" % r["count"] if r["workload"] == "W5" else "%d runs" % r["count"]
        print("| %s | %s | %d | %s | %s | %s..%s | %s | %.3f | %.1e | %.0f |" % (
            r["workload"], args.dtype, r["n"], timed, fmt_time(r["med"]), fmt_time(r["tmin"]),
            fmt_time(r["tmax"]), "{:,.1f}".format(r["ips"]) if r["ips"] < 100 else "{:,.0f}".format(r["ips"]),
            r["gflops"], r["rel_err"], r["rss"]))
    sys.stdout.flush()

    if args.csv:
        with open(args.csv, "w", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(CSV_HEADER)
            for r in rows:
                wr.writerow([r["workload"], "pytorch", args.dtype, "%.6g" % r["ips"],
                             "%.6g" % r["gflops"], "%.6g" % r["med"], "%.6g" % r["med"], "",
                             "%.1f" % r["rss"]])
        print("\nwrote %s" % args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
