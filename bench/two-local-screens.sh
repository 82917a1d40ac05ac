#!/bin/bash
# The machine's own two-process scaling, without any queue (docs/distributed.md, "The machine's own ceiling"):
# one single-thread `screen` of the ten REFUGE samples x5 (50 photographs), then the same 50 split in two halves
# screened by two single-thread `screen` processes at once. Run from the repository root: bash bench/two-local-screens.sh
set -euo pipefail
export TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=1
root=$(pwd)
G="node $root/bin/glaucoma-studio.mjs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/all" "$tmp/a" "$tmp/b"
i=0
for c in 0 1 2 3 4; do
  for f in $(find "$root/../shared/data/refuge-samples" -name '*.jpg' | sort); do
    i=$((i + 1))
    cp "$f" "$tmp/all/$c-$(basename "$f")"
    if [ $((i % 2)) -eq 0 ]; then cp "$f" "$tmp/a/$c-$(basename "$f")"; else cp "$f" "$tmp/b/$c-$(basename "$f")"; fi
  done
done
$G screen "$tmp/all" --out "$tmp/warm" --no-overlays > /dev/null 2>&1
t0=$(date +%s.%N); $G screen "$tmp/all" --out "$tmp/one" > /dev/null 2>&1; t1=$(date +%s.%N)
$G screen "$tmp/a" --out "$tmp/oa" > /dev/null 2>&1 & $G screen "$tmp/b" --out "$tmp/ob" > /dev/null 2>&1 & wait; t2=$(date +%s.%N)
python3 - "$tmp" "$t0" "$t1" "$t2" <<'PY'
import csv, sys
tmp, (t0, t1, t2) = sys.argv[1], map(float, sys.argv[2:])
def ms(d):
    rows = list(csv.DictReader(open(f'{tmp}/{d}/summary.csv')))
    return sum(float(r['Milliseconds']) for r in rows) / len(rows)
print(f"one process, 50 images: {t1 - t0:.1f} s, screening step {ms('one'):.0f} ms/image")
print(f"two processes at once, 25 each: {t2 - t1:.1f} s, screening step {ms('oa'):.0f} / {ms('ob'):.0f} ms/image")
print(f"two vs one: {(t1 - t0) / (t2 - t1):.2f}x")
PY
