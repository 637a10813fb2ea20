#!/usr/bin/env bash
# Issue 17, before/after in one sitting: two builds of the agent side by side, in alternating rounds.
#   1. CPU per record: bench/perf/agentcpu.sh (JFR=0) on each build, ROUNDS rounds (agent and reader thread CPU per
#      ring record over SECONDS_MIX of the mix after a 3 s warm-up, and the C2 compiler's CPU in that window).
#   2. Start to healthy: START_ROUNDS fresh `vigil run` starts of each build, with and without an AOT cache trained on
#      that build (dev.vigil.cli.AotTraining, as bin/vigil does), timed from launch to /healthz 200, with the agent's own
#      startup_ms and its parts (rules_load_ms, bpf_open_ms, bpf_load_ms, proc_seed_ms, syscall_attach_ms; builds that
#      report them) and the main thread's user/sys CPU at healthz.
# Usage: bench/perf/agentcpu_paired.sh BASE_JARS NEW_JARS (directories holding vigil-cli.jar and lib/, e.g. copies of
#   two builds' cli/target). Environment: ROUNDS (3), SECONDS_MIX (20), START_ROUNDS (3), PORT (18799). Root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ $# -eq 2 ] || { echo "usage: $0 BASE_JARS NEW_JARS" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "agentcpu_paired: must run as root" >&2; exit 2; }
for d in "$1" "$2"; do [ -f "$d/vigil-cli.jar" ] && [ -d "$d/lib" ] || { echo "agentcpu_paired: $d: no vigil-cli.jar and lib/" >&2; exit 2; }; done
BASE=$(cd "$1" && pwd); NEW=$(cd "$2" && pwd)
ROUNDS=${ROUNDS:-3}; START_ROUNDS=${START_ROUNDS:-3}; PORT=${PORT:-18799}
OUT=$ROOT/bench/target/agentcpu-paired; mkdir -p "$OUT"
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m)
echo "uptime before: $(uptime)"
echo "== CPU per record (agentcpu.sh, JFR=0)"
for r in $(seq 1 "$ROUNDS"); do
  for v in base new; do
    d=$BASE; [ $v = new ] && d=$NEW
    res=$(JFR=0 JARS=$d PORT=$PORT "$ROOT/bench/perf/agentcpu.sh" 2>&1)
    printf '%-4s round %s | %s | %s | %s | C2 %s s | %s\n' $v "$r" \
      "$(grep -o 'records [0-9]*' <<<"$res")" "$(grep -o '[0-9.]* us CPU per record' <<<"$res" | head -1) (agent)" \
      "$(grep -o '[0-9.]* us CPU per record' <<<"$res" | tail -1) (reader)" \
      "$(awk '/C2_CompilerThre/ {print $1}' <<<"$res")" "$(grep -o 'load average.*' <<<"$res" | head -1)"
  done
done
echo "== start to healthy"
for v in base new; do
  d=$BASE; [ $v = new ] && d=$NEW
  [ -s "$OUT/$v.aot" ] && [ "$OUT/$v.aot" -nt "$d/vigil-cli.jar" ] && [ "$(cat "$OUT/$v.aot.dir" 2>/dev/null)" = "$d" ] && continue
  echo "$d" >"$OUT/$v.aot.dir"
  "${JAVA[@]}" -XX:AOTCacheOutput="$OUT/$v.aot" -Xlog:aot=off -Xlog:cds=off -cp "$d/vigil-cli.jar:$d/lib/*" \
    dev.vigil.cli.AotTraining >"$OUT/$v.aot.log" 2>&1 || echo "$v: AOT training failed (see $OUT/$v.aot.log)"
done
for r in $(seq 1 "$START_ROUNDS"); do
  for c in base:0 base:1 new:0 new:1; do
    v=${c%%:*}; aot=${c#*:}; d=$BASE; [ $v = new ] && d=$NEW
    opts=(); [ "$aot" = 1 ] && [ -s "$OUT/$v.aot" ] && opts=(-XX:AOTCache="$OUT/$v.aot" -Xlog:aot=off -Xlog:cds=off)
    rm -f "$OUT/alerts.json"
    s=$(date +%s%N)
    "${JAVA[@]}" "${opts[@]}" -cp "$d/vigil-cli.jar:$d/lib/*" dev.vigil.cli.Vigil run -o stdout_output.enabled=false \
      -o webserver.listen_port=$PORT -o file_output.enabled=true -o file_output.filename="$OUT/alerts.json" -o json_output=true \
      </dev/null >"$OUT/run.out" 2>"$OUT/run.err" &
    pid=$!
    trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ]; do
      kill -0 $pid 2>/dev/null || { cat "$OUT/run.err" >&2; exit 1; }
      sleep 0.01
    done
    ms=$(( ($(date +%s%N) - s) / 1000000 ))
    # the launcher's and Java's main threads (both "java"): user/sys ms, 10 ms ticks
    main=$(for t in /proc/$pid/task/*; do if [ "$(cat "$t/comm")" = java ]; then sed 's/.*) //' "$t/stat"; fi; done | awk '{u += $12; s += $13} END {print u * 10 "/" s * 10}')
    kill -INT $pid; wait $pid 2>/dev/null || true
    trap - EXIT
    parts=$(grep -o '"output_fields":{[^}]*' "$OUT/alerts.json" 2>/dev/null | grep -o '"[a-z_]*_ms":[0-9]*' | tr -d '"' | tr '\n' ' ')
    printf '%-4s aot=%s round %s | healthy %5d ms from launch | main thread user/sys %s ms | %s\n' $v $aot "$r" $ms "$main" "$parts"
  done
done
echo "uptime after: $(uptime)"
