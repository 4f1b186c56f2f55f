#!/usr/bin/env python3
"""Reference data for tconv's tests, computed once with PyTorch and committed.

Rerun from the repository root with Debian's Python (PyTorch 1.13, NumPy 1.24, SciPy 1.10, scikit-image 0.19):
    apt-get install python3-torch python3-numpy python3-pil python3-skimage python3-scipy
    python3 src/test/python/make_golden.py
(use /usr/bin/python3 explicitly if another python3, e.g. a pyenv one, comes first on PATH).
Deterministic: fixed seeds, so a rerun with the same packages rewrites the same bytes.
python3-skimage and python3-scipy are only for the sample data (photographs, ECG), read from the
installed packages; nothing is downloaded.

Writes
  src/test/resources/golden/cases/<name>/{weight,bias,input,expected}.npy + spec.properties
      one convolution each, expected = torch.nn.Conv1d/Conv2d (float64) with the same arguments;
  src/test/resources/golden/pytorch-output-sizes.csv
      output shapes or refusals of module construction + forward on zeros (where each refusal was
      raised, at construction or at forward, is printed on stderr);
  conf/default-weights.npy, data/ (sample photographs and an ECG, when Debian ships them),
  src/test/resources/golden/decode/ (PIL's decoding of the sample photographs, summarised).
The build and the tests never run Python: they read these files.
"""
import csv
import os
import shutil
import sys
import warnings

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as e:
    sys.exit(f"{e}: install Debian's python3-torch python3-numpy python3-pil python3-skimage python3-scipy "
             "and run this with /usr/bin/python3")

# torch's messages print Python sets ({'valid', 'same'}), whose order follows string hashing: fix it
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))

warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GOLDEN = os.path.join(ROOT, "src/test/resources/golden")
torch.set_default_dtype(torch.float64)


def module(dims, c_in, c_out, k, stride, padding, dilation, groups, mode, bias):
    cls = nn.Conv2d if dims == 2 else nn.Conv1d
    return cls(c_in, c_out, k, stride=stride, padding=padding, dilation=dilation, groups=groups,
               bias=bias, padding_mode=mode).double()


def cli(v):
    """An int or tuple as the tconv command line takes it."""
    if isinstance(v, str):
        return v
    if isinstance(v, (tuple, list)):
        return ",".join(str(x) for x in v)
    return str(v)


def case(name, description, dims, c_in, c_out, k, input_shape, stride=1, padding=0, dilation=1, groups=1,
         mode="zeros", bias=False, seed=0, weight_dtype=np.float64, input_dtype=np.float64, input_layout=None):
    rng = np.random.default_rng(seed)
    m = module(dims, c_in, c_out, k, stride, padding, dilation, groups, mode, bias)
    w = rng.standard_normal(tuple(m.weight.shape)).astype(weight_dtype)
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(w.astype(np.float64)))
        b = None
        if bias:
            b = rng.standard_normal(c_out)
            m.bias.copy_(torch.from_numpy(b))
    if input_dtype == np.uint8:
        x = rng.integers(0, 256, size=input_shape).astype(np.uint8)
    else:
        x = (rng.random(input_shape) * 255).astype(input_dtype)
    xt = torch.from_numpy(x.astype(np.float64))
    if input_layout == "batch":
        y = m(xt)
    elif input_layout == "no-channel":
        y = m(xt[None, None])[0]
    else:
        y = m(xt[None])[0]
    d = os.path.join(GOLDEN, "cases", name)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "weight.npy"), w)
    np.save(os.path.join(d, "input.npy"), x)
    np.save(os.path.join(d, "expected.npy"), y.detach().numpy().astype("<f8"))
    if bias:
        np.save(os.path.join(d, "bias.npy"), b)
    with open(os.path.join(d, "spec.properties"), "w") as f:
        f.write(f"description={description}\nstride={cli(stride)}\npadding={cli(padding)}\n"
                f"dilation={cli(dilation)}\ngroups={groups}\npadding_mode={mode}\n")


