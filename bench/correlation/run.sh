#!/usr/bin/env bash
# Correlation engine costs (JMH): events/s on one core and bytes per event (-prof gc) with the stable Falco
# rules alone and with Vigil's shipped correlation rules beside them, on the synthetic mix and on a connect scan;
# then the same two rulesets alternating in short rounds in one JVM, medians of per-round ratios
# (CorrelationRounds: the ratio that survives this machine's drifting speed), then heap per tracked group key
# (CorrelationMemory). Extra arguments go to JMH (e.g. -f 1 -wi 2 -i 3).
# Alert latency of a real scan through `vigil run`: bench/correlation/latency.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export VIGIL_PROJECT_ROOT=$ROOT
cd "$ROOT"
mvn -q -B -o -pl bench -am package -DskipTests 2>/dev/null || mvn -q -B -pl bench -am package -DskipTests
CP="bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
echo "load before: $(uptime)"
"$JAVA_HOME/bin/java" -cp "$CP" org.openjdk.jmh.Main 'dev.vigil.bench.rules.CorrelationBench' -prof gc "$@"
"$JAVA_HOME/bin/java" -Xms1g -Xmx1g -cp "$CP" dev.vigil.bench.rules.CorrelationRounds "${ROUNDS:-21}" 500
"$JAVA_HOME/bin/java" -Xmx2g -cp "$CP" dev.vigil.bench.rules.CorrelationMemory 100000
echo "load after: $(uptime)"
