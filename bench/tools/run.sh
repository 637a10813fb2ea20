#!/usr/bin/env bash
# The BCC-style tools' costs, side by side in one run (issue 11). Run as root after scripts/setup.sh.
#
# opensnoop: an openat+close loop (open_loop.c, pinned to WORK_CPU) on a marked file, with no tracing,
#   under `vigil opensnoop`, libbpf-tools' opensnoop and a bpftrace printf one-liner on
#   sys_enter_openat; every tracer prints every open of the machine to a file. Reported per
#   configuration: us per open+close (median of ROUNDS interleaved rounds), the ratio to no tracing,
#   the marked opens printed / issued (worst round), and the tracer's CPU time per event.
# syscount: a getppid loop (syscall_loop.c) with no tracing, under `vigil syscount` and libbpf-tools'
#   syscount (both count every syscall of the machine in the kernel, print at exit).
# idle: each vigil tool's CPU over IDLE_SECONDS with nothing asked of it, and start to first event.
#
# Environment: ROUNDS (3), OPENS (500000), WARMUP (5000), CALLS (3000000), IDLE_SECONDS (5), WORK_CPU
#   (1; -1 no pinning), BUILD (1: mvn package first; 0: use cli/target as it is), BENCHES
#   ("opensnoop syscount idle"), JAVA_HOME.
set -euo pipefail
set -m # job control: background tracers must not start with SIGINT ignored (they stop on SIGINT)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/tools
ROUNDS=${ROUNDS:-3}
OPENS=${OPENS:-500000}
WARMUP=${WARMUP:-5000}
CALLS=${CALLS:-3000000}
IDLE_SECONDS=${IDLE_SECONDS:-5}
WORK_CPU=${WORK_CPU:-1}
BUILD=${BUILD:-1}
BENCHES=${BENCHES:-opensnoop syscount idle}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "tools bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
if ! command -v bpftrace >/dev/null || [ ! -x /usr/sbin/opensnoop ] || [ ! -x /usr/sbin/syscount ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends libbpf-tools bpftrace >/dev/null \
    || { apt-get update -qq -o DPkg::Lock::Timeout=300 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
         -o DPkg::Lock::Timeout=300 --no-install-recommends libbpf-tools bpftrace >/dev/null; } \
    || die "cannot install libbpf-tools and bpftrace"
fi
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/open_loop" "$ROOT/bench/tools/open_loop.c" || die "gcc failed"
gcc -O2 -Wall -o "$OUT/syscall_loop" "$ROOT/bench/tools/syscall_loop.c" || die "gcc failed"
if [ "$BUILD" = 1 ]; then
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never package -DskipTests -pl cli -am >"$OUT/build.log" 2>&1) || die "build failed: $OUT/build.log"
fi
VIGIL=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m
       -cp "$ROOT/cli/target/vigil-cli.jar:$ROOT/cli/target/lib/*" dev.vigil.cli.Vigil)
pin() { if [ "$WORK_CPU" -ge 0 ]; then taskset -c "$WORK_CPU" "$@"; else "$@"; fi; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)

TRACER=
stop_tracer() { [ -n "$TRACER" ] || return 0; kill -INT "$TRACER" 2>/dev/null || true; wait "$TRACER" 2>/dev/null || true; TRACER=; }
trap stop_tracer EXIT

# start_tracer NAME CMD...: runs CMD writing to $OUT/NAME.out/.err and waits until its programs are linked
start_tracer() {
  local name=$1; shift
  local before
  before=$(bpftool prog show | awk -F: '/^[0-9]+:/ {id=$1} END {print id+0}')
  # SIGINT back to default: a script started in the background has it ignored, and tracers stop on SIGINT
  env --default-signal=INT "$@" </dev/null >"$OUT/$name.out" 2>"$OUT/$name.err" &
  TRACER=$!
  for _ in $(seq 1 1200); do # bpftrace compiles for many seconds on a loaded machine
    # attached: a link to a program newer than everything loaded before
    # bpftrace attaches through perf_event ioctls (no BPF link): its programs' appearance is the sign there
    if [ "$name" = bpftrace ]; then
      bpftool prog show | awk -F: -v b="$before" '/^[0-9]+:/ && $1 > b {f=1} END {exit !f}' && { sleep 1; return; }
    else
      bpftool -j link show 2>/dev/null | grep -o '"prog_id":[0-9]*' | cut -d: -f2 | awk -v b="$before" '$1 > b {f=1} END {exit !f}' \
        && { sleep 0.5; return; }
    fi
    kill -0 "$TRACER" 2>/dev/null || die "$name exited: $(cat "$OUT/$name.err")"
    sleep 0.05
  done
  die "$name did not attach: $(cat "$OUT/$name.err")"
}

