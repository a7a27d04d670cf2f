#!/usr/bin/env bash
# Prints the path of a Python 3.10 that really runs (Rasa 3.6 supports 3.8-3.10; we pin 3.10), or nothing.
# A pyenv shim named python3.10 can exist without working (when pyenv's selected version is another one), so every
# candidate is run before it is chosen.
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    candidates+=("$(pyenv prefix "$version" 2>/dev/null)/bin/python3.10")
  done
fi
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
for python in "${candidates[@]}"; do
  if [ -x "$python" ] && "$python" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$python"
    exit 0
  fi
done
exit 1
