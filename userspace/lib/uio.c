// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libuiodmabuf: the rest of a user-space driver beside its imports: the UIO
 * device by name or bus address, its register regions, its interrupt, and
 * the CPU's access to imported buffers. See include/uiodmabuf.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "uiodmabuf.h"
#include "internal.h"

/* Prefixed to /sys, /proc and /dev paths; the unit tests point it at a fake tree. */
const char *uiodmabuf_root = "";

/* Reads the first line of @path (under the root) into @buf; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	char full[PATH_MAX];
	FILE *f;
	int ret = 0;

	if (snprintf(full, sizeof(full), "%s%s", uiodmabuf_root, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	f = fopen(full, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	else
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return ret;
}

/* The N of @prefix followed by N (a decimal index) that is all of @s, else -EINVAL. */
static int index_after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(s, prefix, n) || !isdigit((unsigned char)s[n]))
		return -EINVAL;
	errno = 0;
	v = strtol(s + n, &end, 10);
	return *end || errno || v > 65535 ? -EINVAL : (int)v;
}

/*
 * The UIO index of @device: "uio0", "0", "uio-dmabuf0", "/dev/uio0",
 * "/dev/uio-dmabuf0", or a PCI address ("0000:01:00.0", "01:00.0") or
 * platform device name that is bound to a UIO driver. -EINVAL for none of
 * these, -ENODEV for a bus device with no UIO device.
 */
int uiodmabuf_uio_index(const char *device)
{
	static const char *const buses[] = { "pci", "platform" };
	char path[PATH_MAX];
	struct dirent *e;
	int idx, found = -EINVAL;
	size_t b;
	DIR *d;

	if (!device || !*device)
		return -EINVAL;
	if (!strncmp(device, "/dev/", 5))
		device += 5;
	if ((idx = index_after(device, "uio-dmabuf")) >= 0 || (idx = index_after(device, "uio")) >= 0 ||
	    (idx = index_after(device, "")) >= 0)
		return idx;
	if (strchr(device, '/') || device[0] == '.')
		return -EINVAL;
	for (b = 0; b < 2 && found == -EINVAL; b++) {
		const char *cand[2] = { device, NULL };
		char with_domain[80];
		int k;

		if (!strcmp(buses[b], "pci")) {
			snprintf(with_domain, sizeof(with_domain), "0000:%s", device);
			cand[1] = with_domain;
		}
		for (k = 0; k < 2 && cand[k] && found == -EINVAL; k++) {
			if (snprintf(path, sizeof(path), "%s/sys/bus/%s/devices/%s", uiodmabuf_root,
				     buses[b], cand[k]) >= (int)sizeof(path) || access(path, F_OK))
				continue;
			found = -ENODEV;
			strcat(path, "/uio");
			d = opendir(path);
			while (d && (e = readdir(d)))
				if ((idx = index_after(e->d_name, "uio")) >= 0)
					found = idx;
			if (d)
				closedir(d);
		}
	}
	return found;
}

