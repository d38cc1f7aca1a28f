// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf: a UIO driver that imports dma-bufs, pins and maps them for the
 * device, and reports their DMA segments to user space.
 *
 * One module, two drivers named uio_dmabuf: PCI and platform. Neither has an ID
 * table; devices are bound with driver_override (or the platform driver's
 * of_id= parameter). This file holds the module and the bound devices: their
 * registration by the bus glue, their list, which the bus notifier walks to
 * revoke a device whose IOMMU group a kernel driver joins, and their unbind.
 */

#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uio_driver.h>

#include "uio_dmabuf_priv.h"

unsigned int uio_dmabuf_max_imports = 1024;
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_max_imports);

/* A file's imports have as many slots for their handles (see uio_dmabuf_handle()). */
static int uio_dmabuf_set_max_imports(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, UIO_DMABUF_MAX_SLOTS);
}

static const struct kernel_param_ops uio_dmabuf_max_imports_ops = {
	.set = uio_dmabuf_set_max_imports,
	.get = param_get_uint,
};

module_param_cb(max_imports, &uio_dmabuf_max_imports_ops, &uio_dmabuf_max_imports, 0644);
MODULE_PARM_DESC(max_imports, "Most live imports per open file (default 1024, at most 65536)");

bool uio_dmabuf_allow_unsafe;
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_allow_unsafe);
module_param_named(allow_unsafe_noiommu, uio_dmabuf_allow_unsafe, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_noiommu,
		 "Allow the import node of devices that are not isolated (no IOMMU, lazy domain, shared group, MSI not isolated) to be opened with CAP_SYS_RAWIO; taints the kernel (default off)");

/*
 * The max segment size set at bind: the largest whole number of pages whose
 * length fits in 32 bits (PCI's default of 64 KiB would split every mapping).
 */
#define UIO_DMABUF_MAX_SEG_SIZE		(UINT_MAX & PAGE_MASK)

/*
 * Protects uio_dmabuf_devs, the bound devices, which the bus notifier walks
 * when a kernel driver binds to a device of their IOMMU groups, and the
 * devices' numbering (uio_dmabuf_serial, &uio_dmabuf_dev.serial).
 * Taken before any device's locks; never held across an exporter's call.
 */
static DEFINE_MUTEX(uio_dmabuf_devs_lock);
static LIST_HEAD(uio_dmabuf_devs);

static void uio_dmabuf_dev_free(struct kref *ref)
{
	struct uio_dmabuf_dev *udev = container_of(ref, struct uio_dmabuf_dev, ref);

	if (udev->group)
		iommu_group_put(udev->group);
	put_device(udev->dev);
	kvfree(udev->buffers);
	mutex_destroy(&udev->vectors_lock);
	mutex_destroy(&udev->lock);
	kfree(udev->vectors);
	kfree(udev);
}

/* Put a reference to @udev: the bound driver's, or an open file's. */
void uio_dmabuf_dev_put(struct uio_dmabuf_dev *udev)
{
	kref_put(&udev->ref, uio_dmabuf_dev_free);
}

/* What uio_dmabuf_register() changed of the device's DMA setup, undone. */
static void uio_dmabuf_restore_dma(struct uio_dmabuf_dev *udev)
{
	struct device *dev = udev->dev;

	/* saved_max_seg_size is 0 without dma_parms. */
	if (udev->saved_max_seg_size)
		dma_set_max_seg_size(dev, udev->saved_max_seg_size);
	/* Both were accepted before the bind; nothing is mapped now. */
	dma_set_mask(dev, udev->saved_dma_mask);
	dma_set_coherent_mask(dev, udev->saved_coherent_mask);
}

/*
 * How long the bus notifier waits for imports still inside the exporter's
 * attach, pin or map: a quick exporter's are unmapped before the new driver
 * probes, and a slow or stuck one does not hold that bind for longer. The
 * device's DMA is stopped before the wait, and such an import unmaps when the
 * exporter returns (its file is revoked).
 */
#define UIO_DMABUF_NOTIFY_WAIT	HZ

