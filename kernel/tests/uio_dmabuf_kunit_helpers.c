// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture of the uio_dmabuf KUnit suites: a registered KUnit device with
 * one open file per case, and ioctl helpers. See uio_dmabuf_kunit.h.
 */

#include <kunit/device.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/mman.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uio_dmabuf_kunit.h"

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

static int uio_dmabuf_test_reset(void *priv, bool locked)
{
	struct uio_dmabuf_test_ctx *ctx = priv;

	ctx->resets++;
	ctx->resets_locked += locked;
	ctx->resets_with_dma += ctx->dma_enabled;
	ctx->resets_mapped += ctx->watch && atomic_read(&ctx->watch->mapped);
	return ctx->reset_ret;
}

/* The fixture's hooks and a reset that counts its calls into the context. */
const struct uio_dmabuf_bus_ops uio_dmabuf_test_reset_ops = {
	.set_dma_enabled = uio_dmabuf_test_set_dma_enabled,
	.reset = uio_dmabuf_test_reset,
};

/* The reset alone: a device whose bus has no DMA switch, as a platform device. */
const struct uio_dmabuf_bus_ops uio_dmabuf_test_noswitch_ops = {
	.reset = uio_dmabuf_test_reset,
};

/* The actions below run when the case ends, or early with kunit_release_action(). */
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

/**
 * uio_dmabuf_test_imported() - uio_dmabuf_test_new(), imported into the fixture's file
 * @test:   the case
 * @layout: the table it maps to
 * @bufp:   receives the exporter's counters
 * @imp:    receives IMPORT's results (direction and flags 0), or NULL
 *
 * Return: the dma-buf; the case fails when the import does.
 */
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

/**
 * uio_dmabuf_test_kdev() - a KUnit device that can do DMA, not yet registered
 * @test: the case
 * @name: its name
 *
 * Return: the device, gone when the case ends.
 */
struct device *uio_dmabuf_test_kdev(struct kunit *test, const char *name)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	dev->dma_mask = &dev->coherent_dma_mask;
	return dev;
}

static void uio_dmabuf_test_group_put(void *group)
{
	iommu_group_put(group);
}

/**
 * uio_dmabuf_test_group() - an IOMMU group with no IOMMU behind it
 * @test: the case
 *
 * As VFIO's no-IOMMU groups are: devices join it, it has no domain. The case
 * is skipped on a kernel without the IOMMU API.
 *
 * Return: the group, put when the case ends, after its members have left.
 */
struct iommu_group *uio_dmabuf_test_group(struct kunit *test)
{
	struct iommu_group *group = iommu_group_alloc();

	if (IS_ERR(group) && PTR_ERR(group) == -ENODEV)
		kunit_skip(test, "no IOMMU API");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, group);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_group_put,
							   group));
	return group;
}

static void uio_dmabuf_test_group_leave(void *dev)
{
	iommu_group_remove_device(dev);
}

/**
 * uio_dmabuf_test_join() - @dev joins @group, and leaves it when the case ends
 * @test:  the case
 * @group: from uio_dmabuf_test_group()
 * @dev:   a KUnit device, not yet registered with uio_dmabuf (which looks its
 *         group up at registration)
 */
void uio_dmabuf_test_join(struct kunit *test, struct iommu_group *group, struct device *dev)
{
	KUNIT_ASSERT_EQ(test, 0, iommu_group_add_device(group, dev));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_group_leave,
							   dev));
}

/**
 * uio_dmabuf_test_register() - uio_dmabuf_register() of @dev, undone when the case ends
 * @test:  the case
 * @dev:   the device, from uio_dmabuf_test_kdev()
 * @index: its UIO index
 * @ops:   its bus ops; their hooks record into the case's context
 * @irqs:  its interrupts, or NULL
 *
 * Return: the device, unregistered when the case ends (or by
 * kunit_release_action()); the case fails if the registration does.
 */
struct uio_dmabuf_dev *uio_dmabuf_test_register(struct kunit *test, struct device *dev, int index,
						const struct uio_dmabuf_bus_ops *ops,
						const struct uio_dmabuf_irqs *irqs)
{
	struct uio_dmabuf_dev *udev = uio_dmabuf_register(dev, index, ops, test->priv, irqs);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, udev);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_unregister_action,
							   udev));
	return udev;
}

