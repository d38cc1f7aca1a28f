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
 * access; for udmabuf and DRM PRIME, UIO_DMABUF_IOC_SYNC (udmabuf: instead).
 *
 * Prints one JSON line with the result; exits 0 when it verified, 1 when not,
 * 2 when the run could not be made, 3 when the import was refused (a device
 * that cannot reach the buffer, without an IOMMU to remap it).
 *
 * usage: edu-dma-test --device N --source heap:NAME|udmabuf|drm --size SIZE
 *                     [--seed S] [--sample K] [--corrupt] [--skip-sync] [--coherent]
 *                     [--sync-range]
 *   --corrupt    the negative control: the first chunk is read from the next
 *                chunk's address instead of its own, which must be caught
 *   --skip-sync  no UIO_DMABUF_IOC_SYNC: a mapping that needs it (bounced)
 *                must then fail to verify
 *   --coherent   import with UIO_DMABUF_IMPORT_COHERENT (refused with EIO
 *                when the mapping needs SYNC)
 *   --sync-range where swiotlb bounced the destination, first sync a range of
 *                it that starts and ends inside a page and crosses a page
 *                boundary, and check byte by byte that exactly that range
 *                arrived (range_sync in the JSON line: pass, fail, or none
 *                when nothing was bounced or the bounced run was too short)
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
#include <sys/mman.h>
#include <unistd.h>


#include "cases.h"
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
	uint32_t dir;		/* UIO_DMABUF_DIR_* of the import */
	bool imported;
};

struct run {
	int node;
	const char *source;	/* "heap:system", "udmabuf", "drm" */
	uint64_t size;
	uint64_t seed;
	bool skip_sync;		/* --skip-sync: no UIO_DMABUF_IOC_SYNC */
	bool importer_sync;	/* exporter does not sync importers: UIO_DMABUF_IOC_SYNC */
	/*
	 * DMA_BUF_IOCTL_SYNC too; not for udmabuf, whose sync covers only its
	 * own device's mapping, and which since 7.x maps merged entries longer
	 * than that device's max segment size (DMA-API debug reports it).
	 */
	bool exporter_sync;
	uint32_t import_flags;	/* UIO_DMABUF_IMPORT_* */
	struct buffer src, dst;
};

/* The command line, beyond what struct run holds. */
struct options {
	const char *device;
	unsigned int sample;
	bool corrupt;
	bool skip_sync;
	bool sync_range;
};

/* What the run found. */
struct outcome {
	uint64_t chosen;	/* chunks copied and verified */
	uint64_t mismatched;	/* chosen chunks that did not arrive intact */
	uint64_t stray;		/* other chunks that were written */
	uint64_t first_phys;	/* src's first page, from pagemap (0: unknown) */
	uint64_t first_dma;	/* src's first DMA address */
	const char *range_sync;	/* --sync-range: "pass", "fail" or "none" */
	uint64_t range_from, range_to;	/* the range it synced */
};

/* The pattern byte at buffer offset @off: differs per chunk and per run. */
static uint8_t pattern(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed ^ (off / 8 * 0x9e3779b97f4a7c15ULL)) | 1;

	xorshift64(&x);
	return (uint8_t)(x >> (8 * (off % 8)));
}

