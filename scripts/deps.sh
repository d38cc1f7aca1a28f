#!/usr/bin/env bash
# Install, through apt-get, every Debian package the build and the tests need,
# and the packages named as arguments (make bench adds gnuplot-nox). Packages
# already present are left alone; nothing is done when all are there.
# Usage: deps.sh [PACKAGE...]
set -euo pipefail

pkgs=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod xz-utils
	python3 python3-docutils rsync git
	linux-source-6.12
	linux-headers-6.12-amd64	# headers of the newest Debian 6.12 kernel
	linux-headers-amd64		# headers of Debian 12's own 6.1 kernel
	dkms debhelper dh-dkms lintian	# make deb and its checks
	musl-tools file
	gcc-aarch64-linux-gnu gcc-powerpc64le-linux-gnu libdrm-dev:arm64	# check-cross
	qemu-system-x86 busybox-static sparse libdrm-dev pkg-config valgrind
	qemu-system-arm device-tree-compiler	# check-arm64
	"$@"
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
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

# Debian's stock kernels matching the newest 6.12 headers and the 6.1 ones,
# as the unsigned images (what the e2e suite boots with the module DKMS built
# against those headers).
for pattern in '6.12.*-amd64' '6.1.0-*-amd64'; do
	# shellcheck disable=SC2086
	hdr=$(ls -d /usr/src/linux-headers-$pattern | sort -V | tail -n1)
	image=linux-image-${hdr#/usr/src/linux-headers-}-unsigned
	if ! dpkg-query -W -f='${Status}' "$image" 2>/dev/null | grep -q '^install ok installed$'; then
		echo "deps: installing $image"
		apt-get install -y -qq --no-install-recommends "$image"
	fi
done
