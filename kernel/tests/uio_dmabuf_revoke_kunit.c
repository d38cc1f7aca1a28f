// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite uio_dmabuf_revoke.
 *
 * An exporter revokes (or moves) a pinned import while it is in use: the
 * device's DMA stops before the table is unmapped, within the exporter's call;
 * the handle answers ESTALE and poll() EPOLLPRI until user space releases it,
 * which turns DMA on again; the buffer can then be imported anew.
 */

#include <kunit/static_stub.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/poll.h>
#include <linux/sched/task.h>

#include "uio_dmabuf_kunit.h"

static struct uio_dmabuf_info uio_dmabuf_test_info(struct kunit *test,
						   struct uio_dmabuf_file *file)
{
	struct uio_dmabuf_info info = { };

	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, file, UIO_DMABUF_IOC_INFO,
						       &info, sizeof(info)));
	return info;
}

static long uio_dmabuf_test_sync(struct kunit *test, u32 handle)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_sync sync = { .handle = handle, .flags = UIO_DMABUF_SYNC_FOR_CPU };

	return uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_SYNC, &sync, sizeof(sync));
}

/* What poll() on @file reports, as plain bits for the expectations. */
static unsigned int uio_dmabuf_test_poll(struct uio_dmabuf_file *file)
{
	return (__force unsigned int)uio_dmabuf_file_poll(file, NULL, NULL);
}

#define UIO_DMABUF_TEST_POLLPRI	((__force unsigned int)EPOLLPRI)
#define UIO_DMABUF_TEST_POLLGONE	((__force unsigned int)(EPOLLERR | EPOLLHUP))

/* Counts the wake-ups of a device's poll() wait queue. */
struct uio_dmabuf_test_waiter {
	struct wait_queue_entry entry;
	wait_queue_head_t *head;
	atomic_t wakeups;
};

static int uio_dmabuf_test_wake(struct wait_queue_entry *entry, unsigned int mode, int sync,
				void *key)
{
	struct uio_dmabuf_test_waiter *w = container_of(entry, struct uio_dmabuf_test_waiter,
							entry);

	atomic_inc(&w->wakeups);
	return 0;
}

static void uio_dmabuf_test_unwait(void *data)
{
	struct uio_dmabuf_test_waiter *w = data;

	remove_wait_queue(w->head, &w->entry);
}

/* A waiter on @udev's poll() queue, as a blocked poll() would be, until the case ends. */
static struct uio_dmabuf_test_waiter *uio_dmabuf_test_waiter(struct kunit *test,
							     struct uio_dmabuf_dev *udev)
{
	struct uio_dmabuf_test_waiter *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	init_waitqueue_func_entry(&w->entry, uio_dmabuf_test_wake);
	w->head = &udev->poll_wait;
	add_wait_queue(w->head, &w->entry);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_unwait, w));
	return w;
}

/*
 * The exporter revokes an import in use: DMA stops while the table is still
 * mapped, the table is unmapped before the exporter's call returns, the pin
 * and attachment stay until RELEASE. Meanwhile GET_SEGMENTS and SYNC say
 * ESTALE, INFO counts it, poll() says EPOLLPRI and the buffer is busy. RELEASE
 * turns DMA on again; once the exporter maps again the buffer imports anew.
 */
static void uio_dmabuf_test_revoke_in_use(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[2];
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_waiter *waiter;
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_info info;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_imported(test, l, &buf, &imp);
	ctx->watch = buf;
	waiter = uio_dmabuf_test_waiter(test, ctx->udev);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), 0);

	uio_dmabuf_test_invalidate(dmabuf, -ENODEV);
	KUNIT_EXPECT_EQ(test, atomic_read(&waiter->wakeups), 1);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&buf->pinned), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->attached), 1);

	KUNIT_EXPECT_EQ(test, -ESTALE, uio_dmabuf_test_get_all(test, imp.handle, NULL, 0, &gs));
	KUNIT_EXPECT_EQ(test, -ESTALE, uio_dmabuf_test_sync(test, imp.handle));
	info = uio_dmabuf_test_info(test, ctx->file);
	KUNIT_EXPECT_EQ(test, info.nr_revoked, 1);
	KUNIT_EXPECT_EQ(test, info.nr_imports, 1);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), UIO_DMABUF_TEST_POLLPRI);
	KUNIT_EXPECT_EQ(test, -EBUSY, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));

	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_empty(test, buf);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), 0);
	info = uio_dmabuf_test_info(test, ctx->file);
	KUNIT_EXPECT_EQ(test, info.nr_revoked, 0);

	/* Revoked for good: the exporter refuses, nothing is left behind. */
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	uio_dmabuf_test_expect_empty(test, buf);
	/* Restored: imported again, with a new table. */
	buf->map_error = 0;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->maps), 2);
	uio_dmabuf_test_expect_segments(test, imp.handle, l);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
}

