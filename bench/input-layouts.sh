#!/usr/bin/env bash
# Issue 10's input-layouts bench: the same N real-photo-sized JPEGs (bench/make_photos.py: crops and resizes
# of the sample photos, 640x480 .. 1280x960) as loose files, as 8 uncompressed WebDataset shards and as a
# Parquet table (image struct<bytes, path> + label, 8 files, bench/MakeImageTable.java), each convolved by
# `bin/tconv run` (local[2], a Sobel-x filter on luminance, stride 4 so the outputs stay ~0.7 GB, .npy out),
# RUNS times in turn; prints every run with the load average and the medians as images/s (N / job seconds,
# and N / wall seconds with the JVM start). Needs Debian's python3-opencv for the data; nothing in the build
# uses this script. A measurement, not a test.
#
#   bench/input-layouts.sh [DIR=/tmp/tconv-input-layouts] [RUNS=3] [N=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-/tmp/tconv-input-layouts}"; RUNS="${2:-3}"; N="${3:-2000}"
if [[ ! -f "$DIR/weights.npy" ]]; then
  /usr/bin/python3 bench/make_photos.py "$DIR" "$N" 8
fi
bin/tconv --version > /dev/null # builds the jar (and target/tconv.classpath) if the sources changed
if [[ ! -f "$DIR/table/_SUCCESS" ]]; then
  FLAGS=$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' pom.xml)
  # shellcheck disable=SC2086
  java -Xmx6g $FLAGS -cp "target/classes:$(cat target/tconv.classpath)" bench/MakeImageTable.java "$DIR/loose" "$DIR/table" 8 2>/dev/null
fi
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
declare -A ARGS=(
  [loose]="--input $DIR/loose"
  [shards]="--input $DIR/shards"
  [table]="--input $DIR/table --image-column image"
)
LAYOUTS=(loose shards table)
for l in "${LAYOUTS[@]}"; do : > "$DIR/$l.job"; : > "$DIR/$l.wall"; done
for run in $(seq "$RUNS"); do
  for l in "${LAYOUTS[@]}"; do
    rm -rf "$DIR/out"; sync
    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    line=$(bin/tconv run --master 'local[2]' ${ARGS[$l]} --weights "$DIR/weights.npy" --stride 4 --format npy --output "$DIR/out")
    t1=$(date +%s.%N)
    echo "$line" | grep -q "$N image(s)" || { echo "run $run $l: not $N images: $line" >&2; exit 1; }
    job=$(echo "$line" | grep -o 'in job [0-9.]* s' | tr -dc '0-9.')
    wall=$(echo "$t1 - $t0" | bc)
    echo "$job" >> "$DIR/$l.job"; echo "$wall" >> "$DIR/$l.wall"
    echo "run $run $l: job $job s ($(echo "$N / $job" | bc) images/s), wall $wall s, load average before $load"
  done
done
rm -rf "$DIR/out"
echo "medians of $RUNS, $N JPEGs ($(du -sh "$DIR/loose" | cut -f1) as loose files):"
for l in "${LAYOUTS[@]}"; do
  j=$(median < "$DIR/$l.job"); w=$(median < "$DIR/$l.wall")
  echo "| $l | $j | $(echo "$N / $j" | bc) | $w | $(echo "$N / $w" | bc) |"
done
uptime
