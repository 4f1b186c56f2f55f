#!/usr/bin/env bash
# The file-to-file comparison of the performance issue: W1 images stored as .npy shards of 1000, convolved
# and written back as .npy, by `bin/tconv run` (Spark local[2]) and by bench/pytorch_files.py (PyTorch,
# 2 threads), alternately, RUNS times each; prints every run and the medians. Needs Debian's python3-torch
# and python3-numpy for the PyTorch side; nothing in the build uses this script.
#
#   bench/file-job.sh [N_IMAGES=200000] [RUNS=3] [DIR=/tmp/tconv-file-job]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-200000}"; RUNS="${2:-3}"; DIR="${3:-/tmp/tconv-file-job}"
IN="$DIR/in-$N"
if [[ ! -f "$IN/weights.npy" ]]; then
  bin/tconv bench --write-shards "$IN" --workload W1 --images "$N" --shard-size 1000
fi
# Same start for both: outputs gone, dirty pages written, and (as root) the page cache dropped.
settle() { rm -rf "$DIR/out-tconv" "$DIR/out-torch"; sync; [[ -w /proc/sys/vm/drop_caches ]] && echo 3 > /proc/sys/vm/drop_caches || true; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
: > "$DIR/tconv.times"; : > "$DIR/torch.times"; : > "$DIR/tconv.job"; : > "$DIR/torch.job"
for run in $(seq "$RUNS"); do
  settle
  t0=$(date +%s.%N)
  bin/tconv run --master 'local[2]' --input "$IN/images" --weights "$IN/weights.npy" --bias "$IN/bias.npy" \
    --padding 2 --format npy --output "$DIR/out-tconv" | tee "$DIR/tconv.log" | grep -o 'in job [0-9.]* s' | tr -dc '0-9.\n' >> "$DIR/tconv.job"
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc >> "$DIR/tconv.times"
  mv "$DIR/out-tconv" "$DIR/kept-tconv"; settle; mv "$DIR/kept-tconv" "$DIR/out-tconv"
  t0=$(date +%s.%N)
  /usr/bin/python3 bench/pytorch_files.py "$IN" "$DIR/out-torch" --threads 2 | tee "$DIR/torch.log" \
    | sed -n 's/^seconds: \([0-9.]*\).*/\1/p' >> "$DIR/torch.job"
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc >> "$DIR/torch.times"
  echo "run $run: tconv $(tail -1 "$DIR/tconv.times") s wall ($(tail -1 "$DIR/tconv.job") s job), pytorch $(tail -1 "$DIR/torch.times") s wall ($(tail -1 "$DIR/torch.job") s in its loop)"
done
/usr/bin/python3 - "$DIR/out-tconv" "$DIR/out-torch" <<'PY'
import glob, os, sys
import numpy as np
a_dir, b_dir = sys.argv[1:]
worst = 0.0
for a in sorted(glob.glob(os.path.join(a_dir, "*.npy"))):
    x, y = np.load(a), np.load(os.path.join(b_dir, os.path.basename(a)))
    assert x.shape == y.shape and x.dtype == np.float64, (a, x.shape, y.shape, x.dtype)
    worst = max(worst, float(np.abs(x - y).max() / np.abs(y).max()))
print("outputs: %d files, largest difference tconv vs pytorch %.2e relative" % (len(glob.glob(os.path.join(a_dir, "*.npy"))), worst))
PY
tw=$(median < "$DIR/tconv.times"); pw=$(median < "$DIR/torch.times")
tj=$(median < "$DIR/tconv.job"); pj=$(median < "$DIR/torch.job")
echo "medians of $RUNS, $N images: tconv $tw s wall ($tj s job, $(echo "$N / $tw" | bc) images/s), pytorch $pw s wall ($pj s in its loop, $(echo "$N / $pw" | bc) images/s); pytorch/tconv wall = $(echo "scale=2; $pw / $tw" | bc)"
