#!/usr/bin/python3
"""PyTorch counterpart of a file-to-file tconv job on W1-shaped data.

    /usr/bin/python3 bench/pytorch_files.py IN_DIR OUT_DIR [--threads 2]
    /usr/bin/python3 bench/pytorch_files.py --make-shards N_IMAGES --shard-size S IN_DIR

IN_DIR holds images/*.npy shards, each an (n, 1, 28, 28) float64 array, plus weights.npy
(8, 1, 5, 5) and bias.npy (8,). For every shard (in name order): np.load, torch.from_numpy,
conv2d (float64, bias, stride 1, padding 2), .numpy(), np.save as OUT_DIR/<same name>.npy, an
(n, 8, 28, 28) float64 array. The whole job (weights, then every shard's load + convolve + save)
is timed wall-clock; images, seconds and images/s are printed, with the time split into load,
convolve and save.

--make-shards writes such an IN_DIR with random data (inputs uniform in [0, 255) float64, weights
and bias standard normal, fixed seed), so that the script can be tried on its own.

For comparison by hand only: nothing in the Java build or tests uses this script.
"""
import argparse
import glob
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

STRIDE = 1
PADDING = 2
SEED = 20240101


def make_shards(in_dir, n_images, shard_size):
    rng = np.random.default_rng(SEED)
    img_dir = os.path.join(in_dir, "images")
    os.makedirs(img_dir, exist_ok=True)
    np.save(os.path.join(in_dir, "weights.npy"), rng.standard_normal((8, 1, 5, 5)))
    np.save(os.path.join(in_dir, "bias.npy"), rng.standard_normal(8))
    done = 0
    k = 0
    while done < n_images:
        n = min(shard_size, n_images - done)
        x = rng.uniform(0.0, 255.0, size=(n, 1, 28, 28))  # float64
        np.save(os.path.join(img_dir, "part-%05d.npy" % k), x)
        done += n
        k += 1
    print("wrote %d images in %d shards of up to %d under %s" % (done, k, shard_size, in_dir))


def run(in_dir, out_dir, threads):
    torch.set_num_threads(threads)
    shards = sorted(glob.glob(os.path.join(in_dir, "images", "*.npy")))
    if not shards:
        sys.exit("no shards in %s" % os.path.join(in_dir, "images"))
    os.makedirs(out_dir, exist_ok=True)

    images = 0
    t_load = t_conv = t_save = 0.0
    t0 = time.perf_counter()
    weight = torch.from_numpy(np.load(os.path.join(in_dir, "weights.npy")).astype(np.float64))
    bias = torch.from_numpy(np.load(os.path.join(in_dir, "bias.npy")).astype(np.float64))
    with torch.no_grad():
        for path in shards:
            a = time.perf_counter()
            x = torch.from_numpy(np.load(path).astype(np.float64, copy=False))
            b = time.perf_counter()
            y = F.conv2d(x, weight, bias, stride=STRIDE, padding=PADDING).numpy()
            c = time.perf_counter()
            np.save(os.path.join(out_dir, os.path.basename(path)), y)
            d = time.perf_counter()
            t_load += b - a
            t_conv += c - b
            t_save += d - c
            images += x.shape[0]
    total = time.perf_counter() - t0

    print("torch %s, torch.get_num_threads() = %d, %d shards" %
          (torch.__version__, torch.get_num_threads(), len(shards)))
    print("images: %d" % images)
    print("seconds: %.3f  (load %.3f, conv2d %.3f, save %.3f)" % (total, t_load, t_conv, t_save))
    print("images/s: %.0f" % (images / total))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("in_dir", metavar="IN_DIR")
    ap.add_argument("out_dir", metavar="OUT_DIR", nargs="?")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--make-shards", type=int, metavar="N_IMAGES",
                    help="write N_IMAGES random images as shards under IN_DIR and stop")
    ap.add_argument("--shard-size", type=int, default=1000, metavar="S")
    args = ap.parse_args(argv)
    if args.make_shards is not None:
        if args.make_shards <= 0 or args.shard_size <= 0:
            ap.error("--make-shards and --shard-size must be positive")
        make_shards(args.in_dir, args.make_shards, args.shard_size)
        return 0
    if args.out_dir is None:
        ap.error("OUT_DIR is required (unless --make-shards)")
    run(args.in_dir, args.out_dir, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
