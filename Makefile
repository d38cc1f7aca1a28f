# uio_dmabuf: `make` builds the module (against the running kernel's build
# directory, or KDIR=...) and the user-space programs; `make check` installs
# what is missing and runs every test. See README.md.

# The kernel build directory, for everything in this repository that builds
# the module; KERNEL_SRC is Yocto's name for it.
KERNEL_SRC ?= /lib/modules/$(shell uname -r)/build
KDIR ?= $(KERNEL_SRC)
CC ?= gcc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2
# The release: dkms.conf's PACKAGE_VERSION and userspace/Makefile say the same.
VERSION := 1.1.0
WARN := -std=c11 -Wall -Wextra -Werror
BUILD := build

# O= on the command line is a kernel-style module build (Yocto's
# module.bbclass passes the kernel's output directory so, with the kernel's
# compiler as CC): then `make` builds the module alone, and user space is
# built on its own (make userspace, or a recipe of its own).
ifeq ($(origin O),command line)
all: module
	@echo "make: O= given (a kernel module build): built the module only; make userspace builds the library and the CLI"
else
all: module userspace
endif

NO_KDIR = make: no kernel build directory at $(KDIR): install the kernel's headers \
	(linux-headers-$$(uname -r)) or set KDIR=; make userspace builds the library and \
	the CLI without them (make -C userspace check: their unit tests)

