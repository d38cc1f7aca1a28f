// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite uio_dmabuf_segments.
 *
 * What IMPORT reports: the exporter's table merged into segments within the
 * device's limits, paged out by GET_SEGMENTS; directions, static exporters,
 * and SYNC of a buffer mapped through the DMA API.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uio_dmabuf_kunit.h"

static void uio_dmabuf_test_layout_desc(const struct uio_dmabuf_test_layout *l, char *desc)
{
	strscpy(desc, l->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(uio_dmabuf_test_layout, uio_dmabuf_test_layouts, uio_dmabuf_test_layout_desc);

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
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;

	uio_dmabuf_test_imported(test, l, &buf, &imp);
	KUNIT_EXPECT_EQ(test, imp.nr_segments, l->nr_segs);
	KUNIT_EXPECT_EQ(test, imp.size, l->size);
	uio_dmabuf_test_expect_segments(test, imp.handle, l);
}

/* The segment lengths add up to the buffer's size, and the pages are charged. */
static void uio_dmabuf_test_lengths_sum(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = test->param_value;
	struct uio_dmabuf_segment segs[UIO_DMABUF_TEST_MAX_ENTS];
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;
	u64 sum = 0;
	u32 i;

	uio_dmabuf_test_imported(test, l, &buf, &imp);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), l->size >> PAGE_SHIFT);
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

	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[3], &buf);
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

	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[2], &buf);
	KUNIT_EXPECT_EQ(test, -E2BIG, uio_dmabuf_test_import(ctx->file, dmabuf, 0,
							     UIO_DMABUF_IMPORT_CONTIGUOUS, &imp));
	KUNIT_EXPECT_EQ(test, imp.handle, 0);
	uio_dmabuf_test_expect_empty(test, buf);
}

/*
 * Entries longer than the device's max segment size, within its boundary:
 * split at the max segment size (a device whose limit the bind could not
 * raise, as the DMA API allows). The second table's first entry makes three
 * segments, so the walk's array (the mapping's own, of four) fills in the
 * middle of the table, and grows there.
 */
static const struct uio_dmabuf_test_layout uio_dmabuf_test_max_seg_layouts[] = {
	{
		.name = "one entry past the max segment size",
		.size = SZ_128K,
		.ents = { { 0x200000, SZ_128K } }, .nr_ents = 1,
		.segs = { { 0x200000, SZ_64K }, { 0x210000, SZ_64K } }, .nr_segs = 2,
	},
	{
		.name = "split entries past the array's room",
		.size = SZ_128K + SZ_64K + 4 * SZ_4K,
		.ents = { { 0x400000, SZ_128K + SZ_64K }, { 0x10000, SZ_4K }, { 0x30000, SZ_4K },
			  { 0x50000, SZ_4K }, { 0x70000, SZ_4K } }, .nr_ents = 5,
		.segs = { { 0x400000, SZ_64K }, { 0x410000, SZ_64K }, { 0x420000, SZ_64K },
			  { 0x10000, SZ_4K }, { 0x30000, SZ_4K }, { 0x50000, SZ_4K },
			  { 0x70000, SZ_4K } }, .nr_segs = 7,
	},
	{
		/* An entry splits as the mapping's four fill: its pieces grow them. */
		.name = "an entry split past the mapping's room",
		.size = 3 * SZ_4K + SZ_128K + SZ_64K,
		.ents = { { 0x10000, SZ_4K }, { 0x30000, SZ_4K }, { 0x50000, SZ_4K },
			  { 0x400000, SZ_128K + SZ_64K } }, .nr_ents = 4,
		.segs = { { 0x10000, SZ_4K }, { 0x30000, SZ_4K }, { 0x50000, SZ_4K },
			  { 0x400000, SZ_64K }, { 0x410000, SZ_64K }, { 0x420000, SZ_64K } },
		.nr_segs = 6,
	},
};

KUNIT_ARRAY_PARAM(uio_dmabuf_test_max_seg, uio_dmabuf_test_max_seg_layouts,
		  uio_dmabuf_test_layout_desc);

