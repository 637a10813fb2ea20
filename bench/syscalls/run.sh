#!/usr/bin/env bash
# Syscall tracing cost, side by side in one run (issue 3's sensor benchmark and issue 6's `vigil run` one).
# The workload is bench/syscalls/mix.c, pinned to one CPU (WORK_CPU), under each configuration:
#   none      no tracing
#   all       `vigil capture --events all --syscall-hook tracepoints` (the sensor's full event set) to a tmpfs file
#             (the hook named: the default, auto, is the raw hook on a kernel without module tracepoints)
#   allraw    the same with --syscall-hook raw (one program on every syscall's exit instead of a tracepoint
#             per selected syscall)
#   execve    `vigil capture --events execve` (the sensor selecting only execve)
#   bpftrace  bpftrace 0.17, tracepoint:syscalls:sys_enter_openat + sys_enter_execve printing each event
#   run       `vigil run` (stable rules, stdout output off, web server on 127.0.0.1:$PORT, prefilter on)
#   run-nopf  the same with the in-kernel prefilter off (-o sensor.prefilter=false, issue #17): every selected
#             event is written to the ring and judged in user space
#   maxrate   `vigil capture --events all` while close(-1), which the sensor captures, runs as fast as
#             one core can: the highest captured-event rate one workload core generates, with drops;
#             a first flood of COLD_SECONDS meets the reader cold (its JIT compiling), then the mix runs,
#             then the measured flood meets a warm reader
#   maxrate-raw  the same with --syscall-hook raw
#   maxrate-run  the same under `vigil run` (drops and events from its /metrics), with openat of a
#             missing file instead: the stable rules do not ask for close, so the agent does not capture it
# Each configuration, in each of ROUNDS interleaved rounds (rotating order): start the tracer, wait until
# it is attached (capture: its "writing" line; bpftrace: its programs in bpftool; run: /healthz 200),
# then getppid loop (never captured), close(-1) loop (captured only by all/run/maxrate: skipped there
# except in maxrate, so its flood does not mix with the mix's event counts), a warm-up mix, the measured
# mix; stop the tracer (SIGINT) and read its summary. Prints medians across rounds.
#
# Environment: ROUNDS (3), MIX_SECONDS (3), CHEAP_SECONDS (2), WARMUP_SECONDS (1), COLD_SECONDS (3), WORK_CPU (1; -1: no
#   pinning), PORT (18765: not the default 8765, which someone else's agent may hold), BUILD (1: mvn
#   package first; 0: use the jars already in cli/target), CONFIGS (the list above), JAVA_HOME. Run as root.
set -euo pipefail
set -m # job control: background tracers must not start with SIGINT ignored (they stop on SIGINT)

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/syscalls
SHM=/dev/shm/vigil-bench-syscalls.$$
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25' || JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
ROUNDS=${ROUNDS:-3}
MIX_SECONDS=${MIX_SECONDS:-3}
CHEAP_SECONDS=${CHEAP_SECONDS:-2}
WARMUP_SECONDS=${WARMUP_SECONDS:-1}
COLD_SECONDS=${COLD_SECONDS:-3}
WORK_CPU=${WORK_CPU:-1}
PORT=${PORT:-18765}
BUILD=${BUILD:-1}
CLK_TCK=$(getconf CLK_TCK)
export BC_LINE_LENGTH=0 # bc must not wrap long numbers

