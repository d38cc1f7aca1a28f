// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture of the uio_dmabuf KUnit suites: the test exporter, its layouts,
 * a registered KUnit device with one open file per case, and ioctl helpers.
 * See uio_dmabuf_kunit.h.
 */

#include <kunit/device.h>
#include <linux/mman.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uio_dmabuf_kunit.h"

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

const struct dma_buf_ops uio_dmabuf_test_dynamic_ops = {
	.attach = uio_dmabuf_test_attach,
	.detach = uio_dmabuf_test_detach,
	.pin = uio_dmabuf_test_pin,
	.unpin = uio_dmabuf_test_unpin,
	.map_dma_buf = uio_dmabuf_test_map,
	.unmap_dma_buf = uio_dmabuf_test_unmap,
	.release = uio_dmabuf_test_release,
};

const struct dma_buf_ops uio_dmabuf_test_static_ops = {
	.attach = uio_dmabuf_test_attach,
	.detach = uio_dmabuf_test_detach,
	.map_dma_buf = uio_dmabuf_test_map,
	.unmap_dma_buf = uio_dmabuf_test_unmap,
	.release = uio_dmabuf_test_release,
};

/* Layouts. Addresses are page aligned, as real mappings are. */
const struct uio_dmabuf_test_layout uio_dmabuf_test_layouts[UIO_DMABUF_TEST_NR_LAYOUTS] = {
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

const struct uio_dmabuf_test_layout uio_dmabuf_test_five = {
	.name = "five",
	.size = 5 * SZ_4K,
	.ents = { { 0x10000, SZ_4K }, { 0x30000, SZ_4K }, { 0x50000, SZ_4K },
		  { 0x70000, SZ_4K }, { 0x90000, SZ_4K } }, .nr_ents = 5,
};

const struct uio_dmabuf_test_layout uio_dmabuf_test_short = {
	.name = "short",
	.size = 3 * SZ_4K,
	.ents = { { 0x10000, SZ_4K }, { 0x30000, SZ_4K } }, .nr_ents = 2,
};

static void uio_dmabuf_test_set_dma_enabled(void *priv, bool enable)
{
	struct uio_dmabuf_test_ctx *ctx = priv;

	ctx->dma_enabled = enable;
	if (!enable && ctx->watch)
		ctx->mapped_when_dma_stopped = atomic_read(&ctx->watch->mapped);
}

const struct uio_dmabuf_bus_ops uio_dmabuf_test_bus_ops = {
	.set_dma_enabled = uio_dmabuf_test_set_dma_enabled,
};

void uio_dmabuf_test_put_action(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

void uio_dmabuf_test_unregister_action(void *udev)
{
	uio_dmabuf_unregister(udev);
}

void uio_dmabuf_test_file_release_action(void *file)
{
	uio_dmabuf_file_release(file);
}

static unsigned int uio_dmabuf_test_saved_max_imports;
static bool uio_dmabuf_test_saved_allow_unsafe;

static void uio_dmabuf_test_restore_params(void *unused)
{
	uio_dmabuf_max_imports = uio_dmabuf_test_saved_max_imports;
	uio_dmabuf_allow_unsafe = uio_dmabuf_test_saved_allow_unsafe;
}

/* A dma-buf from the test exporter, put when the case ends. */
struct dma_buf *uio_dmabuf_test_buffer(struct kunit *test,
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

/* A buffer of @layout from the dynamic test exporter, put when the case ends. */
struct dma_buf *uio_dmabuf_test_new(struct kunit *test,
				    const struct uio_dmabuf_test_layout *layout,
				    struct uio_dmabuf_test_buf **bufp)
{
	return uio_dmabuf_test_buffer(test, layout, &uio_dmabuf_test_dynamic_ops, bufp);
}

/* Such a buffer, imported into the fixture's file with direction and flags 0. */
struct dma_buf *uio_dmabuf_test_imported(struct kunit *test,
					 const struct uio_dmabuf_test_layout *layout,
					 struct uio_dmabuf_test_buf **bufp,
					 struct uio_dmabuf_import *imp)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct dma_buf *dmabuf = uio_dmabuf_test_new(test, layout, bufp);

	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, imp));
	return dmabuf;
}

struct uio_dmabuf_dev *uio_dmabuf_test_device(struct kunit *test, int n)
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

struct uio_dmabuf_file *uio_dmabuf_test_open(struct kunit *test,
					     struct uio_dmabuf_dev *udev)
{
	struct uio_dmabuf_file *file = uio_dmabuf_file_open(udev);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   uio_dmabuf_test_file_release_action,
							   file));
	return file;
}

#define UIO_DMABUF_TEST_USER_PAGES	4

/* The fixture: a registered device and one open file, DMA turned on. */
int uio_dmabuf_test_init(struct kunit *test)
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
long uio_dmabuf_test_ioctl(struct kunit *test, struct uio_dmabuf_file *file,
			   unsigned int cmd, void *karg, size_t size)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	long ret;

	KUNIT_ASSERT_EQ(test, 0, copy_to_user(ctx->uarg, karg, size));
	ret = uio_dmabuf_file_ioctl(file, cmd, ctx->uarg);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(karg, ctx->uarg, size));
	return ret;
}

int uio_dmabuf_test_import(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
			   u32 direction, u32 flags, struct uio_dmabuf_import *out)
{
	struct uio_dmabuf_import arg = { .direction = direction, .flags = flags };
	int ret;

	ret = uio_dmabuf_file_import(file, dmabuf, &arg);
	if (out)
		*out = arg;
	return ret;
}

long uio_dmabuf_test_release_handle(struct kunit *test, struct uio_dmabuf_file *file,
				    u32 handle)
{
	struct uio_dmabuf_release rel = { .handle = handle };

	return uio_dmabuf_test_ioctl(test, file, UIO_DMABUF_IOC_RELEASE, &rel, sizeof(rel));
}

void uio_dmabuf_test_expect_idle(struct kunit *test, struct uio_dmabuf_test_buf *buf)
{
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->attached), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->pinned), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 0);
}

/* Imports the device holds: live, or still mapping or unmapping. */
unsigned long uio_dmabuf_test_device_imports(struct uio_dmabuf_dev *udev)
{
	struct uio_dmabuf_mapping *map;
	unsigned long index, n = 0;

	xa_for_each(&udev->buffers, index, map)
		n++;
	return n;
}

/* Expects nothing of any import left: no import, no charge. */
void uio_dmabuf_test_expect_empty(struct kunit *test, struct uio_dmabuf_test_buf *buf)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;

	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&ctx->file->handles));
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0);
}

/* Reads all segments of @handle with one GET_SEGMENTS call. */
long uio_dmabuf_test_get_all(struct kunit *test, u32 handle,
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
long uio_dmabuf_test_page(struct kunit *test, u32 handle, u32 first, u32 count,
			  struct uio_dmabuf_get_segments *gs)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;

	*gs = (struct uio_dmabuf_get_segments){
		.handle = handle, .first = first, .count = count,
		.segments = (uintptr_t)ctx->usegs,
	};
	return uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_GET_SEGMENTS, gs, sizeof(*gs));
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the uio_dmabuf import core");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_IMPORT_NS("DMA_BUF");
