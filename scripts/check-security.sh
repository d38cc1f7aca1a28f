#!/usr/bin/env bash
# The trust boundary (tests/security): three boots of the debug test kernel,
# each judged by its case table and its guest log.
#   isolated:   virtual Intel IOMMU with interrupt remapping, lazy domains (the
#               x86 default), edu alone in its group and a second edu behind a
#               PCI bridge beside an e1000; an unprivileged user imports and
#               runs edu DMA once the group is strict, and loses the import when
#               the domain turns lazy or a kernel driver binds to a sibling
#   nointremap: strict domains without interrupt remapping
#   noiommu:    no IOMMU
# Prints every case table, the guest-log verdicts and
# "check-security: P passed, F failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/tally.sh"
out=$top/build/check-security
mkdir -p "$out"
pass=0 fail=0

kout=$("$top/scripts/build-kernel.sh" | tail -n1) || { echo "check-security: 0 passed, 1 failed"; exit 1; }
make -s -C "$top" guest-tools >/dev/null || { echo "check-security: 0 passed, 1 failed"; exit 1; }
"$top/scripts/mkinitramfs.sh" "$kout" "$out/initramfs.cpio.gz" "$top"/build/guest/*
rm -f "$out"/*.log.data

boot() {
	local name=$1
	shift
	"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$out/initramfs.cpio.gz" \
		--log "$out/$name.log" --run security --edu 1 --timeout 900 \
		--append "uio_dmabuf.security_boot=$name" "$@"
}
boot isolated --iommu-lazy --bridge --icount &
{ boot nointremap --iommu --no-intremap; boot noiommu; } &
wait

for name in isolated nointremap noiommu; do
	tr -d '\r' <"$out/$name.log.data" >"$out/$name.txt" 2>/dev/null
	grep -vE '^ok ' "$out/$name.txt"
	grep -qE '^security: [0-9]+ passed' "$out/$name.txt" ||
		echo "security ($name): no result (the guest did not finish)"
	read -r p f < <(tally security "$out/$name.txt")
	pass=$((pass + p))
	fail=$((fail + f))
	echo "guest log of the $name boot:"
	if "$top/scripts/check-guest-log.sh" "$out/$name.log"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "check-security: $pass passed, $fail failed"
[ "$fail" = 0 ]
