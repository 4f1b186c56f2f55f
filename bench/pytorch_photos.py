#!/usr/bin/python3
"""W8's PyTorch peer: a folder of JPEGs convolved file to file as a PyTorch user writes it. A DataLoader
with WORKERS worker processes decodes each photo with PIL (convert('RGB'), values 0..255, (C, H, W));
torch.nn.functional.conv2d (THREADS threads, padding 1, bias) in the main process; np.save as
(C_out, H, W) into OUT/<name>.npy. Prints "seconds: S" (DataLoader start to the last file saved) and with
--csv appends a row in the bench's W8 CSV format. Needs Debian's python3-torch, python3-pil and
python3-numpy; nothing in the build uses this script.

  /usr/bin/python3 bench/pytorch_photos.py W8_DIR OUT [--dtype f32|f64] [--workers 2] [--threads 2] [--csv CSV]
"""
import argparse
import glob
import os
import time

import numpy as np
import torch
from PIL import Image


def read(path):
    """PIL's pixels, (C, H, W), 0..255 as uint8."""
    return np.ascontiguousarray(np.asarray(Image.open(path).convert("RGB")).transpose(2, 0, 1))


class Photos(torch.utils.data.Dataset):
    def __init__(self, files):
        self.files = files

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        return torch.from_numpy(read(self.files[i])), os.path.splitext(os.path.basename(self.files[i]))[0]


def convolve(x, w, b):
    """x (C, H, W) tensor of the compute dtype -> (C_out, H, W) numpy."""
    with torch.no_grad():
        return torch.nn.functional.conv2d(x[None], w, b, padding=1)[0].numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("w8")
    ap.add_argument("out")
    ap.add_argument("--dtype", default="f64", choices=["f32", "f64"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--csv")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dtype = torch.float32 if a.dtype == "f32" else torch.float64
    files = sorted(glob.glob(os.path.join(a.w8, "photos", "*.jpg")))
    w = torch.from_numpy(np.load(os.path.join(a.w8, "weights.npy"))).to(dtype)
    b = torch.from_numpy(np.load(os.path.join(a.w8, "bias.npy"))).to(dtype)
    os.makedirs(a.out)
    t0 = time.perf_counter()
    loader = torch.utils.data.DataLoader(Photos(files), batch_size=None, num_workers=a.workers)
    pixels = 0
    for x, name in loader:
        y = convolve(x.to(dtype), w, b)
        np.save(os.path.join(a.out, name + ".npy"), y)
        pixels += y.shape[1] * y.shape[2]
    s = time.perf_counter() - t0
    flops = 2.0 * w.numel() * pixels
    print("files: %d, Mpixel: %.1f" % (len(files), pixels / 1e6))
    print("seconds: %.4f" % s)
    if a.csv:
        new = not os.path.exists(a.csv)
        with open(a.csv, "a") as f:
            if new:
                f.write("workload,method,dtype,format,images,images_per_s,gflops,end_to_end_s,wall_s\n")
            f.write("W8,pytorch,%s,npy,%d,%.6g,%.6g,%.6g,\n" % (a.dtype, len(files), len(files) / s, flops / s / 1e9, s))


if __name__ == "__main__":
    main()
