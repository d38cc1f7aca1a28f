// SPDX-License-Identifier: GPL-2.0
/*
 * The trust boundary of uio_dmabuf, run in the test guest as root, with the
 * cases that matter run by an unprivileged user (uid 1000, no capabilities)
 * that the node permissions let in. One boot per IOMMU setup:
 *
 *   --boot isolated    behind a virtual Intel IOMMU with interrupt remapping,
 *                      lazy domains (the x86 default): edu 0 alone behind a
 *                      root port, edu 1 behind a PCI bridge beside an e1000
 *                      (no reset of either alone), a slot of two e1000e and
 *                      an e1000 (one group), and an e1000 alone behind a
 *                      root port (bus reset)
 *   --boot nointremap  strict domains, no interrupt remapping
 *   --boot noiommu     no IOMMU
 *
 * Every case names its expected outcome; the run ends with a table and
 * "security: N passed, N failed".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "cases.h"
#include "edu.h"
#include "uiodmabuf.h"

#define USER_ID		1000
#define OTHER_ID	1001	/* a second unprivileged user */
#define ISOLATED_ALL	(UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT | UIO_DMABUF_INFO_VIABLE | \
			 UIO_DMABUF_INFO_MSI_ISOLATED | UIO_DMABUF_INFO_RESET | \
			 UIO_DMABUF_INFO_NO_DIRECT | UIO_DMABUF_INFO_ISOLATED)

/* e1000 registers: receive and transmit descriptor base, low 32 bits. */
#define E1000_RDBAL	0x2800
#define E1000_TDBAL	0x3800

static void pci_path(char *buf, size_t len, const char *bdf, const char *attr)
{
	snprintf(buf, len, "/sys/bus/pci/devices/%.32s/%.64s", bdf, attr);
}

