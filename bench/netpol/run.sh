#!/usr/bin/env bash
# Network policy cost, side by side in one run (issue 13): a connect+close loop and an iperf3 TCP stream from a
# Docker container (--network none plus a veth) to a test host in a netns. For each N in SIZES, an allow policy
# selecting the container with N CIDRs (N-1 others, then the test host's 203.0.113.0/24), ports 5201-5202/TCP:
#   vigil-N    vigil run --policy enforcing it, the agent running (every connect is also a flow record that the
#              agent turns into JSON, on the same 2 CPUs); measured once per size
#   then, in ROUNDS interleaved rounds (this machine is shared and loaded: only ratios within a round count):
#   none       no policy: the same netns, from a cgroup outside the one the programs are attached to
#   pinned-N   Vigil's kernel enforcement alone: the pinned programs after SIGKILL of the agent
#   nft-N      the same policy in nftables in the container's netns: output chain, policy drop, established
#              accepted, then one rule per CIDR (the linear list a user writes by hand)
#   nftset-N   nftables with the CIDRs in one interval set (nft's own answer to long lists)
# Medians are printed. Run as root after scripts/setup.sh.
# Everything it starts (daemon, container, netns, agent, pins, cgroup) is removed on exit, failure or Ctrl-C.
# Knobs: ROUNDS (7), CONNECTS (5000 per run), STREAM_SECONDS (2), SIZES ("10 1000 10000").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/target/netpol
ROUNDS=${ROUNDS:-7} CONNECTS=${CONNECTS:-5000} STREAM_SECONDS=${STREAM_SECONDS:-2}
SIZES=${SIZES:-"10 1000 10000"}
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
gcc -O2 -Wall -o "$OUT/connect_loop" "$ROOT/bench/netpol/connect_loop.c" || die "gcc failed"
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
  for h in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/unified/"$CG-none"; do rmdir "$h" 2>/dev/null; done
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
mkdir -p "/sys/fs/cgroup/unified/$CG" "/sys/fs/cgroup/unified/$CG-none"
C=$("${DOCKER[@]}" run -d --name bench --network none --cgroup-parent "/$CG" --label app=bench vigil-bench-busybox:1 /bin/sleep 1000000)
PID=$("${DOCKER[@]}" inspect -f '{{.State.Pid}}' "$C")
ip netns add "$NS"
ip link add "${NS}a" type veth peer name "${NS}b"
ip link set "${NS}a" netns "$NS" && ip link set "${NS}b" netns "$PID"
ip -n "$NS" addr add 203.0.113.1/24 dev "${NS}a" && ip -n "$NS" link set "${NS}a" up && ip -n "$NS" link set lo up
nsenter -t "$PID" -n ip addr add 203.0.113.2/24 dev "${NS}b" && nsenter -t "$PID" -n ip link set "${NS}b" up
ip netns exec "$NS" iperf3 -s -D -p 5201 --pidfile "$D/iperf3.pid" >/dev/null
for _ in $(seq 1 100); do [ -s "$D/iperf3.pid" ] && break; sleep 0.05; done

