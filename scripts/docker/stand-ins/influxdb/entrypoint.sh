#!/bin/bash
# Entrypoint of the influxdb:2.9.1 stand-in. Like the official image's:
# - runs influxd as the influxdb user, after giving it the data and config dirs;
# - on a data dir without a bolt file and DOCKER_INFLUXDB_INIT_MODE=setup, starts
#   influxd on loopback, runs the initial setup from DOCKER_INFLUXDB_INIT_USERNAME,
#   _PASSWORD, _ORG, _BUCKET, _RETENTION and _ADMIN_TOKEN, stops it, then starts
#   influxd for real. A data dir that was set up before is used as it is.
set -euo pipefail
log() { printf '{"level":"info","msg":"%s","service":"influxdb-entrypoint"}\n' "$*"; }
die() { printf '{"level":"error","msg":"%s","service":"influxdb-entrypoint"}\n' "$*" >&2; exit 1; }

if [[ "${1:-}" != influxd ]]; then exec "$@"; fi
shift

if [[ $(id -u) -eq 0 ]]; then
  # The official image takes ownership of its dirs, so bind mounts created by Docker as root work.
  for dir in /var/lib/influxdb2 /etc/influxdb2; do
    [[ $(stat -c %u "$dir") -eq 1000 ]] || chown -R influxdb:influxdb "$dir"
  done
  exec setpriv --reuid=influxdb --regid=influxdb --init-groups "$0" influxd "$@"
fi

retention_seconds() {
  local value=${1:-}
  case "$value" in
    ''|0|infinite) echo 0 ;;
    *[0-9]w) echo $(( ${value%w} * 604800 )) ;;
    *[0-9]d) echo $(( ${value%d} * 86400 )) ;;
    *[0-9]h) echo $(( ${value%h} * 3600 )) ;;
    *[0-9]m) echo $(( ${value%m} * 60 )) ;;
    *[0-9]s) echo $(( ${value%s} )) ;;
    *) die "DOCKER_INFLUXDB_INIT_RETENTION=$value is not a duration such as 30d, 12h or 1w" ;;
  esac
}

if [[ "${DOCKER_INFLUXDB_INIT_MODE:-}" == setup && ! -f "$INFLUXD_BOLT_PATH" ]]; then
  for key in USERNAME PASSWORD ORG BUCKET; do
    var="DOCKER_INFLUXDB_INIT_$key"
    [[ -n "${!var:-}" ]] || die "$var must be set for DOCKER_INFLUXDB_INIT_MODE=setup"
  done
  seconds=$(retention_seconds "${DOCKER_INFLUXDB_INIT_RETENTION:-}")
  log "new data dir: running the initial setup (org ${DOCKER_INFLUXDB_INIT_ORG}, bucket ${DOCKER_INFLUXDB_INIT_BUCKET})"
  influxd --http-bind-address 127.0.0.1:8086 --reporting-disabled >/tmp/influxd-setup.log 2>&1 &
  setup_pid=$!
  for _ in $(seq 1 150); do influx ping --host http://127.0.0.1:8086 >/dev/null 2>&1 && break; sleep 0.2; done
  influx ping --host http://127.0.0.1:8086 >/dev/null || { cat /tmp/influxd-setup.log >&2; die "influxd did not start for setup"; }
  json=$(printf '{"username":"%s","password":"%s","org":"%s","bucket":"%s","retentionPeriodSeconds":%s%s}' \
    "$DOCKER_INFLUXDB_INIT_USERNAME" "$DOCKER_INFLUXDB_INIT_PASSWORD" "$DOCKER_INFLUXDB_INIT_ORG" \
    "$DOCKER_INFLUXDB_INIT_BUCKET" "$seconds" \
    "${DOCKER_INFLUXDB_INIT_ADMIN_TOKEN:+,\"token\":\"$DOCKER_INFLUXDB_INIT_ADMIN_TOKEN\"}")
  status=$(curl -sS -o /tmp/setup-answer.json -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data "$json" http://127.0.0.1:8086/api/v2/setup)
  [[ $status == 201 ]] || { cat /tmp/setup-answer.json >&2; die "setup answered HTTP $status"; }
  log "setup done"
  kill -TERM "$setup_pid"; wait "$setup_pid" || true
fi

exec influxd --reporting-disabled "$@"
