#!/usr/bin/env bash
# Makes the three base images the project's Dockerfiles and compose file name,
# when the engine at $DOCKER_HOST lacks them. No image registry is reachable
# here, so they are test stand-ins, named like the real ones:
#   debian:bookworm-slim    debootstrap --variant=minbase bookworm, docker import
#   node:20-bookworm-slim   that + this machine's Node 20 and npm, user node (1000)
#   influxdb:2.9.1          that + influxd from influx/provide-influxd.sh + setup entrypoint
# An engine that can pull the real images should simply have them already:
# an image that exists is never replaced. Quick when all three exist.
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE_ROOT="${FATHOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fathom}"
ROOTFS_TAR="$CACHE_ROOT/rootfs/bookworm-minbase.tar"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
STAND_INS=scripts/docker/stand-ins

log() { printf '[base-images] %s\n' "$*" >&2; }
have() { docker image inspect "$1" >/dev/null 2>&1; }
: "${DOCKER_HOST:?set DOCKER_HOST (scripts/docker/provide-engine.sh prints it)}"

make_rootfs() {
  [[ -f $ROOTFS_TAR ]] && return
  command -v debootstrap >/dev/null || { log "missing 'debootstrap' (Debian package debootstrap)"; exit 1; }
  local dir="$CACHE_ROOT/rootfs/bookworm-minbase.tmp" started=$SECONDS
  rm -rf "$dir"; mkdir -p "$dir"
  log "debootstrap --variant=minbase bookworm from $MIRROR (cold: 1-3 min)"
  debootstrap --variant=minbase bookworm "$dir" "$MIRROR" >"$CACHE_ROOT/rootfs/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE_ROOT/rootfs/debootstrap.log" >&2; exit 1; }
  # As in the official slim image: apt in image builds, no caches or docs kept.
  cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/" 2>/dev/null || true
  [[ -f $dir/etc/apt/sources.list.d/debian.sources ]] && rm -f "$dir/etc/apt/sources.list"
  # The mirror here can serve Release files past their Valid-Until; the host's apt is told the same.
  printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n' >"$dir/etc/apt/apt.conf.d/99fathom-stand-in"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
  tar -C "$dir" -cf "$ROOTFS_TAR.tmp" . && mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir"
  log "rootfs ready in $((SECONDS - started))s: $ROOTFS_TAR"
}

build_dir() { # a throwaway build context: the stand-in's files plus what it copies from this machine
  local ctx; ctx=$(mktemp -d -t fathom-stand-in-XXXXXX)
  cp -r "$STAND_INS/$1/." "$ctx/"
  echo "$ctx"
}

if ! have debian:bookworm-slim; then
  make_rootfs
  log "docker import -> debian:bookworm-slim"
  docker import --change 'CMD ["bash"]' "$ROOTFS_TAR" debian:bookworm-slim >/dev/null
fi

if ! have node:20-bookworm-slim; then
  node_bin=$(command -v node); npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [[ $(node --version) == v20.* ]] || { log "this machine's node is $(node --version), not 20"; exit 1; }
  ctx=$(build_dir node)
  cp "$node_bin" "$ctx/node"; cp -r "$npm_dir" "$ctx/npm"
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/host-ca.crt"
  log "building node:20-bookworm-slim from this machine's node $(node --version)"
  docker build -q --network host -t node:20-bookworm-slim "$ctx" >/dev/null
  rm -rf "$ctx"
fi

if ! have influxdb:2.9.1; then
  influxd_bin=$(bash influx/provide-influxd.sh)
  ctx=$(build_dir influxdb)
  cp "$influxd_bin" "$ctx/influxd"
  log "building influxdb:2.9.1 from $influxd_bin"
  docker build -q --network host -t influxdb:2.9.1 "$ctx" >/dev/null
  rm -rf "$ctx"
fi
log "base images present: debian:bookworm-slim node:20-bookworm-slim influxdb:2.9.1"