/*
 * One import of two revoked: the other keeps working, but DMA stays stopped
 * until the revoked one is released, whatever else is released first. Only
 * the file that holds it sees EPOLLPRI.
 */
static void uio_dmabuf_test_revoke_one_of_two(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf[3];
	struct uio_dmabuf_import imp[3];
	struct uio_dmabuf_file *other;
	struct dma_buf *dmabuf[3];
	int i;

	for (i = 0; i < ARRAY_SIZE(dmabuf); i++)
		dmabuf[i] = uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[i], &buf[i],
						     &imp[i]);
	other = uio_dmabuf_test_open(test, ctx->udev);

	uio_dmabuf_test_invalidate(dmabuf[0], 0);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf[0]->mapped), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf[1]->mapped), 1);
	uio_dmabuf_test_expect_segments(test, imp[1].handle, &uio_dmabuf_test_layouts[1]);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), UIO_DMABUF_TEST_POLLPRI);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(other), 0);

	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp[1].handle));
	uio_dmabuf_test_close(test, other);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_idle(test, buf[1]);

	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp[0].handle));
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_idle(test, buf[0]);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), 0);
	uio_dmabuf_test_expect_segments(test, imp[2].handle, &uio_dmabuf_test_layouts[2]);
}

/* A second invalidation of a revoked import changes nothing: no second unmap. */
static void uio_dmabuf_test_revoke_twice(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[1], &buf, &imp);
	uio_dmabuf_test_invalidate(dmabuf, 0);
	uio_dmabuf_test_invalidate(dmabuf, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_info(test, ctx->file).nr_revoked, 1);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_revoked, 1);

	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_revoked, 0);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_empty(test, buf);
}

/*
 * A file closed with a revoked import leaves nothing behind, and the next file
 * opened turns DMA on: no revocation is left counted.
 */
static void uio_dmabuf_test_revoke_then_close(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[0], &buf, NULL);
	uio_dmabuf_test_invalidate(dmabuf, -ENODEV);
	uio_dmabuf_test_close(test, ctx->file);
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_revoked, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);

	ctx->file = uio_dmabuf_test_open(test, ctx->udev);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
}

/*
 * Unbind with a revoked import unreleased: torn down, pollers woken, and poll()
 * says the file is gone.
 */
static void uio_dmabuf_test_revoke_then_unbind(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_waiter *waiter;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[0], &buf, &imp);
	uio_dmabuf_test_invalidate(dmabuf, 0);
	waiter = uio_dmabuf_test_waiter(test, ctx->udev);
	kunit_release_action(test, uio_dmabuf_test_unregister_action, ctx->udev);
	KUNIT_EXPECT_EQ(test, atomic_read(&waiter->wakeups), 1);
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_revoked, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), UIO_DMABUF_TEST_POLLGONE);
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_release_handle(test, ctx->file,
								      imp.handle));
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
}

/*
 * The device loses its isolation with a revoked import unreleased: everything
 * goes, and a file opened afterwards turns DMA on (nothing is left counted).
 */
static void uio_dmabuf_test_revoke_then_isolation_loss(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[1], &buf, NULL);
	uio_dmabuf_test_invalidate(dmabuf, 0);
	uio_dmabuf_revoke(ctx->udev);
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_revoked, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), UIO_DMABUF_TEST_POLLGONE);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);

	uio_dmabuf_test_open(test, ctx->udev);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
}

