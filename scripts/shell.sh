#!/usr/bin/env bash
# `make shell`: rasa shell for CBP staff, with the action server running beside it (stopped on exit), and the staff
# commands /why, /save and /help, and /es and /en to choose the language (bot/staff_console.py; docs/staff-console.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${ACTION_PORT:-5055}"
export ACTION_ENDPOINT_URL="http://127.0.0.1:${PORT}/webhook" SANIC_HOST=127.0.0.1 TF_CPP_MIN_LOG_LEVEL=2
mkdir -p var/log
# The project's action server (actions answer in the conversation's language), on loopback, without a token: the shell
# sends none.
ACTION_HOST=127.0.0.1 ACTION_SERVER_TOKEN='' $PY -m bot.runtime.action_server --port "$PORT" >> var/log/shell-actions.log 2>&1 &
ACTIONS=$!
trap 'kill $ACTIONS 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:${PORT}/health" >/dev/null 2>&1 && break
  kill -0 $ACTIONS 2>/dev/null || { echo "The action server stopped; see var/log/shell-actions.log"; exit 1; }
  sleep 0.5
done
echo "Loading the model (about half a minute)... Type /help for the staff commands, /stop to quit."
$PY -m bot.staff_console shell --model bot/models/cee-guide.tar.gz --endpoints endpoints.yml --quiet \
  --interface 127.0.0.1 --port "${SHELL_RASA_PORT:-5006}" "$@"
