#!/usr/bin/python3
"""Fixtures for reading weights from a safetensors checkpoint (--weights model.safetensors:conv1.weight).

safetensors is a small documented format (https://github.com/huggingface/safetensors, "Format"): an 8-byte
little-endian unsigned header length N, N bytes of JSON mapping each tensor name to its dtype, shape and
data_offsets (begin, end; relative to the first byte after the header), optionally "__metadata__", then the
raw little-endian tensors. Debian has no python3-safetensors, so this script writes the format itself with
json and struct, as the spec says; numpy gives the values and writes the same tensors as .npy (float64) for
the test to compare against. Nothing in the build runs this script.

    /usr/bin/python3 src/test/python/make_safetensors.py
"""
import json
import os
import struct

import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "safetensors")
os.makedirs(here, exist_ok=True)
rng = np.random.default_rng(19)

def bf16_bytes(a):
    # bfloat16 is the top half of a float32; these values are chosen representable, so nothing is rounded
    return (np.asarray(a, np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()

tensors = {
    "conv1.weight": ("F32", rng.standard_normal((2, 1, 3, 3)).astype(np.float32)),
    "conv1.bias": ("F32", rng.standard_normal(2).astype(np.float32)),
    "conv2.weight": ("F64", rng.standard_normal((4, 2, 3, 3))),
    "conv3.weight": ("F16", rng.standard_normal((1, 1, 2, 2)).astype(np.float16)),
    # bfloat16 values that are exact: small integers and halves
    "conv4.weight": ("BF16", (rng.integers(-8, 8, (1, 1, 3, 3)) / 2).astype(np.float32)),
}
header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
for name, (dtype, a) in tensors.items():
    b = bf16_bytes(a) if dtype == "BF16" else a.astype(a.dtype.newbyteorder("<")).tobytes()
    header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
    blobs.append(b)
    offset += len(b)
    np.save(os.path.join(here, name + ".npy"), np.asarray(a, np.float64))
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)   # the spec allows trailing spaces; writers pad to 8 bytes
with open(os.path.join(here, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
# one tensor only: the name may be left out
one = json.dumps({"w": {"dtype": "F64", "shape": [1, 1, 3], "data_offsets": [0, 24]}}).encode()
with open(os.path.join(here, "single.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(one)) + one + np.array([0.25, 0.5, 0.25], "<f8").tobytes())
