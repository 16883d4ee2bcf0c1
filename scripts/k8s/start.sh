#!/usr/bin/env bash
# Start a local Kubernetes 1.20.2 control plane: etcd, kube-apiserver and
# kube-controller-manager on 127.0.0.1 (no kubelet, so pods stay Pending).
#
# Usage: scripts/k8s/start.sh [STATE_DIR]
#   STATE_DIR  default: a fresh temp dir (printed). It gets the certificates
#              (pki/), the etcd data (etcd-data/), NAME.pid, NAME.log and the
#              admin kubeconfig. Starting again on a stopped STATE_DIR keeps
#              the data; on a running one it only prints the kubeconfig.
# The last line printed on stdout is KUBECONFIG=<STATE_DIR>/kubeconfig, e.g.
#   export "$(scripts/k8s/start.sh | tail -n 1)"
# Ports are picked free on each start, so several instances can coexist.
# Stop with scripts/k8s/stop.sh STATE_DIR [--clean]. Needs scripts/k8s/install.sh.
# CACHEPLANE_K8S_READY_TIMEOUT (seconds, default 90) bounds each wait.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$SCRIPT_DIR/env.sh"
BIN=$CACHEPLANE_K8S_BIN_DIR
KUBECTL=$BIN/kubectl
TIMEOUT=${CACHEPLANE_K8S_READY_TIMEOUT:-90}
COMPONENTS=(etcd kube-apiserver kube-controller-manager)
CONTROLLERS='*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-route,-service,-persistentvolume-binder,-attachdetach'

