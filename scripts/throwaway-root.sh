#!/usr/bin/env bash
# Run a command as root in a throwaway copy of this machine: a private mount
# namespace whose / is an overlay of the host's / with its writes kept in a
# tmpfs, chrooted, with /proc, /sys and /dev bound in. dpkg -i, DKMS, addgroup
# and dpkg --purge there change nothing on the host; all of it is gone when
# the command ends. Directories named with --ro are bound in from the host
# read-only (the work tree, wherever it is mounted), those named with --keep
# read-write, so what the command writes under them (logs) stays; in the
# order given. The command runs in a PID namespace of its own (a daemon a
# maintainer script starts dies with it), /sys is read-only.
# Usage: throwaway-root.sh [--ro DIR | --keep DIR]... -- COMMAND [ARG...]
set -euo pipefail

usage="usage: throwaway-root.sh [--ro DIR | --keep DIR]... -- COMMAND [ARG...]"
binds=()	# pairs: ro|rw DIR
while [ $# -gt 0 ]; do
	case $1 in
	--keep) binds+=(rw "$(realpath "$2")"); shift 2 ;;
	--ro) binds+=(ro "$(realpath "$2")"); shift 2 ;;
	--) shift; break ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "throwaway-root: needs root (a mount namespace and an overlay)" >&2; exit 1; }
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
	{ echo "throwaway-root: the kernel has no overlay filesystem" >&2; exit 1; }
# The overlay holds / alone: what dpkg writes must live there.
for d in /usr /var /etc /lib /boot; do
	! mountpoint -q "$d" ||
		{ echo "throwaway-root: $d is a mount of its own, which the overlay of / would not hold" >&2; exit 1; }
done

# The scratch mount point: an empty directory of the host, covered by a tmpfs
# only inside the namespace.
scratch=$(mktemp -d /tmp/throwaway-root.XXXXXX)
trap 'rmdir "$scratch"' EXIT

# shellcheck disable=SC2016
unshare --mount --pid --fork --kill-child --mount-proc --propagation private -- bash -euc '
	scratch=$1; shift
	binds=()
	while [ "$1" != -- ]; do binds+=("$1"); shift; done
	shift
	mount -t tmpfs -o mode=0755 throwaway "$scratch"
	mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
	mount -t overlay throwaway -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/root"
	for m in /proc /sys /dev /dev/pts /dev/shm; do
		mountpoint -q "$m" && mount --rbind "$m" "$scratch/root$m"
	done
	mount -o remount,bind,ro "$scratch/root/sys"
	i=0
	while [ $i -lt ${#binds[@]} ]; do
		mode=${binds[$i]} d=${binds[$((i + 1))]}
		mkdir -p "$scratch/root$d"
		mount --bind "$d" "$scratch/root$d"
		[ "$mode" = rw ] || mount -o remount,bind,ro "$scratch/root$d"
		i=$((i + 2))
	done
	exec chroot "$scratch/root" "$@"
' throwaway-root "$scratch" "${binds[@]}" -- "$@"
