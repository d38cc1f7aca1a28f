#!/usr/bin/env bash
# Build uio_dmabuf.ko with DKMS, as a user's `make dkms-install` does, but in
# trees of its own under OUT (nothing under /usr/src or /lib/modules; dkms
# signs the module with its key in /var/lib/dkms, made on first use): the
# sources as `make dkms-source` installs them, then dkms add and dkms build for
# each KVER (its headers at /lib/modules/KVER/build). With --install MODROOT,
# dkms install puts the module under MODROOT/KVER/updates/dkms, where MODROOT
# stands for /lib/modules. Logs in OUT/dkms.log.
# Usage: dkms-build.sh OUT [--install MODROOT] KVER...
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
shift
modroot=
if [ "${1:-}" = --install ]; then
	modroot=$2
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: dkms-build.sh OUT [--install MODROOT] KVER..." >&2; exit 2; }
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")

rm -rf "$out"
mkdir -p "$out/dkms" "$out/install"
make -s -C "$top" dkms-source DESTDIR="$out/dest" >"$out/dkms.log" 2>&1
dkms=(dkms --dkmstree "$out/dkms" --sourcetree "$out/dest/usr/src"
      --installtree "${modroot:-$out/install}")
run() {
	"${dkms[@]}" "$@" >>"$out/dkms.log" 2>&1 ||
		{ echo "dkms-build: dkms $* failed; $out/dkms.log:" >&2; tail -30 "$out/dkms.log" >&2; exit 1; }
}
run add -m uio-dmabuf -v "$ver"
for kver in "$@"; do
	run build -m uio-dmabuf -v "$ver" -k "$kver"
	[ -z "$modroot" ] || run install -m uio-dmabuf -v "$ver" -k "$kver"
done
"${dkms[@]}" status -m uio-dmabuf -v "$ver" 2>/dev/null
