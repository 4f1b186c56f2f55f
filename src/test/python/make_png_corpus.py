#!/usr/bin/python3
"""The PNG corpus of NativePngTest and its goldens: PIL's pixels for each file.

Writes src/test/resources/golden/png/NAME.png and NAME.npy, the array PIL gives for the file:
np.asarray(Image.open(f).convert('L' or 'RGB')) as uint8, moved to (C, H, W). The kinds libpng decodes in
tconv (8-bit gray, gray+alpha, RGB, RGBA, not interlaced) from crops of data/images, written by PIL's encoder
(adaptive row filters, compression levels 0, 1, 6, 9) and by OpenCV's (libpng's own filter choice), with odd
sizes, a tRNS colour key and varying alpha.

Needs Debian's python3-pil, python3-opencv and numpy; nothing in the build or the tests runs this script.
  /usr/bin/python3 src/test/python/make_png_corpus.py
"""
import io
import os

import cv2
import numpy as np
from PIL import Image

home = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
out = os.path.join(home, "src/test/resources/golden/png")
os.makedirs(out, exist_ok=True)
astronaut = Image.open(os.path.join(home, "data/images/astronaut.png")).convert("RGB")
chelsea = Image.open(os.path.join(home, "data/images/chelsea.png")).convert("RGB")


def crop(img, x, y, w, h):
    return img.crop((x, y, x + w, y + h))


def write(name, data):
    with open(os.path.join(out, name + ".png"), "wb") as f:
        f.write(data)
    im = Image.open(io.BytesIO(data))
    px = np.asarray(im.convert("L" if im.mode in ("L", "LA") else "RGB"), dtype=np.uint8)
    px = px[None] if px.ndim == 2 else px.transpose(2, 0, 1)
    np.save(os.path.join(out, name + ".npy"), np.ascontiguousarray(px))
    print("%-24s %6d bytes  %-4s %s" % (name, len(data), im.mode, px.shape))


def pil(name, img, **options):
    buf = io.BytesIO()
    img.save(buf, "PNG", **options)
    write(name, buf.getvalue())


def opencv(name, img):
    a = np.asarray(img)
    if a.ndim == 3:
        a = cv2.cvtColor(a, cv2.COLOR_RGBA2BGRA if a.shape[2] == 4 else cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(".png", a)
    assert ok
    write(name, data.tobytes())


face = crop(astronaut, 160, 60, 96, 64)
cat = crop(chelsea, 120, 40, 128, 96)
alpha = Image.fromarray(np.tile(np.arange(96, dtype=np.uint8)[None, :] * 2, (64, 1)))

pil("rgb", face)
pil("rgb-level0", cat, compress_level=0)
pil("rgb-level1", face, compress_level=1)
pil("rgb-level9", cat, compress_level=9)
pil("rgb-optimize", face, optimize=True)
pil("rgba", Image.merge("RGBA", (*face.split(), alpha)))
pil("gray", cat.convert("L"))
pil("gray-alpha", Image.merge("LA", (face.convert("L"), alpha)))
pil("rgb-trns", face, transparency=(10, 20, 30))
pil("odd-17x13", crop(astronaut, 200, 100, 17, 13))
pil("odd-1x1", crop(chelsea, 5, 5, 1, 1))
pil("odd-7x31-gray", crop(astronaut, 30, 40, 7, 31).convert("L"))
opencv("opencv-rgb", cat)
opencv("opencv-rgba", Image.merge("RGBA", (*face.split(), alpha)))
opencv("opencv-gray", face.convert("L"))
pil("photo-256x192", crop(chelsea, 60, 20, 256, 192))
