#!/usr/bin/python3
"""PIL's decode rate on one thread, timed as org.tconv.bench.DecodeRate times tconv: every file of DIR read
into memory first, one unclocked warm-up pass, then PASSES passes of Image.open(...).convert('RGB' or 'L')
(PIL's decode and, for RGB files, no conversion beyond the copy convert makes), rate = pixels / median pass.
Needs Debian's python3-pil.

  /usr/bin/python3 bench/pil_decode_rate.py DIR [PASSES=5]
"""
import io
import os
import statistics
import sys
import time

from PIL import Image

d = sys.argv[1]
passes = int(sys.argv[2]) if len(sys.argv) > 2 else 5
files = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d)) if os.path.isfile(os.path.join(d, f))]


def one_pass():
    px = 0
    for b in files:
        im = Image.open(io.BytesIO(b))
        im = im.convert("L" if im.mode in ("L", "1", "I;16") else "RGB")
        px += im.size[0] * im.size[1]
    return px


pixels = one_pass()
times = []
for _ in range(passes):
    t0 = time.perf_counter()
    one_pass()
    times.append(time.perf_counter() - t0)
m = statistics.median(times)
print("%s: %d files, %.1f Mpixel, PIL %s: median pass %.3f s = %.1f Mpixel/s (passes %s)"
      % (d, len(files), pixels / 1e6, Image.__version__, m, pixels / m / 1e6, " ".join("%.3f" % t for t in times)))
