// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libuiodmabuf: import dma-bufs on a UIO device bound to uio_dmabuf.
 * See include/uiodmabuf.h for the interface.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <drm.h>		/* libdrm's copy of the DRM UAPI: its header, not its library */

#include "uiodmabuf.h"
#include "internal.h"

#define HEAP_DIR "/dev/dma_heap"

static int sys_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

int (*uiodmabuf_sys_ioctl)(int fd, unsigned long request, void *arg) = sys_ioctl;

int uiodmabuf_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = uiodmabuf_sys_ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : ret;
}

int uiodmabuf_node_path(const char *device, char *buf, size_t len)
{
	int idx, n;

	if (!device || !*device)
		return -EINVAL;
	idx = uiodmabuf_uio_index(device);	/* uioN, N, /dev/uio(-dmabuf)N, a bus device */
	if (idx >= 0)
		n = snprintf(buf, len, "/dev/uio-dmabuf%d", idx);
	else if (device[0] == '/')
		n = snprintf(buf, len, "%s", device);	/* another path is used as it is */
	else
		return idx;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int uiodmabuf_open(const char *device)
{
	char path[256];
	int ret, fd;

	ret = uiodmabuf_node_path(device, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int uiodmabuf_info(int fd, struct uio_dmabuf_info *info)
{
	struct uio_dmabuf_info arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	ret = uiodmabuf_ioctl(fd, UIO_DMABUF_IOC_INFO, &arg);
	if (ret < 0)
		return ret;
	*info = arg;
	return 0;
}

static int heap_exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), HEAP_DIR "/%s", name);
	return access(path, F_OK) == 0;
}

/* The kernel's CMA heap: its name depends on how the CMA area was declared. */
static int find_cma_heap(char *buf, size_t len)
{
	static const char *const known[] = { "linux,cma", "reserved", "default_cma",
					     "default-pool" };
	struct dirent *e;
	size_t i;
	DIR *d;
	int ret = -ENOENT;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (heap_exists(known[i]))
			return snprintf(buf, len, "%s", known[i]) >= (int)len ? -ENAMETOOLONG : 0;

	/* Any other heap that is not a system heap is a CMA area. */
	d = opendir(HEAP_DIR);
	if (!d)
		return -ENOENT;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "system", 6))
			continue;
		ret = snprintf(buf, len, "%s", e->d_name) >= (int)len ? -ENAMETOOLONG : 0;
		break;
	}
	closedir(d);
	return ret;
}

int uiodmabuf_heap_resolve(const char *heap, char *buf, size_t len)
{
	if (!heap || !*heap || strchr(heap, '/'))
		return -EINVAL;
	if (!strcmp(heap, "cma") && !heap_exists("cma"))
		return find_cma_heap(buf, len);
	if (!heap_exists(heap))
		return -ENOENT;
	return snprintf(buf, len, "%s", heap) >= (int)len ? -ENAMETOOLONG : 0;
}

/*
 * A buffer larger than the machine's RAM cannot be allocated; asking the system
 * heap for one anyway drives the machine into the OOM killer before it fails.
 * The RAM size is read once: sysconf() asks the kernel for it each time.
 */
static int check_size(uint64_t size)
{
	static _Atomic long ram_pages;
	long pages = ram_pages, page = sysconf(_SC_PAGESIZE);

	if (!size)
		return -EINVAL;
	if (!pages) {
		pages = sysconf(_SC_PHYS_PAGES);
		ram_pages = pages;
	}
	if (pages > 0 && page > 0 && size / (uint64_t)page > (uint64_t)pages)
		return -ENOMEM;
	return 0;
}

