#!/usr/bin/env bash
# Issue 17, agent CPU per event: `vigil run` (default rules, stdout off) under JFR while bench/syscalls/mix.c
# runs on one CPU; prints the agent's CPU per ring record received (utime+stime from /proc/PID/stat over the
# mix, divided by the vigil_records_received_total delta), JFR's hot methods and the allocation per record.
# Environment: AOT (0; 1: train and use bin/vigil's AOT cache), SECONDS_MIX (20), WORK_CPU (1), PORT (18791), JARS (a directory with vigil-cli.jar and lib/:
#   default a private copy of cli/target), JFR (1: record; 0: CPU only), EXTRA (more `run` arguments). Root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
SECONDS_MIX=${SECONDS_MIX:-20}; WORK_CPU=${WORK_CPU:-1}; PORT=${PORT:-18791}; JFR=${JFR:-1}
OUT=$ROOT/bench/target/agentcpu; mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "agentcpu bench: must run as root" >&2; exit 1; }
if [ -z "${JARS:-}" ]; then
  JARS=$OUT/jars; rm -rf "$JARS"; mkdir -p "$JARS"
  cp "$ROOT/cli/target/vigil-cli.jar" "$JARS/"; cp -r "$ROOT/cli/target/lib" "$JARS/lib"
fi
gcc -O2 -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c"
SHM=/dev/shm/vigil-agentcpu.$$; mkdir -p "$SHM"
OPTS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m)
if [ "${AOT:-0}" = 1 ]; then # bin/vigil's start-up cache (JEP 483/514/515), trained here on these jars
  "$JAVA_HOME/bin/java" "${OPTS[@]}" -XX:AOTCacheOutput="$OUT/vigil.aot" -Xlog:aot=off -Xlog:cds=off \
    -cp "$JARS/vigil-cli.jar:$JARS/lib/*" dev.vigil.cli.AotTraining >"$OUT/aot.log" 2>&1 || { echo "AOT training failed" >&2; exit 1; }
  OPTS+=(-XX:AOTCache="$OUT/vigil.aot" -Xlog:aot=off -Xlog:cds=off)
fi
[ "$JFR" = 1 ] && OPTS+=(-XX:StartFlightRecording=filename=$OUT/a.jfr,settings=profile,jdk.ThreadAllocationStatistics#period=1s,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=5000/s${JFR_EXTRA:-})
"$JAVA_HOME/bin/java" "${OPTS[@]}" -cp "$JARS/vigil-cli.jar:$JARS/lib/*" dev.vigil.cli.Vigil run \
  -o stdout_output.enabled=false -o webserver.listen_port="$PORT" ${EXTRA:-} </dev/null >"$OUT/run.out" 2>"$OUT/run.err" &
PID=$!
trap 'kill -INT $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$SHM"' EXIT
for ((i = 0; i < 1500; i++)); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] && break; sleep 0.02
done
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v k="$1" '$1 == k {print $2; f = 1} END {if (!f) print 0}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
"$OUT/mix" --mode mix --seconds 3 --cpu "$WORK_CPU" --dir "$SHM" >/dev/null # warm-up: C2 compiles the path
reader_ticks() { for t in /proc/$PID/task/*; do [ "$(cat $t/comm)" = vigil-reader ] && awk '{print $14 + $15}' $t/stat; done; true; }
threads() { for t in /proc/$PID/task/*; do echo "$(awk '{print $14 + $15}' $t/stat) $(cat $t/comm | tr ' ' _)"; done; true; }
threads >"$OUT/threads0"; curl -s "http://127.0.0.1:$PORT/metrics" >"$OUT/metrics0"
t0=$(ticks $PID); q0=$(reader_ticks); r0=$(metric vigil_records_received_total); l0=$(uptime); w0=$(date -u +%s.%N)
"$OUT/mix" --mode mix --seconds "$SECONDS_MIX" --cpu "$WORK_CPU" --dir "$SHM" >"$OUT/mix.out"
sleep 0.5
threads >"$OUT/threads1"; curl -s "http://127.0.0.1:$PORT/metrics" >"$OUT/metrics1"
t1=$(ticks $PID); q1=$(reader_ticks); r1=$(metric vigil_records_received_total); w1=$(date -u +%s.%N)
TCK=$(getconf CLK_TCK)
echo "load before: $l0"
echo "mix: $(cat "$OUT/mix.out")"
awk -v t=$((t1 - t0)) -v r=$((r1 - r0)) -v k=$TCK 'BEGIN {printf "agent cpu %.2f s, records %d, %.3f us CPU per record\n", t / k, r, r ? t / k / r * 1e6 : 0}'
awk -v t=$((q1 - q0)) -v r=$((r1 - r0)) -v k=$TCK 'BEGIN {printf "reader thread cpu %.2f s, %.3f us CPU per record\n", t / k, r ? t / k / r * 1e6 : 0}'
sc=$(sed 's/.* syscalls=\([0-9]*\).*/\1/' "$OUT/mix.out")
awk -v t=$((t1 - t0)) -v q=$((q1 - q0)) -v n=$sc -v k=$TCK 'BEGIN {printf "per 1000 mix syscalls: agent %.1f us CPU, reader %.1f us\n", t / k / n * 1e9, q / k / n * 1e9}'
echo "events by type over the mix (vigil_events_total delta), prefiltered:"
awk 'NR == FNR {a[$1] = $2; next} /^vigil_events_total|^vigil_prefiltered_total/ {d = $2 - a[$1]; if (d > 0) printf "  %s %d\n", $1, d}' "$OUT/metrics0" "$OUT/metrics1" | sort -k2 -rn | head -8
echo "CPU by thread over the mix (s; threads of one name summed):"
awk -v k=$TCK 'NR == FNR {a[$2] += $1; next} {b[$2] += $1} END {for (n in b) if (b[n] - a[n] > 0) printf "  %6.2f %s\n", (b[n] - a[n]) / k, n}' "$OUT/threads0" "$OUT/threads1" | sort -rn | head -8
kill -INT $PID; wait $PID 2>/dev/null || true; trap 'rm -rf "$SHM"' EXIT
if [ "$JFR" = 1 ]; then
  "$JAVA_HOME/bin/jfr" print --json --events jdk.ThreadAllocationStatistics "$OUT/a.jfr" >"$OUT/alloc.json"
  python3 - "$OUT/alloc.json" "$w0" "$w1" $((r1 - r0)) <<'PY'
import json, sys, datetime
ev = json.load(open(sys.argv[1]))["recording"]["events"]
w0, w1, recs = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
pts = []
for e in ev:
    v = e["values"]
    if (v.get("thread") or {}).get("javaName") != "vigil-reader": continue
    t = datetime.datetime.fromisoformat(v["startTime"].replace("Z", "+00:00")).timestamp()
    pts.append((t, v["allocated"]))
inw = [p for p in pts if w0 <= p[0] <= w1]
if len(inw) >= 2 and recs:
    (ta, a), (tb, b) = inw[0], inw[-1]
    rate = recs / (w1 - w0)
    print(f"reader allocation {(b - a) / (tb - ta) / 1e6:.2f} MB/s over {tb - ta:.1f} s, {(b - a) / (tb - ta) / rate:.0f} bytes per record")
PY
  "$JAVA_HOME/bin/jfr" print --json --stack-depth 40 --events jdk.CPUTimeSample "$OUT/a.jfr" >"$OUT/cpu.json"
  python3 "$ROOT/bench/perf/jfr_top.py" "$OUT/cpu.json" vigil-reader 30
  "$JAVA_HOME/bin/jfr" view --width 200 allocation-by-class "$OUT/a.jfr" | head -30
fi
