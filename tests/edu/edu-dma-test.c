// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end proof of the addresses uio_dmabuf reports: QEMU's edu device
 * copies data by DMA from one imported buffer to another, RAM -> edu -> RAM,
 * and the CPU compares what arrived with what it wrote.
 *
 * Two buffers of the same source and size are allocated and imported: src
 * (to-device) filled with a seeded pattern, dst (from-device) filled with
 * poison. For each chosen 4 KiB chunk, edu reads it from src at the DMA address
 * the import reported and writes it to dst at dst's reported address, in two
 * 2 KiB transfers. Then every chosen chunk of dst must hold src's pattern and
 * every other chunk must still hold the poison. Chunks: all of them up to
 * 1 MiB; beyond, the first and last chunk of every segment of both buffers and
 * a seeded random sample of the rest.
 *
 * Cache maintenance follows the contract: DMA_BUF_IOCTL_SYNC around CPU
 * access; for udmabuf and DRM PRIME, UIO_DMABUF_IOC_SYNC as well.
 *
 * Prints one JSON line with the result; exits 0 when it verified, 1 when not,
 * 2 when the run could not be made, 3 when the import was refused (a device
 * that cannot reach the buffer, without an IOMMU to remap it).
 *
 * usage: edu-dma-test --device N --source heap:NAME|udmabuf|drm --size SIZE
 *                     [--seed S] [--sample K] [--corrupt] [--skip-sync] [--coherent]
 *   --corrupt    the negative control: the first chunk is read from the next
 *                chunk's address instead of its own, which must be caught
 *   --skip-sync  no UIO_DMABUF_IOC_SYNC: a mapping that needs it (bounced)
 *                must then fail to verify
 *   --coherent   import with UIO_DMABUF_IMPORT_COHERENT (refused with EIO
 *                when the mapping needs SYNC)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "edu.h"
#include "uiodmabuf.h"

#define CHUNK		((uint64_t)4096)
#define HALF		2048U
#define ALL_LIMIT	(1ULL << 20)
#define POISON		0x5aU

struct buffer {
	int fd;
	uint8_t *map;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_segment *segs;
	uint64_t *seg_off;	/* buffer offset of each segment */
	uint32_t nr_segs;
	bool imported;
};

struct run {
	int node;
	const char *source;	/* "heap:system", "udmabuf", "drm" */
	uint64_t size;
	uint64_t seed;
	bool importer_sync;	/* exporter does not sync importers: UIO_DMABUF_IOC_SYNC */
	uint32_t import_flags;	/* UIO_DMABUF_IMPORT_* */
	struct buffer src, dst;
};

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* The pattern byte at buffer offset @off: differs per chunk and per run. */
static uint8_t pattern(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed ^ (off / 8 * 0x9e3779b97f4a7c15ULL)) | 1;

	xorshift(&x);
	return (uint8_t)(x >> (8 * (off % 8)));
}

static int die(const char *what, int err)
{
	fprintf(stderr, "edu-dma-test: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 2;
}

static int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags | DMA_BUF_SYNC_RW };

	while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) < 0)
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	return 0;
}

/* CPU access begins: after device writes, before the CPU reads or writes. */
static int cpu_begin(struct run *r, struct buffer *b)
{
	int ret = 0;

	if (r->importer_sync && b->imported)
		ret = uiodmabuf_sync(r->node, b->imp.handle, UIO_DMABUF_SYNC_FOR_CPU);
	return ret ? ret : dmabuf_sync(b->fd, DMA_BUF_SYNC_START);
}

/* CPU access ends: after the CPU wrote, before the device reads. */
static int cpu_end(struct run *r, struct buffer *b)
{
	int ret = dmabuf_sync(b->fd, DMA_BUF_SYNC_END);

	if (!ret && r->importer_sync && b->imported)
		ret = uiodmabuf_sync(r->node, b->imp.handle, UIO_DMABUF_SYNC_FOR_DEVICE);
	return ret;
}

