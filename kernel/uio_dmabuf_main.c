// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf: a UIO driver that imports dma-bufs, pins and maps them for the
 * device, and reports their DMA segments to user space.
 *
 * One module, two drivers named uio_dmabuf: PCI and platform. Neither has an ID
 * table; devices are bound with driver_override (or the platform driver's
 * of_id= parameter).
 */

#include <linux/module.h>

#include "uio_dmabuf_priv.h"

static int __init uio_dmabuf_init(void)
{
	int ret;

	ret = uio_dmabuf_core_init();
	if (ret)
		return ret;
	ret = uio_dmabuf_pci_init();
	if (ret)
		goto core_exit;
	ret = uio_dmabuf_platform_init();
	if (ret)
		goto pci_exit;
	return 0;

pci_exit:
	uio_dmabuf_pci_exit();
core_exit:
	uio_dmabuf_core_exit();
	return ret;
}

static void __exit uio_dmabuf_exit(void)
{
	uio_dmabuf_platform_exit();
	uio_dmabuf_pci_exit();
	uio_dmabuf_core_exit();
}

module_init(uio_dmabuf_init);
module_exit(uio_dmabuf_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("UIO driver importing dma-bufs and reporting their DMA addresses");
MODULE_IMPORT_NS("DMA_BUF");