int uiodmabuf_uio_path(const char *device, char *buf, size_t len)
{
	int idx = uiodmabuf_uio_index(device);
	int n;

	if (idx < 0)
		return idx;
	n = snprintf(buf, len, "/dev/uio%d", idx);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int uiodmabuf_uio_open(const char *device)
{
	char path[PATH_MAX];
	int ret, fd;

	ret = uiodmabuf_uio_path(device, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * The UIO index of the character device open as @fd, from sysfs's
 * /sys/dev/char/MAJOR:MINOR link (".../uio/uioN"); -ENOTTY for any other file.
 */
static int uio_of_fd(int fd)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -EBADF;
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	snprintf(link, sizeof(link), "%s/sys/dev/char/%u:%u", uiodmabuf_root, major(st.st_rdev),
		 minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? -ENOTTY : -errno;
	target[n] = 0;
	base = strrchr(target, '/');
	n = index_after(base ? base + 1 : target, "uio");
	return n < 0 || !strstr(target, "/uio/") ? -ENOTTY : (int)n;
}

int uiodmabuf_map_region(int uio_fd, unsigned int index, void **addr, size_t *size)
{
	unsigned long long map_size, offset;
	long page = sysconf(_SC_PAGESIZE);
	char path[128], text[32];
	void *p;
	int uio, ret;

	uio = uio_of_fd(uio_fd);
	if (uio < 0)
		return uio;
	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%u/size", uio, index);
	ret = read_line(path, text, sizeof(text));
	if (ret)
		return ret == -ENOENT ? -ENXIO : ret;
	map_size = strtoull(text, NULL, 0);
	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%u/offset", uio, index);
	offset = read_line(path, text, sizeof(text)) ? 0 : strtoull(text, NULL, 0);
	/*
	 * The map is @map_size bytes from a page boundary (UIO drivers count
	 * the in-page @offset in it); the region starts @offset into it.
	 */
	if (map_size <= offset || offset >= (unsigned long long)page)
		return -EIO;
	if (map_size > SIZE_MAX)
		return -EOVERFLOW;
	/* UIO maps region N at file offset N pages. */
	p = mmap(NULL, (size_t)map_size, PROT_READ | PROT_WRITE, MAP_SHARED, uio_fd,
		 (off_t)index * page);
	if (p == MAP_FAILED)
		return -errno;
	*addr = (char *)p + offset;
	*size = (size_t)(map_size - offset);
	return 0;
}

int uiodmabuf_unmap_region(void *addr, size_t size)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t offset = (uintptr_t)addr & (page - 1);

	if (!addr)
		return -EINVAL;
	return munmap((char *)addr - offset, size + offset) ? -errno : 0;
}

int uiodmabuf_wait_irq(int fd, int timeout_ms, uint64_t *count)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned char raw[8];
	uint32_t uio_count;
	uint64_t events;
	ssize_t n;
	int ret;

	if (fd < 0)
		return -EBADF;
	ret = poll(&pfd, 1, timeout_ms < 0 ? -1 : timeout_ms);
	if (ret < 0)
		return -errno;		/* -EINTR: a signal came first */
	if (!ret)
		return -ETIMEDOUT;
	if (pfd.revents & (POLLERR | POLLNVAL))
		return -EIO;
	/*
	 * An eventfd (an MSI-X vector) reads 8 bytes; a UIO device refuses any
	 * read but one of 4 (EINVAL) before it would block.
	 */
	n = read(fd, raw, sizeof(raw));
	if (n == (ssize_t)sizeof(events)) {
		memcpy(&events, raw, sizeof(events));
	} else if (n == (ssize_t)sizeof(uio_count) ||
		   (n < 0 && errno == EINVAL &&
		    (n = read(fd, raw, sizeof(uio_count))) == (ssize_t)sizeof(uio_count))) {
		memcpy(&uio_count, raw, sizeof(uio_count));
		events = uio_count;
	} else {
		return n < 0 ? -errno : -EIO;
	}
	if (count)
		*count = events;
	return 0;
}

int uiodmabuf_irq_enable(int uio_fd, int enable)
{
	int32_t on = enable ? 1 : 0;
	ssize_t n = write(uio_fd, &on, sizeof(on));

	if (n == (ssize_t)sizeof(on))
		return 0;
	return n < 0 ? -errno : -EIO;
}

/* The exporter's name of the dma-buf @buf_fd, from its fdinfo; 0 or -errno. */
static int exporter_name(int buf_fd, char *buf, size_t len)
{
	char path[PATH_MAX], line[256];
	int ret = -ENOTTY;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/self/fdinfo/%d", uiodmabuf_root, buf_fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "exp_name:", 9))
			continue;
		line[strcspn(line, "\n")] = 0;
		ret = snprintf(buf, len, "%s", line + 9 + strspn(line + 9, " \t")) >= (int)len ?
		      -ENAMETOOLONG : 0;
		break;
	}
	fclose(f);
	return ret;	/* -ENOTTY: no exp_name, not a dma-buf */
}

