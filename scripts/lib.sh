# SPDX-License-Identifier: GPL-2.0
# Sourced by every check script: the verdict lines, seeds, staging a guest and
# judging what it left behind. A script sets $part (its name, as in
# "check-$part") before sourcing this file.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The system's programs first: the suite uses what scripts/deps.sh installs,
# never a copy in /usr/local or a user's PATH (a pyenv python3 without
# Debian's docutils, say).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
pass=0 fail=0

# tally PREFIX FILE: prints "P F" from the last line of FILE that reads
# "PREFIX: P passed, F failed" (with PREFIX empty: a bare "P passed, F failed"),
# or "0 1" when FILE has no such line: a runner that did not finish failed.
tally() {
	local re line
	if [ -n "$1" ]; then
		re="^$1: [0-9]+ passed, [0-9]+ failed"
	else
		re='^[0-9]+ passed, [0-9]+ failed$'
	fi
	line=$(grep -E "$re" "$2" 2>/dev/null | tail -n1)
	if [ -z "$line" ]; then
		echo "0 1"
		return
	fi
	echo "$line" | sed -E 's/^(.*[ :])?([0-9]+) passed, ([0-9]+) failed.*/\2 \3/'
}

# result RC TEXT: one TAP-style verdict line, counted.
result() {
	if [ "$1" = 0 ]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2"
		fail=$((fail + 1))
	fi
}

# count SUITE FILE: adds the "SUITE: P passed, F failed" of FILE to the counts.
count() {
	local p f
	read -r p f < <(tally "$1" "$2")
	pass=$((pass + p))
	fail=$((fail + f))
}