module:
	@test -f $(KDIR)/Makefile || { echo "$(NO_KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules

# As Yocto's module.bbclass and Buildroot call it (INSTALL_MOD_PATH, MODLIB
# and DEPMOD honoured).
modules_install:
	@test -f $(KDIR)/Makefile || { echo "$(NO_KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules_install

# User space's own output directory, whatever O= a kernel build passes down.
USERSPACE_MAKE = $(MAKE) -C userspace O=$(CURDIR)/$(BUILD)/userspace

userspace:
	$(USERSPACE_MAKE)

# User space under PREFIX, and the module under /lib/modules/KVER/updates (in
# INSTALL_MOD_PATH, else DESTDIR; kbuild runs depmod) when there is a kernel
# build directory; without one it says so and installs user space only.
MOD_ROOT = $(or $(INSTALL_MOD_PATH),$(DESTDIR))

install:
	@if [ -f $(KDIR)/Makefile ] && [ ! -f kernel/uio_dmabuf.ko ]; then \
		echo "make install: kernel/uio_dmabuf.ko is not built: run make (KDIR=$(KDIR)) first" >&2; \
		exit 1; \
	fi
	$(USERSPACE_MAKE) install
	@if [ -f $(KDIR)/Makefile ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel INSTALL_MOD_DIR=updates \
			$(if $(MOD_ROOT),INSTALL_MOD_PATH=$(MOD_ROOT)) modules_install; \
	else \
		echo "make install: no kernel build directory at $(KDIR): installed user space only;" \
			"the module with KDIR=... or DKMS (make dkms-install)" >&2; \
	fi

# User space, and the module make install put under updates/ (not DKMS's).
uninstall:
	$(USERSPACE_MAKE) uninstall
	@if [ -f $(KDIR)/Makefile ]; then \
		kver=$$($(MAKE) -s -C $(KDIR) kernelrelease) && \
		rm -f $(MOD_ROOT)/lib/modules/$$kver/updates/uio_dmabuf.ko* && \
		{ [ -n "$(MOD_ROOT)" ] || depmod -a "$$kver"; }; \
	fi

# DKMS: the module's sources under $(DESTDIR)/usr/src/uio-dmabuf-$(VERSION)
# (what a -dkms package ships), then dkms builds and installs the module for
# the running kernel (or KVER=...) and, from then on, for every kernel
# installed with its headers.
DKMS_SRC = $(DESTDIR)/usr/src/uio-dmabuf-$(VERSION)

dkms-source:
	install -d $(DKMS_SRC)/kernel/tests $(DKMS_SRC)/include/uapi/linux \
		$(DKMS_SRC)/compat/include/kunit
	install -m 0644 dkms.conf $(DKMS_SRC)/
	install -m 0644 kernel/Kbuild kernel/Kconfig kernel/Makefile kernel/*.[ch] $(DKMS_SRC)/kernel/
	install -m 0644 kernel/tests/Makefile kernel/tests/*.[ch] $(DKMS_SRC)/kernel/tests/
	install -m 0644 include/uapi/linux/uio_dmabuf.h $(DKMS_SRC)/include/uapi/linux/
	install -m 0644 compat/*.h $(DKMS_SRC)/compat/
	install -m 0644 compat/include/kunit/*.h $(DKMS_SRC)/compat/include/kunit/

dkms-install: dkms-source
	dkms status -m uio-dmabuf -v $(VERSION) | grep -q . || dkms add -m uio-dmabuf -v $(VERSION)
	dkms install -m uio-dmabuf -v $(VERSION) $(if $(KVER),-k $(KVER))

# The Debian packages, into build/deb/ (scripts/make-deb.sh).
deb:
	scripts/make-deb.sh

dkms-uninstall:
	-dkms remove -m uio-dmabuf -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# Static programs that run in the test guest.
GUEST_TOOLS := $(BUILD)/guest/uio-dmabuf-smoke $(BUILD)/guest/heap-helper $(BUILD)/guest/uio-dmabuf \
	$(BUILD)/guest/edu-dma-test $(BUILD)/guest/guest-e2e.sh $(BUILD)/guest/reliability $(BUILD)/guest/guest-cli.sh \
	$(BUILD)/guest/security $(BUILD)/guest/uio-dmabuf-bench $(BUILD)/guest/msix-test \
	$(BUILD)/guest/platform-test $(BUILD)/guest/p2p-test $(BUILD)/guest/readme-cases.sh \
	$(BUILD)/guest/man-example $(BUILD)/guest/readme-program

guest-tools: $(GUEST_TOOLS)

$(BUILD)/guest/heap-helper: tests/smoke/heap-helper.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -static -o $@ $<

# The library and the static CLI come from userspace/Makefile, which knows
# their sources: asked every time, they change (and what links them is
# remade) only when a source did.
LIBA := $(BUILD)/userspace/libuiodmabuf.a

$(LIBA) $(BUILD)/userspace/static/uio-dmabuf: FORCE
	@$(USERSPACE_MAKE) -s $(CURDIR)/$@

$(BUILD)/guest/uio-dmabuf: $(BUILD)/userspace/static/uio-dmabuf
	@mkdir -p $(@D)
	cp $< $@

# The case runners: a table of named cases (tests/common) over edu and the library.
RUNNER_DEPS := tests/common/cases.c tests/common/cases.h tests/edu/edu.c tests/edu/edu.h $(LIBA)
RUNNER_CC = $(CC) $(WARN) $(CFLAGS) -static -Iuserspace/include -Iinclude/uapi -Itests/edu \
	-Itests/common -o $@ $< tests/common/cases.c tests/edu/edu.c \
	$(LIBA)

# The edu user-space driver and the end-to-end DMA test, on the static library.
$(BUILD)/guest/edu-dma-test: tests/edu/edu-dma-test.c $(RUNNER_DEPS)
	@mkdir -p $(@D)
	$(RUNNER_CC)

$(BUILD)/guest/reliability: tests/reliability/reliability.c $(RUNNER_DEPS)
	@mkdir -p $(@D)
	$(RUNNER_CC) -lpthread

# Peer-to-peer DMA into a BAR exported by VFIO, and its revocation.
$(BUILD)/guest/p2p-test: tests/p2p/p2p-test.c tests/common/tap.h $(RUNNER_DEPS)
	@mkdir -p $(@D)
	$(RUNNER_CC)

$(BUILD)/guest/security: tests/security/security.c $(RUNNER_DEPS)
	@mkdir -p $(@D)
	$(RUNNER_CC)

# The benchmark's guest program (bench/), with the floor module's header.
$(BUILD)/guest/uio-dmabuf-bench: bench/uio-dmabuf-bench.c bench/kernel/uio_dmabuf_bench.h $(RUNNER_DEPS)
	@mkdir -p $(@D)
	$(RUNNER_CC) -Ibench/kernel

$(BUILD)/guest/guest-e2e.sh: tests/edu/guest-e2e.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

# The example of libuiodmabuf(3), a whole driver loop, run on edu in the guest.
$(BUILD)/guest/man-example.c: userspace/libuiodmabuf.3 scripts/readme_blocks.py
	@mkdir -p $(@D)
	python3 scripts/readme_blocks.py man-example $< $@

$(BUILD)/guest/man-example: $(BUILD)/guest/man-example.c $(LIBA)
	$(CC) $(WARN) $(CFLAGS) -static -Iuserspace/include -Iinclude/uapi -o $@ $< $(LIBA)

# README's C program, run on the first edu in the guest.
$(BUILD)/guest/readme-program.c: README.md scripts/readme_blocks.py
	@mkdir -p $(@D)
	python3 scripts/readme_blocks.py c-program README.md $@

$(BUILD)/guest/readme-program: $(BUILD)/guest/readme-program.c $(LIBA)
	$(CC) $(WARN) $(CFLAGS) -static -Iuserspace/include -Iinclude/uapi -o $@ $< $(LIBA)

# README's guest blocks and uio-dmabuf(1)'s EXAMPLES, as cases of the guest's CLI run.
$(BUILD)/guest/readme-cases.sh: README.md userspace/uio-dmabuf.1 scripts/readme_blocks.py
	@mkdir -p $(@D)
	python3 scripts/readme_blocks.py guest README.md $@ userspace/uio-dmabuf.1

$(BUILD)/guest/guest-cli.sh: tests/cli/guest-cli.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(BUILD)/guest/uio-dmabuf-smoke: tests/smoke/uio-dmabuf-smoke.c tests/common/tap.h \
		include/uapi/linux/uio_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -static -Iinclude/uapi -Itests/common -o $@ $<

$(BUILD)/guest/msix-test: tests/msix/msix-test.c tests/common/tap.h include/uapi/linux/uio_dmabuf.h \
		$(LIBA)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -static -Iuserspace/include -Iinclude/uapi -Itests/common -o $@ $< \
		$(LIBA)

$(BUILD)/guest/platform-test: tests/platform/platform-test.c tests/common/tap.h \
		include/uapi/linux/uio_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -static -Iinclude/uapi -Itests/common -o $@ $<

check:
	scripts/check.sh deps build package series cross unit guest arm64 bench security e2e reliability

# Everything, with the long load run (1,000,000 import/release cycles), the
# narrow edu behind the IOMMU, and the guest suites once more on the 6.12 test
# kernel.
check-long:
	RELIABILITY_CYCLES=1000000 E2E_LONG=1 scripts/check.sh deps build package series cross unit guest arm64 bench security e2e reliability \
		security-6.12 e2e-6.12 reliability-6.12

check-deps:
	scripts/check.sh deps

check-arm64:
	scripts/check.sh arm64

check-build:
	scripts/check.sh build

check-package:
	scripts/check.sh package

check-cross:
	scripts/check.sh cross

check-series:
	scripts/check.sh series

# The patch series for drivers/uio, against Debian's linux-source-6.12.
patches:
	scripts/export-patches

check-unit:
	scripts/check.sh unit

check-e2e:
	scripts/check.sh e2e

check-reliability:
	scripts/check.sh reliability

check-security:
	scripts/check.sh security

# The benchmark's quick variant (prints its tables, asserts nothing about time).
check-bench:
	scripts/check.sh bench

# The benchmark: writes docs/bench/ (see scripts/bench.sh).
bench:
	scripts/bench.sh

# One guest boot runs the KUnit suite, the smoke test and the CLI tests.
check-guest check-kunit:
	scripts/check.sh guest

# What any kernel's module build leaves in kernel/ goes too, with or without
# the build's KDIR (the names are kbuild's).
clean:
	rm -rf $(BUILD)
	if [ -f $(KDIR)/Makefile ]; then $(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean; fi
	cd kernel && rm -f *.o *.ko *.mod *.mod.c *.mod.o .*.cmd Module.symvers modules.order \
		.*.d tests/*.o tests/*.ko tests/*.mod tests/*.mod.c tests/.*.cmd tests/.*.d .module-common.o
	rm -rf kernel/.tmp_versions

FORCE:

.PHONY: all module modules_install userspace install uninstall deb dkms-source dkms-install dkms-uninstall guest-tools check check-deps check-build check-package check-cross check-unit \
	check-guest check-arm64 check-kunit check-e2e check-reliability check-security check-series check-long patches \
	check-bench bench \
	clean FORCE
