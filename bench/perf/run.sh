#!/usr/bin/env bash
# Issue 17: what the in-kernel prefilter saves, side by side in one run. The workload is bench/syscalls/mix.c,
# pinned to one CPU (WORK_CPU); each pass runs a getppid loop, a failing-open loop (ENOENT) and the timed mix
# (openat, close, stat, pread, socket+connect+close to its own loopback listener, fork+exec), under each of:
#   none      no tracing
#   empty     bpftrace with empty programs on sys_exit_openat and sys_exit_connect: the kernel's own
#             syscall-tracing floor (every syscall takes the slow path once any syscall tracepoint is attached)
#   emptyraw  the same plus an empty program on the raw sys_exit hook (bench/perf/empty_raw.bpf.c): the floor under
#             a kernel without module tracepoints, where the sensor's raw hook reports init_module/finit_module
#   off       `bin/vigil run` with its default rules (stable + correlations), -o sensor.prefilter=false
#   on        the same with the prefilter on (the default)
#   bpftrace  a printf one-liner on sys_enter_openat (pid and path of every open)
#   opensnoop libbpf-tools' opensnoop (every open, printed), the peer Falco-like tools are compared with
#   base      `vigil run` as on, from the jars in BASE_JARS (a folder holding vigil-cli.jar and lib/, e.g. a copy of an
#             earlier build's cli/target): before and after in one run
# In ROUNDS interleaved rounds (rotating order). Per pass: ns per operation, the tracer's CPU over the pass
# (utime+stime from /proc/PID/stat), and for vigil the ring records received, kept out by the prefilter and
# lost (vigil_records_received_total, vigil_prefiltered_total, vigil_drops_total from /metrics).
# Prints, per operation (and the mix's mean per syscall), the median of none and the medians of the per-round ratios
# to none.
#
# Environment: ROUNDS (5), MIX_SECONDS (3), CHEAP_SECONDS (1), WARMUP_SECONDS (1), WORK_CPU (1), PORT (18767),
#   BUILD (1: mvn package first; 0: the jars already in cli/target), CONFIGS ("none empty emptyraw off on bpftrace opensnoop"). Root.
set -euo pipefail
set -m

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/perf
SHM=/dev/shm/vigil-bench-perf.$$
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
ROUNDS=${ROUNDS:-5}
MIX_SECONDS=${MIX_SECONDS:-3}
CHEAP_SECONDS=${CHEAP_SECONDS:-1}
WARMUP_SECONDS=${WARMUP_SECONDS:-1}
WORK_CPU=${WORK_CPU:-1}
PORT=${PORT:-18767}
BUILD=${BUILD:-1}
CLK_TCK=$(getconf CLK_TCK)
export BC_LINE_LENGTH=0

