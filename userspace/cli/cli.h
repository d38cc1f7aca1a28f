/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the uio-dmabuf commands share: failure reports, exit statuses, sysfs reads. */
#ifndef UIO_DMABUF_CLI_H
#define UIO_DMABUF_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define EXIT_USAGE	2	/* a usage error (a bad option or value) */
/* Under --hold, as env(1): the tool's own failure, a command it cannot run, none found. */
#define EXIT_HOLD_OWN	125
#define EXIT_HOLD_EXEC	126
#define EXIT_HOLD_NOENT	127

/* How the command in progress reports; set by main() and the option parsers. */
struct cli_state {
	bool json;	/* --json: results and failures as one JSON document on stdout */
	bool hold;	/* --hold: the tool's own failures exit EXIT_HOLD_OWN */
	bool printed;	/* that JSON document has been printed */
};

extern struct cli_state cli;

int cli_fail(const char *command, const char *device, const char *buffer,
	     const char *operation, int err, const char *detail);
int cli_usage(const char *command, const char *detail);
int cli_bad_value(const char *command, const char *option, const char *value,
		  const char *detail);
bool cli_has_option(int argc, char **argv, const char *long_name, const char *short_name);

int cli_copy_str(char *dst, size_t len, const char *src);
int cli_read_line(const char *path, char *buf, size_t len);
int cli_write_file(const char *path, const char *text);
int cli_link_name(const char *path, char *buf, size_t len);

/* devices.c */
int cmd_list(int argc, char **argv);
int cmd_heaps(int argc, char **argv);
int cmd_bind(int argc, char **argv);
int cmd_unbind(int argc, char **argv);
void cli_describe_node(const char *node, int err, char *hint, size_t len);

/* import.c */
int cmd_alloc(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* uio-dmabuf.c */
void usage_list(FILE *f);
void usage_heaps(FILE *f);
void usage_alloc(FILE *f);
void usage_import(FILE *f);
void usage_bind(FILE *f);
void usage_unbind(FILE *f);

#endif /* UIO_DMABUF_CLI_H */
