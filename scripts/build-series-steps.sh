#!/usr/bin/env bash
# Every patch of the series builds on its own, as `git rebase -x make` would
# check it: the series is applied patch by patch to current mainline's pristine
# files, and after each patch that touches drivers/uio the driver's files as
# that patch leaves them (and the KUnit suite, once it is there) are built
# against the modules_prepare'd mainline tree with W=1, without compat/; the
# last patch with sparse too (the series' end state, which check-build and
# build-kernel.sh also build with sparse). A patch that does not build alone,
# or warns, fails the step.
# Usage: build-series-steps.sh PATCHDIR PRISTINE PREPARED_TREE
# Prints "step NNNN: ok (S s)" or "step NNNN: FAILED" with the warnings, and
# exits nonzero when a step failed.
set -uo pipefail

[ $# = 3 ] || { echo "usage: build-series-steps.sh PATCHDIR PRISTINE PREPARED_TREE" >&2; exit 2; }
patches=$(cd "$1" && pwd) pristine=$2 kdir=$3
top=$(cd "$(dirname "$0")/.." && pwd)
# modpost's notes about a module built apart from the tree it links against.
modpost_ok='^WARNING: ([^ ]*Module\.symvers is missing|modpost: "[a-z_0-9]+" \[[^]]*uio_dmabuf(_kunit)?\.ko\] undefined!|modpost: uio_dmabuf(_kunit)?\.ko: symbol .[a-z_0-9]+. undefined!|modpost: suppressed [0-9]+ unresolved symbol warnings)'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/stage
mkdir -p "$stage"
cp -a "$pristine/." "$stage/"
failed=0
last=$(ls "$patches"/000[1-9]*.patch | tail -n1)
for p in "$patches"/000[1-9]*.patch; do
	step=$(basename "$p" | cut -c1-4)
	(cd "$stage" && git apply "$p") || { echo "step $step: does not apply"; exit 1; }
	grep -q '^+++ b/drivers/uio/' "$p" || continue
	# The out-of-tree shape of the staged driver: its files, the Makefile
	# lines the series added, the UAPI header, and the project's Kbuild.
	b=$work/build-$step
	mkdir -p "$b/kernel" "$b/include/uapi/linux"
	cp "$stage"/drivers/uio/uio_dmabuf* "$b/kernel/"
	[ -d "$stage/drivers/uio/tests" ] && cp -r "$stage/drivers/uio/tests" "$b/kernel/"
	# The series appends its lines to drivers/uio/Makefile.
	sed -n '/uio_dmabuf/,$p' "$stage/drivers/uio/Makefile" >"$b/kernel/Makefile"
	cp "$top/kernel/Kbuild" "$b/kernel/"
	cp "$stage/include/uapi/linux/uio_dmabuf.h" "$b/include/uapi/linux/"
	kunit=() sparse=()
	[ -d "$b/kernel/tests" ] && kunit=(CONFIG_UIO_DMABUF_KUNIT_TEST=m)
	[ "$p" = "$last" ] && sparse=(C=2)
	start=$(date +%s)
	make -C "$kdir" M="$b/kernel" W=1 "${sparse[@]}" UIO_DMABUF_NO_COMPAT=1 KBUILD_MODPOST_WARN=1 \
		"${kunit[@]}" modules >"$b.log" 2>&1
	rc=$?
	[ -f "$b/kernel/uio_dmabuf.ko" ] || rc=1
	warn=$(grep -E 'warning:|error:|WARNING' "$b.log" | grep -vE "$modpost_ok")
	if [ "$rc" = 0 ] && [ -z "$warn" ]; then
		echo "step $step: ok ($(($(date +%s) - start)) s${sparse:+, with sparse})"
	else
		echo "step $step: FAILED"
		{ [ -n "$warn" ] && echo "$warn" || tail -20 "$b.log"; } | head -20 | sed 's/^/  /'
		failed=1
	fi
done
exit "$failed"
