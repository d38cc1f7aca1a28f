// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the uio_dmabuf import core.
 *
 * A test exporter written here hands out dma-bufs whose "mapping" is a table of
 * DMA addresses the case chooses (one page, many pages, adjacent runs that must
 * merge, tables that fail or fall short), and counts what the importer holds:
 * attachments, pins and mappings. The device is a KUnit device. Ioctls other
 * than IMPORT go through the real handler with arguments in user memory from
 * kunit_vm_mmap(); IMPORT enters just past dma_buf_get() of its fd.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio_driver.h>

#include "../uio_dmabuf_priv.h"

#define SZ_PAGE	PAGE_SIZE

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

/* The exporter's private data: freed by its release op, after the last put. */
struct uio_dmabuf_test_buf {
	const struct uio_dmabuf_test_layout *layout;
	int attach_error;
	int pin_error;
	int map_error;
	atomic_t attached;
	atomic_t pinned;
	atomic_t mapped;
	atomic_t maps;
	enum dma_data_direction last_dir;
};

static int uio_dmabuf_test_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct uio_dmabuf_test_buf *buf = dmabuf->priv;

	if (buf->attach_error)
		return buf->attach_error;
	atomic_inc(&buf->attached);
	return 0;
}

static void uio_dmabuf_test_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct uio_dmabuf_test_buf *buf = dmabuf->priv;

	atomic_dec(&buf->attached);
}

static int uio_dmabuf_test_pin(struct dma_buf_attachment *attach)
{
	struct uio_dmabuf_test_buf *buf = attach->dmabuf->priv;

	if (buf->pin_error)
		return buf->pin_error;
	atomic_inc(&buf->pinned);
	return 0;
}

static void uio_dmabuf_test_unpin(struct dma_buf_attachment *attach)
{
	struct uio_dmabuf_test_buf *buf = attach->dmabuf->priv;

	atomic_dec(&buf->pinned);
}

static struct sg_table *uio_dmabuf_test_map(struct dma_buf_attachment *attach,
					    enum dma_data_direction dir)
{
	struct uio_dmabuf_test_buf *buf = attach->dmabuf->priv;
	const struct uio_dmabuf_test_layout *l = buf->layout;
	struct scatterlist *sg;
	struct sg_table *sgt;
	int i;

	if (buf->map_error)
		return ERR_PTR(buf->map_error);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (sg_alloc_table(sgt, l->nr_ents, GFP_KERNEL)) {
		kfree(sgt);
		return ERR_PTR(-ENOMEM);
	}
	/* Only the DMA side is filled in: the importer must read nothing else. */
	for_each_sgtable_sg(sgt, sg, i) {
		sg->length = l->ents[i].len;
		sg_dma_address(sg) = l->ents[i].addr;
		sg_dma_len(sg) = l->ents[i].len;
	}
	sgt->nents = l->nr_ents;
	buf->last_dir = dir;
	atomic_inc(&buf->mapped);
	atomic_inc(&buf->maps);
	return sgt;
}

static void uio_dmabuf_test_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
				  enum dma_data_direction dir)
{
	struct uio_dmabuf_test_buf *buf = attach->dmabuf->priv;

	sg_free_table(sgt);
	kfree(sgt);
	atomic_dec(&buf->mapped);
}

static void uio_dmabuf_test_release(struct dma_buf *dmabuf)
{
	kfree(dmabuf->priv);
}

/* Moves its buffers only with pin/unpin: importers must pin. */
static const struct dma_buf_ops uio_dmabuf_test_dynamic_ops = {
	.attach = uio_dmabuf_test_attach,
	.detach = uio_dmabuf_test_detach,
	.pin = uio_dmabuf_test_pin,
	.unpin = uio_dmabuf_test_unpin,
	.map_dma_buf = uio_dmabuf_test_map,
	.unmap_dma_buf = uio_dmabuf_test_unmap,
	.release = uio_dmabuf_test_release,
};

/* No pin/unpin: the dma-buf core maps at attach time and caches the table. */
static const struct dma_buf_ops uio_dmabuf_test_static_ops = {
	.attach = uio_dmabuf_test_attach,
	.detach = uio_dmabuf_test_detach,
	.map_dma_buf = uio_dmabuf_test_map,
	.unmap_dma_buf = uio_dmabuf_test_unmap,
	.release = uio_dmabuf_test_release,
};

/* Layouts. Addresses are page aligned, as real mappings are. */
static const struct uio_dmabuf_test_layout uio_dmabuf_test_layouts[] = {
	{
		.name = "one page",
		.size = SZ_4K,
		.ents = { { 0x10000, SZ_4K } }, .nr_ents = 1,
		.segs = { { 0x10000, SZ_4K } }, .nr_segs = 1,
	},
	{
		.name = "scattered pages",
		.size = 4 * SZ_4K,
		.ents = { { 0x50000, SZ_4K }, { 0x30000, SZ_4K }, { 0x90000, SZ_4K },
			  { 0x70000, SZ_4K } }, .nr_ents = 4,
		.segs = { { 0x50000, SZ_4K }, { 0x30000, SZ_4K }, { 0x90000, SZ_4K },
			  { 0x70000, SZ_4K } }, .nr_segs = 4,
	},
	{
		.name = "adjacent runs merge",
		.size = 24 * SZ_1K,
		.ents = { { 0x100000, SZ_4K }, { 0x101000, SZ_4K }, { 0x102000, SZ_8K },
			  { 0x200000, SZ_4K }, { 0x201000, SZ_4K } }, .nr_ents = 5,
		.segs = { { 0x100000, SZ_16K }, { 0x200000, SZ_8K } }, .nr_segs = 2,
	},
	{
		.name = "all adjacent",
		.size = 8 * SZ_4K,
		.ents = { { 0x400000, SZ_4K }, { 0x401000, SZ_4K }, { 0x402000, SZ_4K },
			  { 0x403000, SZ_4K }, { 0x404000, SZ_4K }, { 0x405000, SZ_4K },
			  { 0x406000, SZ_4K }, { 0x407000, SZ_4K } }, .nr_ents = 8,
		.segs = { { 0x400000, SZ_32K } }, .nr_segs = 1,
	},
	{
		.name = "descending pages stay apart",
		.size = SZ_8K,
		.ents = { { 0x3000, SZ_4K }, { 0x2000, SZ_4K } }, .nr_ents = 2,
		.segs = { { 0x3000, SZ_4K }, { 0x2000, SZ_4K } }, .nr_segs = 2,
	},
	{
		/* Merging stops at the 4 GiB boundary and at the max segment size. */
		.name = "6 GiB contiguous above 4 GiB",
		.size = 6ULL * SZ_1G,
		.ents = { { 0x100000000ULL, SZ_2G }, { 0x180000000ULL, SZ_2G },
			  { 0x200000000ULL, SZ_2G } }, .nr_ents = 3,
		.segs = { { 0x100000000ULL, SZ_2G }, { 0x180000000ULL, SZ_2G },
			  { 0x200000000ULL, SZ_2G } }, .nr_segs = 3,
	},
	{
		.name = "adjacent across the 4 GiB boundary",
		.size = SZ_8K,
		.ents = { { 0xfffff000ULL, SZ_4K }, { 0x100000000ULL, SZ_4K } }, .nr_ents = 2,
		.segs = { { 0xfffff000ULL, SZ_4K }, { 0x100000000ULL, SZ_4K } }, .nr_segs = 2,
	},
	{
		.name = "one entry across the 4 GiB boundary is split",
		.size = SZ_128K,
		.ents = { { 0xffff0000ULL, SZ_128K } }, .nr_ents = 1,
		.segs = { { 0xffff0000ULL, SZ_64K }, { 0x100000000ULL, SZ_64K } }, .nr_segs = 2,
	},
	{
		.name = "merged up to the max segment size",
		.size = SZ_4G,
		.ents = { { 0x100000000ULL, SZ_2G }, { 0x180000000ULL, SZ_2G - SZ_4K },
			  { 0x1fffff000ULL, SZ_4K } }, .nr_ents = 3,
		.segs = { { 0x100000000ULL, SZ_4G - SZ_4K }, { 0x1fffff000ULL, SZ_4K } },
		.nr_segs = 2,
	},
	{
		.name = "table longer than the buffer",
		.size = SZ_8K,
		.ents = { { 0x20000, SZ_4K }, { 0x40000, SZ_8K } }, .nr_ents = 2,
		.segs = { { 0x20000, SZ_4K }, { 0x40000, SZ_4K } }, .nr_segs = 2,
	},
};

