// SPDX-License-Identifier: GPL-2.0
/*
 * Peer-to-peer DMA into a PCI BAR that VFIO exports as a dma-buf, and its
 * revocation by that exporter.
 *
 * QEMU's ivshmem-plain (BAR 2: memory the host backs with a file) is bound to
 * vfio-pci, and edu to uio_dmabuf, both behind one PCI bridge without ACS, so
 * that pci_p2pdma_map_type() finds a bus-address path between them. The test
 * exports a range of BAR 2 with VFIO_DEVICE_FEATURE_DMA_BUF, imports it into
 * edu's node and has edu's DMA engine copy RAM -> BAR and BAR -> RAM; the CPU
 * checks the bytes through VFIO's mmap of the BAR, and a negative control
 * (one chunk sent to its neighbour's address) must be caught. Then VFIO
 * revokes the buffer, while edu has a DMA into the BAR under way: by clearing
 * the memory enable bit through its config region (edu's bus mastering must be
 * off when that write returns, the handle answer ESTALE and poll() report
 * EPOLLPRI, and nothing of the DMA land), by setting it again (a new import
 * works and DMA lands), by VFIO_DEVICE_RESET, and by closing the VFIO device.
 *
 * Usage: p2p-test IVSHMEM_BDF EDU_BDF SEED. Prints TAP; exits 1 when a case
 * failed. The host may read the BAR's file afterwards: its first chunk holds
 * p2p_pattern(SEED, offset).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <linux/dma-buf.h>
#include <linux/pci_regs.h>
#include <linux/uio_dmabuf.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <uiodmabuf.h>
#include <unistd.h>

#include "cases.h"
#include "edu.h"
#include "tap.h"

/* The dma-buf export of a BAR (7.x's <linux/vfio.h>), for older headers. */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
#define VFIO_DEVICE_FEATURE_DMA_BUF 11
struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif

#define BAR_INDEX	VFIO_PCI_BAR2_REGION_INDEX
#define CHUNK		4096U
#define NR_CHUNKS	4U			/* copied each way */
#define SPAN		(NR_CHUNKS * CHUNK)
#define TO_BAR		0			/* BAR offset of the RAM -> BAR copies */
#define FROM_BAR	(64U * 1024)		/* BAR offset of the BAR -> RAM source */
#define EXPORT_LEN	(128U * 1024)		/* exported from BAR offset 0 */
#define POISON		0x5aU

/*
 * The pattern byte at offset @off of a run seeded @s (scripts/check-p2p.sh
 * computes the same to read the BAR's file on the host).
 */
static uint8_t p2p_pattern(uint64_t s, uint64_t off)
{
	uint64_t x = (s ^ (off * 0x9e3779b97f4a7c15ULL)) + 0x632be59bd9b4e019ULL;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return (uint8_t)x;
}

struct vfio_dev {
	int container, group, fd;
	uint8_t *bar;			/* BAR 2, mmap()ed */
	uint64_t bar_size;
	uint64_t config_off;		/* of the config region in @fd */
};

struct import {
	int buf_fd;
	uint8_t *map;			/* the CPU's view (RAM buffers) */
	uint32_t handle;
	uint32_t map_flags;
	struct uio_dmabuf_segment *segs;
	uint32_t nr_segs;
};

static int node = -1;
static struct edu edu;
static uint64_t seed;
static const char *edu_bdf;

static int vfio_open(struct vfio_dev *v, const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[256], link[256];
	ssize_t n;
	int noiommu;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	noiommu = access("/dev/vfio/noiommu-0", F_OK) == 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s%s", noiommu ? "noiommu-" : "", basename(link));
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->container < 0 || v->group < 0)
		return -errno;
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) < 0)
		return -errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0 ||
	    ioctl(v->container, VFIO_SET_IOMMU, noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU) < 0)
		return -errno;
	v->fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->fd < 0)
		return -errno;
	reg.index = BAR_INDEX;
	if (ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0)
		return -errno;
	v->bar_size = reg.size;
	v->bar = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, reg.offset);
	if (v->bar == MAP_FAILED)
		return -errno;
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0)
		return -errno;
	v->config_off = reg.offset;
	return 0;
}

