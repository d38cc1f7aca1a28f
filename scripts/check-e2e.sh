#!/usr/bin/env bash
# End-to-end DMA suite: QEMU's edu device copies data between imported buffers
# by DMA and the CPU checks every byte (tests/edu). Boots the debug test kernel
# without an IOMMU (allow_unsafe_noiommu=1) and behind a virtual Intel IOMMU,
# each with a device mask covering the guest's RAM, and without an IOMMU with a
# narrow one (a 32-bit edu in a 5 GiB guest; behind the IOMMU too with
# E2E_LONG=1, as make check-long sets), judges the records and the guest logs, and
# prints the summary table and "check-e2e: P passed, F failed". Then boots
# Debian's stock kernels with the module built against their headers, and,
# beside them, the peer-to-peer pair (tests/p2p) on the mainline test kernel.
#
# E2E_SEED=N fixes the seed of the random chunk sample (printed either way);
# UIO_DMABUF_E2E_BREAK=1 makes every row use one wrong address (the suite must fail).
set -uo pipefail

part=e2e
. "$(dirname "$0")/lib.sh"
out=$(suite_out e2e)
seed=$(seed "${E2E_SEED:-}")
brk=${UIO_DMABUF_E2E_BREAK:-0}
echo "e2e: seed $seed"
stage_suite "$out"

# Each boot: NAME IOMMU MASK_BITS MODE [run-qemu options]; behind the IOMMU
# edu's interrupt is its MSI (irq_mode=msi). Under -icount a guest keeps one
# host CPU busy: the first three run side by side (each guest's clock is
# virtual, so sharing the CPUs slows the run, not the guest's timing).
runs=()
boot() {
	local name=$1 iommu=$2 bits=$3 mode=$4 kernel=$kout/bzImage initrd=$initrd
	shift 4
	if [ "$mode" = stock ]; then
		kernel=$stock_image
		initrd=$out/$name-initramfs.cpio.gz
	fi
	rm -f "$out/$name.log.data"
	"$top/scripts/run-qemu.sh" --kernel "$kernel" --initrd "$initrd" \
		--log "$out/$name.log" --run e2e --icount --edu 1 --timeout 1500 \
		--append "udbtest.seed=$seed udbtest.break=$brk udbtest.mask_bits=$bits" "$@"
}

# The device's mask covers the guest's 2 GiB; and a narrow device, a 32-bit
# mask in a 5 GiB guest (edu's own dma_mask is 32 bits), whose buffers above
# 4 GiB swiotlb bounces. The narrow device behind the IOMMU (whose IOVAs
# simply stay below 4 GiB) only with E2E_LONG=1 (make check-long).
long=${E2E_LONG:-0}
case "$long" in 0 | 1) ;; *) abort "E2E_LONG must be 0 or 1, not '$long'" ;; esac
narrow=(narrow-noiommu:none:32:narrow)
boot debug-noiommu none 32 full --modargs allow_unsafe_noiommu=1 &
boot debug-viommu viommu 32 full --iommu --modargs irq_mode=msi &
boot narrow-noiommu none 32 narrow --mem 5G --modargs allow_unsafe_noiommu=1 &
wait
if [ "$long" = 1 ]; then
	boot narrow-viommu viommu 32 narrow --mem 5G --iommu
	narrow+=(narrow-viommu:viommu:32:narrow)
fi
# irq_seen LOG CHIP: a uio_dmabuf interrupt of that irqchip fired in the boot.
irq_seen() {
	awk -v chip="$2" '/uio-dmabuf-guest: irq: / && $0 ~ chip {
		n = 0
		for (i = 4; i <= NF && $i ~ /^[0-9]+$/; i++)
			n += $i
		if (n > 0)
			seen = 1
	} END { exit !seen }' "$1"
}
irq_seen "$out/debug-noiommu.log" 'IO-APIC'
result $? "debug-noiommu: the rows waited on edu's INTx (irq_mode=auto)"
irq_seen "$out/debug-viommu.log" 'IR-PCI-MSI'
result $? "debug-viommu: the rows waited on edu's MSI (irq_mode=msi), remapped"
grep -q 'UIO interrupt: msi' "$out/debug-viommu.log"
result $? "debug-viommu: the driver says it bound edu with MSI"
for spec in debug-noiommu:none:32:full debug-viommu:viommu:32:full "${narrow[@]}"; do
	IFS=: read -r name iommu bits mode <<<"$spec"
	judge_log "$out/$name.log"
	runs+=("$name:$klabel:$iommu:$bits:$mode:$out/$name.log.data")
done

