#!/usr/bin/env bash
# Prints the path of an influxd 2.x binary, building it once if needed.
#
# Order: $INFLUXD_BIN if set, else the cached build outside the repo
# ($FATHOM_CACHE_DIR, default ~/.cache/fathom, keyed by version), else a build
# from the Go module github.com/influxdata/influxdb/v2 at $INFLUXD_VERSION.
# No InfluxDB 2 package exists for Debian, so this is how our machines get one.
# All progress goes to stderr; stdout carries only the binary's path.
set -euo pipefail

INFLUXD_VERSION="${INFLUXD_VERSION:-v2.9.1}"
CACHE_ROOT="${FATHOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fathom}"
OUT_DIR="$CACHE_ROOT/influxd/$INFLUXD_VERSION"
OUT_BIN="$OUT_DIR/influxd"

log() { printf '[provide-influxd] %s\n' "$*" >&2; }

if [[ -n "${INFLUXD_BIN:-}" ]]; then
  if [[ ! -x "$INFLUXD_BIN" ]]; then
    log "INFLUXD_BIN=$INFLUXD_BIN is not an executable file"; exit 1
  fi
  echo "$INFLUXD_BIN"; exit 0
fi

if [[ -x "$OUT_BIN" ]]; then echo "$OUT_BIN"; exit 0; fi

for tool in go cargo pkg-config; do
  command -v "$tool" >/dev/null || { log "missing '$tool' needed to build influxd"; exit 1; }
done

mkdir -p "$OUT_DIR"
# One build at a time: a second caller waits for the first to finish.
exec 9>"$OUT_DIR/.lock"
flock 9
if [[ -x "$OUT_BIN" ]]; then echo "$OUT_BIN"; exit 0; fi

WORK="$CACHE_ROOT/influxd-build/$INFLUXD_VERSION"
mkdir -p "$WORK/bin"
started=$(date +%s)
log "building influxd $INFLUXD_VERSION in $WORK (cold: 10-25 min, several GB)"

export GOTOOLCHAIN=local
export CGO_ENABLED=1
# flux pins Rust 1.83 in rust-toolchain.toml; the env override wins over it.
export RUSTUP_TOOLCHAIN="${RUSTUP_TOOLCHAIN:-stable}"
# libflux denies warnings; lints added in newer Rust would fail the build.
export RUSTFLAGS="${RUSTFLAGS:---allow dead_code --allow mismatched_lifetime_syntaxes}"

# `go install ...@tag` refuses a module with replace directives, and the module
# cache is read-only, so build inside a writable copy of the module source.
SRC=$(go mod download -json "github.com/influxdata/influxdb/v2@$INFLUXD_VERSION" |
  /usr/bin/python3 -c 'import sys,json; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error","no Dir")))')
rm -rf "$WORK/src"
cp -r "$SRC" "$WORK/src"
chmod -R u+w "$WORK/src"
cd "$WORK/src"

# InfluxData's pkg-config wrapper compiles libflux with cargo, then hands over
# to Debian's pkgconf, which stays on PATH behind it.
go build -o "$WORK/bin/pkg-config" github.com/influxdata/pkg-config
export PKG_CONFIG="$WORK/bin/pkg-config"

# No `assets` tag: the UI is a separate download; the API works without it.
go build -tags sqlite_foreign_keys,sqlite_json \
  -ldflags "-s -w -X main.version=$INFLUXD_VERSION -X main.commit=module-proxy" \
  -o "$WORK/bin/influxd" ./cmd/influxd

"$WORK/bin/influxd" version >&2
mv "$WORK/bin/influxd" "$OUT_BIN.tmp" && mv "$OUT_BIN.tmp" "$OUT_BIN"
log "built in $(( $(date +%s) - started ))s -> $OUT_BIN"
echo "$OUT_BIN"
