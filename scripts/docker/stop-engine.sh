#!/usr/bin/env bash
# Stops the private engine that provide-engine.sh started, if it runs. Its data root stays.
set -euo pipefail
CACHE_ROOT="${FATHOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fathom}"
PIDFILE="$CACHE_ROOT/docker/dockerd.pid"
[[ -f $PIDFILE ]] || exit 0
pid=$(cat "$PIDFILE")
kill -TERM "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.2; done
kill -KILL "$pid" 2>/dev/null || true