static void uio_dmabuf_test_layout_desc(const struct uio_dmabuf_test_layout *l, char *desc)
{
	strscpy(desc, l->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(uio_dmabuf_test_layout, uio_dmabuf_test_layouts, uio_dmabuf_test_layout_desc);

/* Five segments of one page each, for paging. */
static const struct uio_dmabuf_test_layout uio_dmabuf_test_five = {
	.name = "five",
	.size = 5 * SZ_4K,
	.ents = { { 0x10000, SZ_4K }, { 0x30000, SZ_4K }, { 0x50000, SZ_4K },
		  { 0x70000, SZ_4K }, { 0x90000, SZ_4K } }, .nr_ents = 5,
};

/* A table one page short of its buffer. */
static const struct uio_dmabuf_test_layout uio_dmabuf_test_short = {
	.name = "short",
	.size = 3 * SZ_4K,
	.ents = { { 0x10000, SZ_4K }, { 0x30000, SZ_4K } }, .nr_ents = 2,
};

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
};

#define UIO_DMABUF_TEST_USER_PAGES	4

static void uio_dmabuf_test_set_dma_enabled(void *priv, bool enable)
{
	struct uio_dmabuf_test_ctx *ctx = priv;

	ctx->dma_enabled = enable;
	if (!enable && ctx->watch)
		ctx->mapped_when_dma_stopped = atomic_read(&ctx->watch->mapped);
}

static const struct uio_dmabuf_bus_ops uio_dmabuf_test_bus_ops = {
	.set_dma_enabled = uio_dmabuf_test_set_dma_enabled,
};

KUNIT_DEFINE_ACTION_WRAPPER(uio_dmabuf_test_put_action, dma_buf_put, struct dma_buf *);
KUNIT_DEFINE_ACTION_WRAPPER(uio_dmabuf_test_unregister_action, uio_dmabuf_unregister,
			    struct uio_dmabuf_dev *);
KUNIT_DEFINE_ACTION_WRAPPER(uio_dmabuf_test_file_release_action, uio_dmabuf_file_release,
			    struct uio_dmabuf_file *);

static unsigned int uio_dmabuf_test_saved_max_imports;
static bool uio_dmabuf_test_saved_allow_unsafe;

static void uio_dmabuf_test_restore_params(void *unused)
{
	uio_dmabuf_max_imports = uio_dmabuf_test_saved_max_imports;
	uio_dmabuf_allow_unsafe = uio_dmabuf_test_saved_allow_unsafe;
}

/* A dma-buf from the test exporter, put when the case ends. */
static struct dma_buf *uio_dmabuf_test_buffer(struct kunit *test,
					      const struct uio_dmabuf_test_layout *layout,
					      const struct dma_buf_ops *ops,
					      struct uio_dmabuf_test_buf **bufp)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	buf->layout = layout;
	exp_info.ops = ops;
	exp_info.size = layout->size;
	exp_info.flags = O_RDWR;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		kfree(buf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_put_action,
							   dmabuf));
	*bufp = buf;
	return dmabuf;
}

static struct uio_dmabuf_dev *uio_dmabuf_test_device(struct kunit *test, int n)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct device_dma_parameters *parms;
	struct uio_dmabuf_dev *udev;
	struct device *dev;
	char name[32];

	snprintf(name, sizeof(name), "uio-dmabuf-test%d", n);
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	dev->dma_mask = &dev->coherent_dma_mask;
	/* As PCI sets them up: a 4 GiB segment boundary, 64 KiB segments. */
	parms = kunit_kzalloc(test, sizeof(*parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, parms);
	parms->max_segment_size = SZ_64K;
	parms->segment_boundary_mask = 0xffffffff;
	dev->dma_parms = parms;
	udev = uio_dmabuf_register(dev, 900 + n, &uio_dmabuf_test_bus_ops, ctx);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, udev);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_unregister_action,
							   udev));
	return udev;
}

static struct uio_dmabuf_file *uio_dmabuf_test_open(struct kunit *test,
						    struct uio_dmabuf_dev *udev)
{
	struct uio_dmabuf_file *file = uio_dmabuf_file_open(udev);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   uio_dmabuf_test_file_release_action,
							   file));
	return file;
}

static int uio_dmabuf_test_init(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx;
	unsigned long addr;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;

	/* Gives this thread an mm, so imports are charged as for a process. */
	addr = kunit_vm_mmap(test, NULL, 0, UIO_DMABUF_TEST_USER_PAGES * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_NOT_NULL(test, current->mm);
	ctx->uarg = (void __user *)addr;
	ctx->usegs = (void __user *)(addr + PAGE_SIZE);

	uio_dmabuf_test_saved_max_imports = uio_dmabuf_max_imports;
	uio_dmabuf_test_saved_allow_unsafe = uio_dmabuf_allow_unsafe;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   uio_dmabuf_test_restore_params,
							   NULL));
	/* A KUnit device has no IOMMU: its node opens by the unsafe rule only. */
	uio_dmabuf_allow_unsafe = true;

	ctx->udev = uio_dmabuf_test_device(test, 0);
	ctx->file = uio_dmabuf_test_open(test, ctx->udev);
	return 0;
}

/* Runs one ioctl through the real handler with @karg copied via user memory. */
static long uio_dmabuf_test_ioctl(struct kunit *test, struct uio_dmabuf_file *file,
				  unsigned int cmd, void *karg, size_t size)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	long ret;

	KUNIT_ASSERT_EQ(test, 0, copy_to_user(ctx->uarg, karg, size));
	ret = uio_dmabuf_file_ioctl(file, cmd, ctx->uarg);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(karg, ctx->uarg, size));
	return ret;
}

static int uio_dmabuf_test_import(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
				  u32 direction, u32 flags, struct uio_dmabuf_import *out)
{
	struct uio_dmabuf_import arg = { .direction = direction, .flags = flags };
	int ret;

	ret = uio_dmabuf_file_import(file, dmabuf, &arg);
	if (out)
		*out = arg;
	return ret;
}

static long uio_dmabuf_test_release_handle(struct kunit *test, struct uio_dmabuf_file *file,
					   u32 handle)
{
	struct uio_dmabuf_release rel = { .handle = handle };

	return uio_dmabuf_test_ioctl(test, file, UIO_DMABUF_IOC_RELEASE, &rel, sizeof(rel));
}

static void uio_dmabuf_test_expect_idle(struct kunit *test, struct uio_dmabuf_test_buf *buf)
{
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->attached), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->pinned), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 0);
}

/* Imports the device holds: live, or still mapping or unmapping. */
static unsigned long uio_dmabuf_test_device_imports(struct uio_dmabuf_dev *udev)
{
	struct uio_dmabuf_mapping *map;
	unsigned long index, n = 0;

	xa_for_each(&udev->buffers, index, map)
		n++;
	return n;
}

/* Expects nothing of any import left: no import, no charge. */
static void uio_dmabuf_test_expect_empty(struct kunit *test, struct uio_dmabuf_test_buf *buf)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;

	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&ctx->file->handles));
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0);
}

