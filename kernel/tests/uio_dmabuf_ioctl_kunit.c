// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite uio_dmabuf_ioctl.
 *
 * The ioctl contract: handles, validation of every field, INFO, the limits on
 * imports and pinned pages, and structures passed back as they came.
 */

#include <linux/fcntl.h>
#include <linux/uaccess.h>

#include "uio_dmabuf_kunit.h"

/* Handles are nonzero and distinct among live imports. */
static void uio_dmabuf_test_handles_unique(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import imp[8];
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(imp); i++) {
		dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
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

	da = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	db = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, da, 0, 0, &a));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, a.handle));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, db, 0, 0, &b));
	KUNIT_EXPECT_NE(test, a.handle, b.handle);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, da, 0, 0, &c));
	KUNIT_EXPECT_NE(test, c.handle, a.handle);
	KUNIT_EXPECT_NE(test, c.handle, b.handle);
}

/*
 * A released handle comes back only after 65,535 more imports of the file,
 * though the next import takes its slot: until then every ioctl answers the
 * old handle ENOENT.
 */
static void uio_dmabuf_test_handle_comes_round(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_get_segments gs = { };
	struct uio_dmabuf_sync sync = { .flags = UIO_DMABUF_SYNC_FOR_CPU };
	struct uio_dmabuf_import first, imp;
	struct uio_dmabuf_test_buf *buf;
	unsigned int i, same = 0;
	struct dma_buf *dmabuf;
	u32 generation;
	long ret;

	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	generation = ctx->file->generation;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &first));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, first.handle));

	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_NE(test, imp.handle, first.handle);
	gs.handle = first.handle;
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_GET_SEGMENTS,
							     &gs, sizeof(gs)));
	sync.handle = first.handle;
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC,
							     &sync, sizeof(sync)));
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_release_handle(test, ctx->file,
								      first.handle));
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, 1);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	for (i = 0; i < 100; i++) {
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
		same += imp.handle == first.handle;
		ret = uio_dmabuf_test_release_handle(test, ctx->file, imp.handle);
		KUNIT_ASSERT_EQ(test, 0, ret);
	}
	KUNIT_EXPECT_EQ(test, same, 0);

	/* As if 65,432 more imports had come and gone: the next is the last before. */
	ctx->file->generation = (generation + 65534) % 65535;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_NE(test, imp.handle, first.handle);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.handle, first.handle);
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_release_handle(test, ctx->file,
								      imp.handle ^ 0x10000));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	uio_dmabuf_test_expect_idle(test, buf);
}

/* Under @file's lock, the import @handle names is one of @dmabuf. */
static bool uio_dmabuf_test_handle_is(struct uio_dmabuf_file *file, u32 handle,
				      struct dma_buf *dmabuf)
{
	struct uio_dmabuf_mapping *map;

	mutex_lock(&file->lock);
	map = uio_dmabuf_handle_lookup_locked(file, handle);
	mutex_unlock(&file->lock);
	return map && map->dmabuf == dmabuf;
}

/*
 * The handle table grows past its first eight slots, and fills the slots that
 * imports left before it grows again: every live handle finds its own import,
 * every released one, a free slot's and one past the table are unknown; the
 * file's close releases the imports left in a table with gaps.
 */