/* The serial of the device listed last, under uio_dmabuf_devs_lock. */
static u64 uio_dmabuf_serial;

/*
 * Unmap what the bus notifier revoked of @udev, wait a bounded while for its
 * imports still mapping or unmapping (another notification's, a RELEASE),
 * and unbind the revoked files' vectors. Without uio_dmabuf_devs_lock: an
 * exporter's unmap may take as long as it likes without holding up any other
 * bind, unbind or notification.
 */
static void uio_dmabuf_notify_finish(struct uio_dmabuf_dev *udev, struct list_head *dead)
{
	/*
	 * Everything unmapped before the new driver probes: the imports
	 * revoked here, and those still mapping, which see their file revoked
	 * and leave.
	 */
	uio_dmabuf_destroy(udev, dead);
	if (!uio_dmabuf_wait_inflight(udev, UIO_DMABUF_NOTIFY_WAIT))
		dev_warn(udev->dev, "%s: an exporter is still mapping or unmapping a buffer for the device; its DMA is stopped, and the import is undone when the exporter returns\n",
			 udev->name);
	uio_dmabuf_unbind_revoked_vectors(udev);
}

/*
 * Whether the device that @action is about ends the isolation of @udev, a
 * bound device of its IOMMU group: a kernel driver binding to it, its joining
 * the group at all when @udev's DMA cannot be stopped, or firmware ranges it
 * brings along (see uio_dmabuf_check_direct()), which the IOMMU core
 * identity-maps in the group's domain when the device joins the group. Under
 * the device lock. A device unbind has disconnected (dead) is revoked for
 * good, and its domain, which may be freed, is not read.
 */
static bool uio_dmabuf_notify_ends(struct uio_dmabuf_dev *udev, struct device *dev,
				   unsigned long action)
{
	bool direct = udev->direct;

	lockdep_assert_held(&udev->lock);
	if (udev->dead)
		return false;
	if (action == BUS_NOTIFY_BIND_DRIVER && uio_dmabuf_kernel_dma(dev, dev->driver)) {
		if (udev->nr_active)
			dev_warn(udev->dev, "%s: driver %s binds to %s in IOMMU group %d: DMA stopped, imports revoked\n",
				 udev->name, dev->driver->name, dev_name(dev),
				 iommu_group_id(udev->group));
		return true;
	}
	uio_dmabuf_check_direct(udev);
	/*
	 * A device whose DMA cannot be stopped shares its group with no other
	 * (uio_dmabuf_check_sibling()): one joining it ends the isolation now,
	 * before a driver binds to it.
	 */
	if (action == BUS_NOTIFY_ADD_DEVICE && !udev->ops->set_dma_enabled && dev != udev->dev) {
		if (udev->nr_active)
			dev_warn(udev->dev, "%s: %s joined IOMMU group %d, and the device's DMA has no switch: imports revoked, the device reset if it can be\n",
				 udev->name, dev_name(dev), iommu_group_id(udev->group));
		return true;
	}
	if (direct || !udev->direct)
		return false;
	if (udev->nr_active)
		dev_warn(udev->dev, "%s: %s joined IOMMU group %d with a firmware range: DMA stopped, imports revoked\n",
			 udev->name, dev_name(dev), iommu_group_id(udev->group));
	return true;
}

/**
 * uio_dmabuf_bus_notify() - a device of a bound device's group is added or bound
 * @nb:     the bus's notifier block
 * @action: BUS_NOTIFY_*; BUS_NOTIFY_ADD_DEVICE and BUS_NOTIFY_BIND_DRIVER are acted on
 * @data:   the device
 *
 * A kernel driver is binding to @data (the IOMMU core has just counted it as
 * a user of the group's DMA domain, and it has not probed yet), or @data
 * joined the group with firmware ranges the IOMMU core keeps identity-mapped
 * in the group's domain, or joined the group of a device whose DMA cannot be
 * stopped: any such uio_dmabuf device of the group is no longer isolated, so
 * stop its DMA (or reset it) and revoke its imports before that driver maps
 * anything, and unbind the MSI-X vectors of the revoked files. Each device is
 * stopped and revoked under uio_dmabuf_devs_lock, then unmapped without it
 * (see uio_dmabuf_notify_finish()), waiting at most UIO_DMABUF_NOTIFY_WAIT for
 * imports an exporter has not finished mapping, or another notification has
 * not finished unmapping. The walk, taken up again after each such device,
 * goes through the devices in the order they were listed.
 *
 * Return: NOTIFY_DONE.
 */