/* Reads all segments of @handle with one GET_SEGMENTS call. */
static long uio_dmabuf_test_get_all(struct kunit *test, u32 handle,
				    struct uio_dmabuf_segment *segs, u32 cap,
				    struct uio_dmabuf_get_segments *out)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_get_segments gs = {
		.handle = handle,
		.count = cap,
		.segments = (uintptr_t)ctx->usegs,
	};
	long ret;

	ret = uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_GET_SEGMENTS, &gs, sizeof(gs));
	if (!ret && gs.count)
		KUNIT_ASSERT_EQ(test, 0,
				copy_from_user(segs, ctx->usegs, gs.count * sizeof(*segs)));
	*out = gs;
	return ret;
}

/* One GET_SEGMENTS page of @handle: from @first, at most @count, into ctx->usegs. */
static long uio_dmabuf_test_page(struct kunit *test, u32 handle, u32 first, u32 count,
				 struct uio_dmabuf_get_segments *gs)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;

	*gs = (struct uio_dmabuf_get_segments){
		.handle = handle, .first = first, .count = count,
		.segments = (uintptr_t)ctx->usegs,
	};
	return uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_GET_SEGMENTS, gs, sizeof(*gs));
}

/* The reported segments are the layout's, merged, in buffer order. */
static void uio_dmabuf_test_segments(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = test->param_value;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_segment segs[UIO_DMABUF_TEST_MAX_ENTS];
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;
	int i;

	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.nr_segments, l->nr_segs);
	KUNIT_EXPECT_EQ(test, imp.size, l->size);

	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_get_all(test, imp.handle, segs,
							 UIO_DMABUF_TEST_MAX_ENTS, &gs));
	KUNIT_ASSERT_EQ(test, gs.count, l->nr_segs);
	KUNIT_EXPECT_EQ(test, gs.nr_segments, l->nr_segs);
	for (i = 0; i < l->nr_segs; i++) {
		KUNIT_EXPECT_EQ_MSG(test, segs[i].dma_addr, l->segs[i].dma_addr, "segment %d", i);
		KUNIT_EXPECT_EQ_MSG(test, segs[i].length, l->segs[i].length, "segment %d", i);
	}
}

/* The segment lengths add up to the buffer's size, and the pages are charged. */
static void uio_dmabuf_test_lengths_sum(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = test->param_value;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_segment segs[UIO_DMABUF_TEST_MAX_ENTS];
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;
	u64 sum = 0;
	u32 i;

	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, l->size >> PAGE_SHIFT);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_get_all(test, imp.handle, segs,
							 UIO_DMABUF_TEST_MAX_ENTS, &gs));
	for (i = 0; i < gs.count; i++)
		sum += segs[i].length;
	KUNIT_EXPECT_EQ(test, sum, l->size);
	KUNIT_EXPECT_EQ(test, imp.size, l->size);
}

/* CONTIGUOUS succeeds for a one-segment mapping, even one merged from pages. */
static void uio_dmabuf_test_contiguous_ok(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[3],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0,
							UIO_DMABUF_IMPORT_CONTIGUOUS, &imp));
	KUNIT_EXPECT_EQ(test, imp.nr_segments, 1);
}

/* CONTIGUOUS fails with E2BIG for a scattered mapping, leaving nothing behind. */
static void uio_dmabuf_test_contiguous_e2big(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[2],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_EXPECT_EQ(test, -E2BIG, uio_dmabuf_test_import(ctx->file, dmabuf, 0,
							     UIO_DMABUF_IMPORT_CONTIGUOUS, &imp));
	KUNIT_EXPECT_EQ(test, imp.handle, 0);
	uio_dmabuf_test_expect_empty(test, buf);
}

/* Handles are nonzero and distinct among live imports. */
static void uio_dmabuf_test_handles_unique(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import imp[8];
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(imp); i++) {
		dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
						&uio_dmabuf_test_dynamic_ops, &buf);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp[i]));
		KUNIT_EXPECT_NE(test, imp[i].handle, 0);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, imp[i].handle, imp[j].handle);
	}
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, ARRAY_SIZE(imp));
}

/* A released handle is not handed out again to the next import. */
static void uio_dmabuf_test_handle_not_reused(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import a, b, c;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *da, *db;

	da = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
				    &uio_dmabuf_test_dynamic_ops, &buf);
	db = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
				    &uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, da, 0, 0, &a));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, a.handle));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, db, 0, 0, &b));
	KUNIT_EXPECT_NE(test, a.handle, b.handle);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, da, 0, 0, &c));
	KUNIT_EXPECT_NE(test, c.handle, a.handle);
	KUNIT_EXPECT_NE(test, c.handle, b.handle);
}

/* Unknown handles, 0 among them, give ENOENT from every ioctl that takes one. */
static void uio_dmabuf_test_unknown_handle(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_get_segments gs = { .handle = 7 };
	struct uio_dmabuf_sync sync = { .handle = 7, .flags = UIO_DMABUF_SYNC_FOR_CPU };

	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_release_handle(test, ctx->file, 0));
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_release_handle(test, ctx->file, 7));
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_GET_SEGMENTS,
							     &gs, sizeof(gs)));
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
}

/* A handle of another file is unknown to this one, and a double release fails. */
static void uio_dmabuf_test_handle_per_file(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *other = uio_dmabuf_test_open(test, ctx->udev);
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_release_handle(test, other, imp.handle));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_release_handle(test, ctx->file,
								      imp.handle));
	uio_dmabuf_test_expect_empty(test, buf);
}

/* One bad IMPORT field, each rejected with EINVAL before anything is attached. */
struct uio_dmabuf_test_bad_import {
	const char *name;
	struct uio_dmabuf_import arg;
};

static const struct uio_dmabuf_test_bad_import uio_dmabuf_test_bad_imports[] = {
	{ "direction 3", { .direction = 3 } },
	{ "direction ~0", { .direction = ~0U } },
	{ "flag bit 2", { .flags = 1U << 2 } },
	{ "flag bit 31", { .flags = 1U << 31 } },
	{ "reserved[0]", { .reserved = { 1, 0 } } },
	{ "reserved[1]", { .reserved = { 0, 1ULL << 63 } } },
};

static void uio_dmabuf_test_bad_import_desc(const struct uio_dmabuf_test_bad_import *p,
					    char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(uio_dmabuf_test_bad_import, uio_dmabuf_test_bad_imports,
		  uio_dmabuf_test_bad_import_desc);

static void uio_dmabuf_test_import_einval(struct kunit *test)
{
	const struct uio_dmabuf_test_bad_import *p = test->param_value;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import arg = p->arg;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_file_import(ctx->file, dmabuf, &arg));
	uio_dmabuf_test_expect_empty(test, buf);
}

/* Every undefined flag bit of IMPORT and SYNC, one at a time, is EINVAL. */
static void uio_dmabuf_test_undefined_flag_bits(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;
	struct uio_dmabuf_import imp;
	int bit;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	for (bit = 0; bit < 32; bit++) {
		struct uio_dmabuf_sync sync = { .handle = imp.handle, .flags = 1U << bit };
		struct uio_dmabuf_import arg = { .flags = 1U << bit };

		if (!(BIT(bit) & UIO_DMABUF_IMPORT_VALID_FLAGS))
			KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
					    uio_dmabuf_file_import(ctx->file, dmabuf, &arg),
					    "import flag bit %d", bit);
		if (!(BIT(bit) & UIO_DMABUF_SYNC_VALID_FLAGS))
			KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
					    uio_dmabuf_test_ioctl(test, ctx->file,
								  UIO_DMABUF_IOC_SYNC,
								  &sync, sizeof(sync)),
					    "sync flag bit %d", bit);
	}
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, 1);
}