die() { echo "perf bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
[ -x "$JAVA_HOME/bin/java" ] || die "Java 25 not found at $JAVA_HOME"
for c in gcc curl bpftrace bc; do command -v $c >/dev/null || die "$c not found: run scripts/setup.sh"; done
if [ "$WORK_CPU" -ge 0 ] && [ "$(nproc)" -lt 2 ]; then WORK_CPU=-1; fi
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && die "port $PORT is in use: set PORT"

mkdir -p "$OUT" "$SHM"
TRACER= RAWPROG=
cleanup() {
  if [ -n "$RAWPROG" ]; then kill "$RAWPROG" 2>/dev/null; wait "$RAWPROG" 2>/dev/null; fi
  if [ -n "$TRACER" ]; then kill -INT "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null; fi
  rm -rf "$SHM"
}
trap cleanup EXIT

if [ "$BUILD" = 1 ]; then
  ( cd "$ROOT" && mvn -q -o package -DskipTests ) >"$OUT/build.log" 2>&1 || die "maven build failed (log: $OUT/build.log)"
fi
# a private copy of the jars: others may rebuild cli/target meanwhile
rm -rf "$OUT/jars" && mkdir -p "$OUT/jars"
cp "$ROOT/cli/target/vigil-cli.jar" "$OUT/jars/" && cp -r "$ROOT/cli/target/lib" "$OUT/jars/lib" || die "no cli jars: build first"
gcc -O2 -Wall -pthread -o "$OUT/mix" "$ROOT/bench/syscalls/mix.c" || die "gcc mix.c failed"
if [[ " ${CONFIGS:-emptyraw} " == *" emptyraw "* ]]; then
  VMLINUX_H=$ROOT/bpf/target/generated/vmlinux.h
  [ -f "$VMLINUX_H" ] || make -s -C "$ROOT/bpf" "$VMLINUX_H" || die "no vmlinux.h: make -C bpf"
  clang-16 -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$(dirname "$VMLINUX_H")" -c "$ROOT/bench/perf/empty_raw.bpf.c" \
    -o "$OUT/empty_raw.bpf.o" && gcc -O2 -Wall -o "$OUT/attach" "$ROOT/bench/perf/attach.c" -lbpf || die "building the emptyraw config failed"
fi
if [[ " ${CONFIGS:-opensnoop} " == *" opensnoop "* ]]; then
  command -v opensnoop >/dev/null || die "opensnoop not found: apt-get install libbpf-tools (or leave it out of CONFIGS)"
fi
VIGIL=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m
       -cp "$OUT/jars/vigil-cli.jar:$OUT/jars/lib/*" dev.vigil.cli.Vigil)
if [[ " ${CONFIGS:-} " == *" base "* ]]; then
  [ -f "${BASE_JARS:-}/vigil-cli.jar" ] && [ -d "$BASE_JARS/lib" ] || die "config base needs BASE_JARS (a folder with vigil-cli.jar and lib/)"
  rm -rf "$OUT/base-jars" && mkdir -p "$OUT/base-jars" && cp "$BASE_JARS/vigil-cli.jar" "$OUT/base-jars/" && cp -r "$BASE_JARS/lib" "$OUT/base-jars/lib"
fi
VIGIL_BASE=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m
       -cp "$OUT/base-jars/vigil-cli.jar:$OUT/base-jars/lib/*" dev.vigil.cli.Vigil)
MIX=("$OUT/mix" --cpu "$WORK_CPU" --dir "$SHM")

RAW=$OUT/results-$(date +%Y%m%d-%H%M%S).txt
: >"$RAW"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v k="$1" '$1 == k {print $2; f = 1} END {if (!f) print 0}'; }
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$st" ] && [ "$st" != Z ]; }

