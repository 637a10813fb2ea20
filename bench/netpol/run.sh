#!/usr/bin/env bash
# Network policy cost, side by side in one run (issue 13): a connect+close loop and an iperf3 TCP stream from a
# Docker container (--network none plus a veth) to a test host in a netns. For each N in SIZES, an allow policy
# selecting the container with N CIDRs (N-1 others, then the test host's 203.0.113.0/24), ports 5201-5202/TCP.
# Configurations:
#   none       no policy: the same netns, from a cgroup outside the one the programs are attached to
#   vigil      `vigil run --policy` enforcing it, the agent running (every connect is also a flow record that the
#              agent turns into JSON, on the same 2 CPUs)
#   hooked     a control: a cgroup inside the attach root that is no container (the programs run, find no
#              container and allow): the cost of being under the hooks at all, and of the other cgroup
#   pinned     Vigil's kernel enforcement alone: the pinned programs after SIGKILL of the agent
#   nft        the same policy in nftables in the container's netns: output chain, policy drop, established
#              accepted, then one rule per CIDR (the linear list a user writes by hand)
#   nftset     nftables with the CIDRs in one interval set (nft's own answer to long lists)
# The machine is shared, so nothing is compared across time: per size, two phases (agent running: none, vigil;
# agent killed: none, hooked, pinned, nft, nftset), each of ROUNDS rounds in which every configuration runs once, in an
# order rotating per round. Connects come from one process (connect_loop.c) pinned to CPU $CPU that switches
# configuration itself between batches (it moves its own cgroup; nft rules are loaded untimed), BATCH_MS per batch;
# iperf3 runs STREAM_SECONDS per configuration per round, client pinned the same way. Reported: medians of the
# per-round differences and ratios against that round's none, and the kernel programs' own run time per connect
# (BPF_ENABLE_STATS, 5 more batches of pinned: the programs' cost without the rest of the connect's).
# Run as root after scripts/setup.sh. Everything it starts (daemon, container, netns, agent, pins, cgroup) is
# removed on exit, failure or Ctrl-C.
# Knobs: ROUNDS (15), BATCH_MS (300), STREAM_ROUNDS (5), STREAM_SECONDS (2), SIZES ("10 1000 10000"), CPU (1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/netpol
ROUNDS=${ROUNDS:-15} BATCH_MS=${BATCH_MS:-300} STREAM_ROUNDS=${STREAM_ROUNDS:-5} STREAM_SECONDS=${STREAM_SECONDS:-2}
SIZES=${SIZES:-"10 1000 10000"} CPU=${CPU:-1}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "netpol bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
if ! command -v iperf3 >/dev/null || ! command -v nft >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends iperf3 nftables >/dev/null \
    || die "cannot install iperf3 and nftables"
fi
command -v dockerd >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
  --no-install-recommends docker.io >/dev/null || die "cannot install docker.io"
[ -x /bin/busybox ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
  --no-install-recommends busybox-static >/dev/null || die "cannot install busybox-static"
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/connect_loop" "$ROOT/bench/netpol/connect_loop.c" -lbpf || die "gcc failed (libbpf-dev?)"
"$ROOT/bin/vigil" --version >/dev/null || die "bin/vigil does not run"

U=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
D=$(mktemp -d /tmp/vigil-bench-netpol.XXXXXX)
CG=vigil-bench-$U
PIN=/sys/fs/bpf/vigil-bench-$U
NS=vb$U
PORT=$((20000 + RANDOM % 20000))
DOCKER=(docker -H "unix://$D/docker.sock")
AGENT=
cleanup() {
  set +e
  [ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
  "$ROOT/bin/vigil" policy remove -o "policy.pin_root=$PIN" -o webserver.enabled=false >/dev/null 2>&1
  "${DOCKER[@]}" rm -f bench >/dev/null 2>&1
  [ -f "$D/dockerd.pid" ] && kill "$(cat "$D/dockerd.pid")" 2>/dev/null && sleep 2
  # what our daemon left (containerd, shims): the processes whose command line names our folder, by pid
  for p in /proc/[0-9]*; do { tr '\0' ' ' <"$p/cmdline" | grep -q -- "$D/" && kill "${p#/proc/}"; } 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null
  for h in /sys/fs/cgroup/unified/"$CG"/hooked /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/unified/"$CG-none"; do rmdir "$h" 2>/dev/null; done
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
mkdir -p "/sys/fs/cgroup/unified/$CG/hooked" "/sys/fs/cgroup/unified/$CG-none"
C=$("${DOCKER[@]}" run -d --name bench --network none --cgroup-parent "/$CG" --label app=bench vigil-bench-busybox:1 /bin/sleep 1000000)
PID=$("${DOCKER[@]}" inspect -f '{{.State.Pid}}' "$C")
ip netns add "$NS"
ip link add "${NS}a" type veth peer name "${NS}b"
ip link set "${NS}a" netns "$NS" && ip link set "${NS}b" netns "$PID"
ip -n "$NS" addr add 203.0.113.1/24 dev "${NS}a" && ip -n "$NS" link set "${NS}a" up && ip -n "$NS" link set lo up
nsenter -t "$PID" -n ip addr add 203.0.113.2/24 dev "${NS}b" && nsenter -t "$PID" -n ip link set "${NS}b" up
ip netns exec "$NS" taskset -c $(( (CPU + 1) % $(nproc) )) iperf3 -s -D -p 5201 --pidfile "$D/iperf3.pid" >/dev/null
for _ in $(seq 1 100); do [ -s "$D/iperf3.pid" ] && break; sleep 0.05; done

CGC=/sys/fs/cgroup/unified/$CG/$C/cgroup.procs   # the container's cgroup: inside the attach root
CGN=/sys/fs/cgroup/unified/$CG-none/cgroup.procs # outside it: no policy program runs
CGH=/sys/fs/cgroup/unified/$CG/hooked/cgroup.procs # inside it but no container: the programs run and find none
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
procs_of() { case $1 in vigil|pinned) echo "$CGC" ;; hooked) echo "$CGH" ;; *) echo "$CGN" ;; esac; }
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

