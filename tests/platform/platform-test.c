// SPDX-License-Identifier: GPL-2.0
/*
 * A platform device bound to uio_dmabuf: the PL031 real-time clock of QEMU's
 * arm64 virt machine (made a platform device by dropping "arm,primecell" from
 * its compatible). Checks its UIO map (the PL031's peripheral ID read through
 * it), its interrupt (the RTC's alarm, set through the map, wakes read() on
 * /dev/uioN; write() of 1 re-arms it) and its import node (INFO, and a
 * system-heap buffer imported with its segments reported).
 *
 * Usage: platform-test DEVICE [EXPECTED_ADDR], DEVICE a name under
 * /sys/bus/platform/devices. Prints TAP; exits 1 when a case failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/uio_dmabuf.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"

/* PL031 registers. */
#define RTC_DR		0x000	/* data: the time in seconds */
#define RTC_MR		0x004	/* match: the alarm */
#define RTC_IMSC	0x010	/* interrupt mask set/clear */
#define RTC_MIS		0x018	/* masked interrupt status */
#define RTC_ICR		0x01c	/* interrupt clear */
#define RTC_PERIPHID0	0xfe0	/* 0x31 */
#define RTC_PERIPHID1	0xfe4	/* 0x10 */

static unsigned long long sysfs_ull(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llx", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* The alarm in two seconds wakes read(); then it is cleared and re-armed. */
static void test_irq(int uio, volatile uint32_t *regs)
{
	struct pollfd p = { .fd = uio, .events = POLLIN };
	uint32_t one = 1, count = 0, count2 = 0;

	check(write(uio, &one, sizeof(one)) == sizeof(one), "write(1) to /dev/uioN arms the IRQ");
	regs[RTC_ICR / 4] = 1;
	regs[RTC_MR / 4] = regs[RTC_DR / 4] + 2;
	regs[RTC_IMSC / 4] = 1;
	check(poll(&p, 1, 10000) == 1 && read(uio, &count, sizeof(count)) == sizeof(count) &&
	      count >= 1, "the RTC alarm wakes read() on /dev/uioN (event count %u)", count);
	check(regs[RTC_MIS / 4] & 1, "the device's interrupt status shows the alarm");
	regs[RTC_ICR / 4] = 1;
	regs[RTC_MR / 4] = regs[RTC_DR / 4] + 2;
	check(write(uio, &one, sizeof(one)) == sizeof(one) && poll(&p, 1, 10000) == 1 &&
	      read(uio, &count2, sizeof(count2)) == sizeof(count2) && count2 == count + 1,
	      "re-armed, the next alarm is the next event (%u)", count2);
	regs[RTC_IMSC / 4] = 0;
	regs[RTC_ICR / 4] = 1;
	write(uio, &one, sizeof(one));
}

static void test_import(int idx)
{
	struct dma_heap_allocation_data alloc = { .len = 1 << 20, .fd_flags = O_RDWR };
	struct uio_dmabuf_segment segs[256];
	struct uio_dmabuf_get_segments gs = { 0 };
	struct uio_dmabuf_import imp = { 0 };
	struct uio_dmabuf_release rel = { 0 };
	struct uio_dmabuf_info info;
	unsigned long long sum = 0;
	char path[64];
	int node, heap;
	unsigned int i;

	snprintf(path, sizeof(path), "/dev/uio-dmabuf%d", idx);
	node = open(path, O_RDWR | O_CLOEXEC);
	check(node >= 0, "%s opens (allow_unsafe_noiommu: no IOMMU in front of it)", path);
	if (node < 0)
		return;
	memset(&info, 0xff, sizeof(info));
	check(ioctl(node, UIO_DMABUF_IOC_INFO, &info) == 0 && info.uio_index == (unsigned int)idx &&
	      !(info.flags & UIO_DMABUF_INFO_IOMMU) && info.irq_mode == UIO_DMABUF_IRQ_LINE &&
	      info.nr_irq_vectors == 0,
	      "INFO: uio_index %d, no IOMMU, a wired interrupt (flags %#x, irq_mode %u)", idx,
	      info.flags, info.irq_mode);
	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	check(heap >= 0 && ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc) == 0,
	      "1 MiB from the system heap");
	imp.fd = alloc.fd;
	check(ioctl(node, UIO_DMABUF_IOC_IMPORT, &imp) == 0, "IMPORT for the platform device");
	gs.handle = imp.handle;
	gs.count = 256;
	gs.segments = (uintptr_t)segs;
	check(ioctl(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs) == 0 && gs.count == imp.nr_segments &&
	      gs.count > 0, "GET_SEGMENTS: %u segments", gs.count);
	for (i = 0; i < gs.count; i++) {
		sum += segs[i].length;
		if (i < 4)
			printf("# segment %u: %#llx + %#llx\n", i,
			       (unsigned long long)segs[i].dma_addr,
			       (unsigned long long)segs[i].length);
	}
	/* virt's RAM starts at 1 GiB: without an IOMMU, addresses are RAM's. */
	check(sum == imp.size && imp.size == alloc.len && gs.count && segs[0].dma_addr >= 1ULL << 30,
	      "the segments add up to the buffer and lie in RAM");
	rel.handle = imp.handle;
	check(ioctl(node, UIO_DMABUF_IOC_RELEASE, &rel) == 0, "RELEASE");
	close(alloc.fd);
	close(heap);
	close(node);
}

int main(int argc, char **argv)
{
	unsigned long long addr, size, want = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	volatile uint32_t *regs;
	char path[160];
	int idx, uio;
	void *p;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DEVICE [EXPECTED_ADDR]\n", argv[0]);
		return 2;
	}
	idx = uio_index("platform", argv[1]);
	check(idx >= 0, "%s has a UIO device", argv[1]);
	if (idx < 0) {
		return tap_end();
	}
	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map0/addr", idx);
	addr = sysfs_ull(path);
	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map0/size", idx);
	size = sysfs_ull(path);
	check(size == 0x1000 && (!want || addr == want), "map 0: %#llx, %#llx bytes", addr, size);

	snprintf(path, sizeof(path), "/dev/uio%d", idx);
	uio = open(path, O_RDWR | O_CLOEXEC);
	p = uio < 0 ? MAP_FAILED : mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, uio, 0);
	check(p != MAP_FAILED, "map 0 maps");
	if (p == MAP_FAILED) {
		return tap_end();
	}
	regs = p;
	check((regs[RTC_PERIPHID0 / 4] & 0xff) == 0x31 && (regs[RTC_PERIPHID1 / 4] & 0xff) == 0x10,
	      "the map reaches the PL031: peripheral ID %#x %#x", regs[RTC_PERIPHID0 / 4] & 0xff,
	      regs[RTC_PERIPHID1 / 4] & 0xff);
	test_irq(uio, regs);
	munmap(p, 0x1000);
	close(uio);
	test_import(idx);
	return tap_end();
}
