#!/usr/bin/env bash
# The patch series a maintainer would receive (scripts/export-patches): it
# applies to a pristine linux-source-6.12 and to current mainline (the newest
# linux-source-7.*), every patch is checkpatch --strict clean, the UAPI
# header's kernel-doc and the new reStructuredText parse without warnings,
# every patch builds on its own against mainline,
# the KUnit suites pass under kunit.py with the series' .kunitconfig in
# mainline with the series applied,
# and the tree with the series applied builds (scripts/build-kernel.sh: the test
# kernel itself, our objects again with W=1 and sparse).
# Prints "ok"/"not ok" per check and "check-series: P passed, F failed".
set -uo pipefail

part=series
. "$(dirname "$0")/lib.sh"
out=$top/build/check-series
rm -rf "$out"
mkdir -p "$out"

cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
patches=$("$top/scripts/export-patches" --base 6.12 -o "$out/patches" 2>"$out/export.log")
result $? "scripts/export-patches writes the series ($(ls "$out"/patches/*.patch 2>/dev/null | wc -l) files)"
[ -n "$patches" ] || { cat "$out/export.log"; finish; }
pristine=$cache/pristine-$srcver

# git apply --check on the pristine files, then for real, patch by patch.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
"$top/scripts/apply-series.sh" --stage "$stage" "$patches" "$pristine" 2>"$out/apply.log"
rc=$?
[ "$rc" = 0 ] || head -20 "$out/apply.log"
result "$rc" "the series applies to pristine linux-source $srcver (git apply --check, then git apply)"

# The same series against current mainline, the newest linux-source-7.*.
msrc=$("$top/scripts/fetch-mainline.sh" 2>"$out/fetch-mainline.log" | tail -n1)
mver=$(cat "$msrc/.uio-dmabuf-version" 2>/dev/null)
mpatches=$("$top/scripts/export-patches" -o "$out/patches-mainline" 2>>"$out/export.log")
mstage=$(mktemp -d)
trap 'rm -rf "$stage" "$mstage"' EXIT
[ -n "$mver" ] && [ -n "$mpatches" ] &&
	"$top/scripts/apply-series.sh" --stage "$mstage" "$mpatches" "$(dirname "$msrc")/pristine" \
		2>"$out/apply-mainline.log"
rc=$?
[ "$rc" = 0 ] || cat "$out/fetch-mainline.log" "$out/apply-mainline.log" | tail -20
result "$rc" "the series applies to current mainline, linux-source ${mver:-(none fetched)} (git apply --check, then git apply)"

# Each patch on its own (git rebase -x make): the driver as each patch
# leaves it builds against the modules_prepare'd mainline tree, W=1 (the last
# patch with sparse).
prep=$("$top/scripts/mainline-prepare.sh" 2>"$out/mainline-prepare.log" | tail -n1)
if [ -n "$prep" ] && [ -n "$mpatches" ]; then
	"$top/scripts/build-series-steps.sh" "$mpatches" "$(dirname "$msrc")/pristine" "${prep#* }" \
		>"$out/steps.log" 2>&1
	rc=$?
	sed 's/^/  /' "$out/steps.log"
else
	tail -5 "$out/mainline-prepare.log"
	rc=1
fi
result "$rc" "every patch of the series against mainline ${mver:-(none)} builds on its own (W=1, the last with sparse, no warnings)"

# checkpatch_series TREE PATCHDIR LOGPREFIX [LABEL]: TREE's checkpatch.pl on
# every patch of PATCHDIR.
checkpatch_series() {
	local tree=$1 dir=$2 prefix=$3 label=${4:+ of $4} p log rc
	for p in "$dir"/000[1-9]*.patch; do
		[ -f "$p" ] || { result 1 "a series in $dir to check"; break; }
		log=$out/$prefix-$(basename "$p" .patch).log
		"$tree/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types "$p" >"$log" 2>&1
		rc=$?
		[ "$rc" = 0 ] || head -20 "$log"
		result "$rc" "checkpatch --strict$label: 0 errors, 0 warnings, 0 checks in $(basename "$p")"
	done
}
lsrc=$("$top/scripts/linux-scripts.sh")
checkpatch_series "$lsrc" "$patches" checkpatch
# Mainline's checkpatch.pl (newer rules) on the series made against mainline.
checkpatch_series "$msrc" "$mpatches" checkpatch-mainline "mainline $mver"

# kernel-doc of the applied UAPI header and driver, as make htmldocs reads them.
"$lsrc/scripts/kernel-doc" -none -Wall "$stage/include/uapi/linux/uio_dmabuf.h" \
	"$stage"/drivers/uio/uio_dmabuf_*.[ch] "$stage"/drivers/uio/tests/*.[ch] >"$out/kernel-doc.log" 2>&1
rc=$?
grep -q . "$out/kernel-doc.log" && rc=1
[ "$rc" = 0 ] || head -20 "$out/kernel-doc.log"
result "$rc" "scripts/kernel-doc -none -Wall: no warnings in the UAPI header, the driver and its tests"

"$top/scripts/check-rst.py" "$stage/Documentation/userspace-api/uio-dmabuf.rst" \
	"$stage/Documentation/userspace-api/ioctl/ioctl-number.rst" >"$out/rst.log" 2>&1
rc=$?
[ "$rc" = 0 ] || head -20 "$out/rst.log"
result "$rc" "docutils: uio-dmabuf.rst and ioctl-number.rst with the new row parse without warnings"

# A kernel without PCI (the PCI glue and its bus notifier are left out).
if nout=$("$top/scripts/build-nopci.sh" "$patches" 2>"$out/build-nopci.log"); then
	grep -E 'objects built' "$out/build-nopci.log" | sed 's/^/  /'
	result 0 "without CONFIG_PCI (x86_64 allnoconfig + UIO_DMABUF=m) the series' objects build with W=1 and sparse ($nout)"
else
	tail -20 "$out/build-nopci.log"
	result 1 "without CONFIG_PCI (x86_64 allnoconfig + UIO_DMABUF=m) the series' objects build with W=1 and sparse"
fi

# kunit.py as kernel developers run it, with the series' .kunitconfig, in
# current mainline with the series applied.
"$top/scripts/run-kunitpy.sh" "$mpatches" >"$out/kunitpy.log" 2>&1
rc=$?
summary=$(kunit_summary "$out/kunitpy.log")
echo "  kunit.py: ${summary:-no result} ($(grep -E 'Elapsed time' "$out/kunitpy.log" | sed 's/^\[[0-9:]*\] //'))"
missing=$(kunit_missing_suites "$out/kunitpy.log")
[ -n "$summary" ] && [ -z "$missing" ] || rc=1
[ -z "$missing" ] || echo "  suites that did not pass: $missing"
[ "$rc" = 0 ] || grep -E 'FAILED|CRASHED|ERROR|error:' "$out/kunitpy.log" | head -20
result "$rc" "kunit.py run --kunitconfig=drivers/uio/tests --arch=x86_64 in mainline $mver: every suite of the series passes"

# The tree: build-kernel.sh applies the same series to the pristine files it
# touches and builds the test kernel, then our objects with W=1 and sparse.
if kout=$("$top/scripts/build-kernel.sh" 2>"$out/build-kernel.log"); then
	grep -E 'in-tree W=1|cached' "$out/build-kernel.log" | sed 's/^/  /'
	result 0 "linux-source $srcver with the series builds; its objects have no W=1 or sparse warnings ($kout)"
else
	tail -20 "$out/build-kernel.log"
	result 1 "linux-source $srcver with the series builds; its objects have no W=1 or sparse warnings"
fi
finish