static void uio_dmabuf_test_entries_max_seg(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = test->param_value;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;

	/* Not dma_set_max_seg_size(): it returns nothing from 6.13 on. */
	KUNIT_ASSERT_NOT_NULL(test, ctx->udev->dev->dma_parms);
	ctx->udev->dev->dma_parms->max_segment_size = SZ_64K;
	uio_dmabuf_test_imported(test, l, &buf, &imp);
	KUNIT_EXPECT_EQ(test, imp.nr_segments, l->nr_segs);
	uio_dmabuf_test_expect_segments(test, imp.handle, l);
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
	u32 first, i;

	uio_dmabuf_test_imported(test, l, &buf, &imp);
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

	uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[1], &buf, &imp);
	gs = (struct uio_dmabuf_get_segments){ .handle = imp.handle, .count = 4, .segments = 0 };
	KUNIT_EXPECT_EQ(test, -EFAULT, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_GET_SEGMENTS,
							     &gs, sizeof(gs)));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_get_all(test, imp.handle, segs, 4, &gs));
	KUNIT_EXPECT_EQ(test, gs.count, 4);
}

/*
 * IMPORT with an array: the first min(max_segments, nr_segments) segments
 * in the same call, the rest of the array untouched; a short, an exact and a
 * long array.
 */
static void uio_dmabuf_test_import_segments(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[1];
	static const u32 caps[] = { 2, 4, 8 };
	struct uio_dmabuf_segment segs[8];
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import arg;
	struct dma_buf *dmabuf;
	u32 i, c;

	KUNIT_ASSERT_EQ(test, l->nr_segs, 4);
	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
	for (c = 0; c < ARRAY_SIZE(caps); c++) {
		memset(segs, 0xa5, sizeof(segs));
		KUNIT_ASSERT_EQ(test, 0, copy_to_user(ctx->usegs, segs, sizeof(segs)));
		arg = (struct uio_dmabuf_import){
			.direction = UIO_DMABUF_DIR_BIDIRECTIONAL,
			.segments = (uintptr_t)ctx->usegs, .max_segments = caps[c],
		};
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_file_import(ctx->file, dmabuf, &arg));
		KUNIT_EXPECT_EQ(test, arg.nr_segments, 4);
		KUNIT_ASSERT_EQ(test, 0, copy_from_user(segs, ctx->usegs, sizeof(segs)));
		for (i = 0; i < ARRAY_SIZE(segs); i++) {
			if (i < min(caps[c], 4U)) {
				KUNIT_EXPECT_EQ(test, segs[i].dma_addr, l->segs[i].dma_addr);
				KUNIT_EXPECT_EQ(test, segs[i].length, l->segs[i].length);
			} else {
				KUNIT_EXPECT_EQ(test, segs[i].dma_addr, 0xa5a5a5a5a5a5a5a5ULL);
			}
		}
		KUNIT_EXPECT_EQ(test, 0,
				uio_dmabuf_test_release_handle(test, ctx->file, arg.handle));
	}
}

/*
 * IMPORT of @l's buffer with @arg, whose array cannot be written: EFAULT, and
 * nothing of it is left; the buffer then imports again, all @nr_segs of its
 * segments into the fixture's array.
 */
static void uio_dmabuf_test_import_efault(struct kunit *test,
					  const struct uio_dmabuf_test_layout *l,
					  struct uio_dmabuf_import *arg, u32 nr_segs)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
	KUNIT_EXPECT_EQ(test, -EFAULT, uio_dmabuf_file_import(ctx->file, dmabuf, arg));
	KUNIT_EXPECT_EQ(test, uio_dmabuf_nr_buffers(ctx->udev), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
	uio_dmabuf_test_expect_idle(test, buf);
	arg->segments = (uintptr_t)ctx->usegs;
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_file_import(ctx->file, dmabuf, arg));
	KUNIT_EXPECT_EQ(test, arg->nr_segments, nr_segs);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, arg->handle));
}

/* IMPORT whose array is no user memory at all. */
static void uio_dmabuf_test_import_segments_efault(struct kunit *test)
{
	struct uio_dmabuf_import arg = {
		.direction = UIO_DMABUF_DIR_BIDIRECTIONAL, .segments = 8, .max_segments = 4,
	};

	uio_dmabuf_test_import_efault(test, &uio_dmabuf_test_layouts[1], &arg, 4);
}

/* Each direction maps with the matching enum dma_data_direction. */
static const u32 uio_dmabuf_test_dirs[] = {
	UIO_DMABUF_DIR_BIDIRECTIONAL, UIO_DMABUF_DIR_TO_DEVICE, UIO_DMABUF_DIR_FROM_DEVICE,
};

/*
 * IMPORT's array runs into an unmapped page after two of five segments: the
 * stores fault halfway.
 */
