#!/usr/bin/env bash
# Runs every test of the project: unit (*Test), mock-server integration (*IT) and system tests.
# Needs a JDK 17+ and Maven; Maven downloads the dependencies on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -ntp verify "$@"
