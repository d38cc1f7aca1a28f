// SPDX-License-Identifier: GPL-2.0
/* The case table and helpers of the guest's case runners; see cases.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"

#define MAX_CASES	128

struct result {
	const char *name;
	const char *expect;
	bool ok;
};

static struct result results[MAX_CASES];
static int nr_results;

void record(const char *name, const char *expect, bool ok, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (nr_results < MAX_CASES)
		results[nr_results] = (struct result){ name, expect, ok };
	nr_results++;
	printf("%s %d - %s (%s)%s%s\n", ok ? "ok" : "not ok", nr_results, name, expect,
	       detail[0] ? ": " : "", detail);
	fflush(stdout);
}

int print_results(const char *suite)
{
	int i, passed = 0, shown = nr_results < MAX_CASES ? nr_results : MAX_CASES;

	printf("\n%-34s %-56s %s\n", "case", "expected", "result");
	for (i = 0; i < shown; i++) {
		printf("%-34s %-56s %s\n", results[i].name, results[i].expect,
		       results[i].ok ? "pass" : "FAIL");
		passed += results[i].ok;
	}
	/* Cases past the table's end count as failed: the table is too small. */
	printf("%s: %d passed, %d failed\n", suite, passed, nr_results - passed);
	return passed == nr_results ? 0 : 1;
}

int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int live_imports(const char *bdf)
{
	char path[256], line[256];
	FILE *f;
	int n = -1;	/* the header line */

	snprintf(path, sizeof(path), "/sys/kernel/debug/uio_dmabuf/%s/imports", bdf);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

int kmsg_count(const char *text)
{
	char cmd[320], line[32] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "dmesg | grep -cF '%s'", text);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	pclose(f);
	return atoi(line);
}
