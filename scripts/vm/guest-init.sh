#!/bin/busybox sh
# PID 1 of the guest booted by run-in-vm.sh (copied into the initramfs as /init by setup-kernel.sh).
# Loads virtio/9p/overlay, mounts the host's / read-only (9p tag vigilroot) under a tmpfs overlay, mounts
# the kernel file systems, chroots, runs /run/vigil-vm/cmd.sh (written by the host into the writable 9p
# share vigilio) with stdout on ttyS1 and stderr on ttyS2, writes its exit code to the share, powers off.
export PATH=/bin
SHARE_OK=0

msg() { echo "vigil-init: $*"; }
halt() {
  sync
  reboot -f # qemu runs with -no-reboot: a reboot ends it
  while :; do sleep 1; done
}
fail() {
  msg "error: $*"
  [ "$SHARE_OK" = 1 ] && echo "$*" >/share/init-error
  halt
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules/order); do
  insmod "/modules/$m" || fail "insmod $m"
done

P9="trans=virtio,version=9p2000.L,msize=262144"
mount -t 9p -o "$P9" vigilio /share || fail "cannot mount the writable 9p share"
SHARE_OK=1
uptime_s >/share/t-init
# 9p cache mode of the host's / (vigil.p9cache= on the kernel command line; default none: never stale)
CACHE=none
for arg in $(cat /proc/cmdline); do
  case $arg in vigil.p9cache=*) CACHE=${arg#vigil.p9cache=} ;; esac
done
mount -t 9p -o "$P9,ro,cache=$CACHE" vigilroot /lower || fail "cannot mount the host's / over 9p"
mount -t tmpfs -o mode=755 tmpfs /rw || fail "tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot \
  || fail "cannot mount the overlay"

R=/newroot
mount -t proc proc $R/proc || fail "proc"
mount -t sysfs sysfs $R/sys || fail "sysfs"
mount -t devtmpfs devtmpfs $R/dev || fail "devtmpfs"
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm
mount -t tracefs tracefs $R/sys/kernel/tracing || fail "tracefs"
mount -t debugfs debugfs $R/sys/kernel/debug || msg "warning: no debugfs"
mount -t securityfs securityfs $R/sys/kernel/security || fail "securityfs"
mount -t bpf bpf $R/sys/fs/bpf || fail "bpffs"
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup || fail "cgroup2"
mkdir -p $R/run/vigil-vm
mount --bind /share $R/run/vigil-vm || fail "bind mount of the share"
grep -qw bpf $R/sys/kernel/security/lsm || msg "warning: BPF LSM is not active: $(cat $R/sys/kernel/security/lsm)"
hostname vigil-vm
ip link set lo up 2>/dev/null

[ -f /share/cmd.sh ] || fail "no cmd.sh in the share"
stty -F /dev/ttyS1 raw -echo 2>/dev/null
stty -F /dev/ttyS2 raw -echo 2>/dev/null
uptime_s >/share/t-start
chroot $R /bin/bash /run/vigil-vm/cmd.sh </dev/null >/dev/ttyS1 2>/dev/ttyS2
rc=$?
uptime_s >/share/t-end
# Leftover background processes would hold the serial ports open: stop them so the last close drains.
kill -TERM -1 2>/dev/null
sleep 0.2
kill -KILL -1 2>/dev/null
echo "$rc" >/share/exit-code.tmp && mv /share/exit-code.tmp /share/exit-code
halt