/**
 * uio_dmabuf_test_device() - a KUnit device registered with uio_dmabuf
 * @test: the case
 * @n:    tells devices apart: device uio-dmabuf-test@n, UIO index 900 + @n
 *
 * It has the DMA parameters PCI gives a device (64 KiB segments, a 4 GiB
 * boundary); its set_dma_enabled hook records into the case's context.
 *
 * Return: the device, unregistered when the case ends.
 */
struct uio_dmabuf_dev *uio_dmabuf_test_device(struct kunit *test, int n)
{
	struct device_dma_parameters *parms;
	struct device *dev;
	char name[32];

	snprintf(name, sizeof(name), "uio-dmabuf-test%d", n);
	dev = uio_dmabuf_test_kdev(test, name);
	/* As PCI sets them up: a 4 GiB segment boundary, 64 KiB segments. */
	parms = kunit_kzalloc(test, sizeof(*parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, parms);
	parms->max_segment_size = SZ_64K;
	parms->segment_boundary_mask = 0xffffffff;
	dev->dma_parms = parms;
	return uio_dmabuf_test_register(test, dev, 900 + n, &uio_dmabuf_test_bus_ops, NULL);
}

/**
 * uio_dmabuf_test_grouped_device() - a registered device sharing a group with another
 * @test:  the case
 * @other: receives the other device, a KUnit device
 *
 * Both are members of a group of uio_dmabuf_test_group(); the registered one
 * has the hooks of uio_dmabuf_test_bus_ops and UIO index 930.
 *
 * Return: the registered device, unregistered when the case ends.
 */
struct uio_dmabuf_dev *uio_dmabuf_test_grouped_device(struct kunit *test, struct device **other)
{
	struct iommu_group *group = uio_dmabuf_test_group(test);
	struct device *dev = uio_dmabuf_test_kdev(test, "uio-dmabuf-test-grouped");

	uio_dmabuf_test_join(test, group, dev);
	*other = uio_dmabuf_test_kdev(test, "uio-dmabuf-test-sibling");
	uio_dmabuf_test_join(test, group, *other);
	return uio_dmabuf_test_register(test, dev, 930, &uio_dmabuf_test_bus_ops, NULL);
}

static struct device_driver uio_dmabuf_test_kernel_driver = {
	.name = "uio-dmabuf-test-kernel-driver",
};

/**
 * uio_dmabuf_test_kernel_binds() - a kernel driver binds to @dev, as the bus notifier sees it
 * @dev: a device of uio_dmabuf_test_grouped_device()
 *
 * The driver core, holding the device's lock, sets dev->driver and calls the
 * bus's notifier chain with BUS_NOTIFY_BIND_DRIVER before the driver probes;
 * here the driver is one that does DMA of its own. It stands in for the KUnit
 * driver @dev is bound to only while the notifier runs.
 */
void uio_dmabuf_test_kernel_binds(struct device *dev)
{
	struct device_driver *bound;

	device_lock(dev);
	bound = dev->driver;
	WRITE_ONCE(dev->driver, &uio_dmabuf_test_kernel_driver);
	uio_dmabuf_bus_notify(NULL, BUS_NOTIFY_BIND_DRIVER, dev);
	WRITE_ONCE(dev->driver, bound);
	device_unlock(dev);
}

/**
 * uio_dmabuf_test_no_direct() - uio_dmabuf_check_direct() for a group without firmware ranges
 * @udev: the device
 *
 * A KUnit group has no IOMMU driver to report ranges; cases that call the bus
 * notifier stand this in (kunit_activate_static_stub()), as
 * uio_dmabuf_test_direct() for a group where a range appeared.
 */
void uio_dmabuf_test_no_direct(struct uio_dmabuf_dev *udev)
{
}

/**
 * uio_dmabuf_test_direct() - uio_dmabuf_check_direct() for a group with a firmware range
 * @udev: the device, which the range ends the isolation of
 */
void uio_dmabuf_test_direct(struct uio_dmabuf_dev *udev)
{
	udev->direct = true;
}

/* No IRQ is ever requested for it: only unbinding is asked of the vector. */
static int uio_dmabuf_test_vector_irq(void *priv, unsigned int vector)
{
	return 0;
}

/**
 * uio_dmabuf_test_vector_device() - a KUnit device with one MSI-X vector
 * @test: the case
 * @n:    tells devices apart, as for uio_dmabuf_test_device()
 *
 * Its vector has no IRQ behind it: a case may ask to unbind it (ENOENT) and
 * check the argument, never bind it.
 *
 * Return: the device, unregistered when the case ends.
 */
struct uio_dmabuf_dev *uio_dmabuf_test_vector_device(struct kunit *test, int n)
{
	static const struct uio_dmabuf_irqs irqs = {
		.mode = UIO_DMABUF_IRQ_MSIX,
		.nr_vectors = 1,
		.vector_irq = uio_dmabuf_test_vector_irq,
	};
	char name[32];

