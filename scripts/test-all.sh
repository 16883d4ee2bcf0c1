#!/usr/bin/env bash
# Runs every test of the project: unit (*Test), mock-server integration (*IT), system tests and
# end-to-end tests (*E2E) against a real kube-apiserver 1.20 + kubectl + helm.
# Needs a JDK 17+ and Maven; Maven downloads the dependencies on the first run.
# The E2E binaries come from scripts/k8s/install.sh (idempotent: under a second when cached; the
# first run on a fresh machine builds kube-apiserver from Debian's source, ~4-7 min).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/k8s/install.sh
command -v lua5.1 >/dev/null || { apt-get update -qq && apt-get install -y -qq lua5.1; }  # Argo CD health check tests
# Argo CD's Application schema (GitOpsKitTest validates examples/argocd/ with the package's own validators).
ARGO_MODELS=${CACHEPLANE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cacheplane}/npm/argo-cd-4.0.0
[[ -f $ARGO_MODELS/node_modules/@kubernetes-models/argo-cd/package.json ]] \
  || npm install --prefix "$ARGO_MODELS" --no-save --no-audit --no-fund --loglevel=error @kubernetes-models/argo-cd@4.0.0
exec mvn -B -ntp verify "$@"