/* Nonzero reserved fields of GET_SEGMENTS, RELEASE and SYNC, and bad SYNC flags, are EINVAL. */
static void uio_dmabuf_test_reserved_fields(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_release rel;
	struct uio_dmabuf_sync sync;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));

	gs = (struct uio_dmabuf_get_segments){ .handle = imp.handle, .reserved = 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_GET_SEGMENTS,
							     &gs, sizeof(gs)));
	rel = (struct uio_dmabuf_release){ .handle = imp.handle, .reserved = 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_RELEASE,
							     &rel, sizeof(rel)));
	sync = (struct uio_dmabuf_sync){ .handle = imp.handle, .flags = 0 };
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
	sync.flags = UIO_DMABUF_SYNC_VALID_FLAGS;
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
	sync = (struct uio_dmabuf_sync){ .handle = imp.handle, .flags = UIO_DMABUF_SYNC_FOR_CPU,
					 .reserved = { 0, 1 } };
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
	/* Nothing was released by the rejected calls. */
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 1);
}

/* Unknown ioctl numbers, and known ones with another size, are ENOTTY. */
static void uio_dmabuf_test_unknown_ioctl(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	u64 arg[8] = { };

	KUNIT_EXPECT_EQ(test, -ENOTTY, uio_dmabuf_test_ioctl(test, ctx->file,
							     _IOWR(UIO_DMABUF_IOC_MAGIC, 5, u64),
							     arg, sizeof(u64)));
	KUNIT_EXPECT_EQ(test, -ENOTTY, uio_dmabuf_test_ioctl(test, ctx->file,
							     _IOR(UIO_DMABUF_IOC_MAGIC, 0, u64),
							     arg, sizeof(u64)));
	KUNIT_EXPECT_EQ(test, -ENOTTY, uio_dmabuf_test_ioctl(test, ctx->file,
							     _IO('U', 0), arg, 0));
}

/* INFO reports the device and this file's import count. */
static void uio_dmabuf_test_info(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_info info;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	memset(&info, 0xff, sizeof(info));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_INFO,
						       &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, info.uio_index, 900);
	KUNIT_EXPECT_EQ(test, info.dma_mask_bits, 32);
	KUNIT_EXPECT_EQ(test, info.flags, 0);
	KUNIT_EXPECT_EQ(test, info.max_imports, uio_dmabuf_max_imports);
	KUNIT_EXPECT_EQ(test, info.nr_imports, 0);
	KUNIT_EXPECT_EQ(test, info.max_segment_size, UINT_MAX & PAGE_MASK);
	KUNIT_EXPECT_EQ(test, info.segment_boundary, 0xffffffff);
	KUNIT_EXPECT_EQ(test, info.reserved[0] | info.reserved[1] | info.reserved[2] |
			info.reserved[3], 0);

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_INFO,
						       &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, info.nr_imports, 1);
}

/* Past max_imports live imports a file gets ENOSPC; a release makes room. */
static void uio_dmabuf_test_max_imports(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf, *last;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;
	int i;

	uio_dmabuf_max_imports = 3;
	for (i = 0; i < 3; i++) {
		dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
						&uio_dmabuf_test_dynamic_ops, &buf);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	}
	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &last);
	KUNIT_EXPECT_EQ(test, -ENOSPC, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	uio_dmabuf_test_expect_idle(test, last);

	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
}

/* A buffer live on a device is EBUSY for every file of it, free on another device. */
static void uio_dmabuf_test_double_import(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *other = uio_dmabuf_test_open(test, ctx->udev);
	struct uio_dmabuf_dev *udev2 = uio_dmabuf_test_device(test, 1);
	struct uio_dmabuf_file *file2 = uio_dmabuf_test_open(test, udev2);
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[2],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, -EBUSY, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EBUSY, uio_dmabuf_test_import(other, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->attached), 1);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(file2, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->attached), 2);

	/* Released, it can be imported again on the first device. */
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(other, dmabuf, 0, 0, NULL));
}

/* GET_SEGMENTS pages through the table: count 0, partial pages, the edges. */
static void uio_dmabuf_test_paging(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_five;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_segment segs[8], all[8];
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;
	u32 first, i;

	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_ASSERT_EQ(test, imp.nr_segments, 5);

	/* count 0: the total only, the array untouched. */
	memset(segs, 0xa5, sizeof(segs));
	KUNIT_ASSERT_EQ(test, 0, copy_to_user(ctx->usegs, segs, sizeof(segs)));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_get_all(test, imp.handle, all, 0, &gs));
	KUNIT_EXPECT_EQ(test, gs.count, 0);
	KUNIT_EXPECT_EQ(test, gs.nr_segments, 5);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(all, ctx->usegs, sizeof(all)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(all, segs, sizeof(all)));

	/* Two at a time: 2, 2, 1, and the pages concatenate to the table. */
	for (first = 0; first < 5; first += 2) {
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_page(test, imp.handle, first, 2, &gs));
		KUNIT_EXPECT_EQ(test, gs.count, min(2U, 5 - first));
		KUNIT_EXPECT_EQ(test, gs.nr_segments, 5);
		KUNIT_ASSERT_EQ(test, 0,
				copy_from_user(all + first, ctx->usegs, gs.count * sizeof(*all)));
	}
	for (i = 0; i < 5; i++) {
		KUNIT_EXPECT_EQ(test, all[i].dma_addr, l->ents[i].addr);
		KUNIT_EXPECT_EQ(test, all[i].length, l->ents[i].len);
	}

	/* first == total: nothing copied; first past it: EINVAL. */
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_page(test, imp.handle, 5, 8, &gs));
	KUNIT_EXPECT_EQ(test, gs.count, 0);
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_page(test, imp.handle, 6, 8, &gs));
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_page(test, imp.handle, U32_MAX,
							    U32_MAX, &gs));

	/* A capacity larger than the rest copies only the rest. */
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_page(test, imp.handle, 4, U32_MAX, &gs));
	KUNIT_EXPECT_EQ(test, gs.count, 1);
}

/* A segment array the kernel cannot write is EFAULT, and the import stays usable. */
static void uio_dmabuf_test_segments_efault(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_segment segs[UIO_DMABUF_TEST_MAX_ENTS];
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[1],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	gs = (struct uio_dmabuf_get_segments){ .handle = imp.handle, .count = 4, .segments = 0 };
	KUNIT_EXPECT_EQ(test, -EFAULT, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_GET_SEGMENTS,
							     &gs, sizeof(gs)));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_get_all(test, imp.handle, segs, 4, &gs));
	KUNIT_EXPECT_EQ(test, gs.count, 4);
}

/* Closing the file releases every import: unmapped, unpinned, detached, uncharged. */
static void uio_dmabuf_test_release_on_close(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *file = uio_dmabuf_test_open(test, ctx->udev);
	struct uio_dmabuf_test_buf *buf[3];
	struct dma_buf *dmabuf;
	int i;

	for (i = 0; i < ARRAY_SIZE(buf); i++) {
		dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[i],
						&uio_dmabuf_test_dynamic_ops, &buf[i]);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(file, dmabuf, i % 3, 0, NULL));
		/* Ours, and the map's own when the core lacks move_notify support. */
		KUNIT_EXPECT_GT(test, atomic_read(&buf[i]->pinned), 0);
	}
	KUNIT_EXPECT_GT(test, current->mm->locked_vm, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 3);

	kunit_release_action(test, uio_dmabuf_test_file_release_action, file);
	for (i = 0; i < ARRAY_SIZE(buf); i++)
		uio_dmabuf_test_expect_idle(test, buf[i]);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0);
}

/* DMA is on while a file is open and stopped, before any unmap, at the last close. */
static void uio_dmabuf_test_dma_enable(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *second;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	second = uio_dmabuf_test_open(test, ctx->udev);
	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	ctx->watch = buf;

	kunit_release_action(test, uio_dmabuf_test_file_release_action, second);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	kunit_release_action(test, uio_dmabuf_test_file_release_action, ctx->file);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	uio_dmabuf_test_expect_idle(test, buf);
	ctx->watch = NULL;
}

