// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf trust boundary: when a device is isolated, and who may open the
 * import node of one that is not.
 *
 * A device is isolated when its DMA goes through a strict DMA API domain, no
 * other device of its IOMMU group has a driver doing DMA of its own, and MSI
 * writes are isolated by interrupt remapping. The node of an isolated device is
 * governed by its file permissions; any other device is treated as VFIO treats
 * a device without an IOMMU.
 */

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "uio_dmabuf_priv.h"

/* Set once the first unsafe open has tainted the kernel. */
static atomic_t uio_dmabuf_tainted = ATOMIC_INIT(0);

/**
 * struct uio_dmabuf_group_owner - who uses an IOMMU group through uio_dmabuf
 * @node:  entry in uio_dmabuf_owners
 * @group: the group; the devices of the files counted in @files hold it
 * @uid:   fsuid of the opener of the first of those files
 * @index: N of the node that file opened, for the log
 * @files: isolated open files of any node of the group
 */
struct uio_dmabuf_group_owner {
	struct list_head node;
	struct iommu_group *group;
	kuid_t uid;
	int index;
	unsigned int files;
};

/*
 * Protects uio_dmabuf_owners and every owner's count. Taken under a device's
 * lock (at open), never the other way round.
 */
static DEFINE_MUTEX(uio_dmabuf_owners_lock);
static LIST_HEAD(uio_dmabuf_owners);

static struct uio_dmabuf_group_owner *uio_dmabuf_find_owner(struct iommu_group *group)
{
	struct uio_dmabuf_group_owner *owner;

	lockdep_assert_held(&uio_dmabuf_owners_lock);
	list_for_each_entry(owner, &uio_dmabuf_owners, node)
		if (owner->group == group)
			return owner;
	return NULL;
}

/**
 * uio_dmabuf_group_claim() - make an isolated file's opener the group's owner
 * @udev: the device, its lock held
 * @file: the file being opened, isolated or not
 *
 * The devices of an IOMMU group share one IOVA space: a user who can program
 * one of them reaches every import of the others. As VFIO makes the group the
 * unit of ownership, while an isolated file of any uio_dmabuf node of a group
 * is open, another isolated file of the group may be opened only with the
 * same fsuid (root is no exception). Files opened by the unsafe no-IOMMU rule
 * (CAP_SYS_RAWIO, which reaches all memory anyway) take no part.
 *
 * Return: 0, -EBUSY (the group is another user's) or -ENOMEM.
 */
int uio_dmabuf_group_claim(struct uio_dmabuf_dev *udev, struct uio_dmabuf_file *file)
{
	struct uio_dmabuf_group_owner *owner;
	kuid_t uid = current_fsuid();
	int ret = 0;

	lockdep_assert_held(&udev->lock);
	if (!file->isolated)
		return 0;
	mutex_lock(&uio_dmabuf_owners_lock);
	owner = uio_dmabuf_find_owner(udev->group);
	if (owner && !uid_eq(owner->uid, uid)) {
		if (__ratelimit(&udev->refusals))
			dev_warn(udev->dev, "%s: IOMMU group %d is in use by uid %u (through uio-dmabuf%d): open by uid %u (%s:%d) refused\n",
				 udev->name, iommu_group_id(udev->group),
				 from_kuid(&init_user_ns, owner->uid), owner->index,
				 from_kuid(&init_user_ns, uid), current->comm,
				 task_pid_nr(current));
		ret = -EBUSY;
		goto unlock;
	}
	if (!owner) {
		owner = kzalloc_obj(*owner);
		if (!owner) {
			ret = -ENOMEM;
			goto unlock;
		}
		owner->group = udev->group;
		owner->uid = uid;
		owner->index = udev->index;
		list_add(&owner->node, &uio_dmabuf_owners);
	}
	owner->files++;
	file->owner = owner;
unlock:
	mutex_unlock(&uio_dmabuf_owners_lock);
	return ret;
}

/**
 * uio_dmabuf_group_release() - give back what uio_dmabuf_group_claim() took
 * @file: the file being closed
 *
 * The last isolated file of a group to close frees the group for any user.
 */
void uio_dmabuf_group_release(struct uio_dmabuf_file *file)
{
	struct uio_dmabuf_group_owner *owner = file->owner;

	if (!owner)
		return;
	mutex_lock(&uio_dmabuf_owners_lock);
	if (!--owner->files) {
		list_del(&owner->node);
		kfree(owner);
	}
	mutex_unlock(&uio_dmabuf_owners_lock);
	file->owner = NULL;
}

