#!/usr/bin/env bash
# Stage a stock Debian kernel for the guest, as a user with DKMS gets it:
# a /lib/modules/VERSION tree under OUTDIR/root holding the stock modules the
# tests need (uio; vgem and its DRM helpers) where Debian installs them, and
# uio_dmabuf.ko where `dkms install` puts it (scripts/dkms-build.sh, against
# the matching linux-headers package), indexed by depmod. The guest loads
# them with modprobe, which follows depmod's modules.dep.
# Usage: stock-kernel.sh OUTDIR [6.12|6.1]   (prints the kernel image's path)
#   6.12 (the default): the newest Debian 6.12 kernel; 6.1: Debian 12's own.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
case ${2:-6.12} in
6.12) pattern='6.12.*-amd64' ;;
6.1) pattern='6.1.0-*-amd64' ;;
*) echo "stock-kernel: unknown series ${2}" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
hdr=$(ls -d /usr/src/linux-headers-$pattern | sort -V | tail -n1)
ver=${hdr#/usr/src/linux-headers-}
image=/boot/vmlinuz-$ver
[ -r "$image" ] || { echo "stock-kernel: no $image (run scripts/deps.sh)" >&2; exit 1; }
[ -d "/lib/modules/$ver/build" ] ||
	{ echo "stock-kernel: no /lib/modules/$ver/build (install linux-headers-$ver)" >&2; exit 1; }

rm -rf "$out"
mods=$out/root/lib/modules/$ver
mkdir -p "$mods"
for path in $(for m in uio vgem; do modprobe -S "$ver" --show-depends "$m"; done |
	      awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++'); do
	mkdir -p "$mods/$(dirname "${path#/lib/modules/$ver/}")"
	cp "$path" "$mods/${path#/lib/modules/$ver/}"
done
cp /lib/modules/"$ver"/modules.{order,builtin,builtin.modinfo} "$mods/"
"$top/scripts/dkms-build.sh" "$out/dkms" --install "$out/root/lib/modules" "$ver" >/dev/null
depmod -b "$out/root" "$ver"
grep -q '^updates/dkms/uio_dmabuf\.ko[^:]*: .*kernel/drivers/uio/uio\.ko' "$mods/modules.dep" ||
	{ echo "stock-kernel: depmod did not record uio_dmabuf's need of uio" >&2; exit 1; }
echo "$ver" >"$out/version"
echo "$image"
