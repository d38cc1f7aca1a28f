// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of the pure parts of libuiodmabuf and the CLI: size parsing,
 * node names, table and JSON rendering, GET_SEGMENTS paging against a fake
 * device behind the library's ioctl hook, and the UIO helpers (device names,
 * regions, interrupts, CPU access) on a fake /sys, /proc and /dev tree.
 * Prints TAP and "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "format.h"
#include "internal.h"
#include "uiodmabuf.h"

static int passed, failed;

#define CHECK(cond, ...) check_((cond), __FILE__, __LINE__, __VA_ARGS__)

static void check_(int ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void check_(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", passed + failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("#   at %s:%d\n", file, line);
	}
}

static void test_parse_size(void)
{
	static const struct {
		const char *text;
		int ret;
		uint64_t size;
	} cases[] = {
		{ "4096", 0, 4096 }, { "16M", 0, 16ULL << 20 }, { "16m", 0, 16ULL << 20 },
		{ "1G", 0, 1ULL << 30 }, { "2k", 0, 2048 }, { "1KiB", 0, 1024 },
		{ "3MB", 0, 3ULL << 20 }, { "0x1000", 0, 4096 }, { "0x10K", 0, 16384 },
		{ "010", 0, 10 }, { "0", 0, 0 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 }, { "17179869184G", -ERANGE, 0 },
		{ "", -EINVAL, 0 }, { "M", -EINVAL, 0 }, { "-1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 }, { "1.5M", -EINVAL, 0 }, { "16Q", -EINVAL, 0 },
		{ "16 M", -EINVAL, 0 }, { "0x", -EINVAL, 0 }, { "1Mi", -EINVAL, 0 },
		{ "+5", -EINVAL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t size = 12345;
		int ret = uiodmabuf_parse_size(cases[i].text, &size);

		CHECK(ret == cases[i].ret && (ret || size == cases[i].size),
		      "parse_size(\"%s\") = %d, %" PRIu64, cases[i].text, ret, size);
	}
}

static void test_node_path(void)
{
	static const struct {
		const char *device;
		int ret;
		const char *path;
	} cases[] = {
		{ "uio0", 0, "/dev/uio-dmabuf0" }, { "uio12", 0, "/dev/uio-dmabuf12" },
		{ "3", 0, "/dev/uio-dmabuf3" }, { "/dev/uio2", 0, "/dev/uio-dmabuf2" },
		{ "/dev/uio-dmabuf5", 0, "/dev/uio-dmabuf5" },
		{ "uio-dmabuf7", 0, "/dev/uio-dmabuf7" }, { "/tmp/node", 0, "/tmp/node" },
		{ "", -EINVAL, NULL }, { "uio", -EINVAL, NULL }, { "uiox", -EINVAL, NULL },
		{ "foo", -EINVAL, NULL }, { "uio1x", -EINVAL, NULL }, { "-1", -EINVAL, NULL },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = uiodmabuf_node_path(cases[i].device, buf, sizeof(buf));

		CHECK(ret == cases[i].ret && (ret || !strcmp(buf, cases[i].path)),
		      "node_path(\"%s\") = %d, %s", cases[i].device, ret, ret ? "-" : buf);
	}
	CHECK(uiodmabuf_node_path("uio0", buf, 8) == -ENAMETOOLONG, "node_path too long");
}

/* Runs @fn into a memory stream and compares with @expected. */
#define RENDER(expected, call)                                                  \
	do {                                                                    \
		char *out_ = NULL;                                              \
		size_t len_ = 0;                                                \
		FILE *f = open_memstream(&out_, &len_);                         \
		call;                                                           \
		fclose(f);                                                      \
		CHECK(!strcmp(out_, expected), "%s renders", #call);           \
		if (strcmp(out_, expected))                                     \
			printf("#   got:      %s#   expected: %s", out_, expected); \
		free(out_);                                                     \
	} while (0)

/* Sizes in the tables, and JSON strings. */
static void test_format_size(void)
{
	char buf[32];

	udb_format_size(buf, sizeof(buf), 16 << 20);
	CHECK(!strcmp(buf, "16 MiB"), "format_size 16M: %s", buf);
	udb_format_size(buf, sizeof(buf), 4097);
	CHECK(!strcmp(buf, "4097 B"), "format_size 4097: %s", buf);
	udb_format_size(buf, sizeof(buf), 0);
	CHECK(!strcmp(buf, "0 B"), "format_size 0: %s", buf);
	udb_format_size(buf, sizeof(buf), 3ULL << 30);
	CHECK(!strcmp(buf, "3 GiB"), "format_size 3G: %s", buf);

	RENDER("\"a\\\"b\\\\c\\n\\u0001\"", udb_json_string(f, "a\"b\\c\n\x01"));
	RENDER("null", udb_json_string(f, NULL));
	/* UTF-8 passes; a byte that is no UTF-8 becomes U+FFFD; DEL is escaped. */
	RENDER("\"gr\u00fc\u00dfe \u20ac \U0001f600\"", udb_json_string(f, "gr\u00fc\u00dfe \u20ac \U0001f600"));
	RENDER("\"a\\ufffdb\\ufffd\\ufffdc\\u007f\"", udb_json_string(f, "a\xff" "b\xc0\xaf" "c\x7f"));
	RENDER("\"\\ufffd\\ufffd\\ufffd\"", udb_json_string(f, "\xed\xa0\x80"));
	RENDER("\"x\\ufffd\\ufffd\"", udb_json_string(f, "x\xe2\x82"));
}

static void test_format(void)
{
	static const struct uio_dmabuf_segment segs[] = {
		{ 0x1000, 0x2000 }, { 0x100000000ULL, 0x1000 },
	};
	struct udb_report r = {
		.command = "alloc", .device = "/dev/uio-dmabuf0", .uio_index = 0,
		.source = "heap", .buffer = "system heap 12 KiB", .heap = "system", .buf_fd = 4,
		.size = 0x3000, .handle = 7, .direction = "bidirectional", .iommu = false,
		.segs = segs, .nr_segs = 2,
	};
	struct udb_failure e = {
		.command = "alloc", .device = "/dev/uio-dmabuf0", .buffer = "cma heap 16 MiB",
		.operation = "import", .err = EBUSY,
	};
	struct udb_heap heaps[] = { { "reserved", true }, { "system", false } };
	char want[512];

	RENDER("device /dev/uio-dmabuf0 (uio0), buffer system heap 12 KiB, handle 7, bidirectional\n"
	       "segment  dma_addr            length              offset            \n"
	       "      0  0x0000000000001000  0x0000000000002000  0x0000000000000000\n"
	       "      1  0x0000000100000000  0x0000000000001000  0x0000000000002000\n"
	       "size 12288 (12 KiB), 2 segments, not contiguous, no IOMMU (addresses are physical)\n",
	       udb_print_report_table(f, &r));
	RENDER("{\"command\": \"alloc\", \"device\": \"/dev/uio-dmabuf0\", \"uio_index\": 0, "
	       "\"source\": \"heap\", \"heap\": \"system\", \"fd\": 4, \"size\": 12288, "
	       "\"handle\": 7, \"direction\": \"bidirectional\", \"iommu\": false, "
	       "\"contiguous\": false, \"needs_sync\": false, \"peer\": false, \"nr_segments\": 2, \"segments\": ["
	       "{\"index\": 0, \"dma_addr\": 4096, \"dma_addr_hex\": \"0x1000\", "
	       "\"length\": 8192, \"offset\": 0}, "
	       "{\"index\": 1, \"dma_addr\": 4294967296, \"dma_addr_hex\": \"0x100000000\", "
	       "\"length\": 4096, \"offset\": 8192}]}\n",
	       udb_print_report_json(f, &r));
	r.nr_segs = 1;
	r.iommu = true;
	r.needs_sync = true;
	RENDER("{\"command\": \"alloc\", \"device\": \"/dev/uio-dmabuf0\", \"uio_index\": 0, "
	       "\"source\": \"heap\", \"heap\": \"system\", \"fd\": 4, \"size\": 12288, "
	       "\"handle\": 7, \"direction\": \"bidirectional\", \"iommu\": true, "
	       "\"contiguous\": true, \"needs_sync\": true, \"peer\": false, \"nr_segments\": 1, \"segments\": ["
	       "{\"index\": 0, \"dma_addr\": 4096, \"dma_addr_hex\": \"0x1000\", "
	       "\"length\": 8192, \"offset\": 0}]}\n",
	       udb_print_report_json(f, &r));
	RENDER("device /dev/uio-dmabuf0 (uio0), buffer system heap 12 KiB, handle 7, bidirectional\n"
	       "segment  dma_addr            length              offset            \n"
	       "      0  0x0000000000001000  0x0000000000002000  0x0000000000000000\n"
	       "size 12288 (12 KiB), 1 segment, contiguous, IOMMU (addresses are IOVAs), "
	       "needs SYNC (bounced or not cache-coherent)\n", udb_print_report_table(f, &r));
	/* The message is the C library's own strerror() text. */
	snprintf(want, sizeof(want), "uio-dmabuf: alloc: device /dev/uio-dmabuf0, buffer cma "
		 "heap 16 MiB: import: %s (EBUSY)\n", strerror(EBUSY));
	RENDER(want, udb_print_failure_line(f, &e));
	snprintf(want, sizeof(want), "{\"error\": {\"command\": \"alloc\", \"device\": "
		 "\"/dev/uio-dmabuf0\", \"buffer\": \"cma heap 16 MiB\", \"operation\": "
		 "\"import\", \"errno\": 16, \"errno_name\": \"EBUSY\", \"message\": \"%s\", "
		 "\"detail\": null}}\n", strerror(EBUSY));
	RENDER(want, udb_print_failure_json(f, &e));
	RENDER("{\"heaps\": [{\"name\": \"reserved\", \"path\": \"/dev/dma_heap/reserved\", "
	       "\"cma\": true}, {\"name\": \"system\", \"path\": \"/dev/dma_heap/system\", "
	       "\"cma\": false}]}\n", udb_print_heaps_json(f, heaps, 2));
	RENDER("{\"devices\": []}\n", udb_print_devices_json(f, NULL, 0));
}

/* A fake import node: one import (handle 5) with fake_total segments. */
static uint32_t fake_total;
static int fake_calls, fake_eintr, fake_efault_at = -1;
static int fake_bad_args;
/* IMPORT and RELEASE too: a module with IMPORT's segment array, or an older one. */
static int fake_imports_on, fake_old_module, fake_releases;

static int fake_import(struct uio_dmabuf_import *imp)
{
	struct uio_dmabuf_segment *s = (struct uio_dmabuf_segment *)(uintptr_t)imp->segments;
	uint32_t i;

	if (imp->reserved || (fake_old_module && (imp->segments || imp->max_segments))) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < imp->max_segments && i < fake_total; i++) {
		s[i].dma_addr = 0x100000ULL * (i + 1);
		s[i].length = 4096 + i;
	}
	imp->handle = 5;
	imp->nr_segments = fake_total;
	return 0;
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
	struct uio_dmabuf_get_segments *gs = arg;
	uint32_t i, n;

	(void)fd;
	fake_calls++;
	if (fake_eintr) {
		fake_eintr--;
		errno = EINTR;
		return -1;
	}
	if (fake_imports_on && request == UIO_DMABUF_IOC_IMPORT)
		return fake_import(arg);
	if (fake_imports_on && request == UIO_DMABUF_IOC_RELEASE) {
		fake_releases++;
		return 0;
	}
	if (request != UIO_DMABUF_IOC_GET_SEGMENTS) {
		errno = ENOTTY;
		return -1;
	}
	if (gs->reserved || gs->nr_segments || gs->handle != 5) {
		fake_bad_args++;
		errno = gs->handle != 5 ? ENOENT : EINVAL;
		return -1;
	}
	if (gs->first > fake_total) {
		errno = EINVAL;
		return -1;
	}
	if (fake_efault_at >= 0 && fake_calls > fake_efault_at) {
		errno = EFAULT;
		return -1;
	}
	n = fake_total - gs->first < gs->count ? fake_total - gs->first : gs->count;
	for (i = 0; i < n; i++) {
		struct uio_dmabuf_segment *s = (struct uio_dmabuf_segment *)(uintptr_t)gs->segments;

		s[i].dma_addr = 0x100000ULL * (gs->first + i + 1);
		s[i].length = 4096 + gs->first + i;
	}
	gs->count = n;
	gs->nr_segments = fake_total;
	return 0;
}

static void test_isolation(void)
{
	const int lazy = UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_VIABLE |
			 UIO_DMABUF_INFO_MSI_ISOLATED | UIO_DMABUF_INFO_RESET |
			 UIO_DMABUF_INFO_NO_DIRECT;
	char buf[768];

	udb_isolation_text(buf, sizeof(buf), UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT |
			   UIO_DMABUF_INFO_VIABLE | UIO_DMABUF_INFO_MSI_ISOLATED |
			   UIO_DMABUF_INFO_ISOLATED);
	CHECK(!strcmp(buf, "isolated"), "isolation text: isolated (%s)", buf);
	udb_isolation_text(buf, sizeof(buf), 0);
	CHECK(!strcmp(buf, "no IOMMU"), "isolation text: no IOMMU (%s)", buf);
	udb_isolation_text(buf, sizeof(buf), UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT);
	CHECK(!strcmp(buf, "not isolated: shared-group msi-not-isolated no-reset "
		      "firmware-direct-map"), "isolation text: the unmet conditions (%s)", buf);
	udb_isolation_text(buf, sizeof(buf), -1);
	CHECK(!strcmp(buf, "?"), "isolation text: unknown (%s)", buf);
	/* A module before 1.1.0 reports neither reset nor firmware ranges. */
	udb_isolation_text(buf, sizeof(buf), UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_VIABLE |
			   UIO_DMABUF_INFO_MSI_ISOLATED | UDB_ISOLATION_PRE_1_1);
	CHECK(!strcmp(buf, "not isolated: lazy-domain"),
	      "isolation text: an older module's unmet conditions only (%s)", buf);
	udb_isolation_hint(buf, sizeof(buf), UIO_DMABUF_INFO_IOMMU | UDB_ISOLATION_PRE_1_1, 3);
	CHECK(strstr(buf, "group 3 has a lazy") && strstr(buf, "interrupt remapping") &&
	      !strstr(buf, "cannot be reset alone") && !strstr(buf, "reserved_regions"),
	      "hint for an older module names only what it reports (%s)", buf);

	udb_isolation_hint(buf, sizeof(buf), lazy, 7);
	CHECK(strstr(buf, "echo DMA > /sys/kernel/iommu_groups/7/type") &&
	      !strstr(buf, "interrupt remapping") && !strstr(buf, "kernel driver") &&
	      !strstr(buf, "identity-mapped") &&
	      strstr(buf, "allow_unsafe_noiommu=1"), "hint for a lazy domain names the fix (%s)", buf);
	udb_isolation_hint(buf, sizeof(buf), UIO_DMABUF_INFO_IOMMU, 3);
	CHECK(strstr(buf, "group 3 has a lazy") && strstr(buf, "/sys/kernel/iommu_groups/3/devices") &&
	      strstr(buf, "interrupt remapping") && strstr(buf, "cannot be reset alone") &&
	      strstr(buf, "/sys/kernel/iommu_groups/3/reserved_regions"),
	      "hint names every unmet condition (%s)", buf);
	udb_isolation_hint(buf, 40, UIO_DMABUF_INFO_IOMMU, 3);
	CHECK(strlen(buf) == 39, "hint is cut at the buffer's end (%zu)", strlen(buf));
	udb_isolation_hint(buf, sizeof(buf), 0, -1);
	CHECK(strstr(buf, "no IOMMU translates") != NULL, "hint without an IOMMU (%s)", buf);

	udb_owner_hint(buf, sizeof(buf), 1000, 5);
	CHECK(strstr(buf, "IOMMU group 5 is in use by uid 1000") != NULL,
	      "EBUSY hint names the group and its owner (%s)", buf);
	udb_owner_hint(buf, sizeof(buf), -1, 5);
	CHECK(strstr(buf, "in use by another user") != NULL, "EBUSY hint, owner unknown (%s)", buf);
}

/* A device whose IOMMU group another user holds: list says who. */
static void test_device_owner(void)
{
	struct udb_device d = {
		.uio = "uio2", .index = 2, .node = "/dev/uio-dmabuf2", .bus = "pci",
		.id = "0000:01:02.0", .vendor = "0x8086", .device_id = "0x100e",
		.dma_mask_bits = 32, .iommu = true, .iommu_group = 5, .iommu_type = "DMA",
		.isolation = UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT |
			     UIO_DMABUF_INFO_VIABLE | UIO_DMABUF_INFO_MSI_ISOLATED |
			     UIO_DMABUF_INFO_RESET | UIO_DMABUF_INFO_NO_DIRECT |
			     UIO_DMABUF_INFO_ISOLATED,
		.imports = 0, .owner = 1000, .irq_mode = "msix", .irq_vectors = 4, .revoked = 0,
	};

	RENDER("{\"devices\": [{\"uio\": \"uio2\", \"index\": 2, \"node\": \"/dev/uio-dmabuf2\", "
	       "\"bus\": \"pci\", \"device\": \"0000:01:02.0\", \"vendor\": \"0x8086\", "
	       "\"device_id\": \"0x100e\", \"dma_mask_bits\": 32, \"iommu\": true, "
	       "\"iommu_group\": 5, \"iommu_type\": \"DMA\", \"isolation\": {\"flags\": 127, "
	       "\"strict\": true, \"viable\": true, \"msi_isolated\": true, \"reset\": true, "
	       "\"no_direct\": true, \"isolated\": true}, "
	       "\"owner_uid\": 1000, \"irq_mode\": \"msix\", \"irq_vectors\": 4, "
	       "\"imports\": 0, \"revoked\": 0}]}\n", udb_print_devices_json(f, &d, 1));
	RENDER("uio   node              bus  device        id             dma_mask  "
	       "iommu                      isolation                     irq               "
	       "imports\n"
	       "uio2  /dev/uio-dmabuf2  pci  0000:01:02.0  0x8086:0x100e  32 bits   "
	       "translated (group 5, DMA)  isolated, in use by uid 1000  msix (4 vectors)  0\n",
	       udb_print_devices_table(f, &d, 1));
	d.owner = -1;
	d.imports = 3;
	d.revoked = 1;
	snprintf(d.irq_mode, sizeof(d.irq_mode), "intx");
	RENDER("uio   node              bus  device        id             dma_mask  "
	       "iommu                      isolation  irq   imports\n"
	       "uio2  /dev/uio-dmabuf2  pci  0000:01:02.0  0x8086:0x100e  32 bits   "
	       "translated (group 5, DMA)  isolated   intx  3 (1 revoked)\n",
	       udb_print_devices_table(f, &d, 1));
	d.irq_mode[0] = 0;
	d.irq_vectors = d.revoked = -1;
	RENDER("{\"devices\": [{\"uio\": \"uio2\", \"index\": 2, \"node\": \"/dev/uio-dmabuf2\", "
	       "\"bus\": \"pci\", \"device\": \"0000:01:02.0\", \"vendor\": \"0x8086\", "
	       "\"device_id\": \"0x100e\", \"dma_mask_bits\": 32, \"iommu\": true, "
	       "\"iommu_group\": 5, \"iommu_type\": \"DMA\", \"isolation\": {\"flags\": 127, "
	       "\"strict\": true, \"viable\": true, \"msi_isolated\": true, \"reset\": true, "
	       "\"no_direct\": true, \"isolated\": true}, "
	       "\"owner_uid\": null, \"irq_mode\": null, \"irq_vectors\": null, "
	       "\"imports\": 3, \"revoked\": null}]}\n", udb_print_devices_json(f, &d, 1));
	/* A module before 1.1.0: reset and firmware ranges unknown. */
	d.isolation = UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_VIABLE |
		      UIO_DMABUF_INFO_MSI_ISOLATED | UDB_ISOLATION_PRE_1_1;
	RENDER("{\"devices\": [{\"uio\": \"uio2\", \"index\": 2, \"node\": \"/dev/uio-dmabuf2\", "
	       "\"bus\": \"pci\", \"device\": \"0000:01:02.0\", \"vendor\": \"0x8086\", "
	       "\"device_id\": \"0x100e\", \"dma_mask_bits\": 32, \"iommu\": true, "
	       "\"iommu_group\": 5, \"iommu_type\": \"DMA\", \"isolation\": {\"flags\": 13, "
	       "\"strict\": false, \"viable\": true, \"msi_isolated\": true, \"reset\": null, "
	       "\"no_direct\": null, \"isolated\": false}, "
	       "\"owner_uid\": null, \"irq_mode\": null, \"irq_vectors\": null, "
	       "\"imports\": 3, \"revoked\": null}]}\n", udb_print_devices_json(f, &d, 1));
}

static void test_paging(void)
{
	static const uint32_t totals[] = { 0, 1, UIODMABUF_SEGMENT_PAGE - 1, UIODMABUF_SEGMENT_PAGE,
					   UIODMABUF_SEGMENT_PAGE + 1, 1000 };
	struct uio_dmabuf_segment *segs;
	struct uio_dmabuf_import imp_old;
	uint32_t count, i;
	size_t t;
	int ret;

	uiodmabuf_sys_ioctl = fake_ioctl;
	for (t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
		int ok = 1;

		fake_total = totals[t];
		fake_calls = 0;
		fake_bad_args = 0;
		segs = NULL;
		count = 12345;
		ret = uiodmabuf_get_segments(3, 5, &segs, &count);
		for (i = 0; !ret && i < count; i++)
			ok &= segs[i].dma_addr == 0x100000ULL * (i + 1) && segs[i].length == 4096 + i;
		CHECK(!ret && count == fake_total && ok && !fake_bad_args &&
		      fake_calls == 1 + (int)((fake_total + UIODMABUF_SEGMENT_PAGE - 1) /
					     UIODMABUF_SEGMENT_PAGE),
		      "get_segments pages %" PRIu32 " segments in %d calls", fake_total, fake_calls);
		free(segs);
	}

	fake_total = 600;
	fake_calls = 0;
	fake_eintr = 2;
	segs = NULL;
	ret = uiodmabuf_get_segments(3, 5, &segs, &count);
	CHECK(!ret && count == 600 && fake_calls == 2 + 1 + 3, "EINTR restarts the ioctl");
	free(segs);

	fake_calls = 0;
	fake_efault_at = 2;
	segs = NULL;
	ret = uiodmabuf_get_segments(3, 5, &segs, &count);
	CHECK(ret == -EFAULT && !segs, "an error mid-way is returned and frees the array");
	fake_efault_at = -1;

	ret = uiodmabuf_get_segments(3, 6, &segs, &count);
	CHECK(ret == -ENOENT, "unknown handle is -ENOENT");

	/* IMPORT that returns the segments: one call up to 16, then paging. */
	fake_imports_on = 1;
	for (t = 0; t < 4; t++) {
		static const uint32_t imports[] = { 0, 1, 16, 17 };
		struct uio_dmabuf_import imp;
		int ok = 1;

		fake_total = imports[t];
		fake_calls = 0;
		segs = NULL;
		ret = uiodmabuf_import_segments(3, 4, UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp,
						&segs, &count);
		for (i = 0; !ret && i < count; i++)
			ok &= segs[i].dma_addr == 0x100000ULL * (i + 1) && segs[i].length == 4096 + i;
		CHECK(!ret && ok && count == fake_total && imp.handle == 5 && !imp.segments &&
		      !imp.max_segments && fake_calls == (fake_total <= 16 ? 1 : 3),
		      "import_segments: %" PRIu32 " segments in %d calls", fake_total, fake_calls);
		free(segs);
	}
	fake_old_module = 1;
	fake_total = 3;
	fake_calls = 0;
	segs = NULL;
	ret = uiodmabuf_import_segments(3, 4, UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp_old, &segs,
					&count);
	CHECK(!ret && count == 3 && segs && segs[2].length == 4096 + 2 && fake_calls == 4,
	      "import_segments with an older module: IMPORT again without the array, then "
	      "GET_SEGMENTS (%d calls)", fake_calls);
	free(segs);
	fake_old_module = 0;
	fake_total = 600;
	fake_calls = 0;
	fake_releases = 0;
	fake_efault_at = 2;
	segs = NULL;
	ret = uiodmabuf_import_segments(3, 4, UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp_old, &segs,
					&count);
	CHECK(ret == -EFAULT && !segs && fake_releases == 1,
	      "import_segments: a failure after the import releases it");
	fake_efault_at = -1;
	fake_imports_on = 0;
	CHECK(uiodmabuf_release(3, 5) == -ENOTTY, "other ioctls pass the errno through");
	uiodmabuf_sys_ioctl = NULL;
}


/* Writes @text to @root/@path, making its directories. */
static void put(const char *root, const char *path, const char *text)
{
	char full[512], *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	for (slash = strchr(full + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(full, 0755);
		*slash = '/';
	}
	if (!text) {
		mkdir(full, 0755);
		return;
	}
	f = fopen(full, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* What the fake ioctl saw: the requests and their flags, in order. */
static unsigned long kit_req[8];
static uint64_t kit_flags[8];
static int kit_calls;

static int kit_ioctl(int fd, unsigned long request, void *arg)
{
	(void)fd;
	if (kit_calls < 8) {
		kit_req[kit_calls] = request;
		kit_flags[kit_calls] = request == DMA_BUF_IOCTL_SYNC ?
				       ((struct dma_buf_sync *)arg)->flags :
				       ((struct uio_dmabuf_sync *)arg)->flags;
	}
	kit_calls++;
	return 0;
}

static void test_uio_kit(void)
{
	static const struct {
		const char *device;
		int ret;
		const char *path;
	} names[] = {
		{ "uio3", 0, "/dev/uio3" }, { "3", 0, "/dev/uio3" },
		{ "/dev/uio-dmabuf4", 0, "/dev/uio4" }, { "uio-dmabuf4", 0, "/dev/uio4" },
		{ "0000:01:00.0", 0, "/dev/uio3" }, { "01:00.0", 0, "/dev/uio3" },
		{ "fpga@1000", 0, "/dev/uio5" }, { "0000:02:00.0", -ENODEV, NULL },
		{ "eth0", -EINVAL, NULL }, { "../uio3", -EINVAL, NULL }, { "", -EINVAL, NULL },
	};
	char root[] = "/tmp/uiodmabuf-unit.XXXXXX", path[512], buf[64];
	struct uio_dmabuf_import imp;
	uint32_t irq32 = 7;
	uint64_t count = 0, one = 3;
	int fd, pipefd[2], efd, ret;
	size_t i, size = 0;
	struct stat st;
	void *addr = NULL;

	if (!mkdtemp(root)) {
		CHECK(0, "mkdtemp");
		return;
	}
	uiodmabuf_root = root;
	put(root, "sys/bus/pci/devices/0000:01:00.0/uio/uio3", NULL);
	put(root, "sys/bus/pci/devices/0000:02:00.0", NULL);
	put(root, "sys/bus/platform/devices/fpga@1000/uio/uio5", NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ret = uiodmabuf_uio_path(names[i].device, buf, sizeof(buf));
		CHECK(ret == names[i].ret && (ret || !strcmp(buf, names[i].path)),
		      "uio_path(\"%s\") = %d, %s", names[i].device, ret, ret ? "-" : buf);
	}
	ret = uiodmabuf_node_path("01:00.0", buf, sizeof(buf));
	CHECK(!ret && !strcmp(buf, "/dev/uio-dmabuf3"), "node_path of a PCI address: %s",
	      ret ? "-" : buf);

	/*
	 * Regions, on /dev/zero as if it were /dev/uio3 (its /sys/dev/char link
	 * faked): map0 is 0x1000 bytes from a page boundary, the region 0x10
	 * into it, so 0xff0 bytes; map1 0x100 bytes at a page boundary.
	 */
	put(root, "sys/class/uio/uio3/maps/map0/size", "0x1000\n");
	put(root, "sys/class/uio/uio3/maps/map0/offset", "0x10\n");
	put(root, "sys/class/uio/uio3/maps/map1/size", "0x100\n");
	put(root, "sys/class/uio/uio3/maps/map1/offset", "0x0\n");
	put(root, "sys/dev/char", NULL);
	fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	ret = fstat(fd, &st);
	snprintf(path, sizeof(path), "%s/sys/dev/char/%u:%u", root, major(st.st_rdev),
		 minor(st.st_rdev));
	ret = ret ? -1 : symlink("../../devices/pci0000:00/0000:00:03.0/uio/uio3", path);
	CHECK(!ret && uiodmabuf_map_region(fd, 1, &addr, &size) == 0 && size == 0x100 &&
	      !((uintptr_t)addr & (sysconf(_SC_PAGESIZE) - 1)) &&
	      !uiodmabuf_unmap_region(addr, size), "map_region 1: a page-aligned region");
	ret = ret ? -1 : uiodmabuf_map_region(fd, 0, &addr, &size);
	CHECK(!ret && size == 0xff0 && ((uintptr_t)addr & (sysconf(_SC_PAGESIZE) - 1)) == 0x10,
	      "map_region 0: the in-page offset applied, and taken from the size (%d)", ret);
	if (!ret) {
		memset(addr, 0xa5, size);	/* every byte of it is mapped */
		CHECK(!uiodmabuf_unmap_region(addr, size), "unmap_region");
	}
	CHECK(uiodmabuf_map_region(fd, 2, &addr, &size) == -ENXIO, "map_region of no region: -ENXIO");
	close(fd);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	CHECK(uiodmabuf_map_region(fd, 0, &addr, &size) == -ENOTTY,
	      "map_region of a device that is no UIO device: -ENOTTY");
	close(fd);
	snprintf(path, sizeof(path), "%s/uio3", root);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	CHECK(uiodmabuf_map_region(fd, 0, &addr, &size) == -ENOTTY,
	      "map_region of a regular file named uio3: -ENOTTY");
	close(fd);
	CHECK(uiodmabuf_map_region(-2, 0, &addr, &size) == -EBADF &&
	      uiodmabuf_wait_irq(-2, -1, NULL) == -EBADF, "a failed open's fd: -EBADF, no wait");

	/* Interrupts: a UIO device reads its count in 4 bytes, an eventfd in 8. */
	if (pipe(pipefd) == 0) {
		CHECK(uiodmabuf_wait_irq(pipefd[0], 0, &count) == -ETIMEDOUT, "wait_irq times out");
		ret = write(pipefd[1], &irq32, sizeof(irq32)) == sizeof(irq32) ?
		      uiodmabuf_wait_irq(pipefd[0], 1000, &count) : -1;
		CHECK(!ret && count == 7, "wait_irq reads the UIO count (%d, %" PRIu64 ")", ret, count);
		irq32 = 9;
		ret = uiodmabuf_irq_enable(pipefd[1], 1);
		CHECK(!ret && read(pipefd[0], &irq32, sizeof(irq32)) == sizeof(irq32) && irq32 == 1,
		      "irq_enable writes a 32-bit 1");
		ret = uiodmabuf_irq_enable(pipefd[1], 0);
		CHECK(!ret && read(pipefd[0], &irq32, sizeof(irq32)) == sizeof(irq32) && irq32 == 0,
		      "irq_enable(0) writes a 32-bit 0");
		close(pipefd[0]);
		close(pipefd[1]);
	}
	efd = eventfd(0, EFD_CLOEXEC);
	ret = efd >= 0 && write(efd, &one, sizeof(one)) == sizeof(one) ?
	      uiodmabuf_wait_irq(efd, 1000, &count) : -1;
	CHECK(!ret && count == 3, "wait_irq reads an eventfd's count (%d, %" PRIu64 ")", ret, count);
	if (efd >= 0)
		close(efd);

	/* CPU access: which sync, by exporter, and in which order. */
	put(root, "dev/dma_heap/system", "");
	put(root, "proc/self/fdinfo/40", "size:\t4096\nexp_name:\tsystem\n");
	put(root, "proc/self/fdinfo/41", "size:\t4096\nexp_name:\tudmabuf\n");
	put(root, "proc/self/fdinfo/42", "size:\t4096\nexp_name:\ti915\n");
	put(root, "proc/self/fdinfo/43", "pos:\t0\n");
	memset(&imp, 0, sizeof(imp));
	imp.handle = 5;
	CHECK(uiodmabuf_cpu_sync_method(40, &imp) == UIODMABUF_CPU_SYNC_DMABUF,
	      "a dma-heap's buffer: DMA_BUF_IOCTL_SYNC");
	CHECK(uiodmabuf_cpu_sync_method(41, &imp) == UIODMABUF_CPU_SYNC_IMPORT,
	      "udmabuf: UIO_DMABUF_IOC_SYNC");
	CHECK(uiodmabuf_cpu_sync_method(42, &imp) ==
	      (UIODMABUF_CPU_SYNC_DMABUF | UIODMABUF_CPU_SYNC_IMPORT), "another exporter: both");
	CHECK(uiodmabuf_cpu_sync_method(43, &imp) == -ENOTTY, "not a dma-buf: -ENOTTY");
	imp.map_flags = UIO_DMABUF_MAP_PEER;
	CHECK(uiodmabuf_cpu_sync_method(42, &imp) == UIODMABUF_CPU_SYNC_DMABUF,
	      "peer memory: the exporter's sync only");
	imp.map_flags = 0;

	uiodmabuf_sys_ioctl = kit_ioctl;
	kit_calls = 0;
	imp.direction = UIO_DMABUF_DIR_FROM_DEVICE;
	ret = uiodmabuf_begin_cpu_access(3, 42, &imp, UIODMABUF_CPU_SYNC_AUTO);
	CHECK(!ret && kit_calls == 2 && kit_req[0] == DMA_BUF_IOCTL_SYNC &&
	      kit_flags[0] == (DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) &&
	      kit_req[1] == UIO_DMABUF_IOC_SYNC && kit_flags[1] == UIO_DMABUF_SYNC_FOR_CPU,
	      "begin_cpu_access, another exporter: START|READ, then the import for the CPU");
	kit_calls = 0;
	ret = uiodmabuf_end_cpu_access(3, 42, &imp, UIODMABUF_CPU_SYNC_AUTO);
	CHECK(!ret && kit_calls == 2 && kit_req[0] == UIO_DMABUF_IOC_SYNC &&
	      kit_flags[0] == UIO_DMABUF_SYNC_FOR_DEVICE && kit_req[1] == DMA_BUF_IOCTL_SYNC &&
	      kit_flags[1] == (DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ),
	      "end_cpu_access, another exporter: the import for the device, then END|READ");
	kit_calls = 0;
	imp.direction = UIO_DMABUF_DIR_BIDIRECTIONAL;
	ret = uiodmabuf_begin_cpu_access(3, 40, &imp, UIODMABUF_CPU_SYNC_AUTO);
	CHECK(!ret && kit_calls == 1 && kit_req[0] == DMA_BUF_IOCTL_SYNC &&
	      kit_flags[0] == (DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW),
	      "begin_cpu_access, a heap's buffer: START|RW only");
	kit_calls = 0;
	imp.direction = UIO_DMABUF_DIR_TO_DEVICE;
	ret = uiodmabuf_end_cpu_access(3, 41, &imp, UIODMABUF_CPU_SYNC_AUTO);
	CHECK(!ret && kit_calls == 1 && kit_req[0] == UIO_DMABUF_IOC_SYNC &&
	      kit_flags[0] == UIO_DMABUF_SYNC_FOR_DEVICE,
	      "end_cpu_access, udmabuf: the import for the device only");
	kit_calls = 0;
	ret = uiodmabuf_end_cpu_access(3, 41, &imp, UIODMABUF_CPU_SYNC_DMABUF);
	CHECK(!ret && kit_calls == 1 && kit_req[0] == DMA_BUF_IOCTL_SYNC &&
	      kit_flags[0] == (DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE),
	      "an explicit method is followed (END|WRITE for TO_DEVICE)");
	CHECK(uiodmabuf_begin_cpu_access(3, 41, &imp, 0x4) == -EINVAL &&
	      uiodmabuf_begin_cpu_access(3, 41, NULL, 0) == -EINVAL, "bad method or import: -EINVAL");
	uiodmabuf_sys_ioctl = NULL;
	uiodmabuf_root = "";
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path))
		CHECK(0, "remove %s", root);
}

int main(void)
{
	test_parse_size();
	test_node_path();
	test_isolation();
	test_device_owner();
	test_format_size();
	test_format();
	test_paging();
	test_uio_kit();
	printf("1..%d\n", passed + failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