/* The first PCI device with this vendor and device ID whose BDF ends in @at. */
static int find_pci_at(const char *vendor, const char *device, const char *at, char *bdf,
		       size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char path[256], v[16], id[16];
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		pci_path(path, sizeof(path), e->d_name, "vendor");
		read_str(path, v, sizeof(v));
		pci_path(path, sizeof(path), e->d_name, "device");
		read_str(path, id, sizeof(id));
		if (!strcmp(v, vendor) && !strcmp(id, device) &&
		    strlen(e->d_name) >= strlen(at) &&
		    !strcmp(e->d_name + strlen(e->d_name) - strlen(at), at)) {
			snprintf(bdf, len, "%.31s", e->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

static int find_pci(const char *vendor, const char *device, char *bdf, size_t len)
{
	return find_pci_at(vendor, device, "", bdf, len);
}

static unsigned int isolation(const char *bdf)
{
	char path[256], val[32];

	pci_path(path, sizeof(path), bdf, "uio_dmabuf/isolation");
	if (read_str(path, val, sizeof(val)) || !val[0])
		return ~0U;
	return strtoul(val, NULL, 16);
}

static int group_of(const char *bdf)
{
	char link[256], target[256];
	ssize_t r;

	pci_path(link, sizeof(link), bdf, "iommu_group");
	r = readlink(link, target, sizeof(target) - 1);
	if (r < 0)
		return -1;
	target[r] = 0;
	return atoi(basename(target));
}

/* The name of the driver bound to @bdf, or "" when none is. */
static void driver_of(const char *bdf, char *drv, size_t len)
{
	char link[256], target[256];
	ssize_t r;

	pci_path(link, sizeof(link), bdf, "driver");
	r = readlink(link, target, sizeof(target) - 1);
	drv[0] = 0;
	if (r < 0)
		return;
	target[r] = 0;
	snprintf(drv, len, "%s", basename(target));
}

static int unbind(const char *bdf)
{
	char path[256];

	pci_path(path, sizeof(path), bdf, "driver/unbind");
	return write_str(path, bdf);
}

static void grant(void);

/* Binds @bdf to @drv; the new nodes get the user's permissions again. */
static int bind_to(const char *bdf, const char *drv)
{
	char path[256];
	int ret;

	pci_path(path, sizeof(path), bdf, "driver_override");
	write_str(path, drv);
	ret = write_str("/sys/bus/pci/drivers_probe", bdf);
	grant();
	return ret;
}

/*
 * The administrator's recipe from the kernel's message: every driver of the
 * group unbound, the domain type written, the drivers bound again.
 */
static int set_group_type(const char *bdf, const char *type)
{
	char dir[64], path[512], drv[16][64], devs[16][32];
	int group = group_of(bdf), n = 0, i, ret;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%d/devices", group);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < 16) {
		if (e->d_name[0] == '.')
			continue;
		driver_of(e->d_name, drv[n], sizeof(drv[n]));
		snprintf(devs[n], sizeof(devs[n]), "%.31s", e->d_name);
		if (drv[n][0])
			unbind(devs[n]);
		n++;
	}
	closedir(d);
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", group);
	ret = write_str(path, type);
	for (i = 0; i < n; i++)
		if (drv[i][0])
			bind_to(devs[i], drv[i]);
	return ret;
}

/* Line number in the kernel log of the last line containing @text, or 0. */
static int kmsg_last(const char *text)
{
	char cmd[320], line[32] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "dmesg | grep -nF '%s' | tail -n1 | cut -d: -f1", text);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	pclose(f);
	return atoi(line);
}

static long tainted(void)
{
	char val[32];

	read_str("/proc/sys/kernel/tainted", val, sizeof(val));
	return atol(val);
}

/* Runs @fn as uid/gid @uid without supplementary groups or capabilities. */
static int as_uid(uid_t uid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Runs @fn as uid/gid 1000 without supplementary groups or capabilities. */
static int as_user(int (*fn)(void *), void *arg)
{
	return as_uid(USER_ID, fn, arg);
}

struct user_open {
	const char *node;
	int err;
};

/* As the user: open the node; the errno of a refusal in ->err, 0 if it opened. */
static int user_open(void *p)
{
	struct user_open *u = p;
	int fd = open(u->node, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* The node permissions a udev rule would give: the user may open everything. */
static void grant(void)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	char path[300];

	chmod("/", 0755);
	chmod("/dev/dma_heap/system", 0666);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strncmp(e->d_name, "uio", 3)) {
			snprintf(path, sizeof(path), "/dev/%s", e->d_name);
			chmod(path, 0666);
		}
	}
	closedir(d);
}

struct user_cmd {
	const char *cmd;
	const char *needle;
};

/* As the user: run ->cmd (stderr too); 0 when its output contains ->needle. */
static int user_cmd(void *p)
{
	struct user_cmd *u = p;
	char out[8192];
	size_t n = 0, r;
	FILE *f = popen(u->cmd, "r");

	if (!f)
		return 2;
	while (n < sizeof(out) - 1 && (r = fread(out + n, 1, sizeof(out) - 1 - n, f)) > 0)
		n += r;
	out[n] = 0;
	pclose(f);
	if (strstr(out, u->needle))
		return 0;
	printf("# %s:\n%s", u->cmd, out);
	return 1;
}

static void case_user_cmd(const char *name, const char *expect, const char *cmd,
			  const char *needle)
{
	struct user_cmd u = { .cmd = cmd, .needle = needle };
	int ret = as_user(user_cmd, &u);

	record(name, expect, ret == 0, "\"%s\" %s in the output of %s", needle,
	       ret ? "not found" : "found", cmd);
}

static void case_user_refused(const char *name, const char *node, const char *msg)
{
	struct user_open u = { .node = node };
	int before = kmsg_count(msg), err = as_user(user_open, &u);
	int after = kmsg_count(msg);

	record(name, "EPERM for the user, the log names the condition", err == EPERM && after > before,
	       "got %s, %d new log lines with \"%s\"", err ? strerrorname_np(err) : "success",
	       after - before, msg);
}

/* Which device user_dma() runs on, and whether it is the untrusted one. */
struct user_dma {
	int uio;
	bool untrusted;
};

/*
 * As the user: the node's device is isolated, a system-heap buffer imports,
 * and edu copies 2 KiB within it by DMA, which the CPU then compares. On the
 * untrusted edu (64 KiB): an IMPORT_COHERENT import is refused with EIO, a
 * plain one reports NEEDS_SYNC (the IOMMU bounces what an untrusted device
 * could reach beside a sub-page buffer), and the CPU accesses the buffer
 * between the syncs the library chooses. Returns 0, or the step that failed.
 */
static int user_dma(void *p)
{
	const struct user_dma *u = p;
	size_t size = u->untrusted ? 1 << 16 : 1 << 20;
	int node, buf, ret = 1, how = 0, i;
	struct uio_dmabuf_segment *segs = NULL;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_info info;
	struct edu edu;
	uint32_t n;
	char path[64];
	uint8_t *map;

	snprintf(path, sizeof(path), "/dev/uio-dmabuf%d", u->uio);
	node = open(path, O_RDWR | O_CLOEXEC);
	if (node < 0)
		return 2;
	if (uiodmabuf_info(node, &info) || info.flags != ISOLATED_ALL)
		return 3;
	buf = uiodmabuf_heap_alloc("system", size);
	if (buf < 0)
		return 4;
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (map == MAP_FAILED)
		return 5;
	if (u->untrusted && uiodmabuf_import(node, buf, UIO_DMABUF_DIR_BIDIRECTIONAL,
					     UIO_DMABUF_IMPORT_COHERENT, &imp) != -EIO)
		return 9;
	if (uiodmabuf_import(node, buf, UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp) ||
	    uiodmabuf_get_segments(node, imp.handle, &segs, &n) || !n ||
	    segs[0].length < 4096 + 2048)
		return 6;
	if (u->untrusted) {
		if (!(imp.map_flags & UIO_DMABUF_MAP_NEEDS_SYNC))
			return 10;
		how = uiodmabuf_cpu_sync_method(buf, &imp);
		if (how < 0 || uiodmabuf_begin_cpu_access(node, buf, &imp, how))
			return 11;
	}
	for (i = 0; i < 2048; i++)
		map[i] = (uint8_t)(i * 7 + 3);
	memset(map + 4096, 0, 2048);
	if ((how && uiodmabuf_end_cpu_access(node, buf, &imp, how)) || edu_open(&edu, u->uio))
		return 7;
	if (!edu_to_device(&edu, segs[0].dma_addr, 0, 2048) &&
	    !edu_from_device(&edu, 0, segs[0].dma_addr + 4096, 2048) &&
	    !(how && uiodmabuf_begin_cpu_access(node, buf, &imp, how)))
		ret = memcmp(map, map + 4096, 2048) ? 8 : 0;
	if (how)
		uiodmabuf_end_cpu_access(node, buf, &imp, how);
	printf("# %suser %d: IOVA %#" PRIx64 ", %u segment(s), map_flags %#x, copy %s\n",
	       u->untrusted ? "untrusted " : "", getuid(), (uint64_t)segs[0].dma_addr, n,
	       imp.map_flags, ret ? "wrong" : "verified");
	edu_close(&edu);
	free(segs);
	uiodmabuf_release(node, imp.handle);
	munmap(map, size);
	close(buf);
	close(node);
	return ret;
}

/* What user_read_only() saw, in memory shared with the parent. */
struct read_only {
	int uio;
	bool attach_maps;	/* a core that maps at attach (before 6.15) */
	int info, import_rdonly_node;	/* on a node opened O_RDONLY: 0 or -errno */
	int bidir, from_dev, to_dev;	/* IMPORT of a buffer opened O_RDONLY */
	int dma;		/* 0, or the step of the DMA test that failed */
	bool read_ok, write_blocked, control_written;
};

/*
 * As the user: the node opened O_RDONLY answers INFO but not IMPORT; a heap
 * buffer allocated O_RDONLY is imported only TO_DEVICE (on a core that maps
 * at attach, not at all). Then edu reads it, and its write into it is blocked
 * by the IOMMU while the same write into a writable buffer lands.
 */
static int user_read_only(void *p)
{
	struct dma_heap_allocation_data alloc = { .len = 1 << 20, .fd_flags = O_RDONLY | O_CLOEXEC };
	struct uio_dmabuf_segment *ro_segs = NULL, *rw_segs = NULL;
	struct uio_dmabuf_import ro_imp, rw_imp;
	struct uio_dmabuf_info info;
	struct read_only *r = p;
	uint8_t *ro, *rw, pattern[2048];
	int node, heap, buf, wbuf, i;
	struct edu edu;
	uint32_t n;
	char path[64];

	snprintf(path, sizeof(path), "/dev/uio-dmabuf%d", r->uio);
	node = open(path, O_RDONLY | O_CLOEXEC);
	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	wbuf = uiodmabuf_heap_alloc("system", 1 << 20);
	if (node < 0 || heap < 0 || wbuf < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc))
		return 2;
	buf = alloc.fd;
	r->info = uiodmabuf_info(node, &info);
	r->import_rdonly_node = uiodmabuf_import(node, wbuf, UIO_DMABUF_DIR_BIDIRECTIONAL, 0,
						 &rw_imp);
	close(node);
	node = open(path, O_RDWR | O_CLOEXEC);
	if (node < 0)
		return 3;
	r->bidir = uiodmabuf_import(node, buf, UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &ro_imp);
	r->from_dev = uiodmabuf_import(node, buf, UIO_DMABUF_DIR_FROM_DEVICE, 0, &ro_imp);
	r->to_dev = uiodmabuf_import(node, buf, UIO_DMABUF_DIR_TO_DEVICE, 0, &ro_imp);
	if (r->to_dev)
		return 0;

	/* edu: pattern from the writable buffer, then into both buffers. */
	ro = mmap(NULL, 1 << 20, PROT_READ, MAP_SHARED, buf, 0);
	rw = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, wbuf, 0);
	if (ro == MAP_FAILED || rw == MAP_FAILED)
		return 4;
	for (i = 0; i < 2048; i++)
		pattern[i] = rw[i] = (uint8_t)(i * 13 + 5);
	memset(rw + 4096, 0xaa, 2 * 4096);
	r->dma = 1;
	if (uiodmabuf_import(node, wbuf, UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &rw_imp) ||
	    uiodmabuf_get_segments(node, rw_imp.handle, &rw_segs, &n) || n != 1 ||
	    uiodmabuf_get_segments(node, ro_imp.handle, &ro_segs, &n) || !n || edu_open(&edu, r->uio))
		return 0;
	r->dma = 2;
	if (edu_to_device(&edu, rw_segs[0].dma_addr, 0, 2048) ||
	    edu_from_device(&edu, 0, ro_segs[0].dma_addr, 2048) ||
	    edu_from_device(&edu, 0, rw_segs[0].dma_addr + 8192, 2048))
		goto out;
	r->write_blocked = !memcmp(ro, (uint8_t[2048]){ 0 }, 2048);
	r->control_written = !memcmp(rw + 8192, pattern, 2048);
	r->dma = 3;
	/* The buffer is all zeros: edu reads them into the writable buffer. */
	if (edu_to_device(&edu, ro_segs[0].dma_addr + 4096, 0, 2048) ||
	    edu_from_device(&edu, 0, rw_segs[0].dma_addr + 4096, 2048))
		goto out;
	r->read_ok = !memcmp(rw + 4096, (uint8_t[2048]){ 0 }, 2048);
	r->dma = 0;
