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
cli_case 2 "size 0" alloc --device uio0 --size 0 --json
cli_case 2 "size not a number" alloc --device uio0 --size 12Q
cli_case 2 "size over 64 bits" alloc --device uio0 --size 99999999999G --json
cli_case 2 "bad --from" alloc --device uio0 --size 1M --from nfs
cli_case 2 "bad --direction" alloc --device uio0 --size 1M --direction up --json
cli_case 2 "bad device name" alloc --device eth0 --size 1M --json
cli_case 1 "missing device" import --device uio77 --fd 0 --json
cli_case 1 "closed fd" import --device uio0 --fd 999 --json
cli_case 125 "--hold without a command: the tool's own failure" alloc --device uio0 --size 1M --hold
cli_case 125 "--hold, device missing: the tool's own failure" alloc -d uio77 -s 1M --hold -- true
cli_case 125 "--hol (an abbreviation of --hold), device missing" alloc -d uio77 -s 1M --hol -- true
cli_case 0 "--version" --version
cli_case 0 "-V" -V
cli_case 0 "help bind" help bind
cli_case 2 "bind without a device" bind
cli_case 1 "bind of a device that does not exist" bind 0000:7f:1f.7 --json
cli_case 1 "unbind of a device that does not exist" unbind nosuchdevice
cli_case 2 "short options, bad -s" alloc -d uio0 -s 1X -j
cli_case 2 "-d without its value" alloc -s 1M -d

# --json means one JSON document on stdout, whatever fails, wherever it is given;
# the failure's single line on stderr names the program, and a bad value is echoed.
cli_json() {
	local want=$1 name=$2 echo=$3 got
	shift 3
	"$cli" "$@" >"$out.json" 2>"$out.json.err"
	got=$?
	python3 -c 'import json, sys; d = [json.loads(l) for l in open(sys.argv[1])]
assert len(d) == 1, d' "$out.json" 2>/dev/null &&
		[ "$(wc -l <"$out.json.err")" = 1 ] && grep -q '^uio-dmabuf: ' "$out.json.err" &&
		grep -qF -- "$echo" "$out.json.err" && [ "$got" = "$want" ]
	result $? "cli --json: $name (exit $got, one document, one stderr line naming '$echo')"
}
cli_json 2 "global -j before an unknown command" "frobnicate" -j frobnicate
cli_json 2 "list with an unknown option" "--bogus" list --bogus --json
cli_json 2 "heaps with an argument" "extra" heaps --json extra
cli_json 2 "list --js (an abbreviation of --json), bad option" "--bogus" list --js --bogus
cli_json 2 "a bad short option in a cluster is the one echoed" "'-x'" list -j -xj
cli_json 2 "control characters of a bad value are not echoed" "'1?2'" -j alloc -d uio0 -s $'1\n2'
cli_json 2 "udmabuf size not a page multiple" "'1000'" -j alloc -d uio0 --from udmabuf -s 1000
cli_json 2 "bad --size echoed" "'12Q'" --json alloc -d uio0 -s 12Q
cli_json 2 "bad --fd echoed" "'x3'" import -d uio0 --fd x3 -j
cli_json 2 "bad --direction echoed" "'up'" alloc -d uio0 -s 1M --direction up -j
cli_json 1 "missing node names the driver" "modprobe uio_dmabuf" alloc -d uio77 -s 1M -j
cli_json 2 "an unknown option is called unrecognized" "unrecognized option '--bogus'" list --bogus -j
# Every usage error reports errno 0 in JSON, as uio-dmabuf(1) says.
bad=
for args in "alloc -d uio0 -s 0" "alloc -d uio0 -s 99999999999G" "alloc -d uio0 --from udmabuf -s 1000" \
	"alloc -d uio0 -s 12Q" "alloc -d eth0 -s 1M" "import -d uio0 --fd x3" "list --bogus" "frobnicate"; do
	# shellcheck disable=SC2086
	doc=$("$cli" -j $args 2>/dev/null)
	python3 -c 'import json, sys
e = json.loads(sys.argv[1])["error"]; sys.exit(e["errno"] != 0 or e["errno_name"] is not None)' \
		"$doc" || bad="$bad [$args]"
done
[ -z "$bad" ]
result $? "cli --json: usage errors report errno 0${bad:+ (not:$bad)}"
cli_case 0 "help --help" help --help
cli_case 0 "help -h list" help -h list
cli_case 2 "help with two commands" help list heaps
# An empty list says why on stderr: the driver is not loaded, or serves nothing.
if [ -e /sys/module/uio_dmabuf ]; then want="uio-dmabuf bind DEVICE"; else want="modprobe uio_dmabuf"; fi
"$cli" list 2>&1 >/dev/null | grep -qF "$want"
result $? "list with no device says why on stderr ($want)"
# The bash completion, on a fake /sys and /dev.
PATH=$top/build/userspace:$PATH "$top/tests/cli/completion.sh" >"$out.completion" 2>&1
grep -E '^not ok' "$out.completion"
count completion "$out.completion"

v=$("$cli" --version)
[ "$v" = "uio-dmabuf $(sed -n 's/^VERSION := //p' "$top/Makefile")" ]
result $? "--version prints the release ($v)"
finish
