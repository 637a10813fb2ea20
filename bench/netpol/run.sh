#!/usr/bin/env bash
# Network policy cost, side by side in one run (issue 13): a connect+close loop and a TCP stream from a
# Docker container (--network none plus a veth) to a test host in a netns. For each N in SIZES, an allow policy
# selecting the container with N CIDRs (N-1 others, then the test host's 203.0.113.0/24), ports 5201-5202/TCP.
# Configurations:
#   none       no policy: the same netns, from a cgroup outside the one the programs are attached to
#   vigil      `vigil run --policy` enforcing it, the agent running (every connect is also a flow record that the
#              agent turns into JSON, on the same 2 CPUs)
#   empty      the floor: programs that do nothing (bench/netpol/empty.bpf.c) on the three hooks a TCP connect
#              runs (sock_create, connect4, cgroup_skb ingress), attached to a cgroup of their own: what any program on
#              those hooks costs, which no policy program can go below
#   hooked     a cgroup inside Vigil's attach root that is no container (Vigil's programs run, find no container
#              and allow): what Vigil costs every process that no policy selects
#   pinned     Vigil's kernel enforcement alone: the pinned programs after SIGKILL of the agent, the flow ring drained
#              by a small reader (drain.c, on the other CPU, the agent's 10 ms timer) so that every record is written
#              as in use (a full ring's failed reserves would be cheaper)
#   nft        the same policy in nftables in the container's netns: output chain, policy drop, established
#              accepted, then one rule per CIDR (the linear list a user writes by hand)
#   nftset     nftables with the CIDRs in one interval set (nft's own answer to long lists)
# The machine is shared, so nothing is compared across time: per size, two phases (agent running: none, vigil, nft,
# nftset; agent killed: none, empty, hooked, pinned, nft, nftset), each of ROUNDS rounds in which every configuration
# runs once, in an order rotating per round. Connects come from one process (connect_loop.c) pinned to CPU $CPU that switches
# configuration itself between batches (it moves its own cgroup; nft rules are loaded untimed), BATCH_MS per batch;
# none and the configurations that differ from it only by cgroup (vigil; empty, hooked, pinned) take turns chunk by
# chunk (20 connects) within the round, so drift between them is at the scale of a chunk; a configuration's figure in
# a round is the median over its chunks (a chunk that another process preempted is an outlier, not the connect's
# cost; the means are reported too);
# The stream (stream_loop.c, a sender in the container's netns, a discarding sink on the test host on the other CPU)
# keeps one connection per cgroup configuration, made from that cgroup (its ACKs run that cgroup's ingress programs),
# and takes turns chunk by chunk (1 MB) the same way, STREAM_ROUNDS rounds of STREAM_MS per configuration; the nft
# rulesets stream on none's connection with the ruleset loaded. (iperf3 runs of a few seconds each, in rotating
# rounds, gave per-round ratios whose 95% interval spanned 0.5-2x on this shared machine.) Reported: medians of the per-round differences and ratios against that round's none, with a 95%
# confidence interval of each median (order statistics: distribution-free), so that noise can be read against the
# effect; pinned against empty the same way (the cost above the floor); and the programs' own run time per connect
# (BPF_ENABLE_STATS, STATS_ROUNDS more batches of vigil, empty, hooked and pinned: the cost without the rest of the
# connect's).
# Run as root after scripts/setup.sh. Everything it starts (daemon, container, netns, agent, pins, cgroup) is
# removed on exit, failure or Ctrl-C.
# Knobs: ROUNDS (31), BATCH_MS (100), STREAM_ROUNDS (15), STREAM_MS (300), STATS_ROUNDS (7),
# SIZES ("10 1000 10000"), CPU (1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/netpol
ROUNDS=${ROUNDS:-31} BATCH_MS=${BATCH_MS:-100} STREAM_ROUNDS=${STREAM_ROUNDS:-15} STREAM_MS=${STREAM_MS:-300}
export STATS_ROUNDS=${STATS_ROUNDS:-7}
SIZES=${SIZES:-"10 1000 10000"} CPU=${CPU:-1}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "netpol bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
if ! command -v nft >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends nftables >/dev/null \
    || die "cannot install nftables"
fi
command -v dockerd >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
  --no-install-recommends docker.io >/dev/null || die "cannot install docker.io"
