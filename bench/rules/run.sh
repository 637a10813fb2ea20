#!/usr/bin/env bash
# Rules engine throughput (JMH): events/s evaluated on one core with the upstream Falco rules loaded,
# against a baseline that only reads the event type; -prof gc shows bytes allocated per event.
# Extra arguments go to JMH (e.g. -f 1 -wi 2 -i 3 for a short run); BENCH=OtherBench runs another class here.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export VIGIL_PROJECT_ROOT=$ROOT
cd "$ROOT"
mvn -q -B -o -pl bench -am package -DskipTests 2>/dev/null || mvn -q -B -pl bench -am package -DskipTests
exec "$JAVA_HOME/bin/java" -cp "bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  org.openjdk.jmh.Main "dev.vigil.bench.rules.${BENCH:-RulesBench}" -prof gc "$@"
