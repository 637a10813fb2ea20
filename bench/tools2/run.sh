#!/usr/bin/env bash
# Costs of issue 12's tools, side by side in one run. Run as root after scripts/setup.sh.
#
# profile: `vigil profile -F HZ` against bpftrace's `profile:hz:HZ { @[kstack, ustack, comm] = count(); }` at
#   49 and 99 Hz, sampling the whole machine. For each: the tracer process's CPU over MEASURE seconds once
#   attached (utime+stime from /proc), and the kernel time of its BPF program (see BPF kernel time below),
#   both as % of one CPU; the target is under 1% of one CPU at 99 Hz.
# connect: connect_loop.c (connect+close to a loopback listener, RST on close) with no tracing, under
#   `vigil tcpconnect`, `vigil tcplife`, libbpf-tools' tcplife and a bpftrace printf on
#   sock:inet_sock_set_state; ns per connect (median of ROUNDS interleaved rounds) and the ratio to none.
#   (libbpf-tools' tcpconnect needs kprobes: it does not run here.)
#
# block: O_DIRECT 4 KiB writes by dd to a loop device on a tmpfs file (BLOCKS a round), with no tracing, under
#   `vigil biolatency -d LOOP`, libbpf-tools' `biolatency -d LOOP`, a bpftrace block_rq_issue/complete
#   histogram filtered on the device (its biolatency.bt needs kprobes) and `vigil biosnoop -d LOOP`
#   (libbpf-tools' biosnoop needs fentry); ns per write, the tracer's CPU and its BPF programs' kernel time
#   per write, and events shown per write (histogram total, or lines for biosnoop).
# sched: ctxswitch_loop.c (two threads pinned to CPU 0 ping-ponging a byte over pipes, SWITCHES round trips,
#   2 context switches each) with no tracing, under `vigil runqlat`, libbpf-tools' runqlat and bpftrace's
#   runqlat.bt (inlined: the packaged one includes linux/sched.h, which does not compile here); ns per round
#   trip, BPF kernel time per context switch (/proc/stat ctxt), tracer CPU, and the histogram total per
#   context switch of the machine from attach to stop (each counts the whole machine).
# BPF kernel time: bpf_stats.c holds BPF_ENABLE_STATS for the run (a sysctl write of kernel.bpf_stats_enabled
#   does not survive another user of the machine switching it off); run_time_ns summed over the programs
#   the tracer process holds (/proc/PID/fdinfo), so other engineers' programs do not count.
#
# Environment: ROUNDS (3), CONNECTS (20000), BLOCKS (20000), SWITCHES (200000), MEASURE (10), BUILD (1),
#   BENCHES ("profile connect block sched"), BEFORE_JARS, VIGIL_JARS (cli/target), JAVA_HOME.
set -euo pipefail
set -m # background tracers must not start with SIGINT ignored
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/tools2
ROUNDS=${ROUNDS:-3}
CONNECTS=${CONNECTS:-20000}
MEASURE=${MEASURE:-10}
BUILD=${BUILD:-1}
BENCHES=${BENCHES:-profile connect block sched}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "tools2 bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
if ! command -v bpftrace >/dev/null || [ ! -x /usr/sbin/tcplife ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends libbpf-tools bpftrace >/dev/null \
    || { apt-get update -qq -o DPkg::Lock::Timeout=300 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
         -o DPkg::Lock::Timeout=300 --no-install-recommends libbpf-tools bpftrace >/dev/null; } \
    || die "cannot install libbpf-tools and bpftrace"
fi
mkdir -p "$OUT"
gcc -O2 -Wall -pthread -o "$OUT/connect_loop" "$ROOT/bench/tools2/connect_loop.c" || die "gcc failed"
gcc -O2 -Wall -pthread -o "$OUT/ctxswitch_loop" "$ROOT/bench/tools2/ctxswitch_loop.c" || die "gcc failed"
gcc -O2 -Wall -o "$OUT/bpf_stats" "$ROOT/bench/tools2/bpf_stats.c" || die "gcc failed"
if [ "$BUILD" = 1 ]; then
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never package -DskipTests -pl cli -am >"$OUT/build.log" 2>&1) || die "build failed: $OUT/build.log"
fi
JARS=${VIGIL_JARS:-$ROOT/cli/target} # a copy lets a run go on while the tree is rebuilt
VIGIL=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m
       -cp "$JARS/vigil-cli.jar:$JARS/lib/*" dev.vigil.cli.Vigil)
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

