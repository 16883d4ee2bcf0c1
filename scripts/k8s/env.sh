# shellcheck shell=bash
# Source me (after scripts/k8s/install.sh) to use the cached Kubernetes tools:
#   . scripts/k8s/env.sh
# Exports:
#   CACHEPLANE_CACHE_DIR    the cache root (also the kube-api-test "test dir":
#                           withTestDir(it).withOfflineMode(true).withApiServerVersion("1.20.2"))
#   CACHEPLANE_K8S_BIN_DIR  kube-apiserver, kube-controller-manager, etcd, kubectl 1.20.2
#   PATH                    prefixed with $CACHEPLANE_CACHE_DIR/bin (kubectl 1.35, helm 4);
#                           use "$CACHEPLANE_K8S_BIN_DIR/kubectl" against the 1.20 apiserver.
# Sets no shell options, so it is safe to source from interactive shells.

CACHEPLANE_CACHE_DIR=${CACHEPLANE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cacheplane}
CACHEPLANE_K8S_BIN_DIR=$CACHEPLANE_CACHE_DIR/k8s/1.20.2-linux-amd64
export CACHEPLANE_CACHE_DIR CACHEPLANE_K8S_BIN_DIR
case ":$PATH:" in
  *":$CACHEPLANE_CACHE_DIR/bin:"*) ;;
  *) export PATH="$CACHEPLANE_CACHE_DIR/bin:$PATH" ;;
esac
