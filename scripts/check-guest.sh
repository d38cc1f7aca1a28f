#!/usr/bin/env bash
# Boot the debug test kernel in QEMU with two edu devices: run the KUnit suites
# (uio_dmabuf_kunit.ko; every suite of kernel/tests/ must pass), bind edu to
# uio_dmabuf, run the smoke test and the CLI tests, bind an e1000e with
# irq_mode=msix and run the MSI-X eventfd test (tests/msix), then judge the
# guest log; then boot current mainline's test kernel for the KUnit suites
# and the smoke test; the two boots run side by side. Prints the KTAP summary
# of kunit.py, the smoke, CLI and MSI-X TAP, the guest-log verdicts and
# "check-guest: P passed, F failed".
set -uo pipefail

part=guest
. "$(dirname "$0")/lib.sh"
out=$top/build/check-guest
mkdir -p "$out"
stage_guest "$out"
kout612=$kout initrd612=$initrd
# Current mainline's test kernel (build-kernel.sh --mainline): the KUnit
# suites and the smoke test, judged the same way.
stage_guest "$out" --mainline
echo "mainline: $(cat "$kout/version")"

"$top/scripts/run-qemu.sh" --kernel "$kout612/bzImage" --initrd "$initrd612" \
	--log "$out/guest.log" --run kunit,smoke,cli,msix --e1000e --modargs allow_unsafe_noiommu=1 \
	--timeout 900 &
"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$initrd" \
	--log "$out/mainline.log" --run kunit,smoke --modargs allow_unsafe_noiommu=1 --timeout 900 &
wait
tr -d '\r' <"$out/guest.log" >"$out/guest.clean.log"

judge_kunit "$out/guest.clean.log" "$out"

# The TAP of the smoke and MSI-X tests, from the console.
judge_tap smoke "$out/guest.clean.log" "$out"
judge_tap msix "$out/guest.clean.log" "$out"

# CLI tests: records from the data channel, judged by a separate JSON parser.
python3 "$top/tests/cli/check-cli.py" "$out/guest.log.data" >"$out/cli.tap"
grep -E '^(not ok|#)' "$out/cli.tap"
cli=$(tail -n1 "$out/cli.tap")
echo "${cli:-cli: no result}"
count cli "$out/cli.tap"

# The whole guest log: debug reports, DMA-API error count, kmemleak.
judge_log "$out/guest.log"

tr -d '\r' <"$out/mainline.log" >"$out/mainline.clean.log"
mkdir -p "$out/mainline"
judge_kunit "$out/mainline.clean.log" "$out/mainline"
judge_tap smoke "$out/mainline.clean.log" "$out/mainline"
judge_log "$out/mainline.log"
finish
