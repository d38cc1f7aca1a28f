// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uio-dmabuf list, heaps, bind and unbind: the devices uio_dmabuf serves, the
 * dma-heaps, and moving a device to the driver and back.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "format.h"
#include "uiodmabuf.h"

#define DRIVER		"uio_dmabuf"
#define BIND_WAIT_MS	5000	/* for the driver's probe and the node's udev/devtmpfs entry */

/*
 * A uio_dmabuf/ attribute of @uio that holds a decimal count, into @line;
 * the count, or -1 when it cannot be read (an older module has no such file).
 */
static int attr_count(const char *uio, const char *attr, char *line, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/uio_dmabuf/%s", uio, attr);
	return cli_read_line(path, line, len) ? -1 : atoi(line);
}

/* What sysfs tells about @uio ("uio0"), bound to uio_dmabuf. */
static void describe_device(const char *uio, struct udb_device *d)
{
	char path[PATH_MAX], line[64], group[32];
	int err;

	memset(d, 0, sizeof(*d));
	cli_copy_str(d->uio, sizeof(d->uio), uio);
	d->index = (unsigned int)strtoul(uio + 3, NULL, 10);
	snprintf(d->node, sizeof(d->node), "/dev/uio-dmabuf%u", d->index);
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device", uio);
	cli_link_name(path, d->id, sizeof(d->id));
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/subsystem", uio);
	cli_link_name(path, d->bus, sizeof(d->bus));
	if (!strcmp(d->bus, "pci")) {
		snprintf(path, sizeof(path), "/sys/class/uio/%s/device/vendor", uio);
		cli_read_line(path, d->vendor, sizeof(d->vendor));
		snprintf(path, sizeof(path), "/sys/class/uio/%s/device/device", uio);
		cli_read_line(path, d->device_id, sizeof(d->device_id));
	}
	d->dma_mask_bits = attr_count(uio, "dma_mask_bits", line, sizeof(line));
	d->imports = attr_count(uio, "imports", line, sizeof(line));
	d->iommu_group = -1;
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/iommu_group", uio);
	if (!cli_link_name(path, group, sizeof(group))) {
		d->iommu_group = atoi(group);
		snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/type", group);
		if (!cli_read_line(path, d->iommu_type, sizeof(d->iommu_type)))
			d->iommu = !strncmp(d->iommu_type, "DMA", 3);
	}
	d->isolation = -1;
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/uio_dmabuf/isolation", uio);
	if (!cli_read_line(path, line, sizeof(line)))
		d->isolation = (int)strtol(line, NULL, 16);
	/* The interrupt, and revoked imports (since 1.1.0's module). */
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/uio_dmabuf/irq_mode", uio);
	cli_read_line(path, d->irq_mode, sizeof(d->irq_mode));
	d->irq_vectors = attr_count(uio, "irq_vectors", line, sizeof(line));
	d->revoked = attr_count(uio, "revoked", line, sizeof(line));
	/* "none", or the fsuid that holds the IOMMU group. */
	d->owner = -1;
	snprintf(path, sizeof(path), "/sys/class/uio/%s/device/uio_dmabuf/owner", uio);
	err = cli_read_line(path, line, sizeof(line));
	if (!err && line[0] >= '0' && line[0] <= '9')
		d->owner = strtol(line, NULL, 10);
	/* 1.1.0's module brought owner with the reset and firmware-range conditions. */
	if (err == -ENOENT && d->isolation >= 0)
		d->isolation |= UDB_ISOLATION_PRE_1_1;
}

/*
 * Why the import node @node ("/dev/uio-dmabufN") could not be opened (@err),
 * as advice in @hint: the isolation conditions for EPERM, the IOMMU group's
 * owner for EBUSY, a failed reset for EAGAIN, what is missing for ENOENT.
 */
void cli_describe_node(const char *node, int err, char *hint, size_t len)
{
	const char *digits = node + strcspn(node, "0123456789");
	char uio[32], path[64], name[64];
	struct udb_device d;

	snprintf(uio, sizeof(uio), "uio%s", digits);
	snprintf(path, sizeof(path), "/sys/class/uio/%s/name", uio);
	if (err == -EPERM) {
		describe_device(uio, &d);
		udb_isolation_hint(hint, len, d.isolation, d.iommu_group);
	} else if (err == -EBUSY) {
		describe_device(uio, &d);
		udb_owner_hint(hint, len, d.owner, d.iommu_group);
	} else if (err == -EAGAIN) {
		snprintf(hint, len, "the device could not be reset since its last user "
			 "(the kernel log says why): try again");
	} else if (access("/sys/module/" DRIVER, F_OK)) {
		snprintf(hint, len, "the uio_dmabuf driver is not loaded: modprobe " DRIVER
			 " (from the uio-dmabuf-dkms package, or make dkms-install), then "
			 "uio-dmabuf bind DEVICE");
	} else if (cli_read_line(path, name, sizeof(name))) {
		snprintf(hint, len, "no device is bound to uio_dmabuf as %s: uio-dmabuf bind "
			 "DEVICE binds one, uio-dmabuf list shows those bound", uio);
	} else if (strcmp(name, DRIVER)) {
		snprintf(hint, len, "%s belongs to the UIO driver %s, not to uio_dmabuf: "
			 "uio-dmabuf list shows the devices uio_dmabuf serves", uio, name);
	} else {
		snprintf(hint, len, "uio_dmabuf serves %s but %s does not exist: is devtmpfs "
			 "mounted on /dev, or udev running?", uio, node);
	}
}

