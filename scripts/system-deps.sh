#!/usr/bin/env bash
# Installs the Debian packages that the tests use, when missing: PostgreSQL, Redis, nginx, Chromium (+ driver), tmux.
# Without root or apt-get it only reports what is missing; the tests that need a missing part are then skipped.
set -uo pipefail
need=()
[ -x "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)/initdb" ] || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v tmux >/dev/null || need+=(tmux)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing test dependencies: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || echo "warning: could not install ${need[*]}; tests that need them will be skipped"
  # Debian starts these services on install; the tests run their own on loopback ports.
  for s in postgresql redis-server nginx; do service "$s" stop >/dev/null 2>&1 || true; done
else
  echo "note: ${need[*]} not installed (needs root and apt-get); tests that need them will be skipped"
fi
exit 0
