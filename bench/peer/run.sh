#!/usr/bin/env bash
# Runs the PyTorch CPU peer benchmark; creates bench/peer/.venv (torch CPU) on first use.
# Usage: bench/peer/run.sh [--size 256] [--batch 4] [--repeats 5] [--json] [--check] ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
if ! "$venv/bin/python" -c 'import torch' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  pip_args=()
  # On the workplace machines the local mirror is the only reachable Python index: use it
  # directly so pip does not wait on retries to an unreachable public index.
  if [ -d /opt/pypi/simple ]; then pip_args+=(--index-url file:///opt/pypi/simple); fi
  if [ -d /opt/wheels ]; then pip_args+=(--find-links /opt/wheels); fi
  # CPU build only: the peer is compared with the TensorFlow.js engine on the same CPU.
  "$venv/bin/pip" install --quiet "${pip_args[@]}" torch numpy >&2
  if "$venv/bin/python" -c 'import torch,sys; sys.exit(0 if torch.version.cuda is None else 1)'; then :; else
    echo "warning: installed torch is a CUDA build; the peer benchmark is meant for the CPU build" >&2
  fi
fi
exec "$venv/bin/python" "$here/bench_torch.py" "$@"
