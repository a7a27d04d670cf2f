#!/usr/bin/env bash
# Two CEE Guide Rasa servers behind nginx, with PostgreSQL (tracker store), Redis (lock store) and the action server,
# all from Debian packages on 127.0.0.1. Usage: deploy/scale-out.sh start|stop|status [--dir DIR] [--free-ports]
# See deploy/scale_out.py for the details, and docs/scale-out.md for Kubernetes.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "run 'make setup' (or 'make run') first" >&2; exit 1; }
exec .venv/bin/python -m deploy.cli "$@"
