#!/usr/bin/env bash
# Makes rootful Podman usable for the container target, idempotently (a second
# run only checks), and builds the images it needs without pulling anything:
#   1. runc as the OCI runtime (crun, Debian's default, fails in these VMs) and
#      default ulimits the VM allows (podman's defaults ask for more nofile than
#      the sandbox permits: "error setting rlimit type 7"), in
#      /etc/containers/containers.conf;
#   2. the Docker-compatible API socket testcontainers talks to:
#      `podman system service --time=0 unix:///run/podman/podman.sock`, started
#      in the background when nothing answers on it;
#   3. the base image radius-mfa-base:latest (scripts/build-base-image.sh: Node 24
#      and its libraries from this machine, `podman import`ed);
#   4. the agent image radius-mfa-agent:dev from agent/Dockerfile.
# Called by scripts/setup.sh when podman exists. Needs root (rootful podman).
# Options: --no-agent-image (skip step 4), --rebuild (rebuild both images).
set -euo pipefail
cd "$(dirname "$0")/.."

SOCKET=/run/podman/podman.sock
CONF=/etc/containers/containers.conf
BASE_IMAGE=radius-mfa-base:latest
AGENT_IMAGE=radius-mfa-agent:dev
build_agent=1
rebuild=0
for arg in "$@"; do
  case "$arg" in
    --no-agent-image) build_agent=0 ;;
    --rebuild) rebuild=1 ;;
    *) echo "setup-podman: unknown option $arg" >&2; exit 2 ;;
  esac
done

if ! command -v podman >/dev/null 2>&1; then
  echo "setup-podman: podman is not installed (apt-get install podman runc); the container target will be not applicable" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-podman: needs root (the container target uses rootful podman)" >&2
  exit 1
fi
if ! command -v runc >/dev/null 2>&1; then
  echo "setup-podman: runc is not installed (apt-get install runc)" >&2
  exit 1
fi

# 1. containers.conf
if [ -f "$CONF" ] && grep -q 'runtime = "runc"' "$CONF" && grep -q 'default_ulimits' "$CONF"; then
  echo "setup-podman: $CONF already selects runc and default ulimits"
else
  if [ -f "$CONF" ]; then
    cp "$CONF" "$CONF.rmh-backup"
    echo "setup-podman: replacing $CONF (previous copy: $CONF.rmh-backup)"
  fi
  mkdir -p "$(dirname "$CONF")"
  cat >"$CONF" <<'CONF'
# Written by radius-mfa-harness scripts/setup-podman.sh.
[containers]
# The VM refuses podman's default nofile limit ("error setting rlimit type 7").
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
# crun (Debian's default) fails in these VMs; runc works.
runtime = "runc"
CONF
fi

# 2. the API socket
ping() { curl -sf --max-time 2 --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1; }
# A service whose working directory was deleted answers pings but can start no
# container (conmon inherits that directory): replace it.
for pid in $(pgrep -f "podman system service" || true); do
  if readlink "/proc/$pid/cwd" 2>/dev/null | grep -q '(deleted)'; then
    echo "setup-podman: restarting the podman service (its working directory is gone)"
    kill "$pid" 2>/dev/null || true
    sleep 1
  fi
done
if ping; then
  echo "setup-podman: the podman API answers on $SOCKET"
else
  mkdir -p "$(dirname "$SOCKET")"
  rm -f "$SOCKET"
  echo "setup-podman: starting podman system service on unix://$SOCKET"
  # Started from / : conmon inherits the service's working directory and fails
  # every container start ("Failed to get working directory") once that folder
  # is gone, e.g. the clone this script ran from.
  (cd / && nohup podman system service --time=0 "unix://$SOCKET" >/var/log/podman-service.log 2>&1 &)
  for _ in $(seq 1 50); do
    ping && break
    sleep 0.2
  done
  if ! ping; then
    echo "setup-podman: podman system service did not answer on $SOCKET within 10 s (see /var/log/podman-service.log)" >&2
    exit 1
  fi
fi

# 3. base image
if [ "$rebuild" = 1 ]; then bash scripts/build-base-image.sh --force "$BASE_IMAGE"; else bash scripts/build-base-image.sh "$BASE_IMAGE"; fi

# 4. agent image (layers are cached: a re-run only rebuilds what changed)
if [ "$build_agent" = 1 ]; then
  if [ ! -f agent/Dockerfile ]; then
    echo "setup-podman: agent/Dockerfile is missing; skipping the agent image" >&2
    exit 0
  fi
  echo "setup-podman: building $AGENT_IMAGE from agent/Dockerfile"
  # --pull=never: the base exists only locally. --network host: the build's
  # `npm install` reaches the registry as this machine does (no CNI set-up).
  # The ignore file keeps node_modules and reports out of the build context.
  podman build --pull=never --network host \
    --ignorefile scripts/agent-image.containerignore \
    -f agent/Dockerfile -t "$AGENT_IMAGE" --build-arg "BASE_IMAGE=$BASE_IMAGE" . >/tmp/rmh-agent-image-build.log 2>&1 || {
      echo "setup-podman: building $AGENT_IMAGE failed; last lines of /tmp/rmh-agent-image-build.log:" >&2
      tail -n 15 /tmp/rmh-agent-image-build.log >&2
      exit 1
    }
  echo "setup-podman: $AGENT_IMAGE ready"
fi
