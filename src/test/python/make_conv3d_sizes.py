#!/usr/bin/python3
"""Writes src/test/resources/golden/pytorch-output-sizes-3d.csv: torch.nn.Conv3d's output shapes (module
construction + forward on zeros) or its refusal, in the columns of pytorch-output-sizes.csv, for
PyTorchOutputSizesTest. Run with Debian's /usr/bin/python3 (torch 1.13); the build never runs it."""
import csv
import os
import warnings

import torch
import torch.nn as nn

warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
fmt = lambda v: "x".join(str(x) for x in v) if isinstance(v, (tuple, list)) else str(v)
rows = []


def add(c_in, c_out, groups, k, inp, stride, padding, dilation, mode):
    try:
        m = nn.Conv3d(c_in, c_out, k, stride=stride, padding=padding, dilation=dilation, groups=groups,
                      bias=False, padding_mode=mode).double()
        y = m(torch.zeros((1,) + tuple(inp), dtype=torch.float64))
        result, msg = fmt(tuple(y.shape[1:])), ""
    except Exception as e:  # noqa: BLE001 - the refusal is the datum
        result, msg = "error", " ".join(str(e).split())[:200]
    rows.append([3, c_in, c_out, groups, fmt(k), fmt(inp), fmt(stride), fmt(padding), fmt(dilation), mode, result, msg])


for k in ((1, 1, 1), (3, 3, 3), (2, 3, 4), (5, 1, 3)):
    for s in ((1, 1, 1), (2, 1, 3)):
        for d in ((1, 1, 1), (2, 1, 1)):
            add(1, 2, 1, k, (1, 7, 6, 9), s, (1, 0, 2), d, "zeros")
for mode in ("zeros", "reflect", "replicate", "circular"):
    add(2, 2, 1, (3, 3, 3), (2, 4, 6, 5), 1, "same", 1, mode)
    add(2, 2, 1, (4, 2, 3), (2, 6, 6, 5), 1, "same", (1, 2, 1), mode)
    add(1, 1, 1, (3, 3, 3), (1, 3, 5, 5), 1, (3, 1, 1), 1, mode)   # padding = depth
    add(1, 1, 1, (3, 3, 3), (1, 3, 5, 5), 1, (4, 1, 1), 1, mode)   # padding > depth
    add(1, 1, 1, (3, 3, 3), (1, 5, 5, 5), 1, -1, 1, mode)          # negative padding crops (not in zeros)
add(4, 6, 2, (3, 3, 3), (4, 5, 5, 5), 1, 1, 1, "zeros")
add(1, 1, 1, (3, 3, 3), (1, 2, 5, 5), 1, 0, 1, "zeros")            # depth smaller than the kernel
add(1, 1, 1, (3, 3, 3), (1, 3, 3, 3), 1, "valid", 1, "zeros")       # output exactly 1x1x1
add(1, 1, 1, (3, 3, 3), (1, 5, 5, 5), (2, 1, 1), "same", 1, "zeros")  # same with stride

with open(os.path.join(ROOT, "src/test/resources/golden/pytorch-output-sizes-3d.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["dims", "c_in", "c_out", "groups", "kernel", "input", "stride", "padding", "dilation", "padding_mode", "result", "torch_message"])
    w.writerows(rows)
