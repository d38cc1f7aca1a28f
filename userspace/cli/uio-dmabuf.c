// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uio-dmabuf: list devices served by uio_dmabuf and dma-heaps, bind devices,
 * allocate or take a dma-buf, import it on a device and print its DMA segments.
 * This file: the global options, the commands' table and help, and what the
 * commands share.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "format.h"

#ifndef UIO_DMABUF_VERSION
#define UIO_DMABUF_VERSION "unknown"
#endif

struct cli_state cli;

/* Reports a failure on stderr (and, once, as JSON on stdout); returns the exit status. */
static int report(int status, const char *command, const char *device, const char *buffer,
		  const char *operation, int err, const char *detail)
{
	struct udb_failure e = {
		.command = command, .device = device, .buffer = buffer,
		.operation = operation, .err = err < 0 ? -err : err, .detail = detail,
	};

	udb_print_failure_line(stderr, &e);
	if (cli.json && !cli.printed) {
		udb_print_failure_json(stdout, &e);
		cli.printed = true;
	}
	return cli.hold ? EXIT_HOLD_OWN : status;
}

int cli_fail(const char *command, const char *device, const char *buffer,
	     const char *operation, int err, const char *detail)
{
	return report(EXIT_FAILURE, command, device, buffer, operation, err, detail);
}

int cli_usage(const char *command, const char *detail)
{
	return report(EXIT_USAGE, command, NULL, NULL, "invalid arguments", 0, detail);
}

/*
 * A bad value of @option: echoed back (control characters as '?'), with what
 * was expected. A usage error, so errno 0, as uio-dmabuf(1) says.
 */
int cli_bad_value(const char *command, const char *option, const char *value,
		  const char *detail)
{
	char what[320], *p;

	snprintf(what, sizeof(what), "%s '%.256s'", option, value);
	for (p = what; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return report(EXIT_USAGE, command, NULL, NULL, what, 0, detail);
}

/* Whether @argv (up to a "--") holds @long_name or @short_name. */
bool cli_has_option(int argc, char **argv, const char *long_name, const char *short_name)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], long_name) || (short_name && !strcmp(argv[i], short_name)))
			return true;
	return false;
}

/* Copies @src into @dst; -ENAMETOOLONG (and @dst empty) when it does not fit. */
int cli_copy_str(char *dst, size_t len, const char *src)
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
int cli_read_line(const char *path, char *buf, size_t len)
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

/* Writes @text to the sysfs file @path in one write(); returns 0 or -errno. */
int cli_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : (size_t)n == len ? 0 : -EIO;
}

/* The last component of a symlink's target, into @buf; returns 0 or -errno. */
int cli_link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *slash;

	if (n < 0)
		return -errno;
	target[n] = 0;
	slash = strrchr(target, '/');
	return cli_copy_str(buf, len, slash ? slash + 1 : target);
}

void usage_list(FILE *f)
{
	fputs("usage: uio-dmabuf list [-j|--json]\n"
	      "List the UIO devices bound to uio_dmabuf: UIO name, import node, bus and\n"
	      "device, PCI vendor:device, DMA mask width, IOMMU state, isolation, the\n"
	      "interrupt (with its MSI-X vectors) and the number of buffers imported on\n"
	      "each (and of those an exporter revoked).\n", f);
}

void usage_heaps(FILE *f)
{
	fputs("usage: uio-dmabuf heaps [-j|--json]\n"
	      "List the dma-heaps in /dev/dma_heap, marking the one --heap cma selects.\n", f);
}

void usage_alloc(FILE *f)
{
	fputs("usage: uio-dmabuf alloc -d DEV -s SIZE [--heap NAME | --from SOURCE]\n"
	      "                        [--contiguous] [--coherent] [--direction DIR] [-j]\n"
	      "                        [--hold -- COMMAND [ARG...]]\n"
	      "Allocate a buffer, import it on DEV and print its DMA segments.\n"
	      "  -d, --device DEV  uio0, 0, /dev/uio0, /dev/uio-dmabuf0, or the PCI address\n"
	      "                    (0000:01:00.0) or platform name of a bound device\n"
	      "  -s, --size SIZE   bytes, with an optional K, M or G suffix (16M)\n"
	      "  --heap NAME       dma-heap: system (the default), cma, or a heap's name\n"
	      "  --from SOURCE     heap (the default), udmabuf (a memfd through /dev/udmabuf),\n"
	      "                    drm or drm:/dev/dri/cardN (a dumb buffer exported with PRIME)\n"
	      "  --contiguous      fail with E2BIG unless the buffer is one DMA segment\n"
	      "  --coherent        fail with EIO if the mapping needs SYNC (bounced through\n"
	      "                    swiotlb, or a device that is not cache-coherent);\n"
	      "                    --no-bounce is the same\n"
	      "  --direction DIR   bidirectional (the default), to-device or from-device\n"
	      "  -j, --json        print one JSON document instead of the table\n"
	      "  --hold -- CMD     keep the buffer imported while CMD runs, then exit with\n"
	      "                    its status (125: uio-dmabuf failed, 126: CMD cannot run,\n"
	      "                    127: CMD not found); see ENVIRONMENT in uio-dmabuf(1)\n", f);
}

