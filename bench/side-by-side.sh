#!/usr/bin/env bash
# Times our engine and the paper's PyTorch model back to back on the same
# machine, for bench/RESULTS.md. Run it on an otherwise idle machine: the two
# cores are shared by everything, and a busy neighbour halves either figure.
#   bench/side-by-side.sh [OUT_DIR]      (default bench/out)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/out}"
mkdir -p "$out"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores)"
  echo "node: $(node --version)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"
# Ours: native TensorFlow backend, the paper's layout at width 1, 256 px.
node bin/glaucoma-studio.mjs bench --backend tensorflow --arch paper --width 1 --size 256 --batch 4 --repeats 3 --json | tee "$out/ours.json"
# The same without TensorFlow's fused batch-norm/ReLU kernels (tfjs's composed ones), for the before/after of that change.
GLAUCOMA_STUDIO_FUSED_KERNELS=0 node bin/glaucoma-studio.mjs bench --backend tensorflow --arch paper --width 1 --size 256 --batch 4 --repeats 3 --screening none --json | tee "$out/ours-composed-kernels.json"
# The paper's PyTorch model, as its code runs it (batch statistics at test time), then with running statistics.
bench/peer/run.sh --size 256 --batch 4 --repeats 3 --train-repeats 3 --infer-formats nchw,channels_last --train-formats nchw --json | tail -1 | tee "$out/torch-bn-batch.json"
bench/peer/run.sh --size 256 --batch 4 --repeats 3 --train-repeats 1 --bn running --infer-formats nchw,channels_last --skip-train --json | tail -1 | tee "$out/torch-bn-running.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
