# uio_dmabuf: `make` builds the module (against the running kernel's build
# directory, or KDIR=...) and the user-space programs; `make check` installs
# what is missing and runs every test. See README.md.

# The kernel build directory, for everything in this repository that builds
# the module; KERNEL_SRC is Yocto's name for it.
KERNEL_SRC ?= /lib/modules/$(shell uname -r)/build
KDIR ?= $(KERNEL_SRC)
CC ?= gcc
CFLAGS ?= -O2
WARN := -std=c11 -Wall -Wextra -Werror
BUILD := build

all: module userspace guest-tools

module:
	@test -f $(KDIR)/Makefile || { echo "make: no kernel build directory at $(KDIR):" \
		"install the kernel's headers (linux-headers-$$(uname -r)) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules

userspace:
	$(MAKE) -C userspace

install:
	$(MAKE) -C userspace install

# Static programs that run in the test guest.
GUEST_TOOLS := $(BUILD)/guest/uio-dmabuf-smoke $(BUILD)/guest/heap-helper $(BUILD)/guest/uio-dmabuf \
	$(BUILD)/guest/edu-dma-test $(BUILD)/guest/guest-e2e.sh $(BUILD)/guest/reliability $(BUILD)/guest/guest-cli.sh \
	$(BUILD)/guest/security $(BUILD)/guest/uio-dmabuf-bench

guest-tools: $(GUEST_TOOLS)

$(BUILD)/guest/heap-helper: tests/smoke/heap-helper.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -static -o $@ $<

$(BUILD)/guest/uio-dmabuf: FORCE
	$(MAKE) -C userspace static
	@mkdir -p $(@D)
	cp $(BUILD)/userspace/static/uio-dmabuf $@

# The case runners: a table of named cases (tests/common) over edu and the library.
RUNNER_DEPS := tests/common/cases.c tests/common/cases.h tests/edu/edu.c tests/edu/edu.h FORCE
RUNNER_CC = $(CC) $(WARN) $(CFLAGS) -static -Iuserspace/include -Iinclude/uapi -Itests/edu \
	-Itests/common -o $@ $< tests/common/cases.c tests/edu/edu.c \
	$(BUILD)/userspace/libuiodmabuf.a $$(pkg-config --libs libdrm)

# The edu user-space driver and the end-to-end DMA test, on the static library.
$(BUILD)/guest/edu-dma-test: tests/edu/edu-dma-test.c $(RUNNER_DEPS)
	$(MAKE) -C userspace ../$(BUILD)/userspace/libuiodmabuf.a
	@mkdir -p $(@D)
	$(RUNNER_CC)

$(BUILD)/guest/reliability: tests/reliability/reliability.c $(RUNNER_DEPS)
	$(MAKE) -C userspace ../$(BUILD)/userspace/libuiodmabuf.a
	@mkdir -p $(@D)
	$(RUNNER_CC) -lpthread

$(BUILD)/guest/security: tests/security/security.c $(RUNNER_DEPS)
	$(MAKE) -C userspace ../$(BUILD)/userspace/libuiodmabuf.a
	@mkdir -p $(@D)
	$(RUNNER_CC)

# The benchmark's guest program (bench/), with the floor module's header.
$(BUILD)/guest/uio-dmabuf-bench: bench/uio-dmabuf-bench.c bench/kernel/uio_dmabuf_bench.h $(RUNNER_DEPS)
	$(MAKE) -C userspace ../$(BUILD)/userspace/libuiodmabuf.a
	@mkdir -p $(@D)
	$(RUNNER_CC) -Ibench/kernel

$(BUILD)/guest/guest-e2e.sh: tests/edu/guest-e2e.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(BUILD)/guest/guest-cli.sh: tests/cli/guest-cli.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(BUILD)/guest/uio-dmabuf-smoke: tests/smoke/uio-dmabuf-smoke.c include/uapi/linux/uio_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -static -Iinclude/uapi -o $@ $<

check:
	scripts/check.sh deps build series unit guest bench security e2e reliability

# Everything, with the long load run (1,000,000 import/release cycles).
check-long:
	RELIABILITY_CYCLES=1000000 scripts/check.sh deps build series unit guest bench security e2e reliability

check-deps:
	scripts/check.sh deps

check-build:
	scripts/check.sh build

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

clean:
	rm -rf $(BUILD)
	if [ -f $(KDIR)/Makefile ]; then $(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean; fi

FORCE:

.PHONY: all module userspace install guest-tools check check-deps check-build check-unit \
	check-guest check-kunit check-e2e check-reliability check-security check-series check-long patches \
	check-bench bench \
	clean FORCE