void usage_import(FILE *f)
{
	fputs("usage: uio-dmabuf import -d DEV --fd N [--contiguous] [--coherent]\n"
	      "                         [--direction DIR] [-j] [--hold -- COMMAND [ARG...]]\n"
	      "Import the dma-buf open as file descriptor N on DEV and print its DMA segments.\n"
	      "Options as for alloc.\n", f);
}

void usage_bind(FILE *f)
{
	fputs("usage: uio-dmabuf bind [-j|--json] DEVICE\n"
	      "Bind DEVICE to uio_dmabuf: a PCI address (0000:01:00.0 or 01:00.0) or a\n"
	      "platform device's name. Sets its driver_override, unbinds it from its current\n"
	      "driver, probes it and waits for its import node. Lasts until reboot; see\n"
	      "uio-dmabuf(1) for a binding that persists.\n", f);
}

void usage_unbind(FILE *f)
{
	fputs("usage: uio-dmabuf unbind [-j|--json] DEVICE\n"
	      "Unbind DEVICE from uio_dmabuf, clear its driver_override and probe it again,\n"
	      "so that its own kernel driver, if it has one, takes it back.\n", f);
}

static void usage_main(FILE *f)
{
	fputs("usage: uio-dmabuf [-j|--json] COMMAND [OPTIONS]\n"
	      "       uio-dmabuf -V|--version\n"
	      "Import dma-bufs on UIO devices bound to the uio_dmabuf driver and show the\n"
	      "DMA addresses the device must use.\n\n"
	      "commands:\n"
	      "  list     UIO devices served by uio_dmabuf\n"
	      "  heaps    available dma-heaps\n"
	      "  alloc    allocate a buffer, import it, print its segments\n"
	      "  import   import a dma-buf the caller already has open\n"
	      "  bind     bind a PCI or platform device to uio_dmabuf\n"
	      "  unbind   give a device back to its own driver\n"
	      "  help     help on a command\n\n"
	      "Every command takes -j/--json and -h/--help. See uio-dmabuf(1).\n", f);
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
	{ "bind", cmd_bind, usage_bind },
	{ "unbind", cmd_unbind, usage_unbind },
	{ "help", cmd_help, usage_main },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* help [COMMAND]: -h/--help and -j/--json are taken (and ignored) anywhere. */
static int cmd_help(int argc, char **argv)
{
	const char *name = NULL;
	size_t i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help") ||
		    !strcmp(argv[a], "-j") || !strcmp(argv[a], "--json"))
			continue;
		if (argv[a][0] == '-')
			return cli_bad_value("help", "unrecognized option", argv[a],
					     "see uio-dmabuf --help");
		if (name)
			return cli_bad_value("help", "argument", argv[a], "help takes one COMMAND");
		name = argv[a];
	}
	if (!name) {
		usage_main(stdout);
		return 0;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(name, commands[i].name)) {
			commands[i].usage(stdout);
			return 0;
		}
	}
	return cli_bad_value("help", "command", name, "no such command; see uio-dmabuf --help");
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

/*
 * The options before the command: -j/--json, -h/--help, -V/--version. Returns
 * the command's index in @argv, or -(exit status + 1) when there is nothing
 * more to do.
 */
static int global_options(int argc, char **argv)
{
	int i;

	cli.json = cli_has_option(argc, argv, "--json", "-j");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage_main(stdout);
			return -1;
		}
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("uio-dmabuf %s\n", UIO_DMABUF_VERSION);
			return -1;
		}
		return -(cli_bad_value(NULL, "unrecognized option", argv[i],
					      "see uio-dmabuf --help") + 1);
	}
	if (i == argc) {
		if (cli.json)
			return -(cli_usage(NULL, "no command; see uio-dmabuf --help") + 1);
		usage_main(stderr);
		return -(EXIT_USAGE + 1);
	}
	return i;
}

int main(int argc, char **argv)
{
	bool check_fds = getenv("UIO_DMABUF_CHECK_FDS") != NULL;
	int fds = check_fds ? count_fds() : 0;
	int status = -1, first;
	size_t i;

	signal(SIGPIPE, SIG_DFL);
	first = global_options(argc, argv);
	if (first < 0)
		return -first - 1;
	for (i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(argv[first], commands[i].name)) {
			optind = 1;
			status = commands[i].run(argc - first, argv + first);
			break;
		}
	}
	if (status < 0)
		status = cli_bad_value(NULL, "command", argv[first],
				       "no such command; see uio-dmabuf --help");
	/* A result that could not be written (a full disk, a closed pipe) is a failure. */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "uio-dmabuf: %s: write the result: %s\n", argv[first],
			strerror(errno));
		if (!status)
			status = cli.hold ? EXIT_HOLD_OWN : EXIT_FAILURE;
	}
	if (check_fds && count_fds() != fds) {
		fprintf(stderr, "uio-dmabuf: %s: %d file descriptors open at exit, %d at start\n",
			argv[first], count_fds(), fds);
		return 70;
	}
	return status;
}
