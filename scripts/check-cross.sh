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

# The way kernel builds pass the target: ARCH and CROSS_COMPILE alone (the
# cross pkg-config found by its name on PATH).
mkdir -p "$out/pc"
arm64_pkg_config "$out/pc" >/dev/null
PATH=$out/pc:$PATH make -s -C "$top" userspace ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	BUILD=build/check-cross/cross-compile >"$out/cross-compile.log" 2>&1 &&
	file -L "$out/cross-compile/userspace/uio-dmabuf" "$out/cross-compile/userspace/libuiodmabuf.so.1" |
	grep -c 'ARM aarch64' | grep -qx 2
rc=$?
[ "$rc" = 0 ] || tail -5 "$out/cross-compile.log"
result $rc "make userspace ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- builds arm64 binaries"

# The recipes of contrib/: the make command lines Yocto's module.bbclass and
# the user-space recipe, and Buildroot's kernel-module and generic-package,
# run for them (scripts/recipe-commands.py), against the cached arm64 tree as
# their kernel (its source, and its output directory as the kernel build
# directory). That tree has no vmlinux, so modpost only warns
# (KBUILD_MODPOST_WARN=1), as in the module build above.
kout=$(prepare arm64 aarch64-linux-gnu- defconfig 2>/dev/null)
kver=$(make -s -C "$kout" ARCH=arm64 kernelrelease 2>/dev/null)
copy_sources() {	# DIR: the sources as a clean clone has them
	mkdir -p "$1"
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$1" 2>/dev/null)
}
# A pkg-config named pkg-config that reads the target's .pc files, as a
# build system's sysroot wrapper does.
mkdir -p "$out/sysroot-pc"
printf '#!/bin/sh\nPKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig exec /usr/bin/pkg-config "$@"\n' \
	>"$out/sysroot-pc/pkg-config"
