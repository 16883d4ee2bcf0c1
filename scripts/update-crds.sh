#!/usr/bin/env bash
# Regenerates the committed CRD YAML (crds/ and the chart's copy) from the Java types in api/.
# Run after changing a class in io.cacheplane.api.v1alpha1; CrdDriftTest fails until you do.
# The generator writes `priority: 0` on printer columns; the API server drops that default, which would make
# `kubectl apply` report a change every time and Helm's server-side apply conflict, so it is removed here
# (CrdDriftTest applies the same normalization).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl api process-classes
for plural in cachepolicies routepolicies; do
  grep -vE '^\s+priority: 0$' "api/target/classes/META-INF/fabric8/${plural}.cacheplane.io-v1.yml" \
    > "crds/${plural}.cacheplane.io.yaml"
  cp "crds/${plural}.cacheplane.io.yaml" "helm/cacheplane/crds/${plural}.cacheplane.io.yaml"
done
echo "crds/ and helm/cacheplane/crds/ updated"
