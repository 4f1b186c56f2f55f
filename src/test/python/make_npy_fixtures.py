#!/usr/bin/env python3
"""Small .npy files written by real numpy, for NpyArrayTest (which never runs Python).

Rerun from the repository root (needs python3-numpy):
    /usr/bin/python3 src/test/python/make_npy_fixtures.py

Every array holds k at C-order position k (possibly cast: negative for signed types, see VALUES), so the
test knows each expected value without a second file.
"""
import io
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "npy")

# C-order position k holds VALUES[k % len(VALUES)]: extremes of the narrow types, negatives, fractions.
VALUES = [0, 1, -1, 127, -128, 255, 100, -7, 3.5, 1e6]


def values(dtype, n):
    v = np.array([VALUES[k % len(VALUES)] for k in range(n)], dtype=np.float64)
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is not None:
        v = np.clip(np.trunc(v), info.min, info.max)
    return v.astype(dtype)


def save(name, a, version=None):
    path = os.path.join(OUT, name)
    if version is None:
        np.save(path, a)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, a, version=version)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy"):
            os.remove(os.path.join(OUT, f))
    for t in ["f4", "f8", "i1", "u1", "i2", "u2", "i4", "i8"]:
        for order in "<>":
            dt = np.dtype(order + t)
            name = f"{t}-{'le' if order == '<' else 'be'}-2x5.npy"
            if dt.itemsize == 1 and order == ">":
                continue
            save(name, values(dt, 10).reshape(2, 5))
    # Fortran order: the C-order position k still holds k after reading
    save("f8-fortran-2x3x4.npy", np.asfortranarray(np.arange(24, dtype="<f8").reshape(2, 3, 4)))
    save("i2-fortran-be-3x5.npy", np.asfortranarray(np.arange(15, dtype=">i2").reshape(3, 5)))
    save("f8-scalar.npy", np.float64(42.5))
    save("f8-empty-0x3.npy", np.zeros((0, 3)))
    save("f8-v2-4.npy", np.arange(4, dtype="<f8"), version=(2, 0))
    save("f4-v3-2x2.npy", np.arange(4, dtype="<f4").reshape(2, 2), version=(3, 0))
    # what NpyArray.toBytes must reproduce byte for byte
    save("written-f8-3x4.npy", np.arange(12, dtype="<f8").reshape(3, 4))
    save("written-f8-5.npy", np.arange(5, dtype="<f8"))
    save("written-f8-scalar.npy", np.float64(7.0))
    # what tconv writes for --dtype f32 results
    save("written-f4-3x4.npy", (np.arange(12, dtype="<f4") / 3).reshape(3, 4))
    # refused dtypes
    save("refused-c16.npy", np.arange(3, dtype=np.complex128))
    save("refused-bool.npy", np.array([True, False]))
    save("refused-str.npy", np.array(["ab", "c"]))
    save("refused-u4.npy", np.arange(3, dtype="<u4"))
    save("refused-structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i2")]))


if __name__ == "__main__":
    main()
