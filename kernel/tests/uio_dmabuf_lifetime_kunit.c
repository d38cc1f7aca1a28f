// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite uio_dmabuf_lifetime.
 *
 * Teardown: close, unbind and revocation release every import with DMA stopped
 * first; exporter failures leave nothing behind; the isolation rule at open;
 * what the bind changes on the device and gives back at unbind.
 */

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/ioport.h>
#include <linux/platform_device.h>
#include <linux/uio_driver.h>

#include "uio_dmabuf_kunit.h"

/* Closing the file releases every import: unmapped, unpinned, detached, uncharged. */
static void uio_dmabuf_test_release_on_close(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *file = uio_dmabuf_test_open(test, ctx->udev);
	struct uio_dmabuf_test_buf *buf[3];
	struct dma_buf *dmabuf;
	int i;

	for (i = 0; i < ARRAY_SIZE(buf); i++) {
		dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[i], &buf[i]);
		KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(file, dmabuf, i % 3, 0, NULL));
		/* Ours, and the map's own when the core lacks move_notify support. */
		KUNIT_EXPECT_GT(test, atomic_read(&buf[i]->pinned), 0);
	}
	KUNIT_EXPECT_GT(test, uio_dmabuf_test_charged(test), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 3);

	uio_dmabuf_test_close(test, file);
	for (i = 0; i < ARRAY_SIZE(buf); i++)
		uio_dmabuf_test_expect_idle(test, buf[i]);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
}

/* DMA is on while a file is open and stopped, before any unmap, at the last close. */
static void uio_dmabuf_test_dma_enable(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *second;
	struct uio_dmabuf_test_buf *buf;

	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	second = uio_dmabuf_test_open(test, ctx->udev);
	uio_dmabuf_test_imported(test, &uio_dmabuf_test_layouts[0], &buf, NULL);
	ctx->watch = buf;

	uio_dmabuf_test_close(test, second);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_close(test, ctx->file);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	uio_dmabuf_test_expect_idle(test, buf);
	ctx->watch = NULL;
}

/*
 * A file opened read-only only reads: it does not turn DMA on, and the last
 * writable file's close stops DMA while it stays open.
 */
static void uio_dmabuf_test_read_only_file(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_info info;
	struct uio_dmabuf_file *ro;

	uio_dmabuf_test_close(test, ctx->file);
	KUNIT_ASSERT_FALSE(test, ctx->dma_enabled);
	ro = uio_dmabuf_test_open_mode(test, ctx->udev, false);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_active, 0);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ro, UIO_DMABUF_IOC_INFO, &info,
						       sizeof(info)));
	ctx->file = uio_dmabuf_test_open(test, ctx->udev);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_close(test, ctx->file);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	uio_dmabuf_test_close(test, ro);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_active, 0);
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

	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[2], &buf);
	dmabuf2 = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &later);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	ctx->watch = buf;

	kunit_release_action(test, uio_dmabuf_test_unregister_action, ctx->udev);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);

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
	KUNIT_EXPECT_TRUE(test, IS_ERR(uio_dmabuf_file_open(ctx->udev, true)));
	ctx->watch = NULL;
	/* Closing the file still works: the fixture's action does it. */
}

/* A table one page short of its buffer. */
static const struct uio_dmabuf_test_layout uio_dmabuf_test_short = {
	.name = "short",
	.size = 3 * SZ_4K,
	.ents = { { 0x10000, SZ_4K }, { 0x30000, SZ_4K } }, .nr_ents = 2,
};

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

	dmabuf = uio_dmabuf_test_new(test, f->short_table ? &uio_dmabuf_test_short :
					&uio_dmabuf_test_layouts[1], &buf);
	buf->attach_error = f->attach_error;
	buf->pin_error = f->pin_error;
	buf->map_error = f->map_error;
	KUNIT_EXPECT_EQ(test, f->expected, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_EQ(test, imp.handle, 0);
	uio_dmabuf_test_expect_empty(test, buf);
	uio_dmabuf_test_expect_unheld(test, dmabuf);

	/* The failure left no trace: the same buffer imports once repaired. */
	buf->attach_error = 0;
	buf->pin_error = 0;
	buf->map_error = 0;
	if (!f->short_table)
		KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
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
		dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[i], &bufs[i]);
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
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
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
	file = uio_dmabuf_file_open(ctx->udev, true);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(file), -EPERM);
	if (!IS_ERR(file))
		uio_dmabuf_file_release(file);
	KUNIT_EXPECT_EQ(test, ctx->udev->nr_active, 1);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
}

