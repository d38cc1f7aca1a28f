#!/usr/bin/env bash
# End-to-end DMA suite: QEMU's edu device copies data between imported buffers
# by DMA and the CPU checks every byte (tests/edu). Boots the debug test kernel
# without an IOMMU (allow_unsafe_noiommu=1) and behind a virtual Intel IOMMU,
# judges the records and the guest logs, and prints the summary table and
# "check-e2e: P passed, F failed".
#
# E2E_SEED=N fixes the seed of the random chunk sample (printed either way);
# UIO_DMABUF_E2E_BREAK=1 makes every row use one wrong address (the suite must fail).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/check-e2e
mkdir -p "$out"
seed=${E2E_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
brk=${UIO_DMABUF_E2E_BREAK:-0}
echo "e2e: seed $seed"
pass=0 fail=0

kout=$("$top/scripts/build-kernel.sh" | tail -n1) || { echo "check-e2e: 0 passed, 1 failed"; exit 1; }
make -s -C "$top" guest-tools >/dev/null || { echo "check-e2e: 0 passed, 1 failed"; exit 1; }
"$top/scripts/mkinitramfs.sh" "$kout" "$out/initramfs.cpio.gz" "$top"/build/guest/*

runs=()
boot() {
	local name=$1 iommu=$2
	shift 2
	rm -f "$out/$name.log.data"
	"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$out/initramfs.cpio.gz" \
		--log "$out/$name.log" --run e2e --icount --edu 1 --timeout 1200 \
		--append "uio_dmabuf.seed=$seed uio_dmabuf.break=$brk" "$@"
	runs+=("$name:debug-6.12:$iommu:32:$out/$name.log.data")
	echo "guest log of $name:"
	if "$top/scripts/check-guest-log.sh" "$out/$name.log"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}

boot debug-noiommu none --modargs allow_unsafe_noiommu=1
boot debug-viommu viommu --iommu

python3 "$top/scripts/e2e-report.py" "${runs[@]}" >"$out/report.txt"
grep -vE '^ok ' "$out/report.txt"
line=$(tail -n1 "$out/report.txt")
p=$(echo "$line" | sed -n 's/^e2e: \([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
[ -n "$p" ] || { p=0; f=1; }
pass=$((pass + p))
fail=$((fail + f))
echo "check-e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
