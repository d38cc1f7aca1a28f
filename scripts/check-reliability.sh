#!/usr/bin/env bash
# Reliability matrix (tests/reliability): hostile input, lifetime, fault
# injection, races, load and the no-IOMMU security rules, in one boot of the
# debug test kernel with edu bound to uio_dmabuf. Prints the table of cases,
# the guest-log verdict and "check-reliability: P passed, F failed".
#
# RELIABILITY_CYCLES sets the import/release cycles of the load case (default
# 100000; make check-long uses 1000000); RELIABILITY_SEED the fuzz seed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/tally.sh"
out=$top/build/check-reliability
mkdir -p "$out"
cycles=${RELIABILITY_CYCLES:-100000}
seed=${RELIABILITY_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
pass=0 fail=0

kout=$("$top/scripts/build-kernel.sh" | tail -n1) || { echo "check-reliability: 0 passed, 1 failed"; exit 1; }
make -s -C "$top" guest-tools >/dev/null || { echo "check-reliability: 0 passed, 1 failed"; exit 1; }
"$top/scripts/mkinitramfs.sh" "$kout" "$out/initramfs.cpio.gz" "$top"/build/guest/*
rm -f "$out"/*.log.data
# Without an IOMMU (allow_unsafe_noiommu=1): everything but the IOMMU cases.
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$out/initramfs.cpio.gz" \
	--log "$out/guest.log" --run reliability --edu 1 --timeout 3600 \
	--modargs allow_unsafe_noiommu=1 --append "uio_dmabuf.seed=$seed uio_dmabuf.cycles=$cycles" &
# Behind the virtual IOMMU, module parameter off: the IOMMU cases (edu DMA: -icount).
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$out/initramfs.cpio.gz" \
	--log "$out/iommu.log" --run reliability --edu 1 --timeout 1200 --iommu --icount \
	--append "uio_dmabuf.seed=$seed uio_dmabuf.reliability_iommu=1" &
wait

for run in guest iommu; do
	tr -d '\r' <"$out/$run.log.data" >"$out/$run.txt"
	grep -vE '^ok ' "$out/$run.txt"
	grep -qE '^reliability: [0-9]+ passed' "$out/$run.txt" ||
		echo "reliability ($run): no result (the guest did not finish)"
	read -r p f < <(tally reliability "$out/$run.txt")
	pass=$((pass + p))
	fail=$((fail + f))
	echo "guest log of the $run run:"
	if "$top/scripts/check-guest-log.sh" "$out/$run.log"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "check-reliability: $pass passed, $fail failed"
[ "$fail" = 0 ]
