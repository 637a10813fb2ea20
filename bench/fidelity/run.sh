#!/usr/bin/env bash
# Issue #10's costs, side by side in one run: the sensor's record header (176 bytes before commit 3ef9b9f, 192
# since: process group, session and vpgid in every record) and an exec record's environment (up to 4 KiB).
# Builds the CLI of BEFORE (3ef9b9f^, taken with git archive into bench/target: the worktree is not touched) and of
# this tree, then in ROUNDS interleaved rounds (rotating order) measures, pinned to WORK_CPU:
#   close(-1) for CLOSE_SECONDS (bench/syscalls/mix.c: a header-only record per call) under no tracing and under
#     `vigil capture --events close` of each build: ns per call
#   N execs of /bin/true (bench/execsnoop/exec_loop.c) with an empty environment and with one 4 KiB variable,
#     under no tracing and `vigil capture --events execve` of each build: us per exec
# Prints one line per measurement, then medians of each configuration and the medians of the ratios taken within
# each round (after/before: the header and environment cost with the load of that round on both sides). Environment: ROUNDS (5), CLOSE_SECONDS (3), EXECS (3000), WORK_CPU (1),
# BEFORE (3ef9b9f^), BUILD (1; 0: reuse bench/target/fidelity's jars), JAVA_HOME. Run as root.
set -euo pipefail
set -m

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/fidelity
SHM=/dev/shm/vigil-bench-fidelity.$$
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
ROUNDS=${ROUNDS:-5}
CLOSE_SECONDS=${CLOSE_SECONDS:-3}
EXECS=${EXECS:-3000}
WORK_CPU=${WORK_CPU:-1}
BEFORE=${BEFORE:-3ef9b9f^}
BUILD=${BUILD:-1}