/**
 * uio_dmabuf_group_owner() - who owns a device's IOMMU group now
 * @udev: the device
 * @uid:  receives the owner's fsuid
 *
 * Return: true when an isolated file of the group is open.
 */
bool uio_dmabuf_group_owner(struct uio_dmabuf_dev *udev, kuid_t *uid)
{
	struct uio_dmabuf_group_owner *owner;

	if (!udev->group)
		return false;
	mutex_lock(&uio_dmabuf_owners_lock);
	owner = uio_dmabuf_find_owner(udev->group);
	if (owner)
		*uid = owner->uid;
	mutex_unlock(&uio_dmabuf_owners_lock);
	return owner;
}

/**
 * uio_dmabuf_kernel_dma() - whether a driver does DMA of its own
 * @dev: the device
 * @drv: the driver bound (or binding) to @dev, or NULL
 *
 * Whether @drv does DMA of its own through the IOMMU group's DMA API domain,
 * as the IOMMU core decides it: every driver but this module's own (by
 * identity: any module may register a driver of our name on another bus) and
 * those that declare driver_managed_dma (pcieport, pci-stub, vfio-pci). A
 * device of another bus counts as doing DMA.
 *
 * Return: true when it does.
 */
bool uio_dmabuf_kernel_dma(struct device *dev, struct device_driver *drv)
{
	if (!drv || uio_dmabuf_pci_is_ours(drv) || uio_dmabuf_platform_is_ours(drv))
		return false;
	if (dev_is_pci(dev))
		return !to_pci_driver(drv)->driver_managed_dma;
	if (dev_is_platform(dev))
		return !to_platform_driver(drv)->driver_managed_dma;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_kernel_dma);

struct uio_dmabuf_sibling_walk {
	struct device *self;
	bool stoppable;		/* the bus glue can stop the device's DMA */
	struct device *culprit;
};

/*
 * A sibling makes the group not viable when its driver does DMA of its own,
 * when it sits on a bus whose binds the notifier does not see (PCI and
 * platform only), or at all when our device's DMA cannot be stopped: a driver
 * binding to it later could not be protected by revoking.
 */
static int uio_dmabuf_check_sibling(struct device *dev, void *data)
{
	struct uio_dmabuf_sibling_walk *walk = data;

	if (dev == walk->self)
		return 0;
	if (walk->stoppable && (dev_is_pci(dev) || dev_is_platform(dev)) &&
	    !uio_dmabuf_kernel_dma(dev, READ_ONCE(dev->driver)))
		return 0;
	walk->culprit = get_device(dev);
	return 1;
}

/**
 * uio_dmabuf_domain_conditions() - the isolation conditions the IOMMU gives
 * @udev: the device
 * @msi:  look at the MSI isolation of the group too (takes the group's lock)
 *
 * Return: 0 when no IOMMU domain translates the device's DMA; else
 * UIO_DMABUF_INFO_IOMMU, with UIO_DMABUF_INFO_STRICT for a strict DMA API
 * domain and, if @msi, UIO_DMABUF_INFO_MSI_ISOLATED when the group's MSI
 * writes are isolated.
 */
u32 uio_dmabuf_domain_conditions(struct uio_dmabuf_dev *udev, bool msi)
{
	struct iommu_domain *domain;
	u32 flags = UIO_DMABUF_INFO_IOMMU;

	/* KUnit's devices have no IOMMU: its cases stand in for one. */
	KUNIT_STATIC_STUB_REDIRECT(uio_dmabuf_domain_conditions, udev, msi);
	domain = udev->domain;
	if (!domain)
		return 0;
	if (READ_ONCE(domain->type) == IOMMU_DOMAIN_DMA)
		flags |= UIO_DMABUF_INFO_STRICT;
	if (msi && iommu_group_has_isolated_msi(udev->group))
		flags |= UIO_DMABUF_INFO_MSI_ISOLATED;
	return flags;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_domain_conditions);

