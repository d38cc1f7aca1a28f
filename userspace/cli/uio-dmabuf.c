// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uio-dmabuf: list devices served by uio_dmabuf and dma-heaps, allocate or take
 * a dma-buf, import it on a device and print its DMA segments.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "uiodmabuf.h"

#define EXIT_USAGE	2

/* Options shared by alloc and import. */
struct import_opts {
	const char *device;
	const char *heap;
	const char *from;	/* "heap", "udmabuf", "drm" or "drm:PATH" */
	const char *size_text;
	uint64_t size;
	int fd;
	bool contiguous;
	bool coherent;
	uint32_t direction;
	bool json;
	char **hold;		/* argv of the command to run while held, or NULL */
};

static const char *const direction_names[] = {
	[UIO_DMABUF_DIR_BIDIRECTIONAL] = "bidirectional",
	[UIO_DMABUF_DIR_TO_DEVICE] = "to-device",
	[UIO_DMABUF_DIR_FROM_DEVICE] = "from-device",
};

/* Reports a failure on stderr (and as JSON on stdout); returns the exit status. */
static int fail(bool json, const char *command, const char *device, const char *buffer,
		const char *operation, int err, const char *detail)
{
	struct udb_failure e = {
		.command = command, .device = device, .buffer = buffer,
		.operation = operation, .err = err < 0 ? -err : err, .detail = detail,
	};

	udb_print_failure_line(stderr, &e);
	if (json)
		udb_print_failure_json(stdout, &e);
	return err ? EXIT_FAILURE : EXIT_USAGE;
}

static int usage_error(bool json, const char *command, const char *detail)
{
	return fail(json, command, NULL, NULL, "invalid arguments", 0, detail);
}

static void usage_list(FILE *f)
{
	fputs("usage: uio-dmabuf list [--json]\n"
	      "List the UIO devices bound to uio_dmabuf: UIO name, import node, bus and\n"
	      "device, PCI vendor:device, DMA mask width and IOMMU state.\n", f);
}

static void usage_heaps(FILE *f)
{
	fputs("usage: uio-dmabuf heaps [--json]\n"
	      "List the dma-heaps in /dev/dma_heap, marking the one --heap cma selects.\n", f);
}

static void usage_alloc(FILE *f)
{
	fputs("usage: uio-dmabuf alloc --device DEV --size SIZE [--heap NAME | --from SOURCE]\n"
	      "                        [--contiguous] [--coherent] [--direction DIR] [--json]\n"
	      "                        [--hold -- COMMAND [ARG...]]\n"
	      "Allocate a buffer, import it on DEV and print its DMA segments.\n"
	      "  --device DEV     uio0, 0, /dev/uio0 or /dev/uio-dmabuf0\n"
	      "  --size SIZE      bytes, with an optional K, M or G suffix (16M)\n"
	      "  --heap NAME      dma-heap: system (the default), cma, or a heap's name\n"
	      "  --from SOURCE    heap (the default), udmabuf (a memfd through /dev/udmabuf),\n"
	      "                   drm or drm:/dev/dri/cardN (a dumb buffer exported with PRIME)\n"
	      "  --contiguous     fail with E2BIG unless the buffer is one DMA segment\n"
	      "  --coherent       fail with EIO if the mapping needs SYNC (bounced through\n"
	      "                   swiotlb, or a device that is not cache-coherent);\n"
	      "                   --no-bounce is the same\n"
	      "  --direction DIR  bidirectional (the default), to-device or from-device\n"
	      "  --json           print one JSON document instead of the table\n"
	      "  --hold -- CMD    keep the buffer imported while CMD runs, then exit with\n"
	      "                   its status; see ENVIRONMENT in uio-dmabuf(1)\n", f);
}

static void usage_import(FILE *f)
{
	fputs("usage: uio-dmabuf import --device DEV --fd N [--contiguous] [--coherent]\n"
	      "                         [--direction DIR]\n"
	      "                         [--json] [--hold -- COMMAND [ARG...]]\n"
	      "Import the dma-buf open as file descriptor N on DEV and print its DMA segments.\n"
	      "Options as for alloc.\n", f);
}