/* @heap's node, opened: the name as given, else (for "cma") the CMA area's. */
static int heap_open(const char *heap)
{
	char name[128], path[256];
	int fd, ret;

	if (!heap || !*heap || strchr(heap, '/'))
		return -EINVAL;
	if (snprintf(path, sizeof(path), HEAP_DIR "/%s", heap) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || strcmp(heap, "cma"))
		return fd < 0 ? -errno : fd;
	ret = find_cma_heap(name, sizeof(name));
	if (ret)
		return ret;
	snprintf(path, sizeof(path), HEAP_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int uiodmabuf_heap_alloc(const char *heap, uint64_t size)
{
	struct dma_heap_allocation_data data;
	int ret, fd;

	ret = check_size(size);
	if (ret)
		return ret;
	fd = heap_open(heap);
	if (fd < 0)
		return fd;
	memset(&data, 0, sizeof(data));
	data.len = size;
	data.fd_flags = O_RDWR | O_CLOEXEC;
	ret = uiodmabuf_ioctl(fd, DMA_HEAP_IOCTL_ALLOC, &data);
	close(fd);
	return ret < 0 ? ret : (int)data.fd;
}

int uiodmabuf_udmabuf_alloc_memfd(uint64_t size, int *memfd_out)
{
	struct udmabuf_create create;
	int memfd, dev, ret;

	ret = check_size(size);
	if (ret)
		return ret;
	if (size % (uint64_t)sysconf(_SC_PAGESIZE))
		return -EINVAL;
	memfd = memfd_create("uio-dmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, (off_t)size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		goto close_memfd;
	}
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		ret = -errno;
		goto close_memfd;
	}
	memset(&create, 0, sizeof(create));
	create.memfd = memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	create.offset = 0;
	create.size = size;
	ret = uiodmabuf_ioctl(dev, UDMABUF_CREATE, &create);
	close(dev);
	if (ret >= 0 && memfd_out) {
		*memfd_out = memfd;	/* ownership passes to the caller */
		return ret;
	}
close_memfd:
	/* The dma-buf holds the memfd's pages; the memfd itself is not needed. */
	close(memfd);
	return ret;
}

int uiodmabuf_udmabuf_alloc(uint64_t size)
{
	return uiodmabuf_udmabuf_alloc_memfd(size, NULL);
}

/* Opens the vgem card, else the first card; returns the fd or -errno. */
static int open_default_card(void)
{
	char path[64];
	int i, fd, first = -ENOENT;

	for (i = 0; i < 16; i++) {
		struct drm_version v;
		char name[8] = "";

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!uiodmabuf_ioctl(fd, DRM_IOCTL_VERSION, &v) && v.name_len == 4 &&
		    !strcmp(name, "vgem")) {
			if (first >= 0)
				close(first);
			return fd;
		}
		if (first < 0)
			first = fd;
		else
			close(fd);
	}
	return first;
}

int uiodmabuf_drm_alloc(const char *card, uint64_t size)
{
	struct drm_mode_create_dumb create;
	struct drm_prime_handle prime;
	struct drm_gem_close gem_close;
	int fd, ret;
	uint64_t rows;

	ret = check_size(size);
	if (ret)
		return ret;
	/* 32-bit pixels, 1024 per row: a pitch of 4 KiB, one row per page. */
	rows = (size + 4095) / 4096;
	if (rows > UINT32_MAX)
		return -E2BIG;
	fd = card ? open(card, O_RDWR | O_CLOEXEC) : open_default_card();
	if (fd < 0)
		return card ? -errno : fd;
	memset(&create, 0, sizeof(create));
	create.width = 1024;
	create.height = (uint32_t)rows;
	create.bpp = 32;
	ret = uiodmabuf_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create);
	if (ret < 0)
		goto close_card;
	memset(&prime, 0, sizeof(prime));
	prime.handle = create.handle;
	prime.flags = DRM_CLOEXEC | DRM_RDWR;
	ret = uiodmabuf_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime);
	memset(&gem_close, 0, sizeof(gem_close));
	gem_close.handle = create.handle;
	uiodmabuf_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gem_close);
close_card:
	close(fd);
	return ret < 0 ? ret : prime.fd;
}

/* IMPORT into @arg, with the array @segs of @max entries (NULL, 0: none). */
static int import_arg(int fd, int buf_fd, uint32_t direction, uint32_t flags,
		      struct uio_dmabuf_segment *segs, uint32_t max, struct uio_dmabuf_import *arg)
{
	memset(arg, 0, sizeof(*arg));
	arg->fd = buf_fd;
	arg->direction = direction;
	arg->flags = flags;
	arg->segments = (uintptr_t)segs;
	arg->max_segments = max;
	return uiodmabuf_ioctl(fd, UIO_DMABUF_IOC_IMPORT, arg);
}

int uiodmabuf_import(int fd, int buf_fd, uint32_t direction, uint32_t flags,
		     struct uio_dmabuf_import *out)
{
	struct uio_dmabuf_import arg;
	int ret;

	ret = import_arg(fd, buf_fd, direction, flags, NULL, 0, &arg);
	if (ret < 0)
		return ret;
	*out = arg;
	return 0;
}

