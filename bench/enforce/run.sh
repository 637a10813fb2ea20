#!/usr/bin/env bash
# Added cost of process enforcement (EnforcementPolicy), side by side in one run: exec, open and connect loops with no
# enforcement, with a policy that matches nothing the loops do, and with 1,000 binary / path / CIDR entries; then
# the latency of a response (kill) from the syscall to the kill. See EnforceBench.java.
#
#   bench/enforce/run.sh        (root, after scripts/setup.sh; a few minutes)
# Environment: ROUNDS (5), EXECS (300), OPENS (200000), CONNECTS (200000), KILLS (200), BUILD (1), JAVA_HOME.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/enforce
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "enforce bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
command -v gcc >/dev/null || die "gcc not found: run scripts/setup.sh"
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/loops" "$ROOT/bench/enforce/loops.c" || die "gcc failed"
# the floor: empty programs at the same hooks (needs the bpf module's generated vmlinux.h: mvn package made it)
CLANG=$(command -v clang-16 || command -v clang || true)
[ -n "$CLANG" ] && [ -f "$ROOT/bpf/target/generated/vmlinux.h" ] || die "clang-16 and bpf/target/generated/vmlinux.h needed (mvn package)"
"$CLANG" -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$ROOT/bpf/target/generated" -c "$ROOT/bench/enforce/floor.bpf.c" \
  -o "$OUT/floor.bpf.o" || die "clang failed on floor.bpf.c"
cd "$ROOT"
if [ "${BUILD:-1}" = 1 ]; then
  mvn -B -q -o -pl bench -am package -DskipTests || mvn -B -q -pl bench -am package -DskipTests || die "build failed"
fi
echo "load before: $(uptime)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  dev.vigil.bench.enforce.EnforceBench "$OUT/loops" "$OUT/floor.bpf.o" "${ROUNDS:-5}" "${EXECS:-300}" "${OPENS:-200000}" "${CONNECTS:-200000}" "${KILLS:-200}"
echo "load after: $(uptime)"