/* The memory enable bit of the exported device, through VFIO's config region. */
static int vfio_memory_enable(struct vfio_dev *v, bool on)
{
	uint16_t cmd;

	if (pread(v->fd, &cmd, sizeof(cmd), v->config_off + PCI_COMMAND) != sizeof(cmd))
		return -errno;
	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	if (pwrite(v->fd, &cmd, sizeof(cmd), v->config_off + PCI_COMMAND) != sizeof(cmd))
		return -errno;
	return 0;
}

/*
 * A revocation by VFIO in a child: clearing the memory enable bit (@reset
 * false) or VFIO_DEVICE_RESET. VFIO returns only once every importer has
 * unmapped, so an importer that never does would hang it for good. 0,
 * -ETIMEDOUT after REVOKE_WAIT seconds (the child is left blocked), or -EIO.
 */
#define REVOKE_WAIT	30
static int vfio_revoke(struct vfio_dev *v, bool reset)
{
	int status, i;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(reset ? ioctl(v->fd, VFIO_DEVICE_RESET) < 0 : vfio_memory_enable(v, false) != 0);
	for (i = 0; i < REVOKE_WAIT * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
		usleep(100 * 1000);
	}
	return -ETIMEDOUT;
}

/* A dma-buf of BAR 2's bytes [0, @len): its fd, or -errno. */
static int vfio_export(struct vfio_dev *v, uint64_t len)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_dma_buf d;
		struct vfio_region_dma_range r;
	} __attribute__((packed)) arg = {
		.f = { .argsz = sizeof(arg),
		       .flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF },
		.d = { .region_index = BAR_INDEX, .open_flags = O_RDWR | O_CLOEXEC, .nr_ranges = 1 },
		.r = { .offset = 0, .length = len },
	};
	int fd = ioctl(v->fd, VFIO_DEVICE_FEATURE, &arg);

	return fd < 0 ? -errno : fd;
}

/* PCI_COMMAND of @bdf as its config space says now. */
static int pci_command(const char *bdf, uint16_t *cmd)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, cmd, sizeof(*cmd), PCI_COMMAND) != sizeof(*cmd))
		ret = -EIO;
	close(fd);
	return ret;
}

static bool bus_master(void)
{
	uint16_t cmd = 0;

	return !pci_command(edu_bdf, &cmd) && (cmd & PCI_COMMAND_MASTER);
}

/* Where the BAR starts for the CPU (sysfs resource), 0 if unknown. */
static uint64_t bar_start(const char *bdf)
{
	uint64_t start = 0, end, flags;
	char path[256];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "re");
	if (!f)
		return 0;
	for (i = 0; i <= BAR_INDEX; i++)
		if (fscanf(f, "%" SCNx64 " %" SCNx64 " %" SCNx64, &start, &end, &flags) != 3)
			start = 0;
	fclose(f);
	return start;
}

static int import(struct import *imp, int buf_fd, uint32_t dir)
{
	struct uio_dmabuf_import arg;
	int ret;

	imp->buf_fd = buf_fd;
	ret = uiodmabuf_import(node, buf_fd, dir, 0, &arg);
	if (ret)
		return ret;
	imp->handle = arg.handle;
	imp->map_flags = arg.map_flags;
	return uiodmabuf_get_segments(node, imp->handle, &imp->segs, &imp->nr_segs);
}

/* The DMA address of buffer offset @off of @imp (the segments in order). */
static uint64_t dma_at(const struct import *imp, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < imp->nr_segs; i++) {
		if (off < imp->segs[i].length)
			return imp->segs[i].dma_addr + off;
		off -= imp->segs[i].length;
	}
	return 0;
}

/*
 * DMA_BUF_IOCTL_SYNC: @flags START or END with the CPU's access, which must
 * match the direction of the heap's mappings (WRITE for a TO_DEVICE import,
 * READ for FROM_DEVICE; RW before any import).
 */
static int heap_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) < 0 ? -errno : 0;
}

