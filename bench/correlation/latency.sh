#!/usr/bin/env bash
# Alert latency of a correlation through `vigil run` (default rules: the stable Falco rules and Vigil's
# correlation rules): COUNT real connect scans (nmap -sT of 25 loopback ports, each its own process, so each
# a new group key), from the threshold-crossing connect (evt.time of the alert: the kernel's timestamp of the
# 20th distinct port) to the JSON alert line read back from the alert file (bench/agent/LatencyTail.java).
#
#   bench/correlation/latency.sh        (root; about a minute; installs Debian's nmap if missing)
# Environment: COUNT (100), PORT (18767), BUILD (1: mvn package first), JAVA_HOME.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/correlation
SHM=/dev/shm/vigil-bench-corr.$$
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
COUNT=${COUNT:-100}
PORT=${PORT:-18767}
BUILD=${BUILD:-1}
die() { echo "correlation latency: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
command -v nmap >/dev/null || { apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends nmap >/dev/null \
  || { apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends nmap >/dev/null; }; } \
  || die "cannot install nmap"
mkdir -p "$OUT" "$SHM"
AGENT=
cleanup() { if [ -n "$AGENT" ]; then kill -TERM "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null || true; fi; rm -rf "$SHM"; }
trap cleanup EXIT
if [ "$BUILD" = 1 ]; then
  ( cd "$ROOT" && mvn -q -o package -DskipTests ) >"$OUT/build.log" 2>&1 || die "maven build failed (log: $OUT/build.log)"
fi
rm -rf "$OUT/jars" && mkdir -p "$OUT/jars" "$OUT/tail"
cp "$ROOT/cli/target/vigil-cli.jar" "$OUT/jars/" && cp -r "$ROOT/cli/target/lib" "$OUT/jars/lib" || die "no cli jars: build first"
"$JAVA_HOME/bin/javac" -d "$OUT/tail" "$ROOT/bench/agent/LatencyTail.java" || die "javac LatencyTail.java failed"
ALERTS=$SHM/alerts.json
: >"$ALERTS"
echo "load before: $(uptime)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m \
  -cp "$OUT/jars/vigil-cli.jar:$OUT/jars/lib/*" dev.vigil.cli.Vigil run -o webserver.listen_port="$PORT" \
  -o json_output=true -o stdout_output.enabled=false -o file_output.enabled=true -o file_output.filename="$ALERTS" \
  </dev/null >"$OUT/agent.out" 2>"$OUT/agent.err" &
AGENT=$!
for _ in $(seq 600); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.05; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" || die "vigil run not healthy: $(tail -3 "$OUT/agent.err")"
"$JAVA_HOME/bin/java" -cp "$OUT/tail" LatencyTail "$ALERTS" "Outbound Port Scan" "$COUNT" 20 "$(stat -c %s "$ALERTS")" \
  >"$OUT/latency.txt" 2>"$OUT/tail.ready" &
TAIL=$!
for _ in $(seq 500); do grep -q ready "$OUT/tail.ready" && break; sleep 0.01; done
sleep 0.5
for _ in $(seq "$COUNT"); do nmap -sT -Pn -n --max-retries 0 -p 1-25 127.0.0.1 >/dev/null; sleep 0.1; done
wait "$TAIL" || true
curl -sf "http://127.0.0.1:$PORT/metrics" >"$OUT/metrics.txt" || true
echo "load after: $(uptime)"
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }
ms() { awk '{printf "%.1f", $1 / 1000}'; }
printf "Outbound Port Scan alert latency n=%d p50 %s ms  p90 %s ms  p99 %s ms  max %s ms\n" "$(wc -l <"$OUT/latency.txt")" \
  "$(pct 50 <"$OUT/latency.txt" | ms)" "$(pct 90 <"$OUT/latency.txt" | ms)" "$(pct 99 <"$OUT/latency.txt" | ms)" "$(pct 100 <"$OUT/latency.txt" | ms)"
grep '^vigil_correlation_\(keys\|evictions_total\){correlation="Outbound Port Scan"}' "$OUT/metrics.txt" || true