/*
 * udmabuf, with the CPU mapping the memfd itself: a plain shmem mapping, whose
 * physical pages /proc/self/pagemap shows (the dma-buf's own mapping is
 * VM_PFNMAP, which pagemap does not show).
 */
static int alloc_udmabuf(struct run *r, struct buffer *b)
{
	int memfd, ret = 0;

	b->fd = uiodmabuf_udmabuf_alloc_memfd(r->size, &memfd);
	if (b->fd < 0)
		return b->fd;
	b->map = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		ret = -errno;
	}
	close(memfd);
	return ret;
}

static int alloc_buffer(struct run *r, struct buffer *b)
{
	if (!strncmp(r->source, "heap:", 5))
		b->fd = uiodmabuf_heap_alloc(r->source + 5, r->size);
	else if (!strcmp(r->source, "udmabuf"))
		return alloc_udmabuf(r, b);
	else if (!strncmp(r->source, "drm", 3))
		b->fd = uiodmabuf_drm_alloc(r->source[3] == ':' ? r->source + 4 : NULL, r->size);
	else
		b->fd = -EINVAL;
	if (b->fd < 0)
		return b->fd;
	b->map = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return -errno;
	}
	return 0;
}

static int import_buffer(struct run *r, struct buffer *b, uint32_t dir)
{
	uint64_t off = 0;
	uint32_t i;
	int ret;

	ret = uiodmabuf_import(r->node, b->fd, dir, r->import_flags, &b->imp);
	if (ret)
		return ret;
	b->imported = true;
	ret = uiodmabuf_get_segments(r->node, b->imp.handle, &b->segs, &b->nr_segs);
	if (ret)
		return ret;
	b->seg_off = calloc(b->nr_segs ? b->nr_segs : 1, sizeof(*b->seg_off));
	if (!b->seg_off)
		return -ENOMEM;
	for (i = 0; i < b->nr_segs; i++) {
		b->seg_off[i] = off;
		off += b->segs[i].length;
	}
	return off == r->size ? 0 : -EIO;
}

static void free_buffer(struct run *r, struct buffer *b)
{
	if (b->imported)
		uiodmabuf_release(r->node, b->imp.handle);
	free(b->segs);
	free(b->seg_off);
	if (b->map)
		munmap(b->map, r->size);
	if (b->fd >= 0)
		close(b->fd);
}

/* The DMA address of buffer offset @off (inside one segment by construction). */
static uint64_t dma_of(const struct buffer *b, uint64_t off)
{
	uint32_t lo = 0, hi = b->nr_segs;

	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;

		if (b->seg_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return b->segs[lo].dma_addr + (off - b->seg_off[lo]);
}

/* Physical address of the page mapped at @p, from /proc/self/pagemap, or 0. */
static uint64_t phys_of(const void *p)
{
	uint64_t entry = 0, page = (uint64_t)sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t at = (off_t)((uintptr_t)p / page * sizeof(entry));

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), at) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry >> 63 & 1))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * page;
}

/* The end of the highest DMA range of both buffers. */
static uint64_t max_dma_end(const struct run *r)
{
	const struct buffer *bufs[] = { &r->src, &r->dst };
	uint64_t m = 0;
	unsigned int k;
	uint32_t j;

	for (k = 0; k < 2; k++)
		for (j = 0; j < bufs[k]->nr_segs; j++)
			if (bufs[k]->segs[j].dma_addr + bufs[k]->segs[j].length > m)
				m = bufs[k]->segs[j].dma_addr + bufs[k]->segs[j].length;
	return m;
}

