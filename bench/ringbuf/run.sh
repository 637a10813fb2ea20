#!/usr/bin/env bash
# Ring buffer benchmark: one producer (bpf/ringbench.bpf.c, raw_tp/sys_enter, one 64-byte record per
# syscall of a driver process that calls getppid() in a tight loop), side by side in one run:
#   baseline  driver alone, nothing attached
#   filtered  program attached, every event filtered out in BPF (cost of the raw_tp hook alone)
#   c         libbpf ring_buffer__poll consumer (bench/ringbuf/consumer.c)
#   java      Vigil's pure-Java RingBuffer (dev.vigil.bench.ringbuf.RingBench)
# interleaved over ROUNDS rounds in rotating order; then "drain" mode: fill the ring with no consumer
# and time draining it (C vs Java). Prints medians across rounds. Run as root, after scripts/setup.sh.
#
# Environment: ROUNDS (5), SECONDS_PER_RUN (3), WARMUP_SECONDS (1), TIMEOUT_MS (2),
#   RING_BYTES (16 MiB), WAKEUP_BYTES (RING_BYTES/4), DRAIN_CALLS (800000), DRAIN_RING_BYTES (64 MiB),
#   DRAIN_REPS (8 per process, the first 2 are warm-up), DRAIN_ROUNDS (3),
#   PIN (1: consumer on CPU 0, driver on CPU 1; 0: let the scheduler place them), JAVA_HOME.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/ringbuf
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$JAVA_HOME/bin/java" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25' \
  || JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
ROUNDS=${ROUNDS:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-3}
WARMUP_SECONDS=${WARMUP_SECONDS:-1}
TIMEOUT_MS=${TIMEOUT_MS:-2}
RING_BYTES=${RING_BYTES:-16777216}
WAKEUP_BYTES=${WAKEUP_BYTES:-$((RING_BYTES / 4))}
DRAIN_CALLS=${DRAIN_CALLS:-800000}
DRAIN_RING_BYTES=${DRAIN_RING_BYTES:-67108864}
DRAIN_REPS=${DRAIN_REPS:-8}
DRAIN_ROUNDS=${DRAIN_ROUNDS:-3}
PIN=${PIN:-1}

