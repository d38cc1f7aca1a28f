// SPDX-License-Identifier: GPL-2.0
/*
 * uio-dmabuf-bench: what importing costs, measured in the guest.
 *
 *   roundtrip  IMPORT (which returns the segments) + RELEASE of one buffer, per
 *              exporter and size, side by side with the floor: the same buffer
 *              attached, pinned, mapped and back in the kernel
 *              (/dev/uio-dmabuf-bench), that floor split in two calls
 *              with only a handle between them (floor_pair), and the same
 *              with the duties the driver has for every import
 *              (floor_duties: duplicate check, per-user charge, fences)
 *   oldway     mmap(MAP_LOCKED | MAP_POPULATE) + /proc/self/pagemap, set
 *              against allocate + IMPORT + RELEASE + close
 *   segments   round trip and floor of udmabuf buffers of 1 ... 65,536
 *              scattered pages
 *   live       round trip and floor with 0 ... 10,000 imports live on the device
 *   procs      round trips of 1 and 2 processes on files of their own, on
 *              one device and on two; and the same for INFO ioctls and a
 *              user-space loop, the ceilings of the guest's two vCPUs
 *   ioctls     INFO, IMPORT (with its segment), GET_SEGMENTS and RELEASE of
 *              4 KiB, each alone
 *
 * Every figure is the median, minimum and maximum of --reps runs, printed as
 * a table ("# " lines) and as CSV rows for the host:
 *   csv,LABEL,SECTION,EXPORTER,SIZE,SEGMENTS,METRIC,MEDIAN_NS,MIN_NS,MAX_NS,REPS
 * A step that fails prints "error: ..." and the program exits 1 at the end.
 * Usage: uio-dmabuf-bench --uio N --label NAME [--reps N] [--quick] [--only SECTION]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/udmabuf.h>
#include <linux/uio_dmabuf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "uiodmabuf.h"
#include "uio_dmabuf_bench.h"

#define KIB	1024ULL
#define MIB	(1024 * KIB)

struct bench {
	const char *label;
	char node[64];
	int fd;		/* the import node */
	int floor_fd;	/* /dev/uio-dmabuf-bench, set to the device */
	bool duties;	/* the floor does the driver's duties (duties_check()) */
	int reps;
	bool quick;
	int errors;
	struct uio_dmabuf_segment *segs;	/* IMPORT's and GET_SEGMENTS' array */
	uint32_t segs_cap;
	uint64_t *a, *b, *c, *d, *e, *f;	/* samples, --reps each */
	uint64_t import_ns;			/* the IMPORT of the last round trip */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void error(struct bench *b, const char *what, int err)
{
	printf("error: %s: %s\n", what, strerror(err < 0 ? -err : err));
	b->errors++;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* One CSV row and one table line: the median, min and max of @v[0..n). */
static void emit(struct bench *b, const char *section, const char *exporter, uint64_t size,
		 uint32_t segments, const char *metric, uint64_t *v, int n)
{
	uint64_t med;

	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("csv,%s,%s,%s,%llu,%u,%s,%llu,%llu,%llu,%d\n", b->label, section, exporter,
	       (unsigned long long)size, segments, metric, (unsigned long long)med,
	       (unsigned long long)v[0], (unsigned long long)v[n - 1], n);
	printf("# %-9s %-12s %10llu %6u %-13s %12.1f %12.1f %12.1f us\n", section, exporter,
	       (unsigned long long)size, segments, metric, med / 1e3, v[0] / 1e3, v[n - 1] / 1e3);
	fflush(stdout);
}

/* A buffer of @size from @exporter ("system", "cma", "udmabuf"): fd or -errno. */
static int alloc_buffer(const char *exporter, uint64_t size)
{
	if (!strcmp(exporter, "udmabuf"))
		return uiodmabuf_udmabuf_alloc(size);
	return uiodmabuf_heap_alloc(exporter, size);
}

/*
 * IMPORT of @buf on @node, its segments returned in the same call, then
 * RELEASE; the time in *@ns. b->segs holds the segments of every buffer
 * here: E2BIG if one had more.
 */
static int round_trip(struct bench *b, int node, int buf, uint32_t *nsegs, uint64_t *ns)
{
	struct uio_dmabuf_import imp = {
		.fd = buf, .segments = (uint64_t)(uintptr_t)b->segs, .max_segments = b->segs_cap,
	};
	struct uio_dmabuf_release rel = { 0 };
	uint64_t t0 = now_ns();

	if (ioctl(node, UIO_DMABUF_IOC_IMPORT, &imp))
		return -errno;
	b->import_ns = now_ns() - t0;
	rel.handle = imp.handle;
	if (ioctl(node, UIO_DMABUF_IOC_RELEASE, &rel))
		return -errno;
	*ns = now_ns() - t0;
	*nsegs = imp.nr_segments;
	return imp.nr_segments > b->segs_cap ? -E2BIG : 0;
}

/* The floor for @buf: *@ns seen from here, *@kns inside the kernel. */
static int floor_trip(struct bench *b, int buf, uint64_t *ns, uint64_t *kns)
{
	struct uio_dmabuf_bench_floor f = { .fd = buf };
	uint64_t t0 = now_ns();

	if (ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_FLOOR, &f))
		return -errno;
	*ns = now_ns() - t0;
	*kns = f.ns;
	return 0;
}