/* A system-heap buffer of @len bytes, mapped, filled with @fill. */
static int heap_buffer(struct import *imp, uint64_t len, int fill)
{
	int fd = uiodmabuf_heap_alloc("system", len);

	if (fd < 0)
		return fd;
	imp->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (imp->map == MAP_FAILED)
		return -errno;
	heap_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	memset(imp->map, fill, len);
	heap_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	imp->buf_fd = fd;
	return 0;
}

/*
 * edu copies @CHUNK bytes from DMA address @src to @dst, half by half through
 * the start of its buffer (a transfer may not end at the buffer's end).
 */
static int edu_copy(uint64_t src, uint64_t dst)
{
	uint32_t h;
	int ret = 0;

	for (h = 0; !ret && h < CHUNK; h += CHUNK / 2) {
		ret = edu_to_device(&edu, src + h, 0, CHUNK / 2);
		ret = ret ?: edu_from_device(&edu, 0, dst + h, CHUNK / 2);
	}
	return ret;
}

/* Chunks of @p (chunk i holds pattern(@s, i)) that do not hold their pattern. */
static unsigned int bad_chunks(const uint8_t *p, uint64_t s, unsigned int n)
{
	unsigned int i, bad = 0;
	uint32_t j;

	for (i = 0; i < n; i++)
		for (j = 0; j < CHUNK; j++)
			if (p[(uint64_t)i * CHUNK + j] != p2p_pattern(s, (uint64_t)i * CHUNK + j)) {
				bad++;
				break;
			}
	return bad;
}

