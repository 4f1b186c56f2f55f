#!/usr/bin/python3
"""JPEG decoding on one thread by PIL (libjpeg-turbo) over every .jpg of a folder: the decode rate the
bench's bound uses (bin/tconv bench --workload W8). Files are read into memory first; the best of 3 passes
after one warm-up. Needs Debian's python3-pil; nothing in the build uses this script.

  /usr/bin/python3 bench/decode_rate.py FOLDER
prints  mpixel_per_s: X
"""
import glob
import io
import os
import sys
import time

from PIL import Image

files = sorted(glob.glob(os.path.join(sys.argv[1], "*.jpg")))
data = [open(f, "rb").read() for f in files]
pixels = 0
best = float("inf")
for run in range(4):
    t0 = time.perf_counter()
    px = 0
    for b in data:
        im = Image.open(io.BytesIO(b))
        im.load()  # the decode itself
        px += im.width * im.height
    s = time.perf_counter() - t0
    if run > 0:
        best = min(best, s)
    pixels = px
print("files: %d, pixels: %d, seconds: %.4f" % (len(data), pixels, best))
print("mpixel_per_s: %.2f" % (pixels / best / 1e6))
