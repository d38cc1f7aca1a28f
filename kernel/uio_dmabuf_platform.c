// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf platform glue: memory resources become UIO maps and the first
 * IRQ, if any, is the UIO interrupt, disabled in the handler and re-enabled by
 * write()ing 1 to /dev/uioN, as uio_pdrv_genirq does. The device's reset lines
 * (the "resets" of its devicetree node) reset it between users, as
 * vfio-platform requires a reset; a device without them is never isolated.
 *
 * Bind a device with driver_override, or name its compatible in the module
 * parameter of_id=.
 */

#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/reset.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio_driver.h>

#include "uio_dmabuf_priv.h"

struct uio_dmabuf_platform {
	struct uio_info info;
	struct uio_dmabuf_irq_gate gate;	/* the IRQ, masked at the controller */
	struct reset_control *rstc;		/* all its reset lines, or NULL */
};

static irqreturn_t uio_dmabuf_platform_irq(int irq, struct uio_info *info)
{
	struct uio_dmabuf_platform *up = container_of(info, struct uio_dmabuf_platform, info);

	/* Level-triggered and not maskable at the device: mask at the controller. */
	uio_dmabuf_irq_gate_close(&up->gate, irq);
	return IRQ_HANDLED;
}

static int uio_dmabuf_platform_irqcontrol(struct uio_info *info, s32 on)
{
	struct uio_dmabuf_platform *up = container_of(info, struct uio_dmabuf_platform, info);

	uio_dmabuf_irq_gate_control(&up->gate, info->irq, on);
	return 0;
}

/*
 * A pulse of the reset lines; where the controller cannot pulse them, an
 * assert and a deassert (the pulse's error if the assert fails too).
 */
static int uio_dmabuf_platform_reset(void *priv, bool locked)
{
	struct uio_dmabuf_platform *up = priv;
	int ret;

	if (!up->rstc)
		return -ENOTTY;
	ret = reset_control_reset(up->rstc);
	if (!ret)
		return 0;
	if (reset_control_assert(up->rstc))
		return ret;
	usleep_range(10, 20);
	return reset_control_deassert(up->rstc);
}

static const struct uio_dmabuf_bus_ops uio_dmabuf_platform_ops = {
	.set_dma_enabled = NULL,	/* no bus-level DMA switch */
	.reset = uio_dmabuf_platform_reset,
};

static int uio_dmabuf_platform_probe(struct platform_device *pdev)
{
	struct uio_dmabuf_irqs irqs = { .mode = UIO_DMABUF_IRQ_NONE };
	struct uio_dmabuf_platform *up;
	struct uio_mem *mem;
	int irq, i;

	up = devm_kzalloc(&pdev->dev, sizeof(*up), GFP_KERNEL);
	if (!up)
		return -ENOMEM;
	uio_dmabuf_irq_gate_init(&up->gate);
	up->info.name = UIO_DMABUF_DRIVER_NAME;
	up->info.version = "1";

	mem = up->info.mem;
	for (i = 0; i < pdev->num_resources; i++) {
		struct resource *r = &pdev->resource[i];

		if (resource_type(r) != IORESOURCE_MEM || !resource_size(r))
			continue;
		if (mem == up->info.mem + MAX_UIO_MAPS) {
			dev_warn(&pdev->dev, "resource %pR: no UIO map left\n", r);
			continue;
		}
		if (uio_dmabuf_fill_mem(&pdev->dev, mem, r, r->name))
			mem++;
	}

	up->rstc = devm_reset_control_array_get_optional_exclusive(&pdev->dev);
	if (IS_ERR(up->rstc)) {
		if (PTR_ERR(up->rstc) == -EPROBE_DEFER)
			return -EPROBE_DEFER;
		dev_warn(&pdev->dev, "reset lines unavailable (%pe)\n", up->rstc);
		up->rstc = NULL;
	}

	irq = platform_get_irq_optional(pdev, 0);
	if (irq == -EPROBE_DEFER)
		return irq;
	if (irq > 0) {
		up->info.irq = irq;
		up->info.handler = uio_dmabuf_platform_irq;
		up->info.irqcontrol = uio_dmabuf_platform_irqcontrol;
		irqs.mode = UIO_DMABUF_IRQ_LINE;
	}

	return devm_uio_dmabuf_register(&pdev->dev, &up->info, &uio_dmabuf_platform_ops, up,
					&irqs);
}

/*
 * At unbind, before the driver core gives up the device's DMA ownership (and
 * with it the IOMMU group's claim): revoke every import. The rest is devm's.
 */
static void uio_dmabuf_platform_remove(struct platform_device *pdev)
{
	uio_dmabuf_disconnect(platform_get_drvdata(pdev));
}

static char uio_dmabuf_platform_of_id[128];
module_param_string(of_id, uio_dmabuf_platform_of_id, sizeof(uio_dmabuf_platform_of_id), 0444);
MODULE_PARM_DESC(of_id, "Devicetree compatible string to bind the platform driver to");

static struct platform_driver uio_dmabuf_platform_driver = {
	.driver = {
		.name = UIO_DMABUF_DRIVER_NAME,
	},
	.probe = uio_dmabuf_platform_probe,
	.remove = uio_dmabuf_platform_remove,
};

/* Whether @drv is this module's platform driver (not merely one of its name). */
bool uio_dmabuf_platform_is_ours(const struct device_driver *drv)
{
	return drv == &uio_dmabuf_platform_driver.driver;
}

/*
 * With of_id=, the driver's match table is built at load time: the
 * compatible, then the zeroed sentinel. (uio_pdrv_genirq's writable static
 * table would not be const.)
 */
int uio_dmabuf_platform_init(void)
{
	const struct of_device_id *match = NULL;
	int ret;

	BUILD_BUG_ON(sizeof(uio_dmabuf_platform_of_id) != sizeof(match->compatible));
	if (uio_dmabuf_platform_of_id[0]) {
		match = kcalloc(2, sizeof(*match), GFP_KERNEL);
		if (!match)
			return -ENOMEM;
		/* Written once, here, before the driver can see the table. */
		memcpy((void *)match->compatible, uio_dmabuf_platform_of_id,
		       sizeof(match->compatible));
		uio_dmabuf_platform_driver.driver.of_match_table = match;
	}
	ret = platform_driver_register(&uio_dmabuf_platform_driver);
	if (ret)
		kfree(match);
	return ret;
}

void uio_dmabuf_platform_exit(void)
{
	platform_driver_unregister(&uio_dmabuf_platform_driver);
	kfree(uio_dmabuf_platform_driver.driver.of_match_table);
}