/*
 * The floor in two calls for @buf (UIO_DMABUF_BENCH_IOC_IMPORT, then
 * _RELEASE): the least a driver that keeps an import between two calls can
 * cost, the first segment copied out; with @duties (_IMPORT_DUTIES), also
 * the duties the driver has for every import. *@ns seen from here.
 */
static int pair_trip(struct bench *b, int buf, bool duties, uint64_t *ns)
{
	struct uio_dmabuf_bench_pair p = { .fd = buf };
	uint64_t t0 = now_ns();

	if (ioctl(b->floor_fd, duties ? UIO_DMABUF_BENCH_IOC_IMPORT_DUTIES :
		  UIO_DMABUF_BENCH_IOC_IMPORT, &p))
		return -errno;
	if (ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_RELEASE, &p))
		return -errno;
	*ns = now_ns() - t0;
	return 0;
}

/*
 * Round trips of @buf into b->a (their IMPORT alone: b->d), floors into
 * b->b (in the kernel: b->c), floors in two calls into b->e and, with
 * @duties, those with the duties into b->f, alternating,
 * --reps of each after two to warm up; 0 or -errno.
 */
static int sample_pairs(struct bench *b, int buf, bool duties, uint32_t *nsegs)
{
	int i, ret = 0;

	for (i = -2; i < b->reps && !ret; i++) {
		int k = i < 0 ? 0 : i;

		ret = round_trip(b, b->fd, buf, nsegs, &b->a[k]);
		b->d[k] = b->import_ns;
		if (!ret)
			ret = floor_trip(b, buf, &b->b[k], &b->c[k]);
		if (!ret)
			ret = pair_trip(b, buf, false, &b->e[k]);
		if (!ret && duties)
			ret = pair_trip(b, buf, true, &b->f[k]);
	}
	return ret;
}

/* Round trip and floor of one buffer. */
static void roundtrip_one(struct bench *b, const char *exporter, uint64_t size)
{
	uint32_t nsegs = 0;
	char what[96];
	int buf, ret;

	buf = alloc_buffer(exporter, size);
	if (buf < 0) {
		printf("# roundtrip %s %llu: no buffer (%s), skipped\n", exporter,
		       (unsigned long long)size, strerror(-buf));
		return;
	}
	ret = sample_pairs(b, buf, b->duties, &nsegs);
	close(buf);
	snprintf(what, sizeof(what), "roundtrip %s %llu", exporter, (unsigned long long)size);
	if (ret) {
		error(b, what, ret);
		return;
	}
	emit(b, "roundtrip", exporter, size, nsegs, "roundtrip", b->a, b->reps);
	emit(b, "roundtrip", exporter, size, nsegs, "floor", b->b, b->reps);
	emit(b, "roundtrip", exporter, size, nsegs, "floor_kernel", b->c, b->reps);
	emit(b, "roundtrip", exporter, size, nsegs, "floor_pair", b->e, b->reps);
	if (b->duties)
		emit(b, "roundtrip", exporter, size, nsegs, "floor_duties", b->f, b->reps);
}

