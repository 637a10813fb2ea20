#!/usr/bin/env bash
# Alert latency of `vigil run` with the stable rules: from the syscall (evt.time, taken in the kernel at the
# syscall's exit) to the JSON alert line read back from the alert file, for COUNT alerts of "Read sensitive
# file untrusted" (a copied cat reading /etc/shadow, RATE per second), first on an idle machine, then while
# the sensor benchmark's syscall mix keeps one core busy. Also start to /healthz 200 (median of STARTS),
# and the agent's RSS and CPU at the end.
#
#   bench/agent/latency.sh            (root; about 1 minute)
# Environment: COUNT (300), RATE (50), STARTS (5), PORT (18766), BUILD (1: mvn package first), JAVA_HOME.
# Output: a summary on stdout; raw latencies under bench/target/agent/.
set -euo pipefail
set -m

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/agent
SHM=/dev/shm/vigil-bench-agent.$$
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25' || JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
COUNT=${COUNT:-300}
RATE=${RATE:-50}
STARTS=${STARTS:-5}
PORT=${PORT:-18766}
BUILD=${BUILD:-1}

die() { echo "agent bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
[ -x "$JAVA_HOME/bin/java" ] || die "Java 25 not found at $JAVA_HOME"
command -v gcc >/dev/null || die "gcc not found: run scripts/setup.sh"
command -v curl >/dev/null || die "curl not found"
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && die "port $PORT is in use: set PORT"

mkdir -p "$OUT" "$SHM"
AGENT=
LOAD=
cleanup() {
  [ -n "$LOAD" ] && kill "$LOAD" 2>/dev/null || true
  if [ -n "$AGENT" ]; then kill -TERM "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null || true; fi
  rm -rf "$SHM"
}
trap cleanup EXIT

if [ "$BUILD" = 1 ]; then
  ( cd "$ROOT" && mvn -q -o package -DskipTests ) >"$OUT/build.log" 2>&1 || die "maven build failed (log: $OUT/build.log)"
fi
rm -rf "$OUT/jars" && mkdir -p "$OUT/jars"
cp "$ROOT/cli/target/vigil-cli.jar" "$OUT/jars/" && cp -r "$ROOT/cli/target/lib" "$OUT/jars/lib" || die "no cli jars: build first"
gcc -O2 -Wall -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c" || die "gcc mix.c failed"
mkdir -p "$OUT/tail" && "$JAVA_HOME/bin/javac" -d "$OUT/tail" "$ROOT/bench/agent/LatencyTail.java" || die "javac LatencyTail.java failed"
# The JVM options bin/vigil uses, so RSS is what a user gets.
VIGIL=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m
       -cp "$OUT/jars/vigil-cli.jar:$OUT/jars/lib/*" dev.vigil.cli.Vigil)
ALERTS=$SHM/alerts.json
cp /bin/cat "$SHM/latcat"

now() { date +%s.%N; }
start_agent() { # prints seconds from launch to /healthz 200
  : >"$ALERTS"
  local t0; t0=$(now)
  "${VIGIL[@]}" run -o webserver.listen_port="$PORT" -o json_output=true -o stdout_output.enabled=false \
    -o file_output.enabled=true -o file_output.filename="$ALERTS" </dev/null >"$OUT/agent.out" 2>"$OUT/agent.err" &
  AGENT=$!
  for _ in $(seq 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && { echo "$(now) - $t0" | bc; return; }
    kill -0 "$AGENT" 2>/dev/null || die "vigil run exited: $(tail -3 "$OUT/agent.err")"
    sleep 0.02
  done
  die "vigil run not healthy after 12 s"
}
stop_agent() { kill -TERM "$AGENT"; wait "$AGENT" || true; AGENT=; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }

echo "== start to healthy, $STARTS starts" >&2
: >"$OUT/starts.txt"
for _ in $(seq "$STARTS"); do start_agent >>"$OUT/starts.txt"; stop_agent; done

phase() { # NAME: COUNT alerts at RATE/s; latencies (us) to $OUT/NAME.txt
  # the tailer reads from the file's size now (it misses nothing), and the triggers wait until it is ready:
  # its JVM starting up on the same 2 cores would otherwise delay the agent it measures
  "$JAVA_HOME/bin/java" -cp "$OUT/tail" LatencyTail "$ALERTS" "Read sensitive file untrusted" "$COUNT" 10 \
    "$(stat -c %s "$ALERTS")" >"$OUT/$1.txt" 2>"$OUT/$1.ready" &
  local tail=$!
  for _ in $(seq 500); do grep -q ready "$OUT/$1.ready" && break; sleep 0.01; done
  sleep 0.5
  local gap; gap=$(echo "scale=4; 1 / $RATE" | bc)
  for _ in $(seq "$COUNT"); do "$SHM/latcat" /etc/shadow >/dev/null; sleep "$gap"; done
  wait "$tail" || true
  [ "$(wc -l <"$OUT/$1.txt")" -eq "$COUNT" ] || echo "agent bench: $1: only $(wc -l <"$OUT/$1.txt") of $COUNT alerts seen" >&2
}

echo "== alert latency, idle" >&2
start_agent >/dev/null
T0=$(awk '{print $14 + $15}' "/proc/$AGENT/stat")
phase idle
echo "== alert latency, with the syscall mix on one core" >&2
"$OUT/mix" --mode mix --seconds 600 --cpu 1 --dir "$SHM" >/dev/null &
LOAD=$!
sleep 1
phase loaded
kill "$LOAD"; wait "$LOAD" 2>/dev/null || true; LOAD=
RSS=$(awk '/^VmRSS/ {print $2}' "/proc/$AGENT/status")
T1=$(awk '{print $14 + $15}' "/proc/$AGENT/stat")
EVENTS=$(curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^vigil_events_total/ {s += $2} END {printf "%d", s}')
DROPS=$(curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^vigil_drops_total / {print $2}')
stop_agent

ms() { awk '{printf "%.1f", $1 / 1000}'; }
printf "vigil run, stable rules (%s, %s)\n" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(uptime | sed 's/.*load/load/')"
printf "start to /healthz 200, median of %d: %.2f s (all: %s)\n" "$STARTS" "$(median <"$OUT/starts.txt")" "$(tr '\n' ' ' <"$OUT/starts.txt")"
for p in idle loaded; do
  printf "alert latency %-7s n=%-4d p50 %s ms  p90 %s ms  p99 %s ms  max %s ms\n" "$p" "$(wc -l <"$OUT/$p.txt")" \
    "$(pct 50 <"$OUT/$p.txt" | ms)" "$(pct 90 <"$OUT/$p.txt" | ms)" "$(pct 99 <"$OUT/$p.txt" | ms)" "$(pct 100 <"$OUT/$p.txt" | ms)"
done
printf "agent at the end: RSS %d MB, CPU %.1f s over both phases, %s events, %s drops\n" $((RSS / 1024)) \
  "$(echo "($T1 - $T0) / $(getconf CLK_TCK)" | bc -l)" "${EVENTS:-?}" "${DROPS:-?}"