die() { echo "syscalls bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
[ -x "$JAVA_HOME/bin/java" ] || die "Java 25 not found at $JAVA_HOME"
command -v gcc >/dev/null || die "gcc not found: run scripts/setup.sh"
command -v bpftool >/dev/null || die "bpftool not found: run scripts/setup.sh"
command -v curl >/dev/null || die "curl not found"
if ! command -v bpftrace >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bpftrace >/dev/null \
    || die "cannot install bpftrace"
fi
if [ "$WORK_CPU" -ge 0 ] && [ "$(nproc)" -lt 2 ]; then echo "syscalls bench: 1 CPU, not pinning" >&2; WORK_CPU=-1; fi
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && die "port $PORT is in use: set PORT"

mkdir -p "$OUT" "$SHM"
TRACER=
cleanup() {
  if [ -n "$TRACER" ]; then kill -INT "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null; fi
  rm -rf "$SHM"
}
trap cleanup EXIT

# --- build once, then run from a private copy of the jars: others may rebuild cli/target meanwhile
echo "== building" >&2
if [ "$BUILD" = 1 ]; then
  ( cd "$ROOT" && mvn -q -o package -DskipTests ) >"$OUT/build.log" 2>&1 || {
    tail -20 "$OUT/build.log" >&2
    [ -r "$ROOT/cli/target/vigil-cli.jar" ] || die "maven build failed (log: $OUT/build.log)"
    echo "syscalls bench: WARNING: maven build failed; using the existing cli/target jars" >&2
  }
fi
rm -rf "$OUT/jars" && mkdir -p "$OUT/jars"
cp "$ROOT/cli/target/vigil-cli.jar" "$OUT/jars/" && cp -r "$ROOT/cli/target/lib" "$OUT/jars/lib" || die "no cli jars: build first"
gcc -O2 -Wall -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c" || die "gcc mix.c failed"
# The JVM options bin/vigil uses, so RSS and start time are what a user gets.
VIGIL=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m
       -cp "$OUT/jars/vigil-cli.jar:$OUT/jars/lib/*" dev.vigil.cli.Vigil)
MIX=("$OUT/mix" --cpu "$WORK_CPU" --dir "$SHM")

RAW=$OUT/results-$(date +%Y%m%d-%H%M%S).txt
: >"$RAW"
now() { date +%s.%N; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # utime + stime, this process
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# the sensor's kernel drop counters, summed (one sensor loaded: the tracer's)
kernel_drops() { bpftool -j map dump name sensor_drops 2>/dev/null | grep -o '"value":[0-9]*' | awk -F: '{s += $2} END {print s + 0}'; }
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v k="$1" '$1 == k {print $2; f = 1} END {if (!f) print 0}'; }

alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$st" ] && [ "$st" != Z ]; }

# start_tracer CFG: starts it in the background (TRACER = its pid), waits until attached; sets READY_S
start_tracer() {
  local cfg=$1 t0 i before
  before=$(bpftool prog show 2>/dev/null | grep -cE 'name sys_enter_(opena|execv)' || true)
  t0=$(now)
  case $cfg in
    all | maxrate) "${VIGIL[@]}" capture -w "$SHM/cap.vcap" --events all --syscall-hook tracepoints \
                </dev/null >"$OUT/$cfg.out" 2>"$OUT/$cfg.err" & ;;
    allraw | maxrate-raw) "${VIGIL[@]}" capture -w "$SHM/cap.vcap" --events all --syscall-hook raw \
                </dev/null >"$OUT/$cfg.out" 2>"$OUT/$cfg.err" & ;;
    execve) "${VIGIL[@]}" capture -w "$SHM/cap.vcap" --events execve </dev/null >"$OUT/$cfg.out" 2>"$OUT/$cfg.err" & ;;
    bpftrace) bpftrace -e 'tracepoint:syscalls:sys_enter_openat { printf("%d %s\n", pid, str(args->filename)); }
                        tracepoint:syscalls:sys_enter_execve { printf("%d %s\n", pid, str(args->filename)); }' \
                </dev/null >"$SHM/bpftrace.out" 2>"$OUT/$cfg.err" & ;;
    run | maxrate-run) "${VIGIL[@]}" run -o stdout_output.enabled=false -o webserver.listen_port="$PORT" -o sensor.prefilter=true \
                </dev/null >"$OUT/$cfg.out" 2>"$OUT/$cfg.err" & ;;
    run-nopf) "${VIGIL[@]}" run -o stdout_output.enabled=false -o webserver.listen_port="$PORT" -o sensor.prefilter=false \
                </dev/null >"$OUT/$cfg.out" 2>"$OUT/$cfg.err" & ;;
  esac
  TRACER=$!
  for ((i = 0; i < 1500; i++)); do
    alive "$TRACER" || { wait "$TRACER"; die "$cfg exited (status $?) before attaching: $(tail -5 "$OUT/$cfg.err")"; }
    case $cfg in
      all | allraw | maxrate | maxrate-raw | execve) grep -q 'vigil capture: writing' "$OUT/$cfg.err" && break ;;
      bpftrace) [ "$(bpftool prog show 2>/dev/null | grep -cE 'name sys_enter_(opena|execv)' || true)" -ge $((before + 2)) ] && break ;;
      run | run-nopf | maxrate-run) [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] && break ;;
    esac
    sleep 0.02
  done
  ((i < 1500)) || die "$cfg did not attach in 30 s: $(tail -5 "$OUT/$cfg.err")"
  READY_S=$(echo "$(now) - $t0" | bc -l)
  sleep 0.2
}