/*
 * The duties of the floor with them are done, or the bound they give proves
 * nothing: a second IMPORT_DUTIES of a live buffer is EBUSY, and as uid 1000
 * with a 64 KiB RLIMIT_MEMLOCK (no CAP_IPC_LOCK), 1 MiB is ENOMEM while
 * 4 KiB imports 32 times in a row, each released (RELEASE gives the charge
 * back). 0, or -EPROTO with what was wrong printed.
 */
static int duties_check(struct bench *b)
{
	struct uio_dmabuf_bench_pair p = { .fd = uiodmabuf_heap_alloc("system", 4 * KIB) };
	struct uio_dmabuf_bench_pair q = p;
	int status = 0, again, ret = 0;
	pid_t pid;

	if (p.fd < 0)
		return p.fd;
	if (ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_IMPORT_DUTIES, &p)) {
		ret = -errno;
		goto out;
	}
	again = ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_IMPORT_DUTIES, &q) ? errno : 0;
	if (!again)
		ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_RELEASE, &q);
	if (ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_RELEASE, &p))
		ret = -errno;
	if (again != EBUSY) {
		printf("# duties: a second import of a live buffer: %s, not EBUSY\n",
		       again ? strerror(again) : "success");
		ret = -EPROTO;
	}
	if (ret)
		goto out;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (!pid) {
		struct rlimit rl = { 64 * KIB, 64 * KIB };
		struct uio_dmabuf_bench_pair big = { .fd = uiodmabuf_heap_alloc("system", MIB) };
		int i;

		if (big.fd < 0 || setgroups(0, NULL) || setgid(1000) || setuid(1000) ||
		    setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(2);
		/* The floor's file is the parent's too: nothing may stay in it. */
		if (!ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_IMPORT_DUTIES, &big)) {
			ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_RELEASE, &big);
			_exit(3);
		}
		if (errno != ENOMEM)
			_exit(3);
		for (i = 0; i < 32; i++)
			if (ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_IMPORT_DUTIES, &q) ||
			    ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_RELEASE, &q))
				_exit(4);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("# duties: as uid 1000 with a 64 KiB RLIMIT_MEMLOCK, %s\n",
		       !WIFEXITED(status) || WEXITSTATUS(status) == 2 ? "the child failed" :
		       WEXITSTATUS(status) == 3 ? "1 MiB was not ENOMEM" :
		       "4 KiB did not import and release 32 times");
		ret = -EPROTO;
	}
out:
	close(p.fd);
	return ret;
}

static void section_roundtrip(struct bench *b)
{
	static const struct {
		const char *exporter;
		uint64_t max;
	} exporters[] = { { "system", 256 * MIB }, { "cma", 64 * MIB }, { "udmabuf", 64 * MIB } };
	size_t e;
	uint64_t size;
	int ret;

	ret = duties_check(b);
	if (ret)
		error(b, "roundtrip: the floor's duties (not measured)", ret);
	b->duties = !ret;
	for (e = 0; e < sizeof(exporters) / sizeof(exporters[0]); e++) {
		if (b->quick) {
			roundtrip_one(b, exporters[e].exporter, 64 * KIB);
			continue;
		}
		for (size = 4 * KIB; size <= exporters[e].max; size *= 4)
			roundtrip_one(b, exporters[e].exporter, size);
	}
}

