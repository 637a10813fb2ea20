#!/usr/bin/env bash
# Issue 17: two builds' agents at the same time, over the same records. Both `vigil run`s (default rules, stdout off,
# bin/vigil's JVM options, each with the AOT cache trained on its own build when AOT=1) attach to the same syscalls,
# so each reader gets the same mix and the same machine load in the same seconds: on a shared machine whose load
# moves from minute to minute this compares CPU per record far better than runs one after the other.
# After both answer /healthz: bench/syscalls/mix.c 3 s (warm-up), then SECONDS_MIX measured; per agent, the
# process's and the reader thread's utime+stime over the window divided by its vigil_records_received_total delta,
# and the C2 compiler threads' CPU in the window. ROUNDS rounds (the start order alternates).
# Usage: bench/perf/agentcpu_sidebyside.sh BASE_JARS NEW_JARS (directories with vigil-cli.jar and lib/).
# Environment: ROUNDS (3), SECONDS_MIX (20), WORK_CPU (1), AOT (0), PORTS ("18781 18782"). Root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ $# -eq 2 ] || { echo "usage: $0 BASE_JARS NEW_JARS" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "agentcpu_sidebyside: must run as root" >&2; exit 2; }
for d in "$1" "$2"; do [ -f "$d/vigil-cli.jar" ] && [ -d "$d/lib" ] || { echo "agentcpu_sidebyside: $d: no vigil-cli.jar and lib/" >&2; exit 2; }; done
DIRS=("$(cd "$1" && pwd)" "$(cd "$2" && pwd)"); NAMES=(base new)
ROUNDS=${ROUNDS:-3}; SECONDS_MIX=${SECONDS_MIX:-20}; WORK_CPU=${WORK_CPU:-1}; read -r -a PORTS <<<"${PORTS:-18781 18782}"
OUT=$ROOT/bench/target/agentcpu-sidebyside; mkdir -p "$OUT"; SHM=/dev/shm/vigil-sidebyside.$$; mkdir -p "$SHM"
gcc -O2 -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c"
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$SHM"; }
trap cleanup EXIT
if [ "${AOT:-0}" = 1 ]; then
  for i in 0 1; do
    "${JAVA[@]}" -XX:AOTCacheOutput="$OUT/${NAMES[$i]}.aot" -Xlog:aot=off -Xlog:cds=off -cp "${DIRS[$i]}/vigil-cli.jar:${DIRS[$i]}/lib/*" \
      dev.vigil.cli.AotTraining >"$OUT/${NAMES[$i]}.aot.log" 2>&1 || { echo "AOT training of ${NAMES[$i]} failed" >&2; exit 1; }
  done
fi
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k {print $2; f = 1} END {if (!f) print 0}'; }
# utime+stime ticks of the threads of process $1 whose comm is $2 (all threads when $2 is empty)
ticks() { local s=0 t; for t in /proc/$1/task/*; do if [ -z "$2" ] || [ "$(cat "$t/comm")" = "$2" ]; then
  s=$((s + $(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}'))); fi; done; echo $s; }
TCK=$(getconf CLK_TCK)
echo "uptime before: $(uptime)"
for r in $(seq 1 "$ROUNDS"); do
  order=(0 1); [ $((r % 2)) = 0 ] && order=(1 0)
  PIDS=()
  for i in "${order[@]}"; do
    opts=(); [ "${AOT:-0}" = 1 ] && opts=(-XX:AOTCache="$OUT/${NAMES[$i]}.aot" -Xlog:aot=off -Xlog:cds=off)
    "${JAVA[@]}" "${opts[@]}" -cp "${DIRS[$i]}/vigil-cli.jar:${DIRS[$i]}/lib/*" dev.vigil.cli.Vigil run -o stdout_output.enabled=false \
      -o webserver.listen_port="${PORTS[$i]}" </dev/null >"$OUT/${NAMES[$i]}.out" 2>"$OUT/${NAMES[$i]}.err" &
    PIDS[$i]=$!
  done
  for i in 0 1; do
    for ((k = 0; k < 3000; k++)); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORTS[$i]}/healthz")" = 200 ] && break
      kill -0 "${PIDS[$i]}" 2>/dev/null || { cat "$OUT/${NAMES[$i]}.err" >&2; exit 1; }
      sleep 0.02
    done
  done
  "$OUT/mix" --mode mix --seconds 3 --cpu "$WORK_CPU" --dir "$SHM" >/dev/null
  declare -A a0 q0 c0 n0
  for i in 0 1; do a0[$i]=$(ticks "${PIDS[$i]}" ""); q0[$i]=$(ticks "${PIDS[$i]}" vigil-reader)
    c0[$i]=$(ticks "${PIDS[$i]}" "C2 CompilerThre"); n0[$i]=$(metric "${PORTS[$i]}" vigil_records_received_total); done
  load=$(uptime | sed 's/.*load average: //')
  "$OUT/mix" --mode mix --seconds "$SECONDS_MIX" --cpu "$WORK_CPU" --dir "$SHM" >/dev/null
  sleep 0.5
  for i in 0 1; do
    a=$(( $(ticks "${PIDS[$i]}" "") - a0[$i] )); q=$(( $(ticks "${PIDS[$i]}" vigil-reader) - q0[$i] ))
    c=$(( $(ticks "${PIDS[$i]}" "C2 CompilerThre") - c0[$i] )); n=$(( $(metric "${PORTS[$i]}" vigil_records_received_total) - n0[$i] ))
    d=$(metric "${PORTS[$i]}" vigil_drops_total)
    awk -v nm="${NAMES[$i]}" -v r="$r" -v a=$a -v q=$q -v c=$c -v n=$n -v k=$TCK -v d="$d" -v l="$load" 'BEGIN {
      printf "%-4s round %s | records %8d | agent %.2f s, %.3f us/record | reader %.2f s, %.3f us/record | C2 %.2f s | drops %s | load %s\n",
        nm, r, n, a / k, n ? a / k / n * 1e6 : 0, q / k, n ? q / k / n * 1e6 : 0, c / k, d, l }'
  done
  for i in 0 1; do kill -INT "${PIDS[$i]}"; wait "${PIDS[$i]}" 2>/dev/null || true; done
  PIDS=()
done
echo "uptime after: $(uptime)"