static int die(const char *what, int err)
{
	fprintf(stderr, "edu-dma-test: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 2;
}

/*
 * The sync around CPU access, as libuiodmabuf chooses it for the import
 * (uiodmabuf_cpu_sync_method(): the heaps' DMA_BUF_IOCTL_SYNC covers every
 * device's mapping; udmabuf's only its own, so UIO_DMABUF_IOC_SYNC; DRM
 * PRIME both), less what --skip-sync leaves out.
 */
static unsigned int sync_how(const struct run *r)
{
	return (r->importer_sync ? UIODMABUF_CPU_SYNC_IMPORT : 0) |
	       (r->exporter_sync ? UIODMABUF_CPU_SYNC_DMABUF : 0);
}

/* CPU access begins: after device writes, before the CPU reads or writes. */
static int cpu_begin(struct run *r, struct buffer *b)
{
	return sync_how(r) ? uiodmabuf_begin_cpu_access(r->node, b->fd, &b->imp, sync_how(r)) : 0;
}

/* CPU access ends: after the CPU wrote, before the device reads. */
static int cpu_end(struct run *r, struct buffer *b)
{
	return sync_how(r) ? uiodmabuf_end_cpu_access(r->node, b->fd, &b->imp, sync_how(r)) : 0;
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
	b->dir = dir;
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
		pick[xorshift64(&s) % nr] = 1;
	for (i = 0; i < nr; i++)
		n += pick[i];
	return n;
}

/* The options; returns 0, or the exit status for a usage error. */
static int parse_args(int argc, char **argv, struct run *r, struct options *o)
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
		{ "sync-range", no_argument, NULL, 'r' },
		{ 0 }
	};
	int c;

	r->seed = 1;
	o->sample = 64;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->device = optarg; break;
		case 's': r->source = optarg; break;
		case 'z':
			if (uiodmabuf_parse_size(optarg, &r->size))
				return die("--size", EINVAL);
			break;
		case 'S': r->seed = strtoull(optarg, NULL, 0); break;
		case 'k': o->sample = (unsigned int)atoi(optarg); break;
		case 'c': o->corrupt = true; break;
		case 'n': o->skip_sync = true; break;
		case 'C': r->import_flags |= UIO_DMABUF_IMPORT_COHERENT; break;
		case 'r': o->sync_range = true; break;
		default: return 2;
		}
	}
	if (!o->device || !r->source || !r->size || r->size % CHUNK)
		return die("usage: --device N --source S --size SIZE (a multiple of 4 KiB)", EINVAL);
	r->skip_sync = o->skip_sync;
	return 0;
}

/*
 * Allocate and import both buffers. Returns 0, 3 when the import was refused
 * (a result: a mapping the device cannot reach), or 2.
 */
static int phase_import(struct run *r, const struct uio_dmabuf_info *info)
{
	int ret;

	ret = alloc_buffer(r, &r->src);
	if (!ret)
		ret = alloc_buffer(r, &r->dst);
	if (ret)
		return die("allocate", ret);
	ret = import_buffer(r, &r->src, UIO_DMABUF_DIR_TO_DEVICE);
	if (!ret)
		ret = import_buffer(r, &r->dst, UIO_DMABUF_DIR_FROM_DEVICE);
	if (!ret) {
		int how = uiodmabuf_cpu_sync_method(r->src.fd, &r->src.imp);

		if (how < 0)
			return die("the exporter's sync method", how);
		r->importer_sync = (how & UIODMABUF_CPU_SYNC_IMPORT) && !r->skip_sync;
		r->exporter_sync = how & UIODMABUF_CPU_SYNC_DMABUF;
		return 0;
	}
	die("import", ret);
	printf("{\"source\": \"%s\", \"size\": %" PRIu64 ", \"iommu\": %s, \"isolated\": %s, "
	       "\"dma_mask_bits\": %u, \"errno\": %d, \"result\": \"refused\"}\n",
	       r->source, r->size, info->flags & UIO_DMABUF_INFO_IOMMU ? "true" : "false",
	       info->flags & UIO_DMABUF_INFO_ISOLATED ? "true" : "false",
	       info->dma_mask_bits, -ret);
	return 3;
}

/* The CPU writes the pattern into src and the poison into dst. */
static int phase_fill(struct run *r, struct outcome *out)
{
	uint64_t i;

	if (cpu_begin(r, &r->src) || cpu_begin(r, &r->dst))
		return die("sync for the CPU", errno);
	for (i = 0; i < r->size; i++)
		r->src.map[i] = pattern(r->seed, i);
	memset(r->dst.map, POISON, r->size);
	out->first_phys = phys_of(r->src.map);
	out->first_dma = r->src.segs[0].dma_addr;
	if (cpu_end(r, &r->src) || cpu_end(r, &r->dst))
		return die("sync for the device", errno);
	return 0;
}

