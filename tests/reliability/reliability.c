// SPDX-License-Identifier: GPL-2.0
/*
 * Reliability cases for uio_dmabuf, run in the test guest on the debug kernel
 * with an edu device bound as /dev/uio0 (module loaded with
 * allow_unsafe_noiommu=1): hostile input, lifetime, fault injection, races and
 * limits. Each case names its expected errno or outcome; the run ends with a
 * table of all cases and "N passed, N failed".
 *
 * With --iommu (a guest behind a virtual IOMMU, module loaded without
 * allow_unsafe_noiommu) it runs the IOMMU cases instead.
 *
 * The cases are declared in groups[], which --list prints; after a group has
 * run, a declared case it did not record fails, and so does a recorded case
 * that is not declared. --only NAME runs the group NAME, or the group that
 * holds the case NAME (a group's cases share their setup).
 *
 * usage: reliability [--seed N] [--cycles N] [--only NAME] [--iommu] [--list]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "cases.h"
#include "edu.h"
#include "uiodmabuf.h"

#define NODE		"/dev/uio-dmabuf0"

static uint64_t seed = 1;
static unsigned long cycles = 100000;
static const char *only;
static char bdf[64];
static bool iommu_mode;

static uint64_t rnd(void)
{
	return xorshift64(&seed);
}

/* ioctl returning -errno. */
static int io(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static int open_node(void)
{
	int fd = open(NODE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "reliability: open %s: %s\n", NODE, strerror(errno));
		exit(2);
	}
	return fd;
}

static int heap_buf(uint64_t size)
{
	int fd = uiodmabuf_heap_alloc("system", size);

	if (fd < 0) {
		fprintf(stderr, "reliability: system heap %" PRIu64 ": %s\n", size, strerror(-fd));
		exit(2);
	}
	return fd;
}

static int import_fd(int node, int buf, struct uio_dmabuf_import *out)
{
	struct uio_dmabuf_import imp = { .fd = buf };
	int ret = io(node, UIO_DMABUF_IOC_IMPORT, &imp);

	if (out)
		*out = imp;
	return ret;
}

/* Attachments of uio_dmabuf's device in dma-buf's own debugfs listing. */
static int bufinfo_attachments(void)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, bdf) && !strstr(line, "exp_name"))
			n++;
	fclose(f);
	return n;
}

#define CHARGED_PAGES "/sys/kernel/debug/uio_dmabuf/charged_pages"

/*
 * Pages the driver charges to users for live imports (its debugfs count),
 * from @fd, which root opened (debugfs is root's only); the file is not
 * seekable, so each count needs a file of its own: @fd is closed.
 */
