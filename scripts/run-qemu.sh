#!/usr/bin/env bash
# Boot a kernel with an initramfs in QEMU (TCG) with the edu device, and save
# the serial console to a log file. The guest's /init runs the parts named by
# --run and powers off.
#
# The guest's second serial port (ttyS1) is a data channel for test results,
# free of kernel messages: it is saved to LOG.data.
#
# Usage: run-qemu.sh --kernel bzImage --initrd cpio.gz --log FILE
#                    [--run kunit,smoke,cli] [--iommu] [--iommu-lazy] [--no-intremap]
#                    [--bridge] [--external] [--e1000e] [--arm64] [--dtb FILE] [--modargs a=1,b=2]
#                    [--edu N] [--edu-mask HEX] [--icount] [--mem 2G]
#                    [--timeout SECONDS] [--append "more args"]
#   --iommu       a virtual Intel IOMMU with interrupt remapping and strict
#                 domains: the devices are isolated
#   --iommu-lazy  the same with the x86 default, lazy (DMA-FQ) domains
#   --no-intremap with --iommu: no interrupt remapping (MSI not isolated)
#   --bridge      one more edu behind a PCI bridge beside an e1000, all three
#                 in one IOMMU group (no function can be reset alone)
#   --external    one more edu behind a PCIe root port at 00:10.0 that an SSDT of
#                 ours (tests/security/external-port.asl, compiled by iasl)
#                 marks as an ExternalFacingPort: Linux treats the edu as
#                 untrusted
#   --group       behind a PCIe root port, one slot of three functions in one
#                 IOMMU group: two e1000e (each with a PM reset) and an e1000;
#                 and an e1000 alone behind a root port of its own (a bus
#                 reset, which resets its registers in QEMU)
#   --e1000e      an e1000e as well (82574L: five MSI-X vectors)
#   --p2p FILE    one more edu behind a PCI bridge (no ACS) beside an
#                 ivshmem-plain whose BAR 2 is 1 MiB of the host file FILE
#                 (created, shared with the guest): a peer-to-peer pair
#   --p2p-apart FILE  the same pair, each behind a PCIe root port of its own
#                 (IOMMU groups of their own; P2P through the host bridge)
#   --cpu MODEL   the CPU model instead of max (EPYC: an AMD Zen, whose host
#                 bridge Linux trusts with peer-to-peer DMA)
#   --arm64       qemu-system-aarch64's virt machine (GICv3 with its ITS) and an
#                 arm64 Image: --iommu puts its SMMUv3 in front of PCIe, the
#                 console is ttyAMA0, and the data channel a virtio console
#                 (/dev/hvc0); --dtb FILE replaces the machine's device tree
# Each edu sits alone behind a PCIe root port of its own, as a card in a slot:
# a bus reset resets it alone.
#   --icount  -icount shift=auto,sleep=off: edu completes DMA on a timer of the
#             virtual clock, which then jumps ahead while the guest waits
#   --instructions  -icount shift=0,sleep=off,align=off: the virtual clock
#             advances 1 ns per guest instruction, so that the guest's clock
#             counts instructions: deterministic figures (make bench's
#             BENCH_INSTRUCTIONS=1); one vCPU runs at a time
set -euo pipefail

kernel= initrd= log= run= iommu=0 modargs= mem=2G timeout=900 append= edu=2 edu_mask=0xffffffff icount=0
lazy=0 intremap=on bridge=0 external=0 group=0 e1000e=0 arm64=0 dtb= p2p= p2p_apart=0 cpu=max,la57=off
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--run) run=$2; shift 2 ;;
	--iommu) iommu=1; shift ;;
	--iommu-lazy) iommu=1; lazy=1; shift ;;
	--no-intremap) intremap=off; shift ;;
	--bridge) bridge=1; shift ;;
	--external) external=1; shift ;;
	--group) group=1; shift ;;
	--e1000e) e1000e=1; shift ;;
	--p2p) p2p=$2; shift 2 ;;
	--p2p-apart) p2p=$2; p2p_apart=1; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--arm64) arm64=1; shift ;;
	--dtb) dtb=$2; shift 2 ;;
	--modargs) modargs=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--edu) edu=$2; shift 2 ;;
	--edu-mask) edu_mask=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--instructions) icount=exact; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	*) echo "run-qemu: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$initrd" ] && [ -n "$log" ] || {
	echo "run-qemu: --kernel, --initrd and --log are required" >&2
	exit 2
}

# A ring of 1 MiB: tests count lines of the whole boot in dmesg, and the
# default 128 KiB wraps in the long runs (reliability's fault injection).
cmdline="console=ttyS0 panic=-1 cma=64M log_buf_len=1M udbtest.run=$run"
[ -n "$modargs" ] && cmdline="$cmdline udbtest.modargs=$modargs"
# No 5-level paging (LA57): in a kernel that boots with it, identify_cpu()
# clears the boot CPU's feature words, LA57 among them, after start_kernel()
# has enabled interrupts; an interrupt in that window sees pgtable_l5_enabled()
# false, so KASAN takes the 5-level direct map (0xff11...) for memory without
# shadow and reports a wild-memory-access (seen as a flake under load).
qemu=(qemu-system-x86_64 -cpu "$cpu")
machine=(-machine q35)
data=(-serial "file:$log.data")
if [ "$arm64" = 1 ]; then
	# The PL031 RTC on the virtual clock, which -icount runs ahead.
	qemu=(qemu-system-aarch64 -cpu cortex-a57 -rtc clock=vm)
	cmdline=${cmdline/console=ttyS0/console=ttyAMA0}
	m=virt,gic-version=3
	if [ "$iommu" = 1 ]; then
		m=$m,iommu=smmuv3
		cmdline="$cmdline iommu.strict=1"
	fi
	machine=(-machine "$m")
	[ -n "$dtb" ] && machine+=(-dtb "$dtb")
	data=(-device virtio-serial-device -chardev "file,id=data,path=$log.data"
	      -device virtconsole,chardev=data)
