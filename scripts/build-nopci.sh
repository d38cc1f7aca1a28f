#!/usr/bin/env bash
# Build the series' objects in a kernel without PCI: x86_64 allnoconfig with
# CONFIG_UIO and CONFIG_UIO_DMABUF=m (which selects IOMMU_API and
# DMA_SHARED_BUFFER), with W=1 and sparse; any warning in them fails. The
# source tree (pristine linux-source-6.12 plus the series, never built in
# place, shared with run-kunitpy.sh) and the output directory are cached
# under $UIO_DMABUF_CACHE.
# Usage: build-nopci.sh PATCHDIR    (prints the output directory)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
patches=$1
cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
pristine=$cache/pristine-$srcver
src=$cache/series-$srcver
out=$cache/nopci-$srcver/out
jobs=${JOBS:-$(nproc)}

log() { echo "build-nopci: $*" >&2; }

mkdir -p "$(dirname "$src")"
"$top/scripts/apply-series.sh" "$src" "$patches" "$pristine" >/dev/null

# Configured once, for this source tree (the output's Makefile names it).
if ! grep -qx 'CONFIG_UIO_DMABUF=m' "$out/.config" 2>/dev/null ||
	! grep -qF "$src" "$out/Makefile" 2>/dev/null; then
	log "configuring $out (allnoconfig, UIO, UIO_DMABUF=m, no PCI)"
	mkdir -p "$out"
	make -s -C "$src" O="$out" ARCH=x86_64 allnoconfig >&2
	"$src/scripts/config" --file "$out/.config" --enable MODULES --enable UIO \
		--module UIO_DMABUF --disable PCI --enable DEBUG_FS
	make -s -C "$out" ARCH=x86_64 olddefconfig >&2
	make -s -C "$out" ARCH=x86_64 -j"$jobs" modules_prepare >&2
fi
for want in CONFIG_UIO_DMABUF=m CONFIG_IOMMU_API=y CONFIG_DMA_SHARED_BUFFER=y '# CONFIG_PCI is not set'; do
	grep -qx "$want" "$out/.config" || { log "not in $out/.config: $want"; exit 1; }
done

# drivers/uio as Kconfig and the Makefile choose (no uio_dmabuf_pci.o); the
# W=1 and sparse warnings of uio.c are not ours.
if ! make -C "$out" ARCH=x86_64 -j"$jobs" W=1 C=2 drivers/uio/ >"$out/w1.log" 2>&1 ||
	grep -E 'warning:|error:' "$out/w1.log" | grep -q uio_dmabuf ||
	[ ! -f "$out/drivers/uio/uio_dmabuf.o" ] || [ -f "$out/drivers/uio/uio_dmabuf_pci.o" ]; then
	grep -E 'warning:|error:' "$out/w1.log" | head -20 >&2
	log "the series' objects do not build cleanly without PCI"
	exit 1
fi
log "$(ls "$out"/drivers/uio/uio_dmabuf_*.o | wc -l) objects built without PCI, no W=1 or sparse warnings"
echo "$out"
