#!/usr/bin/env bash
# `npm test`: type check, lint, unit tests, then the Cucumber features.
# Every stage runs even if an earlier one failed, so one run shows all failures;
# the exit code is non-zero if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-setup.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"

failed=()
stage() {
  local name=$1; shift
  echo "=== $name: $*"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}
stage typecheck npm run --silent typecheck
stage lint npm run --silent lint
stage unit npm run --silent test:unit
stage features npm run --silent test:features

if [ ${#failed[@]} -gt 0 ]; then
  echo "npm test: failed stages: ${failed[*]}"
  exit 1
fi
echo "npm test: all stages passed (typecheck, lint, unit, features)"
