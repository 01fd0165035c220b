#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: the Debian packages Fathom's
# real services need, the influxd, Compose v2, MediaMTX and feed-handler ffmpeg binaries (built once, cached
# outside the repo) and the npm dependencies. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

DEBIAN_PACKAGES=(
  ffmpeg                                   # exports (backend), fixtures and ffprobe (tests)
  build-essential nasm curl xz-utils patch libssl-dev   # to build the feed-handler's own ffmpeg
  nginx libnginx-mod-rtmp                  # the RTMP server the restream tests and bench publish to
  gstreamer1.0-tools gstreamer1.0-x gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 python3-gi   # the RTSP server
  pkgconf                                  # behind InfluxData's pkg-config wrapper
  chromium                                 # browser tests
  docker.io                                # the engine the compose test runs the stack on
  debootstrap                              # the stand-in base images, when no registry is reachable
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# influxd: INFLUXD_BIN, else the cached build, else a build from the Go module (minutes, once).
# Compose v2 (`docker compose`) likewise, built beside it: cold, the two overlap their downloads.
compose_out=$(mktemp); compose_err=$(mktemp)
bash scripts/docker/provide-compose.sh >"$compose_out" 2>"$compose_err" &
compose_pid=$!
INFLUXD=$(bash influx/provide-influxd.sh)
log "influxd: $INFLUXD"
if ! wait "$compose_pid"; then cat "$compose_err" >&2; rm -f "$compose_out" "$compose_err"; exit 1; fi
log "docker compose: $(cat "$compose_out")"
rm -f "$compose_out" "$compose_err"
# MediaMTX, the independent RTSP server of the camera-profile tests (about 1 min, once).
MEDIAMTX=$(bash scripts/provide-mediamtx.sh)
log "mediamtx: $MEDIAMTX"
# The feed-handler's ffmpeg, as its image builds it (about 1.5 min, once): what the tests run it with.
FEED_HANDLER_FFMPEG=$(bash feed-handler/provide-ffmpeg.sh)
log "feed-handler ffmpeg: $FEED_HANDLER_FFMPEG"


# npm ci only when the lock file changed since the last install: npm ci always
# wipes node_modules, which costs a minute on every run otherwise.
stamp=node_modules/.fathom-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