/* What the IOMMU domain of uio_dmabuf_test_translated()'s device gives. */
static u32 uio_dmabuf_test_domain_flags;

/* uio_dmabuf_domain_conditions() for a device behind an IOMMU. */
static u32 uio_dmabuf_test_domain(struct uio_dmabuf_dev *udev, bool msi)
{
	return uio_dmabuf_test_domain_flags & ~(msi ? 0 : UIO_DMABUF_INFO_MSI_ISOLATED);
}

/* A driver doing DMA of its own, and one that manages DMA itself (as vfio-pci). */
static struct platform_driver uio_dmabuf_test_dma_driver = {
	.driver.name = "uio-dmabuf-test-dma",
};

static struct platform_driver uio_dmabuf_test_managed_driver = {
	.driver.name = "uio-dmabuf-test-managed",
	.driver_managed_dma = true,
};

static void uio_dmabuf_test_unregister_pdev(void *pdev)
{
	platform_device_unregister(pdev);
}

/*
 * The sibling's driver as a bind sets it, under the device lock; the driver is
 * not registered, and no bus code runs while it is set.
 */
static void uio_dmabuf_test_set_driver(struct device *dev, struct platform_driver *drv)
{
	device_lock(dev);
	WRITE_ONCE(dev->driver, drv ? &drv->driver : NULL);
	device_unlock(dev);
}

static void uio_dmabuf_test_no_driver(void *dev)
{
	uio_dmabuf_test_set_driver(dev, NULL);
}

/*
 * A device behind an IOMMU that gives every condition (a strict domain, MSI
 * isolation: a static stub stands in for the domain, see
 * uio_dmabuf_test_domain_flags), no firmware range, a reset (its calls counted
 * into the case's context); in its IOMMU group a platform device without a
 * driver, whose dev->driver the case may set.
 */
static struct uio_dmabuf_dev *uio_dmabuf_test_translated(struct kunit *test,
							 struct platform_device **sibling)
{
	struct iommu_group *group = uio_dmabuf_test_group(test);
	struct device *dev = uio_dmabuf_test_kdev(test, "uio-dmabuf-test-translated");
	struct platform_device *pdev;

	uio_dmabuf_test_join(test, group, dev);
	pdev = platform_device_register_simple("uio-dmabuf-test-sibling", PLATFORM_DEVID_AUTO,
					       NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_unregister_pdev,
							   pdev));
	uio_dmabuf_test_join(test, group, &pdev->dev);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_no_driver,
							   &pdev->dev));
	*sibling = pdev;
	uio_dmabuf_test_domain_flags = UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT |
				       UIO_DMABUF_INFO_MSI_ISOLATED;
	kunit_activate_static_stub(test, uio_dmabuf_domain_conditions, uio_dmabuf_test_domain);
	kunit_activate_static_stub(test, uio_dmabuf_check_direct, uio_dmabuf_test_no_direct);
	return uio_dmabuf_test_register(test, dev, 952, &uio_dmabuf_test_reset_ops, NULL);
}

/*
 * Behind an IOMMU a device is isolated only when every condition holds, and
 * each one missing is reported alone: a strict domain; no group sibling whose
 * driver does DMA of its own (none, or one that manages DMA itself, is fine),
 * which is named; MSI isolation; no firmware range; a reset.
 */
static void uio_dmabuf_test_isolation_conditions(struct kunit *test)
{
	const u32 all = UIO_DMABUF_INFO_CONDITIONS;
	struct platform_device *sibling;
	struct uio_dmabuf_dev *udev;
	struct device *culprit;

	udev = uio_dmabuf_test_translated(test, &sibling);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, &culprit),
			all | UIO_DMABUF_INFO_ISOLATED);
	KUNIT_EXPECT_NULL(test, culprit);
	put_device(culprit);

	uio_dmabuf_test_domain_flags = 0;
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), UIO_DMABUF_INFO_RESET);
	uio_dmabuf_test_domain_flags = UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_MSI_ISOLATED;
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), all & ~UIO_DMABUF_INFO_STRICT);
	uio_dmabuf_test_domain_flags = UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT;
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL),
			all & ~UIO_DMABUF_INFO_MSI_ISOLATED);
	uio_dmabuf_test_domain_flags |= UIO_DMABUF_INFO_MSI_ISOLATED;

	uio_dmabuf_test_set_driver(&sibling->dev, &uio_dmabuf_test_managed_driver);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, &culprit),
			all | UIO_DMABUF_INFO_ISOLATED);
	KUNIT_EXPECT_NULL(test, culprit);
	put_device(culprit);
	uio_dmabuf_test_set_driver(&sibling->dev, &uio_dmabuf_test_dma_driver);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, &culprit), all & ~UIO_DMABUF_INFO_VIABLE);
	KUNIT_EXPECT_PTR_EQ(test, culprit, &sibling->dev);
	put_device(culprit);
	uio_dmabuf_test_set_driver(&sibling->dev, NULL);

	udev->direct = true;
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), all & ~UIO_DMABUF_INFO_NO_DIRECT);
	udev->direct = false;
	udev->reset_works = false;
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), all & ~UIO_DMABUF_INFO_RESET);
	udev->reset_works = true;
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), all | UIO_DMABUF_INFO_ISOLATED);
}