out:
	printf("# read-only: IOVA %#" PRIx64 ", writable %#" PRIx64 "\n",
	       (uint64_t)ro_segs[0].dma_addr, (uint64_t)rw_segs[0].dma_addr);
	edu_close(&edu);
	free(ro_segs);
	free(rw_segs);
	return 0;
}

/* 3b. Read-only: a node or buffer opened O_RDONLY lets the device write nothing. */
static void step_read_only(int uio)
{
	struct read_only *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct utsname u;
	int major = 0, minor = 0, ret, reads, writes;

	if (r == MAP_FAILED)
		return;
	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	r->uio = uio;
	r->attach_maps = major < 6 || (major == 6 && minor < 15);
	/*
	 * The buffer reads as zeros, and so does a read the IOMMU blocks: the
	 * IOMMU's fault log tells them apart (reads fault in nothing here).
	 */
	reads = kmsg_count("DMAR: [DMA Read");
	writes = kmsg_count("DMAR: [DMA Write");
	ret = as_user(user_read_only, r);
	reads = kmsg_count("DMAR: [DMA Read") - reads;
	writes = kmsg_count("DMAR: [DMA Write") - writes;
	record("ro-node-info", "a node opened O_RDONLY answers INFO", !ret && !r->info,
	       "child %d, INFO %s", ret, err_name(r->info));
	record("ro-node-import", "a node opened O_RDONLY refuses IMPORT with EBADF",
	       !ret && r->import_rdonly_node == -EBADF, "IMPORT %s", err_name(r->import_rdonly_node));
	record("ro-buffer-refused", "a buffer opened O_RDONLY: BIDIRECTIONAL, FROM_DEVICE EACCES",
	       !ret && r->bidir == -EACCES && r->from_dev == -EACCES,
	       "BIDIRECTIONAL %s, FROM_DEVICE %s", err_name(r->bidir), err_name(r->from_dev));
	if (r->attach_maps) {
		record("ro-buffer-to-device", "TO_DEVICE: EACCES (this core maps at attach for both)",
		       !ret && r->to_dev == -EACCES, "%s on %s", err_name(r->to_dev), u.release);
	} else {
		record("ro-buffer-to-device", "TO_DEVICE imported", !ret && !r->to_dev,
		       "%s on %s", err_name(r->to_dev), u.release);
		record("ro-buffer-device-reads", "edu reads the buffer, no read fault",
		       !ret && !r->dma && r->read_ok && !reads,
		       "DMA step %d, bytes %s, %d read faults", r->dma,
		       r->read_ok ? "match" : "differ", reads);
		record("ro-buffer-write-blocked",
		       "edu's write into it faults and is blocked, the same write into a writable "
		       "buffer lands", !ret && r->write_blocked && r->control_written && writes > 0,
		       "buffer %s, control %s, %d write faults",
		       r->write_blocked ? "unchanged" : "written",
		       r->control_written ? "written" : "not written", writes);
	}
	munmap(r, sizeof(*r));
}

/*
 * As the user: open the node, import, tell the parent (@ready), wait until it
 * changed something (@go), then expect ENODEV from GET_SEGMENTS.
 */
struct user_hold {
	const char *node;
	int ready[2], go[2];
};

static int user_hold(void *p)
{
	struct user_hold *h = p;
	struct uio_dmabuf_get_segments gs = { 0 };
	struct uio_dmabuf_import imp = { 0 };
	int node, buf, ret;
	char c = 1;

	node = open(h->node, O_RDWR | O_CLOEXEC);
	buf = uiodmabuf_heap_alloc("system", 65536);
	if (node < 0 || buf < 0 ||
	    uiodmabuf_import(node, buf, UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp))
		c = 0;
	if (write(h->ready[1], &c, 1) != 1 || !c)
		return 2;
	if (read(h->go[0], &c, 1) != 1)
		return 3;
	gs.handle = imp.handle;
	ret = uiodmabuf_ioctl(node, UIO_DMABUF_IOC_GET_SEGMENTS, &gs);
	printf("# user: GET_SEGMENTS after the change: %s\n", ret ? strerrorname_np(-ret) : "success");
	close(buf);
	close(node);
	return ret == -ENODEV ? 0 : 4;
}

/*
 * Starts @fn (user_hold: an import; hold_node: the node open) as the user in a
 * child; returns its pid once it holds what it took.
 */
