#!/usr/bin/env bash
# Local mode: builds the project (tests skipped), then starts an embedded Kubernetes API, the operator,
# two agents and a demo upstream, and applies examples/. Ctrl-C stops everything.
# Extra arguments go to local mode, e.g. --agents 3 or --examples my-dir (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests
exec mvn -B -q -ntp -pl src-test exec:java -Dexec.args="$*"
