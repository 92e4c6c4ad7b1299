#!/usr/bin/env bash
# Cheap check run before `npm test` and the main job: sets up only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] \
   && [ -x node_modules/.bin/node ] && command -v radclient >/dev/null 2>&1; then
  exit 0
fi
exec bash scripts/setup.sh