static pid_t start_hold(struct user_hold *h, const char *node, int (*fn)(void *))
{
	pid_t pid;
	char c = 0;

	h->node = node;
	if (pipe(h->ready) || pipe(h->go))
		return -1;
	pid = fork();
	if (!pid) {
		/* The parent's ends only: its close of go reaches the child. */
		close(h->go[1]);
		close(h->ready[0]);
		if (setgroups(0, NULL) || setgid(USER_ID) || setuid(USER_ID))
			_exit(100);
		_exit(fn(h));
	}
	if (pid < 0 || read(h->ready[0], &c, 1) != 1 || !c)
		return -1;
	return pid;
}

static int finish_hold(struct user_hold *h, pid_t pid)
{
	int status;
	char c = 1;

	if (write(h->go[1], &c, 1) != 1)
		return -1;
	/* A child that waits for a second byte (a step cut short) reads EOF. */
	close(h->go[1]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	close(h->ready[0]);
	close(h->ready[1]);
	close(h->go[0]);
	return WEXITSTATUS(status);
}

static bool bus_master(const char *bdf)
{
	unsigned char cfg[8] = { 0 };
	char path[256];
	int fd;

	pci_path(path, sizeof(path), bdf, "config");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	if (read(fd, cfg, sizeof(cfg)) != sizeof(cfg))
		cfg[4] = 0xff;
	close(fd);
	return cfg[4] & 0x4;
}

/* The UIO index uio_dmabuf gave @bdf, or -1. */
static int uio_of(const char *bdf)
{
	char path[256];
	struct dirent *e;
	int n = -1;
	DIR *d;

	pci_path(path, sizeof(path), bdf, "uio");
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "uio", 3))
			n = atoi(e->d_name + 3);
	closedir(d);
	return n;
}

/* The isolated boot's devices. */
struct topology {
	char edu0[32];		/* edu alone behind a root port (bus reset) */
	char edu1[32];		/* edu behind the bridge, beside an e1000: no reset */
	char bnic[32];		/* that e1000 */
	char bridge[32];
	char pair0[32];		/* one slot, one group: e1000e .0 (PM reset), */
	char pair1[32];		/* e1000e .1 (PM reset) */
	char nic[32];		/* and e1000 .2, the sibling with a kernel driver */
	char lone[32];		/* an e1000 alone behind a root port (bus reset) */
	char outside[32];	/* edu behind the external-facing root port 00:10.0 */
	char pair0_node[32];	/* /dev/uio-dmabufN of pair0, once bound */
};

/* 1. Lazy domain (the default here): refused, and the log says the fix. */
static void step_lazy_refused(const struct topology *t)
{
	char msg[128];
	unsigned int flags;

	flags = isolation(t->edu0);
	record("lazy-flags", "IOMMU, viable, MSI isolated, reset; not strict, not isolated",
	       flags == (UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_VIABLE |
			 UIO_DMABUF_INFO_MSI_ISOLATED | UIO_DMABUF_INFO_RESET |
			 UIO_DMABUF_INFO_NO_DIRECT),
	       "isolation %#x", flags);
	snprintf(msg, sizeof(msg), "echo DMA > /sys/kernel/iommu_groups/%d/type", group_of(t->edu0));
	case_user_refused("lazy-domain-refused", "/dev/uio-dmabuf0", msg);
	case_user_cmd("cli-refusal-explained", "the CLI names the condition and its fix",
		      "uio-dmabuf alloc --device uio0 --heap system --size 4K 2>&1", msg);
	case_user_cmd("cli-list-lazy", "list: not isolated, lazy domain",
		      "uio-dmabuf list 2>&1", "not isolated: lazy-domain");
}

/* 2. The fix from the message makes the device isolated. */
static void step_strict_after_fix(const struct topology *t)
{
	unsigned int flags;
	int ret;

	ret = set_group_type(t->edu0, "DMA");
	flags = isolation(t->edu0);
	record("strict-after-fix", "isolated once the group is strict", !ret && flags == ISOLATED_ALL,
	       "write %s, isolation %#x", ret ? strerrorname_np(-ret) : "ok", flags);
	/* uio0's entry alone: the untrusted edu is isolated from the start. */
	case_user_cmd("cli-list-isolated", "list --json: isolated",
		      "uio-dmabuf list --json 2>&1 | tr '{' '\\n' | grep -A1 '\"uio\": \"uio0\"'",
		      "\"msi_isolated\": true, \"reset\": true, \"no_direct\": true, "
		      "\"isolated\": true}");
}

/* 3. The user imports and edu moves data by DMA, without capabilities. */
static void step_user_dma(void)
{
	struct user_dma u = { .uio = 0 };
	int ret;

	ret = as_user(user_dma, &u);
	record("user-isolated-dma", "uid 1000 imports, edu's DMA verifies, no taint",
	       ret == 0 && !(tainted() & 64), "child status %d, tainted %ld", ret, tainted());
}

/* 4. The group turns lazy while the user holds an import: revoked. */
static void step_lazy_while_open(const struct topology *t)
{
	char path[256];
	struct user_hold hold;
	int ret, group;
	pid_t pid;

	pid = start_hold(&hold, "/dev/uio-dmabuf0", user_hold);
	group = group_of(t->edu0);
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", group);
	ret = pid > 0 ? write_str(path, "DMA-FQ") : -1;
	ret = pid > 0 ? finish_hold(&hold, pid) : -1;
	record("lazy-while-open-revoked", "ENODEV for the holder, imports gone, DMA off, logged",
	       ret == 0 && live_imports(t->edu0) == 0 && !bus_master(t->edu0) &&
	       kmsg_count("no longer has a strict DMA domain") > 0,
	       "child status %d, %d imports left", ret, live_imports(t->edu0));
	case_user_refused("lazy-again-refused", "/dev/uio-dmabuf0", "has a lazy DMA domain");
	set_group_type(t->edu0, "DMA");
}

/*
 * 5. A group shared with a kernel driver: refused, for root too. The e1000e
 * at .0 of the slot is bound to uio_dmabuf; the e1000 at .2 has its driver.
 */
