// SPDX-License-Identifier: GPL-2.0
/*
 * The test exporter of the uio_dmabuf KUnit suites: dma-bufs whose "mapping"
 * is a table of DMA addresses the case chooses (its layouts are here too),
 * counting what the importer holds. See uio_dmabuf_kunit.h.
 */

#include <linux/dma-resv.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

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

	/* An exporter that takes its time: a VRAM migration, a stuck device. */
	if (buf->map_gate) {
		complete(buf->map_entered);
		wait_for_completion(buf->map_gate);
	}
	if (buf->map_error)
		return ERR_PTR(buf->map_error);
	/* Moved while the importer maps: it gets the table of the new place. */
	if (buf->invalidate_in_map)
		dma_buf_invalidate_mappings(attach->dmabuf);
	sgt = kzalloc_obj(*sgt);
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
		if (buf->bus_addresses)
			sg_dma_mark_bus_address(sg);
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

	/* An exporter slow to unmap: a device that must finish with the buffer. */
	if (buf->unmap_gate) {
		complete(buf->unmap_entered);
		wait_for_completion(buf->unmap_gate);
	}
	sg_free_table(sgt);
	kfree(sgt);
	atomic_dec(&buf->mapped);
}

static void uio_dmabuf_test_release(struct dma_buf *dmabuf)
{
	kfree(dmabuf->priv);
}

/* Moves its buffers only with pin/unpin: importers must pin. */
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

/**
 * uio_dmabuf_test_invalidate() - the exporter invalidates the mappings of @dmabuf
 * @dmabuf:    a buffer of the test exporter
 * @map_error: what its map op fails with from now on: -ENODEV for a revoke
 *             (VFIO's answer until it restores the buffer), 0 for a move
 *
 * Under the buffer's reservation lock, as exporters do.
 */
void uio_dmabuf_test_invalidate(struct dma_buf *dmabuf, int map_error)
{
	struct uio_dmabuf_test_buf *buf = dmabuf->priv;

	dma_resv_lock(dmabuf->resv, NULL);
	buf->map_error = map_error;
	dma_buf_invalidate_mappings(dmabuf);
	dma_resv_unlock(dmabuf->resv);
}

/* Layouts. Addresses are page aligned, as real mappings are. */
const struct uio_dmabuf_test_layout uio_dmabuf_test_layouts[] = {
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
		/* Three entries, six segments: more than the mapping keeps inline. */
		.name = "split past the inline room",
		.size = 6ULL * SZ_1G,
		.ents = { { 0x1c0000000ULL, SZ_2G }, { 0x3c0000000ULL, SZ_2G },
			  { 0x5c0000000ULL, SZ_2G } }, .nr_ents = 3,
		.segs = { { 0x1c0000000ULL, SZ_1G }, { 0x200000000ULL, SZ_1G },
			  { 0x3c0000000ULL, SZ_1G }, { 0x400000000ULL, SZ_1G },
			  { 0x5c0000000ULL, SZ_1G }, { 0x600000000ULL, SZ_1G } }, .nr_segs = 6,
	},
	{
		.name = "table longer than the buffer",
		.size = SZ_8K,
		.ents = { { 0x20000, SZ_4K }, { 0x40000, SZ_8K } }, .nr_ents = 2,
		.segs = { { 0x20000, SZ_4K }, { 0x40000, SZ_4K } }, .nr_segs = 2,
	},
	{
		/*
		 * An entry split at the 4 GiB boundary: its first piece joins
		 * the segment before it, the next entry joins its last piece.
		 */
		.name = "a split entry merged on both sides",
		.size = SZ_128K + SZ_64K + SZ_4K,
		.ents = { { 0xfffe0000ULL, SZ_64K }, { 0xffff0000ULL, SZ_128K },
			  { 0x100010000ULL, SZ_4K } }, .nr_ents = 3,
		.segs = { { 0xfffe0000ULL, SZ_128K }, { 0x100000000ULL, SZ_64K + SZ_4K } },
		.nr_segs = 2,
	},
	{
		.name = "table longer than the buffer, which its first entry covers",
		.size = SZ_4K,
		.ents = { { 0x60000, SZ_8K }, { 0x80000, SZ_4K } }, .nr_ents = 2,
		.segs = { { 0x60000, SZ_4K } }, .nr_segs = 1,
	},
};