# capture_summary CFG: events and drops from the summary line "vigil capture: N events, ...; D events dropped by the kernel"
capture_summary() {
  events=$(sed -n 's/^vigil capture: \([0-9]*\) events, .*/\1/p' "$OUT/$1.err" | tail -1)
  drops=$(sed -n 's/^vigil capture: [0-9]* events, .*; \([0-9]*\) events dropped by the kernel.*/\1/p' "$OUT/$1.err" | tail -1)
  [ -n "$events" ] && [ -n "$drops" ] || die "$1: no capture summary: $(tail -5 "$OUT/$1.err")"
}

stop_tracer() { kill -INT "$TRACER" 2>/dev/null || true; wait "$TRACER" 2>/dev/null || true; TRACER=; }

run_config() { # cfg round -> appends "config=.. round=.. key=value ..." to $RAW
  local cfg=$1 r=$2 line="config=$1 round=$2" g c m t0 t1 ticks0 ticks1 ev0 ev1 dr dr0 dr1 rss
  if [ "$cfg" != none ]; then start_tracer "$cfg"; line+=" ready_s=$READY_S"; fi
  case $cfg in maxrate*)
    FLOOD=close; [ "$cfg" = maxrate-run ] && FLOOD=openfail # the stable rules do not ask for close
    # first a flood met by a cold reader (its JIT compiles while the ring fills), then the mix, as a running
    # system would have had (a reader compiled for one event type alone meets every other type as an
    # uncommon trap, and recompiles); drops counted apart from the measured flood's
    "${MIX[@]}" --mode "$FLOOD" --seconds "$COLD_SECONDS" >/dev/null
    "${MIX[@]}" --seconds "$MIX_SECONDS" >/dev/null
    sleep 0.5
    cold_drops=$(kernel_drops)
    if [ "$cfg" = maxrate-run ]; then ev0=$(metric vigil_events_delivered_total); dr0=$(metric vigil_drops_total); fi
    ticks0=$(cpu_ticks "$TRACER")
    c=$("${MIX[@]}" --mode "$FLOOD" --seconds "$MIX_SECONDS")
    ticks1=$(cpu_ticks "$TRACER"); rss=$(rss_kb "$TRACER")
    sleep 0.5 # let the consumer drain what is still in the ring
    if [ "$cfg" = maxrate-run ]; then
      ev1=$(metric vigil_events_delivered_total); dr1=$(metric vigil_drops_total)
      events=$((ev1 - ev0)); drops=$((dr1 - dr0))
      stop_tracer
    else
      warm_drops=$(kernel_drops)
      stop_tracer; capture_summary "$cfg"
      drops=$((warm_drops - cold_drops)) # the summary's count includes the cold flood's
    fi
    c=$(echo "$c" | sed 's/^mode=[a-z]* //; s/\([a-z_]*\)=/close_\1=/g')
    echo "$line $c events=$events drops=$drops cold_drops=$cold_drops cpu_s=$(echo "($ticks1 - $ticks0) / $CLK_TCK" | bc -l) rss_kb=$rss" >>"$RAW"
    rm -f "$SHM/cap.vcap"
    return ;;
  esac
  g=$("${MIX[@]}" --mode getppid --seconds "$CHEAP_SECONDS" | sed 's/^mode=getppid //; s/\([a-z_]*\)=/getppid_\1=/g')
  line+=" $g"
  if [ "$cfg" != all ] && [ "$cfg" != allraw ] && [ "$cfg" != run ] && [ "$cfg" != run-nopf ]; then # close(-1) is captured there: its flood would mix in
    c=$("${MIX[@]}" --mode close --seconds "$CHEAP_SECONDS" | sed 's/^mode=close //; s/\([a-z_]*\)=/close_\1=/g')
    line+=" $c"
  fi
  if [ "$cfg" = none ] || [ "$cfg" = run ] || [ "$cfg" = run-nopf ]; then # failing opens (and maxrate-run's baseline)
    c=$("${MIX[@]}" --mode openfail --seconds "$CHEAP_SECONDS" | sed 's/^mode=openfail //; s/\([a-z_]*\)=/openfail_\1=/g')
    line+=" $c"
  fi
  "${MIX[@]}" --seconds "$WARMUP_SECONDS" >/dev/null
  if [ -n "$TRACER" ]; then ticks0=$(cpu_ticks "$TRACER"); fi
  if [ "$cfg" = run ] || [ "$cfg" = run-nopf ]; then ev0=$(metric vigil_events_delivered_total); fi
  t0=$(now)
  m=$("${MIX[@]}" --seconds "$MIX_SECONDS" | sed 's/^mode=mix //')
  t1=$(now)
  line+=" $m"
  if [ -n "$TRACER" ]; then
    ticks1=$(cpu_ticks "$TRACER"); rss=$(rss_kb "$TRACER")
    line+=" cpu_s=$(echo "($ticks1 - $ticks0) / $CLK_TCK" | bc -l) window_s=$(echo "$t1 - $t0" | bc -l) rss_kb=$rss"
  fi
  case $cfg in
    run | run-nopf)
      sleep 0.3
      ev1=$(metric vigil_events_delivered_total); dr=$(metric vigil_drops_total)
      line+=" events=$((ev1 - ev0)) drops=$dr events_per_s=$(echo "($ev1 - $ev0) / ($t1 - $t0)" | bc -l)"
      stop_tracer ;;
    all | allraw | execve)
      # the capture counts every event of its life (getppid + close + warm-up + mix); the rate is over
      # the warm-up + mix seconds, where nearly all of them come from
      sleep 0.3; stop_tracer; capture_summary "$cfg"
      line+=" events=$events drops=$drops events_per_s=$(echo "$events / ($t1 - $t0 + $WARMUP_SECONDS)" | bc -l)"
      rm -f "$SHM/cap.vcap" ;;
    bpftrace)
      sleep 0.3; stop_tracer
      events=$(grep -c '^[0-9]' "$SHM/bpftrace.out" || true)
      drops=$(cat "$SHM/bpftrace.out" "$OUT/$cfg.err" | sed -n 's/.*[Ll]ost \([0-9]*\) events.*/\1/p' | awk '{s += $1} END {print s + 0}')
      line+=" events=$events drops=$drops events_per_s=$(echo "$events / ($t1 - $t0 + $WARMUP_SECONDS)" | bc -l)"
      rm -f "$SHM/bpftrace.out" ;;
  esac
  echo "$line" >>"$RAW"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD0%% *}" 'BEGIN { exit !(l > 0.7) }'; then
  echo "syscalls bench: WARNING: load average $LOAD0 before start: other work competes for the 2 CPUs, results will be noisy" >&2
