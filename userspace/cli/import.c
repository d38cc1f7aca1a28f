// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uio-dmabuf alloc and import: take a dma-buf (allocated here, or open already),
 * import it on a device, print its DMA segments, and hold it while a command runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "format.h"
#include "uiodmabuf.h"

/* Options shared by alloc and import. */
struct import_opts {
	const char *device;
	const char *heap;
	const char *from;	/* "heap", "udmabuf", "drm" or "drm:PATH" */
	const char *source;	/* alloc: what --from names, "heap", "udmabuf" or "drm" */
	const char *card;	/* alloc: PATH of drm:PATH, NULL for the default card */
	const char *size_text;
	uint64_t size;
	int fd;
	bool contiguous;
	bool coherent;
	uint32_t direction;
	char **hold;		/* argv of the command to run while held, or NULL */
};

static const char *const direction_names[] = {
	[UIO_DMABUF_DIR_BIDIRECTIONAL] = "bidirectional",
	[UIO_DMABUF_DIR_TO_DEVICE] = "to-device",
	[UIO_DMABUF_DIR_FROM_DEVICE] = "from-device",
};

/*
 * Opens the import node @node; a refusal (EPERM) is reported with the
 * isolation conditions the device does not meet, a busy IOMMU group (EBUSY)
 * with its owner, a failed reset (EAGAIN), a missing node with what provides it.
 */
static int open_node(const char *command, const char *node, const char *buffer, int *status)
{
	int fd = uiodmabuf_open(node);
	bool described = fd == -EPERM || fd == -ENOENT || fd == -EBUSY || fd == -EAGAIN;
	char hint[768];

	if (fd >= 0)
		return fd;
	if (described)
		cli_describe_node(node, fd, hint, sizeof(hint));
	*status = cli_fail(command, node, buffer, "open", fd, described ? hint : NULL);
	return -1;
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
		return cli_fail(command, node, NULL, "fork", errno, NULL);
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
		fprintf(stderr, "uio-dmabuf: %s: --hold: cannot run '%s': %s\n", command, argv[0],
			strerror(errno));
		_exit(errno == ENOENT ? EXIT_HOLD_NOENT : EXIT_HOLD_EXEC);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cli_fail(command, node, NULL, "wait for the held command", errno,
					NULL);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * Imports @buf_fd on the node and prints the report: without --hold once the
 * import is released again (so that a failed release is the one document
 * printed), with --hold before the command runs. Returns the exit status.
 */
static int import_and_report(const struct import_opts *o, const char *command, int node_fd,
			     const char *node, int buf_fd, const char *buffer,
			     const char *source, const char *heap)
{
	struct uio_dmabuf_segment *segs = NULL;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_info info;
	struct udb_report r;
	uint32_t nr = 0;
	int ret, status = 0;

	ret = uiodmabuf_info(node_fd, &info);
	if (ret)
		return cli_fail(command, node, buffer, "read device info", ret, NULL);
	ret = uiodmabuf_import_segments(node_fd, buf_fd, o->direction,
					(o->contiguous ? UIO_DMABUF_IMPORT_CONTIGUOUS : 0) |
					(o->coherent ? UIO_DMABUF_IMPORT_COHERENT : 0),
					&imp, &segs, &nr);
	if (ret)
		return cli_fail(command, node, buffer, "import", ret,
				ret == -E2BIG ? "the buffer is not one DMA segment" : NULL);

	r = (struct udb_report){
		.command = command, .device = node, .uio_index = info.uio_index,
		.source = source, .buffer = buffer, .heap = heap, .buf_fd = buf_fd,
		.size = imp.size, .handle = imp.handle,
		.direction = direction_names[o->direction],
		.iommu = info.flags & UIO_DMABUF_INFO_IOMMU,
		.needs_sync = imp.map_flags & UIO_DMABUF_MAP_NEEDS_SYNC,
		.peer = imp.map_flags & UIO_DMABUF_MAP_PEER, .segs = segs, .nr_segs = nr,
	};
	if (!status && o->hold) {
		(cli.json ? udb_print_report_json : udb_print_report_table)(stdout, &r);
		cli.printed = cli.json;
		status = run_held(o->hold, node_fd, node, buf_fd, &imp, command);
	}
	ret = uiodmabuf_release(node_fd, imp.handle);
	if (ret && (!status || !o->hold))
		status = cli_fail(command, node, buffer, "release", ret, NULL);
	if (!status && !o->hold)
		(cli.json ? udb_print_report_json : udb_print_report_table)(stdout, &r);
	free(segs);
	return status;
}

/* The options only alloc takes, and their defaults. */
static int check_alloc_opts(struct import_opts *o, const char *command, const char *fd_text)
{
	int ret;

	if (fd_text)
		return cli_usage(command, "--fd belongs to import");
	if (!o->size_text)
		return cli_usage(command, "--size is required");
	ret = uiodmabuf_parse_size(o->size_text, &o->size);
	if (ret)
		return cli_bad_value(command, "--size", o->size_text,
				     "expected bytes with an optional K, M or G suffix");
	if (!o->size)
		return cli_bad_value(command, "--size", o->size_text,
				     "the size must be larger than 0");
	if (!o->from)
		o->from = "heap";
	if (o->heap && strcmp(o->from, "heap"))
		return cli_usage(command, "--heap goes with --from heap only");
	if (!o->heap)
		o->heap = "system";
	if (strcmp(o->from, "heap") && strcmp(o->from, "udmabuf") &&
	    strcmp(o->from, "drm") && strncmp(o->from, "drm:", 4))
		return cli_bad_value(command, "--from", o->from,
				     "expected heap, udmabuf, drm or drm:PATH");
	if (!strcmp(o->from, "udmabuf") && o->size % (uint64_t)sysconf(_SC_PAGESIZE))
		return cli_bad_value(command, "--size", o->size_text,
				     "udmabuf needs a multiple of the page size");
	o->source = strncmp(o->from, "drm", 3) ? o->from : "drm";
	o->card = !strncmp(o->from, "drm:", 4) ? o->from + 4 : NULL;
	return 0;
}

/* The options only import takes. */
static int check_import_opts(struct import_opts *o, const char *command, const char *fd_text)
{
	char *end;
	long v;

	if (o->heap || o->from || o->size_text)
		return cli_usage(command, "--heap, --from and --size belong to alloc");
	if (!fd_text)
		return cli_usage(command, "--fd is required");
	errno = 0;
	v = strtol(fd_text, &end, 10);
	if (*end || end == fd_text || errno || v < 0 || v > INT_MAX)
		return cli_bad_value(command, "--fd", fd_text,
				     "expected a file descriptor number");
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
			return cli_usage(command, "--hold needs -- COMMAND [ARG...]");
		o->hold = rest;
	}
	if (!o->device)
		return cli_usage(command, "--device is required");
	if (dir_text) {
		for (i = 0; i < 3 && strcmp(dir_text, direction_names[i]); i++)
			;
		if (i == 3)
			return cli_bad_value(command, "--direction", dir_text,
					     "expected bidirectional, to-device or from-device");
		o->direction = (uint32_t)i;
	}
	return 0;
}

