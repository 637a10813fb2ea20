#!/usr/bin/env bash
# Two builds' rules engines in one JVM, each in its own class loader over its own bench/target jars, timed in
# short alternating rounds (thread CPU time, so descheduling on a loaded machine does not count) over the same
# RulesBench stream; prints each side's median events/s and the median of per-round B/A ratios.
# Sequential JMH runs of two builds moved by 20-40% with this machine's load; same-JVM rounds keep both under it.
# Usage: bench/rules/ab.sh TREE_A TREE_B [ROUNDS] [RULE_FILES]   (each TREE has run `mvn -pl bench -am package`)
# The second-loaded build (B) measured 3-12% low against the same code (A/A 0.936-0.994; perfa/lead 0.865 and
# 0.896 one way, 0.870 the other): run both orders and take the geometric mean of B/A and 1/(A/B) for the ratio.
# AB_GC=1 collects garbage after building the stream, so the events lie compacted, without builder garbage between.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin
[ $# -ge 2 ] && [ -d "$1" ] && [ -d "$2" ] || { echo "ab.sh: TREE_A and TREE_B must be directories (usage: ab.sh TREE_A TREE_B [ROUNDS] [RULE_FILES])" >&2; exit 2; }
A=$(cd "$1" && pwd); B=$(cd "$2" && pwd)
RULES=${VIGIL_RULES_DIR:-}
if [ -z "$RULES" ]; then  # as SyntheticEvents.rulesDir: the nearest shared/falco-rules above the project
  d=$(cd "$HERE/../.." && pwd)
  while [ "$d" != / ] && [ ! -d "$d/shared/falco-rules" ]; do d=$(dirname "$d"); done
  RULES=$d/shared/falco-rules
fi
[ -d "$RULES" ] || { echo "ab.sh: no rules directory $RULES (set VIGIL_RULES_DIR)" >&2; exit 2; }
for t in "$A" "$B"; do
  [ -f "$t/bench/target/vigil-bench-0.1.0-SNAPSHOT.jar" ] || { echo "ab.sh: $t/bench/target has no bench jar (mvn -pl bench -am package there)" >&2; exit 2; }
done
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
"$J/javac" -d "$OUT/drv" -cp "$A/bench/target/vigil-bench-0.1.0-SNAPSHOT.jar:$A/bench/target/lib/*" "$HERE/ab/Driver.java"
"$J/javac" -d "$OUT/ab" "$HERE/ab/AB.java"
"$J/java" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -Dab.driver="$OUT/drv/" -Dab.rules="$RULES" \
  -cp "$OUT/ab" AB "$A" "$B" "${3:-100}" "${4:-falco_rules.yaml}" 2>&1 | grep -v '^WARNING'
