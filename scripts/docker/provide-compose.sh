#!/usr/bin/env bash
# Prints the path of a Docker Compose v2 binary, building it once if needed.
#
# Order: $COMPOSE_BIN if set, else the cached build outside the repo
# ($FATHOM_CACHE_DIR, default ~/.cache/fathom, keyed by version), else a build
# from the Go module github.com/docker/compose/v2 at $COMPOSE_VERSION.
# `go install ...@v2.x` is refused (the module's go.mod has `exclude`
# directives), so this builds inside a writable copy of the module source.
# Progress goes to stderr; stdout carries only the binary's path.
set -euo pipefail

COMPOSE_VERSION="${COMPOSE_VERSION:-v2.40.3}"
CACHE_ROOT="${FATHOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fathom}"
OUT_DIR="$CACHE_ROOT/compose/$COMPOSE_VERSION"
OUT_BIN="$OUT_DIR/docker-compose"

log() { printf '[provide-compose] %s\n' "$*" >&2; }

if [[ -n "${COMPOSE_BIN:-}" ]]; then
  [[ -x "$COMPOSE_BIN" ]] || { log "COMPOSE_BIN=$COMPOSE_BIN is not an executable file"; exit 1; }
  echo "$COMPOSE_BIN"; exit 0
fi
if [[ -x "$OUT_BIN" ]]; then echo "$OUT_BIN"; exit 0; fi

command -v go >/dev/null || { log "missing 'go', needed to build Compose v2"; exit 1; }
mkdir -p "$OUT_DIR"
exec 9>"$OUT_DIR/.lock"
flock 9
if [[ -x "$OUT_BIN" ]]; then echo "$OUT_BIN"; exit 0; fi

WORK="$CACHE_ROOT/compose-build/$COMPOSE_VERSION"
started=$(date +%s)
log "building Docker Compose $COMPOSE_VERSION in $WORK (cold: about 2 min)"
export GOTOOLCHAIN=local CGO_ENABLED=0
SRC=$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" |
  /usr/bin/python3 -c 'import sys,json; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error","no Dir")))')
rm -rf "$WORK/src"; mkdir -p "$WORK"
cp -r "$SRC" "$WORK/src"
chmod -R u+w "$WORK/src"
cd "$WORK/src"
go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
  -o "$WORK/docker-compose" ./cmd
"$WORK/docker-compose" version >&2
mv "$WORK/docker-compose" "$OUT_BIN.tmp" && mv "$OUT_BIN.tmp" "$OUT_BIN"
rm -rf "$WORK"
log "built in $(( $(date +%s) - started ))s -> $OUT_BIN"
echo "$OUT_BIN"