/*
 * Behind an IOMMU, without uio_dmabuf.allow_unsafe_noiommu: a lazy domain
 * refuses the open, a strict one admits it; a domain that turns lazy under
 * the open file (sysfs allows it and tells no one) revokes the device at the
 * file's next ioctl: DMA stopped before anything is unmapped, ENODEV.
 */
static void uio_dmabuf_test_isolated_open(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct platform_device *sibling;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_import imp;
	struct uio_dmabuf_file *file;
	struct uio_dmabuf_dev *udev;
	struct dma_buf *dmabuf;

	/* ctx's hooks follow this device from here: the fixture's device is idle. */
	uio_dmabuf_test_close(test, ctx->file);
	udev = uio_dmabuf_test_translated(test, &sibling);
	uio_dmabuf_allow_unsafe = false;
	uio_dmabuf_test_domain_flags = UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_MSI_ISOLATED;
	file = uio_dmabuf_file_open(udev, true);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(file), -EPERM);
	if (!IS_ERR(file))
		uio_dmabuf_file_release(file);

	uio_dmabuf_test_domain_flags |= UIO_DMABUF_INFO_STRICT;
	file = uio_dmabuf_test_open(test, udev);
	KUNIT_EXPECT_TRUE(test, file->isolated);
	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(file, dmabuf, 0, 0, &imp));
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);

	ctx->watch = buf;
	uio_dmabuf_test_domain_flags &= ~UIO_DMABUF_INFO_STRICT;
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_release_handle(test, file, imp.handle), -ENODEV);
	ctx->watch = NULL;
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	KUNIT_EXPECT_TRUE(test, file->revoked);
	uio_dmabuf_test_expect_idle(test, buf);
}

/*
 * Only this module's own drivers count as ours: a driver of another bus that
 * has our name does DMA of its own, as any driver does; no driver, none.
 */
static void uio_dmabuf_test_ours_by_identity(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct device_driver impostor = { .name = UIO_DMABUF_DRIVER_NAME };
	struct device_driver *ours;

	KUNIT_EXPECT_TRUE(test, uio_dmabuf_kernel_dma(ctx->udev->dev, &impostor));
	KUNIT_EXPECT_FALSE(test, uio_dmabuf_kernel_dma(ctx->udev->dev, NULL));
	ours = driver_find(UIO_DMABUF_DRIVER_NAME, &platform_bus_type);
	KUNIT_ASSERT_NOT_NULL(test, ours);
	KUNIT_EXPECT_FALSE(test, uio_dmabuf_kernel_dma(ctx->udev->dev, ours));
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
	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[2], &buf);
	dmabuf2 = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf2);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(ctx->file, dmabuf, 0, 0, NULL));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(second, dmabuf2, 0, 0, NULL));
	ctx->watch = buf;

	uio_dmabuf_revoke(ctx->udev);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, ctx->mapped_when_dma_stopped, 1);
	uio_dmabuf_test_expect_idle(test, buf);
	uio_dmabuf_test_expect_idle(test, buf2);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_INFO,
							     &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_import(second, dmabuf, 0, 0, NULL));
	ctx->watch = NULL;

	later = uio_dmabuf_test_open(test, ctx->udev);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(later, dmabuf, 0, 0, NULL));
	/* Closing a revoked file does not stop the DMA of the live one. */
	uio_dmabuf_test_close(test, second);
	KUNIT_EXPECT_TRUE(test, ctx->dma_enabled);
	uio_dmabuf_test_close(test, later);
	KUNIT_EXPECT_FALSE(test, ctx->dma_enabled);
	uio_dmabuf_test_expect_idle(test, buf);
}

