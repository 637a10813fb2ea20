#!/usr/bin/env bash
# The README's main command as a new user runs it, from the packaged build (bin/vigil, not the test
# class path): `vigil run` becomes healthy, alerts on a real untrusted read of /etc/shadow, exits 0 on
# SIGTERM and leaves no BPF program behind. Catches what unit tests cannot: launcher and packaging.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
WORK=$(mktemp -d)
PORT=${VIGIL_SMOKE_PORT:-$((20000 + $$ % 20000))}
cleanup() { [ -n "${PID:-}" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "smoke: FAILED: $*" >&2; echo "--- stdout" >&2; cat "$WORK/out" >&2 || true; echo "--- stderr" >&2; cat "$WORK/err" >&2 || true; exit 1; }

progs_before=$(bpftool prog show | grep -c '^[0-9]' || true)
"$ROOT/bin/vigil" run -o webserver.listen_port="$PORT" >"$WORK/out" 2>"$WORK/err" </dev/null &
PID=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || fail "vigil run exited before it was healthy"
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || fail "not healthy within 60 s"

cp /bin/cat "$WORK/smokecat"
"$WORK/smokecat" /etc/shadow >/dev/null
for _ in $(seq 1 20); do
  grep -q "Sensitive file opened for reading by non-trusted program.*file=/etc/shadow.*process=smokecat" "$WORK/out" && break
  sleep 0.25
done
grep -q "process=smokecat" "$WORK/out" || fail "no alert for an untrusted read of /etc/shadow"
# into a file first: grep -q stops reading at its first match, and curl then dies of SIGPIPE (pipefail)
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || fail "/metrics did not answer"
grep -q '^vigil_' "$WORK/metrics" || fail "/metrics has no vigil_ series"

kill -TERM "$PID"
rc=0; wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] || fail "vigil run exited $rc on SIGTERM"
for _ in $(seq 1 20); do
  [ "$(bpftool prog show | grep -c '^[0-9]' || true)" -le "$progs_before" ] && break
  sleep 0.25
done
[ "$(bpftool prog show | grep -c '^[0-9]' || true)" -le "$progs_before" ] || fail "BPF programs left behind"

"$ROOT/bin/vigil" rules validate "$ROOT/agent/src/main/resources/rules/falco_rules.yaml" \
  "$ROOT/agent/src/main/resources/rules/vigil_correlation_rules.yaml" >/dev/null \
  || fail "the bundled rules do not validate"
echo "smoke: ok (vigil run healthy, alerted, exited 0, nothing left attached)"
