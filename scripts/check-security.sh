#!/usr/bin/env bash
# The trust boundary (tests/security): three boots of the debug test kernel,
# each judged by its case table and its guest log.
#   isolated:   virtual Intel IOMMU with interrupt remapping, lazy domains (the
#               x86 default), edu alone behind a root port, a second edu behind
#               a PCI bridge beside an e1000 (neither can be reset alone), a
#               slot of two e1000e and an e1000 in one group, an e1000 alone
#               behind a root port, and an edu behind a root port that an SSDT
#               marks external-facing (untrusted: strict, its mappings need
#               SYNC); an unprivileged user imports and
#               runs edu DMA once the group is strict, and loses the import when
#               the domain turns lazy or a kernel driver binds to a sibling; a
#               group has one owner; the device is reset between users
#   nointremap: strict domains without interrupt remapping
#   noiommu:    no IOMMU
# Prints every case table, the guest-log verdicts and
# "check-security: P passed, F failed".
set -uo pipefail

part=security
. "$(dirname "$0")/lib.sh"
out=$(suite_out security)
stage_suite "$out"
rm -f "$out"/*.log.data

boot() {
	local name=$1
	shift
	"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$initrd" \
		--log "$out/$name.log" --run security --edu 1 --timeout 900 \
		--append "udbtest.security_boot=$name" "$@"
}
boot isolated --iommu-lazy --bridge --group --external --icount &
{ boot nointremap --iommu --no-intremap; boot noiommu; } &
wait

for name in isolated nointremap noiommu; do
	judge_run security "$out" "$name"
done
finish