/* The bind changes the device's DMA masks and max segment size; unbind undoes it. */
static void uio_dmabuf_test_restore_dma(struct kunit *test)
{
	struct device_dma_parameters *parms;
	struct uio_dmabuf_dev *udev;
	struct device *dev;

	dev = uio_dmabuf_test_kdev(test, "uio-dmabuf-test-restore");
	parms = kunit_kzalloc(test, sizeof(*parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, parms);
	dev->dma_parms = parms;
	KUNIT_ASSERT_EQ(test, 0, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(40)));
	parms->max_segment_size = SZ_64K;

	udev = uio_dmabuf_register(dev, 950, &uio_dmabuf_test_bus_ops, test->priv, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, udev);
	KUNIT_EXPECT_EQ(test, *dev->dma_mask, DMA_BIT_MASK(32));
	KUNIT_EXPECT_EQ(test, dma_get_max_seg_size(dev), UINT_MAX & PAGE_MASK);

	uio_dmabuf_unregister(udev);
	KUNIT_EXPECT_EQ(test, *dev->dma_mask, DMA_BIT_MASK(40));
	KUNIT_EXPECT_EQ(test, dev->coherent_dma_mask, DMA_BIT_MASK(40));
	KUNIT_EXPECT_EQ(test, dma_get_max_seg_size(dev), SZ_64K);
}

/* A device registered with uio_dmabuf_test_reset_ops, unregistered when the case ends. */
static struct uio_dmabuf_dev *uio_dmabuf_test_reset_device(struct kunit *test, const char *name)
{
	return uio_dmabuf_test_register(test, uio_dmabuf_test_kdev(test, name), 951,
					&uio_dmabuf_test_reset_ops, NULL);
}

/*
 * Reset between users: once at bind, which makes RESET one of the isolation
 * flags; when the last writable file closes (not a read-only one, not while
 * another writer is open), with DMA already stopped and its imports
 * unmapped; a reset that failed is retried by the next writable open, which
 * fails with EAGAIN while it keeps failing; once more at unbind, with the
 * device lock, and not again.
 */
static void uio_dmabuf_test_reset_between_users(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *a, *b, *ro;
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_dev *udev;
	struct dma_buf *dmabuf;

	/* ctx's hooks follow this device from here: the fixture's device is idle. */
	uio_dmabuf_test_close(test, ctx->file);
	KUNIT_ASSERT_FALSE(test, ctx->dma_enabled);
	udev = uio_dmabuf_test_reset_device(test, "uio-dmabuf-test-reset");
	KUNIT_EXPECT_EQ(test, ctx->resets, 1);
	KUNIT_EXPECT_EQ(test, ctx->resets_locked, 1);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), UIO_DMABUF_INFO_RESET);

	a = uio_dmabuf_test_open_mode(test, udev, true);
	b = uio_dmabuf_test_open_mode(test, udev, true);
	ro = uio_dmabuf_test_open_mode(test, udev, false);
	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(b, dmabuf, 0, 0, NULL));
	ctx->watch = buf;
	uio_dmabuf_test_close(test, a);
	KUNIT_EXPECT_EQ(test, ctx->resets, 1);
	uio_dmabuf_test_close(test, b);
	KUNIT_EXPECT_EQ(test, ctx->resets, 2);
	KUNIT_EXPECT_EQ(test, ctx->resets_with_dma, 0);
	KUNIT_EXPECT_EQ(test, ctx->resets_mapped, 0);
	ctx->watch = NULL;
	uio_dmabuf_test_close(test, ro);
	KUNIT_EXPECT_EQ(test, ctx->resets, 2);

	/* The device lock was busy: the next writable open retries. */
	ctx->reset_ret = -EAGAIN;
	a = uio_dmabuf_test_open_mode(test, udev, true);
	uio_dmabuf_test_close(test, a);
	KUNIT_EXPECT_EQ(test, ctx->resets, 3);
	a = uio_dmabuf_file_open(udev, true);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(a), -EAGAIN);
	if (!IS_ERR(a))
		uio_dmabuf_file_release(a);
	KUNIT_EXPECT_EQ(test, ctx->resets, 4);
	ro = uio_dmabuf_test_open_mode(test, udev, false);
	uio_dmabuf_test_close(test, ro);
	KUNIT_EXPECT_EQ(test, ctx->resets, 4);
	ctx->reset_ret = 0;
	a = uio_dmabuf_test_open_mode(test, udev, true);
	KUNIT_EXPECT_EQ(test, ctx->resets, 5);

	/* Unbind with a file open: reset once, with the device lock held. */
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation_now(udev), UIO_DMABUF_INFO_RESET);
	uio_dmabuf_disconnect(udev);
	/* sysfs, until devres removes it, reads no domain of an unbound device. */
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation_now(udev), 0);
	KUNIT_EXPECT_EQ(test, ctx->resets, 6);
	KUNIT_EXPECT_EQ(test, ctx->resets_locked, 2);
	KUNIT_EXPECT_EQ(test, ctx->resets_with_dma, 0);
	uio_dmabuf_test_close(test, a);
	kunit_release_action(test, uio_dmabuf_test_unregister_action, udev);
	KUNIT_EXPECT_EQ(test, ctx->resets, 6);
}

