#!/usr/bin/env bash
# The newest linux-source-7.* of Debian's unstable and experimental suites
# (current mainline), fetched with a private apt configuration and unpacked
# into the cache, keyed by its version:
#   $UIO_DMABUF_CACHE/mainline-apt/      sources list, lists and apt's cache
#   $UIO_DMABUF_CACHE/mainline-<version>/linux/   the unpacked tree
#   $UIO_DMABUF_CACHE/mainline-<version>/pristine/   the files the series
#       touches or consults (export-patches --base), as pristine-<6.12 version>
# The system's apt never sees unstable or experimental: the sources list,
# the lists directory and the package cache are the private ones, the mirror
# is the one of the machine's own sources, the keyring the installed
# debian-archive-keyring. When the archive cannot be reached, the newest tree
# already cached is used.
# Prints the tree's path on the last line of stdout (the version is in
# its .uio-dmabuf-version). UIO_DMABUF_MAINLINE_TREE, when it names such a
# tree, is the answer without asking the archive: check.sh resolves the tree
# once, so that every part of a run tests the same version.
# Usage: fetch-mainline.sh [--print-version]
set -euo pipefail

cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
apt=$cache/mainline-apt
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
log() { echo "fetch-mainline: $*" >&2; }

# pristine DIR: what the series touches or consults (export-patches
# --base-paths) copied from DIR/linux to DIR/pristine, once.
pristine() {
	local p
	for p in $("$(dirname "$0")/export-patches" --base-paths); do
		[ -e "$1/pristine/$p" ] && continue
		mkdir -p "$1/pristine/$(dirname "$p")"
		cp -a "$1/linux/$p" "$1/pristine/$p"
	done
}

# The mirror: the first Debian URI of the system's sources (deb822 or one-line).
mirror=$( { sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null
	    sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list 2>/dev/null; } | grep -v security | head -n1) || true
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

if [ -n "${UIO_DMABUF_MAINLINE_TREE:-}" ] && [ "${1:-}" != --print-version ] &&
	[ -f "$UIO_DMABUF_MAINLINE_TREE/.uio-dmabuf-version" ]; then
	pristine "$(dirname "$UIO_DMABUF_MAINLINE_TREE")"
	echo "$UIO_DMABUF_MAINLINE_TREE"
	exit 0
fi

mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc/preferences.d"
cat >"$apt/etc/sources.list" <<EOF
deb [arch=amd64 signed-by=$keyring] $mirror unstable main
deb [arch=amd64 signed-by=$keyring] $mirror experimental main
EOF
opts=(-o "Dir::Etc::sourcelist=$apt/etc/sources.list" -o Dir::Etc::sourceparts=-
      -o "Dir::Etc::preferencesparts=$apt/etc/preferences.d"
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
      -o Acquire::Languages=none -o APT::Get::List-Cleanup=false)

# cached_newest: the newest tree unpacked before, or nothing.
cached_newest() {
	local d
	for d in "$cache"/mainline-*/linux/.uio-dmabuf-version; do
		[ -f "$d" ] && echo "$(cat "$d") $(dirname "$d")"
	done | sort -V -k1,1 | tail -n1 | cut -d' ' -f2
}

if ! apt-get "${opts[@]}" -qq update >"$apt/update.log" 2>&1; then
	tree=$(cached_newest)
	[ -n "$tree" ] || { cat "$apt/update.log" >&2; log "the archive cannot be reached and nothing is cached"; exit 1; }
	log "the archive cannot be reached: using the cached $(cat "$tree/.uio-dmabuf-version")"
	pristine "$(dirname "$tree")"
	echo "$tree"
	exit 0
fi

# Every version of every linux-source-7.N, newest last.
newest=$(apt-cache "${opts[@]}" show 'linux-source-7.*' 2>/dev/null |
	awk '/^Package: / { p = $2 } /^Version: / { print p, $2 }' |
	grep -E '^linux-source-7\.[0-9]+ ' | sort -V -k2,2 | tail -n1)
[ -n "$newest" ] || { log "no linux-source-7.* in unstable or experimental"; exit 1; }
pkg=${newest% *} ver=${newest#* }
[ "${1:-}" = --print-version ] && { echo "$pkg $ver"; exit 0; }

dir=$cache/mainline-$(echo "$ver" | tr '~:' '-_')
tree=$dir/linux
if [ -f "$tree/.uio-dmabuf-version" ]; then
	pristine "$dir"
	log "cached: $pkg $ver in $tree"
	echo "$tree"
	exit 0
fi

log "downloading $pkg $ver from $mirror"
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/deb"
(cd "$dir.tmp/deb" && apt-get "${opts[@]}" -qq download "$pkg=$ver") >&2
dpkg -x "$dir.tmp"/deb/*.deb "$dir.tmp/deb/root"
tarball=$(ls "$dir.tmp"/deb/root/usr/src/linux-source-7.*.tar.* | head -n1)
log "unpacking $(basename "$tarball")"
mkdir -p "$dir.tmp/src"
tar -xf "$tarball" -C "$dir.tmp/src"
mv "$dir.tmp/src"/linux-source-* "$dir.tmp/linux"
pristine "$dir.tmp"
echo "$ver" >"$dir.tmp/linux/.uio-dmabuf-version"
rm -rf "$dir.tmp/deb" "$dir.tmp/src" "$dir"
mv "$dir.tmp" "$dir"
log "unpacked $pkg $ver in $tree"
echo "$tree"