/**
 * uio_dmabuf_isolation() - the isolation conditions a device meets now
 * @udev:    the device
 * @sibling: if not NULL, receives a reference to the first device of the IOMMU
 *           group whose driver does kernel DMA (NULL if there is none); the
 *           caller puts it
 *
 * The device is isolated when its DMA goes through a strict DMA API domain
 * (lazy flush queues leave unmapped pages reachable for a while), no other
 * device of its IOMMU group has a driver doing DMA of its own (they would
 * share the domain; a device whose DMA cannot be stopped must be alone in its
 * group), MSI writes are isolated by interrupt remapping, and the device can
 * be reset between users (see uio_dmabuf_reset_locked()), and firmware keeps
 * no range of the domain identity-mapped (see uio_dmabuf_check_direct()).
 * Without translation none of the first three holds.
 *
 * Return: UIO_DMABUF_INFO_* flags; UIO_DMABUF_INFO_ISOLATED when all hold.
 */
u32 uio_dmabuf_isolation(struct uio_dmabuf_dev *udev, struct device **sibling)
{
	u32 iommu_flags = uio_dmabuf_domain_conditions(udev, true);
	struct uio_dmabuf_sibling_walk walk = {
		.self = udev->dev,
		.stoppable = udev->ops->set_dma_enabled,
	};
	u32 flags = udev->reset_works ? UIO_DMABUF_INFO_RESET : 0;

	if (sibling)
		*sibling = NULL;
	if (!iommu_flags || !udev->group)
		return flags;
	flags |= iommu_flags;
	iommu_group_for_each_dev(udev->group, &walk, uio_dmabuf_check_sibling);
	if (!walk.culprit)
		flags |= UIO_DMABUF_INFO_VIABLE;
	else if (sibling)
		*sibling = walk.culprit;
	else
		put_device(walk.culprit);
	if (!udev->direct)
		flags |= UIO_DMABUF_INFO_NO_DIRECT;
	if (flags == UIO_DMABUF_INFO_CONDITIONS)
		flags |= UIO_DMABUF_INFO_ISOLATED;
	return flags;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_isolation);

/**
 * uio_dmabuf_check_direct() - note whether firmware keeps ranges of the domain
 * @udev: the device, being bound or opened
 *
 * Reserved regions of type direct (ACPI RMRR and IVMD, device-tree
 * iommu-addresses), relaxable ones too (USB and graphics RMRRs), of any
 * device of the group stay identity-mapped in the group's default domain,
 * which is the one the device uses: it could reach that memory whatever the
 * driver maps, so it is not isolated. (VFIO may leave the relaxable ones out
 * because it attaches a domain of its own.) Looked at when the device is
 * bound, when a device joins the group or a driver binds in it (the bus
 * notifier, which revokes the device's imports if a range appeared), and at
 * each open; once seen, a range stays: removing its device does not unmap it.
 */
void uio_dmabuf_check_direct(struct uio_dmabuf_dev *udev)
{
	struct iommu_resv_region *region, *next;
	LIST_HEAD(regions);
	int ret;

	/* KUnit has no IOMMU driver to report ranges: its cases stand in. */
	KUNIT_STATIC_STUB_REDIRECT(uio_dmabuf_check_direct, udev);
	if (udev->direct || !udev->domain)
		return;
	ret = iommu_get_group_resv_regions(udev->group, &regions);
	if (ret) {
		dev_warn(udev->dev, "%s: reserved regions of IOMMU group %d unknown (%d): not isolated\n",
			 udev->name, iommu_group_id(udev->group), ret);
		udev->direct = true;
	}
	list_for_each_entry_safe(region, next, &regions, list) {
		if ((region->type == IOMMU_RESV_DIRECT ||
		     region->type == IOMMU_RESV_DIRECT_RELAXABLE) && !udev->direct) {
			dev_info(udev->dev, "%s: firmware keeps IOVA %pa (%zu bytes) of IOMMU group %d identity-mapped: not isolated\n",
				 udev->name, &region->start, region->length,
				 iommu_group_id(udev->group));
			udev->direct = true;
		}
		kfree(region);
	}
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_check_direct);

/**
 * uio_dmabuf_isolation_now() - uio_dmabuf_isolation() for a reader of sysfs
 * @udev: the device
 *
 * The attribute outlives the device's DMA ownership: the driver core gives
 * that up after .remove and removes the attribute (devres) only after that,
 * when another driver of the group may already have the domain freed. Once
 * the device is unbound (dead, under its lock) no domain is read.
 *
 * Return: the flags, or 0 once the device is unbound.
 */
u32 uio_dmabuf_isolation_now(struct uio_dmabuf_dev *udev)
{
	u32 flags = 0;

	mutex_lock(&udev->lock);
	if (!udev->dead)
		flags = uio_dmabuf_isolation(udev, NULL);
	mutex_unlock(&udev->lock);
	return flags;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_isolation_now);