/* A device of a KUnit group with one import, beside the fixture's device with one. */
struct uio_dmabuf_test_grouped {
	struct uio_dmabuf_dev *udev;
	struct uio_dmabuf_file *file;
	struct dma_buf *dmabuf;
	struct uio_dmabuf_test_buf *buf, *outside;
	struct device *sibling;
	struct uio_dmabuf_import imp;
};

static void uio_dmabuf_test_grouped_import(struct kunit *test, struct uio_dmabuf_test_grouped *g)
{
	uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[0], &g->outside, NULL);
	g->udev = uio_dmabuf_test_grouped_device(test, &g->sibling);
	g->file = uio_dmabuf_test_open(test, g->udev);
	g->dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[1], &g->buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(g->file, g->dmabuf, 0, 0, &g->imp));
	KUNIT_ASSERT_TRUE(test, g->udev->dma_on);
}

/*
 * The grouped device's DMA was stopped with its import still mapped, then the
 * import let go; its file answers ENODEV and poll() says it is gone. The
 * fixture's device, outside the group, keeps its import and its DMA.
 */
static void uio_dmabuf_test_expect_grouped_revoked(struct kunit *test,
						   struct uio_dmabuf_test_grouped *g)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_FALSE(test, g->udev->dma_on);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	uio_dmabuf_test_expect_idle(test, g->buf);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(g->udev), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(g->file), UIO_DMABUF_TEST_POLLGONE);
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_import(g->file, g->dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_release_handle(test, g->file,
								      g->imp.handle));

	KUNIT_EXPECT_TRUE(test, ctx->udev->dma_on);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->outside->mapped), 1);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 1);
}

/*
 * A kernel driver binds to another device of the group: before the bus
 * notifier returns (and the driver probes), the device's DMA is stopped, then
 * its imports are unmapped and let go.
 */
static void uio_dmabuf_test_group_kernel_bind(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_grouped g;

	uio_dmabuf_test_grouped_import(test, &g);
	ctx->watch = g.buf;
	uio_dmabuf_test_kernel_binds(g.sibling);
	ctx->watch = NULL;	/* @g.buf goes before the devices */
	uio_dmabuf_test_expect_grouped_revoked(test, &g);
}

/*
 * A device joins the group: without a firmware range nothing changes; with
 * one, identity-mapped in the group's domain, the device is revoked as for a
 * kernel driver's bind, before the notifier returns.
 */
static void uio_dmabuf_test_group_add_direct(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_grouped g;

	uio_dmabuf_test_grouped_import(test, &g);
	kunit_activate_static_stub(test, uio_dmabuf_check_direct, uio_dmabuf_test_no_direct);
	uio_dmabuf_bus_notify(NULL, BUS_NOTIFY_ADD_DEVICE, g.sibling);
	KUNIT_EXPECT_TRUE(test, g.udev->dma_on);
	KUNIT_EXPECT_EQ(test, atomic_read(&g.buf->mapped), 1);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(g.file), 0);

	ctx->watch = g.buf;
	kunit_activate_static_stub(test, uio_dmabuf_check_direct, uio_dmabuf_test_direct);
	uio_dmabuf_bus_notify(NULL, BUS_NOTIFY_ADD_DEVICE, g.sibling);
	ctx->watch = NULL;	/* @g.buf goes before the devices */
	kunit_deactivate_static_stub(test, uio_dmabuf_check_direct);
	KUNIT_EXPECT_TRUE(test, g.udev->direct);
	uio_dmabuf_test_expect_grouped_revoked(test, &g);
}

/*
 * A device whose bus has no DMA switch (a platform device) shares its group
 * with no other: a device joining the group revokes its imports at once, and
 * the device is reset, which stops its engine, while they are still mapped;
 * also when an exporter had revoked one of them already, which turned the
 * device's DMA off in the books but cannot have stopped its engine.
 */
