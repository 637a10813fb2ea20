#!/usr/bin/env bash
# Prepares a second kernel (Debian 12's stock 6.1) for scripts/vm/run-in-vm.sh: installs qemu and the
# initramfs tools, downloads and unpacks the kernel package, extracts the ELF vmlinux from the bzImage
# (for a PVH direct boot), and builds a busybox initramfs. Idempotent and quiet when everything is present.
#
# Run as root. Environment:
#   VIGIL_VM_KVER   kernel ABI to use, e.g. 6.1.0-56-amd64 (default: the cached one, else 6.1.0-56-amd64,
#                   else the newest linux-image-6.1.*-amd64 apt serves)
#   VIGIL_VM_CACHE  cache folder (default /var/cache/vigil-vm; never committed)
set -euo pipefail

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
CACHE=${VIGIL_VM_CACHE:-/var/cache/vigil-vm}
DEFAULT_KVER=6.1.0-56-amd64
# Modules the initramfs loads, in order (dependencies first); all are modules in Debian's 6.1 kernel.
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p overlay"
# The initramfs is named by a hash of this script and the guest's init, so checkouts with different
# versions of them each get their own (run-in-vm.sh computes the same name).
INITRD_ID=$(cat "$HERE/guest-init.sh" "$HERE/setup-kernel.sh" | sha256sum | cut -c1-16)

log() { echo "setup-kernel: $*" >&2; }
die() { echo "setup-kernel: error: $*" >&2; exit 1; }

complete() { # $1 = kernel ABI: everything run-in-vm.sh needs is present
  local d=$CACHE/$1
  [ -f "$d/vmlinux" ] && [ -f "$d/bzImage" ] && [ -f "$d/initramfs-$INITRD_ID.cpio.gz" ] && [ -f "$d/vm.env" ] \
    && command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ]
}

# Fast path: nothing to do, say nothing.
if [ -z "${VIGIL_VM_KVER:-}" ] && [ -f "$CACHE/current" ] && complete "$(cat "$CACHE/current")"; then
  exit 0
fi
if [ -n "${VIGIL_VM_KVER:-}" ] && complete "$VIGIL_VM_KVER"; then
  echo "$VIGIL_VM_KVER" >"$CACHE/current"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "run as root (installs packages and writes $CACHE)"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 # parallel callers wait for the first one to finish

# --- host tools ------------------------------------------------------------------------------------
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx switch_root || need_pkgs+=(busybox-static)
command -v depmod >/dev/null && command -v modprobe >/dev/null || need_pkgs+=(kmod)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v xz >/dev/null || need_pkgs+=(xz-utils)
command -v zstd >/dev/null || need_pkgs+=(zstd)
apt_updated=0
quietly() { # run "$@" with its output in a log shown only on failure
  local out rc=0
  out=$(mktemp)
  "$@" >"$out" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || { cat "$out" >&2; log "failed ($rc): $*"; }
  rm -f "$out"
  return "$rc"
}
apt_update() { [ "$apt_updated" = 1 ] || { log "apt-get update"; quietly apt-get update; apt_updated=1; }; }
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! quietly apt-get install -y --no-install-recommends "${need_pkgs[@]}"; then
    apt_update
    quietly apt-get install -y --no-install-recommends "${need_pkgs[@]}"
  fi
fi
file /bin/busybox 2>/dev/null | grep -q dynamically && die "/bin/busybox is not static (install busybox-static)"