# connects PHASE N STATS_FOR CONFIG...: the interleaved connect rounds -> $D/connect-PHASE-N
connects() {
  local phase=$1 n=$2 stats=$3 links=- args=() k
  shift 3
  [ "$stats" != - ] && links=$PIN/netpol/links
  for k in "$@"; do args+=("$k:$(procs_of "$k"):$(setup_of "$k")"); done
  in_netns taskset -c "$CPU" "$OUT/connect_loop" 203.0.113.1 5202 "$ROUNDS" "$BATCH_MS" "$links" "$stats" "${args[@]}" \
    >"$D/connect-$phase-$n" || die "connect loop ($phase, $n CIDRs) failed"
  in_netns sh -c "$NFT_OFF"
}
# streams PHASE N CONFIG...: the interleaved iperf3 rounds -> $D/stream-PHASE-N ("ROUND NAME GBITS")
streams() {
  local phase=$1 n=$2 r i k g
  shift 2
  local cfgs=("$@")
  : >"$D/stream-$phase-$n"
  for ((r = 0; r < STREAM_ROUNDS; r++)); do
    for ((i = 0; i < ${#cfgs[@]}; i++)); do
      k=${cfgs[$(( (i + r) % ${#cfgs[@]} ))]}
      in_netns sh -c "$(setup_of "$k")" || die "setup of $k failed"
      bash -c 'echo $$ > "$0" && exec nsenter -t "$1" -n -- taskset -c "$2" iperf3 -c 203.0.113.1 -p 5201 -t "$3" -J' \
        "$(procs_of "$k")" "$PID" "$CPU" "$STREAM_SECONDS" >"$D/iperf.json" || die "iperf3 ($k) failed: $(tail -3 "$D/iperf.json")"
      g=$(sed -n '/"sum_received"/,/}/p' "$D/iperf.json" | awk -F: '/bits_per_second/ {gsub(/[ ,]/, "", $2); printf "%.3f", $2 / 1e9; exit}')
      echo "$r $k $g" >>"$D/stream-$phase-$n"
    done
  done
  in_netns sh -c "$NFT_OFF"
}

for n in $SIZES; do
  echo "# $n CIDRs: $(uptime)"
  nft_conf "$n" linear
  nft_conf "$n" set
  agent_start "$n"
  sleep 2 # the agent's start-up (JIT) settles before measuring
  connects agent "$n" - none vigil
  streams agent "$n" none vigil
  kill -KILL "$AGENT"; wait "$AGENT" 2>/dev/null || true; AGENT=
  connects kernel "$n" pinned,hooked none hooked pinned nft nftset
  streams kernel "$n" none pinned nft nftset
  "$ROOT/bin/vigil" policy remove -o "policy.pin_root=$PIN" -o webserver.enabled=false >/dev/null
done
echo "# uptime after: $(uptime)"
cp "$D"/connect-* "$D"/stream-* "$OUT/" 2>/dev/null || true

# per-round comparison against the round's none: medians of the differences and ratios
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { # col FILE CONFIG FIELD(value|diff|ratio): one value per round
  awk -v k="$2" -v f="$3" -v kw="$4" '$1 == kw && $3 == "none" {b[$2] = $4} $1 == kw && $3 == k {v[$2] = $4}
    END {for (r in v) if (r in b) print (f == "value" ? v[r] : f == "diff" ? v[r] - b[r] : v[r] / b[r])}' "$1"
}
scol() { awk -v k="$2" -v f="$3" '$2 == "none" {b[$1] = $3} $2 == k {v[$1] = $3}
    END {for (r in v) if (r in b && b[r] > 0) print (f == "value" ? v[r] : v[r] / b[r])}' "$1"; }
printf '\n| CIDRs | phase | configuration | connect+close (us, median) | added per connect (us, median of per-round differences) | connect vs none (median of per-round ratios) | Vigil programs per connect (ns, BPF stats: median of 5 batches) | stream (Gbit/s, median) | stream vs none (median of per-round ratios) |\n|---|---|---|---|---|---|---|---|---|\n'
for n in $SIZES; do
  for phase in agent kernel; do
    cf=$D/connect-$phase-$n sf=$D/stream-$phase-$n
    for k in $(awk '$1 == "connect" && $2 ~ /^[0-9]+$/ {print $3}' "$cf" | awk '!s[$0]++'); do
      c=$(col "$cf" "$k" value connect | median) d=$(col "$cf" "$k" diff connect | median) q=$(col "$cf" "$k" ratio connect | median)
      p=$(awk -v k="$k" '$1 == "progs" && $3 == k {print $4}' "$cf" | median)
      pmin=$(awk -v k="$k" '$1 == "progs" && $3 == k {print $4}' "$cf" | sort -g | head -1)
      [ "$p" = nan ] && p=- || p="$p (min $pmin)"
      sv=$(scol "$sf" "$k" value | median) sq=$(scol "$sf" "$k" ratio | median)
      [ "$sv" = nan ] && sv=- sq=- || sq=$(printf '%.3fx' "$sq") # hooked: connects only
      printf '| %s | %s | %s | %.1f | %+.2f | %.3fx | %s | %s | %s |\n' "$n" "$phase" "$k" "$(awk -v x="$c" 'BEGIN {print x / 1000}')" \
        "$(awk -v x="$d" 'BEGIN {print x / 1000}')" "$q" "${p:--}" "$sv" "$sq"
    done
  done
done
