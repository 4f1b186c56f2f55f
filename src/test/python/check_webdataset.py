"""Reads the tar shards of `tconv run --format webdataset` with Python's own tarfile, as WebDataset users
would, and checks each sample: its .npy loads with numpy, equals the .npy that `--format npy` wrote for the
same input (when that output is given), and its other members sit right after it under the same key.

    python3 src/test/python/check_webdataset.py WDS_OUTPUT [NPY_OUTPUT]

Not part of the build (no test needs Python); run by hand on the outputs of a job.
"""
import io
import os
import sys
import tarfile

import numpy as np


def key_of(name):
    folder, _, base = name.rpartition("/")
    k = base.split(".", 1)[0]
    return folder + "/" + k if folder else k


def main(wds, npy_out=None):
    samples = 0
    for root, _, files in os.walk(wds):
        for f in sorted(files):
            if not f.endswith(".tar"):
                continue
            path = os.path.join(root, f)
            with tarfile.open(path) as t:
                members = t.getmembers()
                keys_seen = []
                for m in members:
                    assert m.isfile(), (path, m.name)
                    k = key_of(m.name)
                    if not keys_seen or keys_seen[-1] != k:
                        assert k not in keys_seen, f"{path}: sample {k} is split"
                        keys_seen.append(k)
                    if m.name.endswith(".npy"):
                        a = np.load(io.BytesIO(t.extractfile(m).read()))
                        assert a.dtype == np.float64 and a.ndim >= 2, (path, m.name, a.dtype, a.shape)
                        samples += 1
                        if npy_out is not None and not f.startswith("part-"):
                            rel = os.path.relpath(path, wds)[: -len(".tar")]
                            b = np.load(os.path.join(npy_out, rel, m.name))
                            assert np.array_equal(a, b), (path, m.name)
    print(f"check_webdataset: {samples} sample(s) in {wds} read with tarfile and numpy: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
