#!/usr/bin/env bash
# Verdict on a guest console log: fails on any debug report, a nonzero
# dma-api/error_count, a kmemleak finding, or a guest that did not finish.
# Usage: check-guest-log.sh LOG [stock]
#   stock: a kernel without the debug options; only reports and completion count.
# Prints one line per finding and "guest-log: clean" or "guest-log: N findings".
set -uo pipefail

raw=$1
stock=${2:-}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
tr -d '\r' <"$raw" >"$log"	# the serial console ends lines with CR LF
findings=0
finding() { echo "guest-log: $*"; findings=$((findings + 1)); }

# The reports of KASAN, KFENCE, UBSAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS,
# DEBUG_LIST, refcount, DMA-API debug, oopses and WARN()s. Two DMA-API lines
# are printed at every boot and are not reports. Every report from the start
# of the guest's init on fails the run: the driver, its KUnit module and the
# tests are loaded and run by init. One printed while the kernel itself boots,
# before any of that, is news about the kernel under test (7.3-rc7's deadline
# server once warned in hrtimer_forward() under TCG), shown but not counted.
reports='BUG: KASAN|BUG: KFENCE|UBSAN:|possible circular locking|possible recursive locking|inconsistent lock state|sleeping function called from invalid context|ODEBUG:|DMA-API:|list_add corruption|list_del corruption|refcount_t:|Oops|WARNING:|kernel BUG|BUG: unable to handle|Kernel panic|general protection fault|INFO: task .* blocked'
benign='DMA-API: preallocated [0-9]+ debug entries|DMA-API: debugging enabled by kernel config'
init=$(grep -anm1 'Run /init as init process' "$log" | cut -d: -f1)
while IFS=: read -r n line; do
	if [ -n "$init" ] && [ "$n" -lt "$init" ]; then
		echo "guest-log: kernel boot report, before init (not counted): $line"
	else
		finding "report: $line"
	fi
done < <(grep -anE "$reports" "$log" | grep -avE "$benign")

if [ "$stock" != stock ]; then
	count=$(sed -n 's/.*uio-dmabuf-guest: dma-api error_count \([^ ]*\).*/\1/p' "$log" | tail -n1)
	[ "$count" = 0 ] || finding "dma-api error_count is '${count:-not printed}'"
	# The guest counts only objects that two kmemleak scans 10 s apart both list.
	leaks=$(sed -n 's/.*uio-dmabuf-guest: kmemleak unreferenced \([^ ]*\).*/\1/p' "$log" | tail -n1)
	[ "$leaks" = 0 ] || finding "kmemleak unreferenced objects: '${leaks:-not printed}'"
fi
grep -aq 'uio-dmabuf-guest: done' "$log" || finding "the guest did not finish"

# The first counted report as the kernel printed it (registers, call trace),
# so that a run on another machine says what happened: up to 60 lines, to the
# end of the trace or the panic.
first=$(grep -anE "$reports" "$log" | grep -avE "$benign" |
	awk -F: -v init="${init:-0}" '$1 >= init { print $1; exit }')
if [ -n "$first" ]; then
	tail -n "+$first" "$log" | head -n 60 |
		awk '{ print "guest-log: | " $0 } /---\[ end (trace|Kernel panic)/ { exit }'
fi

if [ "$findings" = 0 ]; then
	echo "guest-log: clean"
else
	echo "guest-log: $findings findings"
fi
[ "$findings" = 0 ]
