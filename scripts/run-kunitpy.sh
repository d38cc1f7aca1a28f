#!/usr/bin/env bash
# Run the KUnit suites as a kernel developer would, in the tree the series
# applies to: tools/testing/kunit/kunit.py run --kunitconfig=drivers/uio/tests
# (the series' .kunitconfig) on x86_64 under QEMU. The source tree is the
# pristine linux-source-6.12 plus the series, shared with build-nopci.sh and
# never built in place; kunit.py's build directory is cached beside it, so a
# second run rebuilds only what the series changed.
# Usage: run-kunitpy.sh PATCHDIR    (prints kunit.py's output)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
patches=$1
cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
src=$cache/series-$srcver
jobs=${JOBS:-$(nproc)}

"$top/scripts/apply-series.sh" "$src" "$patches" "$cache/pristine-$srcver" >/dev/null
cd "$src"
# kunit.py's own x86_64 QEMU config boots qboot, silent under TCG: ours does not.
exec python3 tools/testing/kunit/kunit.py run --kunitconfig=drivers/uio/tests \
	--arch=x86_64 --qemu_config="$top/scripts/kunit-x86_64.py" \
	--build_dir="$cache/kunit-$srcver" --jobs="$jobs" --timeout=600