/* The old way: locked, populated anonymous memory and its pagemap entries. */
static int old_way(uint64_t size, uint64_t *pfns, uint64_t *ns)
{
	uint64_t t0 = now_ns(), pages = size / 4096;
	int pm, ret = 0;
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0 || pread(pm, pfns, pages * 8, (off_t)((uintptr_t)p / 4096 * 8)) !=
	    (ssize_t)(pages * 8))
		ret = -errno;
	if (pm >= 0)
		close(pm);
	munmap(p, size);
	/* A present page with a PFN (bit 63, bits 0-54): root sees real PFNs. */
	if (!ret && (!(pfns[0] >> 63) || !(pfns[0] & ((1ULL << 55) - 1))))
		ret = -EPERM;
	*ns = now_ns() - t0;
	return ret;
}

/* The new way, complete: a system-heap buffer, its segments, and gone again. */
static int new_way(struct bench *b, uint64_t size, uint32_t *nsegs, uint64_t *ns)
{
	uint64_t t0 = now_ns(), rt;
	int buf, ret;

	buf = uiodmabuf_heap_alloc("system", size);
	if (buf < 0)
		return buf;
	ret = round_trip(b, b->fd, buf, nsegs, &rt);
	close(buf);
	*ns = now_ns() - t0;
	return ret;
}

static void section_oldway(struct bench *b)
{
	uint64_t size, max = b->quick ? 64 * KIB : 256 * MIB;
	uint32_t nsegs = 0;
	uint64_t *pfns = malloc(max / 4096 * 8);
	int i, ret = 0;

	for (size = b->quick ? 64 * KIB : 4 * KIB; size <= max && !ret && pfns; size *= 4) {
		for (i = -2; i < b->reps && !ret; i++) {
			int k = i < 0 ? 0 : i;

			ret = old_way(size, pfns, &b->a[k]);
			if (!ret)
				ret = new_way(b, size, &nsegs, &b->b[k]);
		}
		if (ret)
			break;
		emit(b, "oldway", "system", size, nsegs, "old_way", b->a, b->reps);
		emit(b, "oldway", "system", size, nsegs, "new_way", b->b, b->reps);
	}
	if (ret || !pfns)
		error(b, "oldway", pfns ? ret : -ENOMEM);
	free(pfns);
}

/*
 * A udmabuf of @n pages, each the first of two pages of a populated memfd:
 * the pages in between keep them apart in memory (without an IOMMU, one
 * segment each). Returns the dma-buf fd or -errno.
 */
static int scattered_udmabuf(uint32_t n)
{
	struct udmabuf_create_list *list;
	int memfd, dev, ret;
	uint32_t i;

	memfd = memfd_create("uio-dmabuf-bench", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return -errno;
	list = calloc(1, sizeof(*list) + n * sizeof(list->list[0]));
	ret = list ? 0 : -ENOMEM;
	if (!ret && (fallocate(memfd, 0, 0, (off_t)n * 8192) ||
		     fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)))
		ret = -errno;
	dev = ret ? -1 : open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (!ret && dev < 0)
		ret = -errno;
	if (!ret) {
		list->flags = UDMABUF_FLAGS_CLOEXEC;
		list->count = n;
		for (i = 0; i < n; i++)
			list->list[i] = (struct udmabuf_create_item){
				.memfd = (uint32_t)memfd, .offset = (uint64_t)i * 8192, .size = 4096,
			};
		ret = ioctl(dev, UDMABUF_CREATE_LIST, list);
		if (ret < 0)
			ret = -errno;
		close(dev);
	}
	free(list);
	close(memfd);
	return ret;
}

/*
 * GET_SEGMENTS of every segment of @buf, imported once: what copying the list
 * out costs, which the floor does not do; --reps into b->a, 0 or -errno.
 */