static long charged_pages_at(int fd)
{
	char val[32];
	ssize_t n = fd >= 0 ? read(fd, val, sizeof(val) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	val[n] = 0;
	return atol(val);
}

static long charged_pages(void)
{
	return charged_pages_at(open(CHARGED_PAGES, O_RDONLY | O_CLOEXEC));
}

/* Whether the debugfs listing @fd (root opened it) shows an import charged to @uid. */
static bool import_charged_to(int fd, unsigned int uid)
{
	char buf[4096], want[16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return false;
	buf[n] = 0;
	snprintf(want, sizeof(want), "\t%u\n", uid);
	return strstr(buf, want) != NULL;
}

/* Drops @cap from this process's effective and permitted sets. */
static void drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		exit(2);
	data[cap / 32].effective &= ~(1U << (cap % 32));
	data[cap / 32].permitted &= ~(1U << (cap % 32));
	if (syscall(SYS_capset, &hdr, data))
		exit(2);
}

static bool run(const char *name)
{
	return !only || !strcmp(only, name);
}

#define EXPECT_ERR(name, expr, err)                                                   \
	do {                                                                          \
		if (run(name)) {                                                      \
			int got_ = (expr);                                            \
			record(name, #err, got_ == -(err), "got %s",                 \
			       got_ ? strerrorname_np(-got_) : "success");            \
		}                                                                     \
	} while (0)

/* Bad input on IMPORT: every field and fd kind. */
static void cases_import_input(int node)
{
	struct uio_dmabuf_import imp;
	int heapdev, memfd, efd, buf, bit, bad = 0;

	EXPECT_ERR("import-fd-minus-1", import_fd(node, -1, NULL), EBADF);
	EXPECT_ERR("import-closed-fd", import_fd(node, 987, NULL), EBADF);
	buf = open("/dev/null", O_RDWR | O_CLOEXEC);
	EXPECT_ERR("import-dev-null", import_fd(node, buf, NULL), EINVAL);
	close(buf);
	memfd = memfd_create("r", MFD_CLOEXEC);
	EXPECT_ERR("import-memfd", import_fd(node, memfd, NULL), EINVAL);
	close(memfd);
	efd = eventfd(0, EFD_CLOEXEC);
	EXPECT_ERR("import-eventfd", import_fd(node, efd, NULL), EINVAL);
	close(efd);
	heapdev = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	EXPECT_ERR("import-dma-heap-fd", import_fd(node, heapdev, NULL), EINVAL);
	close(heapdev);
	/* The argument itself unreadable: no page there, or a kernel address. */
	EXPECT_ERR("import-arg-null", io(node, UIO_DMABUF_IOC_IMPORT, NULL), EFAULT);
	EXPECT_ERR("import-arg-kernel-address",
		   io(node, UIO_DMABUF_IOC_IMPORT, (void *)0xffff888000000000UL), EFAULT);

	buf = heap_buf(65536);
	imp = (struct uio_dmabuf_import){ .fd = buf, .segments = 0x1000 };
	EXPECT_ERR("import-reserved-0", io(node, UIO_DMABUF_IOC_IMPORT, &imp), EINVAL);
	imp = (struct uio_dmabuf_import){ .fd = buf, .max_segments = 1 };
	EXPECT_ERR("import-reserved-1", io(node, UIO_DMABUF_IOC_IMPORT, &imp), EINVAL);
	imp = (struct uio_dmabuf_import){ .fd = buf, .reserved = 1 };
	EXPECT_ERR("import-reserved-2", io(node, UIO_DMABUF_IOC_IMPORT, &imp), EINVAL);
	if (run("import-output-fields-ignored")) {
		int first, again;

		imp = (struct uio_dmabuf_import){ .fd = buf, .handle = 99, .size = 1,
						  .nr_segments = 7, .map_flags = ~0U };
		first = io(node, UIO_DMABUF_IOC_IMPORT, &imp);
		/* The same structure once more: only EBUSY, the buffer is imported. */
		again = io(node, UIO_DMABUF_IOC_IMPORT, &imp);
		record("import-output-fields-ignored", "success, and EBUSY for the same struct again",
		       !first && imp.size == 65536 && imp.handle && again == -EBUSY,
		       "got %s then %s", first ? strerrorname_np(-first) : "success",
		       again ? strerrorname_np(-again) : "success");
		if (!first)
			uiodmabuf_release(node, imp.handle);
	}
	if (run("import-segments-array")) {
		struct uio_dmabuf_segment arr[2], *all = NULL;
		uint32_t n = 0;
		int first, ok = 0;

		/* One segment asked for: GET_SEGMENTS' first, the next entry untouched. */
		memset(arr, 0xa5, sizeof(arr));
		imp = (struct uio_dmabuf_import){ .fd = buf, .segments = (uintptr_t)arr,
						  .max_segments = 1 };
		first = io(node, UIO_DMABUF_IOC_IMPORT, &imp);
		if (!first && !uiodmabuf_get_segments(node, imp.handle, &all, &n))
			ok = n == imp.nr_segments && n && !memcmp(&arr[0], &all[0], sizeof(arr[0])) &&
			     arr[1].length == 0xa5a5a5a5a5a5a5a5ULL;
		if (!first)
			uiodmabuf_release(node, imp.handle);
		free(all);
		record("import-segments-array",
		       "the first max_segments segments, as GET_SEGMENTS has them, the rest untouched",
		       ok, "got %s, %u segments", first ? strerrorname_np(-first) : "success", n);
	}
	if (run("import-segments-efault")) {
		struct uio_dmabuf_import again = { .fd = buf };
		int first, second;

		imp = (struct uio_dmabuf_import){ .fd = buf, .segments = 8, .max_segments = 4 };
		first = io(node, UIO_DMABUF_IOC_IMPORT, &imp);
		second = io(node, UIO_DMABUF_IOC_IMPORT, &again);
		record("import-segments-efault", "EFAULT, and nothing left: the buffer imports again",
		       first == -EFAULT && !second, "got %s then %s",
		       first ? strerrorname_np(-first) : "success",
		       second ? strerrorname_np(-second) : "success");
		if (!second)
			uiodmabuf_release(node, again.handle);
	}
	if (run("import-arg-read-only")) {
		/* Read, imported, then its output fields cannot be written. */
		int page = (int)sysconf(_SC_PAGESIZE), first = -ENOMEM, second;
		struct uio_dmabuf_import *ro, again = { .fd = buf };

		ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ro != MAP_FAILED) {
			*ro = (struct uio_dmabuf_import){ .fd = buf };
			first = mprotect(ro, page, PROT_READ) ? -errno :
				io(node, UIO_DMABUF_IOC_IMPORT, ro);
			munmap(ro, page);
		}
		second = io(node, UIO_DMABUF_IOC_IMPORT, &again);
		record("import-arg-read-only",
		       "EFAULT, and nothing left: the buffer imports again",
		       first == -EFAULT && !second, "got %s then %s",
		       first ? strerrorname_np(-first) : "success",
		       second ? strerrorname_np(-second) : "success");
		if (!second)
			uiodmabuf_release(node, again.handle);
	}
	if (run("import-arg-inputs-read-only")) {
		/* fd, direction and flags end a read-only page: only outputs are written. */
		int page = (int)sysconf(_SC_PAGESIZE), ret = -ENOMEM;
		size_t in = offsetof(struct uio_dmabuf_import, handle);
		struct uio_dmabuf_import *arg = NULL;
		char *two;

		two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
		if (two != MAP_FAILED) {
			arg = (struct uio_dmabuf_import *)(two + page - in);
			*arg = (struct uio_dmabuf_import){ .fd = buf };
			ret = mprotect(two, page, PROT_READ) ? -errno :
			      io(node, UIO_DMABUF_IOC_IMPORT, arg);
		}
		record("import-arg-inputs-read-only",
		       "success: IMPORT writes only its output fields",
		       !ret && arg->handle && arg->size == 65536 && arg->nr_segments,
		       "got %s", ret ? strerrorname_np(-ret) : "success");
		if (!ret)
			uiodmabuf_release(node, arg->handle);
		if (two != MAP_FAILED)
			munmap(two, 2 * page);
	}
	imp = (struct uio_dmabuf_import){ .fd = buf, .direction = 3 };
	EXPECT_ERR("import-direction-3", io(node, UIO_DMABUF_IOC_IMPORT, &imp), EINVAL);
	/* The fields are judged before the fd is looked up. */
	imp = (struct uio_dmabuf_import){ .fd = -1, .direction = 3 };
	EXPECT_ERR("import-bad-fields-before-bad-fd", io(node, UIO_DMABUF_IOC_IMPORT, &imp), EINVAL);
	if (run("import-undefined-flag-bits")) {
		int tried = 0;

		for (bit = 0; bit < 32; bit++) {
			if ((1U << bit) & UIO_DMABUF_IMPORT_VALID_FLAGS)
				continue;
			imp = (struct uio_dmabuf_import){ .fd = buf, .flags = 1U << bit };
			bad += io(node, UIO_DMABUF_IOC_IMPORT, &imp) != -EINVAL;
			tried++;
		}
		record("import-undefined-flag-bits", "EINVAL for each undefined bit", !bad && tried == 30,
		       "%d of %d bits not EINVAL", bad, tried);
	}
	if (run("import-failures-leave-nothing"))
		record("import-failures-leave-nothing", "0 live imports", live_imports(bdf) == 0,
		       "%d live", live_imports(bdf));
	close(buf);
}

