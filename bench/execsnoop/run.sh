#!/usr/bin/env bash
# exec() tracing cost, side by side in one run: an exec loop (fork + exec /bin/true + wait) with no
# tracing, under `vigil execsnoop`, under libbpf-tools' execsnoop (C, libbpf) and under a bpftrace
# one-liner on the same tracepoint. Interleaved rounds, medians; each tracer's output is counted to
# check that it saw every exec. Run as root after scripts/setup.sh.
# Environment: ROUNDS (5), EXECS (2000 per run), WARMUP (500 execs before each measured run), JAVA_HOME.
set -euo pipefail
set -m # job control: background tracers must not start with SIGINT ignored (they stop on SIGINT)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/execsnoop
ROUNDS=${ROUNDS:-5}
EXECS=${EXECS:-2000}
WARMUP=${WARMUP:-500}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "execsnoop bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
if ! command -v bpftrace >/dev/null || [ ! -x /usr/sbin/execsnoop ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libbpf-tools bpftrace >/dev/null \
    || die "cannot install libbpf-tools and bpftrace"
fi
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/exec_loop" "$ROOT/bench/execsnoop/exec_loop.c" || die "gcc failed"
"$ROOT/bin/vigil" --version >/dev/null || die "bin/vigil does not run"

# start_tracer NAME: starts the tracer writing to $OUT/NAME.out and waits until it is attached
start_tracer() {
  local name=$1 before
  # programs get increasing ids: wait for one of ours newer than everything loaded before
  before=$(bpftool prog show | awk -F: '/^[0-9]+:/ {id=$1} END {print id+0}')
  case $name in
    vigil) "$ROOT/bin/vigil" execsnoop </dev/null >"$OUT/$name.out" 2>"$OUT/$name.err" & ;;
    libbpf-tools) /usr/sbin/execsnoop </dev/null >"$OUT/$name.out" 2>"$OUT/$name.err" & ;;
    bpftrace) bpftrace -e 'tracepoint:syscalls:sys_enter_execve { printf("%d %s %s\n", pid, comm, str(args->filename)); }' \
                </dev/null >"$OUT/$name.out" 2>"$OUT/$name.err" & ;;
  esac
  TRACER=$!
  for _ in $(seq 1 300); do
    bpftool prog show | awk -F: -v b="$before" '/^[0-9]+:/ && $1 > b && /execv|handle_exec/ {f=1} END {exit !f}' \
      && { sleep 0.5; return; }
    sleep 0.1
  done
  die "$name did not attach: $(cat "$OUT/$name.err")"
}

TRACER=
stop_tracer() { [ -n "$TRACER" ] || return 0; kill -INT "$TRACER" 2>/dev/null || true; wait "$TRACER" 2>/dev/null || true; TRACER=; }
trap stop_tracer EXIT

declare -A times seen
configs=(none vigil libbpf-tools bpftrace)
for r in $(seq 1 "$ROUNDS"); do
  for i in "${!configs[@]}"; do
    c=${configs[$(( (i + r) % ${#configs[@]} ))]}
    marker="vigil-bench-$c-$r"
    [ "$c" = none ] || start_tracer "$c"
    "$OUT/exec_loop" "$WARMUP" "warmup-$marker" >/dev/null # the tracer's JIT/caches warm up, not measured
    t=$("$OUT/exec_loop" "$EXECS" "$marker")
    if [ "$c" != none ]; then
      sleep 0.3; stop_tracer
      # seen: execs of the loop's children reported at all; ok: reported with the right path
      case $c in
        bpftrace) n=$(grep -ac ' exec_loop' "$OUT/$c.out" || true)   # pid, comm (still the parent's), path
                  ok=$(grep -ac ' exec_loop /bin/true$' "$OUT/$c.out" || true) ;;
        *) n=$(grep -acE -- "^true .* $marker ?\$" "$OUT/$c.out" || true)
           ok=$(grep -ac -- "/bin/true $marker" "$OUT/$c.out" || true) ;;
      esac
      seen[$c]="${seen[$c]:-} $n/$ok"
    fi
    times[$c]="${times[$c]:-} $t"
    echo "round $r $c: $t us/exec" >&2
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
base=$(echo "${times[none]}" | median)
printf '\n%-14s %12s %10s %30s\n' configuration "us/exec" "vs none" "execs seen/with path, per run"
for c in "${configs[@]}"; do
  m=$(echo "${times[$c]}" | median)
  printf '%-14s %12.2f %9.2fx %30s\n' "$c" "$m" "$(echo "$m / $base" | bc -l)" "${seen[$c]:-n/a}"
done
echo "(expected per run: $EXECS, bpftrace: $((EXECS + WARMUP)) as it cannot tell them apart; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