/* Parses alloc's and import's options; 0, -1 after --help, or an exit status. */
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
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	/*
	 * Under --hold, every failure of the tool's own is EXIT_HOLD_OWN: known
	 * before parsing for the parser's own errors, and from getopt (which
	 * also takes abbreviations) once it sees it.
	 */
	cli.hold = cli_has_option(argc, argv, "--hold", NULL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:d:s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->device = optarg; break;
		case 'H': o->heap = optarg; break;
		case 'f': o->from = optarg; break;
		case 's': o->size_text = optarg; break;
		case 'F': fd_text = optarg; break;
		case 'c': o->contiguous = true; break;
		case 'C': o->coherent = true; break;
		case 'D': dir_text = optarg; break;
		case 'j': cli.json = true; break;
		case 'o': hold = cli.hold = true; break;
		case 'h':
			(alloc ? usage_alloc : usage_import)(stdout);
			return -1;
		default:
			return cli_bad_value(command,
					     c == ':' ? "option without its value" :
					     "unrecognized option",
					     optopt && c != ':' ?
					     (char[3]){ '-', (char)optopt, 0 } : argv[optind - 1],
					     alloc ? "see uio-dmabuf alloc --help" :
					     "see uio-dmabuf import --help");
		}
	}
	if (!hold && optind < argc)
		return cli_bad_value(command, "argument", argv[optind],
				     "unexpected (did you mean --hold --?)");
	ret = check_common_opts(o, command, hold ? argv + optind : NULL, argc - optind, dir_text);
	if (ret)
		return ret;
	return alloc ? check_alloc_opts(o, command, fd_text) : check_import_opts(o, command, fd_text);
}