/* Bad input on GET_SEGMENTS, RELEASE, SYNC and unknown ioctls. */
/* Bad input on GET_SEGMENTS, for the import @imp of @node (several segments). */
static void cases_segments_input(int node, const struct uio_dmabuf_import *imp)
{
	struct uio_dmabuf_segment *ro, segs[64];
	struct uio_dmabuf_get_segments gs;
	uint32_t total = imp->nr_segments;
	int page = (int)sysconf(_SC_PAGESIZE);
	char *two;

	gs = (struct uio_dmabuf_get_segments){ .handle = imp->handle, .count = 4 };
	EXPECT_ERR("segments-null-array", io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs), EFAULT);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gs = (struct uio_dmabuf_get_segments){ .handle = imp->handle, .count = 4,
					       .segments = (uintptr_t)ro };
	EXPECT_ERR("segments-read-only-array", io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs), EFAULT);
	munmap(ro, page);
	gs.segments = (uintptr_t)ro;	/* now unmapped */
	EXPECT_ERR("segments-unmapped-array", io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs), EFAULT);
	/*
	 * One page mapped, the next not: the array starts half an entry before
	 * the end, so even one segment runs past it (a 1 MiB udmabuf may well
	 * be one contiguous segment).
	 */
	two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(two + page, page);
	gs = (struct uio_dmabuf_get_segments){
		.handle = imp->handle, .count = total,
		.segments = (uintptr_t)(two + page - sizeof(segs[0]) / 2),
	};
	EXPECT_ERR("segments-too-short-array", io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs), EFAULT);
	munmap(two, page);
	if (run("segments-usable-after-efault")) {
		gs = (struct uio_dmabuf_get_segments){ .handle = imp->handle, .count = 64,
						       .segments = (uintptr_t)segs };
		record("segments-usable-after-efault", "success",
		       !io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs) && gs.nr_segments == total,
		       "%u of %u", gs.count, total);
	}
	gs = (struct uio_dmabuf_get_segments){ .handle = imp->handle, .reserved = 1 };
	EXPECT_ERR("segments-reserved", io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs), EINVAL);
	if (run("segments-output-ignored")) {
		gs = (struct uio_dmabuf_get_segments){ .handle = imp->handle, .nr_segments = 99 };
		record("segments-output-ignored", "success, the true total",
		       !io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs) && gs.nr_segments == total,
		       "nr_segments %u of %u", gs.nr_segments, total);
	}
	gs = (struct uio_dmabuf_get_segments){ .handle = imp->handle, .first = total + 1 };
	EXPECT_ERR("segments-first-past-end", io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs), EINVAL);
}

/* Bad input on RELEASE and SYNC, ending with the release of @imp. */
static void cases_release_sync_input(int node, const struct uio_dmabuf_import *imp)
{
	struct uio_dmabuf_release rel;
	struct uio_dmabuf_sync sync;
	int other;

	other = open_node();
	rel = (struct uio_dmabuf_release){ .handle = imp->handle };
	EXPECT_ERR("release-handle-of-other-file", io(other, UIO_DMABUF_IOC_RELEASE, &rel), ENOENT);
	close(other);
	rel = (struct uio_dmabuf_release){ .handle = imp->handle, .reserved = 1 };
	EXPECT_ERR("release-reserved", io(node, UIO_DMABUF_IOC_RELEASE, &rel), EINVAL);
	EXPECT_ERR("release-arg-null", io(node, UIO_DMABUF_IOC_RELEASE, NULL), EFAULT);
	EXPECT_ERR("release-arg-kernel-address",
		   io(node, UIO_DMABUF_IOC_RELEASE, (void *)0xffff888000000000UL), EFAULT);
	sync = (struct uio_dmabuf_sync){ .handle = imp->handle, .flags = 0 };
	EXPECT_ERR("sync-no-flag", io(node, UIO_DMABUF_IOC_SYNC, &sync), EINVAL);
	sync.flags = UIO_DMABUF_SYNC_FOR_CPU | UIO_DMABUF_SYNC_FOR_DEVICE;
	EXPECT_ERR("sync-both-flags", io(node, UIO_DMABUF_IOC_SYNC, &sync), EINVAL);
	sync.flags = 4;
	EXPECT_ERR("sync-undefined-flag", io(node, UIO_DMABUF_IOC_SYNC, &sync), EINVAL);
	sync = (struct uio_dmabuf_sync){ .handle = imp->handle, .flags = UIO_DMABUF_SYNC_FOR_CPU };
	EXPECT_ERR("sync-for-cpu", io(node, UIO_DMABUF_IOC_SYNC, &sync), 0);
	sync.flags = UIO_DMABUF_SYNC_FOR_DEVICE;
	EXPECT_ERR("sync-for-device", io(node, UIO_DMABUF_IOC_SYNC, &sync), 0);
	sync.offset = 100;
	sync.length = 200;
	EXPECT_ERR("sync-range", io(node, UIO_DMABUF_IOC_SYNC, &sync), 0);
	sync.offset = imp->size - 1;
	sync.length = 2;
	EXPECT_ERR("sync-range-past-end", io(node, UIO_DMABUF_IOC_SYNC, &sync), EINVAL);
	sync.offset = 8;
	sync.length = 0;
	EXPECT_ERR("sync-range-empty", io(node, UIO_DMABUF_IOC_SYNC, &sync), EINVAL);
	sync = (struct uio_dmabuf_sync){ .handle = imp->handle, .flags = UIO_DMABUF_SYNC_FOR_CPU,
					 .reserved = { 0, 1 } };
	EXPECT_ERR("sync-reserved", io(node, UIO_DMABUF_IOC_SYNC, &sync), EINVAL);
	rel = (struct uio_dmabuf_release){ .handle = imp->handle };
	EXPECT_ERR("release", io(node, UIO_DMABUF_IOC_RELEASE, &rel), 0);
	EXPECT_ERR("release-twice", io(node, UIO_DMABUF_IOC_RELEASE, &rel), ENOENT);
	EXPECT_ERR("release-handle-0", io(node, UIO_DMABUF_IOC_RELEASE,
					  &(struct uio_dmabuf_release){ 0 }), ENOENT);
	sync = (struct uio_dmabuf_sync){ .handle = imp->handle, .flags = UIO_DMABUF_SYNC_FOR_CPU };
	EXPECT_ERR("sync-released-handle", io(node, UIO_DMABUF_IOC_SYNC, &sync), ENOENT);
}

/* Ioctls the node does not have. */
static void cases_unknown_ioctls(int node)
{
	uint64_t arg[2] = { 0 };

	EXPECT_ERR("ioctl-unknown-nr", io(node, _IOWR(UIO_DMABUF_IOC_MAGIC, 9, uint64_t), arg),
		   ENOTTY);
	EXPECT_ERR("ioctl-known-nr-wrong-size", io(node, _IOR(UIO_DMABUF_IOC_MAGIC, 0, uint64_t),
						   arg), ENOTTY);
	EXPECT_ERR("ioctl-other-type", io(node, _IO('U', 1), NULL), ENOTTY);
}

/* Bad input on GET_SEGMENTS, RELEASE, SYNC and unknown ioctls. */
static void cases_other_input(int node)
{
	struct uio_dmabuf_import imp;
	int buf;

	/* udmabuf: page-sized pieces, so several segments to copy. */
	buf = uiodmabuf_udmabuf_alloc(1 << 20);
	if (buf < 0 || import_fd(node, buf, &imp)) {
		/* Every case below is then reported as not run. */
		printf("# segments: the udmabuf import they need failed\n");
		return;
	}
	cases_segments_input(node, &imp);
	cases_release_sync_input(node, &imp);
	cases_unknown_ioctls(node);
	close(buf);
}