static int sample_get_segments(struct bench *b, int buf)
{
	struct uio_dmabuf_import imp = { .fd = buf };
	struct uio_dmabuf_release rel = { 0 };
	int i, ret = 0;

	if (ioctl(b->fd, UIO_DMABUF_IOC_IMPORT, &imp))
		return -errno;
	for (i = -2; i < b->reps && !ret; i++) {
		struct uio_dmabuf_get_segments gs = {
			.handle = imp.handle, .segments = (uint64_t)(uintptr_t)b->segs,
			.count = imp.nr_segments < b->segs_cap ? imp.nr_segments : b->segs_cap,
		};
		uint64_t t0 = now_ns();

		if (ioctl(b->fd, UIO_DMABUF_IOC_GET_SEGMENTS, &gs))
			ret = -errno;
		b->a[i < 0 ? 0 : i] = now_ns() - t0;
	}
	rel.handle = imp.handle;
	if (ioctl(b->fd, UIO_DMABUF_IOC_RELEASE, &rel) && !ret)
		ret = -errno;
	return ret;
}

static void section_segments(struct bench *b)
{
	uint32_t n, nsegs = 0;
	char what[64];
	int buf, ret;

	for (n = b->quick ? 256 : 1; n <= (b->quick ? 256U : 65536U); n *= 16) {
		buf = scattered_udmabuf(n);
		snprintf(what, sizeof(what), "segments: udmabuf of %u pages", n);
		if (buf < 0) {
			error(b, what, buf);
			return;
		}
		ret = sample_pairs(b, buf, false, &nsegs);
		if (ret) {
			close(buf);
			error(b, what, ret);
			return;
		}
		emit(b, "segments", "udmabuf-list", (uint64_t)n * 4096, nsegs, "roundtrip",
		     b->a, b->reps);
		emit(b, "segments", "udmabuf-list", (uint64_t)n * 4096, nsegs, "floor",
		     b->b, b->reps);
		emit(b, "segments", "udmabuf-list", (uint64_t)n * 4096, nsegs, "import",
		     b->d, b->reps);
		emit(b, "segments", "udmabuf-list", (uint64_t)n * 4096, nsegs, "floor_kernel",
		     b->c, b->reps);
		ret = sample_get_segments(b, buf);
		close(buf);
		if (ret) {
			error(b, what, ret);
			return;
		}
		emit(b, "segments", "udmabuf-list", (uint64_t)n * 4096, nsegs, "get_segments",
		     b->a, b->reps);
	}
}

/* Holds @k live imports of 4 KiB system-heap buffers over as many files as needed. */
struct live_set {
	int *files, nr_files;
	int *bufs, nr_bufs;
};

static int live_fill(struct bench *b, struct live_set *s, int k)
{
	long per_file = read_long("/sys/module/uio_dmabuf/parameters/max_imports");
	int ret;

	if (per_file <= 0)
		return -EINVAL;
	s->files = calloc((size_t)(k / per_file + 1), sizeof(int));
	s->bufs = calloc((size_t)k + 1, sizeof(int));
	if (!s->files || !s->bufs)
		return -ENOMEM;
	while (s->nr_bufs < k) {
		struct uio_dmabuf_import imp = { 0 };

		if (s->nr_bufs % per_file == 0) {
			ret = open(b->node, O_RDWR | O_CLOEXEC);
			if (ret < 0)
				return -errno;
			s->files[s->nr_files++] = ret;
		}
		ret = uiodmabuf_heap_alloc("system", 4 * KIB);
		if (ret < 0)
			return ret;
		s->bufs[s->nr_bufs++] = ret;
		imp.fd = ret;
		if (ioctl(s->files[s->nr_files - 1], UIO_DMABUF_IOC_IMPORT, &imp))
			return -errno;
	}
	return 0;
}

static void live_empty(struct live_set *s)
{
	while (s->nr_files)
		close(s->files[--s->nr_files]);
	while (s->nr_bufs)
		close(s->bufs[--s->nr_bufs]);
	free(s->files);
	free(s->bufs);
}