static void uio_dmabuf_test_noswitch_join(struct kunit *test, bool revoked_first)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct iommu_group *group = uio_dmabuf_test_group(test);
	struct device *dev = uio_dmabuf_test_kdev(test, "uio-dmabuf-test-noswitch");
	struct uio_dmabuf_test_buf *buf, *first;
	struct dma_buf *dmabuf, *revoked;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_file *file;
	struct uio_dmabuf_dev *udev;
	struct device *joiner;
	int resets;

	uio_dmabuf_test_join(test, group, dev);
	udev = uio_dmabuf_test_register(test, dev, 931, &uio_dmabuf_test_noswitch_ops, NULL);
	KUNIT_ASSERT_TRUE(test, udev->reset_works);
	file = uio_dmabuf_test_open(test, udev);
	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[1], &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(file, dmabuf, 0, 0, &imp));
	KUNIT_ASSERT_TRUE(test, udev->dma_on);
	if (revoked_first) {
		revoked = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &first);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(file, revoked, 0, 0, NULL));
		uio_dmabuf_test_invalidate(revoked, 0);
		KUNIT_ASSERT_FALSE(test, udev->dma_on);
	}
	resets = ctx->resets;

	joiner = uio_dmabuf_test_kdev(test, "uio-dmabuf-test-joiner");
	uio_dmabuf_test_join(test, group, joiner);
	ctx->watch = buf;
	uio_dmabuf_bus_notify(NULL, BUS_NOTIFY_ADD_DEVICE, joiner);
	ctx->watch = NULL;	/* @buf goes before the devices */
	KUNIT_EXPECT_EQ(test, ctx->resets, resets + 1);
	KUNIT_EXPECT_EQ(test, ctx->resets_mapped, 1);
	KUNIT_EXPECT_FALSE(test, udev->dma_on);
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(udev), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(file), UIO_DMABUF_TEST_POLLGONE);
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_release_handle(test, file, imp.handle));
}

static void uio_dmabuf_test_group_add_noswitch(struct kunit *test)
{
	uio_dmabuf_test_noswitch_join(test, false);
}

static void uio_dmabuf_test_group_add_noswitch_revoked(struct kunit *test)
{
	uio_dmabuf_test_noswitch_join(test, true);
}

/*
 * A static exporter's table: the revocation stops DMA and marks the handle
 * stale; the table is unmapped within the call, or, by a dma-buf core that
 * mapped it at attach and keeps it, at the detach, by RELEASE, which then
 * turns DMA on.
 */
static void uio_dmabuf_test_revoke_static_exporter(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;
	bool kept;

	dmabuf = uio_dmabuf_test_buffer(test, &uio_dmabuf_test_layouts[1],
					&uio_dmabuf_test_static_ops, &buf);
	kept = uio_dmabuf_test_core_maps_at_attach(test, dmabuf, buf);
	kunit_info(test, "the dma-buf core %s", kept ? "maps at attach and keeps the table" :
		   "maps when the importer does");
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 1);
	uio_dmabuf_test_invalidate(dmabuf, 0);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), kept ? 1 : 0);
	KUNIT_EXPECT_EQ(test, -ESTALE, uio_dmabuf_test_get_all(test, imp.handle, NULL, 0, &gs));

	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_release_handle(test, ctx->file, imp.handle));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 0);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_empty(test, buf);
}

/*
 * An exporter that moves the buffer while the importer maps it, before the
 * table is returned: the table is the new one, and the import is not revoked.
 */
static void uio_dmabuf_test_move_while_mapping(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[3];
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_new(test, l, &buf);
	buf->invalidate_in_map = true;
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 1);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_segments(test, imp.handle, l);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), 0);
}

struct uio_dmabuf_test_revoker {
	struct dma_buf *dmabuf;
	struct task_struct *task;
	unsigned int rounds;
};

static int uio_dmabuf_test_revoker_fn(void *data)
{
	struct uio_dmabuf_test_revoker *r = data;

	while (!kthread_should_stop()) {
		uio_dmabuf_test_invalidate(r->dmabuf, 0);
		r->rounds++;
		usleep_range(20, 50);
	}
	return 0;
}

/* Stops the revoker, also when the case ends early. */
static void uio_dmabuf_test_revoker_stop(void *data)
{
	struct uio_dmabuf_test_revoker *r = data;

	kthread_stop(r->task);
	put_task_struct(r->task);
}