	snprintf(name, sizeof(name), "uio-dmabuf-test-msix%d", n);
	return uio_dmabuf_test_register(test, uio_dmabuf_test_kdev(test, name), 920 + n,
					&uio_dmabuf_test_bus_ops, &irqs);
}

/**
 * uio_dmabuf_test_open_mode() - open an import node's file, writable or not
 * @test:     the case
 * @udev:     the device
 * @writable: opened for writing (else read-only: INFO only)
 *
 * Return: the file, released when the case ends (or by uio_dmabuf_test_close()).
 */
struct uio_dmabuf_file *uio_dmabuf_test_open_mode(struct kunit *test,
						  struct uio_dmabuf_dev *udev, bool writable)
{
	struct uio_dmabuf_file *file = uio_dmabuf_file_open(udev, writable);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   uio_dmabuf_test_file_release_action,
							   file));
	return file;
}

/**
 * uio_dmabuf_test_open() - open an import node's file for writing
 * @test: the case
 * @udev: the device
 *
 * Return: the file, released when the case ends (or by uio_dmabuf_test_close()).
 */
struct uio_dmabuf_file *uio_dmabuf_test_open(struct kunit *test,
					     struct uio_dmabuf_dev *udev)
{
	return uio_dmabuf_test_open_mode(test, udev, true);
}

/* Release a file of uio_dmabuf_test_open() now, not when the case ends. */
void uio_dmabuf_test_close(struct kunit *test, struct uio_dmabuf_file *file)
{
	kunit_release_action(test, uio_dmabuf_test_file_release_action, file);
}

#define UIO_DMABUF_TEST_USER_PAGES	4

/**
 * uio_dmabuf_test_init() - the suites' init: the fixture of every case
 * @test: the case
 *
 * A registered device with one open file (DMA on), user memory for ioctl
 * arguments and segment arrays (which also gives the case an mm to charge),
 * and the module parameters restored when the case ends.
 *
 * Return: 0.
 */
int uio_dmabuf_test_init(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx;
	unsigned long addr;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;

	/* Gives this thread an mm: user memory for the ioctls' arguments. */
	addr = kunit_vm_mmap(test, NULL, 0, UIO_DMABUF_TEST_USER_PAGES * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_NOT_NULL(test, current->mm);
	ctx->uarg = (void __user *)addr;
	ctx->usegs = (void __user *)(addr + PAGE_SIZE);

	ctx->locked_vm = atomic_long_read(&current_user()->locked_vm);
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

/**
 * uio_dmabuf_test_ioctl() - one ioctl through the real handler
 * @test: the case
 * @file: the file it is made on
 * @cmd:  the ioctl number
 * @karg: the argument, copied to user memory and back
 * @size: its size
 *
 * Return: what the handler returned.
 */
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

/**
 * uio_dmabuf_test_import() - IMPORT, entered just past dma_buf_get()
 * @file:      the file
 * @dmabuf:    the buffer
 * @direction: UIO_DMABUF_DIR_*
 * @flags:     UIO_DMABUF_IMPORT_*
 * @out:       receives the argument as IMPORT left it, or NULL
 *
 * Return: 0 or the import's negative errno.
 */
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

/**
 * uio_dmabuf_test_release_handle() - RELEASE through the ioctl handler
 * @test:   the case
 * @file:   the file
 * @handle: the import's handle
 *
 * Return: 0 or a negative errno.
 */
long uio_dmabuf_test_release_handle(struct kunit *test, struct uio_dmabuf_file *file,
				    u32 handle)
{
	struct uio_dmabuf_release rel = { .handle = handle };

	return uio_dmabuf_test_ioctl(test, file, UIO_DMABUF_IOC_RELEASE, &rel, sizeof(rel));
}

/**
 * uio_dmabuf_test_expect_idle() - expect @buf unattached, unpinned, unmapped
 * @test: the case
 * @buf:  the exporter's counters
 */
void uio_dmabuf_test_expect_idle(struct kunit *test, struct uio_dmabuf_test_buf *buf)
{
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->attached), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->pinned), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->mapped), 0);
}

/**
 * uio_dmabuf_test_device_imports() - the imports a device holds
 * @udev: the device
 *
 * Return: the imports in its buffer index: live, or still mapping or unmapping.
 */
