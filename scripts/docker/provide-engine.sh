#!/usr/bin/env bash
# Prints a DOCKER_HOST that answers, starting a private Docker engine if needed.
#
# Order: $DOCKER_HOST if it answers; else the engine this script started before
# (its socket under the cache dir); else a new dockerd from Debian's docker.io
# package with its own data root, exec root and socket. It leaves the host's
# network alone (--iptables=false --ip-forward=false), so it runs beside any
# other engine. The data root is kept, so built images survive between runs.
# Stop it with scripts/docker/stop-engine.sh.
set -euo pipefail

CACHE_ROOT="${FATHOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fathom}"
ENGINE_DIR="$CACHE_ROOT/docker"
SOCKET="$ENGINE_DIR/docker.sock"
# The exec root holds containerd's sockets, whose paths must stay short.
EXEC_ROOT="/run/fathom-docker-$(id -u)"

log() { printf '[provide-engine] %s\n' "$*" >&2; }
answers() { DOCKER_HOST="$1" docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if [[ -n "${DOCKER_HOST:-}" ]] && answers "$DOCKER_HOST"; then echo "$DOCKER_HOST"; exit 0; fi
if answers "unix://$SOCKET"; then echo "unix://$SOCKET"; exit 0; fi

command -v dockerd >/dev/null || { log "missing 'dockerd' (Debian package docker.io)"; exit 1; }
[[ $(id -u) -eq 0 ]] || { log "dockerd needs root here"; exit 1; }
mkdir -p "$ENGINE_DIR/data-root" "$EXEC_ROOT"
exec 9>"$ENGINE_DIR/.lock"
flock 9
if answers "unix://$SOCKET"; then echo "unix://$SOCKET"; exit 0; fi

rm -f "$SOCKET"
log "starting dockerd (data root $ENGINE_DIR/data-root, log $ENGINE_DIR/dockerd.log)"
# setsid: the engine outlives this script and is not in the caller's process group.
setsid dockerd --iptables=false --ip-forward=false --ip-masq=false \
  --data-root "$ENGINE_DIR/data-root" --exec-root "$EXEC_ROOT" \
  --pidfile "$ENGINE_DIR/dockerd.pid" -H "unix://$SOCKET" \
  >"$ENGINE_DIR/dockerd.log" 2>&1 < /dev/null &
for _ in $(seq 1 300); do
  if answers "unix://$SOCKET"; then
    log "dockerd $(DOCKER_HOST="unix://$SOCKET" docker version --format '{{.Server.Version}}') ready"
    echo "unix://$SOCKET"; exit 0
  fi
  kill -0 $! 2>/dev/null || { log "dockerd exited:"; tail -20 "$ENGINE_DIR/dockerd.log" >&2; exit 1; }
  sleep 0.2
done
log "dockerd did not answer within 60 s:"; tail -20 "$ENGINE_DIR/dockerd.log" >&2; exit 1
