#!/usr/bin/env bash
# Runs every test: the .NET test projects against real PostgreSQL/pgbouncer processes they start themselves, and the
# offline Bicep checker. Ends with one line, "N passed, N failed", the totals of both.
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

bicep_out=$(bash tools/bicep-check/check.sh 2>&1); bicep_rc=$?
echo "$bicep_out" | tail -n 5
bicep_line=$(grep -E '^bicep-check: [0-9]+ passed, [0-9]+ failed$' <<<"$bicep_out" | tail -1)
bp=$(sed -n 's/^bicep-check: \([0-9]*\) passed.*/\1/p' <<<"$bicep_line"); bf=$(sed -n 's/.* \([0-9]*\) failed$/\1/p' <<<"$bicep_line")
passed=$((passed + ${bp:-0})); failed=$((failed + ${bf:-0}))
if [ $bicep_rc -ne 0 ] && [ "${bf:-0}" -eq 0 ]; then failed=$((failed + 1)); fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
