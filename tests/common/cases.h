/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest's case runners (tests/reliability, tests/security) share: a
 * table of named cases with their expected outcome, and the sysfs and
 * kernel-log helpers they judge by.
 */
#ifndef UIO_DMABUF_TEST_CASES_H
#define UIO_DMABUF_TEST_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Records one case and prints its TAP line: "ok N - name (expect): detail". */
void record(const char *name, const char *expect, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* How many times a case named @name was recorded. */
int recorded(const char *name);

/* The name of the @i-th recorded case, or NULL past the last one. */
const char *recorded_name(int i);

/*
 * Prints the table of all recorded cases and "SUITE: N passed, N failed".
 * Returns 0 when every case passed, else 1.
 */
int print_results(const char *suite);

/* Writes @val to the file @path. Returns 0 or a negative errno. */
int write_str(const char *path, const char *val);

/* The number of kernel log lines that contain @text. */
int kmsg_count(const char *text);

/* Live imports of the device @bdf, from its debugfs listing; -1 if unreadable. */
int live_imports(const char *bdf);

/* The next value of the xorshift64 generator whose state is *@state (not 0). */
uint64_t xorshift64(uint64_t *state);

/* The first line of the file @path, without its newline. Returns 0 or -errno. */
int read_str(const char *path, char *buf, size_t len);

/* The decimal number the file @path starts with, or -1. */
long read_long(const char *path);

/* The value in kB of the line "@key:" of /proc/meminfo, or -1. */
long meminfo_kb(const char *key);

/*
 * MemAvailable in kB after folding the per-CPU counter deltas, plus the free
 * pages held on the per-CPU page lists, which MemAvailable leaves out and
 * which move by megabytes with whatever the CPUs last freed; -1 on error.
 */
long available_kb(void);

/* The PCI address (BDF) of /dev/uio<n>'s device. Returns 0 or -errno. */
int uio_bdf(int n, char *bdf, size_t len);

/* "success" for 0, else the name of the negative errno @ret ("EBUSY"). */
const char *err_name(long ret);

#endif /* UIO_DMABUF_TEST_CASES_H */