/* Unbind revokes every import, DMA stopped first; then ioctls say ENODEV. */
static void uio_dmabuf_test_revoke_on_unbind(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_test_buf *buf, *later;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_info info;
	struct dma_buf *dmabuf, *dmabuf2;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[2],
					&uio_dmabuf_test_dynamic_ops, &buf);
	dmabuf2 = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					 &uio_dmabuf_test_dynamic_ops, &later);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	ctx->watch = buf;

	kunit_release_action(test, uio_dmabuf_test_unregister_action, ctx->udev);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0);

	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_INFO,
							     &info, sizeof(info)));
	gs = (struct uio_dmabuf_get_segments){ .handle = imp.handle };
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_GET_SEGMENTS,
							     &gs, sizeof(gs)));
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_release_handle(test, ctx->file,
								      imp.handle));
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_import(ctx->file, dmabuf2, 0, 0, NULL));
	uio_dmabuf_test_expect_idle(test, later);
	KUNIT_EXPECT_TRUE(test, IS_ERR(uio_dmabuf_file_open(ctx->udev)));
	ctx->watch = NULL;
	/* Closing the file still works: the fixture's action does it. */
}

/* Exporter failures pass through with nothing left attached, pinned or charged. */
struct uio_dmabuf_test_fault {
	const char *name;
	int attach_error;
	int pin_error;
	int map_error;
	bool short_table;
	int expected;
};

static const struct uio_dmabuf_test_fault uio_dmabuf_test_faults[] = {
	{ .name = "attach fails", .attach_error = -ENXIO, .expected = -ENXIO },
	{ .name = "pin fails", .pin_error = -EAGAIN, .expected = -EAGAIN },
	{ .name = "map fails", .map_error = -EIO, .expected = -EIO },
	{ .name = "map falls short", .short_table = true, .expected = -EINVAL },
};

static void uio_dmabuf_test_fault_desc(const struct uio_dmabuf_test_fault *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(uio_dmabuf_test_fault, uio_dmabuf_test_faults, uio_dmabuf_test_fault_desc);

static void uio_dmabuf_test_exporter_fault(struct kunit *test)
{
	const struct uio_dmabuf_test_fault *f = test->param_value;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, f->short_table ? &uio_dmabuf_test_short :
					&uio_dmabuf_test_layouts[1],
					&uio_dmabuf_test_dynamic_ops, &buf);
	buf->attach_error = f->attach_error;
	buf->pin_error = f->pin_error;
	buf->map_error = f->map_error;
	KUNIT_EXPECT_EQ(test, f->expected, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.handle, 0);
	uio_dmabuf_test_expect_empty(test, buf);

	/* The failure left no trace: the same buffer imports once repaired. */
	buf->attach_error = 0;
	buf->pin_error = 0;
	buf->map_error = 0;
	if (!f->short_table)
		KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
}

/* Each direction maps with the matching enum dma_data_direction. */
static const u32 uio_dmabuf_test_dirs[] = {
	UIO_DMABUF_DIR_BIDIRECTIONAL, UIO_DMABUF_DIR_TO_DEVICE, UIO_DMABUF_DIR_FROM_DEVICE,
};

static void uio_dmabuf_test_dir_desc(const u32 *dir, char *desc)
{
	static const char *const names[] = { "bidirectional", "to device", "from device" };

	strscpy(desc, names[*dir], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(uio_dmabuf_test_dir, uio_dmabuf_test_dirs, uio_dmabuf_test_dir_desc);

static void uio_dmabuf_test_direction(struct kunit *test)
{
	static const enum dma_data_direction expected[] = {
		DMA_BIDIRECTIONAL, DMA_TO_DEVICE, DMA_FROM_DEVICE,
	};
	const u32 *dir = test->param_value;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, *dir, 0, NULL));
	KUNIT_EXPECT_EQ(test, buf->last_dir, expected[*dir]);
}

/* A move_notify on a pinned import changes nothing: same table, no remap. */
static void uio_dmabuf_test_move_notify(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[2];
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_segment segs[UIO_DMABUF_TEST_MAX_ENTS];
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));

	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_move_notify(dmabuf);
	dma_resv_unlock(dmabuf->resv);

	KUNIT_EXPECT_GT(test, atomic_read(&buf->pinned), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->maps), 1);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_get_all(test, imp.handle, segs,
							 UIO_DMABUF_TEST_MAX_ENTS, &gs));
	KUNIT_ASSERT_EQ(test, gs.count, l->nr_segs);
	KUNIT_EXPECT_EQ(test, segs[0].dma_addr, l->segs[0].dma_addr);
	KUNIT_EXPECT_EQ(test, segs[1].dma_addr, l->segs[1].dma_addr);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	uio_dmabuf_test_expect_empty(test, buf);
}

/* Each import charges its pages to locked_vm; each release returns exactly those. */
static void uio_dmabuf_test_locked_vm(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import imp[3];
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;
	unsigned long pages = 0;
	int i;

	KUNIT_ASSERT_EQ(test, current->mm->locked_vm, 0);
	for (i = 0; i < ARRAY_SIZE(imp); i++) {
		const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[i + 1];

		dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp[i]));
		pages += l->size >> PAGE_SHIFT;
		KUNIT_EXPECT_EQ(test, current->mm->locked_vm, pages);
	}
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp[1].handle));
	pages -= uio_dmabuf_test_layouts[2].size >> PAGE_SHIFT;
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, pages);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp[0].handle));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp[2].handle));
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0);
}

/* Unbind revokes the imports of every open file, and each file then says ENODEV. */
static void uio_dmabuf_test_revoke_all_files(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *files[3] = { ctx->file };
	struct uio_dmabuf_test_buf *bufs[3];
	struct uio_dmabuf_info info;
	struct dma_buf *dmabuf;
	int i;

	files[1] = uio_dmabuf_test_open(test, ctx->udev);
	files[2] = uio_dmabuf_test_open(test, ctx->udev);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[i],
						&uio_dmabuf_test_dynamic_ops, &bufs[i]);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(files[i], dmabuf, 0, 0, NULL));
	}
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 3);

	kunit_release_action(test, uio_dmabuf_test_unregister_action, ctx->udev);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		uio_dmabuf_test_expect_idle(test, bufs[i]);
		KUNIT_EXPECT_EQ(test, files[i]->nr_imports, 0);
		KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_ioctl(test, files[i],
								     UIO_DMABUF_IOC_INFO,
								     &info, sizeof(info)));
	}
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0);
}

/* A static exporter (mapped and cached at attach) imports and releases cleanly. */
static void uio_dmabuf_test_static_exporter(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[2];
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_static_ops, &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf,
							UIO_DMABUF_DIR_TO_DEVICE, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.nr_segments, l->nr_segs);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 1);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	uio_dmabuf_test_expect_empty(test, buf);
}

/*
 * A device without an IOMMU is not isolated: without allow_unsafe_noiommu its
 * node does not open, and nothing changes on the device.
 */
static void uio_dmabuf_test_open_not_isolated(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_info info;
	struct uio_dmabuf_file *file;

	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(ctx->udev, NULL), 0);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_INFO,
						       &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, info.flags, 0);

	uio_dmabuf_allow_unsafe = false;
	file = uio_dmabuf_file_open(ctx->udev);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(file), -EPERM);
	if (!IS_ERR(file))
		uio_dmabuf_file_release(file);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_active, 1);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
}

/*
 * Losing isolation revokes: DMA stops before anything is unmapped, every file's
 * imports are released and its ioctls fail with ENODEV; a file opened later
 * works and turns DMA on again.
 */