[ -x /bin/busybox ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
  --no-install-recommends busybox-static >/dev/null || die "cannot install busybox-static"
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/connect_loop" "$ROOT/bench/netpol/connect_loop.c" -lbpf || die "gcc failed (libbpf-dev?)"
gcc -O2 -Wall -o "$OUT/attach_hooks" "$ROOT/bench/netpol/attach_hooks.c" -lbpf || die "gcc failed (libbpf-dev?)"
gcc -O2 -Wall -o "$OUT/drain" "$ROOT/bench/netpol/drain.c" -lbpf || die "gcc failed (libbpf-dev?)"
gcc -O2 -Wall -o "$OUT/stream_loop" "$ROOT/bench/netpol/stream_loop.c" -lbpf || die "gcc failed"
"$(command -v clang-16 || echo clang)" -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
  -c "$ROOT/bench/netpol/empty.bpf.c" -o "$OUT/empty.bpf.o" || die "clang failed on empty.bpf.c"
"$ROOT/bin/vigil" --version >/dev/null || die "bin/vigil does not run"

U=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
D=$(mktemp -d /tmp/vigil-bench-netpol.XXXXXX)
CG=vigil-bench-$U
PIN=/sys/fs/bpf/vigil-bench-$U
EMPTY_LINKS=/sys/fs/bpf/vigil-bench-$U-empty
NS=vb$U
PORT=$((20000 + RANDOM % 20000))
DOCKER=(docker -H "unix://$D/docker.sock")
AGENT= DRAIN= SINK=
cleanup() {
  set +e
  [ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
  [ -n "$DRAIN" ] && kill "$DRAIN" 2>/dev/null && wait "$DRAIN" 2>/dev/null
  [ -n "$SINK" ] && kill "$SINK" 2>/dev/null && wait "$SINK" 2>/dev/null
  "$ROOT/bin/vigil" policy remove -o "policy.pin_root=$PIN" -o webserver.enabled=false >/dev/null 2>&1
  "${DOCKER[@]}" rm -f bench >/dev/null 2>&1
  [ -f "$D/dockerd.pid" ] && kill "$(cat "$D/dockerd.pid")" 2>/dev/null && sleep 2
  # what our daemon left (containerd, shims): the processes whose command line names our folder, by pid
  for p in /proc/[0-9]*; do { tr '\0' ' ' <"$p/cmdline" | grep -q -- "$D/" && kill "${p#/proc/}"; } 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null
  rm -rf "$EMPTY_LINKS" # unpinning the links detaches the empty programs
  for h in /sys/fs/cgroup/unified/"$CG"/hooked /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/unified/"$CG-none" \
    /sys/fs/cgroup/unified/"$CG-empty"; do rmdir "$h" 2>/dev/null; done
  grep " $D" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT INT TERM

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, uptime: $(uptime)"
dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" -H "unix://$D/docker.sock" \
  --iptables=false --ip-masq=false --bridge=none >"$D/dockerd.log" 2>&1 &
for _ in $(seq 1 300); do "${DOCKER[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
"${DOCKER[@]}" version >/dev/null 2>&1 || die "dockerd did not start: $(tail -5 "$D/dockerd.log")"
mkdir -p "$D/rootfs/bin" && cp /bin/busybox "$D/rootfs/bin/" && ln -s busybox "$D/rootfs/bin/sleep"
tar -C "$D/rootfs" -c . | "${DOCKER[@]}" import - vigil-bench-busybox:1 >/dev/null
mkdir -p "/sys/fs/cgroup/unified/$CG/hooked" "/sys/fs/cgroup/unified/$CG-none" "/sys/fs/cgroup/unified/$CG-empty"
"$OUT/attach_hooks" "$OUT/empty.bpf.o" "/sys/fs/cgroup/unified/$CG-empty" "$EMPTY_LINKS" || die "cannot attach the empty programs"
C=$("${DOCKER[@]}" run -d --name bench --network none --cgroup-parent "/$CG" --label app=bench vigil-bench-busybox:1 /bin/sleep 1000000)
PID=$("${DOCKER[@]}" inspect -f '{{.State.Pid}}' "$C")
ip netns add "$NS"
ip link add "${NS}a" type veth peer name "${NS}b"
ip link set "${NS}a" netns "$NS" && ip link set "${NS}b" netns "$PID"
ip -n "$NS" addr add 203.0.113.1/24 dev "${NS}a" && ip -n "$NS" link set "${NS}a" up && ip -n "$NS" link set lo up
nsenter -t "$PID" -n ip addr add 203.0.113.2/24 dev "${NS}b" && nsenter -t "$PID" -n ip link set "${NS}b" up
ip netns exec "$NS" taskset -c $(( (CPU + 1) % $(nproc) )) "$OUT/stream_loop" sink 5201 &
SINK=$!

CGC=/sys/fs/cgroup/unified/$CG/$C/cgroup.procs   # the container's cgroup: inside the attach root
CGN=/sys/fs/cgroup/unified/$CG-none/cgroup.procs # outside it: no policy program runs
CGH=/sys/fs/cgroup/unified/$CG/hooked/cgroup.procs # inside it but no container: the programs run and find none
CGE=/sys/fs/cgroup/unified/$CG-empty/cgroup.procs # outside it, under the empty programs: the floor
cidrs() { # N CIDRs, the test host's last
  local n=$1 i
  for ((i = 0; i < n - 1; i++)); do echo "10.$((i / 256 % 256)).$((i % 256)).0/24"; done
  echo 203.0.113.0/24
}
policy() { # policy N -> $D/policy.yaml
  { printf 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: bench-%s\nspec:\n' "$1"
    printf '  endpointSelector:\n    matchLabels:\n      app: bench\n  egress:\n  - toCIDR:\n'
    cidrs "$1" | sed 's/^/    - /'
    printf '    toPorts:\n    - ports:\n      - port: "5201"\n        endPort: 5202\n        protocol: TCP\n'; } >"$D/policy.yaml.tmp"
  mv "$D/policy.yaml.tmp" "$D/policy.yaml"
}
nft_conf() { # nft_conf N linear|set -> $D/nft-KIND.conf (replaces the table in one transaction)
  local n=$1 kind=$2
  { echo "table inet vbench"
    echo "delete table inet vbench"
    echo "table inet vbench {"
    if [ "$kind" = set ]; then
      echo "  set allowed { type ipv4_addr; flags interval; elements = { $(cidrs "$n" | paste -sd, -) } }"
    fi
    echo "  chain out { type filter hook output priority 0; policy drop;"
    echo "    oif lo accept"
    echo "    ct state established,related accept"
    if [ "$kind" = set ]; then
      echo "    ip daddr @allowed tcp dport 5201-5202 accept"
    else
      cidrs "$n" | sed 's/^\(.*\)$/    ip daddr \1 tcp dport 5201-5202 accept/'
    fi
    echo "  }"
    echo "}"; } >"$D/nft-$kind.conf"
}
NFT_OFF="nft delete table inet vbench 2>/dev/null; true"
setup_of() { # the untimed setup of a configuration (runs in the container's netns)
  case $1 in
    nft) echo "nft -f $D/nft-linear.conf" ;;
    nftset) echo "nft -f $D/nft-set.conf" ;;
    *) echo "$NFT_OFF" ;;
  esac
}
procs_of() { case $1 in vigil|pinned) echo "$CGC" ;; hooked) echo "$CGH" ;; empty) echo "$CGE" ;; *) echo "$CGN" ;; esac; }
in_netns() { nsenter -t "$PID" -n -- "$@"; }
api() { curl -s "http://127.0.0.1:$PORT$1" 2>/dev/null || true; }
agent_start() {
  policy "$1"
  printf -- '- list: vigil_bench_nothing\n  items: []\n' >"$D/rules.yaml"
  "$ROOT/bin/vigil" run --policy "$D/policy.yaml" -r "$D/rules.yaml" -o "webserver.listen_port=$PORT" \
    -o "policy.pin_root=$PIN" -o "policy.cgroup_root=/sys/fs/cgroup/unified/$CG" \
    -o "container_engines.docker.socket=$D/docker.sock" -o stdout_output.enabled=false >"$D/agent.out" 2>"$D/agent.err" &
  AGENT=$!
  for _ in $(seq 1 600); do # until the running policy is bench-N and the container is known
    kill -0 "$AGENT" 2>/dev/null || die "vigil exited: $(tail -5 "$D/agent.err")"
    api /policies | grep -q "\"bench-$1\"" && api /policies | grep -q "${C:0:12}" && return
    sleep 0.1
  done
  die "vigil did not enforce bench-$1: $(tail -5 "$D/agent.err")"
}
command -v curl >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends curl >/dev/null