# finish: the closing "check-PART: P passed, F failed" line; exits with the verdict.
finish() {
	echo "check-$part: $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

# abort TEXT: the part cannot run at all.
abort() {
	echo "check-$part: $1"
	fail=$((fail + 1))
	finish
}

# seed VALUE: VALUE, or a fresh random seed when it is empty.
seed() {
	if [ -n "$1" ]; then echo "$1"; else od -An -N4 -tu4 /dev/urandom | tr -d ' '; fi
}

# stage_guest OUT [--mainline]: the test kernel (built or cached; with
# --mainline, current mainline's) in $kout, the guest programs, and
# $initrd, OUT/initramfs.cpio.gz (OUT/initramfs-mainline.cpio.gz), with both.
stage_guest() {
	local what=${2:+-${2#--}}
	kout=$("$top/scripts/build-kernel.sh" ${2:+"$2"} | tail -n1) ||
		abort "test kernel${what:+ ($2)} build failed"
	make -s -C "$top" guest-tools >/dev/null || abort "guest programs do not build"
	initrd=$1/initramfs$what.cpio.gz
	"$top/scripts/mkinitramfs.sh" "$kout" "$initrd" "$top"/build/guest/*
}

# stage_suite OUT: stage_guest for the test kernel that the guest suites e2e,
# security and reliability boot: current mainline's (the default) or, with
# UIO_DMABUF_GUEST_KERNEL=6.12, the 6.12 one (make check-long runs both). Sets
# $kout, $initrd and $klabel ("debug-<kernel version>").
stage_suite() {
	case "${UIO_DMABUF_GUEST_KERNEL:-mainline}" in
	mainline) stage_guest "$1" --mainline ;;
	6.12) stage_guest "$1" ;;
	*) abort "UIO_DMABUF_GUEST_KERNEL must be mainline or 6.12, not '$UIO_DMABUF_GUEST_KERNEL'" ;;
	esac
	klabel=debug-$(sed -E 's/^mainline-//; s/^([0-9]+\.[0-9]+)(-rc[0-9]+)?.*/\1\2/' "$kout/version")
	echo "$part: the $klabel test kernel"
}

# suite_out NAME: the part's output directory, build/check-NAME, with
# "-6.12" appended when the suite boots the 6.12 test kernel.
suite_out() {
	local d=$top/build/check-$1
	[ "${UIO_DMABUF_GUEST_KERNEL:-mainline}" = mainline ] || d=$d-$UIO_DMABUF_GUEST_KERNEL
	mkdir -p "$d"
	echo "$d"
}

# judge_log LOG [stock]: the guest kernel log must be clean (check-guest-log.sh).
judge_log() {
	echo "guest log of $(basename "$1" .log):"
	if "$top/scripts/check-guest-log.sh" "$1" "${2:-}"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}

# judge_run SUITE OUT NAME [stock]: the records a guest runner wrote to
# OUT/NAME.log.data (failures shown, "SUITE: P passed, F failed" counted; none:
# the guest did not finish), then the guest's kernel log OUT/NAME.log ("stock":
# of a kernel without the debug options, see check-guest-log.sh).
judge_run() {
	local suite=$1 out=$2 name=$3 kind=${4:-}
	tr -d '\r' <"$out/$name.log.data" >"$out/$name.txt" 2>/dev/null
	grep -vE '^ok ' "$out/$name.txt"
	grep -qE "^$suite: [0-9]+ passed" "$out/$name.txt" ||
		echo "$suite ($name): no result (the guest did not finish)"
	count "$suite" "$out/$name.txt"
	judge_log "$out/$name.log" "$kind"
}

# arm64_pkg_config DIR: writes DIR/aarch64-linux-gnu-pkg-config, a pkg-config
# reading the arm64 multiarch directory (where libdrm-dev:arm64 puts
# libdrm.pc; Debian has no such wrapper), and prints its path.
arm64_pkg_config() {
	local pc=$1/aarch64-linux-gnu-pkg-config
	printf '#!/bin/sh\nPKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig exec pkg-config "$@"\n' >"$pc"
	chmod +x "$pc"
	echo "$pc"
}

# judge_kunit LOG OUT: the KTAP that the KUnit module printed between the
# guest's "kunit begin" and "kunit end" in the console LOG (CRs removed),
# parsed by the kernel's own kunit.py into OUT/kunit.txt: every suite of
# kernel/tests/ must pass.
judge_kunit() {
	local log=$1 out=$2 lsrc summary kpass kfail kcrash missing
	lsrc=$(ls -d "${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}"/tree-*/linux | head -n1)
	sed -n '/uio-dmabuf-guest: kunit begin/,/uio-dmabuf-guest: kunit end/p' "$log" >"$out/kunit.ktap"
	python3 "$lsrc/tools/testing/kunit/kunit.py" parse "$out/kunit.ktap" >"$out/kunit.txt" 2>&1
	grep -E '\[(PASSED|FAILED|SKIPPED|CRASHED)\]|EXPECTATION FAILED|ASSERTION FAILED|Expected' \
		"$out/kunit.txt" | sed 's/^\[[0-9:]*\] //'
	summary=$(kunit_summary "$out/kunit.txt")
	echo "KUnit: ${summary:-no KTAP result found}"
	kpass=$(echo "$summary" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
	kfail=$(echo "$summary" | sed -n 's/.*failed: \([0-9]*\).*/\1/p')
	kcrash=$(echo "$summary" | sed -n 's/.*crashed: \([0-9]*\).*/\1/p')
	missing=$(kunit_missing_suites "$out/kunit.txt")
	[ -z "$missing" ] || echo "KUnit: suites that did not pass: $missing"
	if [ -z "$kpass" ] || [ -n "$missing" ]; then
		fail=$((fail + 1))
	else
		pass=$((pass + kpass))
		fail=$((fail + ${kfail:-0} + ${kcrash:-0}))
	fi
}

# judge_tap NAME LOG OUT [PART]: the TAP lines a guest program printed on the
# console LOG (CRs removed) between "PART begin" and "PART end" (PART: NAME by
# default), saved to OUT/NAME.tap, shown and counted; none at all is a failure.
judge_tap() {
	local name=$1 log=$2 out=$3 marker=${4:-$1} tpass tfail
	sed -n "/uio-dmabuf-guest: $marker begin/,/uio-dmabuf-guest: $marker end/p" "$log" |
		grep -E '^(ok|not ok|#) ' >"$out/$name.tap"
	sed "s/^/$name: /" "$out/$name.tap"
	tpass=$(grep -c '^ok ' "$out/$name.tap")
	tfail=$(grep -c '^not ok ' "$out/$name.tap")
	[ "$tpass" -gt 0 ] || tfail=$((tfail + 1))
	pass=$((pass + tpass))
	fail=$((fail + tfail))
}

# kunit_summary FILE: kunit.py's "Testing complete. Ran N tests: ..." line of
# FILE without its time stamp, or nothing.
kunit_summary() {
	grep -E 'Testing complete\. Ran [0-9]+ tests' "$1" | sed 's/^\[[0-9:]*\] //'
}

# kunit_missing_suites FILE: the KUnit suites kernel/tests/ declares that
# kunit.py's parsed output FILE does not show as passed (none: empty output).
# A suite is a "struct kunit_suite" whose .name is a string literal; their
# number must match the kunit_test_suite() lines, or nothing counts as run.
kunit_missing_suites() {
	local s suites registered missing=
	suites=$(awk '/^static struct kunit_suite / { in_suite = 1 }
		      in_suite && /\.name = "/ { split($0, q, "\""); print q[2]; in_suite = 0 }' \
		"$top"/kernel/tests/*.c)
	registered=$(cat "$top"/kernel/tests/*.c | grep -c '^kunit_test_suite(')
	if [ -z "$suites" ] || [ "$(echo "$suites" | wc -l)" != "$registered" ]; then
		echo "(kernel/tests/ declares $(echo "$suites" | grep -c .) named suites, registers $registered)"
		return
	fi
	for s in $suites; do
		grep -qE "=+ \[PASSED\] $s =+" "$1" || missing="$missing $s"
	done
	echo "${missing# }"
}

# host_state: what installing and purging our packages could change on this
# machine (dpkg's database and log, users and groups, DKMS's and the modules'
# trees, dpkg's architectures, the loaded modules), as one text to compare
# before and after.
host_state() {
	stat -c '%n %s' /var/log/dpkg.log 2>/dev/null
	sha256sum /var/lib/dpkg/status /var/lib/dpkg/diversions /etc/passwd /etc/group \
		/etc/shadow /etc/gshadow 2>/dev/null
	dpkg --print-foreign-architectures
	ls -d /usr/src/* /var/lib/dkms/* 2>/dev/null
	find /lib/modules -path '*/updates/*' 2>/dev/null | sort
	ls /var/lib/dpkg/info | sha256sum
	cut -d' ' -f1 /proc/modules 2>/dev/null | sort | tr '\n' ' '
}
