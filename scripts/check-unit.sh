#!/usr/bin/env bash
# Host unit tests of libuiodmabuf and the CLI's pure parts, under valgrind
# (leaks and memory errors fail). Prints their TAP and "check-unit: P passed, F failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/check-unit.tap
if ! make -s -C "$top/userspace" all "$top/build/userspace/unit-tests" >/dev/null; then
	echo "check-unit: 0 passed, 1 failed"
	exit 1
fi
valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
	--error-exitcode=99 "$top/build/userspace/unit-tests" >"$out" 2>"$out.valgrind"
rc=$?
grep -E '^(not ok|#)' "$out"
cat "$out.valgrind"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out")
echo "unit: ${line:-no summary} (valgrind exit $rc)"
p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
[ -n "$p" ] || { p=0; f=1; }
[ "$rc" = 0 ] || [ "$f" -gt 0 ] || f=1
echo "check-unit: $p passed, $f failed"
[ "$f" = 0 ]
