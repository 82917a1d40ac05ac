#!/usr/bin/env bash
# The forgetting bound (docs/finetune.md): fine-tune the bundled model on another
# camera's images with and without distilling the parent, then score parent and
# children on the 51 Drishti-GS1 test images (never trained on by any of them).
#   bash bench/finetune/forgetting.sh NAME DATA_SPEC [OUT] [extra finetune flags]
# e.g. NAME=roi DATA_SPEC=manifest:/tmp/roi-other/manifest.csv
set -euo pipefail
name=$1; data=$2; out=${3:-bench/out/forgetting}; shift 3 || shift $#
root=$(cd "$(dirname "$0")/../.." && pwd)
gs() { node "$root/bin/glaucoma-studio.mjs" "$@"; }
drishti=${DRISHTI:-$root/../shared/data/drishti-gs1}
mkdir -p "$out"
if [ ! -f "$out/parent/metrics.json" ]; then gs evaluate --data "drishti:$drishti" --model "$root/resources/model" --split test --out "$out/parent"; fi
for distill in ${DISTILLS:-0 1}; do
  run="$out/$name${TAG:-}-distill$distill"
  if [ ! -f "$run/model/model.json" ]; then
    gs finetune --model "$root/resources/model" --data "$data" --splits all --holdout-fraction 0 --distill $distill --out "$run" "$@"
  fi
  gs evaluate --data "drishti:$drishti" --model "$run/model" --split test --out "$run/eval"
done