int uio_dmabuf_bus_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct device *dev = data;
	struct uio_dmabuf_dev *udev;
	struct iommu_group *group;
	LIST_HEAD(dead);
	u64 done = 0;
	bool ends;

	if (action != BUS_NOTIFY_BIND_DRIVER && action != BUS_NOTIFY_ADD_DEVICE)
		return NOTIFY_DONE;
	group = iommu_group_get(dev);
	if (!group)
		return NOTIFY_DONE;
	mutex_lock(&uio_dmabuf_devs_lock);
again:
	list_for_each_entry(udev, &uio_dmabuf_devs, node) {
		if (udev->serial <= done || udev->group != group)
			continue;
		done = udev->serial;
		mutex_lock(&udev->lock);
		ends = uio_dmabuf_notify_ends(udev, dev, action);
		if (ends)
			uio_dmabuf_revoke_locked(udev, &dead);
		mutex_unlock(&udev->lock);
		if (!ends)
			continue;
		/* The list may change meanwhile: look again from its start. */
		kref_get(&udev->ref);
		mutex_unlock(&uio_dmabuf_devs_lock);
		uio_dmabuf_notify_finish(udev, &dead);
		uio_dmabuf_dev_put(udev);
		mutex_lock(&uio_dmabuf_devs_lock);
		goto again;
	}
	mutex_unlock(&uio_dmabuf_devs_lock);
	iommu_group_put(group);
	return NOTIFY_DONE;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_bus_notify);

static struct notifier_block uio_dmabuf_platform_nb = {
	.notifier_call = uio_dmabuf_bus_notify,
};

static void uio_dmabuf_release_tail(void *tail)
{
	release_resource(tail);
	kfree(tail);
}

/**
 * uio_dmabuf_irq_gate_init() - initialise an interrupt gate, open
 * @gate: the gate
 */
void uio_dmabuf_irq_gate_init(struct uio_dmabuf_irq_gate *gate)
{
	spin_lock_init(&gate->lock);
	gate->disabled = false;
}

/**
 * uio_dmabuf_irq_gate_close() - disable @irq from its own handler, once
 * @gate: the gate of @irq
 * @irq:  the interrupt
 */
void uio_dmabuf_irq_gate_close(struct uio_dmabuf_irq_gate *gate, int irq)
{
	spin_lock(&gate->lock);
	if (!gate->disabled) {
		gate->disabled = true;
		disable_irq_nosync(irq);
	}
	spin_unlock(&gate->lock);
}

/**
 * uio_dmabuf_irq_gate_control() - a UIO irqcontrol: enable (@on) or disable @irq
 * @gate: the gate of @irq
 * @irq:  the interrupt
 * @on:   what user space wrote to /dev/uioN: true for 1
 *
 * Enabling an enabled or disabling a disabled interrupt does nothing. An
 * interrupt that fired while disabled is replayed when it is enabled.
 */
void uio_dmabuf_irq_gate_control(struct uio_dmabuf_irq_gate *gate, int irq, bool on)
{
	unsigned long flags;

	spin_lock_irqsave(&gate->lock, flags);
	if (on && gate->disabled) {
		gate->disabled = false;
		enable_irq(irq);
	} else if (!on && !gate->disabled) {
		gate->disabled = true;
		disable_irq_nosync(irq);
	}
	spin_unlock_irqrestore(&gate->lock, flags);
}