static void section_live(struct bench *b)
{
	static const int counts[] = { 0, 100, 1000, 10000 };
	size_t i, nr = b->quick ? 2 : sizeof(counts) / sizeof(counts[0]);
	uint32_t nsegs = 0;
	char what[64];
	int buf, ret;

	for (i = 0; i < nr; i++) {
		struct live_set s = { 0 };

		snprintf(what, sizeof(what), "live: %d imports", counts[i]);
		ret = live_fill(b, &s, counts[i]);
		buf = ret ? -1 : uiodmabuf_heap_alloc("system", 4 * KIB);
		if (!ret)
			ret = buf < 0 ? buf : sample_pairs(b, buf, false, &nsegs);
		if (buf >= 0)
			close(buf);
		live_empty(&s);
		if (ret) {
			error(b, what, ret);
			return;
		}
		emit(b, "live", "system", (uint64_t)counts[i], nsegs, "roundtrip", b->a, b->reps);
		emit(b, "live", "system", (uint64_t)counts[i], nsegs, "floor", b->b, b->reps);
	}
}

/*
 * What a process of the procs section repeats: the round trip; three INFO
 * ioctls (as many kernel entries, no lock, no allocation); or a loop in user
 * space that enters the kernel never. The last two are the ceilings that the
 * guest's vCPUs put on two processes, whatever the driver does.
 */
enum procs_work { PROCS_ROUND_TRIP, PROCS_INFO, PROCS_SPIN };

static int procs_op(struct bench *b, enum procs_work work, int node, int buf)
{
	struct uio_dmabuf_info info;
	volatile uint64_t x = 0;
	uint32_t nsegs;
	uint64_t ns;
	int i;

	switch (work) {
	case PROCS_ROUND_TRIP:
		return round_trip(b, node, buf, &nsegs, &ns);
	case PROCS_INFO:
		for (i = 0; i < 3; i++)
			if (ioctl(node, UIO_DMABUF_IOC_INFO, &info))
				return -errno;
		return 0;
	case PROCS_SPIN:
		for (i = 0; i < 1000; i++)
			x += (uint64_t)i;
		return 0;
	}
	return -EINVAL;
}

/* One process of the procs section, on @node: set up, say so on @ready, wait for @go. */
static int procs_child(struct bench *b, enum procs_work work, const char *node_path,
		       int ready, int go, int count)
{
	char c = 1;
	int node, buf, i, ret = 0;

	node = open(node_path, O_RDWR | O_CLOEXEC);
	buf = uiodmabuf_heap_alloc("system", 4 * KIB);
	if (node < 0 || buf < 0 || write(ready, &c, 1) != 1)
		return 1;
	if (read(go, &c, 1) != 0)	/* EOF: go */
		return 1;
	for (i = 0; i < count && !ret; i++)
		ret = procs_op(b, work, node, buf);
	return ret ? 1 : 0;
}

/*
 * Wall time of @nproc processes doing @count round trips each, process i on
 * @nodes[i]; 0 or -errno.
 */
static int procs_run(struct bench *b, enum procs_work work, int nproc,
		     const char *const *nodes, int count, uint64_t *ns)
{
	int go[2], ready[2], i, status, bad = 0;
	pid_t pids[2] = { -1, -1 };
	uint64_t t0;
	char c;

	if (pipe(go))
		return -errno;
	if (pipe(ready)) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	for (i = 0; i < nproc; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(go[1]);
			close(ready[0]);
			_exit(procs_child(b, work, nodes[i], ready[1], go[0], count));
		}
	}
	close(go[0]);
	close(ready[1]);
	for (i = 0; i < nproc; i++)
		if (pids[i] < 0 || read(ready[0], &c, 1) != 1)
			bad = 1;
	close(ready[0]);
	t0 = now_ns();
	close(go[1]);
	for (i = 0; i < nproc; i++)
		if (pids[i] > 0 && (waitpid(pids[i], &status, 0) < 0 || status))
			bad = 1;
	*ns = now_ns() - t0;
	return bad ? -EIO : 0;
}

/*
 * 1 and 2 processes on files of their own of one device; 2 on two devices
 * when /dev/uio-dmabuf1 exists (what they share then is the kernel, not the
 * device); and 1 and 2 processes of the two ceilings (procs_op()): ns per
 * operation of all together.
 */