/* Random ioctl numbers and argument bytes: nothing may break. */
static void case_fuzz(int node)
{
	static const unsigned int nrs[] = { 0, 1, 2, 3, 4, 5, 255 };
	static const unsigned int sizes[] = { 0, 8, 16, 24, 32, 64 };
	unsigned long i, n = 20000, successes = 0;
	uint64_t first_seed = seed;
	uint8_t arg[64];
	int buf = heap_buf(65536), fd, bad = 0;

	if (!run("fuzz-ioctls"))
		return;
	for (i = 0; i < n; i++) {
		unsigned int dir = (unsigned int)(rnd() % 4);
		unsigned long req = _IOC(dir, UIO_DMABUF_IOC_MAGIC, nrs[rnd() % 7],
					 sizes[rnd() % 6]);
		size_t j;

		for (j = 0; j < sizeof(arg); j += 8)
			*(uint64_t *)(arg + j) = rnd();
		/* Sometimes a plausible fd, handle or pointer in the first fields. */
		if (rnd() % 2)
			*(int32_t *)arg = buf;
		if (rnd() % 4 == 0)
			*(uint64_t *)(arg + 16) = (uintptr_t)arg;
		if (!io(node, req, arg))
			successes++;
	}
	/* Imports the fuzzer made are released with the file. */
	close(node);
	fd = open_node();
	bad = live_imports(bdf) != 0;
	record("fuzz-ioctls", "no crash, nothing left", !bad,
	       "seed %" PRIu64 ", %lu calls, %lu succeeded, %d live after close", first_seed, n,
	       successes, live_imports(bdf));
	close(fd);
	close(buf);
}

/* Lifetime: each case opens the node it needs. */
static void case_buffer_fd_closed_after_import(void)
{
	struct uio_dmabuf_segment *segs = NULL;
	struct uio_dmabuf_import imp;
	int node = open_node(), buf = heap_buf(1 << 20);
	uint32_t n = 0;

	import_fd(node, buf, &imp);
	close(buf);
	record("buffer-fd-closed-after-import", "import stays valid",
	       !uiodmabuf_get_segments(node, imp.handle, &segs, &n) && n &&
	       !uiodmabuf_release(node, imp.handle), "%u segments", n);
	free(segs);
	close(node);
}

static void case_close_with_many_imports(void)
{
	int node = open_node(), buf, i, attached, live;

	for (i = 0; i < 64; i++) {
		buf = heap_buf(65536);
		import_fd(node, buf, NULL);
		close(buf);
	}
	attached = bufinfo_attachments();
	live = live_imports(bdf);
	close(node);
	/* The listings must see the 64 first, or their zeros would prove nothing. */
	record("close-with-many-imports", "all released", live == 64 && attached >= 64 &&
	       live_imports(bdf) == 0 && bufinfo_attachments() == 0,
	       "%d live and %d attached before close, %d and %d after", live, attached,
	       live_imports(bdf), bufinfo_attachments());
}

static void case_sigkill_during_imports(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (!pid) {
		int fd = open_node();

		for (;;) {
			struct uio_dmabuf_import im;
			int b = heap_buf(65536);

			import_fd(fd, b, &im);
			close(b);
		}
	}
	usleep(300000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	record("sigkill-during-imports", "all released", WIFSIGNALED(status) &&
	       live_imports(bdf) == 0 && bufinfo_attachments() == 0, "%d live, %d attached",
	       live_imports(bdf), bufinfo_attachments());
}

static void case_fork_then_parent_closes(void)
{
	struct uio_dmabuf_segment *segs;
	struct uio_dmabuf_import imp;
	int fd = open_node(), pipefd[2], buf, status;
	uint32_t n;
	pid_t pid;
	char c;

	buf = heap_buf(65536);
	import_fd(fd, buf, &imp);
	if (pipe(pipefd))
		exit(2);
	pid = fork();
	if (!pid) {
		/* The child's copy of the file keeps the import. */
		if (read(pipefd[0], &c, 1) != 1)
			_exit(3);
		_exit(uiodmabuf_get_segments(fd, imp.handle, &segs, &n) ? 1 : 0);
	}
	close(fd);
	if (write(pipefd[1], "x", 1) != 1)
		exit(2);
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	close(buf);
	record("fork-then-parent-closes", "child's file still works, then all released",
	       WIFEXITED(status) && !WEXITSTATUS(status) && live_imports(bdf) == 0,
	       "child status %d, %d live", WEXITSTATUS(status), live_imports(bdf));
}

static void case_exporter_side_gone(void)
{
	int node = open_node();
	int u = uiodmabuf_udmabuf_alloc(1 << 20);	/* memfd closed inside */
	int d = uiodmabuf_drm_alloc(NULL, 1 << 20);	/* GEM handle closed inside */
	struct uio_dmabuf_import iu, id;
	struct uio_dmabuf_segment *segs;
	uint32_t n;
	bool ok = u >= 0 && d >= 0 && !import_fd(node, u, &iu) && !import_fd(node, d, &id);

	close(u);
	close(d);
	ok = ok && !uiodmabuf_get_segments(node, iu.handle, &segs, &n);
	free(segs);
	ok = ok && !uiodmabuf_get_segments(node, id.handle, &segs, &n);
	free(segs);
	ok = ok && !uiodmabuf_release(node, iu.handle) && !uiodmabuf_release(node, id.handle);
	record("exporter-side-gone", "imports stay valid, release works", ok, "%s",
	       ok ? "udmabuf and vgem" : "a step failed");
	close(node);
}

static void case_rmmod_with_open_file(void)
{
	int node = open_node();
	long r = syscall(SYS_delete_module, "uio_dmabuf", O_NONBLOCK);
	int err = errno;

	record("rmmod-with-open-file", "EWOULDBLOCK", r < 0 && err == EWOULDBLOCK, "got %s",
	       r < 0 ? strerrorname_np(err) : "unloaded");
	close(node);
}

struct race {
	int node;
	int buf;
	int id;
	volatile int *stop;
	unsigned long ops;
};

static void *race_worker(void *p)
{
	struct race *r = p;
	uint64_t s = 0x9e3779b97f4a7c15ULL * (uint64_t)(r->id + 1);

	while (!*r->stop) {
		struct uio_dmabuf_segment *segs;
		struct uio_dmabuf_import imp;
		uint32_t n;

		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		if (import_fd(r->node, r->buf, &imp))
			continue;
		if (!uiodmabuf_get_segments(r->node, imp.handle, &segs, &n))
			free(segs);
		uiodmabuf_sync(r->node, imp.handle, s & 1 ? UIO_DMABUF_SYNC_FOR_CPU :
			       UIO_DMABUF_SYNC_FOR_DEVICE);
		uiodmabuf_release(r->node, imp.handle);
		r->ops++;
	}
	return NULL;
}

static void cases_races(void)
{
	struct race r[8];
	pthread_t t[8];
	volatile int stop = 0;
	unsigned long ops = 0;
	int node = open_node(), i, wins = 0, busy = 0, rounds = 50;

	if (run("race-8-threads-one-file")) {
		for (i = 0; i < 8; i++) {
			r[i] = (struct race){ .node = node, .buf = heap_buf(65536), .id = i,
					      .stop = &stop };
			pthread_create(&t[i], NULL, race_worker, &r[i]);
		}
		sleep(3);
		stop = 1;
		for (i = 0; i < 8; i++) {
			pthread_join(t[i], NULL);
			ops += r[i].ops;
			close(r[i].buf);
		}
		record("race-8-threads-one-file", "no report, nothing left",
		       live_imports(bdf) == 0 && ops > 0, "%lu import/get/sync/release rounds", ops);
	}
	if (run("race-two-files-same-buffer")) {
		for (i = 0; i < rounds; i++) {
			int a = open_node(), b = open_node(), buf = heap_buf(65536), ra, rb;
			pid_t pid = fork();

			if (!pid)
				_exit(-import_fd(b, buf, NULL));
			ra = import_fd(a, buf, NULL);
			waitpid(pid, &rb, 0);
			rb = -WEXITSTATUS(rb);
			wins += (!ra) + (!rb);
			busy += (ra == -EBUSY) + (rb == -EBUSY);
			close(a);
			close(b);
			close(buf);
		}
		record("race-two-files-same-buffer", "one wins, the other EBUSY",
		       wins == rounds && busy == rounds, "%d wins, %d EBUSY in %d rounds", wins,
		       busy, rounds);
	}
	close(node);
}

/* Arms the N-th fault-injection point of this thread (0 disarms); returns the rest. */
static int fail_nth(int n)
{
	char path[64], v[16] = "";
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	if (n >= 0) {
		snprintf(v, sizeof(v), "%d", n);
		write_str(path, v);
		return n;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, v, sizeof(v) - 1) < 0)
		v[0] = 0;
	if (fd >= 0)
		close(fd);
	return atoi(v);
}