def cases():
    shutil.rmtree(os.path.join(GOLDEN, "cases"), ignore_errors=True)
    plus = np.array([[0, 0, 1, 0, 0], [0, 0, 1, 0, 0], [1, 1, 1, 1, 1], [0, 0, 1, 0, 0], [0, 0, 1, 0, 0]], dtype=np.float64)
    # 1: the seed notebook's plus sign, valid 3x3
    d = os.path.join(GOLDEN, "cases", "01-seed-plus-valid")
    os.makedirs(d, exist_ok=True)
    m = module(2, 1, 1, 3, 1, 0, 1, 1, "zeros", False)
    w = np.random.default_rng(42).standard_normal((1, 1, 3, 3))
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(w))
    np.save(os.path.join(d, "weight.npy"), w)
    np.save(os.path.join(d, "input.npy"), plus[None])
    np.save(os.path.join(d, "expected.npy"), m(torch.from_numpy(plus)[None, None])[0].detach().numpy())
    with open(os.path.join(d, "spec.properties"), "w") as f:
        f.write("description=the seed notebook's 5x5 plus sign, 3x3 valid\nstride=1\npadding=0\ndilation=1\ngroups=1\npadding_mode=zeros\n")

    case("02-stride2-pad1-bias", "C_in 3, C_out 4, 3x3, stride 2, padding 1, bias", 2, 3, 4, 3, (3, 9, 8), stride=2, padding=1, bias=True, seed=2)
    case("03-same-even-dilated", "same, even kernel 4x2, dilation 2,1", 2, 2, 3, (4, 2), (2, 9, 7), padding="same", dilation=(2, 1), seed=3)
    case("04-reflect-3x5", "reflect, padding 2, kernel 3x5", 2, 2, 2, (3, 5), (2, 7, 8), padding=2, mode="reflect", seed=4)
    case("05-replicate-1-2", "replicate, padding 1,2", 2, 1, 2, 3, (1, 6, 5), padding=(1, 2), mode="replicate", seed=5)
    case("06-circular-5x5", "circular, padding 3, kernel 5x5", 2, 1, 2, 5, (1, 6, 7), padding=3, mode="circular", seed=6)
    case("07-groups2-stride21", "groups 2, C_in 4, C_out 6, stride 2,1, bias", 2, 4, 6, 3, (4, 8, 7), stride=(2, 1), groups=2, bias=True, seed=7)
    case("08-depthwise-same-reflect", "depthwise groups 3, same, reflect", 2, 3, 3, 3, (3, 7, 6), padding="same", groups=3, mode="reflect", seed=8)
    case("09-same-replicate-even-dil2", "same, replicate, even 4x4, dilation 2", 2, 2, 2, 4, (2, 9, 10), padding="same", dilation=2, mode="replicate", seed=9)
    case("10-nonsquare-stride23", "7x11 input, kernel 2x3, stride 2,3, padding 1,0", 2, 1, 3, (2, 3), (1, 7, 11), stride=(2, 3), padding=(1, 0), seed=10)
    case("11-reflect-max-padding", "reflect with padding = input size - 1 in height", 2, 1, 1, 3, (1, 4, 9), padding=3, mode="reflect", seed=11)
    case("12-circular-same-even", "circular, same, even kernel 2x4", 2, 2, 2, (2, 4), (2, 6, 7), padding="same", mode="circular", seed=12)
    case("13-1d-pad2-bias", "1-D, C_in 2, C_out 3, K 5, padding 2, bias", 1, 2, 3, 5, (2, 17), padding=2, bias=True, seed=13)
    case("14-1d-same-even-circular", "1-D, same, K 4, circular", 1, 1, 2, 4, (1, 15), padding="same", mode="circular", seed=14)
    case("15-1d-stride3-dil2-groups2-reflect", "1-D, stride 3, dilation 2, groups 2, reflect, padding 3", 1, 4, 2, 3, (4, 20), stride=3, dilation=2, padding=3, groups=2, mode="reflect", seed=15)
    case("16-1d-output-length-1", "1-D valid, input = dilated kernel", 1, 1, 1, 3, (1, 7), dilation=3, seed=16)
    case("17-batch", "(N, C, H, W) batch file", 2, 2, 3, 3, (3, 2, 6, 7), padding=1, bias=True, seed=17, input_layout="batch")
    case("18-float32", "float32 weights and input", 2, 1, 2, 3, (1, 6, 6), padding=1, seed=18, weight_dtype=np.float32, input_dtype=np.float32)
    case("19-uint8-hw", "uint8 (H, W) input, no channel axis", 2, 1, 2, 3, (8, 9), padding=1, seed=19, input_dtype=np.uint8, input_layout="no-channel")
    case("20-dil3-stride2-pad4", "dilation 3, stride 2, padding 4, C 2 -> 2", 2, 2, 2, 3, (2, 10, 11), stride=2, padding=4, dilation=3, seed=20)
    case("21-negative-padding-reflect", "reflect, padding -1,2: torch crops a row each side, reflects 2 columns", 2, 1, 2, 3, (1, 8, 7), padding=(-1, 2), mode="reflect", seed=21)
    case("22-1d-negative-padding-replicate", "1-D replicate, padding -2: torch crops", 1, 1, 1, 3, (1, 12), padding=-2, mode="replicate", seed=22)