die() { echo "ringbuf bench: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it loads BPF programs)"
[ -x "$JAVA_HOME/bin/java" ] || die "Java 25 not found at $JAVA_HOME (set JAVA_HOME, or run scripts/setup.sh)"
command -v gcc >/dev/null || die "gcc not found: run scripts/setup.sh"
[ -r /usr/include/bpf/libbpf.h ] || die "libbpf headers missing (libbpf-dev): run scripts/setup.sh"
[ -r /sys/kernel/btf/vmlinux ] || die "kernel BTF missing (/sys/kernel/btf/vmlinux)"
NCPU=$(nproc)
if [ "$PIN" = 1 ] && [ "$NCPU" -lt 2 ]; then
  echo "ringbuf bench: only $NCPU CPU, not pinning" >&2; PIN=0
fi

# --- build: the kernel object and the library (Maven), the bench class (javac, so that the other
# modules bench/pom.xml depends on need not build), the C programs (gcc)
echo "== building" >&2
mkdir -p "$OUT/classes"
export JAVA_HOME
( cd "$ROOT" && { mvn -q -o -pl ebpf -am package -DskipTests || mvn -q -pl ebpf -am package -DskipTests; } ) >"$OUT/build.log" 2>&1 \
  || { tail -30 "$OUT/build.log" >&2; die "maven build of bpf + ebpf failed (log: $OUT/build.log)"; }
OBJ=$ROOT/bpf/target/classes/bpf/ringbench.bpf.o
[ -r "$OBJ" ] || die "$OBJ was not built"
"$JAVA_HOME/bin/javac" --release 25 -d "$OUT/classes" -cp "$ROOT/ebpf/target/classes" \
  "$ROOT"/bench/src/main/java/dev/vigil/bench/ringbuf/*.java || die "javac RingBench failed"
gcc -O2 -Wall -o "$OUT/driver" "$ROOT/bench/ringbuf/driver.c" || die "gcc driver.c failed"
gcc -O2 -Wall -I"$ROOT/bpf/include" -o "$OUT/consumer" "$ROOT/bench/ringbuf/consumer.c" \
  -lbpf -lelf -lz -lpthread || die "gcc consumer.c failed"

if [ "$PIN" = 1 ]; then CONS_PIN=(taskset -c 0); DRIVER_CPU=1; else CONS_PIN=(); DRIVER_CPU=-1; fi
COMMON=(--obj "$OBJ" --driver "$OUT/driver" --driver-cpu "$DRIVER_CPU" --timeout-ms "$TIMEOUT_MS"
        --ring-bytes "$RING_BYTES" --wakeup-bytes "$WAKEUP_BYTES")
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$OUT/classes:$ROOT/ebpf/target/classes"
      dev.vigil.bench.ringbuf.RingBench)
# Drain mode fills the ring with no reader waiting: the threshold is the whole ring, because a forced
# wakeup with nobody to wake still costs the producer a self-IPI per record (~8 us in this VM).
DRAIN_OPTS=(--ring-bytes "$DRAIN_RING_BYTES" --wakeup-bytes "$DRAIN_RING_BYTES")
RAW=$OUT/results-$(date +%Y%m%d-%H%M%S).txt
: >"$RAW"

run() { # config round -> appends one "config=... round=... key=value..." line
  local cfg=$1 round=$2 line
  case $cfg in
    baseline)
      line=$(printf 'go %s\ngo\n' "$WARMUP_SECONDS" | "$OUT/driver" --cpu "$DRIVER_CPU" --seconds "$SECONDS_PER_RUN" | tail -1) ;;
    filtered)
      line=$("${CONS_PIN[@]}" "$OUT/consumer" "${COMMON[@]}" --mode filtered --seconds "$SECONDS_PER_RUN" --warmup-seconds "$WARMUP_SECONDS") ;;
    c)
      line=$("${CONS_PIN[@]}" "$OUT/consumer" "${COMMON[@]}" --mode stream --seconds "$SECONDS_PER_RUN" --warmup-seconds "$WARMUP_SECONDS") ;;
    java)
      line=$("${CONS_PIN[@]}" "${JAVA[@]}" "${COMMON[@]}" --mode stream --seconds "$SECONDS_PER_RUN" --warmup-seconds "$WARMUP_SECONDS") ;;
    drain-c)
      "${CONS_PIN[@]}" "$OUT/consumer" "${COMMON[@]}" "${DRAIN_OPTS[@]}" --mode drain --calls "$DRAIN_CALLS" --reps "$DRAIN_REPS" \
        | sed "s/^/config=$cfg round=$round /" >>"$RAW" || die "$cfg failed"; return ;;
    drain-java)
      "${CONS_PIN[@]}" "${JAVA[@]}" "${COMMON[@]}" "${DRAIN_OPTS[@]}" --mode drain --calls "$DRAIN_CALLS" --reps "$DRAIN_REPS" \
        | sed "s/^/config=$cfg round=$round /" >>"$RAW" || die "$cfg failed"; return ;;
  esac
  [ -n "$line" ] || die "$cfg (round $round) produced no result"
  echo "config=$cfg round=$round $line" >>"$RAW"
}

# The numbers are only meaningful on an otherwise idle machine (2 cores: driver + consumer).
busy() { awk '{print $1}' /proc/loadavg; }
LOAD0=$(busy)
if awk -v l="$LOAD0" 'BEGIN { exit !(l > 0.7) }'; then
  echo "ringbuf bench: WARNING: load average $LOAD0 before start: other work competes for the CPUs, results will be noisy" >&2
fi
CONFIGS=(baseline filtered c java)
echo "== $ROUNDS rounds x ${#CONFIGS[@]} configurations, ${SECONDS_PER_RUN}s measured (+${WARMUP_SECONDS}s warm-up) each; pin=$PIN" >&2
for ((r = 0; r < ROUNDS; r++)); do
  for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
    cfg=${CONFIGS[$(((k + r) % ${#CONFIGS[@]}))]}
    echo "   round $((r + 1)): $cfg" >&2
    run "$cfg" "$r" || die "$cfg failed in round $((r + 1))"
  done
done
echo "== drain: $DRAIN_ROUNDS rounds, a $DRAIN_RING_BYTES-byte ring filled with $DRAIN_CALLS records, $DRAIN_REPS drains each (the first 2 are warm-up)" >&2
for ((r = 0; r < DRAIN_ROUNDS; r++)); do
  if ((r % 2 == 0)); then run drain-c "$r"; run drain-java "$r"; else run drain-java "$r"; run drain-c "$r"; fi
done

# --- the table: medians across rounds
awk -v rounds="$ROUNDS" '
function get(line, key,   m) { if (match(line, " " key "=[^ ]*")) { m = substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2); return m } return "" }
function median(cfg, key,   n, i, j, t, a) {
  n = cnt[cfg]; for (i = 1; i <= n; i++) a[i] = val[cfg, key, i] + 0
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  if (n == 0) return 0
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
  $0 = " " $0
  cfg = get($0, "config")
  if (cfg ~ /^drain/) { if (get($0, "rep") < 2) next; ok = (get($0, "received") == get($0, "produced") && get($0, "gaps") == "0" && get($0, "bad") == "0") }
  else if (cfg == "baseline") ok = 1
  else ok = (get($0, "received") + get($0, "dropped") == get($0, "produced") && get($0, "gaps") == get($0, "dropped") && get($0, "bad") == "0")
  if (!ok) { bad++; print "INCONSISTENT: " $0 > "/dev/stderr" }
  n = ++cnt[cfg]
  split("ns_per_call events_per_s received dropped produced cpu_ns_per_event thread_cpu_ns_per_event loops drain_mrec_s", keys, " ")
  for (i in keys) val[cfg, keys[i], n] = get($0, keys[i])
  totdrop[cfg] += get($0, "dropped")
}
END {
  base = median("baseline", "ns_per_call")
  printf "\nconfiguration              | ns/getppid | added ns/syscall | events/s   | received/run | dropped (all runs) | consumer CPU ns/event (process) | (poll thread) | Java/C CPU\n"
  printf "---------------------------|-----------:|-----------------:|-----------:|-------------:|-------------------:|--------------------------------:|--------------:|-----------:\n"
  split("baseline filtered c java", order, " ")
  name["baseline"] = "no tracing"; name["filtered"] = "attached, filtered out"
  name["c"] = "C libbpf ring_buffer__poll"; name["java"] = "Vigil Java RingBuffer"
  cc = median("c", "cpu_ns_per_event"); jc = median("java", "cpu_ns_per_event")
  for (i = 1; i <= 4; i++) {
    c = order[i]; if (!cnt[c]) continue
    ns = median(c, "ns_per_call")
    ev = (c == "c" || c == "java")
    printf "%-26s | %10.1f | %16s | %10s | %12s | %18s | %31s | %13s | %10s\n", name[c], ns,
      c == "baseline" ? "-" : sprintf("%+.1f", ns - base),
      ev ? sprintf("%.0f", median(c, "events_per_s")) : "-",
      ev ? sprintf("%.0f", median(c, "received")) : "-",
      ev ? sprintf("%d", totdrop[c]) : "-",
      ev ? sprintf("%.2f", median(c, "cpu_ns_per_event")) : "-",
      ev ? sprintf("%.2f", median(c, "thread_cpu_ns_per_event")) : "-",
      (c == "java" && cc > 0) ? sprintf("%.2fx", jc / cc) : "-"
  }
  dc = median("drain-c", "drain_mrec_s"); dj = median("drain-java", "drain_mrec_s")
  printf "\ndrain a full ring (no producer running) | M records/s | CPU ns/record | dropped\n"
  printf "----------------------------------------|------------:|--------------:|-------:\n"
  printf "C libbpf ring_buffer__consume           | %11.1f | %13.2f | %d\n", dc, median("drain-c", "cpu_ns_per_event"), totdrop["drain-c"]
  printf "Vigil Java RingBuffer.drain             | %11.1f | %13.2f | %d\n", dj, median("drain-java", "cpu_ns_per_event"), totdrop["drain-java"]
  printf "Java/C drain rate: %.2fx\n", (dc > 0) ? dj / dc : 0
  printf "\nmedians of %d rounds (drain: of %d drains)\n", rounds, cnt["drain-c"]
  exit bad > 0
}' "$RAW" || die "some runs were inconsistent (produced != received + dropped); raw results: $RAW"
echo "load average before: $LOAD0, after: $(busy) (should be near 0 before; the bench itself adds ~2)"
echo "raw results: $RAW" >&2