enum fault_op { FAULT_IMPORT, FAULT_GET_SEGMENTS, FAULT_INFO, FAULT_SYNC, FAULT_RELEASE };

/*
 * Sweeps fail-nth over one ioctl: the 1st, 2nd, ... fault-injection point it
 * reaches (kmalloc, page allocation, user copy) fails, until a call reaches no
 * armed point. Every injected failure must return an errno and leave nothing:
 * no import, no attachment, no locked_vm charge.
 */
static void case_fault_sweep(const char *name, enum fault_op op)
{
	int node = open_node(), buf = heap_buf(1 << 20), n, ret, left, injected = 0, dirty = 0;
	struct uio_dmabuf_segment segs[16];
	struct uio_dmabuf_import imp = { 0 };
	struct uio_dmabuf_info info;
	char first_dirty[96] = "";

	if (!run(name))
		goto out;
	for (n = 1; n < 400; n++) {
		struct uio_dmabuf_get_segments gs;
		struct uio_dmabuf_sync sync;
		struct uio_dmabuf_release rel;
		bool had = op != FAULT_IMPORT && op != FAULT_INFO;

		if (had && import_fd(node, buf, &imp))
			break;
		gs = (struct uio_dmabuf_get_segments){ .handle = imp.handle, .count = 16,
						       .segments = (uintptr_t)segs };
		sync = (struct uio_dmabuf_sync){ .handle = imp.handle,
						 .flags = UIO_DMABUF_SYNC_FOR_CPU };
		rel = (struct uio_dmabuf_release){ .handle = imp.handle };
		fail_nth(n);
		switch (op) {
		case FAULT_IMPORT: ret = import_fd(node, buf, &imp); break;
		case FAULT_GET_SEGMENTS: ret = io(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs); break;
		case FAULT_INFO: ret = io(node, UIO_DMABUF_IOC_INFO, &info); break;
		case FAULT_SYNC: ret = io(node, UIO_DMABUF_IOC_SYNC, &sync); break;
		default: ret = io(node, UIO_DMABUF_IOC_RELEASE, &rel); break;
		}
		left = fail_nth(-1);
		fail_nth(0);
		if (ret) {
			injected++;
			if (ret == -ENOENT && op == FAULT_RELEASE)
				dirty++;
		}
		/* After a failed import nothing may remain; after a release, nothing. */
		if ((op == FAULT_IMPORT && ret) || op == FAULT_RELEASE) {
			if (op == FAULT_RELEASE && ret)
				uiodmabuf_release(node, imp.handle);
			if (live_imports(bdf) || bufinfo_attachments() || charged_pages()) {
				if (!dirty++)
					snprintf(first_dirty, sizeof(first_dirty),
						 "at n=%d (%s): %d live, %d attached, %ld pages charged",
						 n, ret ? strerrorname_np(-ret) : "success",
						 live_imports(bdf), bufinfo_attachments(),
						 charged_pages());
			}
		} else if (!ret && op == FAULT_IMPORT) {
			uiodmabuf_release(node, imp.handle);
		}
		if (had && op != FAULT_RELEASE)
			uiodmabuf_release(node, imp.handle);
		if (left > 0)
			break;	/* the call reached fewer than n points: swept */
	}
	record(name, "each injected failure an errno, nothing left", !dirty && n < 400,
	       "%d points, %d failed calls%s%s", n - 1, injected, dirty ? "; " : "", first_dirty);
out:
	close(buf);
	close(node);
}

