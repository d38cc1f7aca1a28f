/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the guest test programs that print TAP on the console (the smoke, MSI-X
 * and platform tests): one line per check, the plan at the end, and the UIO
 * device of a bound device.
 */
#ifndef UIO_DMABUF_TESTS_TAP_H
#define UIO_DMABUF_TESTS_TAP_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

/* "ok N - WHAT" or "not ok N - WHAT"; a failure makes tap_end() return 1. */
static inline void __attribute__((format(printf, 2, 3))) check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed = 1;
}

/* The plan line; the exit status: 1 if a check failed. */
static inline int tap_end(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed;
}

/* N of /dev/uioN of DEV on BUS ("pci", "platform"), or -1 while it has none. */
static inline int uio_index(const char *bus, const char *dev)
{
	char path[256];
	struct dirent *e;
	DIR *d;
	int idx = -1;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/uio", bus, dev);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "uio%d", &idx) == 1)
			break;
	closedir(d);
	return idx;
}

#endif