/*
 * A reset that found a lock busy at bind keeps the device resettable and is
 * retried by the first writable open; a reset that stops working (-ENOTTY:
 * a function joined the bus) ends isolation, and opens are judged without it.
 */
static void uio_dmabuf_test_reset_later(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *file;
	struct uio_dmabuf_dev *udev;

	ctx->reset_ret = -EAGAIN;
	udev = uio_dmabuf_test_reset_device(test, "uio-dmabuf-test-reset-later");
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), UIO_DMABUF_INFO_RESET);
	ctx->reset_ret = 0;
	file = uio_dmabuf_test_open_mode(test, udev, true);
	KUNIT_EXPECT_EQ(test, ctx->resets, 2);
	ctx->reset_ret = -ENOTTY;
	uio_dmabuf_test_close(test, file);
	KUNIT_EXPECT_EQ(test, ctx->resets, 3);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), 0);
	file = uio_dmabuf_test_open_mode(test, udev, true);
	uio_dmabuf_test_close(test, file);
	KUNIT_EXPECT_EQ(test, ctx->resets, 3);
}

/* A device whose reset does not work at bind is never reset, nor isolated. */
static void uio_dmabuf_test_no_reset(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_file *file;
	struct uio_dmabuf_dev *udev;

	ctx->reset_ret = -ENOTTY;
	udev = uio_dmabuf_test_reset_device(test, "uio-dmabuf-test-noreset");
	KUNIT_EXPECT_EQ(test, uio_dmabuf_isolation(udev, NULL), 0);
	file = uio_dmabuf_test_open_mode(test, udev, true);
	uio_dmabuf_test_close(test, file);
	kunit_release_action(test, uio_dmabuf_test_unregister_action, udev);
	KUNIT_EXPECT_EQ(test, ctx->resets, 1);
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

static struct kunit_case uio_dmabuf_lifetime_cases[] = {
	KUNIT_CASE(uio_dmabuf_test_release_on_close),
	KUNIT_CASE(uio_dmabuf_test_dma_enable),
	KUNIT_CASE(uio_dmabuf_test_read_only_file),
	KUNIT_CASE(uio_dmabuf_test_revoke_on_unbind),
	KUNIT_CASE(uio_dmabuf_test_revoke_all_files),
	KUNIT_CASE_PARAM(uio_dmabuf_test_exporter_fault, uio_dmabuf_test_fault_gen_params),
	KUNIT_CASE(uio_dmabuf_test_open_not_isolated),
	KUNIT_CASE(uio_dmabuf_test_isolation_conditions),
	KUNIT_CASE(uio_dmabuf_test_isolated_open),
	KUNIT_CASE(uio_dmabuf_test_ours_by_identity),
	KUNIT_CASE(uio_dmabuf_test_revoke),
	KUNIT_CASE(uio_dmabuf_test_restore_dma),
	KUNIT_CASE(uio_dmabuf_test_reset_between_users),
	KUNIT_CASE(uio_dmabuf_test_reset_later),
	KUNIT_CASE(uio_dmabuf_test_no_reset),
	KUNIT_CASE(uio_dmabuf_test_fill_mem),
	{}
};

static struct kunit_suite uio_dmabuf_lifetime_suite = {
	.name = "uio_dmabuf_lifetime",
	.init = uio_dmabuf_test_init,
	.test_cases = uio_dmabuf_lifetime_cases,
};

kunit_test_suite(uio_dmabuf_lifetime_suite);