/**
 * uio_dmabuf_fill_mem() - describe a memory resource as a UIO map, if safe
 * @dev:  the bound device; a reservation made here is released at its unbind
 * @mem:  the UIO map to fill
 * @res:  the resource: a memory BAR, or a platform device's memory resource
 * @name: the map's name
 *
 * User space maps whole pages. A resource that starts inside a page would
 * expose whatever precedes it; one that ends inside a page exposes what
 * follows, unless the rest of that page is reserved for it, as vfio-pci does.
 * Such resources are not offered.
 *
 * Return: true when @mem describes @res, false when @res is not mappable.
 */
bool uio_dmabuf_fill_mem(struct device *dev, struct uio_mem *mem, struct resource *res,
			 const char *name)
{
	resource_size_t size = resource_size(res);
	struct resource *tail;

	if (!size || !PAGE_ALIGNED(res->start))
		goto refuse;
	if (!PAGE_ALIGNED(size)) {
		if (!res->parent)
			goto refuse;
		tail = kzalloc_obj(*tail);
		if (!tail)
			goto refuse;
		tail->name = "uio_dmabuf sub-page reserved";
		tail->start = res->end + 1;
		tail->end = res->start + PAGE_ALIGN(size) - 1;
		tail->flags = res->flags;
		if (request_resource(res->parent, tail)) {
			kfree(tail);
			goto refuse;
		}
		if (devm_add_action_or_reset(dev, uio_dmabuf_release_tail, tail))
			goto refuse;
	}
	mem->memtype = UIO_MEM_PHYS;
	mem->addr = res->start;
	mem->offs = 0;
	mem->size = PAGE_ALIGN(size);
	mem->name = name;
	return true;

refuse:
	dev_info(dev, "%pR: not page-aligned and the rest of its page is not its own: not offered as a UIO map\n",
		 res);
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_fill_mem);

static struct uio_dmabuf_dev *
uio_dmabuf_dev_alloc(struct device *dev, int index, const struct uio_dmabuf_bus_ops *ops,
		     void *priv)
{
	struct uio_dmabuf_dev *udev;

	udev = kzalloc_obj(*udev);
	if (!udev)
		return NULL;
	if (uio_dmabuf_buffers_init(udev)) {
		kfree(udev);
		return NULL;
	}
	kref_init(&udev->ref);
	mutex_init(&udev->lock);
	mutex_init(&udev->vectors_lock);
	init_waitqueue_head(&udev->poll_wait);
	INIT_LIST_HEAD(&udev->files);
	atomic_set(&udev->inflight, 0);
	udev->dev = get_device(dev);
	udev->ops = ops;
	udev->priv = priv;
	udev->index = index;
	udev->group = iommu_group_get(dev);
	if (udev->group) {
		struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

		if (domain && (domain->type & __IOMMU_DOMAIN_PAGING))
			udev->domain = domain;
	}
	ratelimit_state_init(&udev->refusals, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	snprintf(udev->name, sizeof(udev->name), "uio-dmabuf%d", index);
	return udev;
}

/* The 32-bit DMA mask and the largest max segment size, the old ones saved. */
static int uio_dmabuf_setup_dma(struct uio_dmabuf_dev *udev)
{
	struct device *dev = udev->dev;
	int ret;

	udev->saved_dma_mask = *dev->dma_mask;
	udev->saved_coherent_mask = dev->coherent_dma_mask;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(UIO_DMABUF_DEFAULT_MASK_BITS));
	if (ret) {
		dev_err(dev, "cannot set a %d-bit DMA mask: %d\n",
			UIO_DMABUF_DEFAULT_MASK_BITS, ret);
		return ret;
	}
	udev->dma_mask_bits = UIO_DMABUF_DEFAULT_MASK_BITS;
	if (dev->dma_parms) {
		udev->saved_max_seg_size = dma_get_max_seg_size(dev);
		dma_set_max_seg_size(dev, UIO_DMABUF_MAX_SEG_SIZE);
	}
	return 0;
}

