#!/usr/bin/env bash
# arm64: the test kernel cross-built for QEMU's virt machine
# (scripts/arm64-kernel.config, cached like the x86 one), the guest programs
# cross-built static, and two boots side by side under TCG, each with edu on
# virt's PCIe:
#   arm64-smmu    behind the SMMUv3 (iommu=smmuv3, strict): the KUnit suites,
#                 and the e2e rows of the system and CMA heaps and udmabuf,
#                 waiting on edu's MSI through the GICv3 ITS (irq_mode=msi);
#   arm64-nosmmu  without an IOMMU (allow_unsafe_noiommu=1): the same rows on
#                 edu's INTx, and the PL031 RTC of virt's device tree as a
#                 platform device, bound through of_id= and through
#                 driver_override (tests/platform: its UIO map, its IRQ, an
#                 import). virt's device tree, dumped by QEMU, has the PL031 as
#                 an AMBA primecell; the boot gets a copy in which it is a
#                 platform device (compatible "arm,pl031" only).
# Prints the KTAP summary, the e2e table, the platform TAP, the guest-log
# verdicts and "check-arm64: P passed, F failed".
set -uo pipefail

part=arm64
. "$(dirname "$0")/lib.sh"
out=$top/build/check-arm64
cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
mkdir -p "$out"
seed=$(seed "${E2E_SEED:-}")
echo "arm64: seed $seed"

kout=$("$top/scripts/build-kernel.sh" --arm64 | tail -n1) || abort "arm64 kernel build failed"

# Debian's static busybox for arm64, unpacked from its package into the cache.
bbver=$(dpkg-query -W -f='${Version}' busybox-static)
busybox=$cache/busybox-arm64-$bbver/bin/busybox
if [ ! -x "$busybox" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q "busybox-static:arm64=$bbver") >/dev/null &&
		dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$cache/busybox-arm64-$bbver" ||
		{ rm -rf "$tmp"; abort "cannot fetch busybox-static:arm64 $bbver"; }
	rm -rf "$tmp"
fi
file -L "$busybox" | grep -q 'ARM aarch64' || abort "$busybox is not an arm64 program"

# The guest programs, static, for arm64 (their own build directory).
pc=$(arm64_pkg_config "$out")
make -s -C "$top" BUILD=build/arm64 CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar \
	PKG_CONFIG="$pc" guest-tools $top/build/arm64/guest/platform-test >"$out/tools.log" 2>&1 ||
	{ cat "$out/tools.log"; abort "the guest programs do not build for arm64"; }
