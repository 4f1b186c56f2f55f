#!/usr/bin/env python3
"""Golden singular values for `tconv spectrum --transposed`, independent of tconv.

For each case, T is built by applying torch.nn.ConvTranspose1d/2d/3d (bias off, float64, the case's stride,
padding, output_padding, dilation and groups) to every basis vector of the input shape: column j of T is
conv_transpose(e_j) flattened. numpy's dense SVD of that T is the reference.

Rerun from the repository root with Debian's Python (PyTorch 1.13, NumPy):
    /usr/bin/python3 src/test/python/make_spectra_transposed.py
Deterministic (fixed seeds). Writes src/test/resources/golden/spectra/transposed/<name>/weight.npy (PyTorch's
layout (C_in, C_out/groups, k...)), singular.npy (all singular values, descending) and
src/test/resources/golden/spectra/transposed/cases.csv
(name,input_shape,stride,padding,output_padding,dilation,groups,rows,cols).
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

OUT = os.path.join("src", "test", "resources", "golden", "spectra", "transposed")

# name, weight shape (C_in, C_out/groups, k...), input shape (C_in, ...), stride, padding, output_padding, dilation, groups
CASES = [
    ("1d-stride2-op1", (2, 3, 3), (2, 9), 2, 1, 1, 1, 1),
    ("1d-dilation3-op2", (1, 2, 4), (1, 8), 1, 0, 2, 3, 1),
    ("2d-decoder", (3, 2, 4, 4), (3, 4, 5), 2, 1, 1, 1, 1),
    ("2d-per-axis", (2, 2, 3, 2), (2, 4, 4), (2, 1), (1, 0), (1, 0), (1, 2), 1),
    ("2d-groups2-dilation2", (4, 1, 3, 3), (4, 4, 4), 1, 2, 1, 2, 2),
    ("3d-stride2-op", (2, 2, 3, 3, 3), (2, 2, 3, 3), 2, 1, (1, 0, 1), 1, 1),
]


def tup(v):
    return ",".join(str(i) for i in v) if isinstance(v, tuple) else str(v)


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for i, (name, wshape, ishape, stride, padding, output_padding, dilation, groups) in enumerate(CASES):
        g = torch.Generator().manual_seed(2000 + i)
        w = torch.randn(wshape, generator=g, dtype=torch.float64)
        dims = len(wshape) - 2
        cls = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[dims]
        conv = cls(wshape[0], wshape[1] * groups, wshape[2:], stride=stride, padding=padding,
                   output_padding=output_padding, dilation=dilation, groups=groups, bias=False).double()
        with torch.no_grad():
            conv.weight.copy_(w)
            n = int(np.prod(ishape))
            basis = torch.eye(n, dtype=torch.float64).reshape((n,) + ishape)
            t = conv(basis).reshape(n, -1).T.numpy()  # column j = conv_transpose(e_j)
        s = np.linalg.svd(t, compute_uv=False)
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "weight.npy"), w.numpy())
        np.save(os.path.join(d, "singular.npy"), s)
        rows.append([name, tup(ishape), tup(stride), tup(padding), tup(output_padding), tup(dilation), groups,
                     t.shape[0], t.shape[1]])
        print(f"{name}: T {t.shape}, sigma_max {s[0]:.6f}", file=sys.stderr)
    with open(os.path.join(OUT, "cases.csv"), "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["name", "input_shape", "stride", "padding", "output_padding", "dilation", "groups", "rows", "cols"])
        wr.writerows(rows)


if __name__ == "__main__":
    main()