elif [ "$iommu" = 1 ]; then
	# Interrupt remapping needs the split irqchip (TCG accepts it as well).
	machine=(-machine q35,kernel-irqchip=split -device "intel-iommu,intremap=$intremap")
	cmdline="$cmdline intel_iommu=on iommu=nopt"
	[ "$lazy" = 1 ] || cmdline="$cmdline iommu.strict=1"
fi
[ -n "$append" ] && cmdline="$cmdline $append"

devices=() port=0
# A PCIe root port of its own (hotplug off: no slot events) for what follows.
root_port() {
	port=$((port + 1))
	devices+=(-device "pcie-root-port,id=rp$port,chassis=$port,hotplug=off")
}
for ((i = 0; i < edu; i++)); do
	root_port
	devices+=(-device "edu,bus=rp$port,dma_mask=$edu_mask")
done

[ "$bridge" = 1 ] && devices+=(-device pci-bridge,id=br,chassis_nr=1
	-device "edu,bus=br,addr=1,dma_mask=$edu_mask" -device e1000,bus=br,addr=2)
if [ "$external" = 1 ]; then
	# iasl cuts its output prefix's name at its last dot (LOG.ssdt would
	# give LOG.aml): a name without one, in the log's directory, removed
	# when QEMU is done.
	asl=$(cd "$(dirname "$0")/.." && pwd)/tests/security/external-port.asl
	(cd "$(dirname "$log")" && iasl -p "ssdt-$$" "$asl") >"$log.iasl" 2>&1 ||
		{ cat "$log.iasl" >&2; echo "run-qemu: iasl failed" >&2; exit 1; }
	ssdt=$(dirname "$log")/ssdt-$$.aml
	trap 'rm -f "$ssdt"' EXIT
	devices+=(-device "pcie-root-port,id=rpx,chassis=99,hotplug=off,addr=0x10"
		-device "edu,bus=rpx,dma_mask=$edu_mask" -acpitable "file=$ssdt")
fi
if [ "$group" = 1 ]; then
	root_port
	devices+=(-device "e1000e,bus=rp$port,addr=0.0,multifunction=on"
		-device "e1000e,bus=rp$port,addr=0.1" -device "e1000,bus=rp$port,addr=0.2")
	root_port
	devices+=(-device "e1000,bus=rp$port")
fi
[ "$e1000e" = 1 ] && devices+=(-device e1000e)
if [ -n "$p2p" ]; then
	truncate -s 1M "$p2p"
	devices+=(-object "memory-backend-file,id=p2pmem,mem-path=$p2p,size=1M,share=on")
	if [ "$p2p_apart" = 1 ]; then
		root_port
		devices+=(-device "edu,bus=rp$port,dma_mask=$edu_mask")
		root_port
		devices+=(-device "ivshmem-plain,memdev=p2pmem,bus=rp$port")
	else
		devices+=(-device pci-bridge,id=p2pbr,chassis_nr=2
			-device "edu,bus=p2pbr,addr=1,dma_mask=$edu_mask"
			-device ivshmem-plain,memdev=p2pmem,bus=p2pbr,addr=2)
	fi
fi
[ "$icount" = 1 ] && devices+=(-icount shift=auto,sleep=off)
[ "$icount" = exact ] && devices+=(-icount shift=0,sleep=off,align=off)

# TCG: KVM guests failed on this kind of machine (see ../shared/FACTS.md).
# A kernel that hangs before it starts init (seen under TCG on a loaded
# machine: a guest stuck early in boot, before any of ours ran) is no test
# result: after RUN_QEMU_BOOT_WAIT seconds (300) without "Run /init" the guest
# is stopped, its log kept as LOG.hung, and booted once more. A second such
# hang fails as a timeout does; anything from init on counts as it is.
boot_wait=${RUN_QEMU_BOOT_WAIT:-300}
for attempt in 1 2; do
	start=$(date +%s)
	hung=0
	set +e
	timeout --foreground "$timeout" "${qemu[@]}" \
		-accel tcg -smp 2 -m "$mem" "${machine[@]}" \
		-nographic -no-reboot -serial mon:stdio "${data[@]}" -display none \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		"${devices[@]}" \
		</dev/null >"$log" 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 2
		if [ $(($(date +%s) - start)) -ge "$boot_wait" ] &&
		   ! grep -aq 'Run /init as init process' "$log"; then
			hung=1
			kill "$qpid"
			break
		fi
	done
	wait "$qpid"
	rc=$?
	set -e
	echo "run-qemu: guest ran $(($(date +%s) - start)) s, qemu exit $rc, log $log" >&2
	[ "$hung" = 1 ] || break
	cp "$log" "$log.hung"
	echo "run-qemu: the kernel did not reach init in $boot_wait s (attempt $attempt, log $log.hung)" >&2
	rc=124
done
[ "$rc" = 124 ] && { echo "run-qemu: timed out after $timeout s" >&2; exit 1; }
exit 0
