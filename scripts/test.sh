#!/usr/bin/env bash
# `make test` after setup: lint and type checks (scripts/lint.sh, seconds), then the whole test suite. Reports go to results/.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONUNBUFFERED=1
mkdir -p results
bash scripts/lint.sh
exec .venv/bin/python -m pytest tests -ra -p no:cacheprovider "$@"