static void uio_dmabuf_test_revoke(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf, *buf2;
	struct uio_dmabuf_file *second, *later;
	struct dma_buf *dmabuf, *dmabuf2;
	struct uio_dmabuf_info info;

	second = uio_dmabuf_test_open(test, ctx->udev);
	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[2],
					&uio_dmabuf_test_dynamic_ops, &buf);
	dmabuf2 = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					 &uio_dmabuf_test_dynamic_ops, &buf2);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(second, dmabuf2, 0, 0, NULL));
	ctx->watch = buf;

	uio_dmabuf_revoke(ctx->udev);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	uio_dmabuf_test_expect_idle(test, buf);
	uio_dmabuf_test_expect_idle(test, buf2);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0);
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_INFO,
							     &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_import(second, dmabuf, 0, 0, NULL));
	ctx->watch = NULL;

	later = uio_dmabuf_test_open(test, ctx->udev);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(later, dmabuf, 0, 0, NULL));
	/* Closing a revoked file does not stop the DMA of the live one. */
	kunit_release_action(test, uio_dmabuf_test_file_release_action, second);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	kunit_release_action(test, uio_dmabuf_test_file_release_action, later);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_idle(test, buf);
}

/* The bind changes the device's DMA masks and max segment size; unbind undoes it. */
static void uio_dmabuf_test_restore_dma(struct kunit *test)
{
	struct device_dma_parameters *parms;
	struct uio_dmabuf_dev *udev;
	struct device *dev;

	dev = kunit_device_register(test, "uio-dmabuf-test-restore");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	parms = kunit_kzalloc(test, sizeof(*parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, parms);
	dev->dma_parms = parms;
	dev->dma_mask = &dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, 0, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(40)));
	parms->max_segment_size = SZ_64K;

	udev = uio_dmabuf_register(dev, 950, &uio_dmabuf_test_bus_ops, test->priv);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, udev);
	KUNIT_EXPECT_EQ(test, *dev->dma_mask, DMA_BIT_MASK(32));
	KUNIT_EXPECT_EQ(test, dma_get_max_seg_size(dev), UINT_MAX & PAGE_MASK);

	uio_dmabuf_unregister(udev);
	KUNIT_EXPECT_EQ(test, *dev->dma_mask, DMA_BIT_MASK(40));
	KUNIT_EXPECT_EQ(test, dev->coherent_dma_mask, DMA_BIT_MASK(40));
	KUNIT_EXPECT_EQ(test, dma_get_max_seg_size(dev), SZ_64K);
}

/*
 * Memory resources as UIO maps: whole pages are offered; a sub-page resource
 * only when the rest of its page can be reserved for it (and the reservation
 * goes at unbind); one starting inside a page never.
 */
static void uio_dmabuf_test_fill_mem(struct kunit *test)
{
	struct resource window = DEFINE_RES_MEM_NAMED(0x10000000, 16 * PAGE_SIZE, "window");
	struct resource page = DEFINE_RES_MEM_NAMED(0x10000000, PAGE_SIZE, "page");
	struct resource small = DEFINE_RES_MEM_NAMED(0x10001000, 0x100, "small");
	struct resource crowded = DEFINE_RES_MEM_NAMED(0x10002000, 0x100, "crowded");
	struct resource neighbour = DEFINE_RES_MEM_NAMED(0x10002800, 0x100, "neighbour");
	struct resource inside = DEFINE_RES_MEM_NAMED(0x10003800, 0x800, "inside");
	struct uio_mem mem = { };
	struct resource *tail;
	struct device *dev;

	dev = kunit_device_register(test, "uio-dmabuf-test-maps");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, 0, request_resource(&window, &page));
	KUNIT_ASSERT_EQ(test, 0, request_resource(&window, &small));
	KUNIT_ASSERT_EQ(test, 0, request_resource(&window, &crowded));
	KUNIT_ASSERT_EQ(test, 0, request_resource(&window, &neighbour));
	KUNIT_ASSERT_EQ(test, 0, request_resource(&window, &inside));

	KUNIT_EXPECT_TRUE(test, uio_dmabuf_fill_mem(dev, &mem, &page, "page"));
	KUNIT_EXPECT_EQ(test, mem.addr, 0x10000000);
	KUNIT_EXPECT_EQ(test, mem.offs, 0);
	KUNIT_EXPECT_EQ(test, mem.size, PAGE_SIZE);

	KUNIT_EXPECT_TRUE(test, uio_dmabuf_fill_mem(dev, &mem, &small, "small"));
	KUNIT_EXPECT_EQ(test, mem.addr, 0x10001000);
	KUNIT_EXPECT_EQ(test, mem.size, PAGE_SIZE);
	tail = small.sibling;
	KUNIT_ASSERT_NOT_NULL(test, tail);
	KUNIT_EXPECT_EQ(test, tail->start, 0x10001100);
	KUNIT_EXPECT_EQ(test, tail->end, 0x10001fff);

	memset(&mem, 0, sizeof(mem));
	KUNIT_EXPECT_FALSE(test, uio_dmabuf_fill_mem(dev, &mem, &crowded, "crowded"));
	KUNIT_EXPECT_FALSE(test, uio_dmabuf_fill_mem(dev, &mem, &inside, "inside"));
	KUNIT_EXPECT_EQ(test, mem.size, 0);

	/* Unbind: the reserved tail leaves the window. */
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_PTR_EQ(test, small.sibling, &crowded);
	release_resource(&inside);
	release_resource(&neighbour);
	release_resource(&crowded);
	release_resource(&small);
	release_resource(&page);
}

/* An empty buffer is refused before anything is attached. */
static void uio_dmabuf_test_zero_size(struct kunit *test)
{
	static const struct uio_dmabuf_test_layout empty = { .name = "empty" };
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &empty, &uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->maps), 0);
	uio_dmabuf_test_expect_empty(test, buf);
}

/*
 * Every structure can be passed again as it came back: IMPORT with the last
 * import's results in it, and the GET_SEGMENTS loop (count 0, then the same
 * structure with count and array set).
 */
static void uio_dmabuf_test_struct_reuse(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_five;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_segment segs[5];
	struct uio_dmabuf_get_segments gs = { };
	struct uio_dmabuf_test_buf *buf, *buf2;
	struct uio_dmabuf_import imp = { };
	struct dma_buf *dmabuf, *dmabuf2;
	u32 first_handle, i;

	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
	dmabuf2 = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					 &uio_dmabuf_test_dynamic_ops, &buf2);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_file_import(ctx->file, dmabuf, &imp));
	first_handle = imp.handle;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_file_import(ctx->file, dmabuf2, &imp));
	KUNIT_EXPECT_NE(test, imp.handle, first_handle);
	KUNIT_EXPECT_EQ(test, imp.nr_segments, 1);

	gs.handle = first_handle;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_GET_SEGMENTS,
						       &gs, sizeof(gs)));
	KUNIT_ASSERT_EQ(test, gs.nr_segments, 5);
	gs.count = gs.nr_segments;
	gs.segments = (u64)(uintptr_t)ctx->usegs;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_GET_SEGMENTS,
						       &gs, sizeof(gs)));
	KUNIT_EXPECT_EQ(test, gs.count, 5);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(segs, ctx->usegs, sizeof(segs)));
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, segs[i].dma_addr, l->ents[i].addr);
	/* Once more, unchanged: the same answer. */
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_GET_SEGMENTS,
						       &gs, sizeof(gs)));
	KUNIT_EXPECT_EQ(test, gs.count, 5);
}

/* A buffer of real pages, mapped for the importer through the DMA API. */
struct uio_dmabuf_test_pages {
	struct page *pages[4];
	struct sg_table sgt;
};

static struct sg_table *uio_dmabuf_test_dma_map(struct dma_buf_attachment *attach,
						enum dma_data_direction dir)
{
	struct uio_dmabuf_test_pages *p = attach->dmabuf->priv;
	int ret;

