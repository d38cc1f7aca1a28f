/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rendering of the uio-dmabuf CLI's results as tables and as JSON. */
#ifndef UIO_DMABUF_FORMAT_H
#define UIO_DMABUF_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/uio_dmabuf.h>

/* One imported buffer, as alloc and import report it. */
struct udb_report {
	const char *command;	/* "alloc" or "import" */
	const char *device;	/* the import node's path */
	unsigned int uio_index;
	const char *source;	/* "heap", "udmabuf", "drm" or "fd" */
	const char *buffer;	/* for people: "system heap", "fd 5", ... */
	const char *heap;	/* the dma-heap's name, or NULL */
	int buf_fd;
	uint64_t size;
	uint32_t handle;
	const char *direction;
	bool iommu;
	bool needs_sync;	/* UIO_DMABUF_MAP_NEEDS_SYNC: bounced or not coherent */
	bool peer;		/* UIO_DMABUF_MAP_PEER: another device's memory */
	const struct uio_dmabuf_segment *segs;
	uint32_t nr_segs;
};

/* One UIO device served by uio_dmabuf, as list reports it. */
struct udb_device {
	char uio[32];		/* "uio0" */
	unsigned int index;
	char node[64];		/* "/dev/uio-dmabuf0" */
	char bus[16];		/* "pci", "platform", ... */
	char id[64];		/* "0000:00:03.0" or the platform device's name */
	char vendor[16];	/* "0x1234" on PCI, else "" */
	char device_id[16];	/* "0x11e8" on PCI, else "" */
	int dma_mask_bits;	/* -1 when unknown */
	bool iommu;		/* behind a DMA-translating IOMMU domain */
	int iommu_group;	/* -1 when none */
	char iommu_type[16];	/* the group's type, "" when none */
	int isolation;		/* UIO_DMABUF_INFO_* flags, -1 when unknown; see below */
	int imports;		/* buffers imported on the device, -1 when unknown */
	long owner;		/* fsuid owning the IOMMU group, -1 when none or unknown */
	char irq_mode[8];	/* "none", "line", "intx", "msi", "msix"; "" when unknown */
	int irq_vectors;	/* MSI-X vectors for eventfds, -1 when unknown */
	int revoked;		/* revoked imports not released yet, -1 when unknown */
};

/* One dma-heap, as heaps reports it. */
struct udb_heap {
	char name[128];
	bool cma;		/* what --heap cma selects */
};

void udb_format_size(char *buf, size_t len, uint64_t size);
void udb_json_string(FILE *f, const char *s);

void udb_print_report_table(FILE *f, const struct udb_report *r);
void udb_print_report_json(FILE *f, const struct udb_report *r);
void udb_print_devices_table(FILE *f, const struct udb_device *d, int n);
void udb_print_devices_json(FILE *f, const struct udb_device *d, int n);
void udb_print_heaps_table(FILE *f, const struct udb_heap *h, int n);
void udb_print_heaps_json(FILE *f, const struct udb_heap *h, int n);
/* bind's and unbind's result; "" strings print as null. */
void udb_print_binding_json(FILE *f, const char *command, const char *device, const char *bus,
			    const char *driver, const char *previous, const char *uio,
			    const char *node);

/* A failure: "uio-dmabuf: CMD: device D, buffer B: OP: TEXT (NAME)". */
struct udb_failure {
	const char *command;
	const char *device;	/* or NULL */
	const char *buffer;	/* or NULL */
	const char *operation;	/* what failed: "open", "import", ... */
	int err;		/* positive errno, or 0 for a usage error */
	const char *detail;	/* for a usage error: what was wrong */
};

void udb_print_failure_line(FILE *f, const struct udb_failure *e);

/* "isolated", "no IOMMU", or "not isolated: " and the unmet conditions. */
/*
 * Or'ed into udb_device.isolation by the CLI, never a kernel flag: the module
 * predates 1.1.0, which added UIO_DMABUF_INFO_RESET and _NO_DIRECT, so that
 * their absence says nothing (the text and hint leave them out, JSON has null).
 */
#define UDB_ISOLATION_PRE_1_1	0x40000000
void udb_isolation_text(char *buf, size_t len, int flags);
/* Why an open was refused (EPERM) and how an administrator fixes it. */
void udb_isolation_hint(char *buf, size_t len, int flags, int group);
/* Advice for EBUSY at open: who holds the device's IOMMU group (@owner -1: unknown). */
void udb_owner_hint(char *buf, size_t len, long owner, int group);
void udb_print_failure_json(FILE *f, const struct udb_failure *e);

#endif /* UIO_DMABUF_FORMAT_H */
