#!/usr/bin/env bash
# Runs every test: the .NET test projects against real PostgreSQL/pgbouncer processes they start themselves, and
# tests/Infra.Tests, which runs the real Bicep compiler and linter on infra/bicep (the CLI comes from NuGet at restore).
# Ends with one line, "N passed, N failed", the totals of all.
set -uo pipefail
cd "$(dirname "$0")"

bash scripts/ensure-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

results=artifacts/test-results
rm -rf "$results"
dotnet test Prewarm.slnx -c Release \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true
dotnet_rc=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
# A build failure or a crashed test host leaves no counters: count it as a failure rather than as nothing.
if [ $dotnet_rc -ne 0 ] && [ $failed -eq 0 ]; then failed=$((failed + 1)); fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
