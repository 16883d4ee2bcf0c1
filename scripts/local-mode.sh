#!/usr/bin/env bash
# Local mode: builds the project (tests skipped), then starts an embedded Kubernetes API, the operator,
# agents and a demo upstream in one JVM, and applies examples/. Ctrl-C stops everything.
# Arguments go to local mode, e.g. --agents 3 or --examples my-dir (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests
mvn -B -q -ntp -pl src-test dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/local-mode.classpath
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "src-test/target/classes:$(cat src-test/target/local-mode.classpath)" \
  io.cacheplane.local.LocalMode "$@"
