#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: the Debian packages Fathom's
# real services need, the influxd binary (built once, cached outside the repo)
# and the npm dependencies. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

DEBIAN_PACKAGES=(
  ffmpeg                                   # thumbnails (feed-handler), ffprobe (tests)
  gstreamer1.0-tools gstreamer1.0-x gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 python3-gi   # the RTSP server
  pkgconf                                  # behind InfluxData's pkg-config wrapper
  chromium                                 # browser tests
  docker-compose                           # validates the compose files (no engine needed)
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
INFLUXD=$(bash influx/provide-influxd.sh)
log "influxd: $INFLUXD"

# npm ci only when the lock file changed since the last install: npm ci always
# wipes node_modules, which costs a minute on every run otherwise.
stamp=node_modules/.fathom-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
