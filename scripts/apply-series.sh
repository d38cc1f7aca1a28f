#!/usr/bin/env bash
# Apply the series to a kernel source tree the way a maintainer would get it
# (unpacking Debian's linux-source-6.12 into TREE first if TREE is empty, or
# copying the tree APPLY_SERIES_SOURCE names, current mainline's),
# touching only what changed: the patches are applied with git apply to a copy
# of the pristine files, then copied into TREE where they differ (unchanged
# files keep their timestamps, so make rebuilds only what changed). Files an
# earlier series added and this one does not are restored or removed.
# With --stage, only the first half: the pristine files with the series
# applied, in the empty directory STAGE (git apply --check, then git apply,
# patch by patch; every file the series names must exist afterwards).
# Usage: apply-series.sh TREE PATCHDIR PRISTINE    (prints the files touched)
#        apply-series.sh --stage STAGE PATCHDIR PRISTINE
set -euo pipefail

stage_only=
if [ "${1:-}" = --stage ]; then
	stage_only=1
	shift
fi
[ $# = 3 ] || { echo "usage: apply-series.sh [--stage] TREE PATCHDIR PRISTINE" >&2; exit 2; }
tree=$1 patches=$(cd "$2" && pwd) pristine=$3
files=$(cat "$patches"/000[1-9]*.patch | sed -n 's|^+++ b/||p' | LC_ALL=C sort -u)
[ -n "$files" ] || { echo "apply-series: no file in the patches of $patches" >&2; exit 1; }

# apply_to STAGE: the series on a copy of the pristine files, outside any git
# work tree (inside one, git apply would skip them).
apply_to() {
	local p f
	cp -a "$pristine/." "$1/"
	for p in "$patches"/000[1-9]*.patch; do
		(cd "$1" && git apply --check "$p" && git apply "$p") ||
			{ echo "apply-series: $(basename "$p") does not apply to $pristine" >&2; return 1; }
	done
	for f in $files; do
		[ -f "$1/$f" ] || { echo "apply-series: $f missing after git apply" >&2; return 1; }
	done
}

if [ -n "$stage_only" ]; then
	apply_to "$tree"
	exit
fi
if [ ! -f "$tree/Makefile" ]; then
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp"
	if [ -n "${APPLY_SERIES_SOURCE:-}" ]; then
		echo "apply-series: copying $APPLY_SERIES_SOURCE into $tree" >&2
		cp -a "$APPLY_SERIES_SOURCE/." "$tree.tmp/"
	else
		echo "apply-series: unpacking linux-source into $tree" >&2
		tar -xf /usr/src/linux-source-6.12.tar.xz -C "$tree.tmp" --strip-components=1
	fi
	mv "$tree.tmp" "$tree"
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
apply_to "$stage"
list=$tree/.uio-dmabuf-series
for f in $( (cat "$list" 2>/dev/null || true; echo "$files") | LC_ALL=C sort -u); do
	if [ -f "$stage/$f" ]; then
		mkdir -p "$(dirname "$tree/$f")"
		cmp -s "$stage/$f" "$tree/$f" || cp "$stage/$f" "$tree/$f"
	elif [ -f "$pristine/$f" ]; then
		cp "$pristine/$f" "$tree/$f"
	else
		rm -f "$tree/$f"
	fi
done
echo "$files" >"$list"
echo "$files"