TRACER=
ctxt() { awk '/^ctxt/ {print $2}' /proc/stat; }
# run_time_ns and run_cnt summed over the BPF programs process $1 holds (each program once)
tracer_bpf() {
  local pid=$1
  [ -n "$pid" ] || { echo "0 0"; return; }
  for f in /proc/"$pid"/fdinfo/*; do grep -qs '^prog_type:' "$f" && cat "$f" 2>/dev/null; done |
    awk '/^prog_id:/ {id=$2} /^run_time_ns:/ {t[id]=$2} /^run_cnt:/ {c[id]=$2}
         END {for (i in t) {tt += t[i]; cc += c[i]} printf "%d %d\n", tt, cc}'
}
# the total count of the log2 histograms in file $1 (libbpf-tools' and Vigil's columns, or bpftrace's)
hist_total() {
  awk '/^ *[0-9]+ -> [0-9]+ *: *[0-9]+/ {split($0, a, ":"); split(a[2], b, " "); n += b[1]}
       /^\[[^]]*[])] +[0-9]+ +\|/ {sub(/^\[[^]]*[])] +/, ""); n += $1 + 0}
       END {print n + 0}' "$1" 2>/dev/null || echo 0
}
# SIGINT first (bpftrace prints its maps, the C tools and vigil drain and exit cleanly; vigil resets an
# inherited SIG_IGN itself); SIGTERM if something still runs after 5 s
stop_tracer() {
  [ -n "$TRACER" ] || return 0
  kill -INT "$TRACER" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$TRACER" 2>/dev/null || break; sleep 0.1; done
  kill -TERM "$TRACER" 2>/dev/null || true
  wait "$TRACER" 2>/dev/null || true
  TRACER=
}
STATS=
cleanup() { stop_tracer; [ -z "$STATS" ] || kill "$STATS" 2>/dev/null || true; }
trap cleanup EXIT
"$OUT/bpf_stats" >"$OUT/bpf_stats.out" 2>&1 &
STATS=$!
disown "$STATS" # no job notice when cleanup ends it
for _ in $(seq 1 50); do grep -q '^on' "$OUT/bpf_stats.out" && break; sleep 0.1; done
grep -q '^on' "$OUT/bpf_stats.out" || die "cannot enable BPF statistics: $(cat "$OUT/bpf_stats.out")"

# start_tracer NAME READY_REGEX CMD...: runs CMD (output to $OUT/NAME.*) until READY_REGEX shows in its output
start_tracer() {
  local name=$1 ready=$2; shift 2
  "$@" </dev/null >"$OUT/$name.out" 2>"$OUT/$name.err" &
  TRACER=$!
  for _ in $(seq 1 600); do
    if grep -qE "$ready" "$OUT/$name.out" "$OUT/$name.err" 2>/dev/null; then READY_CTXT=$(ctxt); sleep 1; return 0; fi
    kill -0 "$TRACER" 2>/dev/null || die "$name exited: $(cat "$OUT/$name.err")"
    sleep 0.1
  done
  die "$name never attached"
}

out_lines() { if [ -f "$OUT/$1.out" ]; then wc -l <"$OUT/$1.out"; else echo 0; fi; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "load before: $(uptime)"
if [[ " $BENCHES " == *" profile "* ]]; then
  printf '%-28s %8s %12s %14s %12s %12s\n' "profiler" "Hz" "samples/s" "BPF ns/sample" "BPF %CPU" "proc %CPU"
  for hz in 49 99; do
    for who in vigil bpftrace; do
      if [ "$who" = vigil ]; then
        start_tracer "profile-$hz" "Sampling at" "${VIGIL[@]}" profile -F "$hz"
      else
        start_tracer "bpftrace-profile-$hz" "Attaching" bpftrace -e "profile:hz:$hz { @[kstack, ustack, comm] = count(); }"
      fi
      read -r t0 c0 < <(tracer_bpf "$TRACER"); p0=$(cpu_ticks "$TRACER")
      sleep "$MEASURE"
      read -r t1 c1 < <(tracer_bpf "$TRACER"); p1=$(cpu_ticks "$TRACER")
      stop_tracer
      awk -v w="$who" -v hz="$hz" -v t="$((t1 - t0))" -v c="$((c1 - c0))" -v p="$((p1 - p0))" -v s="$MEASURE" -v tick="$TICK" \
        'BEGIN { printf "%-28s %8d %12.1f %14.0f %12.3f %12.3f\n", w, hz, c / s, (c ? t / c : 0), 100 * t / (s * 1e9), 100 * p / tick / s }'
    done
  done
fi

if [[ " $BENCHES " == *" connect "* ]]; then
  declare -A results
  declare -A cpu lines
  configs=(none vigil-tcpconnect vigil-tcplife libbpf-tcplife bpftrace-set-state vigil-tcpconnlat)
  # BEFORE_JARS: another build's jars (e.g. main's), run as vigil-tcplife-before beside this one
  [ -n "${BEFORE_JARS:-}" ] && configs+=(vigil-tcplife-before)
  BEFORE=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m
          -cp "${BEFORE_JARS:-}/vigil-cli.jar:${BEFORE_JARS:-}/lib/*" dev.vigil.cli.Vigil)
  for round in $(seq 1 "$ROUNDS"); do
    for cfg in "${configs[@]}"; do
      case $cfg in
        none) ;;
        vigil-tcpconnect) start_tracer "$cfg" "DPORT" "${VIGIL[@]}" tcpconnect ;;
        vigil-tcplife) start_tracer "$cfg" "RX_KB" "${VIGIL[@]}" tcplife ;;
        vigil-tcplife-before) start_tracer "$cfg" "RX_KB" "${BEFORE[@]}" tcplife ;;
        libbpf-tcplife) start_tracer "$cfg" "RX_KB" stdbuf -oL /usr/sbin/tcplife ;; # line-buffered: its header shows it attached
        bpftrace-set-state) start_tracer "$cfg" "Attaching" bpftrace -e \
          'tracepoint:sock:inet_sock_set_state /args->protocol == 6 && args->oldstate == 7 && args->newstate == 2/ { printf("%d %s %d\n", pid, comm, args->dport); }' ;;
        vigil-tcpconnlat) start_tracer "$cfg" "LAT\\(ms\\)" "${VIGIL[@]}" tcpconnlat ;;
      esac
      c0=0; [ -n "$TRACER" ] && c0=$(cpu_ticks "$TRACER")
      l0=$(out_lines "$cfg")
      ns=$("$OUT/connect_loop" "$CONNECTS")
      c1=0; [ -n "$TRACER" ] && { sleep 0.5; c1=$(cpu_ticks "$TRACER"); } # the reader drains within its 5 ms tick
      l1=$(out_lines "$cfg")
      stop_tracer
      results[$cfg]+="$ns "
      cpu[$cfg]+="$((c1 - c0)) "
      lines[$cfg]+="$((l1 - l0)) "
    done
  done
  base=$(echo "${results[none]}" | tr ' ' '\n' | grep . | median)
  # tracer CPU: the tracer process's utime+stime over the loop (and 0.5 s after), in us per connect; lines:
  # what it printed per connect (each connect makes two connections' worth of state changes: client and server)
  printf '%-22s %14s %8s %16s %14s   %s\n' "configuration" "ns/connect" "ratio" "tracer us/conn" "lines/conn" "rounds"
  for cfg in "${configs[@]}"; do
    m=$(echo "${results[$cfg]}" | tr ' ' '\n' | grep . | median)
    cm=$(echo "${cpu[$cfg]}" | tr ' ' '\n' | grep . | median)
    lm=$(echo "${lines[$cfg]}" | tr ' ' '\n' | grep . | median)
    awk -v c="$cfg" -v m="$m" -v b="$base" -v r="${results[$cfg]}" -v cm="$cm" -v lm="$lm" -v n="$CONNECTS" -v tick="$TICK" \
      'BEGIN { printf "%-22s %14.0f %8.2f %16.1f %14.2f   %s\n", c, m, m / b, cm * 1e6 / tick / n, lm / n, r }'
  done
fi
if [[ " $BENCHES " == *" block "* ]]; then
  BLOCKS=${BLOCKS:-20000}
  IMG=$(mktemp -p /dev/shm vigil-bench-disk.XXXXXX)
  truncate -s 256M "$IMG"
  LOOPDEV=$(losetup --find --show "$IMG")
  DISK=$(basename "$LOOPDEV")
  DEVT=$(( ($(stat -c '0x%t' "$LOOPDEV") << 20) | $(stat -c '0x%T' "$LOOPDEV") )) # the kernel's dev_t in block tracepoints
  trap 'cleanup; losetup -d "$LOOPDEV" 2>/dev/null; rm -f "$IMG"' EXIT
  declare -A bres bcpu bbpf bshown
  bconfigs=(none vigil-biolatency libbpf-biolatency bpftrace-biolatency vigil-biosnoop)
  for round in $(seq 1 "$ROUNDS"); do
    for cfg in "${bconfigs[@]}"; do
      case $cfg in
        none) ;;
        vigil-biolatency) start_tracer "$cfg" "Tracing block" "${VIGIL[@]}" biolatency -d "$DISK" ;;
        libbpf-biolatency) start_tracer "$cfg" "Tracing block" stdbuf -oL /usr/sbin/biolatency -d "$DISK" ;;
        bpftrace-biolatency) start_tracer "$cfg" "Attaching" bpftrace -e "
          tracepoint:block:block_rq_issue /args->dev == $DEVT/ { @start[args->dev, args->sector] = nsecs; }
          tracepoint:block:block_rq_complete /@start[args->dev, args->sector]/ {
            @usecs = hist((nsecs - @start[args->dev, args->sector]) / 1000); delete(@start[args->dev, args->sector]); }
          END { clear(@start); }" ;;
        vigil-biosnoop) start_tracer "$cfg" "LAT\\(ms\\)" "${VIGIL[@]}" biosnoop -d "$DISK" ;;
      esac
      c0=0; [ -n "$TRACER" ] && c0=$(cpu_ticks "$TRACER")
      read -r k0 _ < <(tracer_bpf "$TRACER")
      l0=$(out_lines "$cfg")
      t0=$(date +%s%N)
      dd if=/dev/zero of="$LOOPDEV" bs=4096 count="$BLOCKS" oflag=direct status=none
      t1=$(date +%s%N)
      c1=0; [ -n "$TRACER" ] && { sleep 0.5; c1=$(cpu_ticks "$TRACER"); }
      read -r k1 _ < <(tracer_bpf "$TRACER")
      l1=$(out_lines "$cfg")
      stop_tracer
      case $cfg in
        none) shown=0 ;;
        vigil-biosnoop) shown=$((l1 - l0)) ;;
        *) shown=$(hist_total "$OUT/$cfg.out") ;;
      esac
      bres[$cfg]+="$(( (t1 - t0) / BLOCKS )) "
      bcpu[$cfg]+="$((c1 - c0)) "
      bbpf[$cfg]+="$((k1 - k0)) "
      bshown[$cfg]+="$shown "
    done
  done
  bbase=$(echo "${bres[none]}" | tr ' ' '\n' | grep . | median)
  printf '%-22s %12s %8s %16s %14s %14s   %s\n' "configuration" "ns/write" "ratio" "tracer us/write" "BPF ns/write" "shown/write" "rounds"
  for cfg in "${bconfigs[@]}"; do
    m=$(echo "${bres[$cfg]}" | tr ' ' '\n' | grep . | median)
    cm=$(echo "${bcpu[$cfg]}" | tr ' ' '\n' | grep . | median)
    km=$(echo "${bbpf[$cfg]}" | tr ' ' '\n' | grep . | median)
    sm=$(echo "${bshown[$cfg]}" | tr ' ' '\n' | grep . | median)
    awk -v c="$cfg" -v m="$m" -v b="$bbase" -v r="${bres[$cfg]}" -v cm="$cm" -v km="$km" -v sm="$sm" -v n="$BLOCKS" -v tick="$TICK" \
      'BEGIN { printf "%-22s %12.0f %8.2f %16.2f %14.0f %14.3f   %s\n", c, m, m / b, cm * 1e6 / tick / n, km / n, sm / n, r }'
  done
fi

if [[ " $BENCHES " == *" sched "* ]]; then
  SWITCHES=${SWITCHES:-200000}
  declare -A sres scpu sbpf sruns sshown
  sconfigs=(none vigil-runqlat libbpf-runqlat bpftrace-runqlat)
  for round in $(seq 1 "$ROUNDS"); do
    for cfg in "${sconfigs[@]}"; do
      case $cfg in
        none) READY_CTXT=$(ctxt) ;;
        vigil-runqlat) start_tracer "$cfg" "Tracing run queue" "${VIGIL[@]}" runqlat ;;
        libbpf-runqlat) start_tracer "$cfg" "Tracing run queue" stdbuf -oL /usr/sbin/runqlat ;;
        bpftrace-runqlat) start_tracer "$cfg" "Attaching" bpftrace -e '
          tracepoint:sched:sched_wakeup, tracepoint:sched:sched_wakeup_new { @qtime[args->pid] = nsecs; }
          tracepoint:sched:sched_switch {
            if (args->prev_state == 0) { @qtime[args->prev_pid] = nsecs; }
            $ns = @qtime[args->next_pid];
            if ($ns) { @usecs = hist((nsecs - $ns) / 1000); }
            delete(@qtime[args->next_pid]);
          }
          END { clear(@qtime); }' ;;
      esac
      c0=0; [ -n "$TRACER" ] && c0=$(cpu_ticks "$TRACER")
      read -r k0 r0 < <(tracer_bpf "$TRACER")
      x0=$(ctxt)
      ns=$("$OUT/ctxswitch_loop" "$SWITCHES" 0)
      x1=$(ctxt)
      c1=0; [ -n "$TRACER" ] && c1=$(cpu_ticks "$TRACER")
      read -r k1 r1 < <(tracer_bpf "$TRACER")
      xs=$(ctxt)
      stop_tracer
      shown=0; [ "$cfg" = none ] || shown=$(hist_total "$OUT/$cfg.out")
      sres[$cfg]+="$ns "
      scpu[$cfg]+="$(( (c1 - c0) * 1000000 / TICK )) "                        # us over the loop
      sbpf[$cfg]+="$(awk -v k=$((k1 - k0)) -v x=$((x1 - x0)) 'BEGIN {printf "%.0f", k / x}') " # ns per switch
      sruns[$cfg]+="$(awk -v r=$((r1 - r0)) -v x=$((x1 - x0)) 'BEGIN {printf "%.2f", r / x}') " # programs run per switch
      sshown[$cfg]+="$(awk -v s="$shown" -v x=$((xs - READY_CTXT)) 'BEGIN {printf "%.3f", s / x}') "
    done
  done
  sbase=$(echo "${sres[none]}" | tr ' ' '\n' | grep . | median)
  printf '%-20s %14s %8s %15s %14s %14s %16s   %s\n' "configuration" "ns/roundtrip" "ratio" "BPF ns/switch" "progs/switch" "tracer CPU us" "counted/switch" "rounds"
  for cfg in "${sconfigs[@]}"; do
    m=$(echo "${sres[$cfg]}" | tr ' ' '\n' | grep . | median)
    awk -v c="$cfg" -v m="$m" -v b="$sbase" -v r="${sres[$cfg]}" \
      -v k="$(echo "${sbpf[$cfg]}" | tr ' ' '\n' | grep . | median)" \
      -v p="$(echo "${sruns[$cfg]}" | tr ' ' '\n' | grep . | median)" \
      -v u="$(echo "${scpu[$cfg]}" | tr ' ' '\n' | grep . | median)" \
      -v s="$(echo "${sshown[$cfg]}" | tr ' ' '\n' | grep . | median)" \
      'BEGIN { printf "%-20s %14.0f %8.2f %15.0f %14.2f %14.0f %16.3f   %s\n", c, m, m / b, k, p, u, s, r }'
  done
fi
echo "load after: $(uptime)"