# connects PHASE N STATS CONFIG...: the interleaved connect rounds -> $D/connect-PHASE-N (STATS: NAME=LINKS,... or -)
connects() {
  local phase=$1 n=$2 stats=$3 args=() k
  shift 3
  for k in "$@"; do args+=("$k:$(procs_of "$k"):$(setup_of "$k")"); done
  in_netns taskset -c "$CPU" "$OUT/connect_loop" 203.0.113.1 5202 "$ROUNDS" "$BATCH_MS" "$stats" "${args[@]}" \
    >"$D/connect-$phase-$n" || die "connect loop ($phase, $n CIDRs) failed"
  in_netns sh -c "$NFT_OFF"
}
# streams PHASE N STATS CONFIG...: the interleaved stream rounds (stream_loop.c) -> $D/stream-PHASE-N ("ROUND NAME
# GBITS"); STATS (NAME=LINKS or -): whose programs' share of the stream's time to measure
streams() {
  local phase=$1 n=$2 stats=$3 args=() k
  shift 3
  for k in "$@"; do args+=("$k:$(procs_of "$k"):$(setup_of "$k")"); done
  [ "$stats" = - ] && stats=
  in_netns env ${stats:+STREAM_STATS=$stats} taskset -c "$CPU" "$OUT/stream_loop" 203.0.113.1 5201 "$STREAM_ROUNDS" "$STREAM_MS" "${args[@]}" \
    >"$D/stream-raw-$phase-$n" || die "stream loop ($phase, $n CIDRs) failed"
  awk '$1 == "stream" {print $2, $3, $4}' "$D/stream-raw-$phase-$n" >"$D/stream-$phase-$n"
  in_netns sh -c "$NFT_OFF"
}

