#!/usr/bin/env bash
# The packages as dpkg installs them, run by check-package.sh inside a
# throwaway root (scripts/throwaway-root.sh), never on the host: dpkg -i
# installs them (the -dkms postinst building the module for every kernel with
# headers here), the programs and the library work, the udev rule's group
# exists, and dpkg --purge leaves nothing behind. Logs go to OUT. With
# --fresh, our packages that the root already has (a user's install, copied
# from the host) are purged first, so that the test starts without them.
# Usage: check-package-dpkg.sh [--fresh] OUT DEB...
# Prints "ok"/"not ok" per check and "check-package-dpkg: P passed, F failed".
set -uo pipefail

part=package-dpkg
. "$(dirname "$0")/lib.sh"
fresh=
[ "$1" != --fresh ] || { fresh=1; shift; }
out=$1
shift
debs=("$@")
mkdir -p "$out"
names=()
for deb in "${debs[@]}"; do
	names+=("$(dpkg-deb -f "$deb" Package)")
done
has() { printf '%s\n' "${names[@]}" | grep -qx "$1"; }

ours=(uio-dmabuf-dkms libuiodmabuf-dev uio-dmabuf libuiodmabuf1)
[ -z "$fresh" ] || dpkg --purge "${ours[@]}" >"$out/dpkg-fresh.log" 2>&1 ||
	abort "cannot purge the copied install of ${ours[*]} ($out/dpkg-fresh.log)"
dpkg -i "${debs[@]}" >"$out/dpkg.log" 2>&1
rc=$?
dkms_note=
has uio-dmabuf-dkms && dkms_note=" (the -dkms postinst builds the module)"
result $rc "dpkg -i installs ${names[*]}$dkms_note"
if has uio-dmabuf-dkms; then
	hdr=$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -n1)
	kver=${hdr#/usr/src/linux-headers-}
	modinfo -k "$kver" -n uio_dmabuf 2>/dev/null | grep -q "/lib/modules/$kver/updates/dkms/uio_dmabuf.ko"
	result $? "the installed -dkms package put uio_dmabuf.ko into /lib/modules/$kver/updates/dkms"
fi
if has libuiodmabuf-dev && has uio-dmabuf; then
	[ "$(pkg-config --modversion libuiodmabuf 2>/dev/null)" = "$(sed -n 's/^VERSION := //p' "$top/Makefile")" ] &&
		/usr/bin/uio-dmabuf --help >/dev/null
	result $? "the installed uio-dmabuf runs, and pkg-config finds the installed libuiodmabuf"
fi
if has uio-dmabuf; then
	getent group uio-dmabuf >/dev/null
	result $? "installing uio-dmabuf creates the group its udev rule names (uio-dmabuf)"
fi
dpkg --purge "${names[@]}" >>"$out/dpkg.log" 2>&1
result $? "dpkg --purge ${names[*]}"
left=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'uio-dmabuf*' 'libuiodmabuf*' 2>/dev/null |
       grep -v '^un' ; ls -d /usr/src/uio-dmabuf-* /lib/modules/*/updates/dkms/uio_dmabuf.ko* 2>/dev/null)
[ -z "$left" ]
result $? "dpkg --purge leaves nothing behind${left:+ (left: $left)}"
finish
