#!/usr/bin/env bash
# http_output.keep_alive false (Falco's default: a connection per alert) against true, alerts/s to a local sink.
# Usage: bench/agent/http-keepalive.sh [ALERTS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT"
mvn -q -B -o -pl bench -am package -DskipTests 2>/dev/null || mvn -q -B -pl bench -am package -DskipTests
exec "$JAVA_HOME/bin/java" -cp "bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.vigil.bench.agent.HttpKeepAlive "$@"