static int cmp_uio(const void *a, const void *b)
{
	const struct udb_device *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* -j and -h, the only options of list, heaps, bind and unbind; -1 after help. */
static int simple_options(int argc, char **argv, const char *command, void (*usage)(FILE *f))
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c != 'j') {
			char opt[3] = { '-', (char)optopt, 0 };

			return cli_bad_value(command, "unrecognized option",
					     optopt ? opt : argv[optind - 1],
					     !strcmp(command, "list") ? "see uio-dmabuf list --help" :
					     !strcmp(command, "heaps") ? "see uio-dmabuf heaps --help" :
					     !strcmp(command, "bind") ? "see uio-dmabuf bind --help" :
					     "see uio-dmabuf unbind --help");
		}
		cli.json = true;
	}
	return 0;
}

/* The UIO devices bound to uio_dmabuf, sorted, in a malloc()ed array; -errno. */
static int find_devices(struct udb_device **out)
{
	struct udb_device *devs = NULL, *grown;
	struct dirent *e;
	int n = 0;
	DIR *d;

	d = opendir("/sys/class/uio");
	while (d && (e = readdir(d))) {
		char path[PATH_MAX], name[64];

		if (strncmp(e->d_name, "uio", 3) || strlen(e->d_name) >= sizeof(devs->uio))
			continue;
		snprintf(path, sizeof(path), "/sys/class/uio/%s/name", e->d_name);
		if (cli_read_line(path, name, sizeof(name)) || strcmp(name, DRIVER))
			continue;
		grown = realloc(devs, (size_t)(n + 1) * sizeof(*devs));
		if (!grown) {
			closedir(d);
			free(devs);
			return -ENOMEM;
		}
		devs = grown;
		describe_device(e->d_name, &devs[n++]);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(devs, (size_t)n, sizeof(*devs), cmp_uio);
	*out = devs;
	return n;
}

int cmd_list(int argc, char **argv)
{
	struct udb_device *devs = NULL;
	int n;

	n = simple_options(argc, argv, "list", usage_list);
	if (n)
		return n < 0 ? 0 : n;
	if (optind < argc)
		return cli_bad_value("list", "argument", argv[optind], "list takes none");
	n = find_devices(&devs);
	if (n < 0)
		return cli_fail("list", NULL, NULL, "list devices", n, NULL);
	if (cli.json)
		udb_print_devices_json(stdout, devs, n);
	else
		udb_print_devices_table(stdout, devs, n);
	free(devs);
	/* An empty list says why, on stderr: the driver is not loaded, or binds nothing yet. */
	if (!n && access("/sys/module/" DRIVER, F_OK))
		fputs("uio-dmabuf: list: the uio_dmabuf driver is not loaded: modprobe " DRIVER
		      " (from the uio-dmabuf-dkms package, or make dkms-install)\n", stderr);
	else if (!n)
		fputs("uio-dmabuf: list: uio_dmabuf serves no device yet: uio-dmabuf bind DEVICE "
		      "binds one\n", stderr);
	return 0;
}

static int cmp_heap(const void *a, const void *b)
{
	return strcmp(((const struct udb_heap *)a)->name, ((const struct udb_heap *)b)->name);
}

int cmd_heaps(int argc, char **argv)
{
	struct udb_heap *heaps = NULL, *grown;
	char cma[128] = "";
	struct dirent *e;
	int i, n = 0;
	DIR *d;

	i = simple_options(argc, argv, "heaps", usage_heaps);
	if (i)
		return i < 0 ? 0 : i;
	if (optind < argc)
		return cli_bad_value("heaps", "argument", argv[optind], "heaps takes none");
	uiodmabuf_heap_resolve("cma", cma, sizeof(cma));
	d = opendir("/dev/dma_heap");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(heaps->name))
			continue;
		grown = realloc(heaps, (size_t)(n + 1) * sizeof(*heaps));
		if (!grown) {
			closedir(d);
			free(heaps);
			return cli_fail("heaps", NULL, NULL, "list heaps", ENOMEM, NULL);
		}
		heaps = grown;
		cli_copy_str(heaps[n].name, sizeof(heaps[n].name), e->d_name);
		heaps[n].cma = false;
		n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(heaps, (size_t)n, sizeof(*heaps), cmp_heap);
	for (i = 0; i < n; i++)
		heaps[i].cma = cma[0] && !strcmp(heaps[i].name, cma);
	if (cli.json)
		udb_print_heaps_json(stdout, heaps, n);
	else
		udb_print_heaps_table(stdout, heaps, n);
	free(heaps);
	return 0;
}

