#!/usr/bin/env bash
# The adoption tests (issue 14), for .ci/run after `npm test`:
#   scripts/adoption/pack-install.slow.ts  the installed package: bins, init, the team suite on embedded, on a hand-started agent (external) and on the container target
#   scripts/adoption/shard-merge.slow.ts   --shard i/n runs (split by recorded durations) merged equal the unsharded run, verdict for verdict
#   scripts/adoption/ci-commands.slow.ts   every command of docs/ci/*.yml: three shards and a merge per pipeline
#   scripts/adoption/image.slow.ts         (with --image, or npm run test:image) the harness image: build, then its tools and the harness inside it
# The package is packed and installed ONCE (scripts/adoption/prepare.ts) and
# shared (RMH_ADOPTION_TARBALL, RMH_ADOPTION_INSTALLED). The files run one
# after another: each starts labs and agents of its own on a 2-core machine
# (within a file, the CI emulation's shard jobs run at the same time, as runners would).
# The last line is always `adoption: N passed, N failed`; the exit code is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

files=(scripts/adoption/pack-install.slow.ts scripts/adoption/shard-merge.slow.ts scripts/adoption/ci-commands.slow.ts)
case "${1:-}" in
  --image) files+=(scripts/adoption/image.slow.ts) ;;
  --image-only) files=(scripts/adoption/image.slow.ts) ;;
  "") ;;
  *) echo "usage: scripts/test-adoption.sh [--image | --image-only]" >&2; echo "adoption: 0 passed, 1 failed"; exit 2 ;;
esac

work=$(mktemp -d /tmp/rmh-adoption.XXXXXX)
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
# One pack and one install of the tarball into a team project, shared by the files.
if ! node scripts/adoption/prepare.ts "$work" >"$work/prepare.log" 2>&1; then
  cat "$work/prepare.log"
  echo "test-adoption: packing or installing the harness failed"
  echo "adoption: 0 passed, 1 failed"
  exit 1
fi
grep '^# ' "$work/prepare.log"
export RMH_ADOPTION_TARBALL=$(sed -n 's/^RMH_ADOPTION_TARBALL=//p' "$work/prepare.log")
export RMH_ADOPTION_INSTALLED=$(sed -n 's/^RMH_ADOPTION_INSTALLED=//p' "$work/prepare.log")
echo "test-adoption: packed $(basename "$RMH_ADOPTION_TARBALL") ($(du -k "$RMH_ADOPTION_TARBALL" | cut -f1) KiB) and installed it in $((SECONDS - t0)) s"
node --test --test-concurrency=1 --test-timeout=2400000 --test-reporter=spec "${files[@]}" 2>&1 | tee "$work/test.log"
status=${PIPESTATUS[0]}
echo "test-adoption: $((SECONDS - t0)) s in all"
# One closing count, as npm test ends with: node's "ℹ pass N" / "ℹ fail N".
read -r passed failed < <(awk '/^ℹ pass [0-9]+$/ { p = $3 } /^ℹ fail [0-9]+$/ { f = $3 } END { print p + 0, f + 0 }' "$work/test.log")
# A file that dies outside a test (a hook, a crash) fails the run even when no test is counted as failed.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "adoption: $passed passed, $failed failed"
exit $status
