#!/usr/bin/env bash
# Host unit tests of libuiodmabuf and the CLI's pure parts, under valgrind
# (leaks and memory errors fail). Prints their TAP and "check-unit: P passed, F failed".
set -uo pipefail

part=unit
. "$(dirname "$0")/lib.sh"
out=$top/build/check-unit.tap
make -s -C "$top/userspace" all unit-tests >/dev/null || abort "user space does not build"
valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
	--error-exitcode=99 "$top/build/userspace/unit-tests" >"$out" 2>"$out.valgrind"
rc=$?
grep -E '^(not ok|#)' "$out"
cat "$out.valgrind"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out")
echo "unit: ${line:-no summary} (valgrind exit $rc)"
count "" "$out"
[ "$rc" = 0 ] || [ "$fail" -gt 0 ] || fail=1

# The CLI's error paths that need no device, under valgrind: the expected exit
# status, no memory error or leak (valgrind exit 99), no descriptor left open
# (UIO_DMABUF_CHECK_FDS: exit 70).
cli=$top/build/userspace/uio-dmabuf
cli_case() {
	local want=$1 name=$2 got
	shift 2
	UIO_DMABUF_CHECK_FDS=1 valgrind -q --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --error-exitcode=99 "$cli" "$@" >/dev/null 2>"$out.cli"
	got=$?
	if [ "$got" = "$want" ]; then
		result 0 "cli under valgrind: $name (exit $got)"
	else
		result 1 "cli under valgrind: $name (exit $got, wanted $want)"
		cat "$out.cli"
	fi
}
cli_case 0 "--help" --help
cli_case 0 "alloc --help" alloc --help
cli_case 0 "help import" help import
cli_case 0 "list --json" list --json
cli_case 0 "heaps --json" heaps --json
cli_case 2 "no command"
cli_case 2 "unknown command" bogus
cli_case 2 "unknown option" alloc --bogus --json
cli_case 2 "alloc without --device" alloc --size 1M --json
cli_case 2 "alloc without --size" alloc --device uio0
cli_case 1 "size 0" alloc --device uio0 --size 0 --json
cli_case 1 "size not a number" alloc --device uio0 --size 12Q
cli_case 1 "size over 64 bits" alloc --device uio0 --size 99999999999G --json
cli_case 2 "bad --from" alloc --device uio0 --size 1M --from nfs
cli_case 2 "bad --direction" alloc --device uio0 --size 1M --direction up --json
cli_case 1 "bad device name" alloc --device eth0 --size 1M --json
cli_case 1 "missing device" import --device uio77 --fd 0 --json
cli_case 1 "closed fd" import --device uio0 --fd 999 --json
cli_case 2 "--hold without a command" alloc --device uio0 --size 1M --hold
finish
