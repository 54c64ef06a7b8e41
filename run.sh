#!/usr/bin/env bash
# The main job: the cold-start lab. With no --connection it starts its own throwaway PostgreSQL (TLS, scram).
#   ./run.sh                      -> prewarm compare (none vs select1 vs prewarm vs nodb, fresh processes, the app pinned to one core) into artifacts/compare
#   ./run.sh probe --connection "Host=...;Username=...;Password=..."
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/ensure-deps.sh
[ $# -eq 0 ] && set -- compare
exec dotnet run --project src/Lab -c Release -v q -- "$@"