die() { echo "fidelity bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
[ -x "$JAVA_HOME/bin/java" ] || die "Java 25 not found at $JAVA_HOME"
command -v gcc >/dev/null || die "gcc not found: run scripts/setup.sh"
mkdir -p "$OUT" "$SHM"
TRACER=
cleanup() {
  if [ -n "$TRACER" ]; then kill -TERM "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null; fi
  rm -rf "$SHM"
}
trap cleanup EXIT

build() { # dir name: mvn package of the CLI, jars copied to $OUT/name
  ( cd "$1" && mvn -B -q -o package -DskipTests -pl cli -am ) >"$OUT/build-$2.log" 2>&1 || die "build of $2 failed: $OUT/build-$2.log"
  rm -rf "$OUT/$2" && mkdir -p "$OUT/$2" && cp "$1/cli/target/vigil-cli.jar" "$OUT/$2/" && cp -r "$1/cli/target/lib" "$OUT/$2/lib"
}
if [ "$BUILD" = 1 ]; then
  echo "== building $BEFORE and this tree" >&2
  rm -rf "$OUT/src-before" && mkdir -p "$OUT/src-before"
  git -C "$ROOT" archive "$BEFORE" | tar -x -C "$OUT/src-before"
  build "$OUT/src-before" before
  build "$ROOT" after
fi
gcc -O2 -Wall -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c"
gcc -O2 -Wall -o "$OUT/exec_loop" "$ROOT/bench/execsnoop/exec_loop.c"
BIG=$(head -c 4000 /dev/zero | tr '\0' x)
PIN=(taskset -c "$WORK_CPU")

start() { # build events: `vigil capture` in the background until it writes
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m \
    -cp "$OUT/$1/vigil-cli.jar:$OUT/$1/lib/*" dev.vigil.cli.Vigil capture -w "$SHM/cap.vcap" --events "$2" \
    </dev/null >"$OUT/tracer.out" 2>"$OUT/tracer.err" &
  TRACER=$!
  for ((i = 0; i < 1500; i++)); do
    grep -q 'vigil capture: writing' "$OUT/tracer.err" && { sleep 0.2; return; }
    kill -0 "$TRACER" 2>/dev/null || die "$1 capture exited: $(tail -3 "$OUT/tracer.err")"
    sleep 0.02
  done
  die "$1 capture did not attach in 30 s"
}
# SIGTERM, not SIGINT: a script started in the background inherits SIGINT ignored, and so would the JVM
stop() { kill -TERM "$TRACER" 2>/dev/null || true; wait "$TRACER" 2>/dev/null || true; TRACER=; rm -f "$SHM/cap.vcap"; }

RAW=$OUT/results-$(date +%Y%m%d-%H%M%S).txt
: >"$RAW"
echo "uptime before: $(uptime)" | tee -a "$RAW"
for ((r = 0; r < ROUNDS; r++)); do
  configs=(none before after)
  for ((k = 0; k < 3; k++)); do
    cfg=${configs[$(((k + r) % 3))]}
    [ "$cfg" = none ] || start "$cfg" close
    ns=$("${PIN[@]}" "$OUT/mix" --mode close --seconds "$CLOSE_SECONDS" | sed 's/.*ns_per_call=\([0-9.]*\).*/\1/')
    [ "$cfg" = none ] || stop
    echo "round=$r config=$cfg measure=close ns_per_call=$ns" | tee -a "$RAW"
    [ "$cfg" = none ] || start "$cfg" execve
    e0=$(env -i "${PIN[@]}" "$OUT/exec_loop" "$EXECS")
    e4=$(env -i BIG="$BIG" "${PIN[@]}" "$OUT/exec_loop" "$EXECS")
    [ "$cfg" = none ] || stop
    echo "round=$r config=$cfg measure=exec us_per_exec_env0=$e0 us_per_exec_env4k=$e4" | tee -a "$RAW"
  done
done
echo "uptime after: $(uptime)" | tee -a "$RAW"
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
value() { # round config field: one measurement of the raw file
  grep "^round=$1 config=$2 " "$RAW" | sed -n "s/.* $3=\([0-9.]*\).*/\1/p"
}
for cfg in none before after; do
  c=$(grep "config=$cfg measure=close" "$RAW" | sed 's/.*ns_per_call=//' | median)
  e0=$(grep "config=$cfg measure=exec" "$RAW" | sed 's/.*env0=\([0-9.]*\).*/\1/' | median)
  e4=$(grep "config=$cfg measure=exec" "$RAW" | sed 's/.*env4k=//' | median)
  echo "median $cfg: close(-1) $c ns/call; exec $e0 us (empty env), $e4 us (4 KiB env)"
done | tee -a "$RAW"
# Ratios within each round (the configurations of one round ran minutes apart at most, under the same load), then
# their medians: a baseline that swings between rounds cancels out of a ratio taken inside one round.
for field in ns_per_call us_per_exec_env0 us_per_exec_env4k; do
  for ((r = 0; r < ROUNDS; r++)); do
    n=$(value "$r" none "$field"); b=$(value "$r" before "$field"); a=$(value "$r" after "$field")
    awk -v r="$r" -v f="$field" -v n="$n" -v b="$b" -v a="$a" \
      'BEGIN { printf "ratio round=%s %s before/none=%.3f after/none=%.3f after/before=%.3f\n", r, f, b / n, a / n, a / b }'
  done
done | tee -a "$RAW"
for field in ns_per_call us_per_exec_env0 us_per_exec_env4k; do
  line=$(grep "^ratio round=[0-9]* $field " "$RAW")
  bn=$(sed 's/.*before\/none=\([0-9.]*\).*/\1/' <<<"$line" | median)
  an=$(sed 's/.*after\/none=\([0-9.]*\).*/\1/' <<<"$line" | median)
  ab=$(sed 's/.*after\/before=\([0-9.]*\).*/\1/' <<<"$line" | median)
  echo "median of per-round ratios $field: before/none x$bn, after/none x$an, after/before x$ab"
done | tee -a "$RAW"
echo "raw: $RAW"
