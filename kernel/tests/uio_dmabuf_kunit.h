/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture the uio_dmabuf KUnit suites share.
 *
 * A test exporter hands out dma-bufs whose "mapping" is a table of DMA
 * addresses the case chooses (one page, many pages, adjacent runs that must
 * merge, tables that fail or fall short), and counts what the importer holds:
 * attachments, pins and mappings. The device is a KUnit device. Ioctls other
 * than IMPORT go through the real handler with arguments in user memory from
 * kunit_vm_mmap(); IMPORT enters just past dma_buf_get() of its fd.
 */
#ifndef _UIO_DMABUF_KUNIT_H
#define _UIO_DMABUF_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>

#include "../uio_dmabuf_priv.h"

/* No live import is left in @file's handle table. */
static inline bool uio_dmabuf_test_no_handles(struct uio_dmabuf_file *file)
{
	u32 slot = 0;
	bool none;

	mutex_lock(&file->lock);
	none = !uio_dmabuf_next_import(file, &slot);
	mutex_unlock(&file->lock);
	return none;
}

/* One DMA range of a test exporter's table. */
struct uio_dmabuf_test_ent {
	u64 addr;
	u32 len;
};

#define UIO_DMABUF_TEST_MAX_ENTS	16

/**
 * struct uio_dmabuf_test_layout - what a test buffer maps to
 * @name:     parameter description
 * @size:     the dma-buf's size
 * @ents:     the table the exporter returns
 * @nr_ents:  entries in @ents
 * @segs:     the segments the importer must report
 * @nr_segs:  entries in @segs
 */
struct uio_dmabuf_test_layout {
	const char *name;
	u64 size;
	struct uio_dmabuf_test_ent ents[UIO_DMABUF_TEST_MAX_ENTS];
	int nr_ents;
	struct uio_dmabuf_segment segs[UIO_DMABUF_TEST_MAX_ENTS];
	int nr_segs;
};

/*
 * The layouts of the segment cases. Other cases take the first four by index:
 * [0] one page, [1] four scattered pages, [2] two runs merged from five
 * entries, [3] eight pages merged into one segment.
 */
#define UIO_DMABUF_TEST_NR_LAYOUTS	13
extern const struct uio_dmabuf_test_layout uio_dmabuf_test_layouts[UIO_DMABUF_TEST_NR_LAYOUTS];
/* Five segments of one page each, for paging. */
extern const struct uio_dmabuf_test_layout uio_dmabuf_test_five;

/* The exporter's private data: freed by its release op, after the last put. */
struct uio_dmabuf_test_buf {
	const struct uio_dmabuf_test_layout *layout;
	int attach_error;
	int pin_error;
	int map_error;
	bool invalidate_in_map;
	/* The map op marks every entry a PCI bus address: a peer's memory. */
	bool bus_addresses;
	/* If set, the map op completes @map_entered, then waits for @map_gate. */
	struct completion *map_entered;
	struct completion *map_gate;
	/* The same for the unmap op. */
	struct completion *unmap_entered;
	struct completion *unmap_gate;
	atomic_t attached;
	atomic_t pinned;
	atomic_t mapped;
	atomic_t maps;
	enum dma_data_direction last_dir;
};

/* No pin/unpin: the dma-buf core maps at attach time and caches the table. */
extern const struct dma_buf_ops uio_dmabuf_test_static_ops;
/* Moves its buffers only with pin/unpin: importers must pin. */
extern const struct dma_buf_ops uio_dmabuf_test_dynamic_ops;

/* Per-case fixture. */
struct uio_dmabuf_test_ctx {
	struct device *dev;
	struct uio_dmabuf_dev *udev;
	struct uio_dmabuf_file *file;
	void __user *uarg;	/* one page for ioctl arguments */
	void __user *usegs;	/* segment arrays */
	bool dma_enabled;
	int mapped_when_dma_stopped;
	struct uio_dmabuf_test_buf *watch;	/* read by the set_dma_enabled hook */
	long locked_vm;		/* the user's locked_vm when the case began */
	/* The reset hook of uio_dmabuf_test_reset_ops: what it saw, what it returns. */
	int resets;		/* calls */
	int resets_locked;	/* calls with the device lock held (bind, unbind) */
	int resets_with_dma;	/* calls while DMA was on */
	int resets_mapped;	/* calls while @watch was still mapped */
	int reset_ret;
};

extern const struct uio_dmabuf_bus_ops uio_dmabuf_test_bus_ops;
extern const struct uio_dmabuf_bus_ops uio_dmabuf_test_reset_ops;
extern const struct uio_dmabuf_bus_ops uio_dmabuf_test_noswitch_ops;