static void step_shared_group(struct topology *t)
{
	char msg[128];
	unsigned int flags;
	int ret;

	/* With its MSI-X vectors, for eventfds (step 7a), through the rebind. */
	write_str("/sys/module/uio_dmabuf/parameters/irq_mode", "msix");
	bind_to(t->pair0, "uio_dmabuf");
	snprintf(t->pair0_node, sizeof(t->pair0_node), "/dev/uio-dmabuf%d", uio_of(t->pair0));
	set_group_type(t->pair0, "DMA");
	write_str("/sys/module/uio_dmabuf/parameters/irq_mode", "auto");
	flags = isolation(t->pair0);
	record("shared-flags", "IOMMU, strict, MSI isolated, reset; not viable",
	       flags == (UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT |
			 UIO_DMABUF_INFO_MSI_ISOLATED | UIO_DMABUF_INFO_RESET |
			 UIO_DMABUF_INFO_NO_DIRECT),
	       "%s: isolation %#x", t->pair0_node, flags);
	snprintf(msg, sizeof(msg), "is shared with %s (driver e1000)", t->nic);
	case_user_refused("shared-group-refused", t->pair0_node, msg);
	ret = open(t->pair0_node, O_RDWR | O_CLOEXEC);
	record("shared-group-root-refused", "EPERM for root without allow_unsafe_noiommu",
	       ret < 0 && errno == EPERM, "got %s", ret < 0 ? strerrorname_np(errno) : "success");
	if (ret >= 0)
		close(ret);
}

/* 6. A sibling bound to a driver-managed-DMA driver keeps the group viable. */
static void step_pci_stub_sibling(const struct topology *t)
{
	char val[32];
	unsigned int flags;

	unbind(t->nic);
	bind_to(t->nic, "pci-stub");
	driver_of(t->nic, val, sizeof(val));
	flags = isolation(t->pair0);
	record("pci-stub-sibling-viable", "isolated beside pci-stub", flags == ISOLATED_ALL,
	       "sibling driver %s, isolation %#x", val, flags);
}

/* As the user: open ->node, tell the parent (@ready), close once told (@go). */
static int hold_node(void *p)
{
	struct user_hold *h = p;
	int fd = open(h->node, O_RDWR | O_CLOEXEC);
	char c = fd >= 0;

	if (write(h->ready[1], &c, 1) != 1 || !c)
		return 2;
	if (read(h->go[0], &c, 1) != 1)
		return 3;
	close(fd);
	return 0;
}

/*
 * 6b. The IOMMU group is the unit of ownership: with both e1000e of the slot
 * bound to uio_dmabuf (one group, viable, strict), while uid 1000 holds the
 * first's node open, uid 1001 cannot open the second's (EBUSY, the log and
 * sysfs name the owner) and uid 1000 can; once closed, uid 1001 can.
 */
static void step_group_owner(const struct topology *t)
{
	char nic_node[64], path[256], owner[32] = "", msg[64], cmd[96];
	struct user_cmd uc = { .cmd = cmd, .needle = "is in use by uid 1000" };
	struct user_cmd lc = { .cmd = "uio-dmabuf list 2>&1", .needle = "isolated, in use by uid 1000" };
	struct user_open u = { .node = nic_node };
	int other, same, after, before, status, cli, list, n;
	struct user_hold h;
	pid_t pid;

	bind_to(t->pair1, "uio_dmabuf");
	n = uio_of(t->pair1);
	snprintf(nic_node, sizeof(nic_node), "/dev/uio-dmabuf%d", n);
	record("group-two-devices", "both e1000e bound to uio_dmabuf, both isolated",
	       n > 1 && isolation(t->pair1) == ISOLATED_ALL && isolation(t->pair0) == ISOLATED_ALL,
	       "second e1000e is uio%d, isolation %#x and %#x", n, isolation(t->pair1),
	       isolation(t->pair0));
	snprintf(msg, sizeof(msg), "is in use by uid %d (through uio-dmabuf%d)", USER_ID,
		 uio_of(t->pair0));
	before = kmsg_count(msg);
	pid = start_hold(&h, t->pair0_node, hold_node);
	if (pid <= 0) {
		record("group-owner-holder", "uid 1000 holds the first e1000e's node open", false,
		       "no holder");
		return;
	}
	other = as_uid(OTHER_ID, user_open, &u);
	same = as_user(user_open, &u);
	pci_path(path, sizeof(path), t->pair1, "uio_dmabuf/owner");
	read_str(path, owner, sizeof(owner));
	snprintf(cmd, sizeof(cmd), "uio-dmabuf alloc --device uio%d --size 4K 2>&1", n);
	cli = as_uid(OTHER_ID, user_cmd, &uc);
	list = user_cmd(&lc);
	status = finish_hold(&h, pid);
	after = as_uid(OTHER_ID, user_open, &u);
	record("group-owner-other-refused",
	       "uid 1001: EBUSY while uid 1000 holds a node of the group, the log names the owner",
	       other == EBUSY && kmsg_count(msg) > before, "got %s, %d log lines with \"%s\"",
	       other ? strerrorname_np(other) : "success", kmsg_count(msg) - before, msg);
	record("group-owner-same-user", "uid 1000 opens the other device's node", same == 0,
	       "got %s", same ? strerrorname_np(same) : "success");
	record("group-owner-sysfs", "uio_dmabuf/owner of the second e1000e reads 1000",
	       !strcmp(owner, "1000"), "\"%s\"", owner);
	record("cli-group-owner-refusal", "the CLI's EBUSY names the group's owner", cli == 0,
	       "\"%s\" %s in the output of %s", uc.needle, cli ? "not found" : "found", cmd);
	record("cli-list-group-owner", "list: isolated, in use by uid 1000", list == 0,
	       "\"%s\" %s in the output of %s", lc.needle, list ? "not found" : "found", lc.cmd);
	record("group-owner-released", "once uid 1000 closed, uid 1001 opens it",
	       status == 0 && after == 0, "holder status %d, got %s", status,
	       after ? strerrorname_np(after) : "success");
	case_user_cmd("cli-list-owner", "list names no owner once every node closed",
		      "uio-dmabuf list --json 2>&1", "\"owner_uid\": null");
}

/* 7. A kernel driver binds to the sibling while the user holds an import. */
static void step_sibling_bind(const struct topology *t)
{
	char msg[128], val[32];
	struct user_hold hold;
	int ret;
	pid_t pid;

	unbind(t->nic);
	pid = start_hold(&hold, t->pair0_node, user_hold);
	ret = pid > 0 ? bind_to(t->nic, "e1000") : -1;
	ret = pid > 0 ? finish_hold(&hold, pid) : -1;
	driver_of(t->nic, val, sizeof(val));
	{
		int revoked = kmsg_last("binds to"), probed;

		/* e1000's probe ends with "e1000 <BDF> ethN: (PCI:...)". */
		snprintf(msg, sizeof(msg), "e1000 %s eth", t->nic);
		probed = kmsg_last(msg);
		snprintf(msg, sizeof(msg), "revoke at log line %d, e1000 at %d", revoked, probed);
		record("sibling-bind-revokes", "ENODEV for the holder, revoked before e1000 probes",
		       ret == 0 && !strcmp(val, "e1000") && live_imports(t->pair0) == 0 &&
		       !bus_master(t->pair0) && revoked > 0 && revoked < probed,
		       "child status %d, sibling driver %s, %s", ret, val, msg);
	}
}

