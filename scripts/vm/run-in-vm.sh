#!/usr/bin/env bash
# Runs one command inside a second kernel (Debian 12's stock 6.1, which allows kprobes, fentry and BPF LSM)
# under qemu, with the host's / shared read-only under a tmpfs overlay, in the caller's working directory.
# Prints the command's stdout and stderr (streamed, on the matching streams) and exits with its exit code.
#
#   scripts/vm/run-in-vm.sh CMD [ARG...]        e.g. scripts/vm/run-in-vm.sh uname -r
#   scripts/vm/run-in-vm.sh bash -c 'cd ebpf && ls'
#
# Runs scripts/vm/setup-kernel.sh first (quiet and quick when all is in place; the first time it installs
# qemu and downloads the kernel). Runs as root; the guest command runs as root too.
# CMD is exec'd (no shell): use bash -c for shell syntax. Its stdin is /dev/null.
# Environment:
#   VIGIL_VM_TIMEOUT  seconds before the guest is killed (default 300); exit 124 on timeout
#   VIGIL_VM_MEM      guest memory (default 2G);  VIGIL_VM_SMP  guest CPUs (default 2)
#   VIGIL_VM_ENV      names of extra variables to pass (PATH, JAVA_HOME, HOME, LANG, LC_ALL, TERM, TZ,
#                     USER, LOGNAME, MAVEN_OPTS always are)
#   VIGIL_VM_BZIMAGE  1 to boot the bzImage instead of the ELF vmlinux (PVH)
#   VIGIL_VM_APPEND   extra kernel command line
#   VIGIL_VM_P9CACHE  9p cache mode for the host's / (none, the default: never stale; mmap or loose are
#                     a little faster but may show host files as they were when first read)
#   VIGIL_VM_TIMING   1 to print boot/command timings on stderr
#   VIGIL_VM_CONSOLE  1 to print the guest's console (kernel log) on stderr afterwards
#   VIGIL_VM_KEEP     1 to keep the run folder (console.log, timings, exit-code) and print its path
#   VIGIL_VM_CACHE    the cache setup-kernel.sh filled (default /var/cache/vigil-vm)
# In the guest: VIGIL_IN_VM=1, and VIGIL_VM_SHARE=/run/vigil-vm is a folder the host can read afterwards
# (only useful with VIGIL_VM_KEEP=1).
# Exit status: the command's; 124 on timeout; 125 when the guest did not boot or run the command (a
# message on stderr says which, with the end of the guest's console).
set -euo pipefail

CACHE=${VIGIL_VM_CACHE:-/var/cache/vigil-vm}
TIMEOUT=${VIGIL_VM_TIMEOUT:-300}
MEM=${VIGIL_VM_MEM:-2G}
SMP=${VIGIL_VM_SMP:-2}