static void case_load(void)
{
	const char *free_entries = "/sys/kernel/debug/dma-api/num_free_entries";
	long slab0, slab1, avail0, avail1, dma0, dma1;
	struct uio_dmabuf_import imp;
	int node = open_node(), buf = heap_buf(65536);
	unsigned long i, failures = 0;

	if (!run("import-release-cycles"))
		goto out;
	/*
	 * The first half is the warm-up: first-use allocations, and KASAN's
	 * quarantine, which keeps freed objects (counted as Slab) until it holds
	 * 1/32 of RAM. The baseline is taken after it; the second half must not
	 * grow Slab or shrink MemAvailable (with the per-CPU page lists, which
	 * move by megabytes from one reading to the next) past the tolerances,
	 * nor keep DMA-API debug entries. kmemleak judges the same run's objects
	 * afterwards.
	 */
	for (i = 0; i < cycles / 2; i++)
		if (import_fd(node, buf, &imp) || uiodmabuf_release(node, imp.handle))
			failures++;
	avail0 = available_kb();
	slab0 = meminfo_kb("Slab");
	dma0 = read_long(free_entries);
	for (; i < cycles; i++)
		if (import_fd(node, buf, &imp) || uiodmabuf_release(node, imp.handle))
			failures++;
	avail1 = available_kb();
	slab1 = meminfo_kb("Slab");
	dma1 = read_long(free_entries);
	record("import-release-cycles", "2nd half: slab +<2 MiB, available -<8 MiB",
	       !failures && avail0 >= 0 && avail1 >= 0 && slab1 - slab0 < 2048 &&
	       avail0 - avail1 < 8192 && dma1 == dma0,
	       "%lu cycles, %lu failed; 2nd half: slab %+ld kB, available %+ld kB, dma-api "
	       "free entries %+ld", cycles, failures, slab1 - slab0, avail1 - avail0, dma1 - dma0);
out:
	close(buf);
	close(node);
}

/* What case_memlock()'s child saw: import results and the charged pages. */
enum { ML_BIG, ML_SMALL, ML_CHARGED, ML_CLOSED, ML_CHILD, ML_AFTER_CHILD, ML_UID,
       ML_HELD, ML_FREED, ML_NR };

/*
 * In a child that opened two files of the node as root, then became uid 1000
 * (no capabilities) with a 1 MiB RLIMIT_MEMLOCK: an import past the limit is
 * ENOMEM, and the charge returns at close. Then a grandchild imports 768 KiB
 * on the shared file and exits: its pins stay, and so does the user's charge,
 * so a 512 KiB import is ENOMEM until the file is closed (a charge to the
 * grandchild's mm went with it, and let a parent pin without bound).
 */