BUSYBOX=$busybox "$top/scripts/mkinitramfs.sh" "$kout" "$out/initramfs.cpio.gz" \
	"$top"/build/arm64/guest/*

# virt's device tree with the PL031 as a platform device (no SMMU: platform
# devices are not behind it on virt anyway).
qemu-system-aarch64 -machine virt,gic-version=3,dumpdtb="$out/virt.dtb" -cpu cortex-a57 \
	-smp 2 -m 2G -nographic >/dev/null 2>&1
dtc -q -I dtb -O dts "$out/virt.dtb" >"$out/virt.dts" &&
	sed 's/compatible = "arm,pl031\\0arm,primecell";/compatible = "arm,pl031";/' \
		"$out/virt.dts" >"$out/platform.dts" &&
	grep -q 'compatible = "arm,pl031";' "$out/platform.dts" &&
	dtc -q -I dts -O dtb -o "$out/platform.dtb" "$out/platform.dts"
result $? "virt's device tree, dumped by QEMU, with its PL031 as a platform device"

# virt's device tree behind the SMMUv3, in which firmware keeps 64 KiB of RAM
# identity-mapped for the second edu, behind the root port at 00:03.0 (the
# default NIC takes 00:01.0), as an ACPI RMRR would on x86.
qemu-system-aarch64 -machine virt,gic-version=3,iommu=smmuv3,dumpdtb="$out/virt-smmu.dtb" \
	-cpu cortex-a57 -smp 2 -m 2G -nographic >/dev/null 2>&1
dtc -q -I dtb -O dts "$out/virt-smmu.dtb" >"$out/virt-smmu.dts" &&
	"$top/scripts/direct-dtb.py" "$out/virt-smmu.dts" "$out/direct.dts" 3,0 &&
	dtc -q -I dts -O dtb -o "$out/direct.dtb" "$out/direct.dts"
result $? "virt's device tree with a direct-mapped range for the second edu"

boot() {	# NAME PARTS [run-qemu options]
	local name=$1 parts=$2
	shift 2
	rm -f "$out/$name.log.data"
	"$top/scripts/run-qemu.sh" --arm64 --kernel "$kout/Image" --initrd "$out/initramfs.cpio.gz" \
		--log "$out/$name.log" --run "$parts" --icount --edu 1 --timeout 1500 \
		--append "udbtest.seed=$seed udbtest.matrix=nodrm udbtest.mask_bits=32 udbtest.platform_dev=9010000.pl031" \
		"$@"
}
boot arm64-smmu kunit,e2e,direct --iommu --edu 2 --dtb "$out/direct.dtb" --modargs irq_mode=msi &
boot arm64-nosmmu e2e,platform --dtb "$out/platform.dtb" --modargs allow_unsafe_noiommu=1 &
wait
for name in arm64-smmu arm64-nosmmu; do
	tr -d '\r' <"$out/$name.log" >"$out/$name.clean.log"
done

judge_kunit "$out/arm64-smmu.clean.log" "$out"
# The edu with the direct-mapped range: translated but not isolated, without
# UIO_DMABUF_INFO_NO_DIRECT (0x40), its group's region listed as direct, the
# open refused with the reason; the other edu has the flag.
direct_line() {	# yes|no: the record of the edu with or without the range
	sed -n "s/.*uio-dmabuf-guest: direct: [^ ]* uio[0-9]* region=$1 //p" \
		"$out/arm64-smmu.clean.log" | head -n1
}
with=$(direct_line yes) without=$(direct_line no)
flags=$(sed -n 's/^isolation=\(0x[0-9a-f]*\) .*/\1/p' <<<"$with")
[ -n "$flags" ] && (((flags & 0x41) == 0x1)) &&
	[[ "$with" == *"0x000000007ff00000 0x000000007ff0ffff direct"* ]]
result $? "arm64-smmu: an edu whose group has a direct-mapped range is not isolated (${with:-no record})"
flags=$(sed -n 's/^isolation=\(0x[0-9a-f]*\) .*/\1/p' <<<"$without")
[ -n "$flags" ] && (((flags & 0x41) == 0x41))
result $? "arm64-smmu: an edu without one has UIO_DMABUF_INFO_NO_DIRECT (${without:-no record})"
grep -q 'firmware keeps IOVA 0x000000007ff00000 (65536 bytes) of IOMMU group [0-9]* identity-mapped: not isolated' \
	"$out/arm64-smmu.clean.log" &&
	grep -q 'uio-dmabuf-guest: direct: open: .*identity-mapped.*reserved_regions' \
		"$out/arm64-smmu.clean.log"
result $? "arm64-smmu: the driver logs the range at bind, and the refused open names it"
grep -q 'uio-dmabuf-guest: irq: .*ITS-PCI-MSI' "$out/arm64-smmu.clean.log"
result $? "arm64-smmu: the rows waited on edu's MSI, through the GICv3 ITS"
grep -q 'uio-dmabuf-guest: irq: .*GICv3' "$out/arm64-nosmmu.clean.log"
result $? "arm64-nosmmu: the rows waited on edu's INTx, a GICv3 interrupt"
judge_tap platform "$out/arm64-nosmmu.clean.log" "$out"
for name in arm64-smmu arm64-nosmmu; do
	judge_log "$out/$name.log"
done
python3 "$top/scripts/e2e-report.py" \
	"arm64-smmu:arm64-6.12:smmuv3:32:full:$out/arm64-smmu.log.data" \
	"arm64-nosmmu:arm64-6.12:none:32:full:$out/arm64-nosmmu.log.data" >"$out/report.txt"
grep -vE '^ok ' "$out/report.txt"
count e2e "$out/report.txt"
finish