unsigned long uio_dmabuf_test_device_imports(struct uio_dmabuf_dev *udev)
{
	return uio_dmabuf_nr_buffers(udev);
}

/**
 * uio_dmabuf_test_expect_empty() - expect nothing of any import left
 * @test: the case
 * @buf:  the exporter's counters of the buffer imported last
 *
 * @buf idle, the fixture's file and device without imports, nothing charged.
 */
void uio_dmabuf_test_expect_empty(struct kunit *test, struct uio_dmabuf_test_buf *buf)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;

	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_TRUE(test, uio_dmabuf_test_no_handles(ctx->file));
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
}

/**
 * uio_dmabuf_test_expect_unheld() - only the case holds a buffer
 * @test:   the case
 * @dmabuf: a buffer the case made, with no import of it left
 *
 * An import that failed, or was released, put the reference it had taken.
 */
void uio_dmabuf_test_expect_unheld(struct kunit *test, struct dma_buf *dmabuf)
{
	KUNIT_EXPECT_EQ(test, (long)file_count(dmabuf->file), 1);
}

/**
 * uio_dmabuf_test_get_all() - the segments of @handle, with one GET_SEGMENTS
 * @test:   the case
 * @handle: the import on the fixture's file
 * @segs:   receives the segments
 * @cap:    room in @segs
 * @out:    receives the argument as GET_SEGMENTS left it
 *
 * Return: 0 or GET_SEGMENTS' negative errno.
 */
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

/**
 * uio_dmabuf_test_expect_segments() - expect @handle's segments to be @l's
 * @test:   the case
 * @handle: the import on the fixture's file
 * @l:      the layout it was made from
 *
 * GET_SEGMENTS reports @l's segments, merged, in buffer order.
 */
void uio_dmabuf_test_expect_segments(struct kunit *test, u32 handle,
				     const struct uio_dmabuf_test_layout *l)
{
	struct uio_dmabuf_segment segs[UIO_DMABUF_TEST_MAX_ENTS];
	struct uio_dmabuf_get_segments gs;
	int i;

	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_get_all(test, handle, segs,
							 UIO_DMABUF_TEST_MAX_ENTS, &gs));
	KUNIT_ASSERT_EQ(test, gs.count, l->nr_segs);
	KUNIT_EXPECT_EQ(test, gs.nr_segments, l->nr_segs);
	for (i = 0; i < l->nr_segs; i++) {
		KUNIT_EXPECT_EQ_MSG(test, segs[i].dma_addr, l->segs[i].dma_addr, "segment %d", i);
		KUNIT_EXPECT_EQ_MSG(test, segs[i].length, l->segs[i].length, "segment %d", i);
	}
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the uio_dmabuf import core");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_IMPORT_NS("DMA_BUF");

static void uio_dmabuf_test_probe_invalidate(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops uio_dmabuf_test_probe_ops = {
	.allow_peer2peer = true,
	.invalidate_mappings = uio_dmabuf_test_probe_invalidate,
};

/**
 * uio_dmabuf_test_charged() - pages charged to the case's user since it began
 * @test: the case
 *
 * Imports are charged to the importing user's locked_vm (this thread's user,
 * root), which other subsystems may charge too: the count is taken relative
 * to its value when the case began.
 *
 * Return: the growth of the user's locked_vm since uio_dmabuf_test_init().
 */
long uio_dmabuf_test_charged(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;

	return atomic_long_read(&current_user()->locked_vm) - ctx->locked_vm;
}

/**
 * uio_dmabuf_test_core_maps_at_attach() - whether the core maps at attach
 * @test:   the case
 * @dmabuf: a read-write buffer of the static test exporter
 * @buf:    its counters
 *
 * Whether the dma-buf core maps a static exporter's table when an importer
 * attaches dynamically, and keeps it until the detach (it did before 6.15):
 * seen on a probe attachment of @dmabuf.
 *
 * Return: true when it does.
 */
bool uio_dmabuf_test_core_maps_at_attach(struct kunit *test, struct dma_buf *dmabuf,
					 struct uio_dmabuf_test_buf *buf)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct dma_buf_attachment *attach;
	int before = atomic_read(&buf->mapped);
	bool maps;

	attach = dma_buf_dynamic_attach(dmabuf, ctx->udev->dev, &uio_dmabuf_test_probe_ops,
					NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	maps = atomic_read(&buf->mapped) > before;
	dma_buf_detach(dmabuf, attach);
	KUNIT_ASSERT_EQ(test, atomic_read(&buf->mapped), before);
	return maps;
}