start_tracer() {
  local cfg=$1 i
  case $cfg in
    empty | emptyraw) bpftrace -e 'tracepoint:syscalls:sys_exit_openat {} tracepoint:syscalls:sys_exit_connect {}' </dev/null >"$SHM/bpftrace.out" 2>"$OUT/$cfg.err" & ;;
    bpftrace) bpftrace -e 'tracepoint:syscalls:sys_enter_openat { printf("%d %s\n", pid, str(args->filename)); }' \
                </dev/null >"$SHM/bpftrace.out" 2>"$OUT/$cfg.err" & ;;
    off) "${VIGIL[@]}" run -o stdout_output.enabled=false -o webserver.listen_port="$PORT" -o sensor.prefilter=false \
                </dev/null >"$OUT/$cfg.out" 2>"$OUT/$cfg.err" & ;;
    on) "${VIGIL[@]}" run -o stdout_output.enabled=false -o webserver.listen_port="$PORT" \
                </dev/null >"$OUT/$cfg.out" 2>"$OUT/$cfg.err" & ;;
    opensnoop) stdbuf -oL opensnoop </dev/null >"$SHM/opensnoop.out" 2>"$OUT/$cfg.err" & ;;
    base) "${VIGIL_BASE[@]}" run -o stdout_output.enabled=false -o webserver.listen_port="$PORT" \
                </dev/null >"$OUT/$cfg.out" 2>"$OUT/$cfg.err" & ;;
  esac
  TRACER=$!
  for ((i = 0; i < 1500; i++)); do
    alive "$TRACER" || { wait "$TRACER"; die "$cfg exited (status $?) before attaching: $(tail -5 "$OUT/$cfg.err")"; }
    case $cfg in
      # bpftrace says "Attaching N probes..." before it attaches; others load and unload programs meanwhile,
      # so the count of programs alone cannot tell
      empty | emptyraw | bpftrace) grep -q '^Attaching' "$SHM/bpftrace.out" && { sleep 0.5; break; } ;;
      opensnoop) grep -q 'PID' "$SHM/opensnoop.out" && break ;; # its header, printed once attached
      on | off | base) [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] && break ;;
    esac
    sleep 0.02
  done
  ((i < 1500)) || die "$cfg did not attach in 30 s: $(tail -5 "$OUT/$cfg.err")"
  if [ "$cfg" = emptyraw ]; then
    "$OUT/attach" "$OUT/empty_raw.bpf.o" >"$SHM/attach.out" 2>>"$OUT/$cfg.err" &
    RAWPROG=$!
    for ((i = 0; i < 250; i++)); do grep -q '^on' "$SHM/attach.out" && break; sleep 0.02; done
    grep -q '^on' "$SHM/attach.out" || die "emptyraw: the raw program did not attach: $(tail -3 "$OUT/$cfg.err")"
  fi
  sleep 0.3
}

stop_tracer() {
  if [ -n "$RAWPROG" ]; then kill "$RAWPROG" 2>/dev/null || true; wait "$RAWPROG" 2>/dev/null || true; RAWPROG=; fi
  kill -INT "$TRACER" 2>/dev/null || true; wait "$TRACER" 2>/dev/null || true; TRACER=
}

run_config() {
  local cfg=$1 r=$2 line="config=$1 round=$2" g f m t0 r0 p0 d0
  [ "$cfg" != none ] && start_tracer "$cfg"
  if [ -n "$TRACER" ]; then t0=$(cpu_ticks "$TRACER"); fi
  if [ "$cfg" = on ] || [ "$cfg" = off ] || [ "$cfg" = base ]; then
    r0=$(metric vigil_records_received_total); p0=$(metric vigil_prefiltered_total); d0=$(metric vigil_drops_total)
  fi
  g=$("${MIX[@]}" --mode getppid --seconds "$CHEAP_SECONDS" | sed 's/^mode=getppid //; s/\([a-z_]*\)=/getppid_\1=/g')
  f=$("${MIX[@]}" --mode openfail --seconds "$CHEAP_SECONDS" | sed 's/^mode=openfail //; s/\([a-z_]*\)=/openfail_\1=/g')
  "${MIX[@]}" --seconds "$WARMUP_SECONDS" >/dev/null
  m=$("${MIX[@]}" --seconds "$MIX_SECONDS" | sed 's/^mode=mix //')
  line+=" $g $f $m"
  if [ -n "$TRACER" ]; then
    sleep 0.3 # the reader drains what is still in the ring
    line+=" cpu_s=$(echo "($(cpu_ticks "$TRACER") - $t0) / $CLK_TCK" | bc -l)"
  fi
  if [ "$cfg" = on ] || [ "$cfg" = off ] || [ "$cfg" = base ]; then
    line+=" records=$(($(metric vigil_records_received_total) - r0)) prefiltered=$(($(metric vigil_prefiltered_total) - p0))"
    line+=" lost=$(($(metric vigil_drops_total) - d0))"
  fi
  [ -n "$TRACER" ] && stop_tracer
  rm -f "$SHM/bpftrace.out" "$SHM/opensnoop.out" "$SHM/attach.out"
  echo "$line" >>"$RAW"
}