# await_printing NAME FILE: opens FILE (in rounds of WARMUP) until the tracer NAME has printed one, so the
# measured loop starts only once this tracer's own programs are attached and its output flows. Checking for
# "a link newer than before" is not enough on a shared machine: another engineer's test attaching in the
# meantime satisfied it while the JVM was still starting, and the first part of the loop went untraced.
# Rounds of WARMUP opens also push C tracers' stdio buffers (4 KiB to a file) out; the rounds warm the tracer.
await_printing() {
  local name=$1 ready=$2
  : >"$ready"
  for _ in $(seq 1 600); do
    pin "$OUT/open_loop" "$WARMUP" "$ready" >/dev/null
    grep -aq -- "$ready\$" "$OUT/$name.out" && return 0
    kill -0 "$TRACER" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "uptime before: $(uptime)"

bench_opensnoop() {
  local -A times seen lost cpu
  local configs=(none vigil libbpf-tools bpftrace)
  for r in $(seq 1 "$ROUNDS"); do
    for i in "${!configs[@]}"; do
      local c=${configs[$(( (i + r) % ${#configs[@]} ))]}
      local file="/tmp/vigil-bench-open-$c-$r-$$"
      : >"$file"
      case $c in
        none) ;;
        vigil) start_tracer "$c" "${VIGIL[@]}" opensnoop ;;
        libbpf-tools) start_tracer "$c" /usr/sbin/opensnoop ;;
        bpftrace) start_tracer "$c" bpftrace -e 'tracepoint:syscalls:sys_enter_openat { printf("%d %s %s\n", pid, comm, str(args->filename)); }' ;;
      esac
      if [ "$c" != none ]; then
        await_printing "$c" "$file.ready" || die "$c never printed an open of $file.ready: $(cat "$OUT/$c.err")"
      else
        : >"$file.ready"; pin "$OUT/open_loop" "$WARMUP" "$file.ready" >/dev/null # the same warm-up for no tracing
      fi
      local t0=0; [ "$c" = none ] || t0=$(cpu_ticks "$TRACER")
      local t; t=$(pin "$OUT/open_loop" "$OPENS" "$file")
      if [ "$c" != none ]; then
        local t1; t1=$(cpu_ticks "$TRACER")
        sleep 0.5; stop_tracer
        local n; n=$(grep -ac -- "$file\$" "$OUT/$c.out" || true)
        # every "Lost N" line: libbpf-tools prints one per CPU and per batch, vigil one total at exit
        local l; l=$({ grep -aho 'Lost [0-9]*' "$OUT/$c.err" "$OUT/$c.out" 2>/dev/null || true; } | awk '{s += $NF} END {print s + 0}')
        seen[$c]="${seen[$c]:-} $n"
        lost[$c]="${lost[$c]:-} $l"
        cpu[$c]="${cpu[$c]:-} $(echo "($t1 - $t0) / $TICK * 1000000000 / $OPENS" | bc -l)"
        echo "  $c: printed $n + reported lost $l of $OPENS marked opens" >&2
      fi
      rm -f "$file" "$file.ready"
      times[$c]="${times[$c]:-} $t"
      echo "opensnoop round $r $c: $t us/op" >&2
    done
  done
  local base; base=$(echo "${times[none]}" | median)
  printf '\nopensnoop: openat+close loop, %d opens a run, %d rounds\n' "$OPENS" "$ROUNDS"
  printf '%-14s %10s %9s %26s %22s %16s\n' configuration "us/op" "vs none" "marked opens printed/run" "reported lost/run" "tracer ns/event"
  for c in "${configs[@]}"; do
    local m; m=$(echo "${times[$c]}" | median)
    local cm="-"; [ -n "${cpu[$c]:-}" ] && cm=$(printf '%.0f' "$(echo "${cpu[$c]}" | median)")
    printf '%-14s %10.3f %8.2fx %26s %22s %16s\n' "$c" "$m" "$(echo "$m / $base" | bc -l)" "${seen[$c]:-n/a}" "${lost[$c]:-n/a}" "$cm"
  done
}

bench_syscount() {
  local -A times
  local configs=(none vigil libbpf-tools)
  for r in $(seq 1 "$ROUNDS"); do
    for i in "${!configs[@]}"; do
      local c=${configs[$(( (i + r) % ${#configs[@]} ))]}
      case $c in
        none) ;;
        vigil) start_tracer "$c" "${VIGIL[@]}" syscount ;;
        libbpf-tools) start_tracer "$c" /usr/sbin/syscount ;;
      esac
      local t; t=$(pin "$OUT/syscall_loop" "$CALLS")
      [ "$c" = none ] || stop_tracer
      times[$c]="${times[$c]:-} $t"
      echo "syscount round $r $c: $t us/call" >&2
    done
  done
  local base; base=$(echo "${times[none]}" | median)
  printf '\nsyscount: getppid loop, %d calls a run, %d rounds\n' "$CALLS" "$ROUNDS"
  printf '%-14s %10s %9s\n' configuration "us/call" "vs none"
  for c in "${configs[@]}"; do
    local m; m=$(echo "${times[$c]}" | median)
    printf '%-14s %10.4f %8.2fx\n' "$c" "$m" "$(echo "$m / $base" | bc -l)"
  done
}

# idle: CPU over IDLE_SECONDS of each tool with (almost) nothing to report; start: launch to first event
bench_idle() {
  printf '\nidle CPU over %d s, and launch to first event\n' "$IDLE_SECONDS"
  printf '%-12s %14s %18s\n' tool "idle CPU %" "start to event ms"
  for tool in opensnoop exitsnoop statsnoop sigsnoop syscount bindsnoop capable mountsnoop oomkill; do
    "${VIGIL[@]}" "$tool" --help >/dev/null 2>&1 || continue
    local args=() ev=""
    case $tool in
      opensnoop) args=(-n vigil-idle-x); ev=opensnoop ;;
      exitsnoop) args=(-p 1) ;;
      statsnoop) args=(-p 1) ;;
      sigsnoop) args=(-p 1) ;;
      syscount) args=(-p 1) ;;
      bindsnoop|capable|mountsnoop) args=(-p 1) ;;
      *) ;;
    esac
    start_tracer "$tool" "${VIGIL[@]}" "$tool" "${args[@]}"
    local t0; t0=$(cpu_ticks "$TRACER")
    sleep "$IDLE_SECONDS"
    local t1; t1=$(cpu_ticks "$TRACER")
    stop_tracer
    local first="-"
    if [ -n "$ev" ]; then
      # launch to first printed event: the tool is started while a loop opens a marked file
      local mark="/tmp/vigil-idle-first-$$"; : >"$mark"
      ( while :; do cat "$mark" >/dev/null; sleep 0.01; done ) & local loop=$!
      local s; s=$(date +%s%N)
      env --default-signal=INT "${VIGIL[@]}" opensnoop -n cat </dev/null >"$OUT/first.out" 2>/dev/null & local p=$!
      for _ in $(seq 1 3000); do grep -q "$mark" "$OUT/first.out" 2>/dev/null && break; sleep 0.01; done
      first=$(( ($(date +%s%N) - s) / 1000000 ))
      kill -INT "$p"; wait "$p" 2>/dev/null || true; kill "$loop"; wait "$loop" 2>/dev/null || true; rm -f "$mark"
    fi
    printf '%-12s %14.2f %18s\n' "$tool" "$(echo "($t1 - $t0) / $TICK * 100 / $IDLE_SECONDS" | bc -l)" "$first"
  done
}

for b in $BENCHES; do "bench_$b"; done
echo
echo "uptime after: $(uptime)"
