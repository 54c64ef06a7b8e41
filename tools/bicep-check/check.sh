#!/usr/bin/env bash
# Offline checks of infra/bicep (syntax, Azure type data, project rules) plus the checker's self-test over fixtures/.
# Usage: bash tools/bicep-check/check.sh   (from anywhere)
# Last line, always: "bicep-check: N passed, M failed"; exit code 1 when M > 0.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail_setup() {
  echo "FAIL setup: $1"
  echo "bicep-check: 0 passed, 1 failed"
  exit 1
}

command -v node >/dev/null 2>&1 || fail_setup "node is not on PATH (Node.js 18 or later is needed)"

# The grammar ships prebuilt bindings (linux/macOS/windows, x64/arm64), so no install script has to run.
if [ ! -d "$here/node_modules/tree-sitter-bicep" ] || [ ! -d "$here/node_modules/tree-sitter" ]; then
  command -v npm >/dev/null 2>&1 || fail_setup "npm is not on PATH"
  if ! (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null 2>"$here/.npm-ci.log"); then
    sed 's/^/     /' "$here/.npm-ci.log" | grep -v 'Unknown user config' | tail -n 5
    rm -f "$here/.npm-ci.log"
    fail_setup "npm ci --ignore-scripts failed in tools/bicep-check"
  fi
  rm -f "$here/.npm-ci.log"
fi

out="$(node "$here/check.js" "$@" 2>&1)"
status=$?
printf '%s\n' "$out"
# check.js prints the summary itself; if it died before that, print one so the contract holds.
if ! printf '%s\n' "$out" | tail -n 1 | grep -Eq '^bicep-check: [0-9]+ passed, [0-9]+ failed$'; then
  echo "FAIL check.js stopped early (exit $status)"
  echo "bicep-check: 0 passed, 1 failed"
  exit 1
fi
exit $status
