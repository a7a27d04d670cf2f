#!/bin/sh
# Copy the browser build of socket.io-client from node_modules into web/vendor/
# so that the page can load it from /vendor/socket.io.min.js (no CDN at run time).
# Idempotent: safe to run any number of times. Run `npm install` (or `npm ci`) first.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/node_modules/socket.io-client/dist"
dst="$here/vendor"
if [ ! -f "$src/socket.io.min.js" ]; then
  echo "vendor.sh: $src/socket.io.min.js not found; run 'npm ci' in $here first" >&2
  exit 1
fi
mkdir -p "$dst"
cp -f "$src/socket.io.min.js" "$dst/socket.io.min.js"
if [ -f "$src/socket.io.min.js.map" ]; then
  cp -f "$src/socket.io.min.js.map" "$dst/socket.io.min.js.map"
fi
echo "vendor.sh: copied socket.io-client $(node -p "require('$here/node_modules/socket.io-client/package.json').version" 2>/dev/null || echo '?') to $dst"
