// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf platform glue: memory resources become UIO maps and the first
 * IRQ, if any, is the UIO interrupt, disabled in the handler and re-enabled by
 * write()ing 1 to /dev/uioN, as uio_pdrv_genirq does.
 *
 * Bind a device with driver_override, or name its compatible in the module
 * parameter of_id=.
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio_driver.h>

#include "uio_dmabuf_priv.h"

struct uio_dmabuf_plat {
	struct uio_info info;
	/* Serialises disabling and enabling the IRQ; protects @irq_disabled. */
	spinlock_t irq_lock;
	bool irq_disabled;
};

static irqreturn_t uio_dmabuf_plat_irq(int irq, struct uio_info *info)
{
	struct uio_dmabuf_plat *gdev = container_of(info, struct uio_dmabuf_plat, info);

	/* Level-triggered and not maskable at the device: mask at the controller. */
	spin_lock(&gdev->irq_lock);
	if (!gdev->irq_disabled) {
		gdev->irq_disabled = true;
		disable_irq_nosync(irq);
	}
	spin_unlock(&gdev->irq_lock);
	return IRQ_HANDLED;
}

static int uio_dmabuf_plat_irqcontrol(struct uio_info *info, s32 on)
{
	struct uio_dmabuf_plat *gdev = container_of(info, struct uio_dmabuf_plat, info);
	unsigned long flags;

	spin_lock_irqsave(&gdev->irq_lock, flags);
	if (on && gdev->irq_disabled) {
		gdev->irq_disabled = false;
		enable_irq(info->irq);
	} else if (!on && !gdev->irq_disabled) {
		gdev->irq_disabled = true;
		disable_irq_nosync(info->irq);
	}
	spin_unlock_irqrestore(&gdev->irq_lock, flags);
	return 0;
}

static const struct uio_dmabuf_bus_ops uio_dmabuf_plat_ops = {
	.set_dma_enabled = NULL,	/* no bus-level DMA switch */
};

static int uio_dmabuf_plat_probe(struct platform_device *pdev)
{
	struct uio_dmabuf_plat *gdev;
	struct uio_mem *mem;
	int irq, i;

	gdev = devm_kzalloc(&pdev->dev, sizeof(*gdev), GFP_KERNEL);
	if (!gdev)
		return -ENOMEM;
	spin_lock_init(&gdev->irq_lock);
	gdev->info.name = UIO_DMABUF_DRIVER_NAME;
	gdev->info.version = "1";

	mem = gdev->info.mem;
	for (i = 0; i < pdev->num_resources; i++) {
		struct resource *r = &pdev->resource[i];

		if (resource_type(r) != IORESOURCE_MEM || !resource_size(r))
			continue;
		if (mem == gdev->info.mem + MAX_UIO_MAPS) {
			dev_warn(&pdev->dev, "resource %pR: no UIO map left\n", r);
			continue;
		}
		if (uio_dmabuf_fill_mem(&pdev->dev, mem, r, r->name))
			mem++;
	}

	irq = platform_get_irq_optional(pdev, 0);
	if (irq == -EPROBE_DEFER)
		return irq;
	if (irq > 0) {
		gdev->info.irq = irq;
		gdev->info.handler = uio_dmabuf_plat_irq;
		gdev->info.irqcontrol = uio_dmabuf_plat_irqcontrol;
	}

	/*
	 * No remove callback: the device's DMA cannot be stopped here, and
	 * devm revokes the imports at unbind.
	 */
	return devm_uio_dmabuf_register(&pdev->dev, &gdev->info, &uio_dmabuf_plat_ops, gdev);
}

static char uio_dmabuf_of_id[128];
module_param_string(of_id, uio_dmabuf_of_id, sizeof(uio_dmabuf_of_id), 0444);
MODULE_PARM_DESC(of_id, "Devicetree compatible string to bind the platform driver to");

/* Built at load time from of_id=: the compatible, then the zeroed sentinel. */
static const struct of_device_id *uio_dmabuf_of_match;

static struct platform_driver uio_dmabuf_plat_driver = {
	.driver = {
		.name = UIO_DMABUF_DRIVER_NAME,
	},
	.probe = uio_dmabuf_plat_probe,
};

int uio_dmabuf_platform_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(uio_dmabuf_of_id) != sizeof(uio_dmabuf_of_match->compatible));
	if (uio_dmabuf_of_id[0]) {
		uio_dmabuf_of_match = kcalloc(2, sizeof(*uio_dmabuf_of_match), GFP_KERNEL);
		if (!uio_dmabuf_of_match)
			return -ENOMEM;
		/* Written once, here, before the driver can see the table. */
		memcpy((void *)uio_dmabuf_of_match[0].compatible, uio_dmabuf_of_id,
		       sizeof(uio_dmabuf_of_id));
		uio_dmabuf_plat_driver.driver.of_match_table = uio_dmabuf_of_match;
	}
	ret = platform_driver_register(&uio_dmabuf_plat_driver);
	if (ret)
		kfree(uio_dmabuf_of_match);
	return ret;
}

void uio_dmabuf_platform_exit(void)
{
	platform_driver_unregister(&uio_dmabuf_plat_driver);
	kfree(uio_dmabuf_of_match);
}