static bool all_poison(const uint8_t *p, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != POISON)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	struct import bar = { 0 }, src = { 0 }, dst = { 0 };
	struct uio_dmabuf_info info = { 0 };
	struct vfio_device_info dinfo = { 0 };
	struct vfio_dev v = { .fd = -1 };
	struct pollfd pfd;
	unsigned int i;
	uint64_t start;
	char path[128], text[32] = "";
	int uio, ret, fd;

	if (argc != 4) {
		fprintf(stderr, "usage: p2p-test IVSHMEM_BDF EDU_BDF SEED\n");
		return 2;
	}
	edu_bdf = argv[2];
	seed = strtoull(argv[3], NULL, 0);

	ret = vfio_open(&v, argv[1]);
	check(!ret, "vfio-pci: %s opened through its group, BAR 2 mapped (%s)", argv[1],
	      ret ? strerror(-ret) : "ok");
	uio = uio_index("pci", edu_bdf);
	snprintf(path, sizeof(path), "/dev/uio-dmabuf%d", uio);
	node = open(path, O_RDWR | O_CLOEXEC);
	ret = uio < 0 || node < 0 ? -ENODEV : edu_open(&edu, uio);
	check(!ret, "edu %s: /dev/uio%d and its import node open", edu_bdf, uio);
	if (ret || v.fd < 0 || v.bar_size < FROM_BAR + SPAN)
		return tap_end() | 1;

	/* Export and import: one segment, the BAR's bus address. */
	memset(v.bar, POISON, EXPORT_LEN);
	fd = vfio_export(&v, EXPORT_LEN);
	check(fd >= 0, "VFIO_DEVICE_FEATURE_DMA_BUF exports BAR 2 [0, %u) as a dma-buf (%s)",
	      EXPORT_LEN, fd < 0 ? strerror(-fd) : "ok");
	ret = fd < 0 ? fd : import(&bar, fd, UIO_DMABUF_DIR_BIDIRECTIONAL);
	check(!ret, "the BAR's dma-buf imports into edu's node (%s)", ret ? strerror(-ret) : "ok");
	if (ret)
		return tap_end() | 1;
	start = bar_start(argv[1]);
	if (!uiodmabuf_info(node, &info) && (info.flags & UIO_DMABUF_INFO_IOMMU))
		/* Through the host bridge: an IOVA of edu's domain. */
		check(bar.nr_segs == 1 && bar.segs[0].length == EXPORT_LEN &&
		      (info.flags & UIO_DMABUF_INFO_ISOLATED) && bar.map_flags == UIO_DMABUF_MAP_PEER,
		      "edu isolated (flags 0x%x); one segment of %u bytes, at IOVA 0x%" PRIx64
		      " of edu's domain (the BAR: 0x%" PRIx64 "), map flags 0x%x: PEER", info.flags,
		      EXPORT_LEN, bar.nr_segs ? (uint64_t)bar.segs[0].dma_addr : 0, start,
		      bar.map_flags);
	else
		check(bar.nr_segs == 1 && bar.segs[0].length == EXPORT_LEN &&
		      bar.segs[0].dma_addr == start,
		      "one segment of %u bytes at the BAR's bus address 0x%" PRIx64 " (got %u, 0x%" PRIx64 ")",
		      EXPORT_LEN, start, bar.nr_segs, bar.nr_segs ? (uint64_t)bar.segs[0].dma_addr : 0);
	/*
	 * A bus address is marked in the exporter's table, but 7.x's
	 * CONFIG_DMABUF_DEBUG gives importers a copy without the marks.
	 */
	printf("# map flags of the BAR's import: 0x%x\n", bar.map_flags);

	/* RAM -> edu -> BAR. */
	ret = heap_buffer(&src, SPAN, 0);
	if (!ret) {
		heap_sync(src.buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		for (i = 0; i < SPAN; i++)
			src.map[i] = p2p_pattern(seed, i);
		heap_sync(src.buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		ret = import(&src, src.buf_fd, UIO_DMABUF_DIR_TO_DEVICE);
	}
	for (i = 0; !ret && i < NR_CHUNKS; i++)
		ret = edu_copy(dma_at(&src, i * CHUNK), dma_at(&bar, TO_BAR + i * CHUNK));
	check(!ret && !bad_chunks(v.bar + TO_BAR, seed, NR_CHUNKS) &&
	      all_poison(v.bar + TO_BAR + SPAN, FROM_BAR - SPAN),
	      "RAM -> edu -> BAR: %u chunks arrived in the BAR, the rest untouched (%s)",
	      NR_CHUNKS, ret ? strerror(-ret) : "ok");

	/* BAR -> edu -> RAM. */
	for (i = 0; i < SPAN; i++)
		v.bar[FROM_BAR + i] = p2p_pattern(~seed, i);
	ret = heap_buffer(&dst, SPAN, POISON);
	ret = ret ?: import(&dst, dst.buf_fd, UIO_DMABUF_DIR_FROM_DEVICE);
	for (i = 0; !ret && i < NR_CHUNKS; i++)
		ret = edu_copy(dma_at(&bar, FROM_BAR + i * CHUNK), dma_at(&dst, i * CHUNK));
	if (!ret)
		heap_sync(dst.buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	check(!ret && !bad_chunks(dst.map, ~seed, NR_CHUNKS),
	      "BAR -> edu -> RAM: %u chunks of the BAR arrived in RAM (%s)", NR_CHUNKS,
	      ret ? strerror(-ret) : "ok");
	if (!ret)
		heap_sync(dst.buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	/* Negative control: chunk 0 sent to chunk 1's address must be caught. */
	memset(v.bar + TO_BAR, POISON, SPAN);
	ret = edu_copy(dma_at(&src, 0), dma_at(&bar, TO_BAR + CHUNK));
	check(!ret && bad_chunks(v.bar + TO_BAR, seed, 1) == 1,
	      "negative control: a chunk sent to its neighbour's address is caught");

	/*
	 * Revocation with a DMA into the BAR under way: edu starts it from a
	 * timer, after the memory enable bit is already cleared.
	 */
	memset(v.bar + TO_BAR, POISON, SPAN);
	ret = edu_to_device(&edu, dma_at(&src, 0), 0, CHUNK / 2);
	check(!ret && bus_master(), "edu masters the bus while the import is live");
	ret = edu_start_from_device(&edu, 0, dma_at(&bar, TO_BAR), CHUNK / 2);
	ret = ret ?: vfio_revoke(&v, false);
	check(ret != -ETIMEDOUT, "VFIO's revocation returns: edu's node unmapped within the call");
	if (ret == -ETIMEDOUT)
		return tap_end() | 1;
	check(!ret && !bus_master(),
	      "VFIO revokes (memory enable cleared): edu's bus mastering is off when the write returns");
	edu_wait(&edu);		/* the interrupt may come or not: no bus mastering */
	ret = uiodmabuf_get_segments(node, bar.handle, &bar.segs, &bar.nr_segs);
	check(ret == -ESTALE, "GET_SEGMENTS of the revoked handle answers ESTALE (%s)",
	      strerror(-ret));
	pfd = (struct pollfd){ .fd = node, .events = POLLPRI };
	check(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLPRI), "poll() on the node reports EPOLLPRI");
	check(!uiodmabuf_info(node, &info) && info.nr_revoked == 1, "INFO counts one revoked import");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/uio_dmabuf/revoked", edu_bdf);
	check(!read_str(path, text, sizeof(text)) && !strcmp(text, "1"),
	      "sysfs uio_dmabuf/revoked counts it too (%s)", text);
	vfio_memory_enable(&v, true);
	check(all_poison(v.bar + TO_BAR, CHUNK / 2), "nothing of the DMA under way landed in the BAR");

	/* Memory enabled again: the stale handle goes, a new import works. */
	ret = uiodmabuf_release(node, bar.handle);
	check(!ret && bus_master(), "RELEASE of the revoked handle; edu masters the bus again");
	check(!read_str(path, text, sizeof(text)) && !strcmp(text, "0"),
	      "sysfs uio_dmabuf/revoked is 0 after the release (%s)", text);
	ret = import(&bar, bar.buf_fd, UIO_DMABUF_DIR_BIDIRECTIONAL);
	ret = ret ?: edu_copy(dma_at(&src, 0), dma_at(&bar, TO_BAR));
	check(!ret && !bad_chunks(v.bar + TO_BAR, seed, 1),
	      "with memory enabled again, a new import of the buffer works and DMA lands (%s)",
	      ret ? strerror(-ret) : "ok");

	/*
	 * VFIO_DEVICE_RESET revokes while it resets, and allows imports after;
	 * only a device VFIO can reset (below a bridge beside edu it cannot).
	 */
	dinfo.argsz = sizeof(dinfo);
	if (ioctl(v.fd, VFIO_DEVICE_GET_INFO, &dinfo) < 0 || !(dinfo.flags & VFIO_DEVICE_FLAGS_RESET)) {
		printf("# VFIO cannot reset %s here: VFIO_DEVICE_RESET not tried\n", argv[1]);
		goto close_device;
	}
	ret = vfio_revoke(&v, true);
	check(!ret, "VFIO_DEVICE_RESET returns (%s)", strerror(-ret));
	if (ret == -ETIMEDOUT)
		return tap_end() | 1;
	ret = uiodmabuf_get_segments(node, bar.handle, &bar.segs, &bar.nr_segs);
	pfd.revents = 0;
	check(ret == -ESTALE && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLPRI) && !bus_master(),
	      "VFIO_DEVICE_RESET revokes: ESTALE, EPOLLPRI, no bus mastering (%s)", strerror(-ret));
	ret = uiodmabuf_release(node, bar.handle);
	ret = ret ?: import(&bar, bar.buf_fd, UIO_DMABUF_DIR_BIDIRECTIONAL);
	ret = ret ?: edu_copy(dma_at(&src, 0), dma_at(&bar, TO_BAR));
	check(!ret && !bad_chunks(v.bar + TO_BAR, seed, 1),
	      "after the reset, the stale handle released, a new import carries DMA (%s)",
	      ret ? strerror(-ret) : "ok");

close_device:
	/* The VFIO device's close (its mapping holds it open too) revokes for good. */
	munmap(v.bar, v.bar_size);
	close(v.fd);
	v.fd = -1;
	ret = uiodmabuf_get_segments(node, bar.handle, &bar.segs, &bar.nr_segs);
	pfd.revents = 0;
	check(ret == -ESTALE && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLPRI),
	      "closing the VFIO device revokes: ESTALE and EPOLLPRI (%s)", strerror(-ret));
	ret = uiodmabuf_release(node, bar.handle);
	check(!ret && bus_master(), "RELEASE after the close; edu masters the bus again");

	/* For the host: chunk 0 of the BAR holds pattern(seed). */
	printf("# p2p-host: offset 0 length %u seed %" PRIu64 "\n", CHUNK, seed);
	return tap_end();
}