int uiodmabuf_cpu_sync_method(int buf_fd, const struct uio_dmabuf_import *imp)
{
	char name[128], path[PATH_MAX];
	int ret;

	if (!imp)
		return -EINVAL;
	ret = exporter_name(buf_fd, name, sizeof(name));
	if (ret)
		return ret;
	/* Another device's memory: nothing to sync on the CPU's side of it. */
	if (imp->map_flags & UIO_DMABUF_MAP_PEER)
		return UIODMABUF_CPU_SYNC_DMABUF;
	/* The dma-heaps sync every attachment, this import's mapping among them. */
	snprintf(path, sizeof(path), "%s/dev/dma_heap/%s", uiodmabuf_root, name);
	if (!strchr(name, '/') && !access(path, F_OK))
		return UIODMABUF_CPU_SYNC_DMABUF;
	/* udmabuf's own sync covers only its misc device's mapping: the import's. */
	if (!strcmp(name, "udmabuf"))
		return UIODMABUF_CPU_SYNC_IMPORT;
	/* Any other exporter: its CPU view, then the import's mapping. */
	return UIODMABUF_CPU_SYNC_DMABUF | UIODMABUF_CPU_SYNC_IMPORT;
}

/* DMA_BUF_IOCTL_SYNC, with the CPU access the import's direction allows. */
static int dmabuf_sync(int buf_fd, const struct uio_dmabuf_import *imp, uint64_t start_end)
{
	struct dma_buf_sync arg = { .flags = start_end };
	int ret;

	if (imp->direction == UIO_DMABUF_DIR_TO_DEVICE)
		arg.flags |= DMA_BUF_SYNC_WRITE;
	else if (imp->direction == UIO_DMABUF_DIR_FROM_DEVICE)
		arg.flags |= DMA_BUF_SYNC_READ;
	else
		arg.flags |= DMA_BUF_SYNC_RW;
	ret = uiodmabuf_ioctl(buf_fd, DMA_BUF_IOCTL_SYNC, &arg);
	return ret < 0 ? ret : 0;
}

static int cpu_access(int node, int buf_fd, const struct uio_dmabuf_import *imp,
		      unsigned int how, int begin)
{
	int ret = 0;

	if (!imp || how & ~(unsigned int)(UIODMABUF_CPU_SYNC_DMABUF | UIODMABUF_CPU_SYNC_IMPORT))
		return -EINVAL;
	if (how == UIODMABUF_CPU_SYNC_AUTO) {
		ret = uiodmabuf_cpu_sync_method(buf_fd, imp);
		if (ret < 0)
			return ret;
		how = (unsigned int)ret;
		ret = 0;
	}
	/*
	 * At begin the exporter's sync comes first and the import's last, so
	 * that a bounced import's copy into the pages is not invalidated or
	 * overwritten after it; at end the import's comes first, mirroring.
	 */
	if (begin && (how & UIODMABUF_CPU_SYNC_DMABUF))
		ret = dmabuf_sync(buf_fd, imp, DMA_BUF_SYNC_START);
	if (!ret && (how & UIODMABUF_CPU_SYNC_IMPORT))
		ret = uiodmabuf_sync(node, imp->handle, begin ? UIO_DMABUF_SYNC_FOR_CPU :
							    UIO_DMABUF_SYNC_FOR_DEVICE);
	if (!ret && !begin && (how & UIODMABUF_CPU_SYNC_DMABUF))
		ret = dmabuf_sync(buf_fd, imp, DMA_BUF_SYNC_END);
	return ret;
}

int uiodmabuf_begin_cpu_access(int node, int buf_fd, const struct uio_dmabuf_import *imp,
			       unsigned int how)
{
	return cpu_access(node, buf_fd, imp, how, 1);
}

int uiodmabuf_end_cpu_access(int node, int buf_fd, const struct uio_dmabuf_import *imp,
			     unsigned int how)
{
	return cpu_access(node, buf_fd, imp, how, 0);
}
