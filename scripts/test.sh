#!/usr/bin/env bash
# `npm test`: type check, lint, unit tests, then the Cucumber features on every target.
# Every stage runs even if an earlier one failed, so one run shows all failures;
# the exit code is non-zero if any stage failed. The last line counts what ran:
# unit tests plus scenario verdicts (not-applicable ones are neither).
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

# node's test runner: "ℹ pass N" / "ℹ fail N"; the harness summary: "  target: N passed, N failed, …".
read -r passed failures < <(awk '
  /^ℹ pass [0-9]+$/ { p += $3 } /^ℹ fail [0-9]+$/ { f += $3 }
  /^  [a-z0-9:-]+: [0-9]+ passed, [0-9]+ failed/ { p += $2; f += $4 }
  END { print p + 0, f + 0 }' "$logs"/*.log)

if [ ${#failed[@]} -gt 0 ]; then
  echo "npm test: failed stages: ${failed[*]}"
  echo "tests: $passed passed, $failures failed"
  exit 1
fi
echo "npm test: all stages passed (typecheck, lint, unit, features)"
echo "tests: $passed passed, $failures failed"
