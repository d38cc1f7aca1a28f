/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest's case runners (tests/reliability, tests/security) share: a
 * table of named cases with their expected outcome, and the sysfs and
 * kernel-log helpers they judge by.
 */
#ifndef UIO_DMABUF_TEST_CASES_H
#define UIO_DMABUF_TEST_CASES_H

#include <stdbool.h>

/* Records one case and prints its TAP line: "ok N - name (expect): detail". */
void record(const char *name, const char *expect, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

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

#endif /* UIO_DMABUF_TEST_CASES_H */
