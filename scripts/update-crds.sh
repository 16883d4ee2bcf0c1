#!/usr/bin/env bash
# Regenerates the committed CRD YAML (crds/) from the Java types in api/.
# Run after changing a class in io.cacheplane.api.v1alpha1; CrdDriftTest fails until you do.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl api process-classes
for plural in cachepolicies routepolicies; do
  cp "api/target/classes/META-INF/fabric8/${plural}.cacheplane.io-v1.yml" "crds/${plural}.cacheplane.io.yaml"
done
echo "crds/ updated"
