#!/usr/bin/env python3
"""Golden singular values for `tconv spectrum`, independent of tconv.

For each case, T is built by applying torch.nn.Conv1d/2d/3d (bias off, float64, the case's stride, padding,
dilation, groups and padding_mode) to every basis vector of the input shape: column j of T is conv(e_j)
flattened. numpy's dense SVD of that T is the reference.

Rerun from the repository root with Debian's Python (PyTorch 1.13, NumPy):
    /usr/bin/python3 src/test/python/make_spectra.py
Deterministic (fixed seeds). Writes src/test/resources/golden/spectra/<name>/weight.npy, singular.npy (all
singular values, descending) and src/test/resources/golden/spectra/cases.csv
(name,input_shape,stride,padding,dilation,groups,padding_mode,rows,cols).
"""
import csv
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as e:
    sys.exit(f"{e}: run this with Debian's /usr/bin/python3 (python3-torch, python3-numpy)")

OUT = os.path.join("src", "test", "resources", "golden", "spectra")

# name, weight shape, input shape (C, ...), stride, padding, dilation, groups, padding_mode
CASES = [
    ("1d-valid", (3, 2, 3), (2, 11), 1, 0, 1, 1, "zeros"),
    ("1d-stride2-pad1", (2, 2, 4), (2, 13), 2, 1, 1, 1, "zeros"),
    ("1d-dilation2-reflect", (2, 1, 3), (1, 12), 1, 2, 2, 1, "reflect"),
    ("1d-circular", (3, 3, 3), (3, 10), 1, 1, 1, 1, "circular"),
    ("2d-valid", (4, 3, 3, 3), (3, 6, 7), 1, 0, 1, 1, "zeros"),
    ("2d-zeros-pad1", (2, 2, 3, 3), (2, 6, 6), 1, 1, 1, 1, "zeros"),
    ("2d-stride2", (3, 2, 3, 3), (2, 9, 8), (2, 2), 1, 1, 1, "zeros"),
    ("2d-stride-hw", (2, 1, 2, 3), (1, 7, 9), (1, 2), (0, 1), 1, 1, "zeros"),
    ("2d-dilation2", (2, 2, 3, 3), (2, 8, 8), 1, 2, 2, 1, "zeros"),
    ("2d-groups2", (4, 2, 3, 3), (4, 5, 5), 1, 1, 1, 2, "zeros"),
    ("2d-reflect", (2, 2, 3, 3), (2, 6, 5), 1, 1, 1, 1, "reflect"),
    ("2d-replicate", (2, 2, 3, 3), (2, 5, 6), 1, 1, 1, 1, "replicate"),
    ("2d-replicate-stride2", (2, 1, 3, 3), (1, 7, 7), 2, 1, 1, 1, "replicate"),
    ("2d-circular", (2, 2, 3, 3), (2, 6, 6), 1, 1, 1, 1, "circular"),
    ("2d-circular-single", (1, 1, 3, 3), (1, 8, 8), 1, 1, 1, 1, "circular"),
    ("2d-circular-groups", (4, 1, 3, 3), (2, 5, 6), 1, 1, 1, 2, "circular"),
    ("2d-circular-dilation", (2, 2, 2, 2), (2, 6, 6), 1, (1, 1), 2, 1, "circular"),
    ("2d-seed-5x5", (1, 1, 3, 3), (1, 5, 5), 1, 0, 1, 1, "zeros"),
    ("3d-valid", (2, 2, 2, 2, 2), (2, 4, 4, 4), 1, 0, 1, 1, "zeros"),
    ("3d-stride2-pad1", (2, 1, 3, 3, 3), (1, 5, 5, 5), 2, 1, 1, 1, "zeros"),
    ("3d-circular", (2, 2, 3, 3, 3), (2, 4, 4, 4), 1, 1, 1, 1, "circular"),
    ("3d-replicate-groups", (2, 1, 2, 3, 3), (2, 3, 4, 4), 1, 1, 1, 2, "replicate"),
]


def tup(v):
    return ",".join(str(i) for i in v) if isinstance(v, tuple) else str(v)


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for i, (name, wshape, ishape, stride, padding, dilation, groups, mode) in enumerate(CASES):
        g = torch.Generator().manual_seed(1000 + i)
        w = torch.randn(wshape, generator=g, dtype=torch.float64)
        dims = len(wshape) - 2
        cls = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[dims]
        conv = cls(ishape[0], wshape[0], wshape[2:], stride=stride, padding=padding, dilation=dilation,
                   groups=groups, bias=False, padding_mode=mode).double()
        with torch.no_grad():
            conv.weight.copy_(w)
            n = int(np.prod(ishape))
            basis = torch.eye(n, dtype=torch.float64).reshape((n,) + ishape)
            t = conv(basis).reshape(n, -1).T.numpy()  # column j = conv(e_j)
        s = np.linalg.svd(t, compute_uv=False)
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "weight.npy"), w.numpy())
        np.save(os.path.join(d, "singular.npy"), s)
        rows.append([name, tup(ishape), tup(stride), tup(padding), tup(dilation), groups, mode, t.shape[0], t.shape[1]])
        print(f"{name}: T {t.shape}, sigma_max {s[0]:.6f}", file=sys.stderr)
    with open(os.path.join(OUT, "cases.csv"), "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["name", "input_shape", "stride", "padding", "dilation", "groups", "padding_mode", "rows", "cols"])
        wr.writerows(rows)


if __name__ == "__main__":
    main()
