#!/usr/bin/env bash
# Run the KUnit suites as a kernel developer would, in the tree the series
# applies to: tools/testing/kunit/kunit.py run --kunitconfig=drivers/uio/tests
# (the series' .kunitconfig) on x86_64 under QEMU. The source tree is the
# pristine kernel plus the series, never built in place; kunit.py's build
# directory is cached beside it, so a second run rebuilds only what the series
# changed. The kernel is current mainline's (the newest linux-source-7.*,
# scripts/fetch-mainline.sh, the series exported against it), or with --6.12
# Debian's linux-source-6.12 (whose source tree build-nopci.sh shares).
# Usage: run-kunitpy.sh PATCHDIR [--6.12]    (prints kunit.py's output)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
patches=$1
cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
jobs=${JOBS:-$(nproc)}

if [ "${2:-}" = --6.12 ]; then
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	pristine=$cache/pristine-$srcver
else
	src=$("$top/scripts/fetch-mainline.sh" | tail -n1)
	srcver=mainline-$(tr '~:' '-_' <"$src/.uio-dmabuf-version")
	pristine=$(dirname "$src")/pristine
	export APPLY_SERIES_SOURCE=$src
fi
tree=$cache/series-$srcver
"$top/scripts/apply-series.sh" "$tree" "$patches" "$pristine" >/dev/null
cd "$tree"
echo "run-kunitpy: $tree"
# kunit.py's own x86_64 QEMU config boots qboot, silent under TCG: ours does not.
kunitpy=(python3 tools/testing/kunit/kunit.py run --kunitconfig=drivers/uio/tests
	 --arch=x86_64 --qemu_config="$top/scripts/kunit-x86_64.py"
	 --build_dir="$cache/kunit-$srcver" --jobs="$jobs" --timeout=600)
# 7.x's kunit.py asks QEMU for KVM first (-accel kvm -accel hvf -accel tcg).
# Where /dev/kvm exists but cannot run the guest (nested, as here: "KVM
# internal error. Suberror: 1 ... emulation failure" at 7.3's first
# cmpxchg16b), kunit.py runs in a mount namespace whose /dev/kvm is
# /dev/null: QEMU falls back to TCG, as every other guest of the suite runs.
if [ -e /dev/kvm ]; then
	exec unshare --mount sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' sh "${kunitpy[@]}"
fi
exec "${kunitpy[@]}"
