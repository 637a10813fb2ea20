#!/usr/bin/env bash
# Where one loop iteration's tracing cost goes under `vigil run` (issue 17), measured as CPU, not wall time, so a
# loaded machine blurs it less: for each workload (openat+close of /etc/hostname, a failing openat, socket+connect+
# close to a loopback listener; N iterations each), with the prefilter off and on:
#   prefiltered / iter.    records the prefilter kept out of the ring (vigil_prefiltered_total delta)
#   records / iteration    ring records the agent received (vigil_records_received_total delta; machine-wide, so
#                          other processes' events are in it: the loop's N dominate)
#   kernel ns / iteration  the agent's BPF programs' run time (bpf_stats: run_time_ns delta over all its programs)
#   agent us / iteration   the agent process's CPU (utime+stime) delta: decode, tables, rules, correlations
# Each figure is the loop's interval minus an idle interval as long right after it (the agent traces the whole
# machine; the background's records/s is printed). bpf_stats is enabled only while the loops run (kernel.bpf_stats_enabled, restored after).
# Environment: N (200000; connect: N/20), REPS (3: medians over loop/idle pairs), PORT (18768), JAVA_HOME, WORK_CPU (1). Uses the jars in cli/target. Root.
set -euo pipefail
set -m
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/perf
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
N=${N:-200000}
REPS=${REPS:-3}
PORT=${PORT:-18768}
WORK_CPU=${WORK_CPU:-1}
CLK_TCK=$(getconf CLK_TCK)
die() { echo "progtime: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
mkdir -p "$OUT"
gcc -O2 -o "$OUT/loops" "$ROOT/bench/enforce/loops.c" && gcc -O2 -pthread -o "$OUT/connect_loop" "$ROOT/bench/tools2/connect_loop.c" \
  && gcc -O2 -Wall -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c" || die "gcc failed"
rm -rf "$OUT/pt-jars" && mkdir -p "$OUT/pt-jars" && cp "$ROOT/cli/target/vigil-cli.jar" "$OUT/pt-jars/" && cp -r "$ROOT/cli/target/lib" "$OUT/pt-jars/lib"
VIGIL=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m
       -cp "$OUT/pt-jars/vigil-cli.jar:$OUT/pt-jars/lib/*" dev.vigil.cli.Vigil)
STATS0=$(sysctl -n kernel.bpf_stats_enabled)
AGENT=
cleanup() {
  sysctl -q -w kernel.bpf_stats_enabled="$STATS0" || true
  if [ -n "$AGENT" ]; then kill -INT "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; fi
}
trap cleanup EXIT
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v k="$1" '$1 == k {print $2; f = 1} END {if (!f) print 0}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# program ids now (the agent's are those that appear while it starts)
progids() { bpftool -j prog show 2>/dev/null | python3 -c 'import json, sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))'; }
# the total run time (ns) of the programs in $IDS
progns() {
  bpftool -j prog show 2>/dev/null | python3 -c '
import json, sys
ids = set(int(x) for x in sys.argv[1].split())
print(sum(p.get("run_time_ns", 0) for p in json.load(sys.stdin) if p["id"] in ids))' "$IDS"
}
pin() { if [ "$WORK_CPU" -ge 0 ]; then taskset -c "$WORK_CPU" "$@"; else "$@"; fi; }

echo "| workload | prefilter | records / iteration | prefiltered / iteration | kernel ns / iteration | agent us / iteration | background records/s |"
echo "|---|---|--:|--:|--:|--:|--:|"
for pf in false true; do
  before=$(progids)
  "${VIGIL[@]}" run -o stdout_output.enabled=false -o webserver.listen_port="$PORT" -o sensor.prefilter=$pf </dev/null >"$OUT/pt.out" 2>"$OUT/pt.err" &
  AGENT=$!
  for ((i = 0; i < 1500; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] && break
    kill -0 "$AGENT" 2>/dev/null || die "agent exited: $(tail -3 "$OUT/pt.err")"
    sleep 0.02
  done
  sleep 1
  IDS=$(comm -13 <(tr ' ' '\n' <<<"$before" | sort) <(progids | tr ' ' '\n' | sort) | tr '\n' ' ')
  sysctl -q -w kernel.bpf_stats_enabled=1
  for w in open openfail connect; do
    n=$N; [ $w = connect ] && n=$((N / 20))
    snap() { echo "$(metric vigil_records_received_total) $(metric vigil_prefiltered_total) $(progns) $(ticks "$AGENT") $(date +%s.%N)"; }
    rows=()
    for ((rep = 0; rep < REPS; rep++)); do
      read -r r0 p0 k0 t0 w0 <<<"$(snap)"
      case $w in
        open) pin "$OUT/loops" open "$n" /etc/hostname >/dev/null ;;
        openfail) pin "$OUT/mix" --mode openfail --iters "$n" --cpu -1 >/dev/null ;;
        connect) pin "$OUT/connect_loop" "$n" >/dev/null ;;
      esac
      sleep 0.3
      read -r r1 p1 k1 t1 w1 <<<"$(snap)"
      # the machine's own activity over as long: the agent traces every process, so subtract it
      sleep "$(echo "$w1 - $w0" | bc -l)"
      read -r r2 p2 k2 t2 w2 <<<"$(snap)"
      per() { echo "(($2 - $1) - ($3 - $2)) $4 / $n" | bc -l; }
      rows+=("$(per "$r0" "$r1" "$r2" "") $(per "$p0" "$p1" "$p2" "") $(per "$k0" "$k1" "$k2" "") $(per "$t0" "$t1" "$t2" "/ $CLK_TCK * 1000000") $(echo "($r2 - $r1) / ($w2 - $w1)" | bc -l)")
    done
    # the median of each column over the repetitions
    printf "%s\n" "${rows[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
m = [statistics.median(c) for c in zip(*rows)]
print("| %s | %s | %.2f | %.2f | %.0f | %.2f | %.0f |" % (sys.argv[1], sys.argv[2], *m))' "$w" "$([ $pf = true ] && echo on || echo off)"
  done
  sysctl -q -w kernel.bpf_stats_enabled="$STATS0"
  kill -INT "$AGENT"; wait "$AGENT" || true; AGENT=
done
echo
echo "N=$N (connect N/20); $(date -u +%FT%TZ); load $(cut -d' ' -f1-3 /proc/loadavg)"