static void uio_dmabuf_test_handle_table_grows(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *file = uio_dmabuf_test_open(test, ctx->udev);
	struct uio_dmabuf_get_segments gs = { };
	static const u32 unknown[] = { 30, 32, UIO_DMABUF_MAX_SLOTS - 1 };
	const int nr = 27;
	struct {
		struct uio_dmabuf_test_buf *buf;
		struct dma_buf *dmabuf;
		struct uio_dmabuf_import imp;
		bool live;
	} *e = kunit_kcalloc(test, nr, sizeof(*e), GFP_KERNEL);
	int i, j, ret;
	bool is;

	KUNIT_ASSERT_NOT_NULL(test, e);
	for (i = 0; i < nr; i++) {
		if (i == 16) {
			/* Full: every third of the 16 goes, six slots free. */
			KUNIT_EXPECT_EQ(test, file->nr_slots, 16);
			for (j = 0; j < 16; j += 3) {
				e[j].live = false;
				ret = uio_dmabuf_test_release_handle(test, file, e[j].imp.handle);
				KUNIT_ASSERT_EQ(test, 0, ret);
			}
		}
		/* The six took the slots left; the next grows the table. */
		if (i == 22)
			KUNIT_EXPECT_EQ(test, file->nr_slots, 16);
		e[i].dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[i % 4], &e[i].buf);
		ret = uio_dmabuf_test_import(file, e[i].dmabuf, 0, 0, &e[i].imp);
		KUNIT_ASSERT_EQ(test, 0, ret);
		e[i].live = true;
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, e[i].imp.handle, e[j].imp.handle);
	}
	KUNIT_EXPECT_EQ(test, file->nr_slots, 32);
	KUNIT_EXPECT_EQ(test, file->nr_imports, nr - 6);
	for (i = 0; i < nr; i++) {
		is = uio_dmabuf_test_handle_is(file, e[i].imp.handle, e[i].dmabuf);
		KUNIT_EXPECT_EQ(test, e[i].live, is);
		gs.handle = e[i].imp.handle;
		gs.count = 0;
		KUNIT_EXPECT_EQ(test, e[i].live ? 0 : -ENOENT,
				uio_dmabuf_test_ioctl(test, file, UIO_DMABUF_IOC_GET_SEGMENTS,
						      &gs, sizeof(gs)));
		if (e[i].live)
			KUNIT_EXPECT_EQ(test, gs.nr_segments, e[i].imp.nr_segments);
	}
	/* Slot 30 is free and has never held an import; 32 and 65,535 are past the table. */
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		gs.handle = uio_dmabuf_handle(unknown[i], 0);
		KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_ioctl(test, file,
								     UIO_DMABUF_IOC_GET_SEGMENTS,
								     &gs, sizeof(gs)));
	}
	/* Half of those left go; the close takes the others. */
	for (i = 0; i < nr; i += 2) {
		if (e[i].live)
			KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, file,
										e[i].imp.handle));
	}
	uio_dmabuf_test_close(test, file);
	for (i = 0; i < nr; i++)
		uio_dmabuf_test_expect_idle(test, e[i].buf);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
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

	uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[0], &buf, &imp);
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
	{ "segments without max_segments", { .segments = 0x1000 } },
	{ "max_segments without segments", { .max_segments = 1 } },
	{ "reserved", { .reserved = 1U << 31 } },
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

	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
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

	dmabuf = uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[0], &buf, &imp);
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
	struct uio_dmabuf_irq_eventfd irq;
	struct uio_dmabuf_file *vfile;

	vfile = uio_dmabuf_test_open(test, uio_dmabuf_test_vector_device(test, 1));
	uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[0], &buf, &imp);

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
	/* Nonzero reserved and flags, else ENOENT: vector 0 exists, unbound. */
	irq = (struct uio_dmabuf_irq_eventfd){ .fd = -1, .reserved = 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, vfile,
							     UIO_DMABUF_IOC_SET_IRQ_EVENTFD,
							     &irq, sizeof(irq)));
	irq = (struct uio_dmabuf_irq_eventfd){ .fd = -1, .flags = 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, vfile,
							     UIO_DMABUF_IOC_SET_IRQ_EVENTFD,
							     &irq, sizeof(irq)));
	irq = (struct uio_dmabuf_irq_eventfd){ .fd = -1 };
	KUNIT_EXPECT_EQ(test, -ENOENT, uio_dmabuf_test_ioctl(test, vfile,
							     UIO_DMABUF_IOC_SET_IRQ_EVENTFD,
							     &irq, sizeof(irq)));
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
	KUNIT_EXPECT_EQ(test, info.irq_mode, UIO_DMABUF_IRQ_NONE);
	KUNIT_EXPECT_EQ(test, info.nr_irq_vectors, 0);
	KUNIT_EXPECT_EQ(test, info.nr_revoked, 0);
	KUNIT_EXPECT_EQ(test, info.reserved0 | info.reserved[0] | info.reserved[1], 0);

	uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[0], &buf, NULL);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_INFO,
						       &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, info.nr_imports, 1);
}

/*
 * A device without MSI-X has no vector to bind: EINVAL, as for a vector past
 * the last, before the fd is looked at; unbinding says the same.
 */
static void uio_dmabuf_test_no_vectors(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_irq_eventfd irq = { .vector = 0, .fd = -1 };

	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_SET_IRQ_EVENTFD,
							     &irq, sizeof(irq)));
	irq.fd = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, uio_dmabuf_test_ioctl(test, ctx->file,
							     UIO_DMABUF_IOC_SET_IRQ_EVENTFD,
							     &irq, sizeof(irq)));
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
		dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	}
	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &last);
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

	dmabuf = uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[2], &buf, &imp);
	KUNIT_EXPECT_EQ(test, -EBUSY, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EBUSY, uio_dmabuf_test_import(other, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->attached), 1);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(file2, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->attached), 2);

	/* Released, it can be imported again on the first device. */
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(other, dmabuf, 0, 0, NULL));
}

/*
 * A buffer whose file is not open for writing: the device may only read it.
 * Another direction is refused with EACCES, and nothing is left behind. A
 * dma-buf core that maps a static exporter's buffer at attach (before 6.15)
 * maps it for writing too: there the buffer is refused for every direction.
 */
