#!/usr/bin/env bash
# `npm test`: type check, lint, unit tests, the Cucumber features on every target, the zoo,
# and the adoption tests (pack-and-install, sharding, the CI examples' commands, the image).
# Every stage runs even if an earlier one failed, so one run shows all failures;
# the exit code is non-zero if any stage failed. The closing tally keeps apart
# unit tests, simulator checks (the @no-agent scenarios, run once), agent
# scenarios (per target) and adoption tests; not-applicable verdicts are none of
# them, an expected deviation is neither passed nor failed, an unexpected pass is
# a failure. The last line is always `tests: N passed, N failed` (all together).
#
# Two lanes run side by side, because much of each stage waits rather than computes
# (agents on real time, the connector's retry timers, containers, npm): on 2 cores
# that is what keeps a CI run under its 20 minutes. Each lane runs its stages in
# order; every output line is prefixed with its stage. RMH_TEST_SERIAL=1 runs
# every stage one after another instead (same stages, same tally).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-setup.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

stage_command() {
  case $1 in
    typecheck) npm run --silent typecheck ;;
    lint) npm run --silent lint ;;
    unit) npm run --silent test:unit ;;
    # Real-time targets spend most of a scenario waiting: three workers overlap the waits.
    features) npm run --silent test:features -- --parallel 3 ;;
    # The suite proves it can fail: every broken variant of the reference agent must be caught, by name (issue 16).
    zoo) bash scripts/zoo.sh --parallel 2 ;;
    # Issue 14: the harness as others install it, sharded, in their CI, and as an image.
    adoption) bash scripts/test-adoption.sh --image ;;
  esac
}

run_stage() {
  local name=$1 start=$SECONDS status
  echo "=== $name: started"
  stage_command "$name" 2>&1 | tee "$logs/$name.log" | sed -u "s/^/[$name] /"
  status=${PIPESTATUS[0]}
  echo "$status" >"$logs/$name.status"
  echo "=== $name: $([ "$status" -eq 0 ] && echo ok || echo FAILED) ($((SECONDS - start)) s)"
}

lane_checks=(typecheck lint unit adoption)
lane_suites=(features zoo)
start=$SECONDS
if [ "${RMH_TEST_SERIAL:-}" = 1 ]; then
  for s in "${lane_checks[@]}" "${lane_suites[@]}"; do run_stage "$s"; done
else
  (for s in "${lane_checks[@]}"; do run_stage "$s"; done) &
  checks=$!
  (for s in "${lane_suites[@]}"; do run_stage "$s"; done) &
  suites=$!
  wait "$checks" "$suites"
fi

failed=()
for s in "${lane_checks[@]}" "${lane_suites[@]}"; do
  [ "$(cat "$logs/$s.status" 2>/dev/null)" = 0 ] || failed+=("$s")
done

# node's test runner: "ℹ pass N" / "ℹ fail N" (the unit stage; the adoption stage's own
# node runs are counted by its closing "adoption: N passed, N failed");
# the harness summary (reports/cucumber-plugin.ts summaryLines):
# "  <target>: N passed, N failed, N not applicable, N expected deviations, N unexpected passes"
# and "  simulators: N passed, N failed, …" for the @no-agent scenarios.
tally() {
  awk '
    FILENAME ~ /adoption\.log$/ {
      if ($0 ~ /^adoption: [0-9]+ passed, [0-9]+ failed$/) { dp += $2; df += $4; adoption = 1 }
      next
    }
    /^ℹ pass [0-9]+$/ { up += $3 } /^ℹ fail [0-9]+$/ { uf += $3 }
    /^  simulators: [0-9]+ passed, [0-9]+ failed/ { sp += $2; sf += $4 + $12; next }
    /^  [a-z0-9:-]+: [0-9]+ passed, [0-9]+ failed/ {
      ap += $2; af += $4 + $12; name = substr($1, 1, length($1) - 1)
      per = per sprintf("%s%s %d passed, %d failed, %d n/a, %d expected deviations", (per == "" ? "" : "; "), name, $2, $4 + $12, $6, $9)
    }
    END {
      printf "unit tests: %d passed, %d failed\n", up, uf
      printf "simulator checks (@no-agent scenarios, run once): %d passed, %d failed\n", sp, sf
      printf "agent scenarios: %d passed, %d failed (%s)\n", ap, af, (per == "" ? "none ran" : per)
      if (adoption) printf "adoption tests: %d passed, %d failed\n", dp, df
      printf "tests: %d passed, %d failed\n", up + sp + ap + dp, uf + sf + af + df
    }' "$@"
}

# What failed, by name, for each failed stage: CI shows only the end of a run's output,
# and a stage's own failure list may lie thousands of lines above it. The patterns are
# each stage's own failure lines: node's test runner (its closing "✖ failing tests:"
# list: "test at file:line:col", "✖ name", then its error's first line), the harness summary ("    FAIL  uri:line
# name — reason", "    UNEXPECTED PASS  …"), the zoo ("  MISSED  variant reason"), and
# tsc/eslint ("error" lines). At most 20 lines a stage; the stage's log has the rest.
failures() {
  local stage=$1 log=$2
  awk '
    /^✖ failing tests:/ { listing = 1; next }
    listing && /^test at / { print; next }
    listing && /^✖ / { print; reason = 1; next }
    reason { reason = 0; if (/^  /) { print; next } }
    /^    (FAIL|UNEXPECTED PASS)  / || /^  MISSED  / || /error TS[0-9]+:/ || /^ +[0-9]+:[0-9]+ +error / { print }
  ' "$log" | awk '!seen[$0]++' | head -20 | sed "s/^/  [$stage] /"
}

echo "npm test: $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "npm test: failed stages: ${failed[*]}"
  for s in "${failed[@]}"; do failures "$s" "$logs/$s.log"; done
  tally "$logs"/*.log
  exit 1
fi
echo "npm test: all stages passed (${lane_checks[*]} ${lane_suites[*]})"
tally "$logs"/*.log