err() { echo "run-in-vm: $*" >&2; }
[ $# -gt 0 ] || { err "usage: $0 CMD [ARG...]"; exit 125; }
[ "$(id -u)" -eq 0 ] || { err "run as root"; exit 125; }
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
VIGIL_VM_CACHE=$CACHE "$HERE/setup-kernel.sh" || { err "setup-kernel.sh failed"; exit 125; }
KDIR=$CACHE/$(cat "$CACHE/current")
INITRD=$KDIR/initramfs-$(cat "$HERE/guest-init.sh" "$HERE/setup-kernel.sh" | sha256sum | cut -c1-16).cpio.gz
[ -f "$KDIR/vm.env" ] && [ -f "$INITRD" ] || { err "$KDIR is incomplete after setup-kernel.sh"; exit 125; }
# shellcheck disable=SC1091
. "$KDIR/vm.env"

if [ "${VIGIL_VM_BZIMAGE:-0}" != 1 ] && [ "$PVH" = 1 ]; then KERNEL=$KDIR/vmlinux; else KERNEL=$KDIR/bzImage; fi

RUN=$(mktemp -d /tmp/vigil-vm.XXXXXX)
QPID=
CAT_OUT=
CAT_ERR=
cleanup() {
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null || true
  [ -n "$CAT_OUT" ] && kill "$CAT_OUT" "$CAT_ERR" 2>/dev/null || true
  if [ "${VIGIL_VM_KEEP:-0}" = 1 ]; then err "run folder kept: $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The command, for the guest's bash (printf %q quoting): cd, then exec with a clean environment.
{
  printf 'cd -- %q 2>/dev/null || { echo "run-in-vm: no such folder in the guest: "%q >&2; exit 125; }\n' "$PWD" "$PWD"
  printf 'exec env -i VIGIL_IN_VM=1 VIGIL_VM_SHARE=/run/vigil-vm'
  for v in PATH JAVA_HOME HOME LANG LC_ALL TERM TZ USER LOGNAME MAVEN_OPTS ${VIGIL_VM_ENV:-}; do
    if [ -n "${!v+x}" ]; then printf ' %q' "$v=${!v}"; fi
  done
  printf ' %q' "$@"
  printf '\n'
} >"$RUN/cmd.sh"

# Kernel command line. CONFIG_LSM of Debian's 6.1 already ends in bpf; setup-kernel.sh put an lsm=...,bpf
# in EXTRA_APPEND when a kernel's does not.
APPEND="console=ttyS0 loglevel=4 panic=-1 rdinit=/init 8250.nr_uarts=4 tsc=reliable no_timer_check"
APPEND+=" random.trust_cpu=on mitigations=off vigil.p9cache=${VIGIL_VM_P9CACHE:-none} $EXTRA_APPEND ${VIGIL_VM_APPEND:-}"

# The guest's ttyS1/ttyS2 go through FIFOs to cat's sharing our own stdout/stderr (qemu opening
# /proc/self/fd/1 itself would get a file description of its own: with a file as stdout, the caller's
# later writes would overwrite the guest's output). ttyS0 (console, kernel log) goes to a file.
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m "$MEM" -smp "$SMP"
  -nographic -nodefaults -no-user-config -no-reboot -monitor none -net none
  -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND"
  -virtfs "local,path=/,mount_tag=vigilroot,security_model=none,readonly=on,multidevs=remap"
  -virtfs "local,path=$RUN,mount_tag=vigilio,security_model=none,multidevs=remap"
  -serial "file:$RUN/console.log"
  -chardev "file,id=out,path=$RUN/out.fifo" -serial chardev:out
  -chardev "file,id=err,path=$RUN/err.fifo" -serial chardev:err)
mkfifo "$RUN/out.fifo" "$RUN/err.fifo"
exec 7<>"$RUN/out.fifo" 8<>"$RUN/err.fifo" # our own writer ends: the cats see EOF only when we close them
cat "$RUN/out.fifo" 7>&- 8>&- &
CAT_OUT=$!
cat "$RUN/err.fifo" >&2 7>&- 8>&- &
CAT_ERR=$!

t0=$(date +%s.%N)
set +e
timeout -k 5 "$TIMEOUT" "${qemu[@]}" </dev/null 2>"$RUN/qemu.err" 7>&- 8>&- &
QPID=$!
wait "$QPID"
qrc=$?
QPID=
exec 7>&- 8>&- # qemu is gone: the last writers close, the cats drain and end
wait "$CAT_OUT" "$CAT_ERR"
CAT_OUT=
set -e
t1=$(date +%s.%N)

if [ "${VIGIL_VM_CONSOLE:-0}" = 1 ]; then
  err "guest console:"
  cat "$RUN/console.log" >&2
fi
if [ "${VIGIL_VM_TIMING:-0}" = 1 ] && [ -f "$RUN/t-start" ]; then
  awk -v t0="$t0" -v t1="$t1" -v ti="$(cat "$RUN/t-init")" -v ts="$(cat "$RUN/t-start")" \
    -v te="$(cat "$RUN/t-end" 2>/dev/null || echo -1)" 'BEGIN {
      printf "run-in-vm: timings: kernel boot to init %.2fs, command started at %.2fs (guest uptime)", ti, ts
      if (te >= 0) printf ", command ran %.2fs", te - ts
      printf ", total wall time %.2fs\n", t1 - t0 }' >&2
fi

if [ -f "$RUN/exit-code" ]; then
  exit "$(cat "$RUN/exit-code")"
fi
tail_console() {
  [ -s "$RUN/qemu.err" ] && { err "qemu said:"; sed 's/^/  /' "$RUN/qemu.err" >&2; }
  err "last lines of the guest console:"
  tail -n 30 "$RUN/console.log" 2>/dev/null | sed 's/^/  /' >&2 || true
}
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
  err "timed out after ${TIMEOUT}s (VIGIL_VM_TIMEOUT) $([ -f "$RUN/t-start" ] && echo "while the command ran" || echo "before the command started")"
  tail_console
  exit 124
fi
if [ -f "$RUN/init-error" ]; then
  err "the guest's init failed: $(cat "$RUN/init-error")"
else
  err "the guest stopped (qemu exit $qrc) without running the command to its end (boot failure?)"
fi
tail_console
exit 125
