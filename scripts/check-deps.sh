#!/usr/bin/env bash
# check-deps: install what scripts/deps.sh names, then prove that each
# toolchain and tool works for what the suite asks of it (compile and link,
# boot QEMU's machines with the suite's devices, run each tool once). A probe
# that fails names the packages to add to deps.sh. Last, scripts/deps-audit.py
# compares the list with what the host's scripts run and with what the probes
# need: a program reached only through a recommendation or a hand-made
# install fails here, not twenty minutes later inside another check.
# Prints "ok"/"not ok" per probe and "check-deps: P passed, F failed".
set -uo pipefail

part=deps
. "$(dirname "$0")/lib.sh"
out=$top/build/check-deps
rm -rf "$out"
mkdir -p "$out"

"$top/scripts/deps.sh"
result $? "scripts/deps.sh installs every package it names (apt-get --no-install-recommends)"

need=()
# probe WHAT "PKG..." COMMAND...: runs COMMAND; on failure names the packages
# of PKG... that are not installed (or all of them, when all are).
probe() {
	local what=$1 pkgs=$2 n=$((${#need[@]} + 1)) p absent=
	shift 2
	need+=($pkgs)
	if "$@" >"$out/probe-$n.log" 2>&1; then
		result 0 "$what"
		return
	fi
	tail -n 5 "$out/probe-$n.log" | sed 's/^/    /'
	# What the probe's packages are, and what they only recommend: with
	# --no-install-recommends, the usual culprit.
	for p in $pkgs $(apt-cache depends --no-depends --no-suggests --no-conflicts --no-breaks \
			--no-replaces --no-enhances $pkgs 2>/dev/null | sed -n 's/^ *Recommends: \([^<]*\)$/\1/p'); do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			absent="$absent $p"
	done
	echo "check-deps: $what: failed;" \
		"${absent:+not installed (add to scripts/deps.sh):$absent}${absent:-installed, but not working: $pkgs}"
	result 1 "$what"
}

hello=$out/hello.c
cat >"$hello" <<'EOF'
#include <stdio.h>
#include <drm.h>

int main(void)
{
	printf("%zu\n", sizeof(struct drm_prime_handle));
	return 0;
}
EOF
libdrm_cflags=$(pkg-config --cflags libdrm 2>/dev/null)

# compiles CC FLAGS... PATTERN: builds $hello with CC and FLAGS, and checks
# that file(1) says PATTERN of the program.
compiles() {
	local cc=$1 want bin=$out/hello-$1
	shift
	want=${*: -1}
	"$cc" -std=c11 -Wall -Wextra -Werror "${@:1:$#-1}" -o "$bin" "$hello" &&
		file -L "$bin" | tee /dev/stderr | grep -q "$want"
}

host_gcc() {
	# shellcheck disable=SC2086
	compiles gcc $libdrm_cflags 'x86-64' && "$out/hello-gcc" &&
		compiles gcc -static $libdrm_cflags 'statically linked'
}
probe "gcc compiles and links a C11 program against libdrm's header, dynamic and static" \
	"build-essential libdrm-dev pkg-config file" host_gcc

musl() {
	printf '#include <stdio.h>\nint main(void) { puts("musl"); return 0; }\n' >"$out/musl.c"
	musl-gcc -Wall -Werror -o "$out/hello-musl" "$out/musl.c" &&
		file -L "$out/hello-musl" | grep -q ld-musl && "$out/hello-musl"
}
probe "musl-gcc compiles, links and runs a program" "musl-tools" musl

pc=$(arm64_pkg_config "$out")
arm64_gcc() {
	# shellcheck disable=SC2046
	compiles aarch64-linux-gnu-gcc $("$pc" --cflags libdrm) 'ARM aarch64' &&
		[ "$("$pc" --variable=pcfiledir libdrm)" = /usr/lib/aarch64-linux-gnu/pkgconfig ]
}
probe "aarch64-linux-gnu-gcc compiles and links against libdrm-dev:arm64's pkg-config" \
	"gcc-aarch64-linux-gnu libc6-dev-arm64-cross libdrm-dev:arm64" arm64_gcc

ppc64le_gcc() {
	# shellcheck disable=SC2086
	compiles powerpc64le-linux-gnu-gcc $libdrm_cflags '64-bit PowerPC'
}
probe "powerpc64le-linux-gnu-gcc compiles and links a program" \
	"gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross libdrm-dev" ppc64le_gcc

kernel_tools() {
	printf '#include <gelf.h>\n#include <openssl/evp.h>\nint main(void) { return 0; }\n' |
		gcc -x c -o "$out/hostlibs" - -lelf -lcrypto &&
		bison --version && flex --version && bc --version && pahole --version
}
probe "the kernel build's host libraries and tools (libelf, OpenSSL, bison, flex, bc, pahole)" \
	"libelf-dev libssl-dev bison flex bc dwarves" kernel_tools

images=$("$top/scripts/deps.sh" --print | grep '^linux-image-' | tr '\n' ' ')
kernels() {
	local i v
	test -r /usr/src/linux-source-6.12.tar.xz && [ -n "$images" ] || return 1
	for i in $images; do
		v=${i#linux-image-} v=${v%-unsigned}
		ls "/usr/src/linux-headers-$v/Makefile" "/boot/vmlinuz-$v" || return 1
	done
}
probe "linux-source-6.12, the newest 6.12 and 6.1 headers and their stock images" \
	"linux-source-6.12 linux-headers-6.12-amd64 linux-headers-amd64 $images" kernels

# QEMU: the version, and each machine with the devices the suite gives it and
# its default ones (as run-qemu.sh leaves them), x86's with a kernel as
# -kernel loads it, created paused and quit at once: a missing firmware or
# option ROM fails here (SeaBIOS, linuxboot_dma.bin, iPXE's ROMs of e1000,
# e1000e and virtio-net).
qemu_quit() {
	"$1" -version &&
		echo quit | timeout 60 "$@" -accel tcg -S -display none -monitor stdio -serial none
}
probe "qemu-system-x86_64: q35, intel-iommu, edu, a bridge, e1000, e1000e, -kernel" \
	"qemu-system-x86 ipxe-qemu" \
	qemu_quit qemu-system-x86_64 -kernel "$(ls /boot/vmlinuz-6.12.*-amd64 | sort -V | tail -n1)" \
		-cpu max,la57=off -machine q35,kernel-irqchip=split \
		-device intel-iommu,intremap=on -device edu -device pci-bridge,id=br,chassis_nr=1 \
		-device edu,bus=br,addr=1 -device e1000,bus=br,addr=2 -device e1000e
probe "qemu-system-aarch64: virt with GICv3 and the SMMUv3, edu" "qemu-system-arm ipxe-qemu" \
	qemu_quit qemu-system-aarch64 -cpu cortex-a57 -machine virt,gic-version=3,iommu=smmuv3 -device edu

probe "busybox-static is a static busybox" "busybox-static file" \
	eval 'file -L /bin/busybox | grep -q "statically linked"'
probe "/usr/bin/python3 imports docutils (check-rst.py)" "python3 python3-docutils" \
	/usr/bin/python3 -c 'import docutils.core, docutils.parsers.rst; print(docutils.__version__)'
probe "dkms --version" "dkms" dkms --version
probe "lintian --version" "lintian" lintian --version
probe "sparse --version" "sparse" sparse --version
probe "dpkg-buildpackage and dh (make deb)" "build-essential debhelper dh-dkms" \
	eval 'dpkg-buildpackage --version && type -P dh dh_dkms dh_testdir'
probe "valgrind --version" "valgrind" valgrind --version
probe "dtc --version" "device-tree-compiler" dtc --version
probe "iasl compiles the external-facing port's SSDT (check-security)" "acpica-tools" \
	bash -c 'd=$(mktemp -d) && iasl -p "$d/ssdt" "$1" && test -s "$d/ssdt.aml"; r=$?
		rm -rf "$d"; exit $r' iasl "$top/tests/security/external-port.asl"
probe "gnuplot --version (make bench)" "gnuplot-nox" gnuplot --version
probe "git, rsync, cpio, xz, kmod, openssl, perl's modules (checkpatch.pl)" \
	"git rsync cpio xz-utils kmod openssl perl" \
	eval 'git --version && rsync --version && cpio --version && xz --version && depmod --version &&
		openssl version && perl -MTerm::ANSIColor -MEncode -MFile::Basename -e 1'

# Current mainline's source, through the private apt configuration; the
# system's own apt must not know unstable or experimental afterwards.
mainline() {
	local policy
	"$top/scripts/fetch-mainline.sh" && policy=$(apt-cache policy) &&
		! grep -E 'unstable|experimental' <<<"$policy"
}
probe "the newest linux-source-7.* fetched and unpacked, unseen by the system's apt" \
	"apt dpkg xz-utils debian-archive-keyring" mainline

# Host scripts: everything that runs outside the guests.
mapfile -t host < <(cd "$top" && { find scripts -maxdepth 1 -type f ! -name '*.config'

	ls Makefile ./*/Makefile ./*/*/Makefile debian/rules .ci/run 2>/dev/null
	find tests -name '*.sh' -o -name '*.py' | grep -vE '/guest-[^/]*$|^tests/guest/'; } | sort -u)
(cd "$top" && /usr/bin/python3 scripts/deps-audit.py --pkgs "$("$top/scripts/deps.sh" --print | tr '\n' ' ')" \
	--need "${need[*]}" "${host[@]}")
result $? "deps.sh names every package the host scripts run and the probes need"

finish
