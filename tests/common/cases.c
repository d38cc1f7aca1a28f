// SPDX-License-Identifier: GPL-2.0
/* The case table and helpers of the guest's case runners; see cases.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
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

int recorded(const char *name)
{
	int i, n = 0;

	for (i = 0; i < nr_results && i < MAX_CASES; i++)
		n += !strcmp(results[i].name, name);
	return n;
}

const char *recorded_name(int i)
{
	return i < nr_results && i < MAX_CASES ? results[i].name : NULL;
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

uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

int read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = 0;
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

long read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

long meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	long kb = -1;
	size_t len = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return kb;
}

long available_kb(void)
{
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "we");
	char line[128];
	long kb, pcp = 0;

	/* Fold every CPU's pending counter deltas into the global counters. */
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	kb = meminfo_kb("MemAvailable");
	f = fopen("/proc/zoneinfo", "re");
	if (kb < 0 || !f) {
		if (f)
			fclose(f);
		return kb;
	}
	/* Free pages on the per-CPU lists ("count:" of each pageset). */
	while (fgets(line, sizeof(line), f)) {
		const char *p = line + strspn(line, " ");

		if (!strncmp(p, "count:", 6))
			pcp += strtol(p + 6, NULL, 10);
	}
	fclose(f);
	return kb + pcp * (sysconf(_SC_PAGESIZE) / 1024);
}

int uio_bdf(int n, char *bdf, size_t len)
{
	char link[128], target[256];
	ssize_t r;

	snprintf(link, sizeof(link), "/sys/class/uio/uio%d/device", n);
	r = readlink(link, target, sizeof(target) - 1);
	if (r < 0)
		return -errno;
	target[r] = 0;
	snprintf(bdf, len, "%s", basename(target));
	return 0;
}

const char *err_name(long ret)
{
	return ret ? strerrorname_np((int)-ret) : "success";
}
