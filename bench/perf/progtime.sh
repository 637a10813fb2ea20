#!/usr/bin/env bash
# Where one loop iteration's tracing cost goes under `vigil run` (issue 17), measured as CPU, not wall time, so a
# loaded machine blurs it less. Workloads (N iterations each, pinned to WORK_CPU): open (openat+close of
# /etc/hostname), openfail (a failing openat, ENOENT), connect (socket+connect+close to a loopback listener, N/20),
# getppid (a syscall no rule names: what Vigil's programs add to every other syscall of the machine). Per build,
# prefilter setting and workload:
#   records / iteration    ring records the agent received (vigil_records_received_total delta)
#   prefiltered / iter.    records the prefilter kept out of the ring (vigil_prefiltered_total delta)
#   kernel ns / iteration  the agent's BPF programs' run time (bpf_stats run_time_ns, all its programs)
#   agent us / iteration   the agent process's CPU (utime+stime): decode, tables, rules, correlations
# and per program: runs and ns per iteration, ns per run. Each figure is the loop's interval minus an idle
# interval as long right after it (the agent traces the whole machine). The statistics are held on by
# bench/tools2/bpf_stats.c (BPF_ENABLE_STATS) for the run: kernel.bpf_stats_enabled is machine-wide and never
# written here.
# Before/after in one run: BUILDS="base=DIR new=DIR" (DIR holds vigil-cli.jar and lib/, as cli/target does);
# each round starts every build's agent in turn (order rotating), so both meet the same load.
# Environment: BUILDS ("cur=cli/target"), PREFILTER ("on"; "off on" for both), WORKLOADS ("open openfail connect
#   getppid"), N (200000; connect N/20), REPS (3 loop/idle pairs per agent), ROUNDS (2), PORT (18768),
#   WORK_CPU (1), JAVA_HOME. Root.
set -euo pipefail
set -m
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/perf
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
BUILDS=${BUILDS:-cur=$ROOT/cli/target}
PREFILTER=${PREFILTER:-on}
WORKLOADS=${WORKLOADS:-open openfail connect getppid}
N=${N:-200000}
REPS=${REPS:-3}
ROUNDS=${ROUNDS:-2}
PORT=${PORT:-18768}
WORK_CPU=${WORK_CPU:-1}
CLK_TCK=$(getconf CLK_TCK)
die() { echo "progtime: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
for c in gcc curl bpftool python3 bc; do command -v $c >/dev/null || die "$c not found: run scripts/setup.sh"; done
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && die "port $PORT is in use: set PORT"
mkdir -p "$OUT"
gcc -O2 -o "$OUT/loops" "$ROOT/bench/enforce/loops.c" && gcc -O2 -pthread -o "$OUT/connect_loop" "$ROOT/bench/tools2/connect_loop.c" \
  && gcc -O2 -Wall -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c" \
  && gcc -O2 -Wall -o "$OUT/bpf_stats" "$ROOT/bench/tools2/bpf_stats.c" || die "gcc failed"
# a private copy of each build's jars: others may rebuild cli/target meanwhile
declare -a LABELS=()
for b in $BUILDS; do
  label=${b%%=*} dir=${b#*=}
  [ -f "$dir/vigil-cli.jar" ] && [ -d "$dir/lib" ] || die "$dir: no vigil-cli.jar and lib/ (build first)"
  rm -rf "$OUT/pt-jars-$label" && mkdir -p "$OUT/pt-jars-$label"
  cp "$dir/vigil-cli.jar" "$OUT/pt-jars-$label/" && cp -r "$dir/lib" "$OUT/pt-jars-$label/lib"
  LABELS+=("$label")
done
AGENT= STATS=
cleanup() {
  if [ -n "$AGENT" ]; then kill -INT "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; fi
  if [ -n "$STATS" ]; then kill "$STATS" 2>/dev/null || true; fi
}
trap cleanup EXIT
"$OUT/bpf_stats" >"$OUT/pt-stats.out" 2>&1 &
STATS=$!
disown "$STATS"
for _ in $(seq 1 50); do grep -q '^on' "$OUT/pt-stats.out" && break; sleep 0.1; done
grep -q '^on' "$OUT/pt-stats.out" || die "cannot enable BPF statistics: $(cat "$OUT/pt-stats.out")"

metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v k="$1" '$1 == k {print $2; f = 1} END {if (!f) print 0}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pin() { if [ "$WORK_CPU" -ge 0 ]; then taskset -c "$WORK_CPU" "$@"; else "$@"; fi; }
RAW=$OUT/progtime-$(date +%Y%m%d-%H%M%S).jsonl
: >"$RAW"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $(date -u +%FT%TZ) load $LOAD0; builds ${LABELS[*]}; prefilter $PREFILTER; N=$N" >&2

measure() { # label pf: one agent, every workload REPS times
  local label=$1 pf=$2 j=$OUT/pt-jars-$1
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m \
    -cp "$j/vigil-cli.jar:$j/lib/*" dev.vigil.cli.Vigil \
    run -o stdout_output.enabled=false -o webserver.listen_port="$PORT" -o sensor.prefilter=$pf </dev/null >"$OUT/pt.out" 2>"$OUT/pt.err" &
  AGENT=$!
  for ((i = 0; i < 1500; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] && break
    kill -0 "$AGENT" 2>/dev/null || die "agent exited: $(tail -3 "$OUT/pt.err")"
    sleep 0.02
  done
  sleep 1
  for w in $WORKLOADS; do
    local n=$N
    [ "$w" = connect ] && n=$((N / 20))
    for ((rep = 0; rep < REPS; rep++)); do
      snap() { echo "$(metric vigil_records_received_total) $(metric vigil_prefiltered_total) $(ticks "$AGENT") $(date +%s.%N)"; }
      local s0 s1 s2 j0 j1 j2
      read -r r0 p0 t0 w0 <<<"$(snap)"; j0=$(python3 "$ROOT/bench/perf/progstat.py" snap "$AGENT")
      case $w in
        open) pin "$OUT/loops" open "$n" /etc/hostname >/dev/null ;;
        openfail) pin "$OUT/mix" --mode openfail --iters "$n" --cpu -1 >/dev/null ;;
        connect) pin "$OUT/connect_loop" "$n" >/dev/null ;;
        getppid) pin "$OUT/mix" --mode getppid --iters "$n" --cpu -1 >/dev/null ;;
        *) die "unknown workload $w" ;;
      esac
      sleep 0.3
      read -r r1 p1 t1 w1 <<<"$(snap)"; j1=$(python3 "$ROOT/bench/perf/progstat.py" snap "$AGENT")
      # the machine's own activity over as long: the agent traces every process, so subtract it
      sleep "$(echo "$w1 - $w0" | bc -l)"
      read -r r2 p2 t2 w2 <<<"$(snap)"; j2=$(python3 "$ROOT/bench/perf/progstat.py" snap "$AGENT")
      per() { printf '%.6f' "$(echo "(($2 - $1) - ($3 - $2)) $4 / $n" | bc -l)"; }
      printf '{"build": "%s", "pf": "%s", "w": "%s", "records": %s, "prefiltered": %s, "agent_us": %s, "bg_rps": %s, "progs": %s}\n' \
        "$label" "$pf" "$w" "$(per "$r0" "$r1" "$r2" "")" "$(per "$p0" "$p1" "$p2" "")" \
        "$(per "$t0" "$t1" "$t2" "/ $CLK_TCK * 1000000")" "$(printf '%.1f' "$(echo "($r2 - $r1) / ($w2 - $w1)" | bc -l)")" \
        "$(python3 "$ROOT/bench/perf/progstat.py" diff "$j0" "$j1" "$j2" "$n")" >>"$RAW"
    done
  done
  kill -INT "$AGENT"; wait "$AGENT" || true; AGENT=
}

