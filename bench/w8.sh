#!/usr/bin/env bash
# The whole W8 comparison of issue 21 in one go: the photo folder (300 JPEGs, made once under
# target/bench/w8-300), as loose files (W8), 8 WebDataset shards (W8s) and a Parquet image table (W8t),
# file to file into npy and parquet, float32 and float64, by the real job; beside it, alternating with
# tconv's runs, the OpenCV and PyTorch scripts (bench/opencv_files.py, bench/pytorch_photos.py); each run's
# output deleted before the next; medians of RUNS; the machine's bound; the outputs checked against each
# other (bench/w8_check.py). Then the same W8 npy comparison with the outputs on the disk (DISK_DIR).
# Needs Debian's python3-opencv, -pil, -torch and -numpy for the peers; nothing in the build uses this.
#
#   bench/w8.sh [RUNS=3] [TMPFS_DIR=/dev/shm] [DISK_DIR=target/bench/w8-disk] [PEERS=opencv,pytorch]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"; SHM="${2:-/dev/shm}"; DISK="${3:-target/bench/w8-disk}"; PEERS="${4:-opencv,pytorch}"
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p target/bench "$DISK"
echo "== W8, W8s, W8t on tmpfs ($SHM), with $PEERS =="
bin/tconv bench --workload W8,W8s,W8t --dtype f32,f64 --format npy,parquet --peers "$PEERS" --check \
  --warmup 1 --runs "$RUNS" --output-dir "$SHM" --csv "target/bench/w8-tmpfs-$STAMP.csv"
echo "== W8 npy on the disk ($DISK), with opencv =="
bin/tconv bench --workload W8 --dtype f32,f64 --format npy --peers opencv \
  --warmup 1 --runs "$RUNS" --output-dir "$DISK" --csv "target/bench/w8-disk-$STAMP.csv"
