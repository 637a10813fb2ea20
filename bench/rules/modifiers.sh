#!/usr/bin/env bash
# List modifiers and multi-value transformers (JMH): events/s for one rule written as an or-chain, with
# startswith anyof/oneof, with concat() and with getopt()[c]. Extra arguments go to JMH (-f 1 -wi 2 -i 3: short).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export VIGIL_PROJECT_ROOT=$ROOT
cd "$ROOT"
mvn -q -B -o -pl bench -am package -DskipTests 2>/dev/null || mvn -q -B -pl bench -am package -DskipTests
exec "$JAVA_HOME/bin/java" -cp "bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  org.openjdk.jmh.Main 'dev.vigil.bench.rules.ModifierBench' -prof gc "$@"