static void uio_dmabuf_test_import_segments_efault_midway(struct kunit *test)
{
	struct uio_dmabuf_import arg = {
		.direction = UIO_DMABUF_DIR_BIDIRECTIONAL, .max_segments = 5,
	};
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_EQ(test, 0, vm_munmap(addr + PAGE_SIZE, PAGE_SIZE));
	arg.segments = addr + PAGE_SIZE - 2 * sizeof(struct uio_dmabuf_segment);
	uio_dmabuf_test_import_efault(test, &uio_dmabuf_test_five, &arg, 5);
}

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

	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, *dir, 0, NULL));
	KUNIT_EXPECT_EQ(test, buf->last_dir, expected[*dir]);
}

/* A static exporter (before 6.15 mapped at attach and cached) imports and releases cleanly. */
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

/* An empty buffer is refused before anything is attached. */
static void uio_dmabuf_test_zero_size(struct kunit *test)
{
	static const struct uio_dmabuf_test_layout empty = { .name = "empty" };
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_new(test, &empty, &buf);
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->maps), 0);
	uio_dmabuf_test_expect_empty(test, buf);
	uio_dmabuf_test_expect_unheld(test, dmabuf);
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

static void uio_dmabuf_test_pages_free_priv(void *p)
{
	uio_dmabuf_test_pages_free(p);
}

/* A four-page buffer of that exporter, put when the case ends. */
static struct dma_buf *uio_dmabuf_test_pages_buffer(struct kunit *test)
{
	struct uio_dmabuf_test_pages *p;
	bool all = true;
	int i;

	p = kzalloc_obj(*p);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* Pages allocated one by one: the table usually has several entries. */
	for (i = 0; i < ARRAY_SIZE(p->pages); i++) {
		p->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		all &= !!p->pages[i];
	}
	if (!all)
		uio_dmabuf_test_pages_free(p);
	KUNIT_ASSERT_TRUE_MSG(test, all, "no pages for the buffer");
	return uio_dmabuf_test_export(test, &uio_dmabuf_test_pages_ops,
				      ARRAY_SIZE(p->pages) * PAGE_SIZE, p,
				      uio_dmabuf_test_pages_free_priv);
}

/*
 * SYNC of a live, DMA-API-mapped import: the whole buffer, a range inside one
 * mapped entry and one across entries succeed (DMA-API debug checks each call
 * against the mapping); ranges outside the buffer, or empty, are EINVAL. The
 * mapping needs SYNC exactly when the test device is not cache-coherent (an
 * arm64 device without firmware saying otherwise): nothing is bounced.
 */
static void uio_dmabuf_test_sync(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct dma_buf *dmabuf = uio_dmabuf_test_pages_buffer(test);
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_sync sync;

	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf,
							UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.map_flags,
			dev_is_dma_coherent(ctx->udev->dev) ? 0 : UIO_DMABUF_MAP_NEEDS_SYNC);

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

/* A kthread that SYNCs whichever import is current, until told to stop. */
struct uio_dmabuf_test_syncer {
	struct uio_dmabuf_file *file;
	struct mm_struct *mm;
	void __user *uarg;
	u32 handle;
	bool stop;
	struct completion done;
	unsigned int synced, released;
	long error;
};

static int uio_dmabuf_test_syncer_fn(void *data)
{
	struct uio_dmabuf_test_syncer *s = data;

	kthread_use_mm(s->mm);
	while (!READ_ONCE(s->stop) && !s->error) {
		struct uio_dmabuf_sync sync = { .handle = READ_ONCE(s->handle),
						.flags = UIO_DMABUF_SYNC_FOR_CPU };
		long ret;

		if (copy_to_user(s->uarg, &sync, sizeof(sync))) {
			s->error = -EFAULT;
			break;
		}
		ret = uio_dmabuf_file_ioctl(s->file, UIO_DMABUF_IOC_SYNC, s->uarg);
		if (!ret)
			s->synced++;
		else if (ret == -ENOENT)
			s->released++;
		else
			s->error = ret;
		cond_resched();
	}
	kthread_unuse_mm(s->mm);
	complete(&s->done);
	return 0;
}

/*
 * SYNC holds no lock of the file or the device while it syncs; the buffer's
 * reservation lock keeps the table mapped. A kthread SYNCs the current import
 * while this thread RELEASEs it and imports again: every SYNC succeeds or
 * finds the import released (ENOENT), and none syncs a table already unmapped
 * and freed (DMA-API debug checks each call against the live mappings, KASAN
 * the table).
 */