for n in $SIZES; do
  echo "# $n CIDRs: $(uptime)"
  nft_conf "$n" linear
  nft_conf "$n" set
  agent_start "$n"
  sleep 2 # the agent's start-up (JIT) settles before measuring
  connects agent "$n" "vigil=$PIN/netpol/links" none vigil nft nftset
  streams agent "$n" "vigil=$PIN/netpol/links" none vigil nft nftset
  kill -KILL "$AGENT"; wait "$AGENT" 2>/dev/null || true; AGENT=
  taskset -c $(( (CPU + 1) % $(nproc) )) "$OUT/drain" "$PIN/netpol/maps/flows" >"$D/drain-$n" &
  DRAIN=$!
  connects kernel "$n" "empty=$EMPTY_LINKS,hooked=$PIN/netpol/links,pinned=$PIN/netpol/links" none empty hooked pinned nft nftset
  streams kernel "$n" "pinned=$PIN/netpol/links" none empty pinned nft nftset
  kill -TERM "$DRAIN"; wait "$DRAIN" || true; DRAIN=
  # every flow record the ring could not take (it was full) is counted per CPU by the programs
  drops=$(bpftool -j map dump pinned "$PIN/netpol/maps/vigil_drops" 2>/dev/null | grep -o '"value":[0-9]*' | awk -F: '{s += $2} END {print s + 0}')
  echo "# $n CIDRs: flow records drained after the agent's kill: $(cat "$D/drain-$n"), lost to a full ring: $drops"
  "$ROOT/bin/vigil" policy remove -o "policy.pin_root=$PIN" -o webserver.enabled=false >/dev/null
done
echo "# uptime after: $(uptime)"
cp "$D"/connect-* "$D"/stream-* "$OUT/" 2>/dev/null || true

