#!/usr/bin/env bash
# Stop a control plane started by scripts/k8s/start.sh.
#
# Usage: scripts/k8s/stop.sh STATE_DIR [--clean]
# Stops kube-controller-manager, then kube-apiserver (waiting for it to exit),
# then etcd: stopping etcd first makes the apiserver hang. Each gets SIGTERM,
# then SIGKILL after a grace period. Idempotent: nothing running is fine.
# Removes only the pid files, unless --clean, which deletes STATE_DIR (only if
# start.sh made it: it holds the .cacheplane-k8s marker).
set -euo pipefail

log() { printf '[k8s-stop %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

STATE=''
CLEAN=0
for arg in "$@"; do
  case $arg in
    --clean) CLEAN=1 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) die "unknown option $arg" ;;
    *) [[ -z $STATE ]] || die "one STATE_DIR only"; STATE=$arg ;;
  esac
done
[[ -n $STATE ]] || die "usage: $0 STATE_DIR [--clean]"
if [[ ! -d $STATE ]]; then
  log "nothing to stop: $STATE does not exist"
  exit 0
fi

pid_of() { # pid_of NAME: print the pid if STATE/NAME.pid names a live NAME process
  local pid exe=
  [[ -f $STATE/$1.pid ]] || return 1
  pid=$(<"$STATE/$1.pid")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  read -r -d '' exe <"/proc/$pid/cmdline" || true # empty for a zombie
  [[ ${exe##*/} == "$1" ]] || return 1
  echo "$pid"
}

wait_gone() { # wait_gone NAME SECONDS: true once NAME has exited
  local deadline=$((SECONDS + $2))
  while pid_of "$1" >/dev/null; do
    [[ $SECONDS -lt $deadline ]] || return 1
    sleep 0.2
  done
}

stop_one() { # stop_one NAME GRACE_SECONDS
  local pid
  if pid=$(pid_of "$1"); then
    log "stopping $1 (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$1" "$2"; then
      log "$1 still running after $2 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$1" 10 || die "$1 (pid $pid) does not exit"
    fi
  fi
  rm -f "$STATE/$1.pid"
}

stop_one kube-controller-manager 15
stop_one kube-apiserver 60
stop_one etcd 30
log "stopped ($STATE)"

if [[ $CLEAN -eq 1 ]]; then
  [[ -f $STATE/.cacheplane-k8s ]] || die "refusing to delete $STATE: no .cacheplane-k8s marker"
  rm -rf "$STATE"
  log "deleted $STATE"
fi
