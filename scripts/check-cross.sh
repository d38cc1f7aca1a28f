#!/usr/bin/env bash
# Cross builds for the boards users have: uio_dmabuf.ko for arm64 and ppc64le
# built out of tree (as on a board: make -C KERNEL M=$PWD/kernel) against
# linux-source-6.12 configured from the architecture's defconfig with UIO and
# the dma-buf heaps, modules_prepare'd and cached under $UIO_DMABUF_CACHE;
# and libuiodmabuf and the CLI for arm64 with Debian's cross gcc and the
# multiarch libdrm-dev:arm64. W=1 for the module; any compiler warning fails.
# Prints "ok"/"not ok" per build and "check-cross: P passed, F failed".
set -uo pipefail

part=cross
. "$(dirname "$0")/lib.sh"
out=$top/build/check-cross
cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
src=$cache/series-$srcver
jobs=${JOBS:-$(nproc)}
rm -rf "$out"
mkdir -p "$out"

# The kernel source: the cached series tree (linux-source-6.12 plus the
# series, never built in place); check-series makes it, else make it here.
if [ ! -f "$src/Makefile" ]; then
	patches=$("$top/scripts/export-patches" --base 6.12 -o "$top/build/patches-6.12") &&
		"$top/scripts/apply-series.sh" "$src" "$patches" "$cache/pristine-$srcver" \
			>/dev/null || abort "the kernel source tree could not be made"
fi

# prepare ARCH CROSS DEFCONFIG: a configured, modules_prepare'd output tree.
prepare() {
	local arch=$1 cross=$2 defconfig=$3 kout=$cache/cross-$1-$srcver
	if ! grep -qx 'CONFIG_UIO=m' "$kout/.config" 2>/dev/null || [ ! -f "$kout/Module.symvers.prepared" ]; then
		echo "cross: configuring and preparing $kout ($defconfig, UIO=m, dma-buf heaps)" >&2
		rm -rf "$kout"
		mkdir -p "$kout"
		{ make -s -C "$src" O="$kout" ARCH="$arch" CROSS_COMPILE="$cross" "$defconfig" &&
		  "$src/scripts/config" --file "$kout/.config" --enable MODULES --module UIO \
			--enable DMABUF_HEAPS --enable DMABUF_HEAPS_SYSTEM --enable UDMABUF \
			--enable DEBUG_FS &&
		  make -s -C "$kout" ARCH="$arch" CROSS_COMPILE="$cross" olddefconfig &&
		  make -s -C "$kout" ARCH="$arch" CROSS_COMPILE="$cross" -j"$jobs" modules_prepare &&
		  touch "$kout/Module.symvers.prepared"; } >"$out/prepare-$arch.log" 2>&1 ||
			{ tail -20 "$out/prepare-$arch.log" >&2; return 1; }
	fi
	for want in CONFIG_UIO=m CONFIG_DMA_SHARED_BUFFER=y CONFIG_DMABUF_HEAPS=y; do
		grep -qx "$want" "$kout/.config" || { echo "cross: not in $kout/.config: $want" >&2; return 1; }
	done
	echo "$kout"
}

modpost_ok='^WARNING: (Module\.symvers is missing|modpost: "[a-z_0-9]+" \[[^]]*uio_dmabuf\.ko\] undefined!|modpost: suppressed [0-9]+ unresolved symbol warnings)'

# module ARCH CROSS DEFCONFIG: the module against that tree, with W=1.
module() {
	local arch=$1 cross=$2 kout tmp log=$out/module-$1.log rc
	kout=$(prepare "$@") || { result 1 "$arch: a kernel tree from $3 with UIO and dma-buf heaps"; return; }
	tmp=$(mktemp -d)
	cp -r "$top/kernel" "$top/include" "$top/compat" "$tmp/"
	# Without a built vmlinux there is no Module.symvers: modpost (warning
	# only, KBUILD_MODPOST_WARN) cannot resolve the kernel's symbols and says
	# so for each. Those lines are let through; any other warning fails.
	make -C "$kout" ARCH="$arch" CROSS_COMPILE="$cross" M="$tmp/kernel" W=1 \
		KBUILD_MODPOST_WARN=1 modules >"$log" 2>&1
	rc=$?
	[ "$rc" = 0 ] && [ -f "$tmp/kernel/uio_dmabuf.ko" ] &&
		file "$tmp/kernel/uio_dmabuf.ko" >>"$log"
	rm -rf "$tmp"
	if [ "$rc" != 0 ] || grep -E 'warning:|error:|WARNING' "$log" | grep -vE "$modpost_ok" | grep -q .; then
		grep -E 'warning:|error:|WARNING' "$log" | grep -vE "$modpost_ok" | head -20
		result 1 "$arch: uio_dmabuf.ko builds out of tree against $3 (W=1, no warnings)"
	else
		result 0 "$arch: uio_dmabuf.ko builds out of tree against $3 (W=1, no warnings): $(sed -n 's/.*uio_dmabuf.ko: //p' "$log" | cut -d, -f1-2)"
	fi
}

module arm64 aarch64-linux-gnu- defconfig
module powerpc powerpc64le-linux-gnu- ppc64le_defconfig

# User space for arm64: the cross compiler, and pkg-config reading the arm64
# multiarch directory, where libdrm-dev:arm64 put libdrm.pc.
pc=$(arm64_pkg_config "$out")
make -s -C "$top/userspace" O="$out/arm64" CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar \
	PKG_CONFIG="$pc" all unit-tests >"$out/userspace-arm64.log" 2>&1 &&
	file "$out/arm64/uio-dmabuf" "$out/arm64/libuiodmabuf.so.1" "$out/arm64/unit-tests" |
	grep -c 'ARM aarch64' | grep -qx 3 &&
	[ "$("$pc" --variable=pcfiledir libdrm)" = /usr/lib/aarch64-linux-gnu/pkgconfig ]
rc=$?
[ "$rc" = 0 ] || tail -20 "$out/userspace-arm64.log"
result $rc "arm64: libuiodmabuf, the CLI and the unit tests build with aarch64-linux-gnu-gcc against libdrm-dev:arm64, no warnings"

finish