static void usage_main(FILE *f)
{
	fputs("usage: uio-dmabuf COMMAND [OPTIONS]\n"
	      "Import dma-bufs on UIO devices bound to the uio_dmabuf driver and show the\n"
	      "DMA addresses the device must use.\n\n"
	      "commands:\n"
	      "  list     UIO devices served by uio_dmabuf\n"
	      "  heaps    available dma-heaps\n"
	      "  alloc    allocate a buffer, import it, print its segments\n"
	      "  import   import a dma-buf the caller already has open\n"
	      "  help     help on a command\n\n"
	      "Every command takes --json and --help. See uio-dmabuf(1).\n", f);
}

/* Copies @src into @dst; -ENAMETOOLONG (and @dst empty) when it does not fit. */
static int copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len) {
		dst[0] = 0;
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

/* Reads a sysfs file's first line into @buf; returns 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	else
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return ret;
}

/* The last component of a symlink's target, into @buf; returns 0 or -errno. */
static int link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *slash;

	if (n < 0)
		return -errno;
	target[n] = 0;
	slash = strrchr(target, '/');
	return copy_str(buf, len, slash ? slash + 1 : target);
}

static void describe_device(const char *uio, struct udb_device *d)
{
	char path[PATH_MAX], line[64], group[32];

	memset(d, 0, sizeof(*d));
	copy_str(d->uio, sizeof(d->uio), uio);
	d->index = (unsigned int)strtoul(uio + 3, NULL, 10);
	snprintf(d->node, sizeof(d->node), "/dev/uio-dmabuf%u", d->index);
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device", uio);
	link_name(path, d->id, sizeof(d->id));
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/subsystem", uio);
	link_name(path, d->bus, sizeof(d->bus));
	if (!strcmp(d->bus, "pci")) {
		snprintf(path, sizeof(path), "/sys/class/uio/%s/device/vendor", uio);
		read_line(path, d->vendor, sizeof(d->vendor));
		snprintf(path, sizeof(path), "/sys/class/uio/%s/device/device", uio);
		read_line(path, d->device_id, sizeof(d->device_id));
	}
	d->dma_mask_bits = -1;
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/uio_dmabuf/dma_mask_bits", uio);
	if (!read_line(path, line, sizeof(line)))
		d->dma_mask_bits = atoi(line);
	d->iommu_group = -1;
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/iommu_group", uio);
	if (!link_name(path, group, sizeof(group))) {
		d->iommu_group = atoi(group);
		snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/type", group);
		if (!read_line(path, d->iommu_type, sizeof(d->iommu_type)))
			d->iommu = !strncmp(d->iommu_type, "DMA", 3);
	}
	d->isolation = -1;
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/uio_dmabuf/isolation", uio);
	if (!read_line(path, line, sizeof(line)))
		d->isolation = (int)strtol(line, NULL, 16);
}

/*
 * Opens the import node @node; a failure is reported, a refusal (EPERM) with
 * the isolation conditions the device does not meet and their fixes.
 */
static int open_node(bool json, const char *command, const char *node, const char *buffer,
		     int *status)
{
	char uio[32], hint[768];
	struct udb_device d;
	int fd = uiodmabuf_open(node);

	if (fd >= 0)
		return fd;
	if (fd == -EPERM) {
		snprintf(uio, sizeof(uio), "uio%s", node + strcspn(node, "0123456789"));
		describe_device(uio, &d);
		udb_isolation_hint(hint, sizeof(hint), d.isolation, d.iommu_group);
	}
	*status = fail(json, command, node, buffer, "open", fd, fd == -EPERM ? hint : NULL);
	return -1;
}

