#!/usr/bin/env bash
# What reporting pin removals costs where BPF LSM is missing: unlink loops with and without the enforcer (tamper
# reports and pins on), and the programs' own time per unlink. See PinCallBench.java.
#
#   bench/enforce/pincalls.sh   (root, after mvn -B -q -o package -DskipTests)
# Environment: ROUNDS (3), N (200000), PIN_ROOT (/sys/fs/bpf/vigil-bench-pincalls), JAVA_HOME.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/enforce
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "pincalls bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/loops" "$ROOT/bench/enforce/loops.c" || die "gcc failed"
[ -f "$ROOT/bench/target/vigil-bench-0.1.0-SNAPSHOT.jar" ] || die "not built: mvn -B -q -o package -DskipTests"
echo "load before: $(uptime)"
cd "$ROOT"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  dev.vigil.bench.enforce.PinCallBench "$OUT/loops" "${PIN_ROOT:-/sys/fs/bpf/vigil-bench-pincalls}" "${ROUNDS:-3}" "${N:-200000}"
echo "load after: $(uptime)"
