#!/usr/bin/env bash
# Build the guest's initramfs: static busybox, tests/guest/init as /init, the
# modules from a test-kernel output directory (its *.ko, and the /lib/modules
# tree under its root/ when there is one), and the given static binaries.
# Usage: mkinitramfs.sh <kernel out dir> <output .cpio.gz> [binary ...]
# BUSYBOX=FILE: another static busybox (the arm64 guest's); its applets are
# those of the host's busybox, the same Debian version.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kout=$1
out=$2
shift 2

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib/modules,etc}
cp "${BUSYBOX:-/bin/busybox}" "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$top/tests/guest/init" "$root/init"
chmod +x "$root/init"
for ko in "$kout"/*.ko; do
	[ -e "$ko" ] && cp "$ko" "$root/lib/modules/"
done
# A kernel's own modules tree (the stock kernel's, with uio_dmabuf from DKMS).
[ -d "$kout/root" ] && cp -a "$kout/root/." "$root/"
for b in "$@"; do
	cp "$b" "$root/bin/"
done
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
