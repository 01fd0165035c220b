#!/usr/bin/env bash
# Prints the path of a MediaMTX binary (the independent RTSP server of the
# camera-profile tests), building it once if needed.
#
# Order: $MEDIAMTX_BIN if set, else the cached build outside the repo
# ($FATHOM_CACHE_DIR, default ~/.cache/fathom, keyed by version), else a build
# from the Go module github.com/bluenviron/mediamtx at $MEDIAMTX_VERSION.
# `go install ...@v1.x` is refused (the proxy serves no version list for the
# module), but `go mod download` of the exact version works. The module source
# lacks two files its `go generate` would download; we supply them:
# internal/servers/hls/hls.min.js (from the npm package hls.js, dist/hls.min.js)
# and internal/core/VERSION. Then `go build .` in a writable copy (about 1 min).
# Progress goes to stderr; stdout carries only the binary's path.
set -euo pipefail

MEDIAMTX_VERSION="${MEDIAMTX_VERSION:-v1.20.1}"
HLSJS_VERSION="${HLSJS_VERSION:-1.7.0}"
CACHE_ROOT="${FATHOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fathom}"
OUT_DIR="$CACHE_ROOT/mediamtx/$MEDIAMTX_VERSION"
OUT_BIN="$OUT_DIR/mediamtx"

log() { printf '[provide-mediamtx] %s\n' "$*" >&2; }

if [[ -n "${MEDIAMTX_BIN:-}" ]]; then
  [[ -x "$MEDIAMTX_BIN" ]] || { log "MEDIAMTX_BIN=$MEDIAMTX_BIN is not an executable file"; exit 1; }
  echo "$MEDIAMTX_BIN"; exit 0
fi
if [[ -x "$OUT_BIN" ]]; then echo "$OUT_BIN"; exit 0; fi

for tool in go npm tar; do
  command -v "$tool" >/dev/null || { log "missing '$tool', needed to build MediaMTX"; exit 1; }
done
mkdir -p "$OUT_DIR"
# One build at a time: a second caller waits for the first to finish.
exec 9>"$OUT_DIR/.lock"
flock 9
if [[ -x "$OUT_BIN" ]]; then echo "$OUT_BIN"; exit 0; fi

WORK="$CACHE_ROOT/mediamtx-build/$MEDIAMTX_VERSION"
started=$(date +%s)
log "building MediaMTX $MEDIAMTX_VERSION in $WORK (cold: about 1-2 min)"
export GOTOOLCHAIN=local CGO_ENABLED=0

# hls.js for the HLS server's player page, kept in the cache (keyed by version).
HLSJS="$CACHE_ROOT/mediamtx/hls.js-$HLSJS_VERSION.min.js"
if [[ ! -s "$HLSJS" ]]; then
  pack=$(mktemp -d)
  (cd "$pack" && npm pack --silent "hls.js@$HLSJS_VERSION" >/dev/null)
  tar -xzf "$pack"/hls.js-*.tgz -C "$pack" package/dist/hls.min.js
  mv "$pack/package/dist/hls.min.js" "$HLSJS.tmp" && mv "$HLSJS.tmp" "$HLSJS"
  rm -rf "$pack"
fi

SRC=$(go mod download -json "github.com/bluenviron/mediamtx@$MEDIAMTX_VERSION" |
  /usr/bin/python3 -c 'import sys,json; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error","no Dir")))')
rm -rf "$WORK"; mkdir -p "$WORK"
cp -r "$SRC" "$WORK/src"
chmod -R u+w "$WORK/src"
cd "$WORK/src"
cp "$HLSJS" internal/servers/hls/hls.min.js
printf '%s' "$MEDIAMTX_VERSION" > internal/core/VERSION

go build -trimpath -ldflags "-s -w" -o "$WORK/mediamtx" .
"$WORK/mediamtx" --version >&2
mv "$WORK/mediamtx" "$OUT_BIN.tmp" && mv "$OUT_BIN.tmp" "$OUT_BIN"
rm -rf "$WORK"
log "built in $(( $(date +%s) - started ))s -> $OUT_BIN"
echo "$OUT_BIN"
