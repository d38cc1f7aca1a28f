#!/usr/bin/env bash
# Install, through apt-get, every Debian package the build and the tests need.
# Packages already present are left alone; nothing is done when all are there.
# apt-get runs with --no-install-recommends, as on a fresh machine or in CI:
# a package the suite uses must be named here even when a listed package
# recommends it (gcc-aarch64-linux-gnu only recommends its C library): check-deps
# proves the list (scripts/check-deps.sh).
# Usage: deps.sh [--print]
#   --print  list the packages (one per line) instead of installing them
set -euo pipefail

pkgs=(
	# the kernels: test kernels from source, modules against Debian's headers
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod xz-utils
	rsync git sparse openssl perl	# perl's modules: checkpatch.pl
	linux-source-6.12
	linux-headers-6.12-amd64	# headers of the newest Debian 6.12 kernel
	linux-headers-amd64		# headers of Debian 12's own 6.1 kernel
	# scripts, KUnit's kunit.py, the rst check (run with /usr/bin/python3)
	python3 python3-docutils file
	# user space, its unit tests and the musl build
	libdrm-dev pkg-config valgrind musl-tools
	# make deb and check-package
	dkms debhelper dh-dkms lintian
	# check-cross: compilers and their C libraries (only recommended by them)
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross libdrm-dev:arm64
	gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
	# the guests: QEMU with its firmware and option ROMs, busybox
	qemu-system-x86 ipxe-qemu busybox-static
	acpica-tools	# iasl: the SSDT of check-security's external-facing port
	qemu-system-arm device-tree-compiler	# check-arm64
	# make bench: its plots; scripts/trace-ioctl.sh: the guest under gdb
	gnuplot-nox gdb
)

# stock_images: Debian's stock kernels matching the newest 6.12 headers and the
# 6.1 ones, as the unsigned images (what the e2e suite boots with the module
# DKMS built against those headers): the installed headers' version, else the
# one apt would install.
stock_images() {
	local meta ver
	for meta in linux-headers-6.12-amd64 linux-headers-amd64; do
		ver=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null ||
			apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: //p')
		ver=$(echo "$ver" | tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' |
			head -n1)
		[ -n "$ver" ] || { echo "deps: cannot tell which kernel $meta stands for" >&2; return 1; }
		echo "linux-image-$ver-unsigned"
	done
}

if [ "${1:-}" = --print ]; then
	printf '%s\n' "${pkgs[@]}"
	stock_images
	exit 0
fi
[ $# = 0 ] || { echo "usage: deps.sh [--print]" >&2; exit 2; }

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done

export DEBIAN_FRONTEND=noninteractive
# Multiarch packages (libdrm-dev:arm64) need their architecture known to dpkg.
for p in "${missing[@]}"; do
	arch=${p#*:}
	[ "$arch" != "$p" ] || continue
	dpkg --print-foreign-architectures | grep -qx "$arch" || {
		echo "deps: adding the $arch architecture to dpkg"
		dpkg --add-architecture "$arch"
	}
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt-get update -qq || echo "deps: apt-get update failed, trying the cached lists" >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

images=$(stock_images)
for image in $images; do
	if ! installed "$image"; then
		echo "deps: installing $image"
		apt-get install -y -qq --no-install-recommends "$image"
	fi
done
