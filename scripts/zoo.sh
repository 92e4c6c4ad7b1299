#!/usr/bin/env bash
# The zoo: every broken variant of the reference agent (steps/targets/zoo/variants.ts)
# on the embedded lab clock, then the judgement — a variant is caught when a scenario
# fails on it for the reason it names; the control (the zoo's wrappers with no defect)
# must pass everything. A variant runs every scenario that could catch it (one with a
# step its caughtBy names: steps/targets/zoo/judge.ts couldCatch), the control all. Exit 0 only when every
# variant is caught and the control is clean.
#
# The runner judges zoo targets with the zoo judge (cli/run.ts → judgeZooRun): on a
# broken agent scenarios SHOULD fail, and the run fails only when a variant is not
# caught or the control is not clean. Its output goes to a log file (not stdout), so
# `npm test`'s closing tally counts variants (report.ts --tally), not the failures
# they cause; the zoo block of its summary is shown here.
#   bash scripts/zoo.sh [extra `radius-mfa-harness run` options, e.g. --parallel 2]
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
out=${RMH_ZOO_OUT:-reports/out/zoo}
mkdir -p "$out"
log="${out%/}.log" # beside the folder: the runner empties its output folder when it starts
start=$(date +%s)
node bin/radius-mfa-harness.js run --target zoo --out "$out" --ci "$@" >"$log" 2>&1
run=$?
echo "zoo: every variant and the control in $(( $(date +%s) - start )) s (runner exit $run; log: $log)"
sed -n '/^  Zoo: /,/^Reports: /p' "$log" | grep -v '^Reports: '
node steps/targets/zoo/report.ts "$out" --tally >"$out/tally.txt"
report=$?
tail -n 1 "$out/tally.txt"
[ "$run" -eq 0 ] && [ "$report" -eq 0 ]
