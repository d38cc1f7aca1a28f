#!/usr/bin/env bash
# The benchmark's quick variant, so that it cannot rot: the debug test kernel
# (already built for the other parts) with the floor module built against it,
# one guest boot without an IOMMU and one behind the virtual IOMMU, each
# running bench/uio-dmabuf-bench --quick (one size per exporter, five runs).
# Prints the tables; asserts nothing about time, only that every section
# measured without an error and the guest logs are clean. The full benchmark
# is `make bench` (scripts/bench.sh).
set -uo pipefail

part=bench
. "$(dirname "$0")/lib.sh"
out=$top/build/check-bench
rm -rf "$out"
mkdir -p "$out"
stage_guest "$out"
tree=$("$top/scripts/build-kernel.sh" --tree)
mkdir -p "$out/modules"
cp "$kout"/*.ko "$out/modules/"
if "$top/scripts/build-bench-module.sh" "$tree" "$out/modules" 2>"$out/module.log"; then
	result 0 "bench/kernel/uio_dmabuf_bench.ko builds against the test kernel with W=1 and sparse"
else
	tail -20 "$out/module.log"
	result 1 "bench/kernel/uio_dmabuf_bench.ko builds against the test kernel with W=1 and sparse"
	finish
fi
"$top/scripts/mkinitramfs.sh" "$out/modules" "$out/initramfs.cpio.gz" "$top"/build/guest/*

# udmabuf's limits as module parameters: 65,536 list entries, 256 MiB.
args="udbtest.quick=1 udbtest.reps=5 udmabuf.list_limit=65536 udmabuf.size_limit_mb=256"
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$out/initramfs.cpio.gz" \
	--log "$out/noiommu.log" --run bench --edu 1 --modargs allow_unsafe_noiommu=1 \
	--append "$args udbtest.label=debug-noiommu" &
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$out/initramfs.cpio.gz" \
	--log "$out/viommu.log" --run bench --edu 1 --iommu \
	--append "$args udbtest.label=debug-viommu" &
wait

for name in noiommu viommu; do
	data=$out/$name.txt
	tr -d '\r' <"$out/$name.log.data" >"$data" 2>/dev/null
	echo "bench ($name):"
	grep -E '^(# |error: )' "$data"
	for section in roundtrip oldway segments live procs; do
		rows=$(grep -c "^csv,[^,]*,$section," "$data")
		[ "$rows" -gt 0 ]
		result $? "$name: section $section measured ($rows rows)"
	done
	grep -qx 'bench: 0 errors' "$data"
	result $? "$name: the benchmark ran to its end without an error"
	judge_log "$out/$name.log"
done
finish
