#!/usr/bin/env bash
# Build checks: the module against Debian's 6.12 and 6.1 headers, and against
# 6.12's with the dma-buf names of the revoke series, with W=1 and sparse,
# where any warning fails; the module through DKMS for both kernels;
# checkpatch --strict on the kernel sources and the UAPI header. Prints "ok"/"not ok" per check and "check-build: P passed, F failed".
set -uo pipefail

part=build
. "$(dirname "$0")/lib.sh"
out=$top/build/check-build
mkdir -p "$out"

# Without a built vmlinux (a modules_prepare'd tree) there is no
# Module.symvers: modpost (warning only, KBUILD_MODPOST_WARN) cannot resolve
# the kernel's symbols and says so for each. Those lines are let through.
modpost_ok='^WARNING: ([^ ]*Module\.symvers is missing|modpost: "[a-z_0-9]+" \[[^]]*uio_dmabuf(_kunit)?\.ko\] undefined!|modpost: uio_dmabuf(_kunit)?\.ko: symbol .[a-z_0-9]+. undefined!|modpost: suppressed [0-9]+ unresolved symbol warnings)'

# build_module KDIR NAME [MAKE-ARGS...]: the module (and, with
# CONFIG_UIO_DMABUF_KUNIT_TEST=m among the arguments, its KUnit module) with
# W=1 and sparse; warnings of gcc and sparse (C=2) both print "warning:" or
# "error:". Returns make's status; $log is the build's log.
build_module() {
	local kdir=$1 name=$2 tmp rc
	shift 2
	log=$out/module-$name.log
	tmp=$(mktemp -d)
	cp -r "$top/kernel" "$top/include" "$top/compat" "$tmp/"
	# Not what an in-place build left in kernel/: the .ko files must be new.
	find "$tmp" \( -name '*.ko' -o -name '*.o' -o -name '*.mod*' -o -name '.*.cmd' \) -delete
	make -C "$kdir" M="$tmp/kernel" W=1 C=2 "$@" modules >"$log" 2>&1
	rc=$?
	[ -f "$tmp/kernel/uio_dmabuf.ko" ] || rc=1
	case " $* " in
	*" CONFIG_UIO_DMABUF_KUNIT_TEST=m "*) [ -f "$tmp/kernel/tests/uio_dmabuf_kunit.ko" ] || rc=1 ;;
	esac
	rm -rf "$tmp"
	if [ "$rc" != 0 ] || grep -E 'warning:|error:|WARNING' "$log" | grep -vE "$modpost_ok" | grep -q .; then
		grep -E 'warning:|error:|WARNING' "$log" | grep -vE "$modpost_ok" | head -20
		return 1
	fi
	return 0
}

