#!/usr/bin/env bash
# Run a command as root in a throwaway copy of this machine: a private mount
# namespace whose / is an overlay of the host's / with its writes kept in a
# tmpfs, chrooted, with /proc, /sys and /dev bound in. dpkg -i, DKMS, addgroup
# and dpkg --purge there change nothing on the host; all of it is gone when
# the command ends. Directories named with --keep are bound in from the host,
# so what the command writes under them (logs) stays.
# Usage: throwaway-root.sh [--keep DIR]... -- COMMAND [ARG...]
set -euo pipefail

keep=()
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep+=("$(realpath "$2")"); shift 2 ;;
	--) shift; break ;;
	*) echo "usage: throwaway-root.sh [--keep DIR]... -- COMMAND [ARG...]" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: throwaway-root.sh [--keep DIR]... -- COMMAND [ARG...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "throwaway-root: needs root (a mount namespace and an overlay)" >&2; exit 1; }
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
	{ echo "throwaway-root: the kernel has no overlay filesystem" >&2; exit 1; }

# The scratch mount point: an empty directory of the host, covered by a tmpfs
# only inside the namespace.
scratch=$(mktemp -d /tmp/throwaway-root.XXXXXX)
trap 'rmdir "$scratch"' EXIT

# shellcheck disable=SC2016
unshare --mount --propagation private -- bash -euc '
	scratch=$1; shift
	keep=()
	while [ "$1" != -- ]; do keep+=("$1"); shift; done
	shift
	mount -t tmpfs -o mode=0755 throwaway "$scratch"
	mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
	mount -t overlay throwaway -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/root"
	for m in /proc /sys /dev /dev/pts /dev/shm; do
		mountpoint -q "$m" && mount --rbind "$m" "$scratch/root$m"
	done
	for d in "${keep[@]}"; do
		mkdir -p "$scratch/root$d"
		mount --bind "$d" "$scratch/root$d"
	done
	exec chroot "$scratch/root" "$@"
' throwaway-root "$scratch" "${keep[@]}" -- "$@"
