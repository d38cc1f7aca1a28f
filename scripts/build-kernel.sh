#!/usr/bin/env bash
# Build the test kernel: Debian's linux-source-6.12 with scripts/test-kernel.config,
# and uio_dmabuf as a maintainer would get it: the series of scripts/export-patches
# applied to the pristine files it touches, then built with the kernel, and
# drivers/uio/ once more with W=1 and sparse.
#
# Two caches live outside the work tree, under $UIO_DMABUF_CACHE (default
# /var/cache/uio-dmabuf):
#   tree-<source version>-<config hash>/  the unpacked, built source tree; when only
#                                         our files change, only our objects rebuild;
#   out-<that>-<series hash>/             the image and our .ko files; when it exists,
#                                         nothing is built at all.
# Prints the output directory on the last line of stdout.
#
# --bench: the benchmark's kernel instead, the same fragment without its debug
#          options (everything from "# Debug options" on) plus
#          scripts/bench-kernel.config, in trees of its own; with --mainline,
#          current mainline's (make bench boots both).
# --arm64: the arm64 kernel for QEMU's virt machine instead (make check-arm64),
#          scripts/arm64-kernel.config cross-built with aarch64-linux-gnu-gcc,
#          in trees of its own; its image is Image instead of bzImage.
# --mainline: the test kernel of current mainline instead: the newest
#          linux-source-7.* (scripts/fetch-mainline.sh), the series exported
#          against it, the same fragment plus scripts/mainline-kernel.config
#          (VFIO, VFIO's no-IOMMU mode, P2P DMA), in trees of its own.
# --tree:  print the source tree's path (the tree out-of-tree modules for this
#          kernel are built against) instead of building.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
tarball=/usr/src/linux-source-6.12.tar.xz
fragment=$top/scripts/test-kernel.config
jobs=${JOBS:-$(nproc)}
arch=(ARCH=x86_64) image=bzImage image_path=arch/x86/boot/bzImage
print_tree=0 mainline=0 bench=0
for arg in "$@"; do
	case "$arg" in
	--bench) bench=1 ;;
	--arm64)
		fragment=$top/scripts/arm64-kernel.config
		arch=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		image=Image image_path=arch/arm64/boot/Image ;;
	--mainline) mainline=1 ;;
	--tree) print_tree=1 ;;
	*) echo "build-kernel: unknown argument $arg" >&2; exit 2 ;;
	esac
done
if [ "${#arch[@]}" = 2 ] && { [ "$bench" = 1 ] || [ "$mainline" = 1 ]; }; then
	echo "build-kernel: --arm64 goes with neither --bench nor --mainline" >&2
	exit 2
fi
# The fragments of --bench and --mainline, written to the cache (their hash
# names the trees). Symbols mainline no longer has ("# gone: CONFIG_X" in
# mainline-kernel.config) leave the 6.12 fragment.
if [ "$bench" = 1 ] || [ "$mainline" = 1 ]; then
	mkdir -p "$cache"
	name=kernel.config
	[ "$bench" = 0 ] || name=bench-$name
	[ "$mainline" = 0 ] || name=mainline-$name
	fragment=$cache/$name
	gone=$(sed -n 's/^# gone: \(CONFIG_[A-Z0-9_]*\).*/^\1=/p' "$top/scripts/mainline-kernel.config")
	{ if [ "$bench" = 1 ]; then
		sed '/^# Debug options/,$d' "$top/scripts/test-kernel.config"
	  else
		cat "$top/scripts/test-kernel.config"
	  fi | if [ "$mainline" = 1 ]; then grep -vE "${gone:-^\$^}"; else cat; fi
	  [ "$mainline" = 0 ] || cat "$top/scripts/mainline-kernel.config"
	  [ "$bench" = 0 ] || cat "$top/scripts/bench-kernel.config"; } >"$fragment.tmp"
	mv "$fragment.tmp" "$fragment"
fi

log() { echo "build-kernel: $*" >&2; }

