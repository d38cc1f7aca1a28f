#!/usr/bin/env bash
# make bench: the benchmark of bench/uio-dmabuf-bench in QEMU (TCG), one boot
# at a time so that no guest slows another:
#   bench-*     the 6.12 test kernel without its debug options
#               (build-kernel.sh --bench)
#   mainline-*  current mainline's test kernel without its debug options
#               (build-kernel.sh --bench --mainline)
#   stock-*     Debian's stock 6.12 kernel, the module built against its headers
# each without an IOMMU, behind the virtual Intel IOMMU with strict domains,
# and with lazy ones (for comparison; the node then opens only by the unsafe
# rule). The floor module is built against each kernel. Then
# scripts/bench-report.py writes docs/bench/: results.csv, summary.md (every
# target met or missed, with its ratio) and the plots (gnuplot).
# BENCH_REPS=N sets the runs per figure (default 21); BENCH_BOOTS="bench-strict
# ..." runs only those boots; BENCH_OUT=DIR writes there instead of docs/bench;
# BENCH_APPEND="udbtest.only=SECTION" (or udbtest.profile=FUNCTION) is added
# to each guest's command line. BENCH_INSTRUCTIONS=1 runs the guests with a
# virtual clock of one nanosecond per guest instruction (run-qemu.sh
# --instructions): every figure is then a count of guest instructions, the
# same from run to run, for taking a round trip apart; the procs section means
# nothing there (one vCPU runs at a time).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
docs=${BENCH_OUT:-$top/docs/bench}
reps=${BENCH_REPS:-21}
read -rd '' -a boots <<<"${BENCH_BOOTS:-bench-noiommu bench-strict bench-lazy mainline-noiommu mainline-strict mainline-lazy stock-noiommu stock-strict stock-lazy}"
log() { echo "bench: $*"; }
die() { echo "bench: $*" >&2; exit 1; }
[ "${#boots[@]}" -gt 0 ] || die "no boot in BENCH_BOOTS"
kinds=" "	# the kinds of the boots, checked here once
for boot in "${boots[@]}"; do
	case "$boot" in
	bench-* | mainline-* | stock-*) ;;
	*) die "unknown boot $boot" ;;
	esac
	case "${boot#*-}" in
	noiommu | strict | lazy) ;;
	*) die "unknown boot $boot" ;;
	esac
	kinds+="${boot%%-*} "
done

start=$(date +%s)
"$top/scripts/deps.sh" >/dev/null || die "dependencies could not be installed"
make -s -C "$top" guest-tools >/dev/null || die "the guest programs do not build"
rm -rf "$out"
mkdir -p "$out"

# A benchmark kernel (build-kernel.sh ARGS), its modules and the floor module,
# staged as KIND; sets kout_KIND.
stage_built() {	# KIND ARGS...
	local kind=$1 k
	shift
	k=$("$top/scripts/build-kernel.sh" "$@" | tail -n1) || die "the $kind kernel does not build"
	mkdir -p "$out/$kind-modules"
	cp "$k"/*.ko "$out/$kind-modules/"
	"$top/scripts/build-bench-module.sh" "$("$top/scripts/build-kernel.sh" "$@" --tree)" \
		"$out/$kind-modules" || die "the floor module does not build against the $kind kernel"
	"$top/scripts/mkinitramfs.sh" "$out/$kind-modules" "$out/$kind.cpio.gz" "$top"/build/guest/*
	printf -v "kout_$kind" %s "$k"
}
kout_bench= kout_mainline= stock_image=
case "$kinds" in *" bench "*) stage_built bench --bench ;; esac
case "$kinds" in *" mainline "*) stage_built mainline --bench --mainline ;; esac

# Debian's stock kernel, the driver and the floor module against its headers.
case "$kinds" in *" stock "*)
	stock_image=$("$top/scripts/stock-kernel.sh" "$out/stock-modules") ||
		die "the stock kernel could not be staged"
	"$top/scripts/build-bench-module.sh" \
		"$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -n1)" \
		"$out/stock-modules" || die "the floor module does not build against the stock headers"
	"$top/scripts/mkinitramfs.sh" "$out/stock-modules" "$out/stock.cpio.gz" "$top"/build/guest/* ;;
esac
log "kernels and modules staged in $(($(date +%s) - start)) s"

# udmabuf's limits for the segments section: 65,536 list entries, 256 MiB;
# CMA large enough for the 64 MiB buffers.
args="udbtest.reps=$reps udmabuf.list_limit=65536 udmabuf.size_limit_mb=256 cma=256M ${BENCH_APPEND:-}"
data=()
for boot in "${boots[@]}"; do
	kind=${boot%%-*} mode=${boot#*-}
	case "$kind" in
	bench) kernel=$kout_bench/bzImage initrd=$out/bench.cpio.gz ;;
	mainline) kernel=$kout_mainline/bzImage initrd=$out/mainline.cpio.gz ;;
	stock) kernel=$stock_image initrd=$out/stock.cpio.gz ;;
	esac
	case "$mode" in
	noiommu) opts=(--modargs allow_unsafe_noiommu=1) ;;
	strict) opts=(--iommu) ;;
	lazy) opts=(--iommu-lazy --modargs allow_unsafe_noiommu=1) ;;
	esac
	[ "${BENCH_INSTRUCTIONS:-0}" = 1 ] && opts+=(--instructions)
	t=$(date +%s)
	"$top/scripts/run-qemu.sh" --kernel "$kernel" --initrd "$initrd" --log "$out/$boot.log" \
		--run bench --edu 2 --mem 3G --timeout 1200 "${opts[@]}" \
		--append "$args udbtest.label=$boot" 2>/dev/null
	tr -d '\r' <"$out/$boot.log.data" >"$out/$boot.txt" 2>/dev/null
	grep -E '^(error: |bench: )' "$out/$boot.txt" | sed "s/^/  $boot: /"
	grep -q '^bench: ' "$out/$boot.txt" || log "$boot: the guest did not finish (see $out/$boot.log)"
	log "$boot: $(grep -c '^csv,' "$out/$boot.txt") rows in $(($(date +%s) - t)) s"
	data+=("$out/$boot.txt")
done

command="make bench"
[ "$reps" = 21 ] || command="BENCH_REPS=$reps $command"
[ -z "${BENCH_BOOTS:-}" ] || command="BENCH_BOOTS=\"${boots[*]}\" $command"
[ -z "${BENCH_APPEND:-}" ] || command="BENCH_APPEND=\"$BENCH_APPEND\" $command"
[ "${BENCH_INSTRUCTIONS:-0}" = 1 ] && command="BENCH_INSTRUCTIONS=1 $command"
mkdir -p "$docs"
BENCH_COMMAND="$command" python3 "$top/scripts/bench-report.py" "$docs" "${data[@]}" ||
	die "no report"
{
	echo "$command"
	echo "run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(qemu-system-x86_64 --version | head -n1)"
	[ -z "$kout_bench" ] || echo "bench kernel: $(cat "$kout_bench/version") (scripts/build-kernel.sh --bench)"
	[ -z "$kout_mainline" ] ||
		echo "mainline kernel: $(cat "$kout_mainline/version") (scripts/build-kernel.sh --bench --mainline)"
	[ -z "$stock_image" ] || echo "stock kernel: $(cat "$out/stock-modules/version")"
	echo "wall time: $(($(date +%s) - start)) s"
} >"$docs/command.txt"
cat "$docs/command.txt"