# per-round comparison against the round's none (or another base): medians of the differences and ratios, each with
# its 95% confidence interval from order statistics (ranks n/2 -+ 0.98 sqrt(n), distribution-free)
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
ci() { # ci SCALE FORMAT: "median [lo, hi]" of the values on stdin, each divided by SCALE
  sort -g | awk -v s="$1" -v f="$2" '{a[NR]=$1} END {
    if (NR == 0) {print "-"; exit}
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    lo = int(NR / 2 - 0.98 * sqrt(NR)); hi = int(NR / 2 + 1 + 0.98 * sqrt(NR) + 0.999)
    if (lo < 1) lo = 1; if (hi > NR) hi = NR
    printf f " [" f ", " f "]", m / s, a[lo] / s, a[hi] / s}'
}
col() { # col FILE CONFIG FIELD(value|diff|ratio) KIND [BASE [COLUMN]]: one value per round (COLUMN 4: median chunk, 6: mean)
  awk -v k="$2" -v f="$3" -v kw="$4" -v base="${5:-none}" -v fi="${6:-4}" '$1 != kw || $2 !~ /^[0-9]+$/ {next} $3 == base {b[$2] = $fi} $3 == k {v[$2] = $fi}
    END {for (r in v) if (r in b) print (f == "value" ? v[r] : f == "diff" ? v[r] - b[r] : v[r] / b[r])}' "$1"
}
scol() { awk -v k="$2" -v f="$3" '$2 == "none" {b[$1] = $3} $2 == k {v[$1] = $3}
    END {for (r in v) if (r in b && b[r] > 0) print (f == "value" ? v[r] : v[r] / b[r])}' "$1"; }
printf '\n| CIDRs | phase | configuration | connect+close (us) | added per connect (us, per-round differences: median [95%% CI]) | connect vs none (per-round ratios, median) | above the floor (us, per-round differences to empty [95%% CI]) | added per connect from batch means (us [95%% CI]) | programs per connect (ns, BPF stats, median of %s) | stream (Gbit/s, median) | stream vs none (per-round ratios: median [95%% CI]) |\n|---|---|---|---|---|---|---|---|---|---|---|\n' "$STATS_ROUNDS"
for n in $SIZES; do
  for phase in agent kernel; do
    cf=$D/connect-$phase-$n sf=$D/stream-$phase-$n
    for k in $(awk '$1 == "connect" && $2 ~ /^[0-9]+$/ {print $3}' "$cf" | awk '!s[$0]++'); do
      c=$(col "$cf" "$k" value connect | median) q=$(col "$cf" "$k" ratio connect | median)
      d=$(col "$cf" "$k" diff connect | ci 1000 %+.2f)
      e=- mdiff=$(col "$cf" "$k" diff connect none 6 | ci 1000 %+.2f)
      [ "$phase" = kernel ] && [ "$k" != none ] && [ "$k" != empty ] && e=$(col "$cf" "$k" diff connect empty | ci 1000 %+.2f)
      p=$(awk -v k="$k" '$1 == "progs" && $3 == k {print $4}' "$cf" | median)
      [ "$p" = nan ] && p=- || p=$(printf '%.0f' "$p")
      sv=$(scol "$sf" "$k" value | median) sq=$(scol "$sf" "$k" ratio | ci 1 %.3f)
      [ "$sv" = nan ] && sv=- sq=- # hooked: connects only
      [ "$sq" != - ] && sq=$(echo "$sq" | sed 's/^\([0-9.]*\)/\1x/')
      printf '| %s | %s | %s | %.2f | %s | %.3fx | %s | %s | %s | %s | %s |\n' "$n" "$phase" "$k" "$(awk -v x="$c" 'BEGIN {print x / 1000}')" \
        "$d" "$q" "$e" "$mdiff" "$p" "$sv" "$sq"
    done
  done
done
# the programs' share of the stream's time
printf '\n| CIDRs | configuration | programs'"'"' run time during its stream chunks | of the chunks'"'"' wall time | runs (packets) per MB |\n|---|---|---|---|---|\n'
for n in $SIZES; do
  for phase in agent kernel; do
    awk -v n="$n" '$1 == "progshare" && $4 > 0 {printf "| %s | %s | %.2f ms | %.3f%% | %.1f |\n", n, $2, $3 / 1e6, 100 * $3 / $4, $5 / (bytes[$2] / 1048576)}
      $1 == "stream" {bytes[$3] += $5}' "$D/stream-raw-$phase-$n"
  done
done
# the programs one by one (ns per run, median over the statistics batches)
printf '\n| CIDRs | configuration | program | ns per run (median) | runs per connect |\n|---|---|---|---|---|\n'
for n in $SIZES; do
  awk '$1 == "connect" && $2 ~ /^stats/ {c[$2 " " $3] = $5} $1 == "prog" && $6 > 0 {print $3, $4, $5, $6 / c["stats" $2 " " $3]}' \
    "$D/connect-agent-$n" "$D/connect-kernel-$n" | sort -k1,1 -k2,2 -k3,3g | awk -v n="$n" '{k = $1 " " $2; v[k, ++c[k]] = $3; r[k] = $4}
    END {for (k in c) {split(k, a, " "); m = c[k] % 2 ? v[k, (c[k] + 1) / 2] : (v[k, c[k] / 2] + v[k, c[k] / 2 + 1]) / 2
      printf "| %s | %s | %s | %.0f | %.2f |\n", n, a[1], a[2], m, r[k]}}' | sort
done
