/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Out-of-tree builds only: kernel/Kbuild force-includes this header into every
 * file of the module. The sources use the spellings of mainline; this maps
 * them back for the older kernels uio_dmabuf builds against (6.1 to 6.12).
 * Kbuild tests the headers and defines the UIO_DMABUF_COMPAT_* symbols; no
 * version numbers are compared. None of this is part of the kernel series.
 */
#ifndef _UIO_DMABUF_COMPAT_H
#define _UIO_DMABUF_COMPAT_H

/*
 * Up to 6.12 MODULE_IMPORT_NS() takes a bare identifier and stringifies it;
 * from 6.13 on it takes the string literal the sources pass.
 */
#ifdef UIO_DMABUF_COMPAT_IMPORT_NS_IDENT
#include <linux/module.h>
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)
#endif

/*
 * Before 6.2: iommu_group_has_isolated_msi() did not exist; MSI writes were
 * isolated when the irq domains remap them or every device of the group has an
 * IOMMU with interrupt remapping, which is what 6.2 folded into it.
 */
#ifdef UIO_DMABUF_COMPAT_ISOLATED_MSI
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/irqdomain.h>

static inline int uio_dmabuf_compat_no_intr_remap(struct device *dev, void *data)
{
	return !device_iommu_capable(dev, IOMMU_CAP_INTR_REMAP);
}

static inline bool iommu_group_has_isolated_msi(struct iommu_group *group)
{
	return irq_domain_check_msi_remap() ||
	       !iommu_group_for_each_dev(group, NULL, uio_dmabuf_compat_no_intr_remap);
}
#endif

/* Before 6.2 sg_dma_is_bus_address() was spelt sg_is_dma_bus_address(). */
#ifdef UIO_DMABUF_COMPAT_SG_IS_DMA_BUS_ADDRESS
#include <linux/scatterlist.h>
#define sg_dma_is_bus_address(sg)	sg_is_dma_bus_address(sg)
#endif

/*
 * Up to 6.12 at least sg_next() is a function call (7.x has it inline), which
 * the segment walk would make once per table entry: the same code, inline.
 */
#ifdef UIO_DMABUF_COMPAT_SG_NEXT_CALL
#include <linux/scatterlist.h>
static inline struct scatterlist *uio_dmabuf_compat_sg_next(struct scatterlist *sg)
{
	if (sg_is_last(sg))
		return NULL;
	sg++;
	if (unlikely(sg_is_chain(sg)))
		sg = sg_chain_ptr(sg);
	return sg;
}

#define sg_next(sg)	uio_dmabuf_compat_sg_next(sg)
#endif

/*
 * Before 6.12 no architecture masked user pointers: each access is checked,
 * and the masked branch, never taken, keeps the pointer as it is.
 */
#ifdef UIO_DMABUF_COMPAT_NO_MASKED_USER_ACCESS
#include <linux/uaccess.h>
#define can_do_masked_user_access()		0
#define masked_user_read_access_begin(src)	(src)
#define masked_user_write_access_begin(src)	(src)
#endif

/*
 * From 6.12, for a while, masked access had one form for reading and
 * writing; only x86 had it, where the forms are the same.
 */
#ifdef UIO_DMABUF_COMPAT_MASKED_USER_ACCESS_RW
#include <linux/uaccess.h>
#define masked_user_read_access_begin	masked_user_access_begin
#define masked_user_write_access_begin	masked_user_access_begin
#endif

/*
 * Before 6.5 the IOMMU's DMA API did not mark a table it bounced through
 * swiotlb; it bounced only the mappings of untrusted devices, which the
 * caller also checks.
 */
#ifdef UIO_DMABUF_COMPAT_NO_SG_DMA_SWIOTLB
#include <linux/scatterlist.h>
static inline bool sg_dma_is_swiotlb(struct scatterlist *sg)
{
	return false;
}
#endif

/* Before 6.8, eventfd_signal() took the count to add, which was always 1 here. */
#ifdef UIO_DMABUF_COMPAT_EVENTFD_SIGNAL_N
#include <linux/eventfd.h>
#define eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#endif

/*
 * Until the dma-buf revoke series (queued for 7.1), the importer's callback that
 * an exporter calls to invalidate its mappings was &dma_buf_attach_ops.move_notify,
 * and dma_buf_invalidate_mappings() was dma_buf_move_notify().
 */
#ifdef UIO_DMABUF_COMPAT_MOVE_NOTIFY
#include <linux/dma-buf.h>
#define invalidate_mappings		move_notify
#define dma_buf_invalidate_mappings(dmabuf)	dma_buf_move_notify(dmabuf)
#endif

/*
 * Before 6.15 the core mapped the buffer of a static exporter (the heaps,
 * udmabuf) for a dynamic importer at attach, and for DMA_BIDIRECTIONAL
 * whatever the importer's direction: a buffer whose file is not open for
 * writing would become device-writable, so it is refused.
 */
#ifdef UIO_DMABUF_COMPAT_ATTACH_MAPS
#include <linux/dma-buf.h>
#include <linux/fs.h>

static inline struct dma_buf_attachment *
uio_dmabuf_compat_dynamic_attach(struct dma_buf *dmabuf, struct device *dev,
				 const struct dma_buf_attach_ops *ops, void *priv)
{
	if (!dma_buf_is_dynamic(dmabuf) && !(dmabuf->file->f_mode & FMODE_WRITE))
		return ERR_PTR(-EACCES);
	return dma_buf_dynamic_attach(dmabuf, dev, ops, priv);
}

#define dma_buf_dynamic_attach	uio_dmabuf_compat_dynamic_attach
#endif

/*
 * Before kzalloc_obj() and kmalloc_obj() (7.x): kzalloc_obj(*p) and
 * kzalloc_obj(*p, gfp), whose flags default to GFP_KERNEL, as mainline's
 * default_gfp() has it; kmalloc_obj() the same. The first argument of the
 * helper is always empty.
 */
#ifdef UIO_DMABUF_COMPAT_ALLOC_OBJ
#include <linux/slab.h>
#define __uio_dmabuf_compat_gfp(empty, gfp, ...)	(empty gfp)
#define kzalloc_obj(obj, ...) \
	kzalloc(sizeof(obj), __uio_dmabuf_compat_gfp(, ##__VA_ARGS__, GFP_KERNEL))
#define kmalloc_obj(obj, ...) \
	kmalloc(sizeof(obj), __uio_dmabuf_compat_gfp(, ##__VA_ARGS__, GFP_KERNEL))
#endif

#ifdef UIO_DMABUF_COMPAT_DMA_DEV_NEED_SYNC
/* Before 6.11, no device was known to skip syncs: ask of each address. */
#include <linux/device.h>
static inline bool dma_dev_need_sync(const struct device *dev)
{
	return true;
}
#endif

/*
 * Before 6.11 a platform driver's .remove returned int, and the void callback
 * the glue uses was .remove_new. Kbuild defines UIO_DMABUF_COMPAT_REMOVE_NEW
 * for the platform glue alone; every header that file uses is read here
 * first, with its real names, and only the glue's own ".remove =" is renamed.
 */
#ifdef UIO_DMABUF_COMPAT_REMOVE_NEW
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio_driver.h>
#include "../kernel/uio_dmabuf_priv.h"
#define remove remove_new
#endif

#endif /* _UIO_DMABUF_COMPAT_H */