/* What provides @o's exporter when it is missing: advice for ENOENT. */
static const char *missing_exporter(const struct import_opts *o)
{
	if (!strcmp(o->source, "udmabuf"))
		return "no /dev/udmabuf: modprobe udmabuf (CONFIG_UDMABUF)";
	if (!strcmp(o->source, "drm"))
		return "no DRM device in /dev/dri: modprobe vgem (CONFIG_DRM_VGEM) for a "
		       "virtual one";
	if (access("/dev/dma_heap", F_OK))
		return "this kernel has no dma-heaps (CONFIG_DMABUF_HEAPS; Debian 12's 6.1 has "
		       "none, its 6.12 has): --from drm after modprobe vgem, or --from udmabuf "
		       "where the kernel has it";
	if (!strcmp(o->heap, "cma"))
		return "no CMA heap: the kernel needs CONFIG_DMABUF_HEAPS_CMA and a CMA area "
		       "(cma=64M on its command line); see uio-dmabuf heaps";
	return "no such heap in /dev/dma_heap; see uio-dmabuf heaps";
}

/* Allocates @o's buffer; the fd, or an exit status through @status and -1. */
static int allocate(const struct import_opts *o, const char *node, const char *buffer,
		    const char *heap, int *status)
{
	int fd;

	if (!strcmp(o->source, "heap"))
		fd = uiodmabuf_heap_alloc(heap, o->size);
	else if (!strcmp(o->source, "udmabuf"))
		fd = uiodmabuf_udmabuf_alloc(o->size);
	else
		fd = uiodmabuf_drm_alloc(o->card, o->size);
	if (fd >= 0)
		return fd;
	*status = cli_fail("alloc", node, buffer, "allocate", fd,
			   fd == -ENOENT ? missing_exporter(o) : NULL);
	return -1;
}

int cmd_alloc(int argc, char **argv)
{
	char node[256], buffer[320], size[32], heap[128] = "";
	const char *heap_name = NULL;
	struct import_opts o;
	int ret, node_fd, buf_fd, status;

	ret = parse_import_opts(argc, argv, "alloc", true, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	udb_format_size(size, sizeof(size), o.size);
	ret = uiodmabuf_node_path(o.device, node, sizeof(node));
	if (ret)
		return cli_bad_value("alloc", "--device", o.device,
				     "expected uio0, 0, /dev/uio-dmabuf0 or the PCI address of a "
				     "bound device");

	if (!strcmp(o.source, "heap"))
		snprintf(buffer, sizeof(buffer), "%s heap %s", o.heap, size);
	else if (!strcmp(o.source, "udmabuf"))
		snprintf(buffer, sizeof(buffer), "udmabuf %s", size);
	else
		snprintf(buffer, sizeof(buffer), "drm %s %s", o.card ? o.card : "vgem", size);

	/* The device first: without it, which exporter is missing does not matter. */
	node_fd = open_node("alloc", node, buffer, &status);
	if (node_fd < 0)
		return status;
	if (!strcmp(o.source, "heap")) {
		ret = uiodmabuf_heap_resolve(o.heap, heap, sizeof(heap));
		if (ret) {
			status = cli_fail("alloc", node, buffer, "find the heap", ret,
					  ret == -ENOENT ? missing_exporter(&o) : NULL);
			goto close_node;
		}
		heap_name = heap;
		if (strcmp(o.heap, heap))
			snprintf(buffer, sizeof(buffer), "%s (%s) heap %s", o.heap, heap, size);
	}
	buf_fd = allocate(&o, node, buffer, heap, &status);
	if (buf_fd < 0)
		goto close_node;
	status = import_and_report(&o, "alloc", node_fd, node, buf_fd, buffer, o.source, heap_name);
	close(buf_fd);
close_node:
	close(node_fd);
	return status;
}

int cmd_import(int argc, char **argv)
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
		return cli_bad_value("import", "--device", o.device,
				     "expected uio0, 0, /dev/uio-dmabuf0 or the PCI address of a "
				     "bound device");
	/* Before the node is opened, which could take the number of a closed --fd. */
	if (fcntl(o.fd, F_GETFD) < 0)
		return cli_fail("import", node, buffer, "check the buffer fd", errno,
				"--fd names no open file descriptor");
	node_fd = open_node("import", node, buffer, &status);
	if (node_fd < 0)
		return status;
	status = import_and_report(&o, "import", node_fd, node, o.fd, buffer, "fd", NULL);
	close(node_fd);
	return status;
}
