#!/usr/bin/python3
"""The JPEG corpus of NativeJpegTest and its goldens: PIL's pixels for each file.

Writes src/test/resources/golden/jpeg/NAME.jpg and NAME.npy, the array PIL gives for the file:
np.asarray(Image.open(f).convert('L' or 'RGB')) as uint8, moved to (C, H, W), the layout tconv decodes to.
The files are crops of the sample photos in data/images, made by PIL's encoder and by libjpeg-turbo's
cjpeg (restart markers, arithmetic coding, RGB JPEGs, other sampling factors, which PIL's encoder cannot
write), covering baseline and progressive, 4:4:4 / 4:2:2 / 4:2:0 / 4:4:0 / 4:1:1, gray, restart intervals,
an embedded ICC profile, and sizes that are not multiples of the MCU.

Needs Debian's python3-pil and numpy, and cjpeg from libjpeg-turbo-progs; nothing in the build or the tests
runs this script. Run from anywhere:  /usr/bin/python3 src/test/python/make_jpeg_corpus.py
"""
import io
import os
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageCms, features

home = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
out = os.path.join(home, "src/test/resources/golden/jpeg")
os.makedirs(out, exist_ok=True)
astronaut = Image.open(os.path.join(home, "data/images/astronaut.png")).convert("RGB")
chelsea = Image.open(os.path.join(home, "data/images/chelsea.png")).convert("RGB")
coffee = Image.open(os.path.join(home, "data/images/coffee.jpg")).convert("RGB")


def crop(img, x, y, w, h):
    return img.crop((x, y, x + w, y + h))


def pil(name, img, **options):
    buf = io.BytesIO()
    img.save(buf, "JPEG", **options)
    write(name, buf.getvalue())


def cjpeg(name, img, *args):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "in.pgm" if img.mode == "L" else "in.ppm")
        img.save(src)
        data = subprocess.run(["cjpeg", *args, src], check=True, capture_output=True).stdout
    write(name, data)


def write(name, data):
    with open(os.path.join(out, name + ".jpg"), "wb") as f:
        f.write(data)
    im = Image.open(io.BytesIO(data))
    px = np.asarray(im.convert("L" if im.mode in ("L", "1") else "RGB"), dtype=np.uint8)
    px = px[None] if px.ndim == 2 else px.transpose(2, 0, 1)
    np.save(os.path.join(out, name + ".npy"), np.ascontiguousarray(px))
    print("%-28s %5d bytes  %-4s %s" % (name, len(data), im.mode, px.shape))


face = crop(astronaut, 160, 60, 96, 64)
cat = crop(chelsea, 120, 40, 128, 96)
cup = crop(coffee, 200, 100, 80, 64)

pil("baseline-420-q90", face, quality=90, subsampling=2)
pil("baseline-422-q85", cat, quality=85, subsampling=1)
pil("baseline-444-q95", cup, quality=95, subsampling=0)
pil("baseline-444-q100", face, quality=100, subsampling=0)
pil("baseline-420-q50", cat, quality=50, subsampling=2)
pil("progressive-420", cat, quality=90, progressive=True)
pil("progressive-444", cup, quality=85, subsampling=0, progressive=True)
pil("optimized-huffman", face, quality=80, optimize=True)
pil("gray", cat.convert("L"), quality=90)
pil("gray-progressive", face.convert("L"), quality=85, progressive=True)
pil("odd-17x13-420", crop(astronaut, 200, 100, 17, 13), quality=90)
pil("odd-17x13-422", crop(chelsea, 150, 90, 17, 13), quality=90, subsampling=1)
pil("odd-33x7-444", crop(coffee, 250, 120, 33, 7), quality=90, subsampling=0)
pil("odd-1x1", crop(coffee, 10, 10, 1, 1), quality=90)
pil("odd-7x31-gray", crop(astronaut, 30, 40, 7, 31).convert("L"), quality=90)
srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
pil("icc-srgb", cup, quality=90, icc_profile=srgb)
cjpeg("restart-rows", cat, "-quality", "88", "-restart", "1")
cjpeg("restart-blocks", face, "-quality", "88", "-restart", "3B")
cjpeg("arithmetic", cat, "-quality", "90", "-arithmetic")
cjpeg("arithmetic-progressive", face, "-quality", "90", "-arithmetic", "-progressive")
cjpeg("rgb-no-ycc", cup, "-quality", "90", "-rgb")
cjpeg("sample-440", cat, "-quality", "90", "-sample", "1x2")
cjpeg("sample-411", face, "-quality", "90", "-sample", "4x1")
cjpeg("restart-progressive-odd", crop(chelsea, 33, 21, 51, 37), "-quality", "75", "-progressive", "-restart", "2")
pil("photo-256x192", crop(chelsea, 60, 20, 256, 192), quality=92)

# How PIL treats a JPEG cut short, which tconv follows (ImageDecoder's javadoc): printed, not stored.
data = open(os.path.join(out, "baseline-422-q85.jpg"), "rb").read()
for cut, what in ((len(data) // 2, "half the file"), (len(data) - 2, "all but the EOI marker")):
    try:
        Image.open(io.BytesIO(data[:cut])).load()
        print("PIL decodes %s" % what)
    except OSError as e:
        print("PIL refuses %s: %s" % (what, e))
print("PIL %s, libjpeg-turbo %s" % (Image.__version__, features.version("libjpeg_turbo")))