static void section_procs(struct bench *b)
{
	static const char *const second = "/dev/uio-dmabuf1";
	const char *one[2] = { b->node, b->node }, *two[2] = { b->node, second };
	const struct {
		const char *exporter;
		enum procs_work work;
		int nproc;
		const char *const *nodes;
	} runs[] = {
		{ "system", PROCS_ROUND_TRIP, 1, one }, { "system", PROCS_ROUND_TRIP, 2, one },
		{ "info", PROCS_INFO, 1, one }, { "info", PROCS_INFO, 2, one },
		{ "spin", PROCS_SPIN, 1, one }, { "spin", PROCS_SPIN, 2, one },
		{ "system-2dev", PROCS_ROUND_TRIP, 2, two },
	};
	int count = b->quick ? 100 : 1000, i, ret = 0;
	size_t r;

	for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		if (runs[r].nodes == two && access(second, R_OK | W_OK))
			break;
		for (i = 0; i < b->reps && !ret; i++) {
			ret = procs_run(b, runs[r].work, runs[r].nproc, runs[r].nodes, count,
					&b->a[i]);
			b->a[i] /= (uint64_t)(runs[r].nproc * count);
		}
		if (ret) {
			error(b, "procs", ret);
			return;
		}
		emit(b, "procs", runs[r].exporter, 4 * KIB, (uint32_t)runs[r].nproc, "ns_per_op",
		     b->a, b->reps);
	}
}

/* A command the node does not know: the ioctl entry and its ENOTTY alone. */
#define BENCH_IOC_NOP	_IO(UIO_DMABUF_IOC_MAGIC, 0x7f)

/*
 * Where a round trip's time goes: INFO (which looks at the isolation), then
 * IMPORT (returning the one segment), GET_SEGMENTS of it again and RELEASE of
 * a 4 KiB system-heap buffer, and an ioctl the node does not know (nop: the
 * entry alone), each timed alone.
 */
static void section_ioctls(struct bench *b)
{
	struct uio_dmabuf_info info;
	int buf, i, ret = 0;
	uint64_t *t[5] = { b->a, b->b, b->c, NULL, b->d };

	t[3] = calloc((size_t)b->reps, sizeof(uint64_t));
	buf = uiodmabuf_heap_alloc("system", 4 * KIB);
	if (buf < 0 || !t[3]) {
		error(b, "ioctls: a 4 KiB system-heap buffer", buf < 0 ? buf : -ENOMEM);
		free(t[3]);
		return;
	}
	for (i = -2; i < b->reps && !ret; i++) {
		struct uio_dmabuf_import imp = {
			.fd = buf, .segments = (uint64_t)(uintptr_t)b->segs, .max_segments = 1,
		};
		struct uio_dmabuf_get_segments gs = { .count = 1 };
		struct uio_dmabuf_release rel = { 0 };
		uint64_t t0, t1, t2, t3, t4, t5;
		int k = i < 0 ? 0 : i;

		gs.segments = (uint64_t)(uintptr_t)b->segs;
		t0 = now_ns();
		ret = ioctl(b->fd, UIO_DMABUF_IOC_INFO, &info);
		t1 = now_ns();
		ret = ret ? ret : ioctl(b->fd, UIO_DMABUF_IOC_IMPORT, &imp);
		t2 = now_ns();
		gs.handle = rel.handle = imp.handle;
		ret = ret ? ret : ioctl(b->fd, UIO_DMABUF_IOC_GET_SEGMENTS, &gs);
		t3 = now_ns();
		ret = ret ? ret : ioctl(b->fd, UIO_DMABUF_IOC_RELEASE, &rel);
		t4 = now_ns();
		if (!ret && ioctl(b->fd, BENCH_IOC_NOP) != -1) {
			errno = EPROTO;	/* the node answered a command it has not */
			ret = -1;
		} else if (!ret && errno != ENOTTY) {
			ret = -1;
		}
		t5 = now_ns();
		t[0][k] = t1 - t0;
		t[1][k] = t2 - t1;
		t[2][k] = t3 - t2;
		t[3][k] = t4 - t3;
		t[4][k] = t5 - t4;
	}
	/* The floor in two calls, for a trace (udbtest.profile) to set beside. */
	for (i = 0; i < 3 && !ret; i++) {
		uint64_t ns;

		ret = pair_trip(b, buf, false, &ns);
	}
	close(buf);
	if (ret)
		error(b, "ioctls", -errno);
	else
		for (i = 0; i < 5; i++)
			emit(b, "ioctls", "system", 4 * KIB, 1,
			     (const char *[]){ "info", "import", "get_segments", "release",
					       "nop" }[i], t[i], b->reps);
	free(t[3]);
}