fi
read -r -a CONFIGS <<<"${CONFIGS:-none all allraw execve bpftrace run run-nopf maxrate maxrate-raw maxrate-run}"
echo "== $ROUNDS rounds x ${#CONFIGS[@]} configurations; getppid/close ${CHEAP_SECONDS}s, mix ${MIX_SECONDS}s (+${WARMUP_SECONDS}s warm-up); workload on CPU $WORK_CPU" >&2
for ((r = 0; r < ROUNDS; r++)); do
  for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
    cfg=${CONFIGS[$(((k + r) % ${#CONFIGS[@]}))]}
    echo "   round $((r + 1)): $cfg (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    run_config "$cfg" "$r"
  done
done

# --- the table: medians across rounds
awk -v rounds="$ROUNDS" -v load0="$LOAD0" -v cold="$COLD_SECONDS" '
function get(line, key,   m) { if (match(line, " " key "=[^ ]*")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2); return "" }
function median(cfg, key,   n, i, j, t, a, k) {
  n = 0; for (i = 1; i <= cnt[cfg]; i++) if ((cfg, key, i) in val) a[++n] = val[cfg, key, i] + 0
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  if (n == 0) return ""
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function cell(cfg, key,   v, b) {
  v = median(cfg, key); if (v == "") return "-"
  if (cfg == "none") return sprintf("%.0f", v)
  b = median("none", key); return sprintf("%.0f (%+.0f)", v, v - b)
}
{
  $0 = " " $0; c = get($0, "config"); n = ++cnt[c]
  split("cold_drops getppid_ns_per_call openfail_ns_per_call close_ns_per_call close_calls_per_s close_calls close_seconds open_ns close_ns stat_ns read_ns connect_ns exec_ns ns_per_syscall events events_per_s drops cpu_s window_s rss_kb ready_s", keys, " ")
  for (i in keys) { v = get($0, keys[i]); if (v != "") val[c, keys[i], n] = v }
  d = get($0, "drops"); if (d != "") totdrop[c] += d
}
END {
  split("none all allraw execve bpftrace run run-nopf", order, " ")
  name["none"] = "(a) no tracing"; name["all"] = "(b) sensor, all events"; name["allraw"] = "(b2) sensor, all events, raw hook"; name["execve"] = "(c) sensor, execve only"
  name["bpftrace"] = "(d) bpftrace open+exec"; name["run"] = "(e) vigil run (stable rules)"; name["run-nopf"] = "(e2) vigil run, prefilter off"
  printf "\nns per operation, median of %d rounds (added vs no tracing in parentheses); workload on one pinned CPU\n\n", rounds
  printf "| configuration | getppid (never captured) | close(-1) | openat ENOENT | openat | close | stat | pread 4K | socket+connect+close | fork+exec+wait | mix ns/syscall | events/s (mix) | drops (all rounds) | tracer CPU, %% of a core | tracer CPU us/event | RSS MB | attached/healthy after s |\n"
  printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
  for (i = 1; i <= 7; i++) {
    c = order[i]; if (!cnt[c]) continue
    cpu = median(c, "cpu_s"); win = median(c, "window_s"); ev = median(c, "events_per_s")
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name[c],
      cell(c, "getppid_ns_per_call"), cell(c, "close_ns_per_call"), cell(c, "openfail_ns_per_call"), cell(c, "open_ns"), cell(c, "close_ns"),
      cell(c, "stat_ns"), cell(c, "read_ns"), cell(c, "connect_ns"),
      (median(c, "exec_ns") == "") ? "-" : sprintf("%.0f us (%+.0f)", median(c, "exec_ns") / 1000, (median(c, "exec_ns") - median("none", "exec_ns")) / 1000),
      cell(c, "ns_per_syscall"),
      ev == "" ? "-" : sprintf("%.0f", ev), c == "none" ? "-" : totdrop[c] + 0,
      cpu == "" ? "-" : sprintf("%.0f", 100 * cpu / win),
      (cpu == "" || ev == "" || ev < 1000) ? "-" : sprintf("%.2f", 1e6 * cpu / win / ev),
      median(c, "rss_kb") == "" ? "-" : sprintf("%.0f", median(c, "rss_kb") / 1024),
      median(c, "ready_s") == "" ? "-" : sprintf("%.2f", median(c, "ready_s"))
  }
  base = median("none", "close_ns_per_call")
  printf "\nmaximum captured rate: one cheap captured syscall as fast as one core can, median of %d rounds\n\n", rounds
  printf "(a cold reader meets a first %ss flood, then the mix runs; the measured flood comes after them)\n\n", cold
  printf "| tracer | syscall | ns/call (added vs no tracing) | calls/s offered | calls per run | events received per run (capture: both floods) | drops, warm reader (each round) | drops, cold reader: first flood + mix (each round) | tracer CPU, %% of a core | RSS MB |\n"
  printf "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
  name["maxrate"] = "vigil capture --events all"; name["maxrate-raw"] = "vigil capture --events all --syscall-hook raw"
  name["maxrate-run"] = "vigil run (stable rules)"
  split("maxrate maxrate-raw maxrate-run", mo, " ")
  for (i = 1; i <= 3; i++) {
    c = mo[i]; if (!cnt[c]) continue
    dl = ""; for (j = 1; j <= cnt[c]; j++) dl = dl (j > 1 ? " / " : "") val[c, "drops", j]
    cl = ""; for (j = 1; j <= cnt[c]; j++) cl = cl (j > 1 ? " / " : "") val[c, "cold_drops", j]
    b = (c != "maxrate-run") ? base : median("none", "openfail_ns_per_call")
    printf "| %s | %s | %.0f (%+.0f) | %.0f | %.0f | %.0f | %s | %s | %.0f | %.0f |\n", name[c], c != "maxrate-run" ? "close(-1)" : "openat ENOENT", median(c, "close_ns_per_call"),
      median(c, "close_ns_per_call") - b, median(c, "close_calls_per_s"), median(c, "close_calls"), median(c, "events"), dl, cl,
      100 * median(c, "cpu_s") / median(c, "close_seconds"), median(c, "rss_kb") / 1024
  }
  printf "\nload average before: %s\n", load0
}' "$RAW"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (the bench itself adds ~1-2)"
echo "raw results: $RAW" >&2
