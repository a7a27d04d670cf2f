#!/usr/bin/env bash
# `make lint`, and the first step of `make test`: ruff (lint, format) and mypy, settings in pyproject.toml.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
fail() { echo "lint: $1 failed. Run \`make format\` (ruff's fixes and formatting), fix the rest by hand, then \`make lint\`." >&2; exit 1; }
$PY -m ruff check --quiet . || fail "ruff check"
$PY -m ruff format --check --quiet . || fail "ruff format --check"
$PY -m mypy || fail "mypy"