# Each Debian kernel with headers here: W=1 and sparse now, DKMS below.
kvers=()
for kdir in /usr/src/linux-headers-6.12.*-amd64 /usr/src/linux-headers-6.1.*-amd64; do
	[ -d "$kdir" ] || { result 1 "headers present: $kdir"; continue; }
	kver=${kdir#/usr/src/linux-headers-}
	build_module "$kdir" "$kver"
	result $? "module builds against $kver headers with W=1 and sparse, no warnings"
	[ -d "/lib/modules/$kver/build" ] && kvers+=("$kver")
done

# The dma-buf names of the revoke series (queued for 7.1): a copy of 6.12's
# headers whose dma-buf.h says invalidate_mappings where it said move_notify,
# as a kernel with the series has it. Kbuild must then leave the compat mapping
# out (with it, the build fails), and the sources build as they are.
renamed_headers() {
	local dst=$1 amd64 common pair o d l
	amd64=$(ls -d /usr/src/linux-headers-6.12.*-amd64 | head -n1)
	common=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$amd64/Makefile")
	[ -d "$amd64" ] && [ -d "$common" ] || return 1
	cp -a "$common" "$dst/common" && cp -a "$amd64" "$dst/amd64" || return 1
	# Debian's relative links (scripts, tools) point outside the copy.
	for pair in "$common:$dst/common" "$amd64:$dst/amd64"; do
		o=${pair%%:*} d=${pair#*:}
		for l in $(find "$d" -maxdepth 1 -type l); do
			ln -sfn "$(readlink -f "$o/$(basename "$l")")" "$l"
		done
	done
	echo "include $dst/common/Makefile" >"$dst/amd64/Makefile"
	sed -i -e 's/dma_buf_move_notify/dma_buf_invalidate_mappings/g' \
	       -e 's/\bmove_notify\b/invalidate_mappings/g' "$dst/common/include/linux/dma-buf.h"
}
renamed=$(mktemp -d)
if renamed_headers "$renamed"; then
	build_module "$renamed/amd64" "6.12-invalidate_mappings"
	result $? "module builds against 6.12-invalidate_mappings headers with W=1 and sparse, no warnings"
else
	result 1 "a copy of the 6.12 headers with the revoke series' dma-buf names"
fi
rm -rf "$renamed"

# Current mainline: the newest linux-source-7.* of Debian's unstable and
# experimental suites, modules_prepare'd (scripts/mainline-prepare.sh). The
# module and its KUnit module build there with compat/ and without it (the
# sources use mainline's names); without compat/, 6.12's headers must fail,
# or the switch proves nothing. The last version that built is remembered:
# when a newer one fails, that is news about mainline, and the check says so.
cache=${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}
if prep=$("$top/scripts/mainline-prepare.sh" 2>"$out/mainline-prepare.log" | tail -n1) && [ -n "$prep" ]; then
	mver=${prep%% *} mdir=${prep#* }
	echo "mainline: linux-source $mver"
	build_module "$mdir" "mainline" KBUILD_MODPOST_WARN=1 CONFIG_UIO_DMABUF_KUNIT_TEST=m
	result $? "module and KUnit module build against mainline $mver with W=1 and sparse, no warnings"
	build_module "$mdir" "mainline-nocompat" KBUILD_MODPOST_WARN=1 CONFIG_UIO_DMABUF_KUNIT_TEST=m \
		UIO_DMABUF_NO_COMPAT=1
	rc=$?
	good=$(cat "$cache/mainline-last-good" 2>/dev/null)
	if [ "$rc" = 0 ]; then
		echo "$mver" >"$cache/mainline-last-good"
	elif [ -n "$good" ] && [ "$good" != "$mver" ]; then
		echo "mainline: $good built, the archive's newest $mver does not: a change in mainline" \
			"(see $log), to be met in the sources and compat/"
	fi
	result $rc "module and KUnit module build against mainline $mver without compat/ (W=1, sparse)"
else
	cat "$out/mainline-prepare.log"
	result 1 "a modules_prepare'd tree of the newest linux-source-7.*"
fi
# It must fail on the mainline names compat/ maps (the namespace string,
# invalidate_mappings, kzalloc_obj, masked_user_read_access_begin), not on
# anything else.
kdir612=$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -n1)
! build_module "$kdir612" "6.12-nocompat" UIO_DMABUF_NO_COMPAT=1 >/dev/null &&
	grep -qE "error: .*(invalidate_mappings|kzalloc_obj|masked_user_(read|write)_access_begin)" "$log"
result $? "without compat/, the module fails against 6.12's headers on mainline's names (the switch works)"

# DKMS, as `make dkms-install` runs it.
if "$top/scripts/dkms-build.sh" "$out/dkms" "${kvers[@]}" >"$out/dkms-status.txt" 2>&1; then
	for kver in "${kvers[@]}"; do
		ls "$out/dkms/dkms/uio-dmabuf"/*/"$kver"/*/module/uio_dmabuf.ko* >/dev/null 2>&1
		result $? "dkms builds uio_dmabuf.ko for $kver"
	done
else
	cat "$out/dkms-status.txt"
	result 1 "dkms builds uio_dmabuf.ko for ${kvers[*]}"
fi
v_make=$(sed -n 's/^VERSION := //p' "$top/Makefile")
v_user=$(sed -n 's/^VERSION := //p' "$top/userspace/Makefile")
v_dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
[ -n "$v_make" ] && [ "$v_make" = "$v_user" ] && [ "$v_make" = "$v_dkms" ]
result $? "one version in Makefile, userspace/Makefile and dkms.conf ($v_make, $v_user, $v_dkms)"

# The sources, not what an in-place build leaves beside them (uio_dmabuf.mod.c).
sources=()
for f in "$top"/kernel/*.[ch] "$top"/kernel/tests/*.[ch] "$top"/compat/*.h \
	 "$top/include/uapi/linux/uio_dmabuf.h"; do
	git -C "$top" check-ignore -q "$f" 2>/dev/null || sources+=("$f")
done
# checkpatch NAME TREE: TREE's checkpatch.pl on the sources.
checkpatch() {
	local cp_log=$out/checkpatch-${1%% *}.log rc
	"$2/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types -f \
		"${sources[@]}" >"$cp_log" 2>&1
	rc=$?
	[ "$rc" = 0 ] || head -40 "$cp_log"
	result "$rc" "checkpatch --strict of $1: 0 errors, 0 warnings, 0 checks on kernel/, kernel/tests/, compat/ and the UAPI header"
}
# That of linux-source-6.12, and that of current mainline, whose rules are
# newer (kzalloc_obj(), for one): the prepared tree's source.
checkpatch 6.12 "$("$top/scripts/linux-scripts.sh")"
if [ -n "${mdir:-}" ]; then
	checkpatch "mainline $mver" "$mdir/source"
else
	result 1 "checkpatch.pl of current mainline (no tree prepared)"
fi

finish