# --- which kernel ----------------------------------------------------------------------------------
served() { [ -n "$(apt-cache policy "linux-image-$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)')" ]; }
KVER=${VIGIL_VM_KVER:-}
if [ -z "$KVER" ] && [ -f "$CACHE/current" ] && [ -f "$CACHE/$(cat "$CACHE/current")/.unpacked" ]; then
  KVER=$(cat "$CACHE/current") # keep the kernel already downloaded
fi
if [ -z "$KVER" ]; then
  served "$DEFAULT_KVER" || apt_update
  if served "$DEFAULT_KVER"; then
    KVER=$DEFAULT_KVER
  else
    KVER=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' \
      | sed 's/^linux-image-//' | sort -V | tail -n 1)
    [ -n "$KVER" ] || die "apt serves no linux-image-6.1.*-amd64 package"
    log "$DEFAULT_KVER is not served; using $KVER"
  fi
fi
DIR=$CACHE/$KVER
mkdir -p "$DIR"

# --- download and unpack ---------------------------------------------------------------------------
if [ ! -f "$DIR/.unpacked" ]; then
  served "$KVER" || apt_update
  log "downloading linux-image-$KVER"
  (cd "$DIR" && rm -f ./*.deb && quietly apt-get download -o APT::Sandbox::User=root "linux-image-$KVER")
  deb=$(ls "$DIR"/linux-image-"$KVER"_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || die "apt-get download linux-image-$KVER produced no .deb"
  rm -rf "$DIR/root"
  dpkg-deb -x "$deb" "$DIR/root"
  depmod -b "$DIR/root" "$KVER" # the .deb ships no modules.dep
  rm -f "$deb"
  touch "$DIR/.unpacked"
fi
[ -f "$DIR/root/boot/vmlinuz-$KVER" ] || die "no /boot/vmlinuz-$KVER in the package"
[ -f "$DIR/bzImage" ] || cp "$DIR/root/boot/vmlinuz-$KVER" "$DIR/bzImage"

# --- ELF vmlinux out of the bzImage (the method of linux's scripts/extract-vmlinux) -----------------
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; }
# try_decompress MAGIC_HEX TOOL...: decompress from every offset where MAGIC occurs until one gives an ELF
try_decompress() {
  local magic=$1; shift
  local pattern offsets off
  pattern=$(echo "$magic" | sed 's/../\\x&/g')
  offsets=$(LC_ALL=C grep -obUaP "$pattern" "$DIR/bzImage" 2>/dev/null | cut -d: -f1) || true
  for off in $offsets; do
    # decompressors complain about the data after the payload: ignore, judge by the output
    tail -c +"$((off + 1))" "$DIR/bzImage" | "$@" >"$DIR/vmlinux.tmp" 2>/dev/null || true
    if is_elf "$DIR/vmlinux.tmp"; then
      mv "$DIR/vmlinux.tmp" "$DIR/vmlinux"
      return 0
    fi
  done
  rm -f "$DIR/vmlinux.tmp"
  return 1
}
if [ ! -f "$DIR/vmlinux" ]; then
  log "extracting the ELF vmlinux from the bzImage"
  try_decompress 1f8b08 gzip -dc \
    || try_decompress fd377a585a00 xz -dc \
    || try_decompress 425a68 bzip2 -dc \
    || try_decompress 5d000000 xz -dc --format=lzma \
    || try_decompress 28b52ffd zstd -dc \
    || try_decompress 02214c18 lz4 -dc \
    || die "no compressed ELF payload found in $DIR/bzImage"
fi
# PVH direct boot needs the Xen ELF note that advertises the PVH entry point (CONFIG_PVH).
if readelf -n "$DIR/vmlinux" 2>/dev/null | grep -q 'Xen.*0x00000012'; then PVH=1; else PVH=0; fi

# --- busybox initramfs -----------------------------------------------------------------------------
INITRD=$DIR/initramfs-$INITRD_ID.cpio.gz
if [ ! -f "$INITRD" ]; then
  log "building the initramfs"
  ir=$(mktemp -d "$DIR/initramfs.XXXXXX")
  trap 'rm -rf "$ir"' EXIT
  mkdir -p "$ir"/{bin,sbin,proc,sys,dev,lower,rw,newroot,share,modules}
  cp /bin/busybox "$ir/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$ir/bin/$applet" ] || ln -s busybox "$ir/bin/$applet"
  done
  : >"$ir/modules/order"
  for m in $MODULES; do
    # dependency order as modprobe resolves it (paths include the -d folder); built-in ones are skipped
    modprobe -d "$DIR/root" -S "$KVER" --show-depends "$m" | while read -r kind path _; do
      [ "$kind" = insmod ] || continue
      name=$(basename "$path")
      grep -qx "$name" "$ir/modules/order" && continue
      case $name in
        *.ko) cp "$path" "$ir/modules/$name" ;;
        *.ko.xz) xz -dc "$path" >"$ir/modules/${name%.xz}"; name=${name%.xz} ;;
        *.ko.zst) zstd -qdc "$path" >"$ir/modules/${name%.zst}"; name=${name%.zst} ;;
        *) die "unexpected module file $path" ;;
      esac
      echo "$name" >>"$ir/modules/order"
    done
  done
  cp "$HERE/guest-init.sh" "$ir/init"
  chmod 755 "$ir/init"
  (cd "$ir" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$INITRD.tmp"
  mv "$INITRD.tmp" "$INITRD"
  rm -rf "$ir"
  # initramfs builds of other script versions, unused for a month
  find "$DIR" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -newer "$INITRD" -atime +30 -delete 2>/dev/null || true
fi

# --- boot parameters -------------------------------------------------------------------------------
config=$DIR/root/boot/config-$KVER
lsm=$(sed -n 's/^CONFIG_LSM="\(.*\)"$/\1/p' "$config")
append_lsm=""
case ",$lsm," in
  *,bpf,*) ;; # already active by default
  *) append_lsm="lsm=${lsm:+$lsm,}bpf" ;;
esac
grep -q '^CONFIG_BPF_LSM=y' "$config" || log "warning: CONFIG_BPF_LSM is not set in $KVER"
grep -q '^CONFIG_KPROBES=y' "$config" || log "warning: CONFIG_KPROBES is not set in $KVER"
cat >"$DIR/vm.env.tmp" <<EOF
KVER=$KVER
PVH=$PVH
CONFIG_LSM=$lsm
EXTRA_APPEND=$append_lsm
EOF
mv "$DIR/vm.env.tmp" "$DIR/vm.env"
echo "$KVER" >"$CACHE/current"
log "ready: $DIR (PVH=$PVH, CONFIG_LSM=$lsm${append_lsm:+, adding $append_lsm})"
