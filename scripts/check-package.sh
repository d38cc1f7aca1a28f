#!/usr/bin/env bash
# How the project installs, as a distribution or a board build uses it:
# CPPFLAGS, LDFLAGS and PKG_CONFIG from the command line are honoured; KERNEL_SRC
# (Yocto's name) and KDIR reach the module build; a second make does nothing;
# make install under DESTDIR puts every file where it belongs (the UAPI header
# under include/uiodmabuf/, never include/linux/), a program builds against
# the installed library through pkg-config, and make uninstall takes it all
# away; make deb's packages pass lintian, install with dpkg (DKMS building the
# module) and purge clean in a throwaway copy of the machine, never on the host. Prints "ok"/"not ok" per check and "check-package: P passed, F failed".
set -uo pipefail

part=package
. "$(dirname "$0")/lib.sh"
out=$top/build/check-package
rm -rf "$out"
mkdir -p "$out"
u=$top/userspace

# Flags from the command line join the project's own and are really used.
o=$out/flags
printf '#!/bin/sh\necho "$@" >>"%s/pkg-config.calls"\nexec pkg-config "$@"\n' "$out" >"$out/pkg-config"
chmod +x "$out/pkg-config"
rm -rf "$o"
make -s -C "$u" O="$o" CPPFLAGS=-DUIODMABUF_FLAGS_CHECK LDFLAGS=-Wl,-z,now \
	PKG_CONFIG="$out/pkg-config" all >"$out/flags.log" 2>&1
result $? "user space builds with CPPFLAGS=-D... and LDFLAGS=-Wl,-z,now on the command line"
grep -q -- '--cflags libdrm' "$out/pkg-config.calls" 2>/dev/null
result $? "PKG_CONFIG names the pkg-config that is run"
make -n -B -C "$u" O="$o" CPPFLAGS=-DUIODMABUF_FLAGS_CHECK LDFLAGS=-Wl,-z,now all \
	>"$out/flags.n" 2>&1
grep -E -- '-c .*lib/uiodmabuf\.c' "$out/flags.n" | grep -q -- '-Iinclude .*-DUIODMABUF_FLAGS_CHECK'
result $? "CPPFLAGS is added to the project's include flags, not put in their place"
for f in uio-dmabuf libuiodmabuf.so.1; do
	readelf -d "$o/$f" | grep -qE 'BIND_NOW|FLAGS.*NOW'
	result $? "LDFLAGS reaches the link of $f (BIND_NOW)"
done

# musl: the library, the CLI and the unit tests with musl-gcc, which brings no
# kernel headers of its own: linux/, asm/ and asm-generic/ come from
# linux-libc-dev (a musl system has its own copy, Alpine's linux-headers).
kinc=$out/musl-kernel-headers
mkdir -p "$kinc"
ln -sfn /usr/include/linux "$kinc/linux"
ln -sfn "/usr/include/$(gcc -dumpmachine)/asm" "$kinc/asm"
ln -sfn /usr/include/asm-generic "$kinc/asm-generic"
make -s -C "$u" O="$out/musl" CC=musl-gcc CPPFLAGS="-isystem $kinc" all unit-tests \
	>"$out/musl.log" 2>&1 &&
	file -L "$out/musl/uio-dmabuf" | grep -q 'ld-musl' &&
	"$out/musl/unit-tests" >"$out/musl-unit.tap" 2>&1
rc=$?
[ "$rc" = 0 ] || { tail -20 "$out/musl.log"; grep -E '^(not ok|#)' "$out/musl-unit.tap" 2>/dev/null; }
result $rc "musl-gcc builds the library and the CLI without a warning, and the unit tests pass on musl"
ldd "$o/uio-dmabuf" "$o/libuiodmabuf.so.1" | grep -q 'libdrm'
[ $? = 1 ]
result $? "nothing links libdrm (its UAPI header is all the library uses)"

# A second make has nothing to do.
make -q -C "$u" O="$o" all >/dev/null 2>&1
result $? "make -C userspace with nothing changed is up to date (make -q)"
make -s -C "$top" guest-tools >/dev/null 2>&1
again=$(make -s -C "$top" guest-tools 2>&1)
[ -z "$again" ]
result $? "make guest-tools with nothing changed runs nothing${again:+ (ran: ${again%%$'\n'*})}"

