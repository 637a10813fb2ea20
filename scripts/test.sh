#!/usr/bin/env bash
# Runs every test: installs what is missing (as root), mounts tracefs/bpffs, then the Maven build.
# Kernel tests skip when the kernel cannot be used, unless VIGIL_REQUIRE_KERNEL=1 (CI), where a skip fails.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
"$ROOT/scripts/setup.sh"
export JAVA_HOME=${VIGIL_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT"
mvn -B -ntp verify "$@"
# Then the main command from the packaged build, as a user runs it.
exec "$ROOT/scripts/smoke.sh"