/* Deferred actions, also run early with kunit_release_action(). */
void uio_dmabuf_test_put_action(void *dmabuf);
void uio_dmabuf_test_unregister_action(void *udev);
void uio_dmabuf_test_file_release_action(void *file);

int uio_dmabuf_test_init(struct kunit *test);

struct dma_buf *uio_dmabuf_test_export_mode(struct kunit *test, const struct dma_buf_ops *ops,
					    size_t size, int mode, void *priv,
					    void (*free)(void *priv));
struct dma_buf *uio_dmabuf_test_export(struct kunit *test, const struct dma_buf_ops *ops,
				       size_t size, void *priv, void (*free)(void *priv));
struct dma_buf *uio_dmabuf_test_buffer_mode(struct kunit *test,
					    const struct uio_dmabuf_test_layout *layout,
					    const struct dma_buf_ops *ops, int mode,
					    struct uio_dmabuf_test_buf **bufp);
struct dma_buf *uio_dmabuf_test_buffer(struct kunit *test,
				       const struct uio_dmabuf_test_layout *layout,
				       const struct dma_buf_ops *ops,
				       struct uio_dmabuf_test_buf **bufp);
long uio_dmabuf_test_charged(struct kunit *test);
bool uio_dmabuf_test_core_maps_at_attach(struct kunit *test, struct dma_buf *dmabuf,
					 struct uio_dmabuf_test_buf *buf);
struct dma_buf *uio_dmabuf_test_new(struct kunit *test,
				    const struct uio_dmabuf_test_layout *layout,
				    struct uio_dmabuf_test_buf **bufp);
struct dma_buf *uio_dmabuf_test_imported(struct kunit *test,
					 const struct uio_dmabuf_test_layout *layout,
					 struct uio_dmabuf_test_buf **bufp,
					 struct uio_dmabuf_import *imp);
void uio_dmabuf_test_invalidate(struct dma_buf *dmabuf, int map_error);
struct device *uio_dmabuf_test_kdev(struct kunit *test, const char *name);
struct iommu_group *uio_dmabuf_test_group(struct kunit *test);
void uio_dmabuf_test_join(struct kunit *test, struct iommu_group *group, struct device *dev);
struct uio_dmabuf_dev *uio_dmabuf_test_register(struct kunit *test, struct device *dev, int index,
						const struct uio_dmabuf_bus_ops *ops,
						const struct uio_dmabuf_irqs *irqs);
struct uio_dmabuf_dev *uio_dmabuf_test_device(struct kunit *test, int n);
struct uio_dmabuf_dev *uio_dmabuf_test_grouped_device(struct kunit *test, struct device **other);
void uio_dmabuf_test_kernel_binds(struct device *dev);
void uio_dmabuf_test_no_direct(struct uio_dmabuf_dev *udev);
void uio_dmabuf_test_direct(struct uio_dmabuf_dev *udev);
struct uio_dmabuf_dev *uio_dmabuf_test_vector_device(struct kunit *test, int n);
struct uio_dmabuf_file *uio_dmabuf_test_open_mode(struct kunit *test,
						  struct uio_dmabuf_dev *udev, bool writable);
struct uio_dmabuf_file *uio_dmabuf_test_open(struct kunit *test, struct uio_dmabuf_dev *udev);
void uio_dmabuf_test_close(struct kunit *test, struct uio_dmabuf_file *file);

long uio_dmabuf_test_ioctl(struct kunit *test, struct uio_dmabuf_file *file,
			   unsigned int cmd, void *karg, size_t size);
int uio_dmabuf_test_import(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
			   u32 direction, u32 flags, struct uio_dmabuf_import *out);
long uio_dmabuf_test_release_handle(struct kunit *test, struct uio_dmabuf_file *file,
				    u32 handle);
long uio_dmabuf_test_get_all(struct kunit *test, u32 handle, struct uio_dmabuf_segment *segs,
			     u32 cap, struct uio_dmabuf_get_segments *out);
void uio_dmabuf_test_expect_segments(struct kunit *test, u32 handle,
				     const struct uio_dmabuf_test_layout *l);

unsigned long uio_dmabuf_test_device_imports(struct uio_dmabuf_dev *udev);
void uio_dmabuf_test_expect_idle(struct kunit *test, struct uio_dmabuf_test_buf *buf);
void uio_dmabuf_test_expect_empty(struct kunit *test, struct uio_dmabuf_test_buf *buf);
void uio_dmabuf_test_expect_unheld(struct kunit *test, struct dma_buf *dmabuf);

#endif /* _UIO_DMABUF_KUNIT_H */
