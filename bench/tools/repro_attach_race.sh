#!/usr/bin/env bash
# Reproduces the loaded-run shortfall of session 5 (BENCHMARKS.md, issue 11): the OLD start_tracer check ("a link
# to a program newer than before") returns when another BPF user attaches while vigil opensnoop is still starting,
# so the loop below partly runs untraced and vigil rightly prints fewer opens with "Lost 0 events". Root; after a build.
set -m
ROOT=$(cd "$(dirname "$0")/../.." && pwd); OUT=$ROOT/bench/target/attach-race; mkdir -p $OUT
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
VIGIL=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx160m -cp "$ROOT/cli/target/vigil-cli.jar:$ROOT/cli/target/lib/*" dev.vigil.cli.Vigil)
gcc -O2 -o $OUT/open_loop $ROOT/bench/tools/open_loop.c
file=/tmp/vigil-repro-$$; : > $file
before=$(bpftool prog show | awk -F: '/^[0-9]+:/ {id=$1} END {print id+0}')
env --default-signal=INT "${VIGIL[@]}" opensnoop </dev/null >$OUT/vigil.out 2>$OUT/vigil.err & T=$!
# "another engineer's test": a second tool (execsnoop) attaching meanwhile
env --default-signal=INT "${VIGIL[@]}" execsnoop </dev/null >/dev/null 2>&1 & O=$!
t0=$(date +%s%N)
for _ in $(seq 1 1200); do
  bpftool -j link show 2>/dev/null | grep -o '"prog_id":[0-9]*' | cut -d: -f2 | awk -v b="$before" '$1 > b {f=1} END {exit !f}' && break
  sleep 0.05
done
sleep 0.5
echo "old check returned after $(( ($(date +%s%N) - t0) / 1000000 )) ms; vigil opensnoop header printed yet: $(grep -c PATH $OUT/vigil.out)"
taskset -c 1 $OUT/open_loop 300000 $file
sleep 0.5; kill -INT $T; wait $T; kill -INT $O; wait $O
echo "printed $(grep -ac -- "$file\$" $OUT/vigil.out) of 300000; $(grep Lost $OUT/vigil.err)"
rm -f $file