# Debian's stock kernels, 6.12 and Debian 12's own 6.1, each with the module
# built and installed by DKMS against its headers and loaded by modprobe
# (scripts/stock-kernel.sh), booted side by side: 6.12 without an IOMMU runs
# the rows of the heaps, udmabuf and vgem (no CMA heap there); 6.1 behind the
# virtual IOMMU, isolated, only vgem's (no heaps, no udmabuf in its config),
# where IMPORT_COHERENT must succeed. No debug options to judge.
stock_boot() {	# NAME SERIES IOMMU MATRIX [KERNEL ARGS]
	local name=$1 series=$2 iommu=$3 matrix=$4 extra=${5:-} image
	local opts=(--modargs allow_unsafe_noiommu=1)
	[ "$iommu" = none ] || opts=(--iommu)
	image=$("$top/scripts/stock-kernel.sh" "$out/$name-modules" "$series") || return 1
	"$top/scripts/mkinitramfs.sh" "$out/$name-modules" "$out/$name-initramfs.cpio.gz" \
		"$top"/build/guest/*
	stock_image=$image
	boot "$name" "$iommu" 32 stock "${opts[@]}" --append "udbtest.matrix=$matrix $extra"
}
stock_judge() {	# NAME IOMMU
	local name=$1 iommu=$2 ver
	judge_log "$out/$name.log" stock
	grep -qE 'modprobe uio_dmabuf: updates/dkms/uio_dmabuf\.ko[^:]*: .*kernel/drivers/uio/uio\.ko.*loaded: .*uio_dmabuf.* uio ' \
		"$out/$name.log"
	result $? "$name: modprobe loaded the DKMS-built uio_dmabuf and, by depmod's modules.dep, uio"
	ver=$(cut -d+ -f1 "$out/$name-modules/version")
	runs+=("$name:stock-${ver%-amd64}:$iommu:32:full:$out/$name.log.data")
}
# Peer-to-peer DMA (tests/p2p), on mainline's test kernel only (VFIO exports
# BARs as dma-bufs since 6.19): edu and an ivshmem-plain whose BAR 2 is a host
# file. p2p-noiommu: both behind one PCI bridge without ACS, no IOMMU (VFIO's
# no-IOMMU mode, our unsafe rule): the segment is the BAR's bus address.
# p2p-viommu: each behind a root port of its own, behind the virtual IOMMU,
# both isolated, with an AMD CPU model (Linux trusts a Zen's host bridge with
# P2P; with an Intel one the mapping is refused): the segment is an IOVA.
# The guest's TAP lines are results; then the host reads the BAR's backing
# file, whose first chunk edu wrote last: it must hold the seed's pattern.
p2p_boot() {	# NAME
	local opts=(--p2p "$out/$1.mem" --modargs allow_unsafe_noiommu=1)
	[ "$1" = p2p-viommu ] && opts=(--p2p-apart "$out/$1.mem" --iommu --cpu EPYC)
	rm -f "$out/$1.mem"
	"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$initrd" \
		--log "$out/$1.log" --run p2p --icount --edu 0 "${opts[@]}" \
		--timeout 600 --append "udbtest.seed=$seed"
}
p2p_judge() {	# NAME
	tr -d '\r' <"$out/$1.log" >"$out/$1.clean.log"
	judge_tap "$1" "$out/$1.clean.log" "$out" p2p
	python3 - "$out/$1.mem" "$seed" <<'PY'
import sys
M = (1 << 64) - 1
def pattern(s, off):	# p2p_pattern() of tests/p2p/p2p-test.c
    x = ((s ^ ((off * 0x9e3779b97f4a7c15) & M)) + 0x632be59bd9b4e019) & M
    x ^= x >> 31
    x = (x * 0xbf58476d1ce4e5b9) & M
    x ^= x >> 29
    return x & 0xff
data, seed = open(sys.argv[1], "rb").read(8192), int(sys.argv[2], 0)
sys.exit(not (len(data) == 8192 and all(data[i] == pattern(seed, i) for i in range(4096))
              and all(b == 0x5a for b in data[4096:])))
PY
	result $? "$1: the host's file behind the BAR holds what edu wrote there (4 KiB of the seed's pattern, the next 4 KiB untouched)"
	judge_log "$out/$1.log"
}

# The stock rows do not depend on the test kernel: run with mainline's only.
if [ "${UIO_DMABUF_GUEST_KERNEL:-mainline}" = mainline ]; then
	p2p_boot p2p-noiommu & pidp2p=$!
	p2p_boot p2p-viommu & pidp2pv=$!
	stock_boot stock 6.12 none stock & pid612=$!
	# Under -icount 6.1 fails to calibrate its delay loop and spends ~170 guest
	# seconds trying; lpj= skips that.
	stock_boot stock61 6.1 viommu drm lpj=4000000 & pid61=$!
	for spec in stock:none:$pid612 stock61:viommu:$pid61; do
		IFS=: read -r name iommu pid <<<"$spec"
		if wait "$pid"; then
			stock_judge "$name" "$iommu"
		else
			result 1 "$name: the stock kernel and its module could not be staged"
		fi
	done
	wait "$pidp2p" "$pidp2pv"
	p2p_judge p2p-noiommu
	p2p_judge p2p-viommu
fi

python3 "$top/scripts/e2e-report.py" "${runs[@]}" >"$out/report.txt"
grep -vE '^ok ' "$out/report.txt"
count e2e "$out/report.txt"
finish