	ret = sg_alloc_table_from_pages(&p->sgt, p->pages, ARRAY_SIZE(p->pages), 0,
					ARRAY_SIZE(p->pages) * PAGE_SIZE, GFP_KERNEL);
	if (ret)
		return ERR_PTR(ret);
	ret = dma_map_sgtable(attach->dev, &p->sgt, dir, 0);
	if (ret) {
		sg_free_table(&p->sgt);
		return ERR_PTR(ret);
	}
	return &p->sgt;
}

static void uio_dmabuf_test_dma_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
				      enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
}

static void uio_dmabuf_test_pages_free(struct uio_dmabuf_test_pages *p)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(p->pages); i++)
		if (p->pages[i])
			__free_page(p->pages[i]);
	kfree(p);
}

static void uio_dmabuf_test_pages_release(struct dma_buf *dmabuf)
{
	uio_dmabuf_test_pages_free(dmabuf->priv);
}

static int uio_dmabuf_test_pages_pin(struct dma_buf_attachment *attach)
{
	return 0;
}

static void uio_dmabuf_test_pages_unpin(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_ops uio_dmabuf_test_pages_ops = {
	.pin = uio_dmabuf_test_pages_pin,
	.unpin = uio_dmabuf_test_pages_unpin,
	.map_dma_buf = uio_dmabuf_test_dma_map,
	.unmap_dma_buf = uio_dmabuf_test_dma_unmap,
	.release = uio_dmabuf_test_pages_release,
};

/*
 * SYNC of a live, DMA-API-mapped import: the whole buffer, a range inside one
 * mapped entry and one across entries succeed (DMA-API debug checks each call
 * against the mapping); ranges outside the buffer, or empty, are EINVAL.
 */
static void uio_dmabuf_test_sync(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct uio_dmabuf_test_pages *p;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_sync sync;
	struct dma_buf *dmabuf;
	int i;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* Pages allocated one by one: the table usually has several entries. */
	for (i = 0; i < ARRAY_SIZE(p->pages); i++)
		p->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
	exp_info.ops = &uio_dmabuf_test_pages_ops;
	exp_info.size = ARRAY_SIZE(p->pages) * PAGE_SIZE;
	exp_info.flags = O_RDWR;
	exp_info.priv = p;
	dmabuf = ERR_PTR(-ENOMEM);
	if (p->pages[0] && p->pages[1] && p->pages[2] && p->pages[3])
		dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		uio_dmabuf_test_pages_free(p);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_put_action,
							   dmabuf));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf,
							UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.map_flags, 0);

	sync = (struct uio_dmabuf_sync){ .handle = imp.handle,
					 .flags = UIO_DMABUF_SYNC_FOR_DEVICE };
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
						       &sync, sizeof(sync)));
	sync.flags = UIO_DMABUF_SYNC_FOR_CPU;
	sync.offset = 100;
	sync.length = 200;
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
						       &sync, sizeof(sync)));
	sync.offset = PAGE_SIZE - 8;
	sync.length = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
						       &sync, sizeof(sync)));
	sync.offset = 3 * PAGE_SIZE;
	sync.length = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
						       &sync, sizeof(sync)));

	sync.length = PAGE_SIZE + 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
	sync.offset = 4 * PAGE_SIZE;
	sync.length = 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
	sync.offset = 1;
	sync.length = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
	sync.offset = 8;
	sync.length = U64_MAX;
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
}

static const char *uio_dmabuf_test_fence_name(struct dma_fence *fence)
{
	return "uio_dmabuf_test";
}

static const struct dma_fence_ops uio_dmabuf_test_fence_ops = {
	.get_driver_name = uio_dmabuf_test_fence_name,
	.get_timeline_name = uio_dmabuf_test_fence_name,
};

/* Serialises the test fences' signalling. */
static DEFINE_SPINLOCK(uio_dmabuf_test_fence_lock);

static void uio_dmabuf_test_fence_done(void *fence)
{
	dma_fence_signal(fence);
	dma_fence_put(fence);
}

/* Adds to @dmabuf a kernel fence that signals only when the case ends. */
static void uio_dmabuf_test_block(struct kunit *test, struct dma_buf *dmabuf)
{
	struct dma_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &uio_dmabuf_test_fence_ops, &uio_dmabuf_test_fence_lock,
		       dma_fence_context_alloc(1), 1);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_fence_done,
							   fence));
	dma_resv_lock(dmabuf->resv, NULL);
	KUNIT_ASSERT_EQ(test, 0, dma_resv_reserve_fences(dmabuf->resv, 1));
	dma_resv_add_fence(dmabuf->resv, fence, DMA_RESV_USAGE_KERNEL);
	dma_resv_unlock(dmabuf->resv);
}

/* An IMPORT run by a kthread, which a SIGKILL may interrupt. */
struct uio_dmabuf_test_importer {
	struct uio_dmabuf_file *file;
	struct dma_buf *dmabuf;
	struct task_struct *task;
	struct completion done;
	int ret;
};

static int uio_dmabuf_test_importer_fn(void *data)
{
	struct uio_dmabuf_test_importer *t = data;

	allow_signal(SIGKILL);
	t->ret = uio_dmabuf_test_import(t->file, t->dmabuf, 0, 0, NULL);
	complete(&t->done);
	return 0;
}

static void uio_dmabuf_test_importer_start(struct kunit *test, struct uio_dmabuf_test_importer *t,
					   struct uio_dmabuf_file *file, struct dma_buf *dmabuf)
{
	t->file = file;
	t->dmabuf = dmabuf;
	init_completion(&t->done);
	t->task = kthread_run(uio_dmabuf_test_importer_fn, t, "uio_dmabuf_test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->task));
	get_task_struct(t->task);
	/* Long enough to be inside the fence wait. */
	msleep(300);
	KUNIT_ASSERT_FALSE(test, completion_done(&t->done));
}

static int uio_dmabuf_test_importer_end(struct uio_dmabuf_test_importer *t)
{
	unsigned long left = wait_for_completion_timeout(&t->done, 5 * HZ);

	put_task_struct(t->task);
	return left ? t->ret : -ETIMEDOUT;
}

/*
 * An IMPORT stuck on a fence that never signals holds no lock of the device:
 * another file imports, a new file opens, INFO answers, and the stuck buffer
 * is busy (reserved). A SIGKILL ends the stuck call with nothing left behind.
 */
static void uio_dmabuf_test_stuck_import(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf, *buf2;
	struct uio_dmabuf_test_importer t;
	struct uio_dmabuf_file *other;
	struct dma_buf *dmabuf, *dmabuf2;
	struct uio_dmabuf_info info;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	dmabuf2 = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[1],
					 &uio_dmabuf_test_dynamic_ops, &buf2);
	uio_dmabuf_test_block(test, dmabuf);
	uio_dmabuf_test_importer_start(test, &t, ctx->file, dmabuf);

	other = uio_dmabuf_test_open(test, ctx->udev);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(other, dmabuf2, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EBUSY, uio_dmabuf_test_import(other, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_INFO,
						       &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, info.nr_imports, 1);
	KUNIT_EXPECT_FALSE(test, completion_done(&t.done));

	send_sig(SIGKILL, t.task, 1);
	KUNIT_EXPECT_EQ(test, -ERESTARTSYS, uio_dmabuf_test_importer_end(&t));
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 1);
	KUNIT_EXPECT_TRUE(test, xa_empty(&ctx->file->handles));
	/* It was mapped, and unmapped again when the wait ended. */
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->maps), 1);
}

