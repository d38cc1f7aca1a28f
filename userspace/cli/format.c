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

void udb_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
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
	fprintf(f, "size %" PRIu64 " (%s), %" PRIu32 " segment%s, %s, %s%s\n", r->size, size,
		r->nr_segs, r->nr_segs == 1 ? "" : "s",
		report_contiguous(r) ? "contiguous" : "not contiguous",
		r->iommu ? "IOMMU (addresses are IOVAs)" : "no IOMMU (addresses are physical)",
		r->needs_sync ? ", needs SYNC (bounced or not cache-coherent)" : "");
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
	fprintf(f, ", \"iommu\": %s, \"contiguous\": %s, \"needs_sync\": %s, \"nr_segments\": %"
		PRIu32 ", \"segments\": [", r->iommu ? "true" : "false",
		report_contiguous(r) ? "true" : "false", r->needs_sync ? "true" : "false",
		r->nr_segs);
	for (i = 0; i < r->nr_segs; i++) {
		fprintf(f, "%s{\"index\": %" PRIu32 ", \"dma_addr\": %" PRIu64
			", \"length\": %" PRIu64 ", \"offset\": %" PRIu64 "}",
			i ? ", " : "", i, (uint64_t)r->segs[i].dma_addr,
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
	snprintf(buf, len, "not isolated:%s%s%s",
		 flags & UIO_DMABUF_INFO_STRICT ? "" : " lazy-domain",
		 flags & UIO_DMABUF_INFO_VIABLE ? "" : " shared-group",
		 flags & UIO_DMABUF_INFO_MSI_ISOLATED ? "" : " msi-not-isolated");
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
	HINT("%s", unsafe);
#undef HINT
}

void udb_print_devices_table(FILE *f, const struct udb_device *d, int n)
{
	char mask[16], iommu[48], isolation[64];
	int i;

	if (!n) {
		fputs("no UIO device is bound to uio_dmabuf\n", f);
		return;
	}
	fprintf(f, "%-6s  %-18s  %-8s  %-14s  %-13s  %-8s  %-30s  %s\n", "uio", "node", "bus",
		"device", "id", "dma_mask", "iommu", "isolation");
	for (i = 0; i < n; i++) {
		char id[40];

		snprintf(id, sizeof(id), "%s%s%s", d[i].vendor, d[i].vendor[0] ? ":" : "-",
			 d[i].device_id);
		if (d[i].dma_mask_bits >= 0)
			snprintf(mask, sizeof(mask), "%d bits", d[i].dma_mask_bits);
		else
			snprintf(mask, sizeof(mask), "?");
		if (d[i].iommu_group >= 0)
			snprintf(iommu, sizeof(iommu), "%s (group %d, %s)",
				 d[i].iommu ? "translated" : "not translated", d[i].iommu_group,
				 d[i].iommu_type[0] ? d[i].iommu_type : "?");
		else
			snprintf(iommu, sizeof(iommu), "none");
		udb_isolation_text(isolation, sizeof(isolation), d[i].isolation);
		fprintf(f, "%-6s  %-18s  %-8s  %-14s  %-13s  %-8s  %-30s  %s\n", d[i].uio, d[i].node,
			d[i].bus, d[i].id, id, mask, iommu, isolation);
	}
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
		if (d[i].dma_mask_bits >= 0)
			fprintf(f, ", \"dma_mask_bits\": %d", d[i].dma_mask_bits);
		else
			fputs(", \"dma_mask_bits\": null", f);
		fprintf(f, ", \"iommu\": %s", d[i].iommu ? "true" : "false");
		if (d[i].iommu_group >= 0)
			fprintf(f, ", \"iommu_group\": %d, \"iommu_type\": ", d[i].iommu_group);
		else
			fputs(", \"iommu_group\": null, \"iommu_type\": ", f);
		udb_json_string(f, d[i].iommu_type[0] ? d[i].iommu_type : NULL);
		if (d[i].isolation >= 0)
			fprintf(f, ", \"isolation\": {\"flags\": %d, \"strict\": %s, \"viable\": %s, "
				"\"msi_isolated\": %s, \"isolated\": %s}", d[i].isolation,
				d[i].isolation & UIO_DMABUF_INFO_STRICT ? "true" : "false",
				d[i].isolation & UIO_DMABUF_INFO_VIABLE ? "true" : "false",
				d[i].isolation & UIO_DMABUF_INFO_MSI_ISOLATED ? "true" : "false",
				d[i].isolation & UIO_DMABUF_INFO_ISOLATED ? "true" : "false");
		else
			fputs(", \"isolation\": null", f);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

void udb_print_heaps_table(FILE *f, const struct udb_heap *h, int n)
{
	int i;

	if (!n) {
		fputs("no dma-heap in /dev/dma_heap\n", f);
		return;
	}
	for (i = 0; i < n; i++)
		fprintf(f, "%-20s /dev/dma_heap/%s%s\n", h[i].name, h[i].name,
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
	return err > 0 && (size_t)err < sizeof(names) / sizeof(names[0]) && names[err] ?
	       names[err] : "";
}

void udb_print_failure_line(FILE *f, const struct udb_failure *e)
{
	fprintf(f, "uio-dmabuf: %s", e->command);
	if (e->device)
		fprintf(f, ": device %s", e->device);
	if (e->buffer)
		fprintf(f, "%s buffer %s", e->device ? "," : ":", e->buffer);
	fprintf(f, ": %s", e->operation);
	if (e->err)
		fprintf(f, ": %s (%s)", strerror(e->err), errno_name(e->err));
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