/**
 * uio_dmabuf_register() - give a bound device its import node
 * @dev:   the hardware device; its driver data becomes the returned device
 * @index: N of the device's /dev/uioN, used for /dev/uio-dmabufN
 * @ops:   the bus glue's callbacks
 * @priv:  argument to @ops
 * @irqs:  the device's interrupts, or NULL for none
 *
 * Sets a 32-bit DMA mask and the largest max segment size (the bus default,
 * 64 KiB on PCI, would split every mapping), both restored by
 * uio_dmabuf_unregister(); resets the device with the glue's @ops->reset (the
 * caller holds the device lock), which decides whether it is reset between
 * users and can be isolated at all; adds the uio_dmabuf/ sysfs group and the
 * debugfs listing, and registers the node.
 *
 * Return: the new device, or an ERR_PTR.
 */
struct uio_dmabuf_dev *
uio_dmabuf_register(struct device *dev, int index, const struct uio_dmabuf_bus_ops *ops,
		    void *priv, const struct uio_dmabuf_irqs *irqs)
{
	struct uio_dmabuf_dev *udev;
	int ret;

	if (!dev->dma_mask)
		return ERR_PTR(dev_err_probe(dev, -EIO, "no DMA mask: the device cannot do DMA\n"));
	udev = uio_dmabuf_dev_alloc(dev, index, ops, priv);
	if (!udev)
		return ERR_PTR(-ENOMEM);
	ret = uio_dmabuf_vectors_init(udev, irqs);
	if (ret)
		goto put;
	ret = uio_dmabuf_setup_dma(udev);
	if (ret)
		goto put;
	uio_dmabuf_check_direct(udev);
	dev_set_drvdata(dev, udev);
	/*
	 * A reset that works now is what makes the device isolable; one that
	 * found a lock busy is retried by the first writable open.
	 */
	if (ops->reset) {
		ret = ops->reset(priv, true);
		udev->reset_works = !ret || ret == -EAGAIN;
		udev->needs_reset = ret == -EAGAIN;
		if (!udev->reset_works)
			dev_info(dev, "%s: no reset of the device alone (%d): not isolated, only unsafe use\n",
				 udev->name, ret);
	}
	ret = uio_dmabuf_sysfs_add(udev);
	if (ret)
		goto restore;

	/* Listed before the node exists, so no open can miss a sibling's bind. */
	mutex_lock(&uio_dmabuf_devs_lock);
	udev->serial = ++uio_dmabuf_serial;
	list_add_tail(&udev->node, &uio_dmabuf_devs);
	mutex_unlock(&uio_dmabuf_devs_lock);

	ret = uio_dmabuf_node_register(udev);
	if (ret)
		goto unlist;
	dev_dbg(dev, "%s: isolation flags %#x\n", udev->name, uio_dmabuf_isolation(udev, NULL));
	return udev;

unlist:
	mutex_lock(&uio_dmabuf_devs_lock);
	list_del(&udev->node);
	mutex_unlock(&uio_dmabuf_devs_lock);
	uio_dmabuf_sysfs_remove(udev);
restore:
	uio_dmabuf_restore_dma(udev);
put:
	dev_set_drvdata(dev, NULL);
	uio_dmabuf_dev_put(udev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_register);

/**
 * uio_dmabuf_disconnect() - stop the device's DMA and revoke every import for good
 * @udev: the device
 *
 * The first step of the unbind, taken while the device still owns its DMA:
 * from the glue's remove callback, before the driver core gives the device's
 * DMA ownership up (and another driver of the IOMMU group could claim it).
 * The device's DMA is stopped first; then every import of every open file is
 * unmapped, unpinned, detached and put, every MSI-X vector unbound from its
 * eventfd, and the device reset (see uio_dmabuf_reset_locked()); the caller
 * holds the device's driver-core lock. Files still open answer ENODEV from
 * here on. Calling it again does nothing.
 */
void uio_dmabuf_disconnect(struct uio_dmabuf_dev *udev)
{
	LIST_HEAD(dead);
	bool was_dead;

	mutex_lock(&udev->lock);
	was_dead = udev->dead;
	WRITE_ONCE(udev->dead, true);
	uio_dmabuf_revoke_locked(udev, &dead);
	mutex_unlock(&udev->lock);
	uio_dmabuf_destroy(udev, &dead);
	/* Imports still mapping see the device dead, unmap and leave. */
	uio_dmabuf_wait_inflight(udev, MAX_SCHEDULE_TIMEOUT);
	/* Before the glue frees the MSI-X vectors. */
	uio_dmabuf_unbind_vectors(udev, NULL);
	/* No engine state reaches the driver bound next. */
	if (!was_dead) {
		mutex_lock(&udev->lock);
		uio_dmabuf_reset_locked(udev, true);
		mutex_unlock(&udev->lock);
	}
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_disconnect);

/**
 * uio_dmabuf_unregister() - revoke every import and remove the import node
 * @udev: the device, as uio_dmabuf_register() returned it
 *
 * Disconnects the device (see uio_dmabuf_disconnect()), removes its node, and
 * restores its DMA masks and max segment size. @udev lives until the last open
 * file is closed.
 */
void uio_dmabuf_unregister(struct uio_dmabuf_dev *udev)
{
	misc_deregister(&udev->misc);

	mutex_lock(&uio_dmabuf_devs_lock);
	list_del(&udev->node);
	mutex_unlock(&uio_dmabuf_devs_lock);

	uio_dmabuf_disconnect(udev);

	uio_dmabuf_sysfs_remove(udev);
	uio_dmabuf_restore_dma(udev);
	dev_set_drvdata(udev->dev, NULL);
	uio_dmabuf_dev_put(udev);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_unregister);

static void uio_dmabuf_unregister_action(void *udev)
{
	uio_dmabuf_unregister(udev);
}

/**
 * devm_uio_dmabuf_register() - register a device's UIO device and import node
 * @dev:  the device being probed
 * @info: its UIO device, described by the bus glue
 * @ops:  the bus glue's callbacks
 * @priv: argument to @ops
 * @irqs: the device's interrupts, or NULL for none
 *
 * The common tail of both glues' probe: registers @info, then the import node
 * /dev/uio-dmabufN with the N of /dev/uioN (see uio_dmabuf_register()). Both
 * go when the driver unbinds, the import node first. The glue's remove
 * callback must call uio_dmabuf_disconnect() first: devm runs only after the
 * device has given up its DMA ownership.
 *
 * Return: 0 or a negative errno.
 */
int devm_uio_dmabuf_register(struct device *dev, struct uio_info *info,
			     const struct uio_dmabuf_bus_ops *ops, void *priv,
			     const struct uio_dmabuf_irqs *irqs)
{
	struct uio_dmabuf_dev *udev;
	int ret;

	ret = devm_uio_register_device(dev, info);
	if (ret)
		return ret;
	udev = uio_dmabuf_register(dev, info->uio_dev->minor, ops, priv, irqs);
	if (IS_ERR(udev))
		return PTR_ERR(udev);
	return devm_add_action_or_reset(dev, uio_dmabuf_unregister_action, udev);
}

static int __init uio_dmabuf_init(void)
{
	int ret;

	ret = bus_register_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
	if (ret)
		return ret;
	uio_dmabuf_debugfs_init();
	ret = uio_dmabuf_pci_init();
	if (ret)
		goto debugfs;
	ret = uio_dmabuf_platform_init();
	if (ret)
		goto pci_exit;
	return 0;

pci_exit:
	uio_dmabuf_pci_exit();
debugfs:
	uio_dmabuf_debugfs_exit();
	bus_unregister_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
	return ret;
}

static void __exit uio_dmabuf_exit(void)
{
	uio_dmabuf_platform_exit();
	uio_dmabuf_pci_exit();
	uio_dmabuf_debugfs_exit();
	bus_unregister_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
}

module_init(uio_dmabuf_init);
module_exit(uio_dmabuf_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("UIO driver importing dma-bufs and reporting their DMA addresses");
MODULE_IMPORT_NS("DMA_BUF");