/* A device to bind or unbind: where sysfs has it, and its driver now. */
struct sys_device {
	char name[64];		/* "0000:00:03.0", or the platform device's name */
	const char *bus;	/* "pci" or "platform" */
	char bus_dir[32];	/* /sys/bus/BUS */
	char dir[PATH_MAX];	/* /sys/bus/BUS/devices/NAME */
	char driver[64];	/* bound driver, "" when none */
	char previous[64];	/* the driver before bind or unbind, "" when none */
	char uio[32];		/* "uio0" while bound to uio_dmabuf */
};

/* Finds @name among PCI (also without its domain) and platform devices: 0 or -ENODEV. */
static int find_sys_device(const char *name, struct sys_device *sd)
{
	static const char *const buses[] = { "pci", "platform" };
	char with_domain[64];
	size_t b;

	memset(sd, 0, sizeof(*sd));
	if (!name[0] || name[0] == '.')
		return -ENODEV;
	snprintf(with_domain, sizeof(with_domain), "0000:%s", name);
	for (b = 0; b < 2; b++) {
		const char *cand[2] = { name, !strcmp(buses[b], "pci") ? with_domain : NULL };
		int k;

		for (k = 0; k < 2 && cand[k]; k++) {
			if (strchr(cand[k], '/') || cli_copy_str(sd->name, sizeof(sd->name), cand[k]))
				continue;
			snprintf(sd->dir, sizeof(sd->dir), "/sys/bus/%s/devices/%s", buses[b],
				 sd->name);
			if (!access(sd->dir, F_OK)) {
				sd->bus = buses[b];
				snprintf(sd->bus_dir, sizeof(sd->bus_dir), "/sys/bus/%s", sd->bus);
				return 0;
			}
		}
	}
	return -ENODEV;
}

/* @sd's driver and, when it is uio_dmabuf, its UIO name. */
static void read_binding(struct sys_device *sd)
{
	char path[PATH_MAX + 16];
	struct dirent *e;
	DIR *d;

	sd->driver[0] = sd->uio[0] = 0;
	snprintf(path, sizeof(path), "%s/driver", sd->dir);
	cli_link_name(path, sd->driver, sizeof(sd->driver));
	snprintf(path, sizeof(path), "%s/uio", sd->dir);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "uio", 3))
			cli_copy_str(sd->uio, sizeof(sd->uio), e->d_name);
	if (d)
		closedir(d);
}

/* Waits until @sd is bound to uio_dmabuf (@bound) with its node there, or not bound to it. */
static int wait_binding(struct sys_device *sd, bool bound)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char node[64];
	int ms;

	for (ms = 0; ms <= BIND_WAIT_MS; ms += 10) {
		read_binding(sd);
		snprintf(node, sizeof(node), "/dev/uio-dmabuf%s", sd->uio[0] ? sd->uio + 3 : "");
		if (!bound && strcmp(sd->driver, DRIVER))
			return 0;
		if (bound && !strcmp(sd->driver, DRIVER) && sd->uio[0] && !access(node, F_OK))
			return 0;
		nanosleep(&tick, NULL);
	}
	return -ETIMEDOUT;
}

static void print_binding(const char *command, const struct sys_device *sd)
{
	char node[64] = "";

	if (sd->uio[0])
		snprintf(node, sizeof(node), "/dev/uio-dmabuf%s", sd->uio + 3);
	if (cli.json) {
		udb_print_binding_json(stdout, command, sd->name, sd->bus, sd->driver,
				       sd->previous, sd->uio, node);
		return;
	}
	if (!strcmp(command, "bind"))
		printf("%s (%s): %sbound to %s as %s, import node %s%s%s\n", sd->name, sd->bus,
		       strcmp(sd->previous, DRIVER) ? "" : "already ", DRIVER, sd->uio, node,
		       sd->previous[0] && strcmp(sd->previous, DRIVER) ? ", was bound to " : "",
		       strcmp(sd->previous, DRIVER) ? sd->previous : "");
	else
		printf("%s (%s): unbound from %s; driver now: %s\n", sd->name, sd->bus, DRIVER,
		       sd->driver[0] ? sd->driver : "none");
}

