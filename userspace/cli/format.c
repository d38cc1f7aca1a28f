// SPDX-License-Identifier: GPL-2.0-or-later
/* Rendering of the uio-dmabuf CLI's results as tables and as JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

void udb_format_size(char *buf, size_t len, uint64_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u < 4 && size && !(size % 1024) && size >= 1024) {
		size /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", size, units[u]);
}

/* The length of the valid UTF-8 sequence at @p (1-4), or 0 when it is not one. */
static size_t utf8_length(const unsigned char *p)
{
	size_t n, i;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

/* @s as a JSON string: escaped, and each byte that is not UTF-8 as U+FFFD. */
void udb_json_string(FILE *f, const char *s)
{
	const unsigned char *p;
	size_t n;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p += n ? n : 1) {
		n = utf8_length(p);
		if (!n)
			fputs("\\ufffd", f);
		else if (n > 1)
			fwrite(p, 1, n, f);
		else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static bool report_contiguous(const struct udb_report *r)
{
	return r->nr_segs == 1;
}

void udb_print_report_table(FILE *f, const struct udb_report *r)
{
	char size[32];
	uint64_t offset = 0;
	uint32_t i;

	udb_format_size(size, sizeof(size), r->size);
	fprintf(f, "device %s (uio%u), buffer %s, handle %" PRIu32 ", %s\n", r->device,
		r->uio_index, r->buffer, r->handle, r->direction);
	fprintf(f, "%7s  %-18s  %-18s  %-18s\n", "segment", "dma_addr", "length", "offset");
	for (i = 0; i < r->nr_segs; i++) {
		fprintf(f, "%7" PRIu32 "  0x%016" PRIx64 "  0x%016" PRIx64 "  0x%016" PRIx64 "\n",
			i, (uint64_t)r->segs[i].dma_addr, (uint64_t)r->segs[i].length, offset);
		offset += r->segs[i].length;
	}
	fprintf(f, "size %" PRIu64 " (%s), %" PRIu32 " segment%s, %s, %s%s%s\n", r->size, size,
		r->nr_segs, r->nr_segs == 1 ? "" : "s",
		report_contiguous(r) ? "contiguous" : "not contiguous",
		r->iommu ? "IOMMU (addresses are IOVAs)" : "no IOMMU (addresses are physical)",
		r->needs_sync ? ", needs SYNC (bounced or not cache-coherent)" : "",
		r->peer ? ", another device's memory (peer-to-peer)" : "");
}

void udb_print_report_json(FILE *f, const struct udb_report *r)
{
	uint64_t offset = 0;
	uint32_t i;

	fputs("{\"command\": ", f);
	udb_json_string(f, r->command);
	fputs(", \"device\": ", f);
	udb_json_string(f, r->device);
	fprintf(f, ", \"uio_index\": %u, \"source\": ", r->uio_index);
	udb_json_string(f, r->source);
	fputs(", \"heap\": ", f);
	udb_json_string(f, r->heap);
	fprintf(f, ", \"fd\": %d, \"size\": %" PRIu64 ", \"handle\": %" PRIu32 ", \"direction\": ",
		r->buf_fd, r->size, r->handle);
	udb_json_string(f, r->direction);
	fprintf(f, ", \"iommu\": %s, \"contiguous\": %s, \"needs_sync\": %s, \"peer\": %s"
		", \"nr_segments\": %" PRIu32 ", \"segments\": [", r->iommu ? "true" : "false",
		report_contiguous(r) ? "true" : "false", r->needs_sync ? "true" : "false",
		r->peer ? "true" : "false", r->nr_segs);
	for (i = 0; i < r->nr_segs; i++) {
		/* dma_addr also as a string: JSON readers round numbers above 2^53. */
		fprintf(f, "%s{\"index\": %" PRIu32 ", \"dma_addr\": %" PRIu64
			", \"dma_addr_hex\": \"0x%" PRIx64 "\", \"length\": %" PRIu64
			", \"offset\": %" PRIu64 "}", i ? ", " : "", i,
			(uint64_t)r->segs[i].dma_addr, (uint64_t)r->segs[i].dma_addr,
			(uint64_t)r->segs[i].length, offset);
		offset += r->segs[i].length;
	}
	fputs("]}\n", f);
}

void udb_isolation_text(char *buf, size_t len, int flags)
{
	if (flags < 0) {
		snprintf(buf, len, "?");
		return;
	}
	if (flags & UIO_DMABUF_INFO_ISOLATED) {
		snprintf(buf, len, "isolated");
		return;
	}
	if (!(flags & UIO_DMABUF_INFO_IOMMU)) {
		snprintf(buf, len, "no IOMMU");
		return;
	}
	if (flags & UDB_ISOLATION_PRE_1_1)
		flags |= UIO_DMABUF_INFO_RESET | UIO_DMABUF_INFO_NO_DIRECT;
	snprintf(buf, len, "not isolated:%s%s%s%s%s",
		 flags & UIO_DMABUF_INFO_STRICT ? "" : " lazy-domain",
		 flags & UIO_DMABUF_INFO_VIABLE ? "" : " shared-group",
		 flags & UIO_DMABUF_INFO_MSI_ISOLATED ? "" : " msi-not-isolated",
		 flags & UIO_DMABUF_INFO_RESET ? "" : " no-reset",
		 flags & UIO_DMABUF_INFO_NO_DIRECT ? "" : " firmware-direct-map");
}

void udb_isolation_hint(char *buf, size_t len, int flags, int group)
{
	static const char unsafe[] = "or, for unsafe use, load uio_dmabuf with "
				     "allow_unsafe_noiommu=1 and run with CAP_SYS_RAWIO";
	size_t used = 0;

	buf[0] = 0;
	if (flags < 0) {
		snprintf(buf, len, "the device is not isolated (see uio-dmabuf list); %s", unsafe);
		return;
	}
	if (!(flags & UIO_DMABUF_INFO_IOMMU)) {
		snprintf(buf, len, "no IOMMU translates the device's DMA: enable the IOMMU "
			 "(intel_iommu=on or amd_iommu=on); %s", unsafe);
		return;
	}
	if (flags & UDB_ISOLATION_PRE_1_1)
		flags |= UIO_DMABUF_INFO_RESET | UIO_DMABUF_INFO_NO_DIRECT;
#define HINT(...) do { \
		int n_ = snprintf(buf + used, len - used, __VA_ARGS__); \
		if (n_ > 0) \
			used = used + (size_t)n_ < len ? used + (size_t)n_ : len - 1; \
	} while (0)
	if (!(flags & UIO_DMABUF_INFO_STRICT))
		HINT("IOMMU group %d has a lazy DMA domain: unbind its drivers, "
		     "echo DMA > /sys/kernel/iommu_groups/%d/type, bind them again "
		     "(or boot with iommu.strict=1); ", group, group);
	if (!(flags & UIO_DMABUF_INFO_VIABLE))
		HINT("IOMMU group %d has a device whose kernel driver does DMA "
		     "(ls /sys/kernel/iommu_groups/%d/devices): unbind it; ", group, group);
	if (!(flags & UIO_DMABUF_INFO_MSI_ISOLATED))
		HINT("MSI writes are not isolated: enable interrupt remapping; ");
	if (!(flags & UIO_DMABUF_INFO_RESET))
		HINT("the device cannot be reset alone (no FLR or PM reset, and not alone "
		     "on its bus): put it in a slot of its own; ");
	if (!(flags & UIO_DMABUF_INFO_NO_DIRECT))
		HINT("firmware keeps a range of IOMMU group %d identity-mapped (ACPI RMRR or "
		     "IVMD, device-tree iommu-addresses; see "
		     "/sys/kernel/iommu_groups/%d/reserved_regions): use a device without one; ",
		     group, group);
	HINT("%s", unsafe);
#undef HINT
}

void udb_owner_hint(char *buf, size_t len, long owner, int group)
{
	if (owner < 0)
		snprintf(buf, len, "the device's IOMMU group is in use by another user "
			 "(see uio-dmabuf list)");
	else
		snprintf(buf, len, "IOMMU group %d is in use by uid %ld: its devices share one "
			 "IOVA space, so only one user at a time may open their import nodes "
			 "(see uio-dmabuf list)", group, owner);
}

#define DEV_COLS 10

/* One device's table row, column by column. */
static void device_row(const struct udb_device *d, char cells[DEV_COLS][96])
{
	snprintf(cells[0], 96, "%s", d->uio);
	snprintf(cells[1], 96, "%s", d->node);
	snprintf(cells[2], 96, "%s", d->bus);
	snprintf(cells[3], 96, "%s", d->id);
	snprintf(cells[4], 96, "%s%s%s", d->vendor, d->vendor[0] ? ":" : "-", d->device_id);
	if (d->dma_mask_bits >= 0)
		snprintf(cells[5], 96, "%d bits", d->dma_mask_bits);
	else
		snprintf(cells[5], 96, "?");
	if (d->iommu_group >= 0)
		snprintf(cells[6], 96, "%s (group %d, %s)",
			 d->iommu ? "translated" : "not translated", d->iommu_group,
			 d->iommu_type[0] ? d->iommu_type : "?");
	else
		snprintf(cells[6], 96, "none");
	udb_isolation_text(cells[7], 96, d->isolation);
	if (d->owner >= 0) {
		size_t used = strlen(cells[7]);

		snprintf(cells[7] + used, 96 - used, ", in use by uid %ld", d->owner);
	}
	if (!d->irq_mode[0])
		snprintf(cells[8], 96, "?");
	else if (!strcmp(d->irq_mode, "msix") && d->irq_vectors >= 0)
		snprintf(cells[8], 96, "msix (%d vectors)", d->irq_vectors);
	else
		snprintf(cells[8], 96, "%s", d->irq_mode);
	if (d->imports < 0)
		snprintf(cells[9], 96, "?");
	else if (d->revoked > 0)
		snprintf(cells[9], 96, "%d (%d revoked)", d->imports, d->revoked);
	else
		snprintf(cells[9], 96, "%d", d->imports);
}

static void print_row(FILE *f, char cells[DEV_COLS][96], const int *width)
{
	int c;

	for (c = 0; c < DEV_COLS - 1; c++)
		fprintf(f, "%-*s  ", width[c], cells[c]);
	fprintf(f, "%s\n", cells[DEV_COLS - 1]);
}

/* The devices as a table whose columns are as wide as their widest cell. */
void udb_print_devices_table(FILE *f, const struct udb_device *d, int n)
{
	static const char *const head[DEV_COLS] = {
		"uio", "node", "bus", "device", "id", "dma_mask", "iommu", "isolation", "irq",
		"imports"
	};
	char cells[DEV_COLS][96];
	int width[DEV_COLS], i, c;

	if (!n) {
		fputs("no UIO device is bound to uio_dmabuf\n", f);
		return;
	}
	for (c = 0; c < DEV_COLS; c++)
		width[c] = (int)strlen(head[c]);
	for (i = 0; i < n; i++) {
		device_row(&d[i], cells);
		for (c = 0; c < DEV_COLS; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = (int)strlen(cells[c]);
	}
	for (c = 0; c < DEV_COLS; c++)
		snprintf(cells[c], 96, "%s", head[c]);
	print_row(f, cells, width);
	for (i = 0; i < n; i++) {
		device_row(&d[i], cells);
		print_row(f, cells, width);
	}
}

/* ", \"@key\": @v", or null for a negative @v (unknown). */
/* A condition of the isolation flags: true, false, or null when not reported. */
static const char *json_condition(int flags, int flag)
{
	if ((flags & UDB_ISOLATION_PRE_1_1) &&
	    (flag & (UIO_DMABUF_INFO_RESET | UIO_DMABUF_INFO_NO_DIRECT)))
		return "null";
	return flags & flag ? "true" : "false";
}

static void json_count(FILE *f, const char *key, long v)
{
	if (v >= 0)
		fprintf(f, ", \"%s\": %ld", key, v);
	else
		fprintf(f, ", \"%s\": null", key);
}

void udb_print_devices_json(FILE *f, const struct udb_device *d, int n)
{
	int i;

	fputs("{\"devices\": [", f);
	for (i = 0; i < n; i++) {
		fputs(i ? ", {\"uio\": " : "{\"uio\": ", f);
		udb_json_string(f, d[i].uio);
		fprintf(f, ", \"index\": %u, \"node\": ", d[i].index);
		udb_json_string(f, d[i].node);
		fputs(", \"bus\": ", f);
		udb_json_string(f, d[i].bus);
		fputs(", \"device\": ", f);
		udb_json_string(f, d[i].id);
		fputs(", \"vendor\": ", f);
		udb_json_string(f, d[i].vendor[0] ? d[i].vendor : NULL);
		fputs(", \"device_id\": ", f);
		udb_json_string(f, d[i].device_id[0] ? d[i].device_id : NULL);
		json_count(f, "dma_mask_bits", d[i].dma_mask_bits);
		fprintf(f, ", \"iommu\": %s", d[i].iommu ? "true" : "false");
		json_count(f, "iommu_group", d[i].iommu_group);
		fputs(", \"iommu_type\": ", f);
		udb_json_string(f, d[i].iommu_type[0] ? d[i].iommu_type : NULL);
		if (d[i].isolation >= 0)
			fprintf(f, ", \"isolation\": {\"flags\": %d, \"strict\": %s, \"viable\": %s, "
				"\"msi_isolated\": %s, \"reset\": %s, \"no_direct\": %s, "
				"\"isolated\": %s}", d[i].isolation & ~UDB_ISOLATION_PRE_1_1,
				json_condition(d[i].isolation, UIO_DMABUF_INFO_STRICT),
				json_condition(d[i].isolation, UIO_DMABUF_INFO_VIABLE),
				json_condition(d[i].isolation, UIO_DMABUF_INFO_MSI_ISOLATED),
				json_condition(d[i].isolation, UIO_DMABUF_INFO_RESET),
				json_condition(d[i].isolation, UIO_DMABUF_INFO_NO_DIRECT),
				json_condition(d[i].isolation, UIO_DMABUF_INFO_ISOLATED));
		else
			fputs(", \"isolation\": null", f);
		json_count(f, "owner_uid", d[i].owner);
		fputs(", \"irq_mode\": ", f);
		udb_json_string(f, d[i].irq_mode[0] ? d[i].irq_mode : NULL);
		json_count(f, "irq_vectors", d[i].irq_vectors);
		json_count(f, "imports", d[i].imports);
		json_count(f, "revoked", d[i].revoked);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

void udb_print_heaps_table(FILE *f, const struct udb_heap *h, int n)
{
	int i, width = 0;

	if (!n) {
		fputs("no dma-heap in /dev/dma_heap\n", f);
		return;
	}
	for (i = 0; i < n; i++)
		if ((int)strlen(h[i].name) > width)
			width = (int)strlen(h[i].name);
	for (i = 0; i < n; i++)
		fprintf(f, "%-*s  /dev/dma_heap/%s%s\n", width, h[i].name, h[i].name,
			h[i].cma ? "  (--heap cma)" : "");
}

void udb_print_heaps_json(FILE *f, const struct udb_heap *h, int n)
{
	char path[160];
	int i;

	fputs("{\"heaps\": [", f);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", h[i].name);
		fputs(i ? ", {\"name\": " : "{\"name\": ", f);
		udb_json_string(f, h[i].name);
		fputs(", \"path\": ", f);
		udb_json_string(f, path);
		fprintf(f, ", \"cma\": %s}", h[i].cma ? "true" : "false");
	}
	fputs("]}\n", f);
}

static void json_field(FILE *f, const char *sep, const char *name, const char *value)
{
	fprintf(f, "%s\"%s\": ", sep, name);
	udb_json_string(f, value && value[0] ? value : NULL);
}

void udb_print_binding_json(FILE *f, const char *command, const char *device, const char *bus,
			    const char *driver, const char *previous, const char *uio,
			    const char *node)
{
	json_field(f, "{", "command", command);
	json_field(f, ", ", "device", device);
	json_field(f, ", ", "bus", bus);
	json_field(f, ", ", "driver", driver);
	json_field(f, ", ", "previous_driver", previous);
	json_field(f, ", ", "uio", uio);
	json_field(f, ", ", "node", node);
	fputs("}\n", f);
}

/* The errno names the tool can meet (strerrorname_np() is glibc's alone). */
static const char *errno_name(int err)
{
#define E(x) [x] = #x
	static const char *const names[] = {
		E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
		E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
		E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
		E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(EFBIG),
		E(ENOSPC), E(ESPIPE), E(EROFS), E(EPIPE), E(EDOM), E(ERANGE),
		E(EDEADLK), E(ENAMETOOLONG), E(ENOSYS), E(ELOOP), E(EOVERFLOW),
		E(EOPNOTSUPP), E(ETIMEDOUT), E(ESTALE), E(ECANCELED),
	};
#undef E
	return err > 0 && (size_t)err < sizeof(names) / sizeof(names[0]) ? names[err] : NULL;
}

void udb_print_failure_line(FILE *f, const struct udb_failure *e)
{
	fputs("uio-dmabuf", f);
	if (e->command)
		fprintf(f, ": %s", e->command);
	if (e->device)
		fprintf(f, ": device %s", e->device);
	if (e->buffer)
		fprintf(f, "%s buffer %s", e->device ? "," : ":", e->buffer);
	fprintf(f, ": %s", e->operation);
	if (e->err)
		fprintf(f, errno_name(e->err) ? ": %s (%s)" : ": %s", strerror(e->err),
			errno_name(e->err));
	if (e->detail)
		fprintf(f, ": %s", e->detail);
	fputc('\n', f);
}

void udb_print_failure_json(FILE *f, const struct udb_failure *e)
{
	fputs("{\"error\": {\"command\": ", f);
	udb_json_string(f, e->command);
	fputs(", \"device\": ", f);
	udb_json_string(f, e->device);
	fputs(", \"buffer\": ", f);
	udb_json_string(f, e->buffer);
	fputs(", \"operation\": ", f);
	udb_json_string(f, e->operation);
	fprintf(f, ", \"errno\": %d, \"errno_name\": ", e->err);
	udb_json_string(f, e->err ? errno_name(e->err) : NULL);
	fputs(", \"message\": ", f);
	udb_json_string(f, e->err ? strerror(e->err) : "invalid arguments");
	fputs(", \"detail\": ", f);
	udb_json_string(f, e->detail);
	fputs("}}\n", f);
}