chmod +x "$out/sysroot-pc/pkg-config"
aarch64() { file -L "$@" | grep -c 'ARM aarch64' | grep -qx $#; }
rcmds=$top/scripts/recipe-commands.py
# run_recipe NAME DIR [VAR=VALUE...]: the command lines of $out/NAME.cmds, one
# by one in DIR, with the build system's environment (the caller's flags and
# WERROR unset, then the VARs), into $out/NAME.log; stops at the first failure.
run_recipe() {
	local name=$1 dir=$2 cmd
	shift 2
	: >"$out/$name.log"
	while read -r cmd; do
		echo "+ $cmd" >>"$out/$name.log"
		(cd "$dir" && env -u CFLAGS -u CPPFLAGS -u CXXFLAGS -u LDFLAGS -u WERROR \
			KBUILD_MODPOST_WARN=1 "$@" bash -c "$cmd") >>"$out/$name.log" 2>&1 || return 1
	done <"$out/$name.cmds"
}

# Yocto, the module: module-base exports ARCH, CROSS_COMPILE and KBUILD_OUTPUT.
s=$out/yocto-module/git d=$out/yocto-module/image
copy_sources "$s"
"$rcmds" yocto-module "$top/contrib/yocto/uio-dmabuf-module_1.1.0.bb" \
	STAGING_KERNEL_DIR="$src" STAGING_KERNEL_BUILDDIR="$kout" KERNEL_VERSION="$kver" \
	KERNEL_CC="aarch64-linux-gnu-gcc -fuse-ld=bfd" KERNEL_LD=aarch64-linux-gnu-ld.bfd \
	KERNEL_AR=aarch64-linux-gnu-ar KERNEL_OBJCOPY=aarch64-linux-gnu-objcopy \
	KERNEL_STRIP=aarch64-linux-gnu-strip D="$d" nonarch_base_libdir=/lib >"$out/yocto-module.cmds"
log=$out/yocto-module.log
run_recipe yocto-module "$s" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- KBUILD_OUTPUT="$kout" &&
	[ -n "$kver" ] && aarch64 "$s/kernel/uio_dmabuf.ko" "$d/lib/modules/$kver/updates/uio_dmabuf.ko" &&
	[ ! -e "$s/build/userspace" ]
rc=$?
[ "$rc" = 0 ] || tail -8 "$log"
result $rc "Yocto: module.bbclass's make lines (KERNEL_CC, O=<kernel build dir>, empty MAKE_TARGETS) build and install uio_dmabuf.ko for arm64, and no user space"

# Yocto, user space: the target's CC, flags and sysroot pkg-config in the
# environment, as bitbake exports them.
s=$out/yocto/git d=$out/yocto/image
copy_sources "$s"
"$rcmds" yocto "$top/contrib/yocto/uio-dmabuf_1.1.0.bb" B="$out/yocto/build" D="$d" \
	prefix=/usr libdir=/usr/lib bindir=/usr/bin includedir=/usr/include mandir=/usr/share/man \
	nonarch_base_libdir=/lib >"$out/yocto.cmds"
log=$out/yocto.log
run_recipe yocto "$s" PATH="$out/sysroot-pc:$PATH" CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar \
	CFLAGS="-O2 -pipe -g -feliminate-unused-debug-types" \
	LDFLAGS="-Wl,-O1 -Wl,--hash-style=gnu -Wl,--as-needed -Wl,-z,relro,-z,now" &&
	aarch64 "$d/usr/bin/uio-dmabuf" "$d/usr/lib/libuiodmabuf.so.1" &&
	[ -f "$d/lib/udev/rules.d/70-uio-dmabuf.rules" ] && [ -f "$d/usr/lib/pkgconfig/libuiodmabuf.pc" ]
rc=$?
[ "$rc" = 0 ] || tail -8 "$log"
result $rc "Yocto: the user-space recipe's make lines build and install libuiodmabuf and the CLI for arm64"

# Buildroot: kernel-module over UIO_DMABUF_MODULE_SUBDIRS, then the
# generic-package commands, with Buildroot's LINUX_MAKE_FLAGS and
# TARGET_CONFIGURE_OPTS for an arm64 glibc toolchain.
s=$out/buildroot/uio-dmabuf-1.1.0 t=$out/buildroot/target
copy_sources "$s"
"$rcmds" buildroot "$top/contrib/buildroot/package/uio-dmabuf/uio-dmabuf.mk" MAKE=make \
	@D="$s" LINUX_DIR="$kout" TARGET_DIR="$t" STAGING_DIR="$out/buildroot/staging" \
	LINUX_MAKE_FLAGS="HOSTCC=gcc ARCH=arm64 INSTALL_MOD_PATH=$t CROSS_COMPILE=aarch64-linux-gnu- WERROR=0 REGENERATE_PARSERS=y DEPMOD=true" \
	TARGET_MAKE_ENV="PATH=$PATH" \
	TARGET_CONFIGURE_OPTS="AR=aarch64-linux-gnu-gcc-ar LD=aarch64-linux-gnu-ld CC=aarch64-linux-gnu-gcc CFLAGS='-D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 -O2 -g0 -D_FORTIFY_SOURCE=1' CPPFLAGS='-D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64' LDFLAGS='' PKG_CONFIG=$out/pc/aarch64-linux-gnu-pkg-config" \
	>"$out/buildroot.cmds"
log=$out/buildroot.log
run_recipe buildroot "$s" &&
	[ -n "$kver" ] && aarch64 "$t/lib/modules/$kver/updates/uio_dmabuf.ko" "$t/usr/bin/uio-dmabuf" \
	"$t/usr/lib/libuiodmabuf.so.1"
rc=$?
[ "$rc" = 0 ] || tail -8 "$log"
result $rc "Buildroot: kernel-module (UIO_DMABUF_MODULE_SUBDIRS) and generic-package's make lines build and install the module and user space for arm64"

# The recipes' licence checksums are those of LICENSES/.
bad=
for f in $(grep -ho 'file://LICENSES/[^;]*;md5=[0-9a-f]*' "$top"/contrib/yocto/*.bb | sort -u); do
	file=${f#file://}
	file=${file%%;*}
	[ "$(md5sum <"$top/$file" | cut -d' ' -f1)" = "${f##*md5=}" ] || bad="$bad $file"
done
[ -z "$bad" ]
result $? "the Yocto recipes' LIC_FILES_CHKSUM match LICENSES/${bad:+ (stale:$bad)}"

finish