static const struct {
	const char *name;
	void (*run)(struct bench *b);
} sections[] = {
	{ "ioctls", section_ioctls },
	{ "roundtrip", section_roundtrip },
	{ "oldway", section_oldway },
	{ "segments", section_segments },
	{ "live", section_live },
	{ "procs", section_procs },
};

/* The import node of /dev/uio@uio, the floor device set to its PCI device. */
static int bench_open(struct bench *b, int uio)
{
	struct uio_dmabuf_bench_device d = { 0 };
	struct rlimit nofile = { 65536, 65536 };

	snprintf(b->node, sizeof(b->node), "/dev/uio-dmabuf%d", uio);
	b->fd = open(b->node, O_RDWR | O_CLOEXEC);
	if (b->fd < 0)
		return -errno;
	if (uio_bdf(uio, d.name, sizeof(d.name)))
		return -ENODEV;
	b->floor_fd = open("/dev/uio-dmabuf-bench", O_RDWR | O_CLOEXEC);
	if (b->floor_fd < 0 || ioctl(b->floor_fd, UIO_DMABUF_BENCH_IOC_DEVICE, &d))
		return -errno;
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		return -errno;
	b->segs_cap = 65536;
	b->segs = calloc(b->segs_cap, sizeof(*b->segs));
	b->a = calloc((size_t)b->reps, sizeof(uint64_t));
	b->b = calloc((size_t)b->reps, sizeof(uint64_t));
	b->c = calloc((size_t)b->reps, sizeof(uint64_t));
	b->d = calloc((size_t)b->reps, sizeof(uint64_t));
	b->e = calloc((size_t)b->reps, sizeof(uint64_t));
	b->f = calloc((size_t)b->reps, sizeof(uint64_t));
	return b->segs && b->a && b->b && b->c && b->d && b->e && b->f ? 0 : -ENOMEM;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uio", required_argument, NULL, 'u' },
		{ "label", required_argument, NULL, 'l' },
		{ "reps", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ 0 }
	};
	struct bench b = { .label = "guest", .reps = 21 };
	const char *only = NULL;
	int c, uio = 0, ret;
	size_t i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': uio = atoi(optarg); break;
		case 'l': b.label = optarg; break;
		case 'r': b.reps = atoi(optarg); break;
		case 'q': b.quick = true; break;
		case 'o': only = optarg; break;
		default:
			fprintf(stderr, "usage: uio-dmabuf-bench --uio N --label NAME [--reps N] "
				"[--quick] [--only SECTION]\n");
			return 2;
		}
	}
	if (b.reps < 1) {
		fprintf(stderr, "uio-dmabuf-bench: --reps must be at least 1\n");
		return 2;
	}
	ret = bench_open(&b, uio);
	if (ret) {
		error(&b, "opening /dev/uio-dmabuf and /dev/uio-dmabuf-bench", ret);
		return 1;
	}
	printf("# %-9s %-12s %10s %6s %-13s %12s %12s %12s\n", "section", "exporter", "size",
	       "segs", "metric", "median", "min", "max");
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!only || !strcmp(only, sections[i].name))
			sections[i].run(&b);
	printf("bench: %d errors\n", b.errors);
	return b.errors ? 1 : 0;
}