/*
 * As the user: open @node and bind vector 0 to an eventfd; the node's fd,
 * left open, when it binds, else a negative errno.
 */
static int bind_vector0(const char *node)
{
	int fd = open(node, O_RDWR | O_CLOEXEC), efd = eventfd(0, EFD_CLOEXEC), ret;

	ret = fd < 0 || efd < 0 ? -EBADF : uiodmabuf_set_irq_eventfd(fd, 0, efd);
	if (ret)
		printf("# user: SET_IRQ_EVENTFD of vector 0 on %s: %s\n", node,
		       strerrorname_np(-ret));
	return ret ? ret : fd;
}

static int user_bind_vector0(void *p)
{
	return bind_vector0(((struct user_open *)p)->node) < 0 ? 1 : 0;
}

/* As the user: bind vector 0, tell the parent, keep the file open until told. */
static int hold_vector(void *p)
{
	struct user_hold *h = p;
	char c = bind_vector0(h->node) >= 0;

	if (write(h->ready[1], &c, 1) != 1 || !c)
		return 2;
	if (read(h->go[0], &c, 1) != 1)
		return 3;
	return 0;
}

/* Whether /proc/interrupts has a line naming @name. */
static bool irq_listed(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "grep -qw '%s' /proc/interrupts", name);
	return system(cmd) == 0;
}

/*
 * 7a. A revoked file's MSI-X bindings go with the revocation: the user binds
 * vector 0 of the first e1000e (MSI-X) and keeps the file open; e1000 binds to
 * the sibling (revocation), the vector's IRQ is freed at once; with the
 * sibling unbound again, a new file of the same user binds vector 0 while the
 * revoked file is still open.
 */
static void step_revoked_vectors(const struct topology *t)
{
	struct user_open u = { .node = t->pair0_node };
	bool before, after;
	struct user_hold h;
	char name[48];
	int status, rebind;
	pid_t pid;

	snprintf(name, sizeof(name), "uio-dmabuf%d-msix0", uio_of(t->pair0));
	unbind(t->nic);
	pid = start_hold(&h, t->pair0_node, hold_vector);
	before = pid > 0 && irq_listed(name);
	bind_to(t->nic, "e1000");
	after = irq_listed(name);
	unbind(t->nic);
	rebind = as_user(user_bind_vector0, &u);
	status = pid > 0 ? finish_hold(&h, pid) : -1;
	record("revoked-vectors-unbound",
	       "the revoked file's vector freed at the revocation, bound again by a new file",
	       before && !after && rebind == 0 && status == 0,
	       "%s listed %s, then %s; new file's bind %s, holder status %d", name,
	       before ? "yes" : "no", after ? "yes" : "no", rebind ? "failed" : "ok", status);
}

/* As the user: bind vector 0; when told, ask INFO of the same file, and say what it got. */
static int hold_vector_info(void *p)
{
	struct user_hold *h = p;
	int fd = bind_vector0(h->node), ret;
	struct uio_dmabuf_info info;
	char c = fd >= 0;

	if (write(h->ready[1], &c, 1) != 1 || !c)
		return 2;
	if (read(h->go[0], &c, 1) != 1)
		return 3;
	ret = uiodmabuf_ioctl(fd, UIO_DMABUF_IOC_INFO, &info);
	printf("# user: INFO after the change: %s\n", ret ? strerrorname_np(-ret) : "success");
	c = ret == -ENODEV;
	if (write(h->ready[1], &c, 1) != 1)
		return 4;
	if (read(h->go[0], &c, 1) != 1)
		return 5;
	return 0;
}

/*
 * 7a'. The same when an ioctl finds the revocation late: the group turns lazy
 * while the user keeps vector 0 bound; the file's next ioctl (INFO) revokes,
 * and the vector's IRQ is freed then, while the file is still open.
 */
static void step_lazy_revoked_vectors(const struct topology *t)
{
	char name[48], path[256], c = 1;
	bool before, after, enodev;
	struct user_hold h;
	int status;
	pid_t pid;

	snprintf(name, sizeof(name), "uio-dmabuf%d-msix0", uio_of(t->pair0));
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", group_of(t->pair0));
	pid = start_hold(&h, t->pair0_node, hold_vector_info);
	before = pid > 0 && irq_listed(name);
	enodev = pid > 0 && !write_str(path, "DMA-FQ") && write(h.go[1], &c, 1) == 1 &&
		 read(h.ready[0], &c, 1) == 1 && c;
	after = irq_listed(name);
	status = pid > 0 ? finish_hold(&h, pid) : -1;
	set_group_type(t->pair0, "DMA");
	record("lazy-revoked-vectors-unbound",
	       "the vector freed when the file's next ioctl finds the group lazy",
	       before && enodev && !after && status == 0,
	       "%s listed %s, then %s; INFO %s; holder status %d", name,
	       before ? "yes" : "no", after ? "yes" : "no", enodev ? "ENODEV" : "not ENODEV",
	       status);
}

/*
 * 7b. A device that cannot be reset alone is not isolated: edu 1 shares its
 * bus with the e1000 (pci-stub now), so no bus reset, and has no FLR or PM.
 */
static void step_no_reset(const struct topology *t)
{
	unsigned int flags;

	unbind(t->bnic);
	bind_to(t->bnic, "pci-stub");
	set_group_type(t->edu1, "DMA");
	flags = isolation(t->edu1);
	record("no-reset-flags", "IOMMU, strict, viable, MSI isolated; no reset, not isolated",
	       flags == (UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT |
			 UIO_DMABUF_INFO_VIABLE | UIO_DMABUF_INFO_MSI_ISOLATED |
			 UIO_DMABUF_INFO_NO_DIRECT),
	       "isolation %#x", flags);
	case_user_refused("no-reset-refused", "/dev/uio-dmabuf1", "has no reset method");
	case_user_cmd("cli-list-no-reset", "list: not isolated, no reset",
		      "uio-dmabuf list 2>&1", "not isolated: no-reset");
}

/* Maps the first 16 KiB of @path (a BAR: sysfs resource0 or /dev/uioN's map 0). */
static volatile uint32_t *map_regs(const char *path, int *fd)
{
	void *p;

	*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	p = mmap(NULL, 0x4000, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED) {
		close(*fd);
		return NULL;
	}
	return p;
}

static void unmap_regs(volatile uint32_t *regs, int fd)
{
	munmap((void *)regs, 0x4000);
	close(fd);
}

