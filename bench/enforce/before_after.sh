#!/usr/bin/env bash
# The enforcement bench for two builds of the project, alternating in one run (a change's before and after): each
# round runs BEFORE's EnforceBench, then AFTER's, with the load printed between. Both trees must be built
# (mvn -B -q -o package -DskipTests); BEFORE is typically `git archive <commit> | tar -x -C DIR` then a build there.
#
#   bench/enforce/before_after.sh BEFORE_ROOT AFTER_ROOT   (root; default AFTER_ROOT: this tree)
# Environment: PAIRS (2), ROUNDS (3), EXECS (50), OPENS (100000), CONNECTS (200000); no response-latency part.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BEFORE=${1:?usage: before_after.sh BEFORE_ROOT [AFTER_ROOT]}
AFTER=${2:-$ROOT}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "before_after: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
OUT=$ROOT/bench/target/enforce
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/loops" "$ROOT/bench/enforce/loops.c" || die "gcc failed"
CLANG=$(command -v clang-16 || command -v clang || true)
[ -n "$CLANG" ] && [ -f "$ROOT/bpf/target/generated/vmlinux.h" ] || die "clang-16 and bpf/target/generated/vmlinux.h needed (mvn package)"
"$CLANG" -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$ROOT/bpf/target/generated" -c "$ROOT/bench/enforce/floor.bpf.c" -o "$OUT/floor.bpf.o"
for t in "$BEFORE" "$AFTER"; do [ -f "$t/bench/target/vigil-bench-0.1.0-SNAPSHOT.jar" ] || die "$t is not built (no bench jar)"; done
for p in $(seq "${PAIRS:-2}"); do
  for t in "$BEFORE" "$AFTER"; do
    label=$([ "$t" = "$BEFORE" ] && echo before || echo after)
    echo "=== pair $p, $label ($t), load: $(uptime)"
    (cd "$t" && "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
      dev.vigil.bench.enforce.EnforceBench "$OUT/loops" "$OUT/floor.bpf.o" "${ROUNDS:-3}" "${EXECS:-50}" "${OPENS:-100000}" \
      "${CONNECTS:-200000}" 0)
  done
done
echo "load after: $(uptime)"
