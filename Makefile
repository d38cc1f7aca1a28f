# uio_dmabuf: `make` builds the module (against the installed 6.12 headers) and
# the user-space programs; `make check` installs what is missing and runs every
# test. See README.md.

KDIR ?= $(lastword $(sort $(wildcard /usr/src/linux-headers-6.12.*-amd64)))
CC ?= gcc
CFLAGS ?= -O2
WARN := -std=c11 -Wall -Wextra -Werror
BUILD := build

all: module guest-tools

module:
	$(MAKE) -C kernel KDIR=$(KDIR)

# Static programs that run in the test guest.
GUEST_TOOLS := $(BUILD)/guest/uio-dmabuf-smoke

guest-tools: $(GUEST_TOOLS)

$(BUILD)/guest/uio-dmabuf-smoke: tests/smoke/uio-dmabuf-smoke.c include/uapi/linux/uio_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -static -Iinclude/uapi -o $@ $<

check:
	scripts/check.sh deps build kunit

check-deps:
	scripts/check.sh deps

check-build:
	scripts/check.sh build

check-kunit:
	scripts/check.sh kunit

clean:
	$(MAKE) -C kernel KDIR=$(KDIR) clean
	rm -rf $(BUILD)

.PHONY: all module guest-tools check check-deps check-build check-kunit clean
