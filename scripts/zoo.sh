#!/usr/bin/env bash
# The zoo: every broken variant of the reference agent (steps/targets/zoo/variants.ts)
# against the whole suite on the embedded lab clock, then the judgement — a variant
# is caught when a scenario fails on it for the reason it names; the control (the
# zoo's wrappers with no defect) must pass everything. Exit 0 only when every
# variant is caught and the control is clean.
#
# The runner's own exit code is ignored here on purpose: on a broken agent,
# scenarios SHOULD fail. Its per-target summary goes to a log file (not stdout),
# so `npm test`'s closing tally counts variants, not the failures they cause.
#   bash scripts/zoo.sh [extra `radius-mfa-harness run` options, e.g. --parallel 2]
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
out=${RMH_ZOO_OUT:-reports/out/zoo}
mkdir -p "$out"
targets=$(node -e "import('./steps/targets/index.ts').then((m) => console.log(m.expandTargetNames(['zoo']).join(',')))") || exit 1
start=$(date +%s)
node bin/radius-mfa-harness.js run --target "$targets" --out "$out" --ci "$@" >"$out/run.log" 2>&1
echo "zoo: ran $(echo "$targets" | tr ',' '\n' | wc -l) targets in $(( $(date +%s) - start )) s (log: $out/run.log)"
node steps/targets/zoo/report.ts "$out" --tally