static int cmp_uio(const void *a, const void *b)
{
	const struct udb_device *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	struct udb_device *devs = NULL, *grown;
	bool json = false;
	struct dirent *e;
	int c, n = 0;
	DIR *d;

	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		if (c == 'h') {
			usage_list(stdout);
			return 0;
		}
		if (c != 'j')
			return usage_error(false, "list", "see uio-dmabuf list --help");
		json = true;
	}
	if (optind < argc)
		return usage_error(json, "list", "unexpected argument");

	d = opendir("/sys/class/uio");
	if (d) {
		while ((e = readdir(d))) {
			char path[PATH_MAX], name[64];

			if (strncmp(e->d_name, "uio", 3) || strlen(e->d_name) >= sizeof(devs->uio))
				continue;
			snprintf(path, sizeof(path), "/sys/class/uio/%s/name", e->d_name);
			if (read_line(path, name, sizeof(name)) || strcmp(name, "uio_dmabuf"))
				continue;
			grown = realloc(devs, (size_t)(n + 1) * sizeof(*devs));
			if (!grown) {
				closedir(d);
				free(devs);
				return fail(json, "list", NULL, NULL, "list devices", ENOMEM, NULL);
			}
			devs = grown;
			describe_device(e->d_name, &devs[n++]);
		}
		closedir(d);
	}
	if (n)
		qsort(devs, (size_t)n, sizeof(*devs), cmp_uio);
	if (json)
		udb_print_devices_json(stdout, devs, n);
	else
		udb_print_devices_table(stdout, devs, n);
	free(devs);
	return 0;
}

static int cmp_heap(const void *a, const void *b)
{
	return strcmp(((const struct udb_heap *)a)->name, ((const struct udb_heap *)b)->name);
}

static int cmd_heaps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	struct udb_heap *heaps = NULL, *grown;
	char cma[128] = "";
	bool json = false;
	struct dirent *e;
	int c, i, n = 0;
	DIR *d;

	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		if (c == 'h') {
			usage_heaps(stdout);
			return 0;
		}
		if (c != 'j')
			return usage_error(false, "heaps", "see uio-dmabuf heaps --help");
		json = true;
	}
	if (optind < argc)
		return usage_error(json, "heaps", "unexpected argument");

	uiodmabuf_heap_resolve("cma", cma, sizeof(cma));
	d = opendir("/dev/dma_heap");
	if (d) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(heaps->name))
				continue;
			grown = realloc(heaps, (size_t)(n + 1) * sizeof(*heaps));
			if (!grown) {
				closedir(d);
				free(heaps);
				return fail(json, "heaps", NULL, NULL, "list heaps", ENOMEM, NULL);
			}
			heaps = grown;
			copy_str(heaps[n].name, sizeof(heaps[n].name), e->d_name);
			n++;
		}
		closedir(d);
	}
	if (n)
		qsort(heaps, (size_t)n, sizeof(*heaps), cmp_heap);
	for (i = 0; i < n; i++)
		heaps[i].cma = cma[0] && !strcmp(heaps[i].name, cma);
	if (json)
		udb_print_heaps_json(stdout, heaps, n);
	else
		udb_print_heaps_table(stdout, heaps, n);
	free(heaps);
	return 0;
}

