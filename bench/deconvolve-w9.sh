#!/usr/bin/env bash
# W9 of issue 20: 24 blurred 512x512 gray .npy photos, 20 Richardson-Lucy iterations, by `bin/tconv deconvolve`
# (Spark local[2]) and by scikit-image in a Pool(2) (bench/deconvolve_skimage.py), alternately, RUNS times each,
# for a PSF of PSF x PSF; prints every run, the medians and the largest difference between the two results.
#
#   bench/deconvolve-w9.sh [PSF=5] [RUNS=3] [DIR=/dev/shm/tconv-w9]
set -euo pipefail
cd "$(dirname "$0")/.."
K="${1:-5}"; RUNS="${2:-3}"; DIR="${3:-/dev/shm/tconv-w9}/psf$K"
[[ -f "$DIR/psf.npy" ]] || /usr/bin/python3 bench/deconvolve_skimage.py make "$DIR" 24 "$K"
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
: > "$DIR/tconv.job"; : > "$DIR/tconv.wall"; : > "$DIR/skimage.job"
for run in $(seq "$RUNS"); do
  rm -rf "$DIR/out-tconv" "$DIR/out-skimage"
  t0=$(date +%s.%N)
  bin/tconv deconvolve --master 'local[2]' --quiet --input "$DIR/in" --psf "$DIR/psf.npy" --iterations 20 --format npy \
    --output "$DIR/out-tconv" | tee "$DIR/tconv.log" | sed -n 's/.* in job \([0-9.]*\) s, .*/\1/p' >> "$DIR/tconv.job"
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc >> "$DIR/tconv.wall"
  /usr/bin/python3 bench/deconvolve_skimage.py run "$DIR" "$DIR/out-skimage" 20 2 | sed -n 's/^seconds: //p' >> "$DIR/skimage.job"
  echo "run $run: tconv $(tail -1 "$DIR/tconv.job") s job ($(tail -1 "$DIR/tconv.wall") s wall), scikit-image Pool(2) $(tail -1 "$DIR/skimage.job") s"
done
/usr/bin/python3 - "$DIR/out-tconv" "$DIR/out-skimage" <<'PY'
import glob, os, sys
import numpy as np
a_dir, b_dir = sys.argv[1:]
worst = max(float(np.abs(np.load(a) - np.load(os.path.join(b_dir, os.path.basename(a)))).max() / np.abs(np.load(a)).max())
            for a in glob.glob(os.path.join(a_dir, "*.npy")))
print("outputs: %d files, largest difference tconv vs scikit-image %.2e relative" % (len(glob.glob(os.path.join(a_dir, "*.npy"))), worst))
PY
tj=$(median < "$DIR/tconv.job"); sj=$(median < "$DIR/skimage.job")
echo "W9 psf ${K}x${K}, medians of $RUNS: tconv $tj s job ($(median < "$DIR/tconv.wall") s wall), scikit-image Pool(2) $sj s; scikit-image/tconv = $(echo "scale=2; $sj / $tj" | bc)"