static void case_memlock(void)
{
	long res[ML_NR] = { 0 };
	int pipefd[2], status;
	pid_t pid;

	if (!run("rlimit-memlock") && !run("memlock-outlives-importer"))
		return;
	if (pipe(pipefd))
		exit(2);
	pid = fork();
	if (!pid) {
		struct rlimit rl = { 1 << 20, 1 << 20 };
		int node = open_node(), node2 = open_node(), big, small, mid, charged[4], listing, i;
		char bdf[32] = "", path[128];
		pid_t child;

		/* Root's files, one per count: uid 1000 cannot open debugfs. */
		uio_bdf(0, bdf, sizeof(bdf));
		snprintf(path, sizeof(path), "/sys/kernel/debug/uio_dmabuf/%s/imports", bdf);
		for (i = 0; i < 4; i++)
			charged[i] = open(CHARGED_PAGES, O_RDONLY | O_CLOEXEC);
		listing = open(path, O_RDONLY | O_CLOEXEC);
		big = heap_buf(2 << 20);
		small = heap_buf(512 << 10);
		mid = heap_buf(768 << 10);
		if (syscall(SYS_setgroups, 0, NULL) || setgid(1000) || setuid(1000) ||
		    setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(1);
		res[ML_BIG] = import_fd(node, big, NULL);
		res[ML_SMALL] = import_fd(node, small, NULL);
		res[ML_CHARGED] = charged_pages_at(charged[0]);
		close(node);
		res[ML_CLOSED] = charged_pages_at(charged[1]);

		child = fork();
		if (!child)
			_exit(import_fd(node2, mid, NULL) ? 1 : 0);
		if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status))
			_exit(1);
		res[ML_CHILD] = WEXITSTATUS(status) ? -EIO : 0;
		res[ML_AFTER_CHILD] = charged_pages_at(charged[2]);
		res[ML_UID] = import_charged_to(listing, 1000);
		res[ML_HELD] = import_fd(node2, small, NULL);
		close(node2);
		res[ML_FREED] = charged_pages_at(charged[3]);
		if (write(pipefd[1], res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (read(pipefd[0], res, sizeof(res)) != sizeof(res))
		res[ML_BIG] = 1;
	close(pipefd[0]);
	close(pipefd[1]);
	record("rlimit-memlock", "ENOMEM past the limit, charge back to 0 after close",
	       res[ML_BIG] == -ENOMEM && res[ML_SMALL] == 0 && res[ML_CHARGED] == 128 &&
	       res[ML_CLOSED] == 0,
	       "2 MiB: %s, 512 KiB: %s, %ld pages charged, after close %ld",
	       err_name(res[ML_BIG]), err_name(res[ML_SMALL]), res[ML_CHARGED], res[ML_CLOSED]);
	record("memlock-outlives-importer",
	       "a child's import outlives it and stays charged to the user until released",
	       res[ML_CHILD] == 0 && res[ML_AFTER_CHILD] == 192 && res[ML_UID] &&
	       res[ML_HELD] == -ENOMEM && res[ML_FREED] == 0,
	       "child's 768 KiB: %s, %ld pages charged after it exited (%s uid 1000's), then "
	       "512 KiB: %s, after close %ld", err_name(res[ML_CHILD]), res[ML_AFTER_CHILD],
	       res[ML_UID] ? "listed as" : "not listed as",
	       err_name(res[ML_HELD]), res[ML_FREED]);
}

static int set_param(const char *value)
{
	return write_str("/sys/module/uio_dmabuf/parameters/allow_unsafe_noiommu", value);
}

static void cases_security(void)
{
	int fd, status;
	pid_t pid;

	if (run("open-without-allow-unsafe")) {
		char hint[128];

		/* This process's refusal, which names the parameter that allows it. */
		snprintf(hint, sizeof(hint), "open by reliability:%d refused; unsafe use needs "
			 "uio_dmabuf.allow_unsafe_noiommu=1", getpid());
		set_param("N");
		fd = open(NODE, O_RDWR | O_CLOEXEC);
		record("open-without-allow-unsafe", "EPERM, and the log says how to allow it",
		       fd < 0 && errno == EPERM && kmsg_count(hint) == 1,
		       "got %s, %d log lines", fd < 0 ? strerrorname_np(errno) : "success",
		       kmsg_count(hint));
		if (fd >= 0)
			close(fd);
		set_param("Y");
	}
	if (run("open-without-cap-sys-rawio")) {
		pid = fork();
		if (!pid) {
			drop_cap(CAP_SYS_RAWIO);
			fd = open(NODE, O_RDWR | O_CLOEXEC);
			_exit(fd < 0 && errno == EPERM ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		record("open-without-cap-sys-rawio", "EPERM", WIFEXITED(status) && !WEXITSTATUS(status),
		       "child status %d", WEXITSTATUS(status));
	}
	if (run("taint-once")) {
		long t = read_long("/proc/sys/kernel/tainted");
		char who[64];

		snprintf(who, sizeof(who), "unsafe DMA opened by reliability:%d", getpid());
		record("taint-once", "TAINT_USER (64) set once, opens logged with comm:pid",
		       t >= 0 && (t & 64) && kmsg_count("kernel tainted") == 1 &&
		       kmsg_count(who) >= 1, "tainted %ld, %d lines naming this process", t,
		       kmsg_count(who));
	}
}

struct churn {
	volatile int *stop;
	unsigned long opened, enodev;
};

static void *churn_worker(void *p)
{
	struct churn *c = p;

	while (!*c->stop) {
		struct uio_dmabuf_info info;
		struct uio_dmabuf_import imp;
		int fd = open(NODE, O_RDWR | O_CLOEXEC), buf;

		if (fd < 0)
			continue;
		c->opened++;
		buf = uiodmabuf_heap_alloc("system", 65536);
		if (io(fd, UIO_DMABUF_IOC_INFO, &info) == -ENODEV)
			c->enodev++;
		if (buf >= 0 && !import_fd(fd, buf, &imp))
			uiodmabuf_release(fd, imp.handle);
		if (buf >= 0)
			close(buf);
		close(fd);
	}
	return NULL;
}

/* Unbind and bind the device 20 times while 4 threads open, import and close. */
static void case_unbind_race(void)
{
	char unbind[128], probe[] = "/sys/bus/pci/drivers_probe";
	struct churn c[4];
	pthread_t t[4];
	volatile int stop = 0;
	unsigned long opened = 0, enodev = 0;
	int i, fd, ok;

	if (!run("unbind-bind-race"))
		return;
	snprintf(unbind, sizeof(unbind), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
	for (i = 0; i < 4; i++) {
		c[i] = (struct churn){ .stop = &stop };
		pthread_create(&t[i], NULL, churn_worker, &c[i]);
	}
	for (i = 0; i < 20; i++) {
		usleep(100000);
		write_str(unbind, bdf);
		usleep(50000);
		write_str(probe, bdf);
	}
	usleep(100000);
	stop = 1;
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		opened += c[i].opened;
		enodev += c[i].enodev;
	}
	fd = open(NODE, O_RDWR | O_CLOEXEC);
	ok = fd >= 0 && !io(fd, UIO_DMABUF_IOC_INFO, &(struct uio_dmabuf_info){ 0 }) &&
	     live_imports(bdf) == 0;
	record("unbind-bind-race", "bound again, usable, nothing left", ok,
	       "20 unbind/bind cycles, %lu opens, %lu ENODEV", opened, enodev);
	if (fd >= 0)
		close(fd);
}

/*
 * Close the import node while edu's DMA into the buffer is still pending: bus
 * mastering goes off before the unmap, so the write never lands.
 */
static void case_close_during_dma(void)
{
	struct uio_dmabuf_segment *segs;
	struct uio_dmabuf_import imp;
	struct edu edu;
	uint32_t n;
	uint8_t *map;
	int node, buf, i, touched = 0, ret;

	if (!run("close-during-dma"))
		return;
	if (edu_open(&edu, 0)) {
		record("close-during-dma", "no write lands", false, "edu_open failed");
		return;
	}
	node = open_node();
	buf = heap_buf(65536);
	map = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	memset(map, 0x5a, 65536);
	import_fd(node, buf, &imp);
	uiodmabuf_get_segments(node, imp.handle, &segs, &n);
	ret = edu_start_from_device(&edu, 0, segs[0].dma_addr, 2048);
	close(node);	/* the DMA lands 100 ms of virtual time later */
	usleep(300000);
	for (i = 0; i < 65536; i++)
		touched += map[i] != 0x5a;
	record("close-during-dma", "no write lands, no report", !ret && !touched,
	       "%d bytes changed", touched);
	edu_wait(&edu);	/* the interrupt still comes: acknowledge it */
	free(segs);
	munmap(map, 65536);
	close(buf);
	edu_close(&edu);
}

/* Behind the IOMMU: no capability, no taint; a released IOVA no longer reaches memory. */
static void cases_iommu(void)
{
	struct uio_dmabuf_segment *segs;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_info info;
	int status, node, buf, i, touched = 0, faults;
	struct edu edu;
	uint8_t *map;
	uint32_t n;
	pid_t pid;

	pid = fork();
	if (!pid) {
		int fd;

		drop_cap(CAP_SYS_RAWIO);
		fd = open(NODE, O_RDWR | O_CLOEXEC);
		_exit(fd >= 0 && !io(fd, UIO_DMABUF_IOC_INFO, &info) &&
		      (info.flags & UIO_DMABUF_INFO_ISOLATED) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	record("iommu-open-without-cap", "opens, INFO says isolated",
	       WIFEXITED(status) && !WEXITSTATUS(status), "child status %d", WEXITSTATUS(status));
	record("iommu-no-taint", "TAINT_USER clear", !(read_long("/proc/sys/kernel/tainted") & 64),
	       "tainted %ld", read_long("/proc/sys/kernel/tainted"));

	if (edu_open(&edu, 0)) {
		record("iommu-dma-after-release", "faults", false, "edu_open failed");
		return;
	}
	node = open_node();
	buf = heap_buf(65536);
	map = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	memset(map, 0x5a, 65536);
	import_fd(node, buf, &imp);
	uiodmabuf_get_segments(node, imp.handle, &segs, &n);
	uiodmabuf_release(node, imp.handle);
	faults = kmsg_count("DMAR: [DMA Write");
	/* The node stays open: bus mastering is on, only the IOMMU stands in the way. */
	edu_from_device(&edu, 0, segs[0].dma_addr, 2048);
	usleep(100000);
	for (i = 0; i < 65536; i++)
		touched += map[i] != 0x5a;
	faults = kmsg_count("DMAR: [DMA Write") - faults;
	record("iommu-dma-after-release", "IOMMU fault logged, bytes untouched",
	       faults > 0 && !touched, "IOVA %#" PRIx64 ", %d fault lines, %d bytes changed",
	       (uint64_t)segs[0].dma_addr, faults, touched);
	free(segs);
	munmap(map, 65536);
	close(buf);
	close(node);
	edu_close(&edu);
}

/* The cases that need an open node: bad input of every ioctl, then the fuzz. */
static void group_input(void)
{
	int node = open_node();

	cases_import_input(node);
	cases_other_input(node);
	case_fuzz(node);	/* closes node */
}

/* Fault injection on GFP_KERNEL allocations too, quietly. */
static void group_faults(void)
{
	write_str("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_str("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	write_str("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	write_str("/sys/kernel/debug/failslab/verbose", "0");
	write_str("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	write_str("/sys/kernel/debug/fail_usercopy/verbose", "0");
	case_fault_sweep("fail-nth-import", FAULT_IMPORT);
	case_fault_sweep("fail-nth-get-segments", FAULT_GET_SEGMENTS);
	case_fault_sweep("fail-nth-info", FAULT_INFO);
	case_fault_sweep("fail-nth-sync", FAULT_SYNC);
	case_fault_sweep("fail-nth-release", FAULT_RELEASE);
}

#define CASES(...)	((const char *const[]){ __VA_ARGS__, NULL })

/*
 * Every case, in running order: a case of its own (.cases NULL: the entry is
 * the one case .name), or a group of cases that share their setup.
 */
static const struct group {
	const char *name;
	void (*run)(void);
	const char *const *cases;
	bool iommu;		/* runs in the --iommu boot, else in the other */
} groups[] = {
	{ .name = "input", .run = group_input, .cases = CASES(
		"import-fd-minus-1", "import-closed-fd", "import-dev-null", "import-memfd",
		"import-eventfd", "import-dma-heap-fd", "import-arg-null", "import-arg-kernel-address",
		"import-reserved-0", "import-reserved-1", "import-reserved-2",
		"import-output-fields-ignored", "import-segments-array", "import-segments-efault",
		"import-arg-read-only", "import-arg-inputs-read-only",
		"import-direction-3",
		"import-bad-fields-before-bad-fd", "import-undefined-flag-bits",
		"import-failures-leave-nothing",
		"segments-null-array", "segments-read-only-array", "segments-unmapped-array",
		"segments-too-short-array", "segments-usable-after-efault", "segments-reserved",
		"segments-output-ignored", "segments-first-past-end",
		"release-handle-of-other-file", "release-reserved", "release-arg-null",
		"release-arg-kernel-address", "sync-no-flag",
		"sync-both-flags", "sync-undefined-flag", "sync-for-cpu", "sync-for-device",
		"sync-range", "sync-range-past-end", "sync-range-empty", "sync-reserved",
		"release", "release-twice", "release-handle-0", "sync-released-handle",
		"ioctl-unknown-nr", "ioctl-known-nr-wrong-size", "ioctl-other-type",
		"fuzz-ioctls") },
	{ .name = "buffer-fd-closed-after-import", .run = case_buffer_fd_closed_after_import },
	{ .name = "close-with-many-imports", .run = case_close_with_many_imports },
	{ .name = "sigkill-during-imports", .run = case_sigkill_during_imports },
	{ .name = "fork-then-parent-closes", .run = case_fork_then_parent_closes },
	{ .name = "exporter-side-gone", .run = case_exporter_side_gone },
	{ .name = "rmmod-with-open-file", .run = case_rmmod_with_open_file },
	{ .name = "races", .run = cases_races, .cases = CASES("race-8-threads-one-file", "race-two-files-same-buffer") },
	{ .name = "faults", .run = group_faults, .cases = CASES(
		"fail-nth-import", "fail-nth-get-segments", "fail-nth-info", "fail-nth-sync",
		"fail-nth-release") },
	{ .name = "import-release-cycles", .run = case_load },
	{ .name = "memlock", .run = case_memlock, .cases = CASES(
		"rlimit-memlock", "memlock-outlives-importer") },
	{ .name = "close-during-dma", .run = case_close_during_dma },
	{ .name = "unbind-bind-race", .run = case_unbind_race },
	{ .name = "security", .run = cases_security, .cases = CASES(
		"open-without-allow-unsafe", "open-without-cap-sys-rawio", "taint-once") },
	{ .name = "iommu", .run = cases_iommu, .cases = CASES(
		"iommu-open-without-cap", "iommu-no-taint", "iommu-dma-after-release"),
	  .iommu = true },
};

/* The cases of @g: its list, or itself. */
static const char *const *cases_of(const struct group *g, const char *self[2])
{
	self[0] = g->name;
	self[1] = NULL;
	return g->cases ? g->cases : self;
}

static bool declares(const struct group *g, const char *name)
{
	const char *self[2];
	const char *const *c;

	for (c = cases_of(g, self); *c; c++)
		if (!strcmp(*c, name))
			return true;
	return false;
}

/* Runs @g (its one case @only, if set) and fails what it left undone. */
static void run_group(const struct group *g)
{
	const char *self[2];
	const char *const *c;

	g->run();
	for (c = cases_of(g, self); *c; c++)
		if (run(*c) && !recorded(*c))
			record(*c, "declared in groups[]", false, "not run");
}

/* A recorded case that no group of this boot declares fails. */
static void check_declared(void)
{
	const char *name;
	size_t j;
	int i, n = 0;

	while (recorded_name(n))
		n++;
	for (i = 0; i < n; i++) {
		name = recorded_name(i);
		for (j = 0; j < sizeof(groups) / sizeof(groups[0]); j++)
			if (groups[j].iommu == iommu_mode && declares(&groups[j], name))
				break;
		if (j == sizeof(groups) / sizeof(groups[0]))
			record(name, "declared in groups[]", false, "recorded, not declared");
	}
}

/* Runs this boot's groups, or the one that holds @only; returns the exit status. */
static int run_groups(void)
{
	const char *want = only;
	const struct group *g;
	bool found = false;
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		g = &groups[i];
		if (g->iommu != iommu_mode || (want && strcmp(want, g->name) && !declares(g, want)))
			continue;
		found = true;
		/* The cases of a group share their setup: it runs whole. */
		only = NULL;
		run_group(g);
	}
	only = want;
	if (want && !found)
		printf("# reliability: %s is not a case of this boot\n", want);
	check_declared();
	return print_results("reliability");
}

/* One line per case: its group (or itself), its name, and the boot it needs. */
static void list_cases(void)
{
	const char *self[2];
	const char *const *c;
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		for (c = cases_of(&groups[i], self); *c; c++)
			printf("%s %s%s\n", groups[i].name, *c, groups[i].iommu ? " (iommu boot)" : "");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "cycles", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "iommu", no_argument, NULL, 'i' },
		{ "list", no_argument, NULL, 'l' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0) | 1; break;
		case 'c': cycles = strtoul(optarg, NULL, 0); break;
		case 'o': only = optarg; break;
		case 'i': iommu_mode = true; break;
		case 'l': list_cases(); return 0;
		default: return 2;
		}
	}
	if (uio_bdf(0, bdf, sizeof(bdf)))
		return 2;
	printf("# reliability: seed %" PRIu64 ", %lu cycles, device %s\n", seed, cycles, bdf);
	return run_groups();
}
