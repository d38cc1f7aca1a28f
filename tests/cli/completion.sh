#!/usr/bin/env bash
# The bash completion of uio-dmabuf (userspace/completion/uio-dmabuf) on a fake
# /sys and /dev: prints TAP and "completion: P passed, F failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/sys/class/uio/uio0 "$root"/sys/class/uio/uio1 "$root"/dev/dma_heap \
	"$root"/dev/dri "$root"/sys/bus/pci/devices/0000:00:03.0/uio \
	"$root"/sys/bus/pci/devices/0000:00:05.0 "$root"/sys/bus/pci/drivers/uio_dmabuf \
	"$root"/sys/bus/platform/devices/fpga-dma
echo uio_dmabuf >"$root/sys/class/uio/uio0/name"
echo other_uio >"$root/sys/class/uio/uio1/name"
ln -s ../../devices/0000:00:03.0 "$root/sys/bus/pci/drivers/uio_dmabuf/0000:00:03.0"
touch "$root"/dev/dma_heap/system "$root"/dev/dma_heap/reserved "$root"/dev/dri/card0
export UIO_DMABUF_COMPLETION_ROOT=$root
# shellcheck source=/dev/null
. "$top/userspace/completion/uio-dmabuf"

pass=0 fail=0
# expect "LINE" "WORD..." : the completions of LINE (the cursor at its end) are
# exactly WORD..., as bash gets them: COMP_WORDS split at COMP_WORDBREAKS,
# which holds ':' as bash's default does, and each reply replacing only what
# follows the word's last colon.
COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
expect() {
	local line=$1 want got
	shift
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMP_WORDS=()
	COMP_CWORD=0
	COMPREPLY=()
	_uio_dmabuf
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort -u | xargs)
	want=$(printf '%s\n' "$@" | sort | xargs)
	if [ "$got" = "$want" ]; then
		echo "ok - completion of '$line'"
		pass=$((pass + 1))
	else
		echo "not ok - completion of '$line': got '$got', wanted '$want'"
		fail=$((fail + 1))
	fi
}

expect "uio-dmabuf " list heaps alloc import bind unbind help -j --json -V --version -h --help
expect "uio-dmabuf al" alloc
expect "uio-dmabuf -j li" list
expect "uio-dmabuf alloc --device " uio0
expect "uio-dmabuf alloc -d u" uio0
expect "uio-dmabuf alloc --heap " cma reserved system
expect "uio-dmabuf alloc --from " heap udmabuf drm drm:/dev/dri/card0
expect "uio-dmabuf alloc --direction t" to-device
expect "uio-dmabuf alloc -d uio0 --con" --contiguous
expect "uio-dmabuf import --f" --fd
expect "uio-dmabuf alloc -s "
expect "uio-dmabuf alloc -d uio0 -s 1M --hold -- uio-dmabu" uio-dmabuf
expect "uio-dmabuf alloc -d uio0 -s 1M --hold -- sh $root/dev/dri/c" "$root/dev/dri/card0"
expect "uio-dmabuf bind 0000" 0000:00:03.0 0000:00:05.0
expect "uio-dmabuf bind f" fpga-dma
expect "uio-dmabuf unbind 0" 0000:00:03.0
expect "uio-dmabuf bind 0000:00:0" 03.0 05.0
expect "uio-dmabuf unbind 0000:00:" 03.0
expect "uio-dmabuf alloc --from drm:/dev/d" /dev/dri/card0
expect "uio-dmabuf help u" unbind
echo "completion: $pass passed, $fail failed"
