#!/usr/bin/env bash
# Stage Debian's stock 6.12 kernel for the guest, as a user with DKMS gets it:
# uio_dmabuf.ko built out of tree against the matching linux-headers package,
# and the stock modules it and the tests need (uio; vgem and its DRM helpers),
# decompressed for busybox insmod, with their load order in "preload".
# Usage: stock-kernel.sh OUTDIR   (prints the kernel image's path)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
hdr=$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -n1)
ver=${hdr#/usr/src/linux-headers-}
image=/boot/vmlinuz-$ver
[ -r "$image" ] || { echo "stock-kernel: no $image (run scripts/deps.sh)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/src"
cp -r "$top/kernel" "$top/include" "$top/compat" "$out/src/"
make -s -C "$hdr" M="$out/src/kernel" modules >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log" >&2; exit 1; }
cp "$out/src/kernel/uio_dmabuf.ko" "$out/"

n=0
: >"$out/preload"
for path in $(for m in uio vgem; do modprobe -S "$ver" --show-depends "$m"; done |
	      awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++'); do
	n=$((n + 1))
	name=$(printf '%02d-%s' "$n" "$(basename "$path" .xz)")
	case "$path" in
	*.xz) xz -dc "$path" >"$out/$name" ;;
	*.zst) zstd -qdc "$path" >"$out/$name" ;;
	*) cp "$path" "$out/$name" ;;
	esac
	echo "$name" >>"$out/preload"
done
echo "$ver" >"$out/version"
echo "$image"