/* edu moves each chosen chunk from src to dst, through its own buffer. */
static int phase_dma(struct run *r, struct edu *edu, const uint8_t *pick, bool corrupt)
{
	uint64_t nr_chunks = r->size / CHUNK, i, h;
	bool corrupted = false;
	int ret;

	for (i = 0; i < nr_chunks; i++) {
		uint64_t off = i * CHUNK;

		if (!pick[i])
			continue;
		for (h = 0; h < CHUNK; h += HALF) {
			uint64_t from = dma_of(&r->src, off + h);

			if (corrupt && !corrupted) {
				/* The negative control: read the neighbouring chunk instead. */
				from = dma_of(&r->src, off + h + (off + CHUNK < r->size ? CHUNK : -CHUNK));
				corrupted = h + HALF == CHUNK;
			}
			ret = edu_to_device(edu, from, 0, HALF);
			if (!ret)
				ret = edu_from_device(edu, 0, dma_of(&r->dst, off + h), HALF);
			if (ret)
				return die("edu DMA", ret);
		}
	}
	return 0;
}

/*
 * --sync-range, after the DMA and before any sync for the CPU: where swiotlb
 * bounced dst, the CPU still sees the poison and the device's bytes wait in
 * the bounce buffer. 8,000 bytes of the first run of bounced bytes, from
 * 3,001 before a boundary to 4,999 after it, are synced alone: the boundary
 * is that of a segment inside the run if there is one, else the page boundary
 * at or below the run's middle. Then every bounced byte inside the range must hold
 * the pattern and every one outside it still the poison. Bytes whose pattern
 * is the poison tell nothing and are skipped. Every chunk was copied (a
 * 128 KiB buffer).
 */
static int phase_sync_range(struct run *r, struct outcome *out)
{
	uint64_t from, to, i, first = r->size, end = r->size, wrong = 0, at;
	uint32_t k;
	int ret;

	out->range_sync = "none";
	if (!r->importer_sync || !(r->dst.imp.map_flags & UIO_DMABUF_MAP_NEEDS_SYNC))
		return 0;
	for (i = 0; i < r->size; i++) {
		uint8_t want = pattern(r->seed, i);

		if (want == POISON)
			continue;
		if (first == r->size && r->dst.map[i] == POISON)
			first = i;
		else if (first < r->size && r->dst.map[i] != POISON) {
			end = i;
			break;
		}
	}
	if (first == r->size)
		return 0;
	at = (first + end) / 2 / CHUNK * CHUNK;
	for (k = 1; k < r->dst.nr_segs; k++) {
		if (r->dst.seg_off[k] >= first + 3001 && r->dst.seg_off[k] + 4999 <= end) {
			at = r->dst.seg_off[k];
			break;
		}
	}
	if (at < first + 3001 || at + 4999 > end)
		return 0;
	from = at - 3001;
	to = at + 4999;
	ret = uiodmabuf_sync_range(r->node, r->dst.imp.handle, UIO_DMABUF_SYNC_FOR_CPU,
				   from, to - from);
	if (ret)
		return die("sync a range for the CPU", ret);
	out->range_from = from;
	out->range_to = to;
	for (i = first; i < end; i++) {
		uint8_t want = pattern(r->seed, i);

		if (want == POISON)
			continue;
		if (i >= from && i < to ? r->dst.map[i] == want : r->dst.map[i] == POISON)
			continue;
		if (++wrong <= 3)
			fprintf(stderr, "edu-dma-test: synced [%#" PRIx64 ", %#" PRIx64
				"): byte %#" PRIx64 " is %#x\n", from, to, i, r->dst.map[i]);
	}
	out->range_sync = wrong ? "fail" : "pass";
	return 0;
}

/* Every chosen chunk of dst holds src's pattern, every other one the poison. */
static int phase_verify(struct run *r, const uint8_t *pick, struct outcome *out)
{
	uint64_t nr_chunks = r->size / CHUNK, i, j;

	if (cpu_begin(r, &r->dst))
		return die("sync for the CPU", errno);
	for (i = 0; i < nr_chunks; i++) {
		const uint8_t *d = r->dst.map + i * CHUNK;

		for (j = 0; j < CHUNK; j++) {
			uint8_t want = pick[i] ? pattern(r->seed, i * CHUNK + j) : POISON;

			if (d[j] == want)
				continue;
			if (pick[i])
				out->mismatched++;
			else
				out->stray++;
			if (out->mismatched + out->stray <= 3)
				fprintf(stderr, "edu-dma-test: %s %s: byte %#" PRIx64
					" is %#x, wanted %#x\n", r->source,
					pick[i] ? "chunk" : "untouched chunk",
					(uint64_t)(i * CHUNK + j), d[j], want);
			break;
		}
	}
	if (r->exporter_sync)
		uiodmabuf_end_cpu_access(r->node, r->dst.fd, &r->dst.imp, UIODMABUF_CPU_SYNC_DMABUF);
	return out->mismatched || out->stray || !strcmp(out->range_sync, "fail") ? 1 : 0;
}