/* An e1000 register of @bdf, read as root through sysfs; ~0 when unreadable. */
static uint32_t nic_reg(const char *bdf, unsigned int reg)
{
	volatile uint32_t *regs;
	char path[256];
	uint32_t val;
	int fd;

	pci_path(path, sizeof(path), bdf, "resource0");
	regs = map_regs(path, &fd);
	if (!regs)
		return ~0U;
	val = regs[reg / 4];
	unmap_regs(regs, fd);
	return val;
}

static void set_nic_reg(const char *bdf, unsigned int reg, uint32_t val)
{
	volatile uint32_t *regs;
	char path[256];
	int fd;

	pci_path(path, sizeof(path), bdf, "resource0");
	regs = map_regs(path, &fd);
	if (!regs)
		return;
	regs[reg / 4] = val;
	unmap_regs(regs, fd);
}

/*
 * As the user: open ->node, program the e1000's descriptor bases through
 * /dev/uioN, as a user's driver sets up its DMA engine; tell the parent, and
 * close everything once told.
 */
static int hold_programmed(void *p)
{
	struct user_hold *h = p;
	volatile uint32_t *regs = NULL;
	char uio[64];
	int node, fd = -1;
	char c;

	node = open(h->node, O_RDWR | O_CLOEXEC);
	snprintf(uio, sizeof(uio), "/dev/uio%s", h->node + strlen("/dev/uio-dmabuf"));
	if (node >= 0)
		regs = map_regs(uio, &fd);
	if (regs) {
		regs[E1000_RDBAL / 4] = 0x12345000;
		regs[E1000_TDBAL / 4] = 0x6789a000;
	}
	c = regs != NULL;
	if (write(h->ready[1], &c, 1) != 1 || !c)
		return 2;
	if (read(h->go[0], &c, 1) != 1)
		return 3;
	unmap_regs(regs, fd);
	close(node);
	return 0;
}

/*
 * 7c. Reset between users: the user programs the lone e1000's DMA engine
 * (its descriptor bases) and closes; the registers read their reset value (0)
 * once the node is closed, while they kept the user's values as long as it
 * was open. Then at unbind: values written while a node is open are gone
 * once the device is unbound, before any other driver can bind.
 */
static void step_reset_between_users(const struct topology *t)
{
	char node[32], drv[32];
	uint32_t rd_open, td_open, rd_closed, td_closed, before, after;
	struct user_hold h;
	int status;
	pid_t pid;

	unbind(t->lone);
	bind_to(t->lone, "uio_dmabuf");
	set_group_type(t->lone, "DMA");
	snprintf(node, sizeof(node), "/dev/uio-dmabuf%d", uio_of(t->lone));
	record("reset-flags", "an e1000 alone behind a root port: isolated, reset",
	       isolation(t->lone) == ISOLATED_ALL, "%s: isolation %#x", node, isolation(t->lone));

	pid = start_hold(&h, node, hold_programmed);
	rd_open = pid > 0 ? nic_reg(t->lone, E1000_RDBAL) : ~0U;
	td_open = pid > 0 ? nic_reg(t->lone, E1000_TDBAL) : ~0U;
	status = pid > 0 ? finish_hold(&h, pid) : -1;
	rd_closed = nic_reg(t->lone, E1000_RDBAL);
	td_closed = nic_reg(t->lone, E1000_TDBAL);
	record("reset-at-last-close", "the user's descriptor bases kept while open, 0 after close",
	       status == 0 && rd_open == 0x12345000 && td_open == 0x6789a000 && !rd_closed &&
	       !td_closed, "holder status %d; RDBAL %#x then %#x, TDBAL %#x then %#x", status,
	       rd_open, rd_closed, td_open, td_closed);

	pid = start_hold(&h, node, hold_node);
	set_nic_reg(t->lone, E1000_RDBAL, 0x11111000);
	before = nic_reg(t->lone, E1000_RDBAL);
	unbind(t->lone);
	after = nic_reg(t->lone, E1000_RDBAL);
	status = pid > 0 ? finish_hold(&h, pid) : -1;
	driver_of(t->lone, drv, sizeof(drv));
	record("reset-at-unbind", "unbound with a node open: RDBAL 0 before another driver binds",
	       status == 0 && before == 0x11111000 && !after && !drv[0],
	       "holder status %d, RDBAL %#x then %#x, driver \"%s\"", status, before, after, drv);
}

/* @bdf's device path in sysfs runs through @port's. */
static bool behind(const char *bdf, const char *port)
{
	char link[256], target[256], needle[48];
	ssize_t r;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%.32s", bdf);
	r = readlink(link, target, sizeof(target) - 1);
	if (r < 0)
		return false;
	target[r] = 0;
	snprintf(needle, sizeof(needle), "/%.32s/", port);
	return strstr(target, needle);
}

/* The first edu whose path runs through @port, bound to uio_dmabuf. */
static int find_edu_behind(const char *port, char *bdf, size_t len)
{
	int n;

	for (n = 0; n < 8; n++)
		if (!uio_bdf(n, bdf, len) && behind(bdf, port))
			return 0;
	return -ENOENT;
}

/*
 * 8. An edu behind a root port that firmware (our SSDT) marks external-facing:
 * Linux marks it untrusted (sysfs shows it removable) and gives its group a
 * strict domain where the default is lazy, so it is isolated without the fix;
 * its mappings need SYNC, and IMPORT_COHERENT is refused.
 */
static void step_untrusted(const struct topology *t)
{
	char path[256], removable[32] = "";
	struct user_dma u = { .uio = uio_of(t->outside), .untrusted = true };
	int ret;

	pci_path(path, sizeof(path), t->outside, "removable");
	read_str(path, removable, sizeof(removable));
	record("untrusted-removable", "the edu behind the external-facing port is removable",
	       !strcmp(removable, "removable"), "%s: removable \"%s\"", t->outside, removable);
	record("untrusted-strict", "isolated behind a lazy default: its group is strict",
	       isolation(t->outside) == ISOLATED_ALL, "isolation %#x", isolation(t->outside));
	ret = as_user(user_dma, &u);
	record("untrusted-needs-sync", "uid 1000: COHERENT refused (EIO), NEEDS_SYNC reported, "
	       "edu's DMA verifies with SYNC", ret == 0, "child status %d", ret);
}