static void uio_dmabuf_test_sync_release_race(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct dma_buf *dmabuf = uio_dmabuf_test_pages_buffer(test);
	struct uio_dmabuf_test_syncer s;
	struct task_struct *task;
	struct uio_dmabuf_import imp;
	unsigned long addr;
	int i, ret = 0;

	addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	s = (struct uio_dmabuf_test_syncer){ .file = ctx->file, .mm = current->mm,
					      .uarg = (void __user *)addr };
	init_completion(&s.done);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf,
							UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp));
	s.handle = imp.handle;
	task = kthread_run(uio_dmabuf_test_syncer_fn, &s, "uio_dmabuf_sync");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (i = 0; i < 100 && !ret; i++) {
		usleep_range(20, 100);
		ret = uio_dmabuf_test_release_handle(test, ctx->file, imp.handle);
		if (!ret)
			ret = uio_dmabuf_test_import(ctx->file, dmabuf,
						     UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp);
		WRITE_ONCE(s.handle, imp.handle);
	}
	WRITE_ONCE(s.stop, true);
	wait_for_completion(&s.done);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, s.error, 0);
	KUNIT_EXPECT_GT(test, s.synced, 0);
	kunit_info(test, "%u syncs, %u found the import released, over %d imports",
		   s.synced, s.released, i);
	if (!ret)
		KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file,
									imp.handle));
}

/*
 * A stand-in for an IOMMU domain: addresses in [@hole, @hole + @hole_len)
 * translate to nothing, those from @mmio on outside system RAM, the others
 * to a page of RAM.
 */
struct uio_dmabuf_test_domain {
	dma_addr_t hole, hole_len, mmio;
	phys_addr_t ram;
	int lookups;
};

static phys_addr_t uio_dmabuf_test_to_phys(void *ctx, dma_addr_t addr)
{
	struct uio_dmabuf_test_domain *d = ctx;

	d->lookups++;
	if (addr >= d->hole && addr - d->hole < d->hole_len)
		return 0;
	if (addr >= d->mmio)
		return (phys_addr_t)1 << 46;	/* no RAM up there */
	return d->ram;
}

/* A table of three entries, 4 KiB at 1 MiB, 8 KiB at 2 MiB, 4 KiB at 3 MiB. */
static struct sg_table *uio_dmabuf_test_table(struct kunit *test)
{
	static const u32 lens[] = { SZ_4K, SZ_8K, SZ_4K };
	struct sg_table *sgt = kunit_kzalloc(test, sizeof(*sgt), GFP_KERNEL);
	struct scatterlist *sg;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, sgt);
	KUNIT_ASSERT_EQ(test, 0, sg_alloc_table(sgt, ARRAY_SIZE(lens), GFP_KERNEL));
	for_each_sgtable_sg(sgt, sg, i) {
		sg_dma_address(sg) = (dma_addr_t)(i + 1) * SZ_1M;
		sg_dma_len(sg) = lens[i];
	}
	sgt->nents = ARRAY_SIZE(lens);
	return sgt;
}

/*
 * Behind an IOMMU every address an exporter hands out must be mapped in the
 * device's domain: one that is not, even only at an entry's last byte, is
 * refused; an entry that translates outside RAM, or a bus address (checked by
 * no one: the IOMMU does not translate it), makes the import a peer's.
 */
static void uio_dmabuf_test_check_table(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	void *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct uio_dmabuf_test_domain d = { .mmio = DMA_MAPPING_ERROR };
	struct sg_table *sgt = uio_dmabuf_test_table(test);
	struct device *dev = ctx->udev->dev;
	u64 size = SZ_16K;
	bool peer = false;

	KUNIT_ASSERT_NOT_NULL(test, page);
	d.ram = virt_to_phys(page);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_check_table(dev, "test", sgt, size,
							uio_dmabuf_test_to_phys, &d, 0, &peer));
	KUNIT_EXPECT_FALSE(test, peer);
	/* Both ends of each entry; with 4 KiB pages, one look-up per page. */
	KUNIT_EXPECT_EQ(test, d.lookups, 6);
	d.lookups = 0;
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_check_table(dev, "test", sgt, size,
							uio_dmabuf_test_to_phys, &d, SZ_4K, &peer));
	KUNIT_EXPECT_EQ(test, d.lookups, 4);

	/* The second entry's last page is not mapped. */
	d.hole = 2 * SZ_1M + SZ_4K;
	d.hole_len = SZ_4K;
	KUNIT_EXPECT_EQ(test, -EIO, uio_dmabuf_check_table(dev, "test", sgt, size,
							   uio_dmabuf_test_to_phys, &d, 0, &peer));
	KUNIT_EXPECT_EQ(test, -EIO, uio_dmabuf_check_table(dev, "test", sgt, size,
							   uio_dmabuf_test_to_phys, &d, SZ_4K,
							   &peer));
	/* Without an IOMMU no address is looked up. */
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_check_table(dev, "test", sgt, size, NULL, NULL, 0,
							&peer));
	KUNIT_EXPECT_FALSE(test, peer);
	/* Entries past the buffer's size are not the buffer's. */
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_check_table(dev, "test", sgt, SZ_4K,
							uio_dmabuf_test_to_phys, &d, 0, &peer));
	/* A bus address is not translated, and is a peer's. */
	sg_dma_mark_bus_address(sg_next(sgt->sgl));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_check_table(dev, "test", sgt, size,
							uio_dmabuf_test_to_phys, &d, 0, &peer));
	KUNIT_EXPECT_TRUE(test, peer);

	/* An address that translates outside RAM: MMIO, a peer's. */
	d.hole_len = 0;
	d.mmio = 3 * SZ_1M;
	peer = false;
	sg_dma_unmark_bus_address(sg_next(sgt->sgl));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_check_table(dev, "test", sgt, size,
							uio_dmabuf_test_to_phys, &d, 0, &peer));
	KUNIT_EXPECT_TRUE(test, peer);
	sg_free_table(sgt);
}

