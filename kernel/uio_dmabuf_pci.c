// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf PCI glue: memory BARs become UIO maps and I/O BARs UIO port
 * regions. The interrupt (irq_mode=) is INTx, MSI or MSI-X. With INTx or the
 * one MSI vector it is the UIO interrupt: the handler masks it, INTx with the
 * PCI 2.3 interrupt-disable bit as uio_pci_generic does, MSI through the IRQ
 * core (the vector's mask bit where the device has one), and write()ing 1 to
 * /dev/uioN unmasks it. MSI-X vectors are bound to eventfds on the import node
 * (uio_dmabuf_irq.c); /dev/uioN then has no interrupt.
 * Bus mastering is on only while an import node file is open: MSI writes, like
 * DMA, reach the host only then. Bridges are refused, as vfio-pci refuses them.
 *
 * There is no ID table: bind a device with
 *   echo uio_dmabuf > /sys/bus/pci/devices/<BDF>/driver_override
 *   echo <BDF> > /sys/bus/pci/drivers_probe
 */

#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio_driver.h>

#include "uio_dmabuf_priv.h"

/*
 * Most MSI-X vectors enabled: each one allocated takes an interrupt
 * descriptor, and on x86 a CPU vector, whether user space binds it or not.
 */
#define UIO_DMABUF_PCI_MAX_MSIX		64

/* irq_mode='s words, indexed by UIO_DMABUF_IRQ_*. */
static const char *const uio_dmabuf_pci_irq_names[] = {
	[UIO_DMABUF_IRQ_NONE] = "none",
	[UIO_DMABUF_IRQ_INTX] = "intx",
	[UIO_DMABUF_IRQ_MSI] = "msi",
	[UIO_DMABUF_IRQ_MSIX] = "msix",
};

static char uio_dmabuf_pci_irq_mode[8] = "auto";
module_param_string(irq_mode, uio_dmabuf_pci_irq_mode, sizeof(uio_dmabuf_pci_irq_mode), 0644);
MODULE_PARM_DESC(irq_mode,
		 "Interrupt of the PCI devices bound from now on: auto (maskable INTx, else MSI, else MSI-X; the default), intx, msi or msix");

struct uio_dmabuf_pci {
	struct uio_info info;
	struct pci_dev *pdev;
	struct uio_dmabuf_irqs irqs;
	/*
	 * Serialises the read-modify-write cycles of PCI_COMMAND: the INTx
	 * disable bit (IRQ handler, irqcontrol) and the bus master bit; and
	 * protects @resetting, @intx_wanted and @master_wanted.
	 */
	spinlock_t cmd_lock;
	/* A reset owns PCI_COMMAND: the INTx handler and irqcontrol keep off. */
	bool resetting;
	/* What irqcontrol was asked during a reset (-1: nothing), done after it. */
	int intx_wanted;
	/* Bus mastering as the core wants it, set again after a reset. */
	bool master_wanted;
	struct uio_dmabuf_irq_gate msi_gate;	/* the MSI vector, between handler and write() */
};

static irqreturn_t uio_dmabuf_pci_irq(int irq, struct uio_info *info)
{
	struct uio_dmabuf_pci *up = container_of(info, struct uio_dmabuf_pci, info);
	bool ours;

	spin_lock(&up->cmd_lock);
	/* Mid-reset, config space reads all-ones: nothing is ours to mask. */
	ours = !up->resetting && pci_check_and_mask_intx(up->pdev);
	spin_unlock(&up->cmd_lock);

	/* On IRQ_HANDLED the UIO core wakes the reader of /dev/uioN. */
	return ours ? IRQ_HANDLED : IRQ_NONE;
}

/* MSI is edge-triggered and never shared: mask it until user space re-arms. */
static irqreturn_t uio_dmabuf_pci_msi_irq(int irq, struct uio_info *info)
{
	struct uio_dmabuf_pci *up = container_of(info, struct uio_dmabuf_pci, info);

	uio_dmabuf_irq_gate_close(&up->msi_gate, irq);
	return IRQ_HANDLED;
}

/* write() to /dev/uioN with MSI: a vector that fired while masked is replayed. */
static int uio_dmabuf_pci_msi_irqcontrol(struct uio_info *info, s32 on)
{
	struct uio_dmabuf_pci *up = container_of(info, struct uio_dmabuf_pci, info);

	uio_dmabuf_irq_gate_control(&up->msi_gate, info->irq, on);
	return 0;
}

/*
 * Unmask (@on) or mask INTx at the device, @up->cmd_lock held. Returns whether
 * it is still asserted: then it stays masked and is reported once more.
 */
static bool uio_dmabuf_pci_intx_control_locked(struct uio_dmabuf_pci *up, s32 on)
{
	struct pci_dev *pdev = up->pdev;
	u16 cmd;

	lockdep_assert_held(&up->cmd_lock);
	if (on)
		return !pci_check_and_unmask_intx(pdev);
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	pci_write_config_word(pdev, PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE);
	return false;
}

static int uio_dmabuf_pci_irqcontrol(struct uio_info *info, s32 on)
{
	struct uio_dmabuf_pci *up = container_of(info, struct uio_dmabuf_pci, info);
	unsigned long flags;
	bool pending = false;

	spin_lock_irqsave(&up->cmd_lock, flags);
	if (up->resetting)
		/* The reset restores PCI_COMMAND: recorded, done when it ends. */
		up->intx_wanted = !!on;
	else
		pending = uio_dmabuf_pci_intx_control_locked(up, on);
	spin_unlock_irqrestore(&up->cmd_lock, flags);

	if (pending)
		uio_event_notify(info);
	return 0;
}

/* The bus master bit as @up->master_wanted says, @up->cmd_lock held. */
static void uio_dmabuf_pci_apply_master_locked(struct uio_dmabuf_pci *up)
{
	lockdep_assert_held(&up->cmd_lock);
	if (up->master_wanted)
		pci_set_master(up->pdev);
	else
		pci_clear_master(up->pdev);
}

/*
 * During a reset through sysfs the restore would undo the change: it is made
 * when the reset ends. (Ours cannot overlap a call here: both run under the
 * core's device lock, udev->lock.)
 */
static void uio_dmabuf_pci_set_dma_enabled(void *priv, bool enable)
{
	struct uio_dmabuf_pci *up = priv;
	unsigned long flags;

	spin_lock_irqsave(&up->cmd_lock, flags);
	up->master_wanted = enable;
	if (!up->resetting)
		uio_dmabuf_pci_apply_master_locked(up);
	spin_unlock_irqrestore(&up->cmd_lock, flags);
}

/* How long bind and unbind try for the upstream bridge's lock. */
#define UIO_DMABUF_PCI_BRIDGE_TRIES	100
#define UIO_DMABUF_PCI_BRIDGE_WAIT_MS	10

/*
 * A reset of the function alone, as the PCI core chooses it (FLR, PM reset, a
 * bus reset when the device is alone on its bus), with its config space saved
 * and restored; never a reset of other devices. The upstream bridge is locked
 * as pci_reset_function() locks it, so that its config space stays consistent
 * through a bus reset; only tried, as VFIO does, since the device's own lock
 * may be held already and the bridge's is taken first elsewhere. At bind and
 * unbind (@locked) it is tried for a second (a sibling's reset holds it that
 * long), at a close once. A device that is gone is not touched.
 */
static int uio_dmabuf_pci_reset(void *priv, bool locked)
{
	struct pci_dev *pdev = ((struct uio_dmabuf_pci *)priv)->pdev;
	struct pci_dev *bridge = pci_upstream_bridge(pdev);
	int tries = locked ? UIO_DMABUF_PCI_BRIDGE_TRIES : 1;
	int ret;

	if (pci_dev_is_disconnected(pdev))
		return -ENODEV;
	/* No method: -EAGAIN below must mean resettable but busy. */
	if (!pdev->reset_methods[0])
		return -ENOTTY;
	while (bridge && !pci_dev_trylock(bridge)) {
		if (!--tries)
			return -EAGAIN;
		msleep(UIO_DMABUF_PCI_BRIDGE_WAIT_MS);
	}
	ret = locked ? pci_reset_function_locked(pdev) : pci_try_reset_function(pdev);
	if (bridge)
		pci_dev_unlock(bridge);
	return ret;
}

/* The glue of a device being reset, or NULL before the bind gives it one. */
static struct uio_dmabuf_pci *uio_dmabuf_pci_of(struct pci_dev *pdev)
{
	struct uio_dmabuf_dev *udev = pci_get_drvdata(pdev);

	return udev ? udev->priv : NULL;
}

/* A reset of the function (ours, or one through sysfs): PCI_COMMAND is the core's. */
static void uio_dmabuf_pci_reset_prepare(struct pci_dev *pdev)
{
	struct uio_dmabuf_pci *up = uio_dmabuf_pci_of(pdev);
	unsigned long flags;

	if (!up)
		return;
	spin_lock_irqsave(&up->cmd_lock, flags);
	up->resetting = true;
	up->intx_wanted = -1;
	spin_unlock_irqrestore(&up->cmd_lock, flags);
}

/*
 * PCI_COMMAND is restored as it was saved: bus mastering and the INTx mask
 * are set as they were asked for meanwhile.
 */
static void uio_dmabuf_pci_reset_done(struct pci_dev *pdev)
{
	struct uio_dmabuf_pci *up = uio_dmabuf_pci_of(pdev);
	unsigned long flags;
	bool pending = false;

	if (!up)
		return;
	spin_lock_irqsave(&up->cmd_lock, flags);
	up->resetting = false;
	uio_dmabuf_pci_apply_master_locked(up);
	if (up->intx_wanted >= 0 && up->info.irqcontrol == uio_dmabuf_pci_irqcontrol)
		pending = uio_dmabuf_pci_intx_control_locked(up, up->intx_wanted);
	spin_unlock_irqrestore(&up->cmd_lock, flags);
	if (pending)
		uio_event_notify(&up->info);
}

static const struct pci_error_handlers uio_dmabuf_pci_err_handler = {
	.reset_prepare = uio_dmabuf_pci_reset_prepare,
	.reset_done = uio_dmabuf_pci_reset_done,
};

static const struct uio_dmabuf_bus_ops uio_dmabuf_pci_ops = {
	.set_dma_enabled = uio_dmabuf_pci_set_dma_enabled,
	.reset = uio_dmabuf_pci_reset,
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

/*
 * irq_mode= as it reads now (the parameter may be written at any time), as a
 * mask of the UIO_DMABUF_IRQ_* modes it allows.
 */
static int uio_dmabuf_pci_irq_wanted(struct pci_dev *pdev, unsigned int *modes)
{
	char mode[sizeof(uio_dmabuf_pci_irq_mode)];
	u32 m;

	kernel_param_lock(THIS_MODULE);
	strscpy(mode, uio_dmabuf_pci_irq_mode, sizeof(mode));
	kernel_param_unlock(THIS_MODULE);

	if (sysfs_streq(mode, "auto")) {
		*modes = BIT(UIO_DMABUF_IRQ_INTX) | BIT(UIO_DMABUF_IRQ_MSI) |
			 BIT(UIO_DMABUF_IRQ_MSIX);
		return 0;
	}
	for (m = UIO_DMABUF_IRQ_INTX; m <= UIO_DMABUF_IRQ_MSIX; m++) {
		if (sysfs_streq(mode, uio_dmabuf_pci_irq_names[m])) {
			*modes = BIT(m);
			return 0;
		}
	}
	return dev_err_probe(&pdev->dev, -EINVAL,
			     "irq_mode=%s: expected auto, intx, msi or msix\n", mode);
}

static int uio_dmabuf_pci_vector_irq(void *priv, unsigned int vector)
{
	struct uio_dmabuf_pci *up = priv;

	return pci_irq_vector(up->pdev, vector);
}

/* The device's MSI vector as the UIO interrupt; freed by pcim at unbind. */
static int uio_dmabuf_pci_setup_msi(struct uio_dmabuf_pci *up)
{
	int ret;

	ret = pci_alloc_irq_vectors(up->pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;
	up->info.irq = pci_irq_vector(up->pdev, 0);
	up->info.handler = uio_dmabuf_pci_msi_irq;
	up->info.irqcontrol = uio_dmabuf_pci_msi_irqcontrol;
	return 0;
}

/*
 * The device's MSI-X vectors, up to UIO_DMABUF_PCI_MAX_MSIX, for eventfds;
 * freed by pcim at unbind. /dev/uioN has no interrupt.
 */
static int uio_dmabuf_pci_setup_msix(struct uio_dmabuf_pci *up)
{
	int n = min(pci_msix_vec_count(up->pdev), UIO_DMABUF_PCI_MAX_MSIX);

	n = pci_alloc_irq_vectors(up->pdev, 1, n, PCI_IRQ_MSIX);
	if (n < 0)
		return n;
	up->irqs.nr_vectors = n;
	up->irqs.vector_irq = uio_dmabuf_pci_vector_irq;
	return 0;
}

/*
 * Enable @mode (MSI or MSI-X) with @setup. A failure ends the bind when
 * irq_mode= allowed nothing else (@modes), and is only warned about otherwise.
 */
static int uio_dmabuf_pci_try_msi(struct uio_dmabuf_pci *up, unsigned int modes, u32 mode,
				  int (*setup)(struct uio_dmabuf_pci *up), const char *what)
{
	struct device *dev = &up->pdev->dev;
	int ret;

	ret = setup(up);
	if (!ret) {
		up->irqs.mode = mode;
		return 0;
	}
	if (modes == BIT(mode))
		return dev_err_probe(dev, ret, "cannot enable %s\n", what);
	dev_warn(dev, "cannot enable %s (%d)\n", what, ret);
	return 0;
}

/*
 * The interrupt irq_mode= asks for: of the modes it allows, the first the
 * device has, in the order INTx (maskable only), MSI, MSI-X. One that cannot
 * be enabled is skipped with a warning, unless it was the only one allowed:
 * then the bind fails, as it does when the device has none of them.
 */
static int uio_dmabuf_pci_setup_irq(struct uio_dmabuf_pci *up)
{
	struct pci_dev *pdev = up->pdev;
	unsigned int modes;
	int ret;

	ret = uio_dmabuf_pci_irq_wanted(pdev, &modes);
	if (ret)
		return ret;
	up->irqs.mode = UIO_DMABUF_IRQ_NONE;
	if ((modes & BIT(UIO_DMABUF_IRQ_INTX)) && pdev->irq && pdev->irq != IRQ_NOTCONNECTED &&
	    pci_intx_mask_supported(pdev)) {
		up->irqs.mode = UIO_DMABUF_IRQ_INTX;
		up->info.irq = pdev->irq;
		up->info.irq_flags = IRQF_SHARED;
		up->info.handler = uio_dmabuf_pci_irq;
		up->info.irqcontrol = uio_dmabuf_pci_irqcontrol;
	}
	if (!up->irqs.mode && (modes & BIT(UIO_DMABUF_IRQ_MSI)) && pdev->msi_cap) {
		ret = uio_dmabuf_pci_try_msi(up, modes, UIO_DMABUF_IRQ_MSI,
					     uio_dmabuf_pci_setup_msi, "MSI");
		if (ret)
			return ret;
	}
	if (!up->irqs.mode && (modes & BIT(UIO_DMABUF_IRQ_MSIX)) && pdev->msix_cap) {
		ret = uio_dmabuf_pci_try_msi(up, modes, UIO_DMABUF_IRQ_MSIX,
					     uio_dmabuf_pci_setup_msix, "MSI-X");
		if (ret)
			return ret;
	}
	if (!up->irqs.mode && hweight32(modes) == 1)
		return dev_err_probe(&pdev->dev, -ENODEV,
				     "irq_mode=%s: the device has no such interrupt\n",
				     uio_dmabuf_pci_irq_names[__ffs(modes)]);
	if (up->irqs.mode == UIO_DMABUF_IRQ_MSIX)
		dev_info(&pdev->dev, "interrupt: msix, %u vectors for eventfds\n",
			 up->irqs.nr_vectors);
	else
		dev_info(&pdev->dev, "UIO interrupt: %s\n",
			 uio_dmabuf_pci_irq_names[up->irqs.mode]);
	return 0;
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
	uio_dmabuf_irq_gate_init(&up->msi_gate);

	up->info.name = UIO_DMABUF_DRIVER_NAME;
	up->info.version = "1";
	ret = uio_dmabuf_pci_setup_irq(up);
	if (ret)
		return ret;
	uio_dmabuf_pci_fill_maps(up);

	return devm_uio_dmabuf_register(&pdev->dev, &up->info, &uio_dmabuf_pci_ops, up,
					&up->irqs);
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
	.err_handler = &uio_dmabuf_pci_err_handler,
};

/* Whether @drv is this module's PCI driver (not merely one of its name). */
bool uio_dmabuf_pci_is_ours(const struct device_driver *drv)
{
	return drv == &uio_dmabuf_pci_driver.driver;
}

/* Revokes a device whose IOMMU group a kernel driver or a firmware range joins on the PCI bus. */
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
