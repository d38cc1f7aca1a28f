#!/usr/bin/env bash
# Reliability matrix (tests/reliability): hostile input, lifetime, fault
# injection, races, load and the no-IOMMU security rules, in one boot of the
# debug test kernel with edu bound to uio_dmabuf, and the IOMMU cases in a
# second boot behind the virtual IOMMU. Prints the table of cases, the
# guest-log verdicts and "check-reliability: P passed, F failed".
#
# RELIABILITY_CYCLES sets the import/release cycles of the load case (default
# 15000: a cycle takes about 4.7 ms on the 7.3 debug kernel under TCG, and
# make check must stay within 20 minutes warm; make check-long uses 1000000);
# RELIABILITY_SEED the fuzz seed;
# RELIABILITY_ONLY=NAME runs the case NAME with the cases it shares its setup
# with (its group; or a group by name), in both boots (the boot that does not
# have it reports no case).
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

# Without an IOMMU (allow_unsafe_noiommu=1): everything but the IOMMU cases.
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$initrd" \
	--log "$out/guest.log" --run reliability --edu 1 --timeout 3600 \
	--modargs allow_unsafe_noiommu=1 --append "$knobs udbtest.cycles=$cycles" &
# Behind the virtual IOMMU, module parameter off: the IOMMU cases (edu DMA: -icount).
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$initrd" \
	--log "$out/iommu.log" --run reliability --edu 1 --timeout 1200 --iommu --icount \
	--append "$knobs udbtest.reliability_iommu=1" &
wait

for run in guest iommu; do
	judge_run reliability "$out" "$run"
done
finish