/* Unbind while an IMPORT waits: the import ends with ENODEV before unbind returns. */
static void uio_dmabuf_test_unbind_stuck_import(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_importer t;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[0],
					&uio_dmabuf_test_dynamic_ops, &buf);
	uio_dmabuf_test_block(test, dmabuf);
	uio_dmabuf_test_importer_start(test, &t, ctx->file, dmabuf);

	kunit_release_action(test, uio_dmabuf_test_unregister_action, ctx->udev);
	/*
	 * Unregister waited for the import to unmap: nothing of it is left,
	 * though its thread may not have returned from the call yet.
	 */
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_importer_end(&t));
}

#define UIO_DMABUF_TEST_CHURNERS	4

/* One kthread of the churn: its own files, buffer and page of user memory. */
struct uio_dmabuf_test_churner {
	struct uio_dmabuf_dev *udev;
	struct mm_struct *mm;
	struct dma_buf *dmabuf;
	void __user *uarg;
	struct completion done;
	unsigned int imports, enodev;
	int error;
};

static int uio_dmabuf_test_churner_fn(void *data)
{
	struct uio_dmabuf_test_churner *c = data;
	struct uio_dmabuf_file *file = NULL;
	int i;

	kthread_use_mm(c->mm);
	for (i = 0; i < 300 && !c->error; i++) {
		struct uio_dmabuf_release rel = { };
		struct uio_dmabuf_import imp = { };
		int ret;

		if (!file) {
			file = uio_dmabuf_file_open(c->udev);
			if (IS_ERR(file)) {
				/* Unbound: ENODEV, and nothing more to do. */
				c->error = PTR_ERR(file) == -ENODEV ? 0 : PTR_ERR(file);
				file = NULL;
				break;
			}
		}
		ret = uio_dmabuf_file_import(file, c->dmabuf, &imp);
		if (ret == -ENODEV) {
			c->enodev++;
			continue;
		}
		if (ret) {
			c->error = ret;
			break;
		}
		c->imports++;
		/* RELEASE through the ioctl, or by closing the file. */
		if (i % 3) {
			rel.handle = imp.handle;
			if (copy_to_user(c->uarg, &rel, sizeof(rel)))
				c->error = -EFAULT;
			ret = uio_dmabuf_file_ioctl(file, UIO_DMABUF_IOC_RELEASE, c->uarg);
			if (ret && ret != -ENODEV)
				c->error = ret;
		} else {
			uio_dmabuf_file_release(file);
			file = NULL;
		}
	}
	if (file)
		uio_dmabuf_file_release(file);
	kthread_unuse_mm(c->mm);
	complete(&c->done);
	return 0;
}

/*
 * Several kthreads open, IMPORT, RELEASE and close on one device while it is
 * unbound under them: every one ends, with ENODEV once unbound, and nothing of
 * any import is left (lockdep, KASAN and kmemleak watch the rest).
 */
static void uio_dmabuf_test_concurrent(struct kunit *test)
{
	struct uio_dmabuf_test_churner c[UIO_DMABUF_TEST_CHURNERS];
	struct uio_dmabuf_test_buf *bufs[UIO_DMABUF_TEST_CHURNERS];
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	unsigned long addr;
	unsigned int imports = 0;
	int i;

	addr = kunit_vm_mmap(test, NULL, 0, UIO_DMABUF_TEST_CHURNERS * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	for (i = 0; i < UIO_DMABUF_TEST_CHURNERS; i++) {
		struct task_struct *task;

		c[i] = (struct uio_dmabuf_test_churner){
			.udev = ctx->udev, .mm = current->mm,
			.uarg = (void __user *)(addr + i * PAGE_SIZE),
		};
		c[i].dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[i],
						     &uio_dmabuf_test_dynamic_ops, &bufs[i]);
		init_completion(&c[i].done);
		task = kthread_run(uio_dmabuf_test_churner_fn, &c[i], "uio_dmabuf_churn%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	msleep(200);
	kunit_release_action(test, uio_dmabuf_test_unregister_action, ctx->udev);
	/* Unbind returned: nothing may be attached any more, whatever is running. */
	for (i = 0; i < UIO_DMABUF_TEST_CHURNERS; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&bufs[i]->attached), 0,
				    "buffer %d attached after unbind", i);
	for (i = 0; i < UIO_DMABUF_TEST_CHURNERS; i++) {
		KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&c[i].done, 30 * HZ));
		KUNIT_EXPECT_EQ_MSG(test, c[i].error, 0, "churner %d", i);
		uio_dmabuf_test_expect_idle(test, bufs[i]);
		imports += c[i].imports;
	}
	kunit_info(test, "%u imports before and around the unbind", imports);
	KUNIT_EXPECT_GT(test, imports, 0);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0);
}

static struct kunit_case uio_dmabuf_test_cases[] = {
	KUNIT_CASE_PARAM(uio_dmabuf_test_segments, uio_dmabuf_test_layout_gen_params),
	KUNIT_CASE_PARAM(uio_dmabuf_test_lengths_sum, uio_dmabuf_test_layout_gen_params),
	KUNIT_CASE(uio_dmabuf_test_contiguous_ok),
	KUNIT_CASE(uio_dmabuf_test_contiguous_e2big),
	KUNIT_CASE(uio_dmabuf_test_handles_unique),
	KUNIT_CASE(uio_dmabuf_test_handle_not_reused),
	KUNIT_CASE(uio_dmabuf_test_unknown_handle),
	KUNIT_CASE(uio_dmabuf_test_handle_per_file),
	KUNIT_CASE_PARAM(uio_dmabuf_test_import_einval, uio_dmabuf_test_bad_import_gen_params),
	KUNIT_CASE(uio_dmabuf_test_undefined_flag_bits),
	KUNIT_CASE(uio_dmabuf_test_reserved_fields),
	KUNIT_CASE(uio_dmabuf_test_unknown_ioctl),
	KUNIT_CASE(uio_dmabuf_test_info),
	KUNIT_CASE(uio_dmabuf_test_max_imports),
	KUNIT_CASE(uio_dmabuf_test_double_import),
	KUNIT_CASE(uio_dmabuf_test_paging),
	KUNIT_CASE(uio_dmabuf_test_segments_efault),
	KUNIT_CASE(uio_dmabuf_test_release_on_close),
	KUNIT_CASE(uio_dmabuf_test_dma_enable),
	KUNIT_CASE(uio_dmabuf_test_revoke_on_unbind),
	KUNIT_CASE_PARAM(uio_dmabuf_test_exporter_fault, uio_dmabuf_test_fault_gen_params),
	KUNIT_CASE_PARAM(uio_dmabuf_test_direction, uio_dmabuf_test_dir_gen_params),
	KUNIT_CASE(uio_dmabuf_test_move_notify),
	KUNIT_CASE(uio_dmabuf_test_static_exporter),
	KUNIT_CASE(uio_dmabuf_test_locked_vm),
	KUNIT_CASE(uio_dmabuf_test_revoke_all_files),
	KUNIT_CASE(uio_dmabuf_test_open_not_isolated),
	KUNIT_CASE(uio_dmabuf_test_revoke),
	KUNIT_CASE(uio_dmabuf_test_restore_dma),
	KUNIT_CASE(uio_dmabuf_test_fill_mem),
	KUNIT_CASE(uio_dmabuf_test_zero_size),
	KUNIT_CASE(uio_dmabuf_test_struct_reuse),
	KUNIT_CASE(uio_dmabuf_test_sync),
	KUNIT_CASE(uio_dmabuf_test_stuck_import),
	KUNIT_CASE(uio_dmabuf_test_unbind_stuck_import),
	KUNIT_CASE(uio_dmabuf_test_concurrent),
	{}
};

static struct kunit_suite uio_dmabuf_test_suite = {
	.name = "uio_dmabuf",
	.init = uio_dmabuf_test_init,
	.test_cases = uio_dmabuf_test_cases,
};

kunit_test_suite(uio_dmabuf_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the uio_dmabuf import core");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_IMPORT_NS("DMA_BUF");