# summarize RAW LOAD0 LOAD1 CONFIGS: the table
summarize() {
  awk -v load0="$2" -v load1="$3" -v cfgs="$4" '
function get(line, key,   v) { if (match(line, " " key "=[^ ]*")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2); return "" }
function med(arr, n,   i, j, t) {
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
  return n == 0 ? "" : (n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2)
}
function op(line, o) {
  if (o == "open") return get(line, "open_ns") + get(line, "close_ns")
  if (o == "openfail") return get(line, "openfail_ns_per_call")
  if (o == "getppid") return get(line, "getppid_ns_per_call")
  if (o == "mix") return get(line, "ns_per_syscall")
  return get(line, o "_ns")
}
{ line = " " $0; c = get(line, "config"); r = get(line, "round"); L[c, r] = line; if (r + 1 > R) R = r + 1 }
END {
  nc = split(cfgs, C, " ")
  split("open openfail stat getppid connect exec mix", O, " ")
  names["open"] = "openat+close"; names["openfail"] = "failing openat"; names["stat"] = "stat"
  names["getppid"] = "getppid"; names["connect"] = "socket+connect+close"; names["exec"] = "fork+exec+wait"
  names["mix"] = "the mix, mean per syscall"
  printf "| per operation | none (ns) |"; for (i = 1; i <= nc; i++) if (C[i] != "none") printf " %s |", C[i]; printf "\n"
  printf "|---|--:|"; for (i = 1; i <= nc; i++) if (C[i] != "none") printf "--:|"; printf "\n"
  for (k = 1; k <= 7; k++) {
    o = O[k]; n = 0
    for (r = 0; r < R; r++) if ((("none", r) in L)) a[++n] = op(L["none", r], o)
    printf "| %s | %.0f |", names[o], med(a, n)
    for (i = 1; i <= nc; i++) {
      if (C[i] == "none") continue
      n = 0
      for (r = 0; r < R; r++) if (((C[i], r) in L) && (("none", r) in L) && op(L["none", r], o) > 0) b[++n] = op(L[C[i], r], o) / op(L["none", r], o)
      printf " x%.2f |", med(b, n)
    }
    printf "\n"
  }
  split("cpu_s records prefiltered lost", M, " ")
  mn["cpu_s"] = "tracer CPU per pass (s)"; mn["records"] = "ring records received per pass"
  mn["prefiltered"] = "kept out by the prefilter per pass"; mn["lost"] = "lost (dropped) per pass"
  for (k = 1; k <= 4; k++) {
    printf "| %s | - |", mn[M[k]]
    for (i = 1; i <= nc; i++) {
      if (C[i] == "none") continue
      n = 0
      for (r = 0; r < R; r++) if (((C[i], r) in L) && get(L[C[i], r], M[k]) != "") b[++n] = get(L[C[i], r], M[k])
      if (n == 0) printf " - |"; else if (M[k] == "cpu_s") printf " %.2f |", med(b, n); else printf " %d |", med(b, n)
    }
    printf "\n"
  }
  printf "\n%d rounds; load average before %s, after %s\n", R, load0, load1
}' "$1"
}
if [ -n "${SUMMARIZE:-}" ]; then # only the table of an earlier run's raw file
  summarize "$SUMMARIZE" "?" "?" "${CONFIGS:-none empty emptyraw off on bpftrace opensnoop}"; exit 0
fi
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
read -r -a CONFIGS <<<"${CONFIGS:-none empty emptyraw off on bpftrace opensnoop}"
echo "== $(date -u +%FT%TZ) load $LOAD0; $ROUNDS rounds x ${#CONFIGS[@]} configurations; workload on CPU $WORK_CPU" >&2
for ((r = 0; r < ROUNDS; r++)); do
  for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
    cfg=${CONFIGS[$(((k + r) % ${#CONFIGS[@]}))]}
    echo "   round $((r + 1)): $cfg (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    run_config "$cfg" "$r"
  done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

summarize "$RAW" "$LOAD0" "$LOAD1" "${CONFIGS[*]}"
echo "raw: $RAW" >&2