/* 9. Bridges are refused at probe. */
static void step_bridge_refused(const struct topology *t)
{
	char path[256], val[32];

	bind_to(t->bridge, "uio_dmabuf");
	driver_of(t->bridge, val, sizeof(val));
	record("bridge-refused", "the bridge does not bind",
	       strcmp(val, "uio_dmabuf") && kmsg_count("only normal (type 0) functions") > 0,
	       "driver \"%s\"", val);
	pci_path(path, sizeof(path), t->bridge, "driver_override");
	write_str(path, "\n");
}

/* 10. Unbind gives the device its DMA mask back. */
static void step_unbind_restores_mask(const struct topology *t)
{
	char path[256], msg[128], val[32];

	pci_path(path, sizeof(path), t->edu0, "uio_dmabuf/dma_mask_bits");
	write_str(path, "40");
	pci_path(path, sizeof(path), t->edu0, "dma_mask_bits");
	read_str(path, msg, sizeof(msg));
	unbind(t->edu0);
	read_str(path, val, sizeof(val));
	record("unbind-restores-mask", "PCI's dma_mask_bits back to 32 after unbind",
	       !strcmp(msg, "40") && !strcmp(val, "32"), "bound %s, unbound %s", msg, val);
	bind_to(t->edu0, "uio_dmabuf");
}

static void boot_isolated(void)
{
	struct topology t = { 0 };

	/* The bridge's e1000 sits at 02.0, the slot's at 00.2, the lone one at 00.0. */
	if (uio_bdf(0, t.edu0, sizeof(t.edu0)) || uio_bdf(1, t.edu1, sizeof(t.edu1)) ||
	    find_pci_at("0x8086", "0x100e", ":02.0", t.bnic, sizeof(t.bnic)) ||
	    find_pci("0x1b36", "0x0001", t.bridge, sizeof(t.bridge)) ||
	    find_pci_at("0x8086", "0x100e", ":00.2", t.nic, sizeof(t.nic)) ||
	    find_pci_at("0x8086", "0x10d3", ":00.0", t.pair0, sizeof(t.pair0)) ||
	    find_pci_at("0x8086", "0x10d3", ":00.1", t.pair1, sizeof(t.pair1)) ||
	    find_pci_at("0x8086", "0x100e", ":00.0", t.lone, sizeof(t.lone)) ||
	    find_edu_behind("0000:00:10.0", t.outside, sizeof(t.outside))) {
		record("topology", "edu 0, edu 1 behind a bridge beside an e1000, a slot of "
		       "two e1000e and an e1000, an e1000 alone, an edu behind an external "
		       "port", false, "devices missing");
		return;
	}
	printf("# edu %s (group %d); edu %s and e1000 %s behind bridge %s (group %d); "
	       "e1000e %s, %s and e1000 %s (group %d); e1000 %s (group %d); "
	       "edu %s behind the external port (group %d)\n",
	       t.edu0, group_of(t.edu0), t.edu1, t.bnic, t.bridge, group_of(t.edu1),
	       t.pair0, t.pair1, t.nic, group_of(t.pair0), t.lone, group_of(t.lone),
	       t.outside, group_of(t.outside));
	step_lazy_refused(&t);
	step_strict_after_fix(&t);
	step_user_dma();
	step_read_only(0);
	step_lazy_while_open(&t);
	step_shared_group(&t);
	step_pci_stub_sibling(&t);
	step_group_owner(&t);
	step_sibling_bind(&t);
	step_revoked_vectors(&t);
	step_lazy_revoked_vectors(&t);
	step_no_reset(&t);
	step_reset_between_users(&t);
	step_untrusted(&t);
	step_bridge_refused(&t);
	step_unbind_restores_mask(&t);
}

static void boot_nointremap(void)
{
	char edu0[32];
	unsigned int flags;

	if (uio_bdf(0, edu0, sizeof(edu0))) {
		record("topology", "edu 0", false, "missing");
		return;
	}
	flags = isolation(edu0);
	record("nointremap-flags", "IOMMU, strict, viable, reset; MSI not isolated",
	       flags == (UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT | UIO_DMABUF_INFO_VIABLE |
			 UIO_DMABUF_INFO_RESET | UIO_DMABUF_INFO_NO_DIRECT),
	       "isolation %#x", flags);
	case_user_refused("no-intremap-refused", "/dev/uio-dmabuf0", "are not isolated: enable interrupt remapping");
}

static void boot_noiommu(void)
{
	char edu0[32];
	unsigned int flags;
	int fd, opens;

	if (uio_bdf(0, edu0, sizeof(edu0))) {
		record("topology", "edu 0", false, "missing");
		return;
	}
	flags = isolation(edu0);
	record("noiommu-flags", "reset only", flags == UIO_DMABUF_INFO_RESET, "isolation %#x", flags);
	write_str("/sys/module/uio_dmabuf/parameters/allow_unsafe_noiommu", "N");
	case_user_refused("noiommu-refused", "/dev/uio-dmabuf0", "no IOMMU translates the device");
	fd = open("/dev/uio-dmabuf0", O_RDWR | O_CLOEXEC);
	record("noiommu-root-refused", "EPERM for root without allow_unsafe_noiommu",
	       fd < 0 && errno == EPERM, "got %s", fd < 0 ? strerrorname_np(errno) : "success");
	if (fd >= 0)
		close(fd);

	/* With the parameter the user is still refused: no CAP_SYS_RAWIO. */
	write_str("/sys/module/uio_dmabuf/parameters/allow_unsafe_noiommu", "Y");
	case_user_refused("noiommu-user-with-param-refused", "/dev/uio-dmabuf0",
			  "needs uio_dmabuf.allow_unsafe_noiommu=1 and CAP_SYS_RAWIO");

	/* Root is let in; every open is logged, the first taints. */
	opens = kmsg_count("unsafe DMA opened by security:");
	for (int i = 0; i < 2; i++) {
		fd = open("/dev/uio-dmabuf0", O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	opens = kmsg_count("unsafe DMA opened by security:") - opens;
	record("noiommu-every-open-logged", "2 opens, 2 lines naming comm:pid, tainted once",
	       opens == 2 && (tainted() & 64) && kmsg_count("kernel tainted") == 1,
	       "%d lines, tainted %ld", opens, tainted());
	write_str("/sys/module/uio_dmabuf/parameters/allow_unsafe_noiommu", "N");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "boot", required_argument, NULL, 'b' },
		{ 0 }
	};
	const char *boot = "isolated";
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'b')
			return 2;
		boot = optarg;
	}
	printf("# security: boot %s\n", boot);
	grant();
	if (!strcmp(boot, "isolated"))
		boot_isolated();
	else if (!strcmp(boot, "nointremap"))
		boot_nointremap();
	else if (!strcmp(boot, "noiommu"))
		boot_noiommu();
	else
		return 2;

	return print_results("security");
}
