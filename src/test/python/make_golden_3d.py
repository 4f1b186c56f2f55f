#!/usr/bin/python3
"""Conv3d reference data for tconv's tests, computed once with PyTorch 1.13 and committed.

Rerun from the repository root with Debian's Python (python3-torch, python3-numpy):
    /usr/bin/python3 src/test/python/make_golden_3d.py
Deterministic (fixed seeds). The build and the tests never run Python: they read these files.

Writes src/test/resources/golden/cases3d/<name>/{weight,bias,input,expected}.npy + spec.properties,
one torch.nn.Conv3d (float64) each, in the layout of make_golden.py's 2-D cases (read by
Conv3dGoldenTest): every padding mode, `same` with even kernels, groups, dilation, strides per axis,
bias, a (N, C, D, H, W) batch and a (D, H, W) input without a channel axis.
"""
import os
import shutil
import sys
import warnings

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as e:
    sys.exit(f"{e}: install Debian's python3-torch python3-numpy and run this with /usr/bin/python3")

warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CASES = os.path.join(ROOT, "src/test/resources/golden/cases3d")


def cli(v):
    return ",".join(str(x) for x in v) if isinstance(v, (tuple, list)) else str(v)


def case(name, description, c_in, c_out, k, input_shape, stride=1, padding=0, dilation=1, groups=1,
         mode="zeros", bias=False, seed=0, layout=None):
    rng = np.random.default_rng(seed)
    m = nn.Conv3d(c_in, c_out, k, stride=stride, padding=padding, dilation=dilation, groups=groups,
                  bias=bias, padding_mode=mode).double()
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
        f.write(f"description={description}\nstride={cli(stride)}\npadding={cli(padding)}\n"
                f"dilation={cli(dilation)}\ngroups={groups}\npadding_mode={mode}\n")


if __name__ == "__main__":
    shutil.rmtree(CASES, ignore_errors=True)
    os.makedirs(CASES)
    case("01-zeros-pad1-bias", "C_in 2, C_out 3, 3x3x3, padding 1, bias", 2, 3, 3, (2, 5, 6, 7), padding=1, bias=True, seed=301)
    case("02-strides-per-axis", "kernel 2x3x3, stride 2,1,3, padding 1,0,2", 1, 2, (2, 3, 3), (1, 7, 6, 9), stride=(2, 1, 3), padding=(1, 0, 2), seed=302)
    case("03-same-even-kernel", "same, even kernel 4x2x3, dilation 1,2,1", 2, 2, (4, 2, 3), (2, 6, 7, 5), padding="same", dilation=(1, 2, 1), seed=303)
    case("04-reflect", "reflect, padding 1,2,1, kernel 3x3x2", 1, 2, (3, 3, 2), (1, 4, 5, 6), padding=(1, 2, 1), mode="reflect", seed=304)
    case("05-replicate-same-even", "replicate, same, even kernel 2x2x4", 2, 2, (2, 2, 4), (2, 5, 4, 7), padding="same", mode="replicate", seed=305)
    case("06-circular", "circular, padding 2,1,3, kernel 3x3x5", 1, 2, (3, 3, 5), (1, 4, 5, 6), padding=(2, 1, 3), mode="circular", seed=306)
    case("07-groups2-bias", "groups 2, C_in 4, C_out 6, stride 1,2,1, bias", 4, 6, 3, (4, 5, 7, 6), stride=(1, 2, 1), padding=1, groups=2, bias=True, seed=307)
    case("08-depthwise-dilated", "depthwise groups 3, dilation 2, padding 2", 3, 3, 3, (3, 6, 6, 7), padding=2, dilation=2, groups=3, seed=308)
    case("09-batch", "(N, C, D, H, W) batch of 3, bias", 2, 2, 3, (3, 2, 4, 5, 6), padding=1, bias=True, seed=309, layout="batch")
    case("10-dhw-no-channel", "(D, H, W) input without a channel axis, valid", 1, 2, (2, 3, 3), (4, 6, 5), seed=310, layout="no-channel")
    case("11-valid-dilated-strided", "valid, dilation 1,1,2, stride 2", 2, 1, 3, (2, 7, 8, 9), stride=2, dilation=(1, 1, 2), padding="valid", seed=311)
    case("12-reflect-same-dilation", "reflect, same, kernel 3x3x3, dilation 2,1,1", 1, 2, 3, (1, 6, 5, 5), padding="same", dilation=(2, 1, 1), mode="reflect", seed=312)
    print("Conv3d golden cases written under", CASES, file=sys.stderr)