/* Runs @argv with the import's fds inherited; returns its exit status. */
static int run_held(char **argv, int node_fd, const char *node, int buf_fd,
		    const struct uio_dmabuf_import *imp, const char *command)
{
	char num[32];
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail(false, command, node, NULL, "fork", errno, NULL);
	if (!pid) {
		snprintf(num, sizeof(num), "%d", node_fd);
		setenv("UIO_DMABUF_FD", num, 1);
		snprintf(num, sizeof(num), "%d", buf_fd);
		setenv("UIO_DMABUF_BUF_FD", num, 1);
		snprintf(num, sizeof(num), "%" PRIu32, imp->handle);
		setenv("UIO_DMABUF_HANDLE", num, 1);
		snprintf(num, sizeof(num), "%" PRIu64, (uint64_t)imp->size);
		setenv("UIO_DMABUF_SIZE", num, 1);
		setenv("UIO_DMABUF_DEVICE", node, 1);
		/* The two descriptors stay open across exec; nothing else does. */
		fcntl(node_fd, F_SETFD, 0);
		fcntl(buf_fd, F_SETFD, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "uio-dmabuf: %s: --hold: cannot run %s: %s\n", command, argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail(false, command, node, NULL, "wait for the held command", errno,
				    NULL);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Imports @buf_fd on the node, prints the report, runs --hold; returns the exit status. */
static int import_and_report(const struct import_opts *o, const char *command, int node_fd,
			     const char *node, int buf_fd, const char *buffer,
			     const char *source, const char *heap)
{
	struct uio_dmabuf_segment *segs = NULL;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_info info;
	struct udb_report r;
	uint32_t nr = 0;
	int ret, status;

	ret = uiodmabuf_info(node_fd, &info);
	if (ret)
		return fail(o->json, command, node, buffer, "read device info", ret, NULL);
	ret = uiodmabuf_import(node_fd, buf_fd, o->direction,
			       (o->contiguous ? UIO_DMABUF_IMPORT_CONTIGUOUS : 0) |
			       (o->coherent ? UIO_DMABUF_IMPORT_COHERENT : 0), &imp);
	if (ret)
		return fail(o->json, command, node, buffer, "import", ret,
			    ret == -E2BIG ? "the buffer is not one DMA segment" : NULL);
	ret = uiodmabuf_get_segments(node_fd, imp.handle, &segs, &nr);
	if (ret) {
		status = fail(o->json, command, node, buffer, "read segments", ret, NULL);
		goto release;
	}

	r = (struct udb_report){
		.command = command, .device = node, .uio_index = info.uio_index,
		.source = source, .buffer = buffer, .heap = heap, .buf_fd = buf_fd,
		.size = imp.size, .handle = imp.handle,
		.direction = direction_names[o->direction],
		.iommu = info.flags & UIO_DMABUF_INFO_IOMMU,
		.needs_sync = imp.map_flags & UIO_DMABUF_MAP_NEEDS_SYNC, .segs = segs, .nr_segs = nr,
	};
	if (o->json)
		udb_print_report_json(stdout, &r);
	else
		udb_print_report_table(stdout, &r);
	status = 0;
	if (o->hold)
		status = run_held(o->hold, node_fd, node, buf_fd, &imp, command);
	free(segs);
release:
	ret = uiodmabuf_release(node_fd, imp.handle);
	if (ret && !status)
		status = fail(o->json && !o->hold, command, node, buffer, "release", ret, NULL);
	return status;
}

/* Parses alloc's and import's options; returns 0 or an exit status. */
/* The options only alloc takes, and their defaults. */
static int check_alloc_opts(struct import_opts *o, const char *command, const char *fd_text)
{
	int ret;

	if (fd_text)
		return usage_error(o->json, command, "--fd belongs to import");
	if (!o->size_text)
		return usage_error(o->json, command, "--size is required");
	ret = uiodmabuf_parse_size(o->size_text, &o->size);
	if (ret)
		return fail(o->json, command, o->device, NULL, "parse --size", ret,
			    "expected bytes with an optional K, M or G suffix");
	if (!o->size)
		return fail(o->json, command, o->device, NULL, "parse --size", EINVAL,
			    "the size must be larger than 0");
	if (!o->from)
		o->from = "heap";
	if (o->heap && strcmp(o->from, "heap"))
		return usage_error(o->json, command, "--heap goes with --from heap only");
	if (!o->heap)
		o->heap = "system";
	if (strcmp(o->from, "heap") && strcmp(o->from, "udmabuf") &&
	    strcmp(o->from, "drm") && strncmp(o->from, "drm:", 4))
		return usage_error(o->json, command,
				   "--from must be heap, udmabuf, drm or drm:PATH");
	return 0;
}

/* The options only import takes. */
static int check_import_opts(struct import_opts *o, const char *command, const char *fd_text)
{
	char *end;
	long v;

	if (o->heap || o->from || o->size_text)
		return usage_error(o->json, command,
				   "--heap, --from and --size belong to alloc");
	if (!fd_text)
		return usage_error(o->json, command, "--fd is required");
	errno = 0;
	v = strtol(fd_text, &end, 10);
	if (*end || end == fd_text || errno || v < 0 || v > INT_MAX)
		return usage_error(o->json, command, "--fd must be a file descriptor number");
	o->fd = (int)v;
	return 0;
}

/*
 * What alloc and import check alike: the command after --hold (@rest: the
 * @nr_rest arguments left, NULL without --hold), --device and --direction.
 */
static int check_common_opts(struct import_opts *o, const char *command, char **rest,
			     int nr_rest, const char *dir_text)
{
	int i;

	if (rest) {
		if (!nr_rest)
			return usage_error(o->json, command, "--hold needs -- COMMAND [ARG...]");
		o->hold = rest;
	} else if (nr_rest) {
		return usage_error(o->json, command, "unexpected argument (did you mean --hold --?)");
	}
	if (!o->device)
		return usage_error(o->json, command, "--device is required");
	if (dir_text) {
		for (i = 0; i < 3 && strcmp(dir_text, direction_names[i]); i++)
			;
		if (i == 3)
			return usage_error(o->json, command,
					   "--direction must be bidirectional, to-device or from-device");
		o->direction = (uint32_t)i;
	}
	return 0;
}

static int parse_import_opts(int argc, char **argv, const char *command, bool alloc,
			     struct import_opts *o)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "heap", required_argument, NULL, 'H' },
		{ "from", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "fd", required_argument, NULL, 'F' },
		{ "contiguous", no_argument, NULL, 'c' },
		{ "coherent", no_argument, NULL, 'C' },
		{ "no-bounce", no_argument, NULL, 'C' },
		{ "direction", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "hold", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *fd_text = NULL, *dir_text = NULL;
	bool hold = false;
	int c, i, ret;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	/* --json anywhere applies to the errors found while parsing, too. */
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			o->json = true;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->device = optarg; break;
		case 'H': o->heap = optarg; break;
		case 'f': o->from = optarg; break;
		case 's': o->size_text = optarg; break;
		case 'F': fd_text = optarg; break;
		case 'c': o->contiguous = true; break;
		case 'C': o->coherent = true; break;
		case 'D': dir_text = optarg; break;
		case 'j': o->json = true; break;
		case 'o': hold = true; break;
		case 'h':
			(alloc ? usage_alloc : usage_import)(stdout);
			return -1;
		default:
			return usage_error(o->json, command, alloc ? "see uio-dmabuf alloc --help" :
					   "see uio-dmabuf import --help");
		}
	}
	ret = check_common_opts(o, command, hold ? argv + optind : NULL, argc - optind, dir_text);
	if (ret)
		return ret;
	return alloc ? check_alloc_opts(o, command, fd_text) : check_import_opts(o, command, fd_text);
}

