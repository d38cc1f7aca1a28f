/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels uio_dmabuf builds against (6.1 and 6.12
 * and later), kept in one place so that no other file has to know them. Each
 * is written in a form that compiles on all of them, without version tests.
 */
#ifndef _UIO_DMABUF_COMPAT_H
#define _UIO_DMABUF_COMPAT_H

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/scatterlist.h>

/*
 * MODULE_IMPORT_NS() takes a bare identifier up to 6.12 and a string literal
 * from 6.13 on; the modinfo tag it expands to is the same everywhere.
 */
#define UIO_DMABUF_IMPORT_NS_DMA_BUF()	MODULE_INFO(import_ns, "DMA_BUF")

/*
 * dma_set_max_seg_size() returns -EIO (6.1) or warns (6.12) for a device
 * without dma_parms, and returns nothing from 6.12 on: callers check dma_parms
 * first, and the result is not used.
 */
static inline void uio_dmabuf_set_max_seg_size(struct device *dev, unsigned int size)
{
	if (dev->dma_parms)
		dma_set_max_seg_size(dev, size);
}

/*
 * Whether interrupt remapping isolates the MSI writes of @group's devices.
 * 6.2 replaced the IOMMU capability and the irq-domain test by
 * iommu_group_has_isolated_msi(); Kbuild defines UIO_DMABUF_COMPAT_MSI_REMAP
 * when the headers lack it.
 */
#ifdef UIO_DMABUF_COMPAT_MSI_REMAP
static inline bool uio_dmabuf_msi_isolated(struct device *dev, struct iommu_group *group)
{
	return irq_domain_check_msi_remap() || device_iommu_capable(dev, IOMMU_CAP_INTR_REMAP);
}
#else
static inline bool uio_dmabuf_msi_isolated(struct device *dev, struct iommu_group *group)
{
	return iommu_group_has_isolated_msi(group);
}
#endif

/* The platform driver's void remove callback: .remove_new before 6.3. */
#ifdef UIO_DMABUF_COMPAT_REMOVE_NEW
#define UIO_DMABUF_PLATFORM_REMOVE	remove_new
#else
#define UIO_DMABUF_PLATFORM_REMOVE	remove
#endif

/* Before 6.2 sg_dma_is_bus_address() was spelt sg_is_dma_bus_address(). */
#ifdef UIO_DMABUF_COMPAT_SG_IS_DMA_BUS_ADDRESS
#define sg_dma_is_bus_address(sg)	sg_is_dma_bus_address(sg)
#endif

#endif /* _UIO_DMABUF_COMPAT_H */