# The kernel build directory: KDIR, else Yocto's KERNEL_SRC, else the running
# kernel's. ($hdr, the newest 6.12 headers, serves the dpkg checks below too.)
hdr=$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -n1)
kbuild_dir() {	# the directory the module build enters, given make's arguments
	make -n -C "$top" module "$@" >"$out/module.n" 2>&1
	sed -n "s|^make -C \([^ ]*\) M=$top/kernel modules\$|\1|p; s|.*no kernel build directory at \([^:]*\):.*|\1|p" \
		"$out/module.n" | head -n1
}
[ "$(kbuild_dir KERNEL_SRC="$hdr")" = "$hdr" ]
result $? "make module KERNEL_SRC=DIR builds against DIR"
[ "$(kbuild_dir KDIR="$hdr" KERNEL_SRC=/nonexistent)" = "$hdr" ]
result $? "KDIR wins over KERNEL_SRC"
[ "$(kbuild_dir)" = "/lib/modules/$(uname -r)/build" ]
result $? "with neither, the running kernel's /lib/modules/$(uname -r)/build"

# Builds as packagers and board builds call them.
werror=$(make -n -B -C "$u" O="$out/werror" WERROR= all 2>&1 | grep -c -- '-Werror')
werror1=$(make -n -B -C "$u" O="$out/werror" WERROR=1 all 2>&1 | grep -c -- '-Werror')
[ "$werror" = 0 ] && [ "$werror1" -gt 0 ]
result $? "-Werror only with WERROR=1 (the project's checks), not in a packager's plain make ($werror and $werror1 compiles with it)"
msg=$(env -u WERROR make -s -C "$top" userspace ARCH=arm64 O="$out/arch" 2>&1)
[ $? != 0 ] && echo "$msg" | grep -q 'ARCH=arm64, but [a-z0-9_-]*cc builds for x86_64.*CROSS_COMPILE='
result $? "make userspace ARCH=arm64 without a cross compiler stops and names CROSS_COMPILE (no x86-64 binaries)"
msg=$(make -s -C "$top" install KDIR=/nonexistent DESTDIR="$out/inst-nokdir" PREFIX=/usr 2>&1)
[ $? = 0 ] && echo "$msg" | grep -q 'no kernel build directory at /nonexistent: installed user space only' &&
	[ -x "$out/inst-nokdir/usr/bin/uio-dmabuf" ]
