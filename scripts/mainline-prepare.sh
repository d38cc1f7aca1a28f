#!/usr/bin/env bash
# A current-mainline tree to build the module against out of tree: the newest
# linux-source-7.* (scripts/fetch-mainline.sh), configured from x86_64's
# defconfig with what the module and its KUnit suite use (UIO, dma-buf heaps,
# KUnit, debugfs, VFIO's dma-buf export, P2P DMA) and modules_prepare'd, in an
# output directory of the cache keyed by the source version and this file:
#   $UIO_DMABUF_CACHE/mainline-prep-<version>-<hash>/
# Prints "<version> <directory>" on the last line of stdout.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
jobs=${JOBS:-$(nproc)}
log() { echo "mainline-prepare: $*" >&2; }

src=$("$top/scripts/fetch-mainline.sh" | tail -n1)
ver=$(cat "$src/.uio-dmabuf-version")
hash=$(sha256sum "$0" | cut -c1-12)
kout=$cache/mainline-prep-$(echo "$ver" | tr '~:' '-_')-$hash
if [ -f "$kout/.prepared" ]; then
	echo "$ver $kout"
	exit 0
fi

log "configuring and preparing $kout ($ver)"
rm -rf "$kout"
mkdir -p "$kout"
start=$(date +%s)
{
	make -s -C "$src" O="$kout" ARCH=x86_64 x86_64_defconfig &&
	"$src/scripts/config" --file "$kout/.config" --enable MODULES --module UIO \
		--enable DMABUF_HEAPS --enable DMABUF_HEAPS_SYSTEM --enable DMABUF_HEAPS_CMA \
		--enable CMA --enable DMA_CMA --enable MEMFD_CREATE --enable UDMABUF \
		--enable DEBUG_FS --module KUNIT --enable IOMMU_SUPPORT --enable INTEL_IOMMU \
		--enable VFIO --enable VFIO_PCI --enable VFIO_PCI_CORE --enable PCI_P2PDMA \
		--enable MEMORY_HOTPLUG --enable MEMORY_HOTREMOVE --enable ZONE_DEVICE \
		--enable DMABUF_DEBUG &&
	make -s -C "$kout" ARCH=x86_64 olddefconfig &&
	make -s -C "$kout" ARCH=x86_64 -j"$jobs" modules_prepare
} >"$kout/prepare.log" 2>&1 || { tail -20 "$kout/prepare.log" >&2; log "failed"; exit 1; }
for want in CONFIG_UIO=m CONFIG_DMA_SHARED_BUFFER=y CONFIG_DMABUF_HEAPS=y CONFIG_KUNIT=m \
	    CONFIG_PCI_P2PDMA=y CONFIG_VFIO_PCI_CORE=y; do
	grep -qx "$want" "$kout/.config" || { log "not in $kout/.config: $want"; exit 1; }
done
touch "$kout/.prepared"
log "prepared in $(($(date +%s) - start)) s"
echo "$ver $kout"
