#!/usr/bin/env bash
# Issue 4's measurement: container metadata lookups and the resolver's hot path.
#   1. JMH (no root): ns and bytes per ContainerResolver.resolve() call with host cgroups only, with 50 cached
#      containers among them, and with id-only containers (inspect in flight / no runtime), side by side in
#      rounds (dev.vigil.bench.containers.ResolveBenchMain).
#   2. Real engine (root): a private Docker Engine started like the containers tests' harness (own data root,
#      exec root, pidfile and socket in a temp folder, --iptables=false --bridge=none, busybox-static imported
#      as vigil-busybox:1, containers with --network none); dev.vigil.bench.containers.EngineDriver measures
#      start -> metadata cached through the event stream, and inspect lookups per second for a burst of
#      unknown containers.
# Everything it starts (containers, daemon, its containerd and shims, mounts, the folder) is removed on exit,
# failure or Ctrl-C.
# Knobs: MODE=all|jmh|engine, JMH_ROUNDS=5 JMH_WARMUP=3 JMH_MEASURE=5 (iterations of 1 s), CONTAINERS=50,
# PARALLEL=4 (docker run at a time), ROUNDS=3 (latency rounds), BURST_ROUNDS=5, VIGIL_MVN_ARGS (extra mvn
# arguments, e.g. -Dmaven.repo.local=...).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
MODE=${MODE:-all}
JMH_ROUNDS=${JMH_ROUNDS:-5} JMH_WARMUP=${JMH_WARMUP:-3} JMH_MEASURE=${JMH_MEASURE:-5}
CONTAINERS=${CONTAINERS:-50} PARALLEL=${PARALLEL:-4} ROUNDS=${ROUNDS:-3} BURST_ROUNDS=${BURST_ROUNDS:-5}
IMAGE=vigil-busybox:1
cd "$ROOT"

# shellcheck disable=SC2086
mvn -q -B -o ${VIGIL_MVN_ARGS:-} -pl bench -am package -DskipTests 2>/dev/null \
  || mvn -q -B ${VIGIL_MVN_ARGS:-} -pl bench -am package -DskipTests
CP="bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
JAVA=("$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -cp "$CP")

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$MODE" = all ] || [ "$MODE" = jmh ]; then
  "${JAVA[@]}" dev.vigil.bench.containers.ResolveBenchMain "$JMH_ROUNDS" "$JMH_WARMUP" "$JMH_MEASURE"
fi

[ "$MODE" = all ] || [ "$MODE" = engine ] || exit 0
if [ "$(id -u)" != 0 ]; then echo "the real-engine part needs root (dockerd)" >&2; exit 1; fi
DOCKERD=$(command -v dockerd || true)
# the engine's own CLI (Debian's docker.io), not a newer client elsewhere on the PATH
DOCKER=/usr/bin/docker; [ -x "$DOCKER" ] || DOCKER=$(command -v docker || true)
BUSYBOX=/bin/busybox
for x in "$DOCKERD" "$DOCKER"; do [ -n "$x" ] && [ -x "$x" ] || { echo "dockerd/docker missing (apt-get install docker.io)" >&2; exit 1; }; done
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || { echo "$BUSYBOX is not a static busybox (apt-get install busybox-static)" >&2; exit 1; }

DIR=$(mktemp -d /tmp/vigil-cbench.XXXXXX)
SOCK=$DIR/docker.sock
D() { "$DOCKER" -H "unix://$SOCK" "$@"; }

cleanup() {
  set +e
  trap - EXIT INT TERM
  if [ -S "$SOCK" ]; then
    ids=$(D ps -aq 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && D rm -f $ids >/dev/null 2>&1
  fi
  if [ -f "$DIR/dockerd.pid" ]; then
    pid=$(cat "$DIR/dockerd.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  fi
  # what our daemon started and left (its containerd, shims): their command lines name our folder
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF "$DIR"; then kill -9 "$pid" 2>/dev/null; fi
  done
  # mounts under the folder, deepest first (reverse order puts /a/b before /a)
  for _ in 1 2 3; do
    m=$(awk -v d="$DIR" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    [ -z "$m" ] && break
    for x in $m; do umount -l "$x" 2>/dev/null; done
  done
  rm -rf "$DIR"
  [ -e "$DIR" ] && echo "left behind: $DIR" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$DOCKERD" --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/dockerd.pid" -H "unix://$SOCK" \
  --iptables=false --ip-masq=false --bridge=none >"$DIR/dockerd.log" 2>&1 &
for i in $(seq 600); do
  D version >/dev/null 2>&1 && break
  [ "$i" = 600 ] && { tail -20 "$DIR/dockerd.log" >&2; echo "dockerd did not answer in 60 s" >&2; exit 1; }
  sleep 0.1
done
mkdir -p "$DIR/rootfs/bin" "$DIR/rootfs/tmp"
cp "$BUSYBOX" "$DIR/rootfs/bin/busybox"
for c in sh sleep cat ls echo true id; do ln -s busybox "$DIR/rootfs/bin/$c"; done
tar -C "$DIR/rootfs" -c . | D import - "$IMAGE" >/dev/null
echo "# private dockerd $("$DOCKERD" --version | cut -d' ' -f3 | tr -d ,) in $DIR; load average $(cut -d' ' -f1-3 /proc/loadavg)"

"${JAVA[@]}" dev.vigil.bench.containers.EngineDriver "$SOCK" "$DOCKER" "$IMAGE" "$CONTAINERS" "$PARALLEL" "$ROUNDS" "$BURST_ROUNDS"
