// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf PCI glue: memory BARs become UIO maps and I/O BARs UIO port
 * regions; INTx is masked with the PCI 2.3 interrupt-disable bit in the
 * handler, as uio_pci_generic does, and unmasked by write()ing 1 to /dev/uioN.
 * Bus mastering is on only while an import node file is open. Bridges are
 * refused, as vfio-pci refuses them.
 *
 * There is no ID table: bind a device with
 *   echo uio_dmabuf > /sys/bus/pci/devices/<BDF>/driver_override
 *   echo <BDF> > /sys/bus/pci/drivers_probe
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio_driver.h>

#include "uio_dmabuf_priv.h"

struct uio_dmabuf_pci {
	struct uio_info info;
	struct pci_dev *pdev;
	/*
	 * Serialises the read-modify-write cycles of PCI_COMMAND: the INTx
	 * disable bit (IRQ handler, irqcontrol) and the bus master bit.
	 */
	spinlock_t cmd_lock;
};

static irqreturn_t uio_dmabuf_pci_irq(int irq, struct uio_info *info)
{
	struct uio_dmabuf_pci *up = container_of(info, struct uio_dmabuf_pci, info);
	bool ours;

	spin_lock(&up->cmd_lock);
	ours = pci_check_and_mask_intx(up->pdev);
	spin_unlock(&up->cmd_lock);

	/* On IRQ_HANDLED the UIO core wakes the reader of /dev/uioN. */
	return ours ? IRQ_HANDLED : IRQ_NONE;
}

static int uio_dmabuf_pci_irqcontrol(struct uio_info *info, s32 on)
{
	struct uio_dmabuf_pci *up = container_of(info, struct uio_dmabuf_pci, info);
	struct pci_dev *pdev = up->pdev;
	unsigned long flags;
	bool pending = false;
	u16 cmd;

	spin_lock_irqsave(&up->cmd_lock, flags);
	if (on) {
		/* Still asserted: it stays masked and is reported once more. */
		pending = !pci_check_and_unmask_intx(pdev);
	} else {
		pci_read_config_word(pdev, PCI_COMMAND, &cmd);
		pci_write_config_word(pdev, PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE);
	}
	spin_unlock_irqrestore(&up->cmd_lock, flags);

	if (pending)
		uio_event_notify(info);
	return 0;
}

static void uio_dmabuf_pci_set_dma_enabled(void *priv, bool enable)
{
	struct uio_dmabuf_pci *up = priv;
	unsigned long flags;

	spin_lock_irqsave(&up->cmd_lock, flags);
	if (enable)
		pci_set_master(up->pdev);
	else
		pci_clear_master(up->pdev);
	spin_unlock_irqrestore(&up->cmd_lock, flags);
}

static const struct uio_dmabuf_bus_ops uio_dmabuf_pci_ops = {
	.set_dma_enabled = uio_dmabuf_pci_set_dma_enabled,
};

static void uio_dmabuf_pci_fill_maps(struct uio_dmabuf_pci *up)
{
	struct pci_dev *pdev = up->pdev;
	struct uio_port *port = up->info.port;
	struct uio_mem *mem = up->info.mem;
	int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct resource *r = &pdev->resource[i];

		if (!resource_size(r))
			continue;
		if (r->flags & IORESOURCE_MEM) {
			if (mem == up->info.mem + MAX_UIO_MAPS) {
				dev_warn(&pdev->dev, "BAR %d: no UIO map left\n", i);
				continue;
			}
			if (uio_dmabuf_fill_mem(&pdev->dev, mem, r, r->name))
				mem++;
		} else if (r->flags & IORESOURCE_IO) {
			if (port == up->info.port + MAX_UIO_PORT_REGIONS) {
				dev_warn(&pdev->dev, "BAR %d: no UIO port region left\n", i);
				continue;
			}
			port->porttype = UIO_PORT_X86;
			port->start = r->start;
			port->size = resource_size(r);
			port->name = r->name;
			port++;
		}
	}
}

static int uio_dmabuf_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct uio_dmabuf_pci *up;
	int ret;

	/* A bridge's config space governs other devices' traffic. */
	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return dev_err_probe(&pdev->dev, -EINVAL,
				     "header type %#x: only normal (type 0) functions can be bound\n",
				     pdev->hdr_type);

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "cannot enable the device\n");
	/* Bus mastering stays off until an import node file is open. */
	pci_clear_master(pdev);

	up = devm_kzalloc(&pdev->dev, sizeof(*up), GFP_KERNEL);
	if (!up)
		return -ENOMEM;
	up->pdev = pdev;
	spin_lock_init(&up->cmd_lock);

	up->info.name = UIO_DMABUF_DRIVER_NAME;
	up->info.version = "1";
	if (pdev->irq && pdev->irq != IRQ_NOTCONNECTED && pci_intx_mask_supported(pdev)) {
		up->info.irq = pdev->irq;
		up->info.irq_flags = IRQF_SHARED;
		up->info.handler = uio_dmabuf_pci_irq;
		up->info.irqcontrol = uio_dmabuf_pci_irqcontrol;
	} else {
		dev_info(&pdev->dev, "no maskable INTx: no UIO interrupt\n");
	}
	uio_dmabuf_pci_fill_maps(up);

	return devm_uio_dmabuf_register(&pdev->dev, &up->info, &uio_dmabuf_pci_ops, up);
}

/*
 * At unbind (or hot unplug), before the driver core lets go of the device's
 * DMA ownership and another driver of its IOMMU group could take the domain
 * over: stop the device's DMA and revoke every import. The rest of the
 * teardown is devm's.
 */
static void uio_dmabuf_pci_remove(struct pci_dev *pdev)
{
	uio_dmabuf_disconnect(pci_get_drvdata(pdev));
}

static struct pci_driver uio_dmabuf_pci_driver = {
	.name = UIO_DMABUF_DRIVER_NAME,
	.id_table = NULL,	/* bound with driver_override or new_id only */
	.probe = uio_dmabuf_pci_probe,
	.remove = uio_dmabuf_pci_remove,
};

/* Revokes a device whose IOMMU group a kernel driver joins on the PCI bus. */
static struct notifier_block uio_dmabuf_pci_nb = {
	.notifier_call = uio_dmabuf_bus_notify,
};

int uio_dmabuf_pci_init(void)
{
	int ret;

	ret = bus_register_notifier(&pci_bus_type, &uio_dmabuf_pci_nb);
	if (ret)
		return ret;
	ret = pci_register_driver(&uio_dmabuf_pci_driver);
	if (ret)
		bus_unregister_notifier(&pci_bus_type, &uio_dmabuf_pci_nb);
	return ret;
}

void uio_dmabuf_pci_exit(void)
{
	pci_unregister_driver(&uio_dmabuf_pci_driver);
	bus_unregister_notifier(&pci_bus_type, &uio_dmabuf_pci_nb);
}
