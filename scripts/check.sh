#!/usr/bin/env bash
# Run the named parts of the test suite (default: all), print each part's
# verdict, and close with one "N passed, N failed" line over all of them.
# Usage: check.sh [deps] [build] [package] [series] [cross] [unit] [guest] [arm64] [e2e] [reliability] ...
set -uo pipefail

part=all
. "$(dirname "$0")/lib.sh"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(deps build package series cross unit guest arm64 bench security e2e reliability)

# What the run needs and what it leaves on this machine, said before it starts.
if [ "$(id -u)" != 0 ]; then
	echo "check: needs root (apt-get installs what the suite uses; the package test"
	echo "check: mounts and chroots a throwaway root): run it as root, e.g. sudo make check"
	echo "0 passed, 1 failed"
	exit 1
fi
missing=$(for p in $("$top/scripts/deps.sh" --print 2>/dev/null); do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
done | tr '\n' ' ')
cat <<EOF
check: runs as root and leaves on this machine: the Debian packages scripts/deps.sh
check: lists (scripts/deps.sh --print; missing now: ${missing:-none}), dpkg's arm64
check: architecture (for libdrm-dev:arm64), kernels and sources cached under
check: ${UIO_DMABUF_CACHE:-/var/cache/uio-dmabuf}, and DKMS's signing key in /var/lib/dkms. Our own packages
check: are installed and purged only in a throwaway copy of the machine.
EOF

# The project's own builds turn every warning into an error (WERROR=1);
# a packager's plain make only warns.
export WERROR=1

mkdir -p "$top/build"
total_pass=0 total_fail=0
verdicts=()
for part in "${parts[@]}"; do
	log=$top/build/check-$part.out
	start=$(date +%s)
	echo "=== check-$part"
	# Current mainline's tree, resolved once (after deps, which installs
	# apt's keyring): every later part tests the same version.
	if [ "$part" != deps ] && [ -z "${UIO_DMABUF_MAINLINE_TREE:-}" ]; then
		UIO_DMABUF_MAINLINE_TREE=$("$top/scripts/fetch-mainline.sh" | tail -n1) &&
			export UIO_DMABUF_MAINLINE_TREE || unset UIO_DMABUF_MAINLINE_TREE
	fi
	case "$part" in
	deps) "$top/scripts/check-deps.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	build) "$top/scripts/check-build.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	package) "$top/scripts/check-package.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	cross) "$top/scripts/check-cross.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	series) "$top/scripts/check-series.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	unit) "$top/scripts/check-unit.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	guest) "$top/scripts/check-guest.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	e2e | reliability | security)
		UIO_DMABUF_GUEST_KERNEL=mainline "$top/scripts/check-$part.sh" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]} ;;
	# The same suites on the 6.12 test kernel (make check-long): the backport.
	e2e-6.12 | reliability-6.12 | security-6.12)
		UIO_DMABUF_GUEST_KERNEL=6.12 "$top/scripts/check-${part%-6.12}.sh" 2>&1 |
			sed -u "s/^check-${part%-6.12}: /check-$part: /" | tee "$log"
		rc=${PIPESTATUS[0]} ;;
	bench) "$top/scripts/check-bench.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	arm64) "$top/scripts/check-arm64.sh" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
	*) echo "check: unknown part '$part'"; rc=2; echo "check-$part: 0 passed, 1 failed" >"$log" ;;
	esac
	read -r p f < <(tally "check-$part" "$log")
	[ "$rc" = 0 ] || [ "$f" -gt 0 ] || f=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	verdict=PASS
	[ "$f" = 0 ] || verdict=FAIL
	verdicts+=("$(printf '%-18s %s  (%d passed, %d failed, %d s)' "check-$part" "$verdict" "$p" "$f" $(($(date +%s) - start)))")
done

echo "=== summary"
printf '%s\n' "${verdicts[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