static int cmd_alloc(int argc, char **argv)
{
	char node[256], buffer[320], size[32], heap[128] = "";
	const char *source, *heap_name = NULL;
	struct import_opts o;
	int ret, node_fd, buf_fd, status;

	ret = parse_import_opts(argc, argv, "alloc", true, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	udb_format_size(size, sizeof(size), o.size);
	ret = uiodmabuf_node_path(o.device, node, sizeof(node));
	if (ret)
		return fail(o.json, "alloc", o.device, NULL, "find the import node", ret,
			    "--device takes uio0, 0, /dev/uio0 or /dev/uio-dmabuf0");

	if (!strcmp(o.from, "heap")) {
		source = "heap";
		ret = uiodmabuf_heap_resolve(o.heap, heap, sizeof(heap));
		if (!ret)
			heap_name = heap;
		if (!ret && strcmp(o.heap, heap))
			snprintf(buffer, sizeof(buffer), "%s (%s) heap %s", o.heap, heap, size);
		else
			snprintf(buffer, sizeof(buffer), "%s heap %s", o.heap, size);
	} else if (!strcmp(o.from, "udmabuf")) {
		source = "udmabuf";
		snprintf(buffer, sizeof(buffer), "udmabuf %s", size);
	} else {
		source = "drm";
		snprintf(buffer, sizeof(buffer), "drm %s %s",
			 o.from[3] == ':' ? o.from + 4 : "vgem", size);
	}
	if (ret)
		return fail(o.json, "alloc", node, buffer, "find the heap", ret,
			    ret == -ENOENT ? "see uio-dmabuf heaps" : NULL);

	node_fd = open_node(o.json, "alloc", node, buffer, &status);
	if (node_fd < 0)
		return status;

	if (!strcmp(source, "heap"))
		buf_fd = uiodmabuf_heap_alloc(heap, o.size);
	else if (!strcmp(source, "udmabuf"))
		buf_fd = uiodmabuf_udmabuf_alloc(o.size);
	else
		buf_fd = uiodmabuf_drm_alloc(o.from[3] == ':' ? o.from + 4 : NULL, o.size);
	if (buf_fd < 0) {
		status = fail(o.json, "alloc", node, buffer, "allocate", buf_fd, NULL);
		goto close_node;
	}
	status = import_and_report(&o, "alloc", node_fd, node, buf_fd, buffer, source, heap_name);
	close(buf_fd);
close_node:
	close(node_fd);
	return status;
}

static int cmd_import(int argc, char **argv)
{
	char node[256], buffer[32];
	struct import_opts o;
	int ret, node_fd, status;

	ret = parse_import_opts(argc, argv, "import", false, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	snprintf(buffer, sizeof(buffer), "fd %d", o.fd);
	ret = uiodmabuf_node_path(o.device, node, sizeof(node));
	if (ret)
		return fail(o.json, "import", o.device, buffer, "find the import node", ret,
			    "--device takes uio0, 0, /dev/uio0 or /dev/uio-dmabuf0");
	if (fcntl(o.fd, F_GETFD) < 0)
		return fail(o.json, "import", node, buffer, "check the buffer fd", errno,
			    NULL);
	node_fd = open_node(o.json, "import", node, buffer, &status);
	if (node_fd < 0)
		return status;
	status = import_and_report(&o, "import", node_fd, node, o.fd, buffer, "fd", NULL);
	close(node_fd);
	return status;
}

static int cmd_help(int argc, char **argv);

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);
} commands[] = {
	{ "list", cmd_list, usage_list },
	{ "heaps", cmd_heaps, usage_heaps },
	{ "alloc", cmd_alloc, usage_alloc },
	{ "import", cmd_import, usage_import },
	{ "help", cmd_help, usage_main },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int cmd_help(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage_main(stdout);
		return 0;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			commands[i].usage(stdout);
			return 0;
		}
	}
	return usage_error(false, "help", "no such command; see uio-dmabuf --help");
}

/* Open file descriptors of this process, for UIO_DMABUF_CHECK_FDS. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

int main(int argc, char **argv)
{
	bool check_fds = getenv("UIO_DMABUF_CHECK_FDS") != NULL;
	int fds = check_fds ? count_fds() : 0;
	int status = -1;
	size_t i;

	signal(SIGPIPE, SIG_DFL);
	if (argc < 2) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_main(stdout);
		return 0;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			optind = 1;
			status = commands[i].run(argc - 1, argv + 1);
			break;
		}
	}
	if (status < 0)
		status = usage_error(false, argv[1], "no such command; see uio-dmabuf --help");
	if (check_fds && count_fds() != fds) {
		fprintf(stderr, "uio-dmabuf: %s: %d file descriptors open at exit, %d at start\n",
			argv[1], count_fds(), fds);
		return 70;
	}
	return status;
}
