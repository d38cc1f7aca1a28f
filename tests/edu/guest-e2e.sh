#!/bin/sh
# Guest half of the end-to-end DMA suite: edu-dma-test over each exporter and
# size, then the negative control, each result as one "@@E2E label json" record
# on the data channel; scripts/e2e-report.py judges them and prints the table.
# Usage: guest-e2e.sh DATA_TTY SEED [MATRIX] [BREAK]
#   MATRIX: full (default), stock (no CMA heap: Debian's kernel has none),
#           nodrm (no vgem: the arm64 test kernel has no DRM) or drm (vgem only)
#   BREAK: 1 makes every row use one wrong address, which must fail the suite

out=${1:-/dev/ttyS1}
seed=${2:-1}
matrix=${3:-full}
break=
[ "${4:-0}" = 1 ] && break=--corrupt

row() {
	label=$1
	shift
	/bin/edu-dma-test --device 0 --seed "$seed" $break "$@" >/tmp/e2e.out 2>/tmp/e2e.err
	rc=$?
	{
		echo "@@E2E $label rc=$rc $(cat /tmp/e2e.out)"
		sed "s/^/@@E2E-ERR $label /" /tmp/e2e.err
	} >>"$out"
}

echo "@@E2E-BEGIN seed=$seed matrix=$matrix" >>"$out"
if [ "$matrix" = drm ]; then
	# A kernel without dma-heaps and udmabuf (Debian 12's 6.1): DRM PRIME only.
	row vgem-4K --source drm --size 4K
	row vgem-1M --source drm --size 1M
	row vgem-1M-coherent --source drm --size 1M --coherent
	row negative-control --source drm --size 64K --corrupt
	echo "@@E2E-END" >>"$out"
	exit 0
fi
row system-4K --source heap:system --size 4K
row system-1M --source heap:system --size 1M
row system-64M --source heap:system --size 64M
if [ "$matrix" != stock ]; then
	row cma-1M --source heap:cma --size 1M
	row cma-16M --source heap:cma --size 16M
fi
row udmabuf-1M --source udmabuf --size 1M
# Without UIO_DMABUF_IOC_SYNC a mapping that needs it (bounced) must fail to
# verify; with IMPORT_COHERENT such a mapping is refused (EIO). 128 KiB: swiotlb
# bounces no entry over 256 KiB, and 7.x's udmabuf merges physically adjacent
# pages into one entry (a larger buffer is then refused, as 7.3 showed). Where
# swiotlb bounced it, the synced row first syncs a range alone and checks that
# exactly those bytes arrived.
row udmabuf-128K --source udmabuf --size 128K --sync-range
row udmabuf-128K-skip-sync --source udmabuf --size 128K --skip-sync
row udmabuf-128K-coherent --source udmabuf --size 128K --coherent
[ "$matrix" = nodrm ] || row vgem-1M --source drm --size 1M
# The negative control: one address read from the neighbouring chunk.
row negative-control --source heap:system --size 64K --corrupt
echo "@@E2E-END" >>"$out"