result $? "make install without a kernel build directory installs user space and says the module was not installed"
make -s -C "$top" clean KDIR=/nonexistent BUILD="$out/clean-build" >/dev/null 2>&1
msg=$(make -s -C "$top" install KDIR="$hdr" DESTDIR="$out/inst" PREFIX=/usr 2>&1)
[ $? != 0 ] && echo "$msg" | grep -q 'kernel/uio_dmabuf.ko is not built: run make' && [ ! -e "$out/inst" ]
result $? "make install with a kernel build directory but no module built says so and installs nothing"
kmods=$out/inst/lib/modules/${hdr#/usr/src/linux-headers-}/updates
make -s -C "$top" module KDIR="$hdr" >"$out/install-module.log" 2>&1 &&
	make -s -C "$top" install KDIR="$hdr" DESTDIR="$out/inst" PREFIX=/usr >>"$out/install-module.log" 2>&1 &&
	ls "$kmods/"uio_dmabuf.ko* >/dev/null 2>&1
result $? "make install KDIR=... DESTDIR=... installs the module under lib/modules/KVER/updates too"
make -s -C "$top" uninstall KDIR="$hdr" DESTDIR="$out/inst" PREFIX=/usr >>"$out/install-module.log" 2>&1 &&
	! ls "$kmods/"uio_dmabuf.ko* >/dev/null 2>&1 && [ ! -e "$out/inst/usr/bin/uio-dmabuf" ]
result $? "make uninstall KDIR=... DESTDIR=... removes the module and user space"
make -s -C "$top" clean KDIR=/nonexistent BUILD="$out/clean-build" >/dev/null 2>&1
left=$(cd "$top" && git status --short --ignored kernel 2>/dev/null | head -5 | tr '\n' ' ')
[ -z "$left" ]
result $? "make clean without the build's KDIR leaves no module objects in kernel/${left:+ (left: $left)}"

# What an in-place module build leaves in kernel/ stays out of the series.
leftover=$top/kernel/uio_dmabuf_leftover.mod.c
if [ ! -e "$leftover" ]; then
	echo "/* build leftover */" >"$leftover"
	"$top/scripts/export-patches" -o "$out/patches" >/dev/null 2>"$out/patches.log"
	rc=$?
	rm -f "$leftover"
	[ "$rc" = 0 ] && ! grep -q 'leftover' "$out"/patches/*.patch
	result $? "the patch series leaves out the files .gitignore ignores in kernel/ (a build's .mod.c)"
fi

# make install and make uninstall under DESTDIR.
d=$out/dest
make -s -C "$u" O="$o" install DESTDIR="$d" PREFIX=/usr >"$out/install.log" 2>&1
result $? "make install DESTDIR=... PREFIX=/usr"
(cd "$d" && find . ! -type d | sort) >"$out/installed.txt"
cat >"$out/expected.txt" <<'LIST'
./usr/bin/uio-dmabuf
./usr/include/uiodmabuf.h
./usr/include/uiodmabuf/linux/uio_dmabuf.h
./usr/lib/libuiodmabuf.a
./usr/lib/libuiodmabuf.so
./usr/lib/libuiodmabuf.so.1
./usr/lib/pkgconfig/libuiodmabuf.pc
./usr/lib/udev/rules.d/70-uio-dmabuf.rules
./usr/share/bash-completion/completions/uio-dmabuf
./usr/share/doc/uio-dmabuf/examples/uio-dmabuf.modprobe.conf
./usr/share/doc/uio-dmabuf/examples/uio-dmabuf.modules-load.conf
./usr/share/man/man1/uio-dmabuf.1
./usr/share/man/man3/libuiodmabuf.3
LIST
sed -n 's/^UIODMABUF_API int \(uiodmabuf_[a-z_]*\)(.*/.\/usr\/share\/man\/man3\/\1.3/p' \
	"$u/include/uiodmabuf.h" >>"$out/expected.txt"
sort -o "$out/expected.txt" "$out/expected.txt"
diff -u "$out/expected.txt" "$out/installed.txt"
result $? "make install puts exactly the expected files in place (nothing in include/linux/)"
cat >"$out/user.c" <<'C'
#include <uiodmabuf.h>
int main(void) { struct uio_dmabuf_info info; (void)info; return uiodmabuf_open("uio-dmabuf9999") < 0 ? 0 : 1; }
C
export PKG_CONFIG_SYSROOT_DIR=$d PKG_CONFIG_PATH=$d/usr/lib/pkgconfig
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$out/user" "$out/user.c" $(pkg-config --cflags --libs libuiodmabuf) &&
	LD_LIBRARY_PATH=$d/usr/lib "$out/user"
result $? "a program builds against the installed library and UAPI header through pkg-config, and runs"
# The example of libuiodmabuf(3), as the page prints it.
man -l -Tutf8 "$d/usr/share/man/man3/libuiodmabuf.3" 2>/dev/null | col -b |
	sed -n '/^EXAMPLES/,/^ *Build it with/p' | sed '1d;$d' | sed -n '/^ *#include/,$p' >"$out/man-example.c"
# shellcheck disable=SC2046
grep -q 'uiodmabuf_import' "$out/man-example.c" &&
	cc -std=c11 -Wall -Wextra -Werror -o "$out/man-example" "$out/man-example.c" \
		$(pkg-config --cflags --libs libuiodmabuf)
result $? "the example in libuiodmabuf(3) builds against the installed library"
# README's code blocks: every one marked; the C ones build against the
# installed library, the host ones run (the guest ones run in check-guest).
marks=$(python3 "$top/scripts/readme_blocks.py" check "$top/README.md" 2>&1)
result $? "every code block of README.md says whether and where it runs ($marks)"
rm -rf "$out/readme"
python3 "$top/scripts/readme_blocks.py" extract "$top/README.md" compile "$out/readme"
python3 "$top/scripts/readme_blocks.py" extract "$top/README.md" host "$out/readme"
for c in "$out"/readme/*.c; do
	[ -e "$c" ] || continue
	# shellcheck disable=SC2046
	cc -std=c11 -Wall -Wextra -Werror -o "${c%.c}" "$c" $(pkg-config --cflags --libs libuiodmabuf) \
		>"${c%.c}.log" 2>&1
	rc=$?
	[ "$rc" = 0 ] || cat "${c%.c}.log"
	result $rc "README.md's C block at line $(basename "${c%.c}" | tr -dc 0-9) builds against the installed library"
done
for sh in "$out"/readme/*.sh; do
	[ -e "$sh" ] || continue
	(cd "$top" && bash -e "$sh") >"${sh%.sh}.log" 2>&1
	rc=$?
	[ "$rc" = 0 ] || tail -5 "${sh%.sh}.log"
	result $rc "README.md's host block at line $(basename "${sh%.sh}" | tr -dc 0-9) runs in the work tree"
done
for page in "$d"/usr/share/man/man1/*.1 "$d"/usr/share/man/man3/libuiodmabuf.3; do
	w=$(man --warnings -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
	[ -z "$w" ]
	result $? "man --warnings: $(basename "$page") is clean${w:+ ($w)}"
done
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
make -s -C "$u" O="$o" uninstall DESTDIR="$d" PREFIX=/usr >>"$out/install.log" 2>&1
left=$(cd "$d" && find . ! -type d)
[ -z "$left" ]
result $? "make uninstall removes every installed file${left:+ (left: $left)}"

# The udev rule where the man page says make install puts it, for the
# packages' PREFIX=/usr and for the default PREFIX.
make -s -C "$u" O="$o" install DESTDIR="$out/dest-local" >"$out/install-local.log" 2>&1
page=$(man -l -Tutf8 "$u/uio-dmabuf.1" 2>/dev/null | col -b | tr -s ' \t\n' ' ')
[ -f "$out/dest-local/etc/udev/rules.d/70-uio-dmabuf.rules" ] &&
	echo "$page" | grep -qF '/etc/udev/rules.d/70-uio-dmabuf.rules' &&
	echo "$page" | grep -qF '/usr/lib/udev/rules.d/70-uio-dmabuf.rules'
result $? "uio-dmabuf(1) names the udev rule where make install puts it: /etc/udev/rules.d by default, /usr/lib/udev/rules.d with PREFIX=/usr"

# The modprobe.d example offers exactly the irq_mode values modinfo describes
# (the parameter's description, parenthesised remarks left out).
words() { tr '\n' ' ' | sed 's/([^)]*)//g' | grep -oE '\b(auto|none|intx|msi|msix|msi-x|legacy)\b' |
	sort -u | tr '\n' ' '; }
desc=$(sed -n '/MODULE_PARM_DESC(irq_mode,/,/);/p' "$top/kernel/uio_dmabuf_pci.c" | tr '\n' ' ' |
	sed 's/.*: //' | words)
example=$(sed -n '/^# The UIO interrupt/,/^#options/p' "$u/examples/uio-dmabuf.modprobe.conf" |
	sed 's/^#//' | words)
[ -n "$desc" ] && [ "$desc" = "$example" ]
result $? "the modprobe.d example's irq_mode values are modinfo's (${desc% }; the example's: ${example% })"

# make deb: the four packages, lintian-clean; installed with dpkg in a
# throwaway root (check-package-dpkg.sh), DKMS builds the module for every
# kernel with headers here; purged, nothing is left; the host is untouched.
if changes=$("$top/scripts/make-deb.sh" 2>"$out/deb.err"); then
	result 0 "make deb builds the packages (dpkg-buildpackage, unit tests included)"
	lintian --fail-on error,warning --display-level '>=warning' "$changes" >"$out/lintian.log" 2>&1
	rc=$?
	grep -v 'root privileges' "$out/lintian.log"
	result $rc "lintian: no errors or warnings on the packages"
	debs=$(ls "$top"/build/deb/*.deb | grep -v dbgsym)
	for p in libuiodmabuf1 libuiodmabuf-dev uio-dmabuf uio-dmabuf-dkms; do
		echo "$debs" | grep -q "/${p}_"
		result $? "make deb produces $p"
	done
	# dpkg -i, DKMS and dpkg --purge in a throwaway copy of this machine: the
	# host's own packages (ours too, where a user installed them) stay as
	# they are.
	before=$(host_state)
	# shellcheck disable=SC2086
	"$top/scripts/throwaway-root.sh" --ro "$top" --keep "$out" -- \
		"$top/scripts/check-package-dpkg.sh" --fresh "$out/dpkg" $debs >"$out/dpkg.out" 2>&1
	grep -E '^(ok|not ok)' "$out/dpkg.out"
	count check-package-dpkg "$out/dpkg.out"
	# A user's install: libuiodmabuf1 and uio-dmabuf installed (in a throwaway
	# root of its own), then the package test runs there as above, nested.
	user_debs=$(echo "$debs" | grep -E '/(libuiodmabuf1|uio-dmabuf)_')
	# shellcheck disable=SC2016,SC2086
	"$top/scripts/throwaway-root.sh" --ro "$top" --keep "$out" -- bash -c '
		. "$1/scripts/lib.sh"; out=$2; shift 2
		dpkg --purge uio-dmabuf-dkms libuiodmabuf-dev uio-dmabuf libuiodmabuf1 \
			>"$out/user-install.log" 2>&1 &&
			dpkg -i "$@" >>"$out/user-install.log" 2>&1 || exit 1
		mine=$(host_state)
		"$top/scripts/throwaway-root.sh" --ro "$top" --keep "$out" -- \
			"$top/scripts/check-package-dpkg.sh" "$out/nested" "$@" >"$out/nested.out" 2>&1
		grep -q "^check-package-dpkg: [1-9][0-9]* passed, 0 failed" "$out/nested.out" || exit 2
		[ "$(host_state)" = "$mine" ] || exit 3
		for p in libuiodmabuf1 uio-dmabuf; do
			dpkg-query -W -f="\${Status}\n" "$p" | grep -qx "install ok installed" || exit 4
		done' user-install "$top" "$out" $user_debs
	rc=$?
	why=([1]="the user's install failed" [2]="the nested package test failed"
	     [3]="the user's root changed" [4]="the user's packages are gone")
	result $rc "with libuiodmabuf1 and uio-dmabuf installed by a user, the package test (install, purge) leaves them installed and dpkg's state as it was${why[$rc]:+ (${why[$rc]})}"
	after=$(host_state)
	[ "$before" = "$after" ]
	result $? "the host is as it was: dpkg's state, users and groups, /usr/src, DKMS and /lib/modules/*/updates"
	[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after")
else
	cat "$out/deb.err"
	result 1 "make deb builds the packages (dpkg-buildpackage, unit tests included)"
fi

# The udev rule's isolation pattern (fnmatch, as udev and bash match it) takes
# every value with UIO_DMABUF_INFO_ISOLATED (0x10) and no value without it.
rules=$top/userspace/udev/70-uio-dmabuf.rules
pattern=$(sed -n 's/.*ATTRS{uio_dmabuf\/isolation}=="\([^"]*\)".*/\1/p' "$rules" | sort -u)
wrong=
if [ "$(echo "$pattern" | wc -l)" != 1 ] || [ -z "$pattern" ]; then
	wrong="not one pattern: $pattern"
else
	for ((v = 0; v < 256; v++)); do
		hex=$(printf '0x%x' "$v")
		# shellcheck disable=SC2053
		[[ $hex == $pattern ]] && m=1 || m=0
		[ "$m" = $(((v >> 4) & 1)) ] || wrong="$wrong $hex"
	done
fi
[ -z "$wrong" ]
result $? "the udev rule's pattern \"$pattern\" matches exactly the isolation values with 0x10 set${wrong:+ (wrong: $wrong)}"

finish