/**
 * uio_dmabuf_recheck_locked() - revoke a device whose file finds it no longer strict
 * @file: an open file of the device; the device lock is held
 * @dead: where the revoked imports go, for uio_dmabuf_destroy()
 *
 * Return: whether it revoked the device; if so, once it holds no lock, the
 * caller unbinds the revoked files' vectors (uio_dmabuf_unbind_revoked_vectors()).
 */
bool uio_dmabuf_recheck_locked(struct uio_dmabuf_file *file, struct list_head *dead)
{
	struct uio_dmabuf_dev *udev = file->udev;

	lockdep_assert_held(&udev->lock);
	if (file->revoked || !uio_dmabuf_lost_strict(file))
		return false;
	dev_warn(udev->dev,
		 "%s: IOMMU group %d no longer has a strict DMA domain: DMA stopped, imports revoked\n",
		 udev->name, iommu_group_id(udev->group));
	uio_dmabuf_revoke_locked(udev, dead);
	return true;
}

/**
 * uio_dmabuf_lock_dev() - take the device lock for an ioctl on one of its files
 * @file: the open file
 *
 * Called with no lock held: a revocation it finds and does unmaps, and unbinds
 * the revoked files' vectors, after it lets go of the device lock.
 *
 * Return: 0 with the device lock held; -ENODEV, lock not held, once the device
 * is unbound or @file revoked (which this may find and do, see
 * uio_dmabuf_recheck_locked()).
 */
int uio_dmabuf_lock_dev(struct uio_dmabuf_file *file)
{
	struct uio_dmabuf_dev *udev = file->udev;
	LIST_HEAD(dead);
	bool revoked;

	lockdep_assert_not_held(&udev->vectors_lock);
	mutex_lock(&udev->lock);
	revoked = uio_dmabuf_recheck_locked(file, &dead);
	if (uio_dmabuf_file_gone_locked(file)) {
		mutex_unlock(&udev->lock);
		uio_dmabuf_destroy(udev, &dead);
		if (revoked)
			uio_dmabuf_unbind_revoked_vectors(udev);
		return -ENODEV;
	}
	return 0;
}

/**
 * uio_dmabuf_lock_file_slow() - uio_dmabuf_lock_file() for a file it cannot pass at once
 * @file: the open file, its lock held
 *
 * Return: 0 with the file's lock held; -ENODEV, lock not held, once the
 * device is unbound or @file revoked (which this may find and do, see
 * uio_dmabuf_recheck_locked()).
 */
int uio_dmabuf_lock_file_slow(struct uio_dmabuf_file *file)
{
	int ret;

	for (;;) {
		if (file->revoked) {
			mutex_unlock(&file->lock);
			return -ENODEV;
		}
		if (!uio_dmabuf_lost_strict(file))
			return 0;
		/* Revocation takes the device lock, which nests outside this. */
		mutex_unlock(&file->lock);
		ret = uio_dmabuf_lock_dev(file);
		if (ret)
			return ret;
		mutex_unlock(&file->udev->lock);
		mutex_lock(&file->lock);
	}
}

/* One line per unmet condition, saying how an administrator meets it. */
static void uio_dmabuf_explain(struct uio_dmabuf_dev *udev, u32 flags, struct device *sibling)
{
	int group = udev->group ? iommu_group_id(udev->group) : -1;

	if (!(flags & UIO_DMABUF_INFO_IOMMU)) {
		dev_warn(udev->dev, "%s: no IOMMU translates the device's DMA (enable the IOMMU, e.g. intel_iommu=on)\n",
			 udev->name);
		return;
	}
	if (!(flags & UIO_DMABUF_INFO_STRICT))
		dev_warn(udev->dev, "%s: IOMMU group %d has a lazy DMA domain; make it strict: unbind the group's drivers, echo DMA > /sys/kernel/iommu_groups/%d/type, bind them again (or boot with iommu.strict=1)\n",
			 udev->name, group, group);
	if (!(flags & UIO_DMABUF_INFO_VIABLE))
		dev_warn(udev->dev, "%s: IOMMU group %d is shared with %s (driver %s), which does kernel DMA: unbind it, or bind it to uio_dmabuf, vfio-pci or pci-stub\n",
			 udev->name, group, sibling ? dev_name(sibling) : "another device",
			 sibling ? dev_driver_string(sibling) : "?");
	if (!(flags & UIO_DMABUF_INFO_MSI_ISOLATED))
		dev_warn(udev->dev, "%s: MSI writes of IOMMU group %d are not isolated: enable interrupt remapping\n",
			 udev->name, group);
	if (!(flags & UIO_DMABUF_INFO_NO_DIRECT))
		dev_warn(udev->dev, "%s: firmware keeps a range of IOMMU group %d identity-mapped (ACPI RMRR or IVMD, device-tree iommu-addresses), which the device could reach whatever is mapped: use a device without one\n",
			 udev->name, group);
	if (!(flags & UIO_DMABUF_INFO_RESET))
		dev_warn(udev->dev, "%s: the device has no reset method (FLR, PM reset, or a bus reset alone on its bus), so one user's DMA setup would reach the next: use a device or slot that has one\n",
			 udev->name);
}