/*
 * A table of bus addresses, of every layout (one entry, as merged ones are,
 * and many): MAP_PEER, and SYNC has nothing to do (succeeds).
 */
static void uio_dmabuf_test_peer(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	const struct uio_dmabuf_test_layout *l = test->param_value;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_sync sync;
	struct dma_buf *dmabuf;

	/*
	 * Without P2P DMA the mark is a no-op; CONFIG_DMABUF_DEBUG (7.x) hands
	 * importers a copy of the table without the DMA flags, marks included.
	 */
	if (!IS_ENABLED(CONFIG_PCI_P2PDMA) || IS_ENABLED(CONFIG_DMABUF_DEBUG))
		kunit_skip(test, "bus-address marks do not reach the importer in this kernel");
	dmabuf = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_dynamic_ops, &buf);
	buf->bus_addresses = true;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf,
							UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.map_flags, UIO_DMABUF_MAP_PEER);
	uio_dmabuf_test_expect_segments(test, imp.handle, l);
	sync = (struct uio_dmabuf_sync){ .handle = imp.handle,
					 .flags = UIO_DMABUF_SYNC_FOR_CPU };
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
						       &sync, sizeof(sync)));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));

	/* The same buffer without the marks: RAM, as far as anyone can tell. */
	buf->bus_addresses = false;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf,
							UIO_DMABUF_DIR_BIDIRECTIONAL, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.map_flags & UIO_DMABUF_MAP_PEER, 0);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
}

static struct kunit_case uio_dmabuf_segments_cases[] = {
	KUNIT_CASE_PARAM(uio_dmabuf_test_segments, uio_dmabuf_test_layout_gen_params),
	KUNIT_CASE_PARAM(uio_dmabuf_test_lengths_sum, uio_dmabuf_test_layout_gen_params),
	KUNIT_CASE_PARAM(uio_dmabuf_test_entries_max_seg, uio_dmabuf_test_max_seg_gen_params),
	KUNIT_CASE(uio_dmabuf_test_contiguous_ok),
	KUNIT_CASE(uio_dmabuf_test_contiguous_e2big),
	KUNIT_CASE(uio_dmabuf_test_paging),
	KUNIT_CASE(uio_dmabuf_test_segments_efault),
	KUNIT_CASE(uio_dmabuf_test_import_segments),
	KUNIT_CASE(uio_dmabuf_test_import_segments_efault),
	KUNIT_CASE(uio_dmabuf_test_import_segments_efault_midway),
	KUNIT_CASE_PARAM(uio_dmabuf_test_direction, uio_dmabuf_test_dir_gen_params),
	KUNIT_CASE(uio_dmabuf_test_static_exporter),
	KUNIT_CASE(uio_dmabuf_test_zero_size),
	KUNIT_CASE(uio_dmabuf_test_sync),
	KUNIT_CASE(uio_dmabuf_test_sync_release_race),
	KUNIT_CASE(uio_dmabuf_test_check_table),
	KUNIT_CASE_PARAM(uio_dmabuf_test_peer, uio_dmabuf_test_layout_gen_params),
	{}
};

static struct kunit_suite uio_dmabuf_segments_suite = {
	.name = "uio_dmabuf_segments",
	.init = uio_dmabuf_test_init,
	.test_cases = uio_dmabuf_segments_cases,
};

kunit_test_suite(uio_dmabuf_segments_suite);
