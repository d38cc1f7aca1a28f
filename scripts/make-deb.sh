#!/usr/bin/env bash
# make deb: the Debian packages (debian/), built with dpkg-buildpackage from a
# copy of the sources in build/deb/: libuiodmabuf1, libuiodmabuf-dev,
# uio-dmabuf and uio-dmabuf-dkms. Prints the .changes file's path.
# DEB_BUILD_OPTIONS and the like pass through to dpkg-buildpackage.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
ver=$(sed -n '1s/^uio-dmabuf (\([^)]*\)).*/\1/p' "$top/debian/changelog")
src=$out/uio-dmabuf-$ver

rm -rf "$out"
mkdir -p "$src"
# The sources as a clean clone has them: what git tracks, and new files not ignored.
(cd "$top" && if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard
else
	find . -path ./build -prune -o -type f -print0
fi) | (cd "$top" && xargs -0 cp --parents -t "$src" 2>/dev/null || true)
[ -f "$src/debian/control" ] || { echo "make-deb: the sources could not be copied" >&2; exit 1; }
(cd "$src" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1) ||
	{ tail -40 "$out/build.log" >&2; echo "make-deb: dpkg-buildpackage failed ($out/build.log)" >&2; exit 1; }
ls "$out"/*.changes
