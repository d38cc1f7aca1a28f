#!/usr/bin/env bash
# Where one IMPORT and one RELEASE spend their instructions, instruction by
# instruction: boots the guest of `make bench` (its kernel, staged modules
# and initramfs, which a make bench run with that kind of boot leaves in
# build/bench/) under QEMU with its gdbstub, lets the benchmark run its
# SECTION, and single-steps the SKIP-th IMPORT and RELEASE ioctl from the
# system call to the return to user space (scripts/trace-ioctl.py), then
# prints each as a call tree with instruction counts (scripts/trace-report.py).
# A developer's tool, not part of make check; it needs gdb (apt-get install
# gdb). Each traced ioctl takes a few seconds per thousand instructions.
#
# Usage: trace-ioctl.sh [--kind mainline|bench] [--iommu] [--section ioctls]
#                       [--skip 30] [--min 10] [--floor] OUTDIR
#   --section  the benchmark's section to run (ioctls: 4 KiB of the system
#              heap; segments: scattered udmabuf pages, 1 then 16 then 256 ...)
#   --min      leave out of the tree what costs fewer instructions
#   --floor    the floor module's two calls with the driver's duties
#              (IMPORT_DUTIES and RELEASE of bench/kernel) instead, which
#              the sections roundtrip and live run
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kind=mainline iommu=0 section=ioctls skip=30 min=10 floor=0
while [ $# -gt 1 ]; do
	case "$1" in
	--kind) kind=$2; shift 2 ;;
	--iommu) iommu=1; shift ;;
	--section) section=$2; shift 2 ;;
	--skip) skip=$2; shift 2 ;;
	--min) min=$2; shift 2 ;;
	--floor) floor=1; shift ;;
	*) echo "trace-ioctl: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ $# = 1 ] || { echo "usage: trace-ioctl.sh [options] OUTDIR" >&2; exit 2; }
out=$1
command -v gdb >/dev/null || { echo "trace-ioctl: needs gdb (apt-get install gdb)" >&2; exit 1; }
case "$kind" in
mainline) kout=$("$top/scripts/build-kernel.sh" --bench --mainline | tail -n1) ;;
bench) kout=$("$top/scripts/build-kernel.sh" --bench | tail -n1) ;;
*) echo "trace-ioctl: --kind is mainline or bench" >&2; exit 2 ;;
esac
initrd=$top/build/bench/$kind.cpio.gz ko=$top/build/bench/$kind-modules/uio_dmabuf.ko
[ -f "$initrd" ] && [ -f "$ko" ] ||
	{ echo "trace-ioctl: no $initrd: run BENCH_BOOTS=$kind-noiommu make bench first" >&2; exit 1; }
mkdir -p "$out"

# The ioctl numbers, from the UAPI header or the floor module's.
entry=uio_dmabuf_fop_ioctl
if [ "$floor" = 1 ]; then
	ko=$top/build/bench/$kind-modules/uio_dmabuf_bench.ko entry=uio_dmabuf_bench_ioctl
	cc -I"$top/bench/kernel" -x c -o "$out/ioctl-numbers" - <<'C'
#include <stdio.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#include "uio_dmabuf_bench.h"
int main(void)
{
	printf("import=%#lx,release=%#lx\n", (unsigned long)UIO_DMABUF_BENCH_IOC_IMPORT_DUTIES,
	       (unsigned long)UIO_DMABUF_BENCH_IOC_RELEASE);
	return 0;
}
C
else
	cc -I"$top/include/uapi/linux" -x c -o "$out/ioctl-numbers" - <<'C'
#include <stdio.h>
#include "uio_dmabuf.h"
int main(void)
{
	printf("import=%#lx,release=%#lx\n", (unsigned long)UIO_DMABUF_IOC_IMPORT,
	       (unsigned long)UIO_DMABUF_IOC_RELEASE);
	return 0;
}
C
fi
cmds=$("$out/ioctl-numbers")
syscall=0x$(awk '$3 == "__x64_sys_ioctl" { print $1 }' "$kout/System.map")

machine=(-machine q35) cmdline="udbtest.modargs=allow_unsafe_noiommu=1"
if [ "$iommu" = 1 ]; then
	machine=(-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on)
	cmdline="intel_iommu=on iommu=nopt iommu.strict=1"
fi
# One vCPU, no KASLR (the trace is read against System.map), the benchmark's
# boot otherwise; gdb waits on port 1234.
qemu-system-x86_64 -cpu max,la57=off -accel tcg -smp 1 -m 3G "${machine[@]}" \
	-nographic -no-reboot -serial mon:stdio -serial "file:$out/guest.data" -display none \
	-kernel "$kout/bzImage" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 log_buf_len=1M nokaslr udbtest.run=bench $cmdline udbtest.reps=200 udmabuf.list_limit=65536 udmabuf.size_limit_mb=256 cma=256M udbtest.only=$section udbtest.label=trace" \
	-device pcie-root-port,id=rp1,chassis=1,hotplug=off -device edu,bus=rp1,dma_mask=0xffffffff \
	-device pcie-root-port,id=rp2,chassis=2,hotplug=off -device edu,bus=rp2,dma_mask=0xffffffff \
	-s </dev/null >"$out/guest.log" 2>&1 &
qpid=$!
trap 'kill "$qpid" 2>/dev/null || true' EXIT
sleep 1
TRACE_SYSCALL=$syscall TRACE_CMDS=$cmds TRACE_SKIP=$skip TRACE_OUT=$out/trace \
	timeout 1800 gdb -batch -nx -x "$top/scripts/trace-ioctl.py" >"$out/gdb.log" 2>&1 ||
	{ tail -n 20 "$out/gdb.log" >&2; exit 1; }
wait "$qpid" 2>/dev/null || true
trap - EXIT
grep '^trace-ioctl:' "$out/gdb.log"
for name in import release; do
	echo "=== $name$([ "$floor" = 1 ] && echo " (the floor with duties)") ($kind, $([ "$iommu" = 1 ] && echo strict IOMMU || echo no IOMMU), section $section)"
	python3 "$top/scripts/trace-report.py" "$kout/System.map" "$ko" "$out/trace-$name.txt" "$min" "$entry"
done
