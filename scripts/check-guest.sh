#!/usr/bin/env bash
# Boot the debug test kernel in QEMU with two edu devices: run the KUnit suites
# (uio_dmabuf_kunit.ko; every suite of kernel/tests/ must pass), bind edu to
# uio_dmabuf, run the smoke test and the CLI tests, bind an e1000e with
# irq_mode=msix and run the MSI-X eventfd test (tests/msix), then judge the
# guest log. Prints the KTAP summary of kunit.py, the smoke, CLI and MSI-X TAP,
# the guest-log verdict and "check-guest: P passed, F failed".
set -uo pipefail

part=guest
. "$(dirname "$0")/lib.sh"
out=$top/build/check-guest
mkdir -p "$out"
stage_guest "$out"

"$top/scripts/run-qemu.sh" --kernel "$kout/bzImage" --initrd "$out/initramfs.cpio.gz" \
	--log "$out/guest.log" --run kunit,smoke,cli,msix --e1000e --modargs allow_unsafe_noiommu=1 --timeout 900
tr -d '\r' <"$out/guest.log" >"$out/guest.clean.log"

# KUnit: the KTAP the module printed, parsed by the kernel's own kunit.py.
lsrc=$(ls -d "${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}"/tree-*/linux | head -n1)
sed -n '/uio-dmabuf-guest: kunit begin/,/uio-dmabuf-guest: kunit end/p' "$out/guest.clean.log" >"$out/kunit.ktap"
python3 "$lsrc/tools/testing/kunit/kunit.py" parse "$out/kunit.ktap" >"$out/kunit.txt" 2>&1
grep -E '\[(PASSED|FAILED|SKIPPED|CRASHED)\]|EXPECTATION FAILED|ASSERTION FAILED|Expected' "$out/kunit.txt" | sed 's/^\[[0-9:]*\] //'
summary=$(kunit_summary "$out/kunit.txt")
echo "KUnit: ${summary:-no KTAP result found}"
kpass=$(echo "$summary" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
kfail=$(echo "$summary" | sed -n 's/.*failed: \([0-9]*\).*/\1/p')
kcrash=$(echo "$summary" | sed -n 's/.*crashed: \([0-9]*\).*/\1/p')
missing=$(kunit_missing_suites "$out/kunit.txt")
[ -z "$missing" ] || echo "KUnit: suites that did not pass: $missing"
if [ -z "$kpass" ] || [ -n "$missing" ]; then
	fail=$((fail + 1))
else
	pass=$((pass + kpass))
	fail=$((fail + ${kfail:-0} + ${kcrash:-0}))
fi

# The TAP of the smoke and MSI-X tests, from the console.
for t in smoke msix; do
	sed -n "/uio-dmabuf-guest: $t begin/,/uio-dmabuf-guest: $t end/p" "$out/guest.clean.log" |
		grep -E '^(ok|not ok|#) ' >"$out/$t.tap"
	sed "s/^/$t: /" "$out/$t.tap"
	tpass=$(grep -c '^ok ' "$out/$t.tap")
	tfail=$(grep -c '^not ok ' "$out/$t.tap")
	[ "$tpass" -gt 0 ] || tfail=$((tfail + 1))
	pass=$((pass + tpass))
	fail=$((fail + tfail))
done

# CLI tests: records from the data channel, judged by a separate JSON parser.
python3 "$top/tests/cli/check-cli.py" "$out/guest.log.data" >"$out/cli.tap"
grep -E '^(not ok|#)' "$out/cli.tap"
cli=$(tail -n1 "$out/cli.tap")
echo "${cli:-cli: no result}"
count cli "$out/cli.tap"

# The whole guest log: debug reports, DMA-API error count, kmemleak.
judge_log "$out/guest.log"
finish
