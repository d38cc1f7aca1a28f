#!/usr/bin/env bash
# Build the benchmark's floor module (bench/kernel/uio_dmabuf_bench.ko) out of
# tree against KDIR (a built kernel tree or a linux-headers directory), with
# W=1 and sparse: any warning fails. Copies the .ko into OUTDIR.
# Usage: build-bench-module.sh KDIR OUTDIR
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1 out=$2
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
mkdir -p "$src/bench" "$out"
cp -r "$top/bench/kernel" "$src/bench/"
cp -r "$top/compat" "$src/"
if ! make -C "$kdir" M="$src/bench/kernel" W=1 C=2 modules >"$src/build.log" 2>&1 ||
	grep -E 'warning:|error:' "$src/build.log"; then
	cat "$src/build.log" >&2
	echo "build-bench-module: uio_dmabuf_bench.ko does not build cleanly against $kdir" >&2
	exit 1
fi
cp "$src/bench/kernel/uio_dmabuf_bench.ko" "$out/"