/* Marks the chunks to verify in @pick; returns how many. */
static uint64_t choose_chunks(struct run *r, uint8_t *pick, unsigned int sample)
{
	uint64_t nr = r->size / CHUNK, n = 0, i, s = r->seed | 1;
	const struct buffer *bufs[] = { &r->src, &r->dst };
	unsigned int k;
	uint32_t j;

	if (r->size <= ALL_LIMIT) {
		memset(pick, 1, nr);
		return nr;
	}
	for (k = 0; k < 2; k++) {
		for (j = 0; j < bufs[k]->nr_segs; j++) {
			pick[bufs[k]->seg_off[j] / CHUNK] = 1;
			pick[(bufs[k]->seg_off[j] + bufs[k]->segs[j].length - 1) / CHUNK] = 1;
		}
	}
	for (k = 0; k < sample; k++)
		pick[xorshift(&s) % nr] = 1;
	for (i = 0; i < nr; i++)
		n += pick[i];
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "seed", required_argument, NULL, 'S' },
		{ "sample", required_argument, NULL, 'k' },
		{ "corrupt", no_argument, NULL, 'c' },
		{ "skip-sync", no_argument, NULL, 'n' },
		{ "coherent", no_argument, NULL, 'C' },
		{ 0 }
	};
	struct run r = { .node = -1, .src = { .fd = -1 }, .dst = { .fd = -1 } };
	uint64_t nr_chunks, chosen, i, mismatched = 0, stray = 0, first_phys, first_dma;
	const char *device = NULL;
	unsigned int sample = 64;
	struct uio_dmabuf_info info;
	bool corrupt = false, corrupted = false, skip_sync = false;
	uint8_t *pick = NULL;
	struct edu edu;
	int c, ret, status = 2;

	r.seed = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 's': r.source = optarg; break;
		case 'z':
			if (uiodmabuf_parse_size(optarg, &r.size))
				return die("--size", EINVAL);
			break;
		case 'S': r.seed = strtoull(optarg, NULL, 0); break;
		case 'k': sample = (unsigned int)atoi(optarg); break;
		case 'c': corrupt = true; break;
		case 'n': skip_sync = true; break;
		case 'C': r.import_flags |= UIO_DMABUF_IMPORT_COHERENT; break;
		default: return 2;
		}
	}
	if (!device || !r.source || !r.size || r.size % CHUNK)
		return die("usage: --device N --source S --size SIZE (a multiple of 4 KiB)", EINVAL);
	r.importer_sync = strncmp(r.source, "heap:", 5) != 0 && !skip_sync;

	ret = edu_open(&edu, (unsigned int)atoi(device));
	if (ret)
		return die("open edu", ret);
	r.node = uiodmabuf_open(device);
	if (r.node < 0) {
		die("open the import node", r.node);
		goto close_edu;
	}
	ret = uiodmabuf_info(r.node, &info);
	if (ret) {
		die("INFO", ret);
		goto close_node;
	}

	ret = alloc_buffer(&r, &r.src);
	if (!ret)
		ret = alloc_buffer(&r, &r.dst);
	if (ret) {
		die("allocate", ret);
		goto free_buffers;
	}
	ret = import_buffer(&r, &r.src, UIO_DMABUF_DIR_TO_DEVICE);
	if (!ret)
		ret = import_buffer(&r, &r.dst, UIO_DMABUF_DIR_FROM_DEVICE);
	if (ret) {
		/* A mapping the device cannot reach is refused: a result, not a crash. */
		die("import", ret);
		printf("{\"source\": \"%s\", \"size\": %" PRIu64 ", \"iommu\": %s, "
		       "\"dma_mask_bits\": %u, \"errno\": %d, \"result\": \"refused\"}\n",
		       r.source, r.size, info.flags & UIO_DMABUF_INFO_IOMMU ? "true" : "false",
		       info.dma_mask_bits, -ret);
		status = 3;
		goto free_buffers;
	}

	/* The CPU writes the pattern and the poison. */
	if (cpu_begin(&r, &r.src) || cpu_begin(&r, &r.dst)) {
		die("sync for the CPU", errno);
		goto free_buffers;
	}
	for (i = 0; i < r.size; i++)
		r.src.map[i] = pattern(r.seed, i);
	memset(r.dst.map, POISON, r.size);
	first_phys = phys_of(r.src.map);
	first_dma = r.src.segs[0].dma_addr;
	if (cpu_end(&r, &r.src) || cpu_end(&r, &r.dst)) {
		die("sync for the device", errno);
		goto free_buffers;
	}

	nr_chunks = r.size / CHUNK;
	pick = calloc(nr_chunks, 1);
	if (!pick) {
		die("allocate", ENOMEM);
		goto free_buffers;
	}
	chosen = choose_chunks(&r, pick, sample);

	/* edu moves each chosen chunk from src to dst, through its own buffer. */
	for (i = 0; i < nr_chunks; i++) {
		uint64_t off = i * CHUNK, h;

		if (!pick[i])
			continue;
		for (h = 0; h < CHUNK; h += HALF) {
			uint64_t from = dma_of(&r.src, off + h);

			if (corrupt && !corrupted) {
				/* The negative control: read the neighbouring chunk instead. */
				from = dma_of(&r.src, off + h + (off + CHUNK < r.size ? CHUNK : -CHUNK));
				corrupted = h + HALF == CHUNK;
			}
			ret = edu_to_device(&edu, from, 0, HALF);
			if (!ret)
				ret = edu_from_device(&edu, 0, dma_of(&r.dst, off + h), HALF);
			if (ret) {
				die("edu DMA", ret);
				goto free_pick;
			}
		}
	}

	if (cpu_begin(&r, &r.dst)) {
		die("sync for the CPU", errno);
		goto free_pick;
	}
	for (i = 0; i < nr_chunks; i++) {
		const uint8_t *d = r.dst.map + i * CHUNK;
		uint64_t j;

		for (j = 0; j < CHUNK; j++) {
			uint8_t want = pick[i] ? pattern(r.seed, i * CHUNK + j) : POISON;

			if (d[j] != want) {
				if (pick[i])
					mismatched++;
				else
					stray++;
				if (mismatched + stray <= 3)
					fprintf(stderr, "edu-dma-test: %s %s: byte %#" PRIx64
						" is %#x, wanted %#x\n", r.source,
						pick[i] ? "chunk" : "untouched chunk",
						(uint64_t)(i * CHUNK + j), d[j], want);
				break;
			}
		}
	}
	dmabuf_sync(r.dst.fd, DMA_BUF_SYNC_END);

	status = mismatched || stray ? 1 : 0;
	printf("{\"source\": \"%s\", \"size\": %" PRIu64 ", \"iommu\": %s, "
	       "\"dma_mask_bits\": %u, \"segments\": %" PRIu32 ", \"dst_segments\": %" PRIu32
	       ", \"chunks\": %" PRIu64 ", \"bytes_verified\": %" PRIu64
	       ", \"mismatched_chunks\": %" PRIu64 ", \"stray_writes\": %" PRIu64
	       ", \"seed\": %" PRIu64 ", \"transfers\": %lu, \"first_dma\": %" PRIu64
	       ", \"first_phys\": %" PRIu64 ", \"max_dma_end\": %" PRIu64
	       ", \"corrupt\": %s, \"needs_sync\": %s, \"synced\": %s, \"result\": \"%s\"}\n",
	       r.source, r.size, info.flags & UIO_DMABUF_INFO_IOMMU ? "true" : "false",
	       info.dma_mask_bits, r.src.nr_segs, r.dst.nr_segs, chosen,
	       status ? 0 : (uint64_t)(chosen * CHUNK), mismatched, stray, r.seed, edu.transfers,
	       first_dma, first_phys, max_dma_end(&r), corrupt ? "true" : "false",
	       (r.src.imp.map_flags | r.dst.imp.map_flags) & UIO_DMABUF_MAP_NEEDS_SYNC ?
	       "true" : "false", r.importer_sync ? "true" : "false", status ? "fail" : "pass");

free_pick:
	free(pick);
free_buffers:
	free_buffer(&r, &r.dst);
	free_buffer(&r, &r.src);
close_node:
	close(r.node);
close_edu:
	edu_close(&edu);
	return status;
}