int uiodmabuf_import_segments(int fd, int buf_fd, uint32_t direction, uint32_t flags,
			      struct uio_dmabuf_import *out, struct uio_dmabuf_segment **segs,
			      uint32_t *count)
{
	struct uio_dmabuf_segment first[UIODMABUF_IMPORT_SEGMENTS], *all = NULL;
	struct uio_dmabuf_import arg;
	int ret;

	ret = import_arg(fd, buf_fd, direction, flags, first, UIODMABUF_IMPORT_SEGMENTS, &arg);
	if (ret == -EINVAL)
		/* A module whose IMPORT has no segment array, or a real EINVAL. */
		ret = import_arg(fd, buf_fd, direction, flags, NULL, 0, &arg);
	if (ret < 0)
		return ret;
	if (arg.nr_segments > arg.max_segments) {
		ret = uiodmabuf_get_segments(fd, arg.handle, &all, count);
	} else if (arg.nr_segments) {
		all = malloc(arg.nr_segments * sizeof(*all));
		if (all) {
			memcpy(all, first, arg.nr_segments * sizeof(*all));
			*count = arg.nr_segments;
		} else {
			ret = -ENOMEM;
		}
	} else {
		*count = 0;
	}
	if (ret < 0) {
		uiodmabuf_release(fd, arg.handle);
		return ret;
	}
	*segs = all;
	/* The array was ours, on this stack: not a thing to hand back. */
	arg.segments = 0;
	arg.max_segments = 0;
	*out = arg;
	return 0;
}

int uiodmabuf_get_segments(int fd, uint32_t handle, struct uio_dmabuf_segment **segs,
			   uint32_t *count)
{
	struct uio_dmabuf_segment *all = NULL;
	struct uio_dmabuf_get_segments arg;
	uint32_t total, got = 0;
	int ret;

	/* Count 0 reports the total without copying anything. */
	memset(&arg, 0, sizeof(arg));
	arg.handle = handle;
	ret = uiodmabuf_ioctl(fd, UIO_DMABUF_IOC_GET_SEGMENTS, &arg);
	if (ret < 0)
		return ret;
	total = arg.nr_segments;
	if (total) {
		all = calloc(total, sizeof(*all));
		if (!all)
			return -ENOMEM;
	}
	while (got < total) {
		uint32_t want = total - got;

		if (want > UIODMABUF_SEGMENT_PAGE)
			want = UIODMABUF_SEGMENT_PAGE;
		memset(&arg, 0, sizeof(arg));
		arg.handle = handle;
		arg.first = got;
		arg.count = want;
		arg.segments = (uintptr_t)(all + got);
		ret = uiodmabuf_ioctl(fd, UIO_DMABUF_IOC_GET_SEGMENTS, &arg);
		if (ret < 0)
			goto free_all;
		/* The total cannot change while the import is live. */
		if (arg.nr_segments != total || arg.count != want) {
			ret = -EIO;
			goto free_all;
		}
		got += arg.count;
	}
	*segs = all;
	*count = total;
	return 0;

free_all:
	free(all);
	return ret;
}

int uiodmabuf_sync_range(int fd, uint32_t handle, uint32_t flags, uint64_t offset,
			 uint64_t length)
{
	struct uio_dmabuf_sync arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.handle = handle;
	arg.flags = flags;
	arg.offset = offset;
	arg.length = length;
	ret = uiodmabuf_ioctl(fd, UIO_DMABUF_IOC_SYNC, &arg);
	return ret < 0 ? ret : 0;
}

int uiodmabuf_sync(int fd, uint32_t handle, uint32_t flags)
{
	return uiodmabuf_sync_range(fd, handle, flags, 0, 0);
}

int uiodmabuf_set_irq_eventfd(int fd, uint32_t vector, int eventfd)
{
	struct uio_dmabuf_irq_eventfd arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.vector = vector;
	arg.fd = eventfd;
	ret = uiodmabuf_ioctl(fd, UIO_DMABUF_IOC_SET_IRQ_EVENTFD, &arg);
	return ret < 0 ? ret : 0;
}

int uiodmabuf_release(int fd, uint32_t handle)
{
	struct uio_dmabuf_release arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.handle = handle;
	ret = uiodmabuf_ioctl(fd, UIO_DMABUF_IOC_RELEASE, &arg);
	return ret < 0 ? ret : 0;
}

int uiodmabuf_parse_size(const char *text, uint64_t *size)
{
	const char *digits = text;
	unsigned long long v;
	unsigned int shift = 0;
	int base = 10;
	char *end;

	if (!text)
		return -EINVAL;
	/* Decimal, or hex with 0x: a leading 0 does not mean octal here. */
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		digits = text + 2;
		base = 16;
	}
	if (!isxdigit((unsigned char)*digits) || (base == 10 && !isdigit((unsigned char)*digits)))
		return -EINVAL;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*size = (uint64_t)v << shift;
	return 0;
}
