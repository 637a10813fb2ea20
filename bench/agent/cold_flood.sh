#!/usr/bin/env bash
# A flood that meets the agent at /healthz (issue #17: nothing dropped, start to healthy under 2 s).
# Each round starts `vigil run` (default rules, stdout off), times launch to /healthz 200, and at once runs
# bench/syscalls/mix.c's mix (opens, closes, stats, reads, socket+connect+close, fork+exec) on one core for
# FLOOD_SECONDS; then, after the agent caught up, the same flood again (warm). Drops are the agent's own
# count (vigil_drops_total: ring-full records, counted by the kernel) after each flood. Side by side in
# alternating rounds: with the start-up cache bin/vigil trains after a build, and without it (VIGIL_AOT=0).
# Environment: ROUNDS (3), FLOOD_SECONDS (3), WORK_CPU (1), PORT (18765). Root; run after a bin/vigil build.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-3}
FLOOD_SECONDS=${FLOOD_SECONDS:-3}
WORK_CPU=${WORK_CPU:-1}
PORT=${PORT:-18765}
OUT=$ROOT/bench/target/cold-flood; mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "cold-flood bench: must run as root" >&2; exit 1; }
gcc -O2 -Wall -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c"
metric() { curl -s "127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
echo "uptime before: $(uptime)"
printf '%-9s %5s %12s %14s %12s %14s %12s\n' cache round "healthy ms" "cold drops" "cold records" "warm drops" "warm records"
for r in $(seq 1 "$ROUNDS"); do
  for cache in yes no; do
    aot=1; [ $cache = no ] && aot=0
    s=$(date +%s%N)
    VIGIL_AOT=$aot "$ROOT/bin/vigil" run -o stdout_output.enabled=false -o webserver.listen_port=$PORT \
      >"$OUT/agent.out" 2>&1 &
    agent=$!
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$PORT/healthz" 2>/dev/null)" = 200 ]; do
      kill -0 $agent 2>/dev/null || { cat "$OUT/agent.out" >&2; exit 1; }
      sleep 0.02
    done
    healthy=$(( ($(date +%s%N) - s) / 1000000 ))
    "$OUT/mix" --mode mix --seconds "$FLOOD_SECONDS" --cpu "$WORK_CPU" --dir "$OUT" >/dev/null
    sleep 1
    cold_drops=$(metric vigil_drops_total); cold_rec=$(metric vigil_records_received_total)
    sleep 3
    "$OUT/mix" --mode mix --seconds "$FLOOD_SECONDS" --cpu "$WORK_CPU" --dir "$OUT" >/dev/null
    sleep 1
    warm_drops=$(( $(metric vigil_drops_total) - cold_drops )); warm_rec=$(( $(metric vigil_records_received_total) - cold_rec ))
    kill -TERM $agent; wait $agent 2>/dev/null || true
    printf '%-9s %5s %12s %14s %12s %14s %12s\n' $cache "$r" "$healthy" "$cold_drops" "$cold_rec" "$warm_drops" "$warm_rec"
  done
done
echo "uptime after: $(uptime)"