if [ "$mainline" = 1 ]; then
	src=$("$top/scripts/fetch-mainline.sh" | tail -n1)
	srcver=mainline-$(cat "$src/.uio-dmabuf-version" | tr '~:' '-_')
	pristine=$(dirname "$src")/pristine	# export-patches' base
	patches=$("$top/scripts/export-patches" --base mainline -o "$top/build/patches-mainline")
	export APPLY_SERIES_SOURCE=$src
else
	[ -r "$tarball" ] || { log "missing $tarball (run scripts/deps.sh)"; exit 1; }
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	patches=$("$top/scripts/export-patches" --base 6.12 -o "$top/build/patches-6.12")
	pristine=$cache/pristine-$srcver	# what export-patches wrote the series against
fi
cfghash=$(sha256sum "$fragment" | cut -c1-12)
# The patches without their commit ids and dates, and the scripts that apply them.
drvhash=$(cat "$top/scripts/build-kernel.sh" "$top/scripts/apply-series.sh" \
	$(ls "$patches"/000[1-9]*.patch) |
	grep -vE '^(From [0-9a-f]{40} |Date: )' | sha256sum | cut -c1-12)
tree=$cache/tree-$srcver-$cfghash/linux
out=$cache/out-$srcver-$cfghash-$drvhash

if [ "$print_tree" = 1 ]; then
	echo "$tree"
	exit 0
fi
if [ -f "$out/$image" ]; then
	log "cached: $out"
	echo "$out"
	exit 0
fi

mkdir -p "$(dirname "$tree")"

# The source tree, and the series applied to the pristine files it touches.
files=$("$top/scripts/apply-series.sh" "$tree" "$patches" "$pristine")
# The layout before the series: drivers/uio/dmabuf/, sourced by a line in Kconfig.
rm -rf "$tree/drivers/uio/dmabuf"

# The fragment, merged on the defaults; then every line of it must have survived.
grep -E "^(CONFIG_|# CONFIG_)" "$fragment" >"$tree/.config"
make -C "$tree" -s "${arch[@]}" olddefconfig >&2
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*) grep -qxF "$line" "$tree/.config" || { log "not in .config: $line"; bad=1; } ;;
	"# CONFIG_"*)
		sym=${line#\# }; sym=${sym%% *}
		grep -q "^$sym=" "$tree/.config" && { log "set, wanted off: $sym"; bad=1; } ;;
	esac
done < <(grep -E '^(CONFIG_|# CONFIG_)' "$fragment")
[ "$bad" = 0 ] || { log "config fragment did not apply"; exit 1; }

log "building in $tree with $jobs jobs (log: $tree/build.log)"
start=$(date +%s)
if ! make -C "$tree" "${arch[@]}" -j"$jobs" "$image" modules >"$tree/build.log" 2>&1; then
	grep -E 'error|Error' "$tree/build.log" | head -40 >&2
	log "kernel build failed"
	exit 1
fi
log "built in $(($(date +%s) - start)) s"

# Our objects once more with W=1 and sparse: any warning in them fails. (Not
# all of drivers/uio: uio.o is built in, and rebuilding it would relink
# vmlinux. Sparse also checks what the build prepares first, such as arm64's
# vDSO, whose warnings are not ours.)
objs=$(echo "$files" | sed -n 's|^\(drivers/uio/.*\)\.c$|\1.o|p')
if ! make -C "$tree" "${arch[@]}" W=1 C=2 $objs >"$tree/w1.log" 2>&1 ||
	grep -qE '^drivers/uio/.*(warning|error):' "$tree/w1.log"; then
	grep -E 'warning:|error:' "$tree/w1.log" | head -40 >&2
	log "in-tree W=1/sparse build of the series has warnings"
	exit 1
fi
log "in-tree W=1 and sparse: no warnings in $(echo $objs | wc -w) objects of the series"

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cp "$tree/$image_path" "$tree/.config" "$tree/System.map" "$out.tmp/"
cp "$tree/drivers/uio/uio_dmabuf.ko" "$tree/drivers/uio/tests/uio_dmabuf_kunit.ko" "$out.tmp/"
echo "$srcver" >"$out.tmp/version"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
