#!/usr/bin/env bash
# Launch to first event (issue #11: under 1.5 s): `vigil opensnoop -n cat` is started while a loop cats a marked
# file every 10 ms; the time from the launch to the marked path in the tool's output. Side by side in
# interleaved rounds: vigil with its start-up cache (bin/vigil's AOT cache, trained after a build), vigil
# without it (VIGIL_AOT=0), and libbpf-tools' opensnoop (C, for scale). Medians and ranges in milliseconds.
# Environment: ROUNDS (7), JAVA_HOME. Run as root after a build through bin/vigil (so the cache exists).
set -euo pipefail
set -m # background tools must not start with SIGINT ignored
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-7}
OUT=$ROOT/bench/target/first-event; mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "first-event bench: must run as root" >&2; exit 1; }
[ -f "$ROOT/cli/target/vigil.aot" ] || echo "first-event bench: no start-up cache (cli/target/vigil.aot): 'vigil' runs without it" >&2
mark=$OUT/mark; : >"$mark"
( while :; do cat "$mark" >/dev/null; sleep 0.01; done ) & loop=$!
trap 'kill $loop 2>/dev/null' EXIT
declare -A ms
configs=(vigil vigil-no-cache)
[ -x /usr/sbin/opensnoop ] && configs+=(libbpf-tools)
echo "uptime before: $(uptime)"
for _ in $(seq 1 "$ROUNDS"); do
  for c in "${configs[@]}"; do
    : >"$OUT/out"
    s=$(date +%s%N)
    case $c in
      vigil) VIGIL_AOT=1 "$ROOT/bin/vigil" opensnoop -n cat </dev/null >"$OUT/out" 2>/dev/null & ;;
      vigil-no-cache) VIGIL_AOT=0 "$ROOT/bin/vigil" opensnoop -n cat </dev/null >"$OUT/out" 2>/dev/null & ;;
      libbpf-tools) /usr/sbin/opensnoop -n cat </dev/null >"$OUT/out" 2>/dev/null & ;;
    esac
    p=$!
    for _ in $(seq 1 3000); do grep -q "$mark" "$OUT/out" 2>/dev/null && break; sleep 0.01; done
    ms[$c]+="$(( ($(date +%s%N) - s) / 1000000 )) "
    kill -INT "$p"; wait "$p" 2>/dev/null || true
  done
done
printf '%-16s %10s %16s\n' configuration "median ms" "range ms"
for c in "${configs[@]}"; do
  sorted=$(tr ' ' '\n' <<<"${ms[$c]}" | grep . | sort -n)
  n=$(wc -l <<<"$sorted")
  printf '%-16s %10s %16s\n' "$c" "$(sed -n "$(( (n + 1) / 2 ))p" <<<"$sorted")" "$(head -1 <<<"$sorted")-$(tail -1 <<<"$sorted")"
done
echo "uptime after: $(uptime)"