log() { printf '[k8s-start %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for b in "${COMPONENTS[@]}" kubectl; do
  [[ -x $BIN/$b ]] || die "missing $BIN/$b: run scripts/k8s/install.sh first"
done

if [[ $# -gt 0 ]]; then
  mkdir -p "$1"
  STATE=$(cd "$1" && pwd)
else
  STATE=$(mktemp -d "${TMPDIR:-/tmp}/cacheplane-k8s.XXXXXX")
fi
touch "$STATE/.cacheplane-k8s" # marks the dir as ours for stop.sh --clean
PKI=$STATE/pki
KUBECONFIG_FILE=$STATE/kubeconfig

proc_alive() { # proc_alive NAME: $STATE/NAME.pid names a live NAME process
  local pid exe=
  [[ -f $STATE/$1.pid ]] || return 1
  pid=$(<"$STATE/$1.pid")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  read -r -d '' exe <"/proc/$pid/cmdline" || true # empty for a zombie
  [[ ${exe##*/} == "$1" ]]
}

kubectl_admin() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" --request-timeout 5s "$@"; }

# ---- already running? ----------------------------------------------------------
running=()
for c in "${COMPONENTS[@]}"; do
  if proc_alive "$c"; then running+=("$c"); fi
done
if [[ ${#running[@]} -gt 0 ]]; then
  if [[ ${#running[@]} -eq ${#COMPONENTS[@]} ]] && kubectl_admin get --raw /readyz >/dev/null 2>&1; then
    log "already running in $STATE"
    echo "KUBECONFIG=$KUBECONFIG_FILE"
    exit 0
  fi
  die "partly running in $STATE (${running[*]}): run scripts/k8s/stop.sh $STATE first"
fi

# ---- free ports ------------------------------------------------------------------
free_ports() { # free_ports N: N distinct free TCP ports on 127.0.0.1
  if command -v python3 >/dev/null; then
    python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
    return
  fi
  local used p out=()
  used=$(ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
  while [[ ${#out[@]} -lt $1 ]]; do
    p=$((20000 + RANDOM % 30000))
    if grep -qx "$p" <<<"$used" || [[ " ${out[*]} " == *" $p "* ]]; then continue; fi
    out+=("$p")
  done
  echo "${out[*]}"
}
read -r ETCD_PORT ETCD_PEER_PORT API_PORT <<<"$(free_ports 3)"
[[ ${API_PORT:-} =~ ^[0-9]+$ ]] || die "could not pick free ports"

# ---- certificates (made once per STATE_DIR) ------------------------------------------
quiet() { # run quietly, show the output only on failure
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    return 1
  fi
}

make_pki() {
  [[ -f $PKI/sa.pub ]] && return 0
  log "making certificates in $PKI"
  mkdir -p "$PKI"
  cat >"$PKI/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
EOF
  (
    umask 077
    cd "$PKI"
    quiet openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj /CN=cacheplane-local-ca -config openssl.cnf -extensions ca
    sign() { # sign NAME SUBJECT EXTENSIONS
      quiet openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" -config openssl.cnf
      quiet openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -out "$1.crt" -extfile openssl.cnf -extensions "$3"
      rm -f "$1.csr"
    }
    sign apiserver /CN=kube-apiserver server
    sign admin /O=system:masters/CN=cacheplane-admin client
    sign kube-controller-manager /CN=system:kube-controller-manager client
    quiet openssl genrsa -out sa.key 2048
    quiet openssl rsa -in sa.key -pubout -out sa.pub # last: marks the PKI complete
  )
}

write_kubeconfig() { # write_kubeconfig FILE CERT_NAME USER
  cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: cacheplane
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $3
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$2.crt")
    client-key-data: $(base64 -w0 <"$PKI/$2.key")
contexts:
- name: cacheplane
  context:
    cluster: cacheplane
    user: $3
current-context: cacheplane
EOF
  chmod 600 "$1.tmp"
  mv -f "$1.tmp" "$1"
}

make_pki
write_kubeconfig "$KUBECONFIG_FILE" admin cacheplane-admin
write_kubeconfig "$STATE/kube-controller-manager.kubeconfig" kube-controller-manager system:kube-controller-manager

# ---- processes ------------------------------------------------------------------------
STARTED=()
launch() { # launch NAME ARGS...: run in its own session, log to STATE/NAME.log
  local name=$1
  shift
  printf '===== %s start: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$STATE/$name.log"
  setsid "$BIN/$name" "$@" </dev/null >>"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  STARTED+=("$name")
  # Until the fork has exec'd, /proc/PID/cmdline still shows bash or setsid.
  local i
  for ((i = 0; i < 50; i++)); do
    proc_alive "$name" && return 0
    kill -0 "$!" 2>/dev/null || break
    sleep 0.1
  done
  proc_alive "$name" || fail "$name did not start"
}

fail() { # stop what we started, show the logs' tails, exit 1
  local c
  log "ERROR: $*"
  for c in "${STARTED[@]}"; do
    log "---- last lines of $STATE/$c.log"
    tail -n 25 "$STATE/$c.log" >&2 || true
  done
  "$SCRIPT_DIR/stop.sh" "$STATE" >&2 || true
  log "ERROR: start failed ($*); logs in $STATE"
  exit 1
}

wait_for() { # wait_for WHAT CMD...: poll CMD until it succeeds (bounded)
  local what=$1 deadline=$((SECONDS + TIMEOUT)) c
  shift
  until "$@" >/dev/null 2>&1; do
    for c in "${STARTED[@]}"; do
      proc_alive "$c" || fail "$c exited while waiting for $what"
    done
    [[ $SECONDS -lt $deadline ]] || fail "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.3
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

T0=$SECONDS
log "state dir: $STATE"
log "etcd on 127.0.0.1:$ETCD_PORT, kube-apiserver on https://127.0.0.1:$API_PORT"
launch etcd --name cacheplane --data-dir "$STATE/etcd-data" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "cacheplane=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --logger zap --log-level warn
wait_for "etcd port $ETCD_PORT" port_open "$ETCD_PORT"

launch kube-apiserver --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" --insecure-port 0 \
  --cert-dir "$PKI" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 --disable-admission-plugins ServiceAccount \
  --endpoint-reconciler-type none --allow-privileged=true --profiling=false
wait_for "kube-apiserver /readyz" kubectl_admin get --raw /readyz
log "kube-apiserver ready after $((SECONDS - T0)) s"

launch kube-controller-manager --kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
  --leader-elect=false --port 0 --secure-port 0 --controllers "$CONTROLLERS" \
  --use-service-account-credentials=true \
  --root-ca-file "$PKI/ca.crt" --service-account-private-key-file "$PKI/sa.key" \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --cluster-name cacheplane --profiling=false
wait_for "namespace default" kubectl_admin get namespace default
# The service account controller (in kcm) makes "default" in every namespace.
wait_for "kube-controller-manager (serviceaccount default/default)" kubectl_admin -n default get serviceaccount default
log "ready in $((SECONDS - T0)) s; logs and pids in $STATE; stop: scripts/k8s/stop.sh $STATE"
echo "KUBECONFIG=$KUBECONFIG_FILE"
