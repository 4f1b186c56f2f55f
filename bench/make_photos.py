#!/usr/bin/python3
"""The input-layouts bench's data: N JPEGs of real-photo size made from the sample photos in data/images
(random crops, flips and resizes to 640x480 .. 1280x960, quality 90), written three ways:
  OUT/loose/NNNNNN.jpg            loose files
  OUT/shards/shard-0000K.tar      8 uncompressed WebDataset shards, each sample NNNNNN.jpg + NNNNNN.cls
  OUT/weights.npy                 (1, 3, 3, 3) float64: a Sobel-x filter on luminance
The Parquet table is made from OUT/loose by bench/MakeImageTable.java (Spark writes it).
Needs Debian's python3-opencv and numpy; nothing in the build uses this script.

  /usr/bin/python3 bench/make_photos.py OUT [N=2000] [SHARDS=8]
"""
import io
import os
import sys
import tarfile

import cv2
import numpy as np

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
shards = int(sys.argv[3]) if len(sys.argv) > 3 else 8
home = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sources = [cv2.imread(os.path.join(home, "data/images", f)) for f in ("astronaut.png", "chelsea.png", "coffee.jpg")]
rng = np.random.default_rng(2026)
os.makedirs(os.path.join(out, "loose"), exist_ok=True)
os.makedirs(os.path.join(out, "shards"), exist_ok=True)
tars = [tarfile.open(os.path.join(out, "shards", "shard-%05d.tar" % k), "w", format=tarfile.PAX_FORMAT) for k in range(shards)]
per_shard = (n + shards - 1) // shards
total_bytes = 0
pixels = 0
for i in range(n):
    src = sources[i % len(sources)]
    h, w = src.shape[:2]
    # a crop of 60..100% of each side, then resized to a photo's size, landscape or portrait
    ch, cw = int(h * rng.uniform(0.6, 1.0)), int(w * rng.uniform(0.6, 1.0))
    y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
    crop = src[y:y + ch, x:x + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    long_side = int(rng.uniform(640, 1280))
    size = (long_side, long_side * 3 // 4) if rng.random() < 0.75 else (long_side * 3 // 4, long_side)
    img = cv2.resize(np.ascontiguousarray(crop), size, interpolation=cv2.INTER_CUBIC)
    ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    data = jpg.tobytes()
    total_bytes += len(data)
    pixels += size[0] * size[1]
    key = "%06d" % i
    with open(os.path.join(out, "loose", key + ".jpg"), "wb") as f:
        f.write(data)
    t = tars[i // per_shard]
    for name, payload in ((key + ".jpg", data), (key + ".cls", str(i % len(sources)).encode())):
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        t.addfile(info, io.BytesIO(payload))
for t in tars:
    t.close()
sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
lum = np.array([0.299, 0.587, 0.114])
np.save(os.path.join(out, "weights.npy"), (lum[:, None, None] * sobel[None])[None])
print("%d JPEGs, %.1f MB, %.2f Mpixel mean, in %d shards under %s" % (n, total_bytes / 1e6, pixels / n / 1e6, shards, out))
