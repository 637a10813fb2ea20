#!/usr/bin/env bash
# The scenario suite: real attack actions (on the host and in real Docker containers on a private dockerd),
# each expecting exactly its upstream Falco rule from a running agent, and the look-alikes expecting none.
# Runs the agent's scenario test classes and prints, per class, the scenarios that passed.
#   bench/scenarios/run.sh            # as root; installs nothing itself (the tests install docker.io under
#                                     # VIGIL_REQUIRE_KERNEL=1, as CI does)
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
LOG=${LOG:-/tmp/vigil-scenarios.$$.log} # per run: other engineers run the suite on this machine too
classes=(AgentScenarioTest AgentContainerTest AgentFidelityScenarioTest AgentDomainNameTest)
echo "load before: $(uptime)"
set +e
mvn -B -q -o -pl agent -am verify -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest="$(IFS=,; echo "${classes[*]}")" > "$LOG" 2>&1
rc=$?
set -e
echo "load after: $(uptime)"
total=0; passed=0
for c in "${classes[@]}"; do
    xml=agent/target/surefire-reports/TEST-dev.vigil.agent.$c.xml
    [ -f "$xml" ] || { echo "$c: no report (see $LOG)"; continue; }
    t=$(grep -o 'tests="[0-9]*"' "$xml" | head -1 | tr -dc 0-9)
    f=$(grep -o 'failures="[0-9]*"' "$xml" | head -1 | tr -dc 0-9)
    e=$(grep -o 'errors="[0-9]*"' "$xml" | head -1 | tr -dc 0-9)
    s=$(grep -o 'skipped="[0-9]*"' "$xml" | head -1 | tr -dc 0-9)
    ok=$((t - f - e - s))
    echo "$c: $ok of $t passed (failures $f, errors $e, skipped $s)"
    total=$((total + t)); passed=$((passed + ok))
done
echo "scenario tests: $passed of $total passed (mvn exit $rc)"
echo "log: $LOG"
grep -h "seen after" "$LOG" | sort | uniq -c | sort -rn || true
exit $rc