/* The device named by the one argument of bind and unbind; 0 or an exit status. */
static int parse_device(int argc, char **argv, const char *command, void (*usage)(FILE *f),
			struct sys_device *sd)
{
	char path[64];
	int ret;

	ret = simple_options(argc, argv, command, usage);
	if (ret)
		return ret < 0 ? -1 : ret;
	if (optind != argc - 1)
		return cli_usage(command, "one DEVICE: a PCI address or a platform device's name");
	if (find_sys_device(argv[optind], sd))
		return cli_fail(command, argv[optind], NULL, "find the device", ENODEV,
				"no such PCI or platform device in /sys/bus/*/devices");
	snprintf(path, sizeof(path), "%s/drivers/" DRIVER, sd->bus_dir);
	if (access(path, F_OK))
		return cli_fail(command, sd->name, NULL, "find the driver", ENOENT,
				"the uio_dmabuf driver is not loaded: modprobe " DRIVER);
	read_binding(sd);
	cli_copy_str(sd->previous, sizeof(sd->previous), sd->driver);
	return 0;
}

/* Writes @text to the sysfs file @file of @dir; reports a failure. */
static int sysfs_step(const char *command, const struct sys_device *sd, const char *dir,
		      const char *file, const char *text)
{
	char path[PATH_MAX + 64], what[96];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = cli_write_file(path, text);
	if (!ret)
		return 0;
	snprintf(what, sizeof(what), "write %s", file);
	return cli_fail(command, sd->name, NULL, what, ret, path);
}

/* After a failed bind: the override cleared, the device offered to every driver again. */
static void bind_undo(const struct sys_device *sd)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/driver_override", sd->dir);
	cli_write_file(path, "\n");
	snprintf(path, sizeof(path), "%s/drivers_probe", sd->bus_dir);
	cli_write_file(path, sd->name);
}

int cmd_bind(int argc, char **argv)
{
	char drv_dir[PATH_MAX + 128];
	struct sys_device sd;
	int ret;

	ret = parse_device(argc, argv, "bind", usage_bind, &sd);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (strcmp(sd.driver, DRIVER)) {
		snprintf(drv_dir, sizeof(drv_dir), "%s/drivers/%s", sd.bus_dir, sd.driver);
		ret = sysfs_step("bind", &sd, sd.dir, "driver_override", DRIVER);
		if (!ret && sd.driver[0])
			ret = sysfs_step("bind", &sd, drv_dir, "unbind", sd.name);
		if (!ret)
			ret = sysfs_step("bind", &sd, sd.bus_dir, "drivers_probe", sd.name);
		if (ret) {
			bind_undo(&sd);
			return ret;
		}
	}
	if (!wait_binding(&sd, true)) {
		print_binding("bind", &sd);
		return 0;
	}
	if (!strcmp(sd.driver, DRIVER))	/* bound, and stays so: only the node is missing */
		return cli_fail("bind", sd.name, NULL, "wait for the import node", ETIMEDOUT,
				"uio_dmabuf holds the device, but its /dev/uio-dmabufN did not "
				"appear: is devtmpfs mounted on /dev, or udev running?");
	bind_undo(&sd);
	return cli_fail("bind", sd.name, NULL, "probe", ETIMEDOUT,
			"uio_dmabuf did not take the device (the kernel log says why)");
}

int cmd_unbind(int argc, char **argv)
{
	char drv_dir[PATH_MAX + 128];
	struct sys_device sd;
	int ret;

	ret = parse_device(argc, argv, "unbind", usage_unbind, &sd);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (strcmp(sd.driver, DRIVER))
		return cli_fail("unbind", sd.name, NULL, "check the driver", EINVAL,
				sd.driver[0] ? "the device is bound to another driver" :
				"the device is bound to no driver");
	snprintf(drv_dir, sizeof(drv_dir), "%s/drivers/" DRIVER, sd.bus_dir);
	ret = sysfs_step("unbind", &sd, drv_dir, "unbind", sd.name);
	if (!ret)
		ret = sysfs_step("unbind", &sd, sd.dir, "driver_override", "\n");
	if (ret)
		return ret;
	/* Its own driver, if any, takes it: no driver wanting it is no failure. */
	snprintf(drv_dir, sizeof(drv_dir), "%s/drivers_probe", sd.bus_dir);
	cli_write_file(drv_dir, sd.name);
	read_binding(&sd);
	if (!strcmp(sd.driver, DRIVER))
		return cli_fail("unbind", sd.name, NULL, "probe", EBUSY,
				"uio_dmabuf took the device back: it matches the module's of_id= "
				"or a new_id; remove that first");
	print_binding("unbind", &sd);
	return 0;
}
