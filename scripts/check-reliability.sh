#!/usr/bin/env bash
# Reliability matrix (tests/reliability): hostile input, lifetime, fault
# injection, races, load and the no-IOMMU security rules, in one boot of the
# debug test kernel with edu bound to uio_dmabuf, the IOMMU cases in a
# second boot behind the virtual IOMMU, and the load case in a third. Prints
# the table of cases, the guest-log verdicts and "check-reliability: P passed,
# F failed".
#
# RELIABILITY_CYCLES sets the import/release cycles of the load case (default
# 15000: a cycle takes about 4.7 ms on the 7.3 debug kernel under TCG, and
# make check must stay within 20 minutes warm; make check-long uses 1000000);
# RELIABILITY_SEED the fuzz seed;
# RELIABILITY_ONLY=NAME runs the case NAME with the cases it shares its setup
# with (its group; or a group by name), in both boots (the boot that does not
# have it reports no case).
#
# The third boot runs the load case once more, beside the other two: 100,000
# cycles behind the strict IOMMU on Debian's stock 6.12 kernel with the module
# built against its headers (scripts/stock-kernel.sh, about 15 s): without
# KASAN, whose quarantine keeps freed objects counted as Slab until it holds
# 1/32 of RAM, the second half must leave Slab and MemAvailable where they
# were while every cycle maps and unmaps through the IOMMU. On the debug
# kernel, 15,000 such cycles grew Slab by 35 MB, all of it the quarantine
# filling.
set -uo pipefail

part=reliability
. "$(dirname "$0")/lib.sh"
out=$(suite_out reliability)
cycles=${RELIABILITY_CYCLES:-15000}
seed=$(seed "${RELIABILITY_SEED:-}")
knobs="udbtest.seed=$seed${RELIABILITY_ONLY:+ udbtest.only=$RELIABILITY_ONLY}"
stage_suite "$out"
rm -f "$out"/*.log.data
# The name must be one of groups[] in tests/reliability (a case or a group).
if [ -n "${RELIABILITY_ONLY:-}" ] && ! "$top/build/guest/reliability" --list |
	awk -v n="$RELIABILITY_ONLY" '$1 == n || $2 == n { f = 1 } END { exit !f }'; then
	abort "no case or group $RELIABILITY_ONLY (build/guest/reliability --list names them)"
fi

# The load case on the stock kernel: its modules and an initramfs of its own.
load=
if [ -z "${RELIABILITY_ONLY:-}" ] || [ "$RELIABILITY_ONLY" = import-release-cycles ]; then
	stock_image=$("$top/scripts/stock-kernel.sh" "$out/stock-modules") ||
		abort "the stock kernel and its module could not be staged"
	"$top/scripts/mkinitramfs.sh" "$out/stock-modules" "$out/stock.cpio.gz" "$top"/build/guest/* ||
		abort "the stock kernel's initramfs could not be made"
	load=(--kernel "$stock_image" --initrd "$out/stock.cpio.gz")
fi

# Without an IOMMU (allow_unsafe_noiommu=1): everything but the IOMMU cases.
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$initrd" \
	--log "$out/guest.log" --run reliability --edu 1 --timeout 3600 \
	--modargs allow_unsafe_noiommu=1 --append "$knobs udbtest.cycles=$cycles" &
# Behind the virtual IOMMU, module parameter off: the IOMMU cases (edu DMA: -icount).
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$initrd" \
	--log "$out/iommu.log" --run reliability --edu 1 --timeout 1200 --iommu --icount \
	--append "$knobs udbtest.reliability_iommu=1" &
# The stock kernel behind the strict IOMMU: the load case alone.
[ -z "$load" ] || "$top/scripts/run-qemu.sh" "${load[@]}" \
	--log "$out/load-iommu.log" --run reliability --edu 1 --timeout 600 --iommu --mem 3G \
	--append "udbtest.seed=$seed udbtest.only=import-release-cycles udbtest.cycles=100000" &
wait

for run in guest iommu; do
	judge_run reliability "$out" "$run"
done
[ -z "$load" ] || judge_run reliability "$out" load-iommu stock
finish