# in_ctr CMD...: a process of the container (its cgroup and its netns), running a host binary; with NOCG=1, in
# the container's netns but a cgroup outside the attach root (no policy program runs for it)
in_ctr() {
  local cg=/sys/fs/cgroup/unified/$CG/$C/cgroup.procs
  [ "${NOCG:-0}" = 1 ] && cg=/sys/fs/cgroup/unified/$CG-none/cgroup.procs
  bash -c 'echo $$ > "$0" && exec nsenter -t "$1" -n -- "${@:2}"' "$cg" "$PID" "$@"
}
connect_ns() { in_ctr "$OUT/connect_loop" 203.0.113.1 5202 "$CONNECTS"; }
stream_gbps() {
  in_ctr iperf3 -c 203.0.113.1 -p 5201 -t "$STREAM_SECONDS" -J >"$D/iperf.json" || die "iperf3 failed: $(tail -3 "$D/iperf.json")"
  sed -n '/"sum_received"/,/}/p' "$D/iperf.json" | awk -F: '/bits_per_second/ {gsub(/[ ,]/, "", $2); printf "%.2f", $2 / 1e9; exit}'
}
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
nft_rules() { # nft_rules N linear|set
  local n=$1 kind=$2
  { echo "table inet vbench {"
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
    echo "}"; } >"$D/nft.conf"
  nsenter -t "$PID" -n nft -f "$D/nft.conf" || die "nft -f failed"
}
nft_clear() { nsenter -t "$PID" -n nft delete table inet vbench 2>/dev/null || true; }
api() { curl -s "http://127.0.0.1:$PORT$1" 2>/dev/null || true; }
agent_start() {
  policy "$1"
  printf -- '- list: vigil_bench_nothing\n  items: []\n' >"$D/rules.yaml"
  "$ROOT/bin/vigil" run --policy "$D/policy.yaml" -r "$D/rules.yaml" -o "webserver.listen_port=$PORT" \
    -o "policy.pin_root=$PIN" -o "policy.cgroup_root=/sys/fs/cgroup/unified/$CG" \
    -o "container_engines.docker.socket=$D/docker.sock" -o stdout_output.enabled=false >"$D/agent.out" 2>"$D/agent.err" &
  AGENT=$!
  agent_wait "$1"
}
agent_wait() { # until the running policy is bench-N and the container is known
  for _ in $(seq 1 600); do
    kill -0 "$AGENT" 2>/dev/null || die "vigil exited: $(tail -5 "$D/agent.err")"
    api /policies | grep -q "\"bench-$1\"" && api /policies | grep -q "${C:0:12}" && return
    sleep 0.1
  done
  die "vigil did not enforce bench-$1: $(tail -5 "$D/agent.err")"
}
command -v curl >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends curl >/dev/null

declare -A conn gbps
record() { conn[$1]+="$2 "; gbps[$1]+="$3 "; echo "  $1: $2 ns/connect, $3 Gbit/s"; }
measure() { local c s; connect_ns >/dev/null; c=$(connect_ns) || die "$1: a connect was refused"; s=$(stream_gbps); record "$1" "$c" "$s"; }

for n in $SIZES; do
  echo "# $n CIDRs"
  agent_start "$n"
  sleep 2 # the agent's start-up (JIT) settles before measuring
  measure "vigil-$n"
  kill -KILL "$AGENT"; wait "$AGENT" 2>/dev/null || true; AGENT=
  for r in $(seq 1 "$ROUNDS"); do
    order=(none pinned nft nftset)
    for i in 0 1 2 3; do
      case ${order[$(( (i + r) % 4 ))]} in
        none) NOCG=1 measure "none-$n" ;;
        pinned) measure "pinned-$n" ;;
        nft) nft_rules "$n" linear; NOCG=1 measure "nft-$n"; nft_clear ;;
        nftset) nft_rules "$n" set; NOCG=1 measure "nftset-$n"; nft_clear ;;
      esac
    done
  done
  "$ROOT/bin/vigil" policy remove -o "policy.pin_root=$PIN" -o webserver.enabled=false >/dev/null
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "# uptime after: $(uptime)"
printf '| CIDRs | configuration | connect+close (ns, median) | added per connect (ns) | stream (Gbit/s, median) | stream vs none |\n|---|---|---|---|---|---|\n'
for n in $SIZES; do
  base_c=$(echo "${conn[none-$n]}" | median) base_s=$(echo "${gbps[none-$n]}" | median)
  for k in none vigil pinned nft nftset; do
    c=$(echo "${conn[$k-$n]}" | median) s=$(echo "${gbps[$k-$n]}" | median)
    printf '| %s | %s | %s | %+d | %s | %.3fx |\n' "$n" "$k" "$c" "$(awk -v a="$c" -v b="$base_c" 'BEGIN {printf "%d", a - b}')" "$s" \
      "$(awk -v a="$s" -v b="$base_s" 'BEGIN {print a / b}')"
  done
done