/* The result line. */
static void report(const struct run *r, const struct uio_dmabuf_info *info,
		   const struct outcome *out, const struct edu *edu, bool corrupt, int status)
{
	printf("{\"source\": \"%s\", \"size\": %" PRIu64 ", \"iommu\": %s, \"isolated\": %s, "
	       "\"dma_mask_bits\": %u, \"segments\": %" PRIu32 ", \"dst_segments\": %" PRIu32
	       ", \"chunks\": %" PRIu64 ", \"bytes_verified\": %" PRIu64
	       ", \"mismatched_chunks\": %" PRIu64 ", \"stray_writes\": %" PRIu64
	       ", \"seed\": %" PRIu64 ", \"transfers\": %lu, \"first_dma\": %" PRIu64
	       ", \"first_phys\": %" PRIu64 ", \"max_dma_end\": %" PRIu64
	       ", \"corrupt\": %s, \"needs_sync\": %s, \"synced\": %s, \"range_sync\": \"%s\""
	       ", \"range_from\": %" PRIu64 ", \"range_to\": %" PRIu64 ", \"result\": \"%s\"}\n",
	       r->source, r->size, info->flags & UIO_DMABUF_INFO_IOMMU ? "true" : "false",
	       info->flags & UIO_DMABUF_INFO_ISOLATED ? "true" : "false",
	       info->dma_mask_bits, r->src.nr_segs, r->dst.nr_segs, out->chosen,
	       status ? 0 : (uint64_t)(out->chosen * CHUNK), out->mismatched, out->stray, r->seed,
	       edu->transfers, out->first_dma, out->first_phys, max_dma_end(r),
	       corrupt ? "true" : "false",
	       (r->src.imp.map_flags | r->dst.imp.map_flags) & UIO_DMABUF_MAP_NEEDS_SYNC ?
	       "true" : "false", r->importer_sync ? "true" : "false", out->range_sync,
	       out->range_from, out->range_to, status ? "fail" : "pass");
}

/* The phases, once edu and the node are open: import, fill, DMA, verify. */
static int run_test(struct run *r, struct edu *edu, const struct options *o)
{
	struct outcome out = { .range_sync = "none" };
	struct uio_dmabuf_info info;
	uint8_t *pick;
	int status;

	status = uiodmabuf_info(r->node, &info);
	if (status)
		return die("INFO", status);
	status = phase_import(r, &info);
	if (!status)
		status = phase_fill(r, &out);
	if (status)
		return status;
	pick = calloc(r->size / CHUNK, 1);
	if (!pick)
		return die("allocate", ENOMEM);
	out.chosen = choose_chunks(r, pick, o->sample);
	status = phase_dma(r, edu, pick, o->corrupt);
	if (!status && o->sync_range)
		status = phase_sync_range(r, &out);
	if (!status) {
		status = phase_verify(r, pick, &out);
		if (status < 2)
			report(r, &info, &out, edu, o->corrupt, status);
	}
	free(pick);
	return status;
}

int main(int argc, char **argv)
{
	struct run r = { .node = -1, .src = { .fd = -1 }, .dst = { .fd = -1 } };
	struct options o = { 0 };
	struct edu edu;
	int status;

	status = parse_args(argc, argv, &r, &o);
	if (status)
		return status;
	status = edu_open(&edu, (unsigned int)atoi(o.device));
	if (status)
		return die("open edu", status);
	r.node = uiodmabuf_open(o.device);
	if (r.node < 0) {
		status = die("open the import node", r.node);
	} else {
		status = run_test(&r, &edu, &o);
		free_buffer(&r, &r.dst);
		free_buffer(&r, &r.src);
		close(r.node);
	}
	edu_close(&edu);
	return status;
}
