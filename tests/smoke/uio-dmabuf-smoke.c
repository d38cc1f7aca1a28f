// SPDX-License-Identifier: GPL-2.0
/*
 * Guest smoke test of a device bound to uio_dmabuf: /dev/uioN and
 * /dev/uio-dmabufN exist with the same N, INFO answers, and a 1 MiB buffer from
 * the system dma-heap imports, reports segments that add up to its size, and
 * releases; the max_imports parameter takes no more than the handles' 65,536
 * slots. Prints TAP; exits non-zero when a check fails.
 *
 * Usage: uio-dmabuf-smoke <PCI BDF>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/uio_dmabuf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tap.h"

#define MAX_IMPORTS "/sys/module/uio_dmabuf/parameters/max_imports"

/* Write @val to the max_imports parameter: 0 or the errno of the write. */
static int set_max_imports(const char *val)
{
	int fd = open(MAX_IMPORTS, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) < 0)
		err = errno;
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	struct dma_heap_allocation_data alloc = { .len = 1 << 20, .fd_flags = O_RDWR | O_CLOEXEC };
	struct uio_dmabuf_segment segs[512];
	struct uio_dmabuf_get_segments gs = { 0 };
	struct uio_dmabuf_import imp = { 0 };
	struct uio_dmabuf_release rel = { 0 };
	struct uio_dmabuf_info info;
	unsigned long long sum = 0;
	char path[64];
	int idx, fd, heap;
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <PCI BDF>\n", argv[0]);
		return 2;
	}
	idx = uio_index("pci", argv[1]);
	check(idx >= 0, "device has a UIO device");
	snprintf(path, sizeof(path), "/dev/uio%d", idx);
	check(access(path, F_OK) == 0, "/dev/uioN exists");
	snprintf(path, sizeof(path), "/dev/uio-dmabuf%d", idx);
	fd = open(path, O_RDWR | O_CLOEXEC);
	check(fd >= 0, "/dev/uio-dmabufN opens");
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return 1;
	}
	memset(&info, 0xff, sizeof(info));
	check(ioctl(fd, UIO_DMABUF_IOC_INFO, &info) == 0, "INFO answers");
	printf("# INFO uio_index=%u dma_mask_bits=%u flags=%#x max_imports=%u nr_imports=%u\n",
	       info.uio_index, info.dma_mask_bits, info.flags, info.max_imports, info.nr_imports);
	check(info.uio_index == (unsigned int)idx, "INFO uio_index is N");
	check(info.dma_mask_bits == 32 && info.nr_imports == 0, "INFO defaults");

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	check(heap >= 0 && ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc) == 0,
	      "1 MiB from the system heap");
	imp.fd = alloc.fd;
	check(ioctl(fd, UIO_DMABUF_IOC_IMPORT, &imp) == 0, "IMPORT");
	printf("# handle=%u size=%llu nr_segments=%u\n", imp.handle,
	       (unsigned long long)imp.size, imp.nr_segments);
	gs.handle = imp.handle;
	gs.count = 512;
	gs.segments = (uintptr_t)segs;
	check(ioctl(fd, UIO_DMABUF_IOC_GET_SEGMENTS, &gs) == 0 && gs.count == imp.nr_segments,
	      "GET_SEGMENTS");
	for (i = 0; i < gs.count; i++)
		sum += segs[i].length;
	check(sum == imp.size && imp.size == alloc.len, "segment lengths add up to the size");
	check(ioctl(fd, UIO_DMABUF_IOC_IMPORT, &(struct uio_dmabuf_import){ .fd = alloc.fd }) < 0 &&
	      errno == EBUSY, "second IMPORT of the buffer is EBUSY");
	rel.handle = imp.handle;
	check(ioctl(fd, UIO_DMABUF_IOC_RELEASE, &rel) == 0, "RELEASE");
	check(ioctl(fd, UIO_DMABUF_IOC_RELEASE, &rel) < 0 && errno == ENOENT,
	      "second RELEASE is ENOENT");
	close(alloc.fd);
	close(heap);
	close(fd);

	/* A handle has 65,536 slots: max_imports takes no more. */
	snprintf(path, sizeof(path), "%u", info.max_imports);
	check(set_max_imports("65537") == EINVAL, "max_imports above 65536 is refused (EINVAL)");
	check(set_max_imports("65536") == 0, "max_imports of 65536 is taken");
	check(set_max_imports(path) == 0, "max_imports set back");
	return tap_end();
}