/* Rounds of the race at least, and at most while no handle was found revoked. */
#define UIO_DMABUF_TEST_RACE_ROUNDS	2000
#define UIO_DMABUF_TEST_RACE_MAX_ROUNDS	20000

/*
 * An exporter that keeps moving a buffer while it is imported, used and
 * released over and over: every call ends in success or ESTALE (an import
 * revoked before it was published, a handle revoked before its use), nothing
 * is left behind, and DMA is on at the end. The race runs until a handle was
 * found revoked between its import and its use, which it must be within the
 * most rounds, so that the case proves that path whatever the timing. Lockdep
 * checks the lock order of the exporter's reservation lock and the device lock
 * on the way.
 */
static void uio_dmabuf_test_revoke_race(struct kunit *test)
{
	const struct uio_dmabuf_test_layout *l = &uio_dmabuf_test_layouts[1];
	unsigned int imported = 0, unpublished = 0, stale = 0, i;
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_get_segments gs;
	struct uio_dmabuf_test_revoker *r;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	long ret;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->dmabuf = uio_dmabuf_test_new(test, l, &buf);
	r->task = kthread_run(uio_dmabuf_test_revoker_fn, r, "uio_dmabuf_revoker");
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->task));
	get_task_struct(r->task);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_revoker_stop, r));
	for (i = 0; i < UIO_DMABUF_TEST_RACE_MAX_ROUNDS &&
	     (i < UIO_DMABUF_TEST_RACE_ROUNDS || !stale); i++) {
		ret = uio_dmabuf_test_import(ctx->file, r->dmabuf, 0, 0, &imp);
		if (ret == -ESTALE) {
			unpublished++;
			continue;
		}
		KUNIT_ASSERT_EQ(test, ret, 0);
		imported++;
		/* Room for the revoker, even on one CPU without preemption. */
		usleep_range(10, 20);
		ret = uio_dmabuf_test_get_all(test, imp.handle, NULL, 0, &gs);
		KUNIT_EXPECT_TRUE(test, ret == 0 || ret == -ESTALE);
		stale += ret == -ESTALE;
		ret = uio_dmabuf_test_release_handle(test, ctx->file, imp.handle);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	kunit_release_action(test, uio_dmabuf_test_revoker_stop, r);
	kunit_info(test, "%u imports (%u found revoked), %u revoked before publication, %u revocations\n",
		   imported, stale, unpublished, r->rounds);
	KUNIT_EXPECT_GT(test, stale, 0);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_revoked, 0);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_empty(test, buf);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_poll(ctx->file), 0);
}

static struct kunit_case uio_dmabuf_revoke_cases[] = {
	KUNIT_CASE(uio_dmabuf_test_revoke_in_use),
	KUNIT_CASE(uio_dmabuf_test_revoke_one_of_two),
	KUNIT_CASE(uio_dmabuf_test_revoke_twice),
	KUNIT_CASE(uio_dmabuf_test_revoke_then_close),
	KUNIT_CASE(uio_dmabuf_test_revoke_then_unbind),
	KUNIT_CASE(uio_dmabuf_test_revoke_then_isolation_loss),
	KUNIT_CASE(uio_dmabuf_test_group_kernel_bind),
	KUNIT_CASE(uio_dmabuf_test_group_add_direct),
	KUNIT_CASE(uio_dmabuf_test_group_add_noswitch),
	KUNIT_CASE(uio_dmabuf_test_group_add_noswitch_revoked),
	KUNIT_CASE(uio_dmabuf_test_revoke_static_exporter),
	KUNIT_CASE(uio_dmabuf_test_move_while_mapping),
	KUNIT_CASE_SLOW(uio_dmabuf_test_revoke_race),
	{}
};

static struct kunit_suite uio_dmabuf_revoke_suite = {
	.name = "uio_dmabuf_revoke",
	.init = uio_dmabuf_test_init,
	.test_cases = uio_dmabuf_revoke_cases,
};

kunit_test_suite(uio_dmabuf_revoke_suite);
