#!/usr/bin/env bash
# Print the path of a directory holding scripts/checkpatch.pl (with its data
# files) and scripts/kernel-doc from Debian's linux-source-6.12, extracting them
# once into the cache.
set -euo pipefail

cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
tarball=/usr/src/linux-source-6.12.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
dir=$cache/checkpatch-$srcver

if [ ! -x "$dir/scripts/checkpatch.pl" ] || [ ! -x "$dir/scripts/kernel-doc" ]; then
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	tar -xf "$tarball" -C "$dir.tmp" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' '*/Documentation/dev-tools/checkpatch.rst' \
		'*/scripts/kernel-doc'
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