def sizes():
    rows = []

    def add(dims, c_in, c_out, groups, k, inp, stride, padding, dilation, mode):
        fmt = lambda v: "x".join(str(x) for x in v) if isinstance(v, (tuple, list)) else str(v)
        stage = "construction"
        try:
            m = module(dims, c_in, c_out, k, stride, padding, dilation, groups, mode, False)
            stage = "forward"
            y = m(torch.zeros((1,) + tuple(inp)))
            result, msg, stage = fmt(tuple(y.shape[1:])), "", "accepted"
        except Exception as e:  # noqa: BLE001 - the refusal is the datum
            result, msg = "error", " ".join(str(e).split())[:200]
        rows.append([dims, c_in, c_out, groups, fmt(k), fmt(inp), fmt(stride), fmt(padding), fmt(dilation), mode, result, msg])
        if result == "error":
            print(f"refused at {stage}: {','.join(str(v) for v in rows[-1][:10])}: {msg}", file=sys.stderr)

    for k in (1, 2, 3, 4, 5):
        for s in (1, 2, 3):
            for d in (1, 2):
                add(2, 1, 2, 1, (k, k), (1, 9, 8), (s, s), (1, 1), (d, d), "zeros")
    for mode in ("zeros", "reflect", "replicate", "circular"):
        add(2, 2, 2, 1, (3, 3), (2, 6, 5), (1, 1), "same", (1, 1), mode)
        add(2, 2, 2, 1, (4, 2), (2, 6, 5), (1, 1), "same", (2, 1), mode)
        add(2, 2, 2, 1, (3, 3), (2, 6, 5), (2, 1), (2, 1), (1, 1), mode)
        add(1, 1, 1, 1, 4, (1, 7), 1, "same", 1, mode)
        add(1, 1, 1, 1, 3, (1, 7), 2, 3, 1, mode)
        add(2, 1, 1, 1, (3, 3), (1, 3, 3), (1, 1), (3, 3), (1, 1), mode)   # padding = size
        add(2, 1, 1, 1, (3, 3), (1, 3, 3), (1, 1), (4, 4), (1, 1), mode)   # padding > size
    add(2, 1, 1, 1, (3, 3), (1, 5, 5), (1, 1), "valid", (1, 1), "zeros")
    add(2, 4, 6, 2, (3, 3), (4, 5, 5), (1, 1), (1, 1), (1, 1), "zeros")
    add(2, 3, 3, 3, (3, 3), (3, 5, 5), (1, 1), "same", (1, 1), "zeros")
    add(1, 2, 4, 2, 3, (2, 10), 2, 1, 2, "zeros")
    add(2, 1, 1, 1, (3, 3), (1, 3, 3), (1, 1), (0, 0), (1, 1), "zeros")   # output exactly 1x1
    add(1, 1, 1, 1, 5, (1, 9), 1, 0, 2, "zeros")                        # output length exactly 1
    # refusals
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (2, 2), "same", (1, 1), "zeros")
    add(1, 1, 1, 1, 3, (1, 8), 2, "same", 1, "reflect")
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (0, 0), (1, 1), (1, 1), "zeros")
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (1, 1), (-1, -1), (1, 1), "zeros")
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (1, 1), (1, 1), (0, 0), "zeros")
    add(2, 4, 6, 4, (3, 3), (4, 8, 8), (1, 1), (1, 1), (1, 1), "zeros")   # groups does not divide C_out
    add(2, 6, 4, 4, (3, 3), (6, 8, 8), (1, 1), (1, 1), (1, 1), "zeros")   # groups does not divide C_in
    add(2, 3, 2, 1, (3, 3), (2, 8, 8), (1, 1), (1, 1), (1, 1), "zeros")   # channel mismatch
    add(2, 1, 1, 1, (5, 5), (1, 3, 3), (1, 1), (0, 0), (1, 1), "zeros")   # smaller than the kernel
    add(2, 1, 1, 1, (3, 3), (1, 4, 4), (1, 1), (0, 0), (2, 2), "zeros")   # smaller than the dilated kernel
    add(1, 1, 1, 1, 3, (1, 2), 1, 0, 1, "zeros")
    add(2, 1, 1, 1, (3, 3), (1, 2, 5), (1, 1), (2, 2), (1, 1), "reflect")  # reflect padding >= height
    add(2, 1, 1, 1, (3, 3), (1, 2, 5), (1, 1), (3, 3), (1, 1), "circular")  # circular padding > height
    # dilation 3
    add(2, 1, 1, 1, (3, 3), (1, 9, 9), (1, 1), (0, 0), (3, 3), "zeros")
    add(2, 2, 2, 1, (3, 3), (2, 10, 11), (2, 2), (4, 4), (3, 3), "zeros")
    add(2, 1, 1, 1, (3, 3), (1, 8, 9), (1, 3), (0, 1), (3, 1), "zeros")
    add(2, 1, 1, 1, (2, 2), (1, 5, 5), (1, 1), "same", (3, 3), "reflect")
    add(1, 1, 1, 1, 4, (1, 10), 1, "same", 3, "replicate")
    add(1, 1, 1, 1, 3, (1, 7), 1, 0, 3, "zeros")                          # output length exactly 1
    add(1, 1, 1, 1, 3, (1, 6), 1, 0, 3, "zeros")                          # smaller than the dilated kernel
    # same with a kernel larger than the input; valid with stride or a padding mode
    add(2, 1, 1, 1, (5, 5), (1, 3, 3), (1, 1), "same", (1, 1), "zeros")
    add(2, 1, 1, 1, (5, 5), (1, 2, 2), (1, 1), "same", (1, 1), "reflect")   # reflect padding 2 >= 2
    add(2, 1, 1, 1, (5, 5), (1, 2, 2), (1, 1), "same", (1, 1), "circular")  # circular padding 2 == 2
    add(2, 1, 1, 1, (7, 7), (1, 2, 2), (1, 1), "same", (1, 1), "circular")  # circular padding 3 > 2
    add(2, 1, 1, 1, (7, 7), (1, 2, 2), (1, 1), "same", (1, 1), "replicate")
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (2, 2), "valid", (1, 1), "zeros")
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (1, 1), "valid", (1, 1), "reflect")
    # more refusals
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (1, 1), "full", (1, 1), "zeros")     # unknown padding string
    add(1, 1, 1, 1, 3, (1, 8), 1, "half", 1, "zeros")                       # unknown padding string
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (1, 1), (1, 1), (1, 1), "constant")  # unknown padding mode
    add(2, 2, 2, 0, (3, 3), (2, 8, 8), (1, 1), (1, 1), (1, 1), "zeros")     # groups 0
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (-1, -1), (1, 1), (1, 1), "zeros")  # negative stride
    add(1, 1, 1, 1, 3, (1, 8), 0, 1, 1, "zeros")                            # stride 0, 1-D
    add(1, 2, 1, 1, 3, (3, 8), 1, 1, 1, "zeros")                            # channel mismatch, 1-D
    add(1, 1, 1, 1, 3, (1, 4), 1, 4, 1, "reflect")                          # reflect padding = length
    add(1, 1, 1, 1, 3, (1, 4), 1, 4, 1, "circular")                         # circular padding = length
    add(1, 1, 1, 1, 3, (1, 4), 1, 5, 1, "circular")                         # circular padding > length
    # surprising: torch refuses negative padding only for zeros; the other modes crop through F.pad
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (1, 1), (-1, -1), (1, 1), "reflect")
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (1, 1), (-1, -1), (1, 1), "replicate")
    add(2, 1, 1, 1, (3, 3), (1, 8, 8), (1, 1), (-1, -1), (1, 1), "circular")
    with open(os.path.join(GOLDEN, "pytorch-output-sizes.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["dims", "c_in", "c_out", "groups", "kernel", "input", "stride", "padding", "dilation", "padding_mode", "result", "torch_message"])
        w.writerows(rows)


def default_weights():
    """Sobel x and y on luminance: (2, 3, 3, 3), so the default kernel applies to RGB photographs."""
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
    luma = np.array([0.299, 0.587, 0.114])
    w = np.stack([luma[:, None, None] * sobel_x, luma[:, None, None] * sobel_x.T])
    np.save(os.path.join(ROOT, "conf/default-weights.npy"), w)
    return w


def samples(w):
    """Real photographs from Debian's scikit-image data, an ECG from SciPy, and PIL's decoding of them."""
    from PIL import Image
    import skimage.data
    images = os.path.join(ROOT, "data/images")
    os.makedirs(images, exist_ok=True)
    Image.fromarray(skimage.data.astronaut()).save(os.path.join(images, "astronaut.png"))          # 512x512
    Image.fromarray(skimage.data.coffee()).save(os.path.join(images, "coffee.jpg"), quality=90)     # 400x600
    Image.fromarray(skimage.data.chelsea()).save(os.path.join(images, "chelsea.png"))              # 300x451
    try:
        # scipy.misc reads the ecg.dat that SciPy 1.10 ships; scipy.datasets would download it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from scipy.misc import electrocardiogram
            ecg = electrocardiogram()[:8000].astype(np.float64)[None]   # first 8000 samples (22.2 s)
        os.makedirs(os.path.join(ROOT, "data/signals"), exist_ok=True)
        np.save(os.path.join(ROOT, "data/signals/ecg.npy"), ecg)
    except Exception as e:  # noqa: BLE001
        print("no ECG recording available offline:", e, file=sys.stderr)
    dec = os.path.join(GOLDEN, "decode")
    os.makedirs(dec, exist_ok=True)
    names = sorted(os.listdir(images))
    for name in names:
        x = np.asarray(Image.open(os.path.join(images, name)).convert("RGB"), dtype=np.float64).transpose(2, 0, 1)
        with open(os.path.join(dec, name + ".sums.csv"), "w") as f:
            f.write("channel,sum\n" + "".join(f"{c},{x[c].sum():.1f}\n" for c in range(3)))
        np.save(os.path.join(dec, name + ".crop.npy"), np.ascontiguousarray(x[:, :16, :16]))
    first = names[0]
    x = np.asarray(Image.open(os.path.join(images, first)).convert("RGB"), dtype=np.float64).transpose(2, 0, 1)
    y = nn.functional.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w), padding=1)[0].numpy()
    np.save(os.path.join(dec, "expected-photo-conv.npy"), np.ascontiguousarray(y[:, :32, :32]))
    with open(os.path.join(dec, "expected-photo-conv.txt"), "w") as f:
        f.write(f"{first}: conf/default-weights.npy, padding 1, output cropped to [:, :32, :32]\n")


if __name__ == "__main__":
    os.makedirs(GOLDEN, exist_ok=True)
    cases()
    sizes()
    samples(default_weights())
    print("golden data written under", GOLDEN, file=sys.stderr)
