#!/usr/bin/env bash
# Installs what Vigil needs on a Debian 12 machine and mounts the kernel file systems it uses.
# Idempotent and quiet when everything is already present. Must run as root.
set -euo pipefail

JAVA25=/usr/lib/jvm/temurin-25-jdk-amd64
PKGS=(clang-16 llvm-16 libbpf-dev libbpf1 bpftool libelf-dev zlib1g-dev maven make gcc pkg-config util-linux)

die() { echo "vigil setup: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and mounts tracefs/bpffs); try: sudo $0"

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "vigil setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed; check the package sources"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi

[ -x "$JAVA25/bin/java" ] || die "Java 25 not found at $JAVA25 (install Temurin 25 or set JAVA_HOME)"

# tracefs: tracepoint attachment resolves ids through it.
if [ ! -e /sys/kernel/tracing/events ]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null \
    || die "tracefs is not mounted and could not be mounted at /sys/kernel/tracing"
fi
# bpffs: only needed for pinning; mount it so pinning works when asked for.
if ! mountpoint -q /sys/fs/bpf 2>/dev/null; then
  mkdir -p /sys/fs/bpf
  mount -t bpf bpf /sys/fs/bpf 2>/dev/null || echo "vigil setup: warning: could not mount bpffs at /sys/fs/bpf (pinning unavailable)" >&2
fi
[ -r /sys/kernel/btf/vmlinux ] || die "kernel BTF (/sys/kernel/btf/vmlinux) is missing: Vigil needs a kernel built with CONFIG_DEBUG_INFO_BTF=y"
exit 0