/**
 * uio_dmabuf_reset_locked() - reset the device between two users
 * @udev:       the device, its lock held
 * @dev_locked: the caller holds the device's driver-core lock (bind, unbind)
 *
 * Called once the device's DMA is stopped and its imports are gone: when the
 * last writable file of the node closes, and at unbind; and, for a device
 * without a DMA switch, by a revocation before its imports are unmapped (see
 * uio_dmabuf_revoke_locked()). A DMA engine a user
 * left programmed must not resume when the next user, or a kernel driver,
 * turns bus mastering on. A reset that found a lock busy is retried by the
 * next writable open, which fails if the retry does; a device that can no
 * longer be reset alone (a function hot-added on its bus) is not isolated
 * from then on.
 *
 * Return: 0 when the device was reset or has no reset, else the glue's error.
 */
int uio_dmabuf_reset_locked(struct uio_dmabuf_dev *udev, bool dev_locked)
{
	int ret;

	lockdep_assert_held(&udev->lock);
	if (!udev->reset_works)
		return 0;
	ret = udev->ops->reset(udev->priv, dev_locked);
	udev->needs_reset = ret == -EAGAIN && !udev->dead;
	if (!ret)
		return 0;
	if (ret != -EAGAIN)
		udev->reset_works = false;
	if (udev->dead)
		dev_err(udev->dev, "%s: not reset at unbind (%d)\n", udev->name, ret);
	else if (udev->needs_reset)
		dev_warn_ratelimited(udev->dev, "%s: reset failed (%d): the next open tries again\n",
				     udev->name, ret);
	else
		dev_warn_ratelimited(udev->dev, "%s: the device cannot be reset alone any more (%d): not isolated\n",
				     udev->name, ret);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_reset_locked);

/*
 * Who may open the node. An isolated device's node is governed by its file
 * permissions. Anything else is treated as VFIO treats no-IOMMU devices: the
 * device can reach memory that is not its own, so only CAP_SYS_RAWIO may use
 * it, only when the administrator allowed it, every such open is logged, and
 * the first taints the kernel.
 */
int uio_dmabuf_admit_locked(struct uio_dmabuf_dev *udev, bool *isolated)
{
	struct device *sibling;
	u32 flags;
	int ret = 0;

	lockdep_assert_held(&udev->lock);
	uio_dmabuf_check_direct(udev);
	flags = uio_dmabuf_isolation(udev, &sibling);
	*isolated = flags & UIO_DMABUF_INFO_ISOLATED;
	if (*isolated)
		return 0;

	if (!READ_ONCE(uio_dmabuf_allow_unsafe) || !capable(CAP_SYS_RAWIO)) {
		/* Anyone who may open the node can get here: keep the log short. */
		if (__ratelimit(&udev->refusals)) {
			uio_dmabuf_explain(udev, flags, sibling);
			dev_warn(udev->dev, "%s: not isolated, open by %s:%d refused; unsafe use needs uio_dmabuf.allow_unsafe_noiommu=1 and CAP_SYS_RAWIO\n",
				 udev->name, current->comm, task_pid_nr(current));
		}
		ret = -EPERM;
		goto put;
	}
	dev_warn(udev->dev, "%s: not isolated (flags %#x), unsafe DMA opened by %s:%d\n",
		 udev->name, flags, current->comm, task_pid_nr(current));
	if (!atomic_xchg(&uio_dmabuf_tainted, 1)) {
		add_taint(TAINT_USER, LOCKDEP_STILL_OK);
		dev_warn(udev->dev, "%s: unsafe DMA without isolation: kernel tainted\n",
			 udev->name);
	}
put:
	put_device(sibling);
	return ret;
}