static void uio_dmabuf_test_read_only_buffer(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[2];
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf, *probe;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf, *rw;
	bool at_attach;

	dmabuf = uio_dmabuf_test_buffer_mode(test, l, &uio_dmabuf_test_dynamic_ops, O_RDONLY,
					     &buf);
	KUNIT_EXPECT_EQ(test, -EACCES,
			uio_dmabuf_test_import(ctx->file, dmabuf, UIO_DMABUF_DIR_BIDIRECTIONAL, 0,
					       NULL));
	KUNIT_EXPECT_EQ(test, -EACCES,
			uio_dmabuf_test_import(ctx->file, dmabuf, UIO_DMABUF_DIR_FROM_DEVICE, 0,
					       NULL));
	uio_dmabuf_test_expect_empty(test, buf);
	uio_dmabuf_test_expect_unheld(test, dmabuf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf,
							UIO_DMABUF_DIR_TO_DEVICE, 0, &imp));
	KUNIT_EXPECT_EQ(test, buf->last_dir, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	uio_dmabuf_test_expect_empty(test, buf);
	uio_dmabuf_test_expect_unheld(test, dmabuf);

	rw = uio_dmabuf_test_buffer(test, l, &uio_dmabuf_test_static_ops, &probe);
	at_attach = uio_dmabuf_test_core_maps_at_attach(test, rw, probe);
	dmabuf = uio_dmabuf_test_buffer_mode(test, l, &uio_dmabuf_test_static_ops, O_RDONLY,
					     &buf);
	KUNIT_EXPECT_EQ(test, at_attach ? -EACCES : 0,
			uio_dmabuf_test_import(ctx->file, dmabuf, UIO_DMABUF_DIR_TO_DEVICE, 0,
					       &imp));
	if (!at_attach) {
		KUNIT_EXPECT_EQ(test, buf->last_dir, DMA_TO_DEVICE);
		KUNIT_EXPECT_EQ(test, 0,
				uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	}
	uio_dmabuf_test_expect_empty(test, buf);
}

/*
 * Each import charges its pages to the user's locked_vm; each release returns
 * exactly those.
 */
static void uio_dmabuf_test_locked_vm(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_import imp[3];
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;
	unsigned long pages = 0;
	int i;

	KUNIT_ASSERT_EQ(test, uio_dmabuf_test_charged(test), 0);
	for (i = 0; i < ARRAY_SIZE(imp); i++) {
		const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[i + 1];

		dmabuf = uio_dmabuf_test_new(test, l, &buf);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp[i]));
		pages += l->size >> PAGE_SHIFT;
		KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), pages);
	}
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp[1].handle));
	pages -= uio_dmabuf_test_layouts[2].size >> PAGE_SHIFT;
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), pages);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp[0].handle));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp[2].handle));
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
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

	dmabuf = uio_dmabuf_test_new(test, l, &buf);
	dmabuf2 = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf2);
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

static struct kunit_case uio_dmabuf_ioctl_cases[] = {
	KUNIT_CASE(uio_dmabuf_test_handles_unique),
	KUNIT_CASE(uio_dmabuf_test_handle_not_reused),
	KUNIT_CASE(uio_dmabuf_test_handle_comes_round),
	KUNIT_CASE(uio_dmabuf_test_handle_table_grows),
	KUNIT_CASE(uio_dmabuf_test_unknown_handle),
	KUNIT_CASE(uio_dmabuf_test_handle_per_file),
	KUNIT_CASE_PARAM(uio_dmabuf_test_import_einval, uio_dmabuf_test_bad_import_gen_params),
	KUNIT_CASE(uio_dmabuf_test_undefined_flag_bits),
	KUNIT_CASE(uio_dmabuf_test_reserved_fields),
	KUNIT_CASE(uio_dmabuf_test_unknown_ioctl),
	KUNIT_CASE(uio_dmabuf_test_info),
	KUNIT_CASE(uio_dmabuf_test_no_vectors),
	KUNIT_CASE(uio_dmabuf_test_max_imports),
	KUNIT_CASE(uio_dmabuf_test_double_import),
	KUNIT_CASE(uio_dmabuf_test_struct_reuse),
	KUNIT_CASE(uio_dmabuf_test_locked_vm),
	KUNIT_CASE(uio_dmabuf_test_read_only_buffer),
	{}
};

static struct kunit_suite uio_dmabuf_ioctl_suite = {
	.name = "uio_dmabuf_ioctl",
	.init = uio_dmabuf_test_init,
	.test_cases = uio_dmabuf_ioctl_cases,
};

kunit_test_suite(uio_dmabuf_ioctl_suite);