for ((r = 0; r < ROUNDS; r++)); do
  for pf in $PREFILTER; do
    for ((k = 0; k < ${#LABELS[@]}; k++)); do
      label=${LABELS[$(((k + r) % ${#LABELS[@]}))]}
      echo "   round $((r + 1)): $label prefilter=$pf (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      measure "$label" "$pf"
    done
  done
done

python3 - "$RAW" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
keys = []
for r in rows:
    k = (r["w"], r["pf"], r["build"])
    if k not in keys: keys.append(k)
keys.sort(key=lambda k: (["open", "openfail", "connect", "getppid"].index(k[0]) if k[0] in ["open", "openfail", "connect", "getppid"] else 9, k[1], k[2]))
med = statistics.median
print("| workload | prefilter | build | records / iteration | prefiltered / iteration | kernel ns / iteration | agent us / iteration | background records/s |")
print("|---|---|---|--:|--:|--:|--:|--:|")
for k in keys:
    rs = [r for r in rows if (r["w"], r["pf"], r["build"]) == k]
    kern = med([sum(v[0] for v in r["progs"].values()) for r in rs])
    print("| %s | %s | %s | %.2f | %.2f | %.0f | %.2f | %.0f |" % (k[0], k[1], k[2], med([r["records"] for r in rs]),
          med([r["prefiltered"] for r in rs]), kern, med([r["agent_us"] for r in rs]), med([r["bg_rps"] for r in rs])))
print()
print("Per program (medians; programs with at least 0.01 runs per iteration):")
print()
print("| workload | prefilter | build | program | runs / iteration | ns / iteration | ns / run |")
print("|---|---|---|---|--:|--:|--:|")
for k in keys:
    rs = [r for r in rows if (r["w"], r["pf"], r["build"]) == k]
    names = sorted({p for r in rs for p in r["progs"]})
    for p in names:
        v = [r["progs"].get(p, [0, 0, 0]) for r in rs]
        runs = med([x[1] for x in v])
        if runs < 0.01: continue
        print("| %s | %s | %s | %s | %.2f | %.0f | %.0f |" % (k[0], k[1], k[2], p, runs, med([x[0] for x in v]), med([x[2] for x in v])))
EOF
echo
echo "N=$N (connect N/20), $ROUNDS rounds x $REPS reps; $(date -u +%FT%TZ); load before $LOAD0, after $(cut -d' ' -f1-3 /proc/loadavg); raw: $RAW"
