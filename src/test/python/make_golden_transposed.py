#!/usr/bin/python3
"""ConvTranspose1d/2d/3d reference data for tconv's tests, computed once with PyTorch 1.13 and committed.

Rerun from the repository root with Debian's Python (python3-torch, python3-numpy):
    /usr/bin/python3 src/test/python/make_golden_transposed.py
Deterministic (fixed seeds). The build and the tests never run Python: they read these files.

Writes src/test/resources/golden/transposed/<name>/{weight,bias,input,expected}.npy + spec.properties,
one torch.nn.ConvTranspose{1,2,3}d (float64) each, in the layout of make_golden_3d.py's cases (read by
GoldenCasesTest, which runs them through `tconv run --transposed` with every method): strides, padding,
dilation, groups, output padding per axis (also one not below the stride but below the dilation, which
PyTorch allows), bias, a batch and an input without a channel axis. Weights are PyTorch's layout for
transposed convolutions, (C_in, C_out/groups, k...).
"""
import os
import shutil
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as e:
    sys.exit(f"{e}: install Debian's python3-torch python3-numpy and run this with /usr/bin/python3")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CASES = os.path.join(ROOT, "src/test/resources/golden/transposed")
MODULES = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}


def cli(v):
    return ",".join(str(x) for x in v) if isinstance(v, (tuple, list)) else str(v)


def case(name, description, dims, c_in, c_out, k, input_shape, stride=1, padding=0, output_padding=0,
         dilation=1, groups=1, bias=False, seed=0, layout=None):
    rng = np.random.default_rng(seed)
    m = MODULES[dims](c_in, c_out, k, stride=stride, padding=padding, output_padding=output_padding,
                      dilation=dilation, groups=groups, bias=bias).double()
    w = rng.standard_normal(tuple(m.weight.shape))
    b = rng.standard_normal(c_out) if bias else None
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(w))
        if bias:
            m.bias.copy_(torch.from_numpy(b))
        x = rng.random(input_shape) * 255
        xt = torch.from_numpy(x)
        if layout == "batch":
            y = m(xt)
        elif layout == "no-channel":
            y = m(xt[None, None])[0]
        else:
            y = m(xt[None])[0]
    d = os.path.join(CASES, name)
    os.makedirs(d)
    np.save(os.path.join(d, "weight.npy"), w)
    np.save(os.path.join(d, "input.npy"), x)
    np.save(os.path.join(d, "expected.npy"), y.numpy().astype("<f8"))
    if bias:
        np.save(os.path.join(d, "bias.npy"), b)
    with open(os.path.join(d, "spec.properties"), "w") as f:
        f.write(f"description={description}\ntransposed=true\nstride={cli(stride)}\npadding={cli(padding)}\n"
                f"output_padding={cli(output_padding)}\ndilation={cli(dilation)}\ngroups={groups}\n")


if __name__ == "__main__":
    shutil.rmtree(CASES, ignore_errors=True)
    os.makedirs(CASES)
    case("01-1d-stride2-pad1-op1-bias", "1-D, C_in 2, C_out 3, k 3, stride 2, padding 1, output padding 1, bias",
         1, 2, 3, 3, (2, 7), stride=2, padding=1, output_padding=1, bias=True, seed=901)
    case("02-1d-groups2-dil2-stride3-op2", "1-D, groups 2, C_in 4, C_out 2, k 3, dilation 2, stride 3, output padding 2",
         1, 4, 2, 3, (4, 6), stride=3, dilation=2, output_padding=2, groups=2, seed=902)
    case("03-1d-op-below-dilation", "1-D, stride 1, dilation 3, output padding 2 (not below the stride, below the dilation)",
         1, 1, 2, 4, (1, 5), dilation=3, output_padding=2, seed=903)
    case("04-2d-decoder-bias", "2-D, C_in 3, C_out 2, 4x4, stride 2, padding 1, output padding 1, bias",
         2, 3, 2, 4, (3, 5, 6), stride=2, padding=1, output_padding=1, bias=True, seed=904)
    case("05-2d-per-axis", "2-D, 3x2 kernel, stride 2,3, padding 0,1, output padding 1,2, dilation 1,2",
         2, 2, 3, (3, 2), (2, 4, 5), stride=(2, 3), padding=(0, 1), output_padding=(1, 2), dilation=(1, 2), seed=905)
    case("06-2d-groups2", "2-D, groups 2, C_in 4, C_out 6, 3x3, stride 2, padding 1, bias",
         2, 4, 6, 3, (4, 5, 4), stride=2, padding=1, groups=2, bias=True, seed=906)
    case("07-2d-depthwise-dilated", "2-D, depthwise groups 3, dilation 2, padding 2, output padding 1 (below the dilation)",
         2, 3, 3, 3, (3, 6, 5), padding=2, dilation=2, output_padding=1, groups=3, seed=907)
    case("08-2d-crop-padding", "2-D, 5x5, padding 3 (crops more than the kernel adds on each side), stride 1",
         2, 1, 2, 5, (1, 6, 7), padding=3, seed=908)
    case("09-2d-batch", "2-D, (N, C, H, W) batch of 3, stride 2, output padding 1, bias",
         2, 2, 2, 3, (3, 2, 4, 5), stride=2, output_padding=1, bias=True, seed=909, layout="batch")
    case("10-2d-hw-no-channel", "2-D, (H, W) input without a channel axis, 2x3 kernel, stride 1,2",
         2, 1, 2, (2, 3), (5, 4), stride=(1, 2), seed=910, layout="no-channel")
    case("11-3d-strides-op-bias", "3-D, C_in 2, C_out 3, 3x3x3, stride 2,1,2, padding 1, output padding 1,0,1, bias",
         3, 2, 3, 3, (2, 3, 4, 3), stride=(2, 1, 2), padding=1, output_padding=(1, 0, 1), bias=True, seed=911)
    case("12-3d-groups-dilation", "3-D, groups 2, C_in 2, C_out 4, kernel 2x3x2, dilation 1,2,1, output padding 0,1,0",
         3, 2, 4, (2, 3, 2), (2, 3, 4, 5), dilation=(1, 2, 1), output_padding=(0, 1, 0), groups=2, seed=912)
    case("13-3d-batch", "3-D, (N, C, D, H, W) batch of 2, stride 2, padding 1, output padding 1",
         3, 1, 2, 3, (2, 1, 3, 3, 4), stride=2, padding=1, output_padding=1, seed=913, layout="batch")
    print("ConvTranspose golden cases written under", CASES, file=sys.stderr)
