#!/usr/bin/env bash
# Installs the real components the tests and the lab run (Debian packages), once, when missing.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pgbouncer >/dev/null 2>&1 || need+=(pgbouncer)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "error: ${need[*]} missing; install them with: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
echo "Installing ${need[*]} (Debian packages)..." >&2
export DEBIAN_FRONTEND=noninteractive
${SUDO:-} apt-get update -qq >/dev/null
${SUDO:-} apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The packages start a system cluster and a pgbouncer service; the project never uses them, only its own.
${SUDO:-} systemctl stop postgresql pgbouncer >/dev/null 2>&1 || true
${SUDO:-} service postgresql stop >/dev/null 2>&1 || true
${SUDO:-} service pgbouncer stop >/dev/null 2>&1 || true
