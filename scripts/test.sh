#!/usr/bin/env bash
# `npm test`: type check, lint, unit tests, the Cucumber features on every target, then the zoo.
# Every stage runs even if an earlier one failed, so one run shows all failures;
# the exit code is non-zero if any stage failed. The closing tally keeps apart
# unit tests, simulator checks (the @no-agent scenarios, run once) and agent
# scenarios (per target); not-applicable verdicts are none of them, an expected
# deviation is neither passed nor failed, an unexpected pass is a failure. The
# last line is always `tests: N passed, N failed` (all three together).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-setup.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed=()
stage() {
  local name=$1; shift
  echo "=== $name: $*"
  if "$@" 2>&1 | tee "$logs/$name.log"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}
stage typecheck npm run --silent typecheck
stage lint npm run --silent lint
stage unit npm run --silent test:unit
stage features npm run --silent test:features
# The suite proves it can fail: every broken variant of the reference agent must be caught, by name (issue 16).
stage zoo bash scripts/zoo.sh

# node's test runner: "ℹ pass N" / "ℹ fail N"; the harness summary (reports/cucumber-plugin.ts summaryLines):
# "  <target>: N passed, N failed, N not applicable, N expected deviations, N unexpected passes"
# and "  simulators: N passed, N failed, …" for the @no-agent scenarios.
tally() {
  awk '
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
      printf "tests: %d passed, %d failed\n", up + sp + ap, uf + sf + af
    }' "$@"
}

if [ ${#failed[@]} -gt 0 ]; then
  echo "npm test: failed stages: ${failed[*]}"
  tally "$logs"/*.log
  exit 1
fi
echo "npm test: all stages passed (typecheck, lint, unit, features, zoo)"
tally "$logs"/*.log