static_assert(ARRAY_SIZE(uio_dmabuf_test_layouts) == UIO_DMABUF_TEST_NR_LAYOUTS);

const struct uio_dmabuf_test_layout uio_dmabuf_test_five = {
	.name = "five",
	.size = 5 * SZ_4K,
	.ents = { { 0x10000, SZ_4K }, { 0x30000, SZ_4K }, { 0x50000, SZ_4K },
		  { 0x70000, SZ_4K }, { 0x90000, SZ_4K } }, .nr_ents = 5,
};

/**
 * uio_dmabuf_test_export_mode() - export a dma-buf that is put when the case ends
 * @test: the case
 * @ops:  the exporter's operations
 * @size: the buffer's size
 * @mode: how its file is open: O_RDWR, or O_RDONLY
 * @priv: the exporter's data; its release op frees it once exported
 * @free: frees @priv when the export fails
 *
 * Return: the dma-buf; the case fails when it cannot be exported.
 */
struct dma_buf *uio_dmabuf_test_export_mode(struct kunit *test, const struct dma_buf_ops *ops,
					    size_t size, int mode, void *priv,
					    void (*free)(void *priv))
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;

	exp_info.ops = ops;
	exp_info.size = size;
	exp_info.flags = mode;
	exp_info.priv = priv;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		free(priv);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_put_action,
							   dmabuf));
	return dmabuf;
}

/**
 * uio_dmabuf_test_export() - export a read-write dma-buf put when the case ends
 * @test: the case
 * @ops:  the exporter's operations
 * @size: the buffer's size
 * @priv: the exporter's data; its release op frees it once exported
 * @free: frees @priv when the export fails
 *
 * Return: the dma-buf; the case fails when it cannot be exported.
 */
struct dma_buf *uio_dmabuf_test_export(struct kunit *test, const struct dma_buf_ops *ops,
				       size_t size, void *priv, void (*free)(void *priv))
{
	return uio_dmabuf_test_export_mode(test, ops, size, O_RDWR, priv, free);
}

static void uio_dmabuf_test_buf_free(void *buf)
{
	kfree(buf);
}

/**
 * uio_dmabuf_test_buffer_mode() - a dma-buf of the test exporter
 * @test:   the case
 * @layout: the table it maps to
 * @ops:    &uio_dmabuf_test_static_ops, or the dynamic ones
 * @mode:   how its file is open: O_RDWR, or O_RDONLY
 * @bufp:   receives the exporter's counters, valid until the case ends
 *
 * Return: the dma-buf, put when the case ends.
 */
struct dma_buf *uio_dmabuf_test_buffer_mode(struct kunit *test,
					    const struct uio_dmabuf_test_layout *layout,
					    const struct dma_buf_ops *ops, int mode,
					    struct uio_dmabuf_test_buf **bufp)
{
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	buf = kzalloc_obj(*buf);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	buf->layout = layout;
	dmabuf = uio_dmabuf_test_export_mode(test, ops, layout->size, mode, buf,
					     uio_dmabuf_test_buf_free);
	*bufp = buf;
	return dmabuf;
}

/**
 * uio_dmabuf_test_buffer() - a read-write dma-buf of the test exporter
 * @test:   the case
 * @layout: the table it maps to
 * @ops:    &uio_dmabuf_test_static_ops, or the dynamic ones
 * @bufp:   receives the exporter's counters, valid until the case ends
 *
 * Return: the dma-buf, put when the case ends.
 */
struct dma_buf *uio_dmabuf_test_buffer(struct kunit *test,
				       const struct uio_dmabuf_test_layout *layout,
				       const struct dma_buf_ops *ops,
				       struct uio_dmabuf_test_buf **bufp)
{
	return uio_dmabuf_test_buffer_mode(test, layout, ops, O_RDWR, bufp);
}

/**
 * uio_dmabuf_test_new() - a dma-buf of the dynamic test exporter
 * @test:   the case
 * @layout: the table it maps to
 * @bufp:   receives the exporter's counters, valid until the case ends
 *
 * Return: the dma-buf, put when the case ends.
 */
struct dma_buf *uio_dmabuf_test_new(struct kunit *test,
				    const struct uio_dmabuf_test_layout *layout,
				    struct uio_dmabuf_test_buf **bufp)
{
	return uio_dmabuf_test_buffer(test, layout, &uio_dmabuf_test_dynamic_ops, bufp);
}
