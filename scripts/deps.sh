#!/usr/bin/env bash
# Install, through apt-get, every Debian package the build and the tests need.
# Packages already present are left alone; nothing is done when all are there.
set -euo pipefail

pkgs=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod xz-utils
	python3 rsync
	linux-source-6.12
	linux-headers-6.12-amd64	# headers of the newest Debian 6.12 kernel
	linux-headers-amd64		# headers of Debian 12's own 6.1 kernel
	qemu-system-x86 busybox-static sparse libdrm-dev pkg-config jq valgrind
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "deps: apt-get update failed, trying the cached lists" >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}"
