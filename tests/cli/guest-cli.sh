#!/bin/sh
# Guest half of the CLI tests: runs uio-dmabuf cases on the edu device bound to
# uio_dmabuf and writes each case's exit status, stdout and stderr to the data
# channel (the second serial port); tests/cli/check-cli.py judges them on the host.
# Usage: guest-cli.sh DATA_TTY

out=${1:-/dev/ttyS1}
export UIO_DMABUF_CHECK_FDS=1	# a leaked descriptor makes the CLI exit 70

# case NAME COMMAND...: run, then write the record.
case_() {
	name=$1
	shift
	"$@" >/tmp/case.out 2>/tmp/case.err
	rc=$?
	{
		echo "@@CASE $name"
		echo "@@RC $rc"
		echo "@@STDOUT"
		cat /tmp/case.out
		echo "@@STDERR"
		cat /tmp/case.err
		echo "@@END"
	} >>"$out"
}

cli=/bin/uio-dmabuf
debugfs_imports() { cat /sys/kernel/debug/uio_dmabuf/*/imports; }

case_ help $cli --help
case_ alloc-help $cli alloc --help
case_ list $cli list --json
case_ list-table $cli list
case_ heaps $cli heaps --json
case_ system-16M $cli alloc --device uio0 --heap system --size 16M --json \
	--hold -- sh -c 'cat /sys/kernel/debug/uio_dmabuf/*/imports'
case_ system-16M-json $cli alloc --device uio0 --heap system --size 16M --json
case_ system-16M-table $cli alloc --device uio0 --heap system --size 16M
case_ cma-16M $cli alloc --device uio0 --heap cma --size 16M --json \
	--hold -- sh -c 'cat /sys/kernel/debug/uio_dmabuf/*/imports'
case_ cma-contiguous $cli alloc --device uio0 --heap cma --size 4M --contiguous --json
case_ udmabuf-coherent $cli alloc --device uio0 --from udmabuf --size 64K --coherent --json
case_ udmabuf-no-bounce $cli alloc --device uio0 --from udmabuf --size 64K --no-bounce
case_ udmabuf-1M $cli alloc --device uio0 --from udmabuf --size 1M --json \
	--hold -- sh -c 'cat /sys/kernel/debug/uio_dmabuf/*/imports'
case_ drm-1M $cli alloc --device uio0 --from drm --size 1M --json \
	--hold -- sh -c 'cat /sys/kernel/debug/uio_dmabuf/*/imports'
case_ hold-env $cli alloc --device /dev/uio0 --size 64K --hold -- \
	sh -c 'echo "HOLD fd=$UIO_DMABUF_FD buf=$UIO_DMABUF_BUF_FD handle=$UIO_DMABUF_HANDLE size=$UIO_DMABUF_SIZE dev=$UIO_DMABUF_DEVICE"; ls -l /proc/self/fd/$UIO_DMABUF_BUF_FD; exit 3'
case_ import-fd sh -c "exec /bin/heap-helper hold system 1048576 -- $cli import --device uio1 --fd 3 --json"
case_ import-busy $cli alloc --device uio0 --size 1M --hold -- \
	sh -c "$cli import --device uio0 --fd \$UIO_DMABUF_BUF_FD"
# A fresh guest's system heap often hands out 64 MiB in one physically
# contiguous run; holes left by freed 1 MiB buffers make it scattered.
case_ fragmented-64M /bin/heap-helper fragment 160 1048576 -- \
	$cli alloc --device uio0 --heap system --size 64M --json
case_ contiguous-64M /bin/heap-helper fragment 160 1048576 -- \
	$cli alloc --device uio0 --heap system --size 64M --contiguous
case_ contiguous-64M-json /bin/heap-helper fragment 160 1048576 -- \
	$cli alloc --device uio0 --heap system --size 64M --contiguous --json
case_ contiguous-udmabuf $cli alloc --device uio0 --from udmabuf --size 16M --contiguous
case_ bad-heap $cli alloc --device uio0 --heap nosuch --size 1M
case_ bad-heap-json $cli alloc --device uio0 --heap nosuch --size 1M --json
case_ size-0 $cli alloc --device uio0 --size 0
case_ size-0-json $cli alloc --device uio0 --size 0 --json
case_ size-huge $cli alloc --device uio0 --size 64G
case_ size-huge-json $cli alloc --device uio0 --size 64G --json
case_ no-device $cli alloc --device uio7 --size 1M
case_ no-device-json $cli alloc --device uio7 --size 1M --json
case_ not-dmabuf sh -c "exec $cli import --device uio0 --fd 3 3</init"
case_ not-dmabuf-json sh -c "exec $cli import --device uio0 --fd 3 --json 3</init"
case_ closed-fd $cli import --device uio0 --fd 9
case_ closed-fd-json $cli import --device uio0 --fd 9 --json
# fd 3 is closed, and the lowest free number: the node must not take it first.
case_ closed-fd3 $cli import --device uio0 --fd 3
case_ closed-fd3-json $cli import --device uio0 --fd 3 --json
case_ hold-noent $cli alloc -d uio0 -s 64K --hold -- /nonexistent/command
case_ hold-noexec $cli alloc -d uio0 -s 64K --hold -- /dev/null
case_ list-while-held $cli alloc -d uio0 -s 64K -j --hold -- $cli -j list
case_ list-version $cli --version
# bind and unbind the second edu (uio1), by the PCI address with and without its domain.
bdf=$(basename "$(readlink /sys/class/uio/uio1/device)")
case_ unbind $cli unbind "$bdf" --json
case_ unbind-gone sh -c "test ! -e /dev/uio-dmabuf1 && $cli list -j"
case_ unbind-again $cli unbind "$bdf"
case_ unbind-again-json $cli unbind -j "$bdf"
case_ bind $cli -j bind "${bdf#0000:}"
case_ bind-again $cli bind "$bdf"
case_ bind-list $cli list --json
case_ imports-after debugfs_imports
# libuiodmabuf(3)'s example: a whole driver loop on the first edu (0000:01:00.0).
case_ man-example /bin/man-example
# README's C program, on the first edu.
case_ readme-program /bin/readme-program
# README's guest blocks (scripts/readme_blocks.py), its 0000:01:00.0 the second edu.
export README_BDF=$bdf
[ ! -f /bin/readme-cases.sh ] || . /bin/readme-cases.sh
echo "@@DONE" >>"$out"
