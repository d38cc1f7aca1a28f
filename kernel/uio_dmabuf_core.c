// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf import core: the bus-independent half of the driver.
 *
 * Each bound device gets a misc device, /dev/uio-dmabufN, beside its /dev/uioN.
 * An open file of that node imports dma-bufs: attach (dynamic, peer-to-peer
 * allowed) -> pin -> map -> wait for the kernel fences, all under the buffer's
 * reservation lock, then the DMA segments are computed once into an array that
 * GET_SEGMENTS copies out without holding any dma-buf lock. Teardown is the
 * exact reverse. Closing the file releases its imports; unbinding the device
 * revokes every import of every file, after which the files answer ENODEV.
 */

#include <kunit/visibility.h>
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio_driver.h>

#include "uio_dmabuf_priv.h"

unsigned int uio_dmabuf_max_imports = 1024;
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_max_imports);
module_param_named(max_imports, uio_dmabuf_max_imports, uint, 0644);
MODULE_PARM_DESC(max_imports, "Most live imports per open file (default 1024)");

bool uio_dmabuf_allow_unsafe;
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_allow_unsafe);
module_param_named(allow_unsafe_noiommu, uio_dmabuf_allow_unsafe, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_noiommu,
		 "Allow the import node of devices that are not isolated (no IOMMU, lazy domain, shared group, MSI not isolated) to be opened with CAP_SYS_RAWIO; taints the kernel (default off)");

#define UIO_DMABUF_DEFAULT_MASK_BITS	32
#define UIO_DMABUF_MIN_MASK_BITS	12
#define UIO_DMABUF_MAX_MASK_BITS	64
/*
 * The max segment size set at bind: the largest whole number of pages whose
 * length fits in 32 bits (PCI's default of 64 KiB would split every mapping).
 */
#define UIO_DMABUF_MAX_SEG_SIZE		(UINT_MAX & PAGE_MASK)

static struct dentry *uio_dmabuf_debugfs_root;

/*
 * Protects uio_dmabuf_devs, the bound devices, which the bus notifier walks
 * when a kernel driver binds to a device of their IOMMU groups. Taken before
 * any device's lock.
 */
static DEFINE_MUTEX(uio_dmabuf_devs_lock);
static LIST_HEAD(uio_dmabuf_devs);

/* Set once the first unsafe open has tainted the kernel. */
static atomic_t uio_dmabuf_tainted = ATOMIC_INIT(0);

static void uio_dmabuf_dev_free(struct kref *ref)
{
	struct uio_dmabuf_dev *udev = container_of(ref, struct uio_dmabuf_dev, ref);

	if (udev->group)
		iommu_group_put(udev->group);
	put_device(udev->dev);
	xa_destroy(&udev->buffers);
	mutex_destroy(&udev->lock);
	kfree(udev);
}

static void uio_dmabuf_mapping_free(struct kref *ref)
{
	struct uio_dmabuf_mapping *map = container_of(ref, struct uio_dmabuf_mapping, ref);

	kvfree(map->segs);
	kfree(map);
}

/*
 * Whether @drv, bound to @dev, does DMA of its own through the IOMMU group's
 * DMA API domain, as the IOMMU core decides it: every driver but ours and
 * those that declare driver_managed_dma (pcieport, pci-stub, vfio-pci). A
 * device of another bus counts as doing DMA.
 */
static bool uio_dmabuf_kernel_dma(struct device *dev, struct device_driver *drv)
{
	if (!drv || !strcmp(drv->name, UIO_DMABUF_DRIVER_NAME))
		return false;
	if (dev_is_pci(dev))
		return !to_pci_driver(drv)->driver_managed_dma;
	if (dev_is_platform(dev))
		return !to_platform_driver(drv)->driver_managed_dma;
	return true;
}

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
 * group), and MSI writes are isolated by interrupt remapping.
 * Without translation none of the three holds.
 *
 * Return: UIO_DMABUF_INFO_* flags; UIO_DMABUF_INFO_ISOLATED when all hold.
 */
u32 uio_dmabuf_isolation(struct uio_dmabuf_dev *udev, struct device **sibling)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(udev->dev);
	struct uio_dmabuf_sibling_walk walk = {
		.self = udev->dev,
		.stoppable = udev->ops->set_dma_enabled,
	};
	u32 flags = 0;

	if (sibling)
		*sibling = NULL;
	if (!udev->group || !domain || !(domain->type & __IOMMU_DOMAIN_PAGING))
		return 0;
	flags |= UIO_DMABUF_INFO_IOMMU;
	if (READ_ONCE(domain->type) == IOMMU_DOMAIN_DMA)
		flags |= UIO_DMABUF_INFO_STRICT;
	iommu_group_for_each_dev(udev->group, &walk, uio_dmabuf_check_sibling);
	if (!walk.culprit)
		flags |= UIO_DMABUF_INFO_VIABLE;
	else if (sibling)
		*sibling = walk.culprit;
	else
		put_device(walk.culprit);
	if (iommu_group_has_isolated_msi(udev->group))
		flags |= UIO_DMABUF_INFO_MSI_ISOLATED;
	if (flags == UIO_DMABUF_INFO_CONDITIONS)
		flags |= UIO_DMABUF_INFO_ISOLATED;
	return flags;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_isolation);

static bool uio_dmabuf_domain_strict(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && READ_ONCE(domain->type) == IOMMU_DOMAIN_DMA;
}

/*
 * A lazy (flush-queue) domain keeps the IOTLB entries of an unmapped range
 * until a deferred flush, up to ~10 ms later, while the pages may be freed as
 * soon as the import lets go of them: flush now. Strict domains flushed in
 * the unmap already.
 */
static void uio_dmabuf_flush_lazy(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (domain && READ_ONCE(domain->type) == IOMMU_DOMAIN_DMA_FQ)
		iommu_flush_iotlb_all(domain);
}

/*
 * A dynamic exporter calls this when it wants to move the buffer. A pinned
 * buffer must not move, so an exporter that calls it for our attachments
 * anyway is ignored: the mapping stays as it is until it is released.
 */
static void uio_dmabuf_move_notify(struct dma_buf_attachment *attach)
{
	dev_warn_ratelimited(attach->dev,
			     "uio_dmabuf: move_notify on a pinned import ignored\n");
}

static const struct dma_buf_attach_ops uio_dmabuf_attach_ops = {
	.allow_peer2peer = true,
	.move_notify = uio_dmabuf_move_notify,
};

static void uio_dmabuf_uncharge(struct uio_dmabuf_mapping *map)
{
	if (!map->mm)
		return;
	/* An mm whose process has exited has no locked_vm left to correct. */
	if (mmget_not_zero(map->mm)) {
		account_locked_vm(map->mm, map->pages, false);
		mmput(map->mm);
	}
	mmdrop(map->mm);
	map->mm = NULL;
}

/* What the segment walk produces, and the limits it keeps. */
struct uio_dmabuf_walk {
	struct device *dev;
	u64 max_seg;			/* longest segment */
	u64 boundary;			/* no segment crosses a multiple of boundary + 1 */
	struct uio_dmabuf_segment *segs;	/* NULL: count only */
	long nr;			/* segments so far */
	bool needs_sync;		/* an entry needs dma_sync_*() */
};

/* Add @len bytes at DMA address @addr, merged into the last segment if they fit. */
static void uio_dmabuf_walk_add(struct uio_dmabuf_walk *w, struct uio_dmabuf_segment *cur,
				u64 addr, u64 len)
{
	while (len) {
		/* Bytes up to the next boundary, minus one: cannot overflow. */
		u64 chunk = min3(len - 1, w->max_seg - 1, w->boundary - (addr & w->boundary)) + 1;

		if (cur->length && addr > cur->dma_addr && addr - cur->dma_addr == cur->length &&
		    cur->length + chunk <= w->max_seg &&
		    (cur->dma_addr | w->boundary) == ((addr + chunk - 1) | w->boundary)) {
			cur->length += chunk;
		} else {
			if (cur->length && w->segs)
				w->segs[w->nr - 1] = *cur;
			cur->dma_addr = addr;
			cur->length = chunk;
			w->nr++;
		}
		addr += chunk;
		len -= chunk;
	}
}

/*
 * Walk the DMA side of @sgt for @size bytes: count the segments (DMA-adjacent
 * entries merged, none longer than the device's max segment size or crossing
 * its segment boundary), fill @w->segs when it is set, and note whether any
 * entry needs syncing. Returns 0, or -EINVAL when the table does not cover
 * @size bytes.
 */
static int uio_dmabuf_walk_segments(struct sg_table *sgt, u64 size, struct uio_dmabuf_walk *w)
{
	struct uio_dmabuf_segment cur = { };
	struct scatterlist *sg;
	u64 done = 0;
	int i;

	w->nr = 0;
	w->needs_sync = false;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 addr = sg_dma_address(sg);
		u64 len = min_t(u64, sg_dma_len(sg), size - done);
		u64 end;

		if (!len)
			break;
		if (check_add_overflow(addr, len - 1, &end))
			return -EINVAL;
		if (dma_need_sync(w->dev, addr))
			w->needs_sync = true;
		uio_dmabuf_walk_add(w, &cur, addr, len);
		done += len;
		if (done == size)
			break;
	}
	if (done != size)
		return -EINVAL;
	if (w->segs)
		w->segs[w->nr - 1] = cur;
	return 0;
}

static int uio_dmabuf_build_segments(struct uio_dmabuf_mapping *map)
{
	struct device *dev = map->attach->dev;
	struct uio_dmabuf_walk w = {
		.dev = dev,
		.max_seg = dma_get_max_seg_size(dev),
		.boundary = dma_get_seg_boundary(dev),
	};
	u64 size = map->dmabuf->size;
	int ret;

	ret = uio_dmabuf_walk_segments(map->sgt, size, &w);
	if (ret) {
		dev_warn_ratelimited(dev, "uio_dmabuf: exporter %s mapped less than its %llu bytes\n",
				     map->dmabuf->exp_name, size);
		return ret;
	}
	if (w.nr > U32_MAX)
		return -E2BIG;
	w.segs = kvmalloc_array(w.nr, sizeof(*w.segs), GFP_KERNEL_ACCOUNT);
	if (!w.segs)
		return -ENOMEM;
	uio_dmabuf_walk_segments(map->sgt, size, &w);
	map->segs = w.segs;
	map->nr_segs = w.nr;
	map->needs_sync = w.needs_sync;
	return 0;
}

static int uio_dmabuf_check_import(const struct uio_dmabuf_import *arg)
{
	if (arg->direction > UIO_DMABUF_DIR_FROM_DEVICE)
		return -EINVAL;
	if (arg->flags & ~UIO_DMABUF_IMPORT_VALID_FLAGS)
		return -EINVAL;
	/* The output fields may hold a previous call's results: ignored. */
	if (arg->reserved[0] || arg->reserved[1])
		return -EINVAL;
	return 0;
}

static enum dma_data_direction uio_dmabuf_dir(u32 direction)
{
	switch (direction) {
	case UIO_DMABUF_DIR_TO_DEVICE:
		return DMA_TO_DEVICE;
	case UIO_DMABUF_DIR_FROM_DEVICE:
		return DMA_FROM_DEVICE;
	default:
		return DMA_BIDIRECTIONAL;
	}
}

/*
 * Wait for the kernel fences of @resv (held), as RDMA does: the table is valid,
 * but the exporter may still be moving the contents into place. UIO cannot take
 * part in DMA fences, so none are added. The wait ends early, without a
 * result, on a signal, when the device goes away or the file is revoked.
 */
static int uio_dmabuf_wait_kernel_fences(struct uio_dmabuf_file *file, struct dma_resv *resv)
{
	long timeout;

	for (;;) {
		timeout = dma_resv_wait_timeout(resv, DMA_RESV_USAGE_KERNEL, true, HZ / 10);
		if (timeout > 0)
			return 0;
		if (timeout < 0)
			return -ERESTARTSYS;
		if (READ_ONCE(file->udev->dead) || READ_ONCE(file->revoked))
			return -ENODEV;
	}
}

/*
 * Attach, pin and map @map->dmabuf for the device and wait for its kernel
 * fences; on failure nothing of it is left. Takes the reservation lock, never
 * with the device lock held: no device-wide lock waits on an exporter.
 */
static int uio_dmabuf_map(struct uio_dmabuf_dev *udev,
			  struct uio_dmabuf_mapping *map, u32 flags)
{
	struct dma_buf *dmabuf = map->dmabuf;
	int ret;

	lockdep_assert_not_held(&udev->lock);
	map->attach = dma_buf_dynamic_attach(dmabuf, udev->dev,
					     &uio_dmabuf_attach_ops, map);
	if (IS_ERR(map->attach))
		return PTR_ERR(map->attach);

	/* -EINTR, as the fence wait's -ERESTARTSYS: nothing is left, restart. */
	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (ret) {
		ret = -ERESTARTSYS;
		goto detach;
	}
	ret = dma_buf_pin(map->attach);
	if (ret)
		goto unlock;
	map->sgt = dma_buf_map_attachment(map->attach, map->dir);
	if (IS_ERR(map->sgt)) {
		ret = PTR_ERR(map->sgt);
		goto unpin;
	}
	/* A table the dma-buf core cached at attach was mapped bidirectionally. */
	map->mapped_dir = map->attach->sgt ? map->attach->dir : map->dir;
	ret = uio_dmabuf_wait_kernel_fences(map->file, dmabuf->resv);
	if (ret)
		goto unmap;
	ret = uio_dmabuf_build_segments(map);
	if (ret)
		goto unmap;
	if ((flags & UIO_DMABUF_IMPORT_CONTIGUOUS) && map->nr_segs != 1) {
		ret = -E2BIG;
		goto free_segs;
	}
	if ((flags & UIO_DMABUF_IMPORT_COHERENT) && map->needs_sync) {
		ret = -EIO;
		goto free_segs;
	}
	dma_resv_unlock(dmabuf->resv);
	return 0;

free_segs:
	kvfree(map->segs);
	map->segs = NULL;
	map->nr_segs = 0;
unmap:
	dma_buf_unmap_attachment(map->attach, map->sgt, map->dir);
unpin:
	dma_buf_unpin(map->attach);
unlock:
	dma_resv_unlock(dmabuf->resv);
detach:
	dma_buf_detach(dmabuf, map->attach);
	uio_dmabuf_flush_lazy(udev->dev);
	return ret;
}

/* The exact reverse of uio_dmabuf_map(). */
static void uio_dmabuf_unmap(struct uio_dmabuf_mapping *map)
{
	struct device *dev = map->attach->dev;	/* the file may be gone */
	struct dma_buf *dmabuf = map->dmabuf;

	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_unmap_attachment(map->attach, map->sgt, map->dir);
	dma_buf_unpin(map->attach);
	dma_resv_unlock(dmabuf->resv);
	/* A table the core cached at attach is unmapped only here. */
	dma_buf_detach(dmabuf, map->attach);
	uio_dmabuf_flush_lazy(dev);
}

/*
 * @map leaves its file's count and goes onto @dead to be unmapped. It stays in
 * the buffer index (EBUSY, and the mask store's EBUSY) and counted in flight
 * (unbind waits) until uio_dmabuf_destroy() has unmapped it.
 */
static void uio_dmabuf_unlist_locked(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map,
				     struct list_head *dead)
{
	lockdep_assert_held(&udev->lock);
	map->file->nr_imports--;
	atomic_inc(&udev->inflight);
	list_move_tail(&map->node, dead);
}

static void uio_dmabuf_inflight_done(struct uio_dmabuf_dev *udev)
{
	if (atomic_dec_and_test(&udev->inflight))
		wake_up_var(&udev->inflight);
}

/*
 * Unmap, unpin, detach, uncharge and put every import on @dead, which left all
 * tables under the device lock; called without it (the unmap takes the
 * reservation lock, the uncharge mmap_lock).
 */
static void uio_dmabuf_destroy(struct uio_dmabuf_dev *udev, struct list_head *dead)
{
	struct uio_dmabuf_mapping *map, *next;

	lockdep_assert_not_held(&udev->lock);
	list_for_each_entry_safe(map, next, dead, node) {
		list_del(&map->node);
		uio_dmabuf_unmap(map);
		xa_erase(&udev->buffers, (unsigned long)map->dmabuf);
		uio_dmabuf_uncharge(map);
		dma_buf_put(map->dmabuf);
		kref_put(&map->ref, uio_dmabuf_mapping_free);
		uio_dmabuf_inflight_done(udev);
	}
}

/* Take every import of @file out of the tables, onto @dead. */
static void uio_dmabuf_release_all_locked(struct uio_dmabuf_dev *udev,
					  struct uio_dmabuf_file *file, struct list_head *dead)
{
	struct uio_dmabuf_mapping *map;
	unsigned long handle;

	xa_for_each(&file->handles, handle, map) {
		xa_erase(&file->handles, handle);
		uio_dmabuf_unlist_locked(udev, map, dead);
	}
}

/*
 * Stop the device's DMA, then take the imports of every open file onto @dead;
 * those files answer ENODEV from here on. Files opened later start afresh.
 */
static void uio_dmabuf_revoke_locked(struct uio_dmabuf_dev *udev, struct list_head *dead)
{
	struct uio_dmabuf_file *file;

	lockdep_assert_held(&udev->lock);
	if (udev->nr_active && udev->ops->set_dma_enabled)
		udev->ops->set_dma_enabled(udev->priv, false);
	udev->nr_active = 0;
	list_for_each_entry(file, &udev->files, node) {
		uio_dmabuf_release_all_locked(udev, file, dead);
		file->revoked = true;
	}
}

/**
 * uio_dmabuf_revoke() - stop a device's DMA and revoke the imports of all its files
 * @udev: the device
 *
 * Called when the device loses its isolation while its node is open. The open
 * files answer ENODEV from here on; new opens are judged afresh.
 */
void uio_dmabuf_revoke(struct uio_dmabuf_dev *udev)
{
	LIST_HEAD(dead);

	mutex_lock(&udev->lock);
	uio_dmabuf_revoke_locked(udev, &dead);
	mutex_unlock(&udev->lock);
	uio_dmabuf_destroy(udev, &dead);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_revoke);

/*
 * A file opened because its device was isolated may be used only while the
 * device stays so. A kernel driver binding to a group sibling revokes from the
 * bus notifier; a group switched to a lazy domain (sysfs allows DMA -> DMA-FQ
 * while drivers are bound, and tells no one) is caught here, before the file
 * can unmap anything with the device's DMA still on.
 */
static void uio_dmabuf_recheck_locked(struct uio_dmabuf_file *file, struct list_head *dead)
{
	struct uio_dmabuf_dev *udev = file->udev;

	lockdep_assert_held(&udev->lock);
	if (udev->dead || file->revoked || !file->isolated ||
	    uio_dmabuf_domain_strict(udev->dev))
		return;
	dev_warn(udev->dev,
		 "%s: IOMMU group %d no longer has a strict DMA domain: DMA stopped, imports revoked\n",
		 udev->name, iommu_group_id(udev->group));
	uio_dmabuf_revoke_locked(udev, dead);
}

/*
 * Take the device lock for an ioctl on @file. Fails with -ENODEV, lock not
 * held, once the device is unbound or @file revoked.
 */
static int uio_dmabuf_lock_file(struct uio_dmabuf_file *file)
{
	struct uio_dmabuf_dev *udev = file->udev;
	LIST_HEAD(dead);

	mutex_lock(&udev->lock);
	uio_dmabuf_recheck_locked(file, &dead);
	if (udev->dead || file->revoked) {
		mutex_unlock(&udev->lock);
		uio_dmabuf_destroy(udev, &dead);
		return -ENODEV;
	}
	return 0;
}

/*
 * Import @dmabuf for @file; see uio_dmabuf_file_import(). On success the
 * import is live and the caller holds a reference to it as well.
 *
 * The slow parts run under no lock of ours: the charge (mmap_lock) first, then,
 * once the device lock has reserved the buffer (EBUSY for a second import on
 * the device) and a place among the file's imports, the exporter's attach, pin
 * and map and the fence wait. The import is published under the device lock,
 * unless the device went away or the file was revoked meanwhile.
 */
static struct uio_dmabuf_mapping *
uio_dmabuf_import(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
		  struct uio_dmabuf_import *arg)
{
	struct uio_dmabuf_dev *udev = file->udev;
	struct uio_dmabuf_mapping *map;
	bool mapped = false;
	int ret;

	ret = uio_dmabuf_check_import(arg);
	if (ret)
		return ERR_PTR(ret);
	/* An empty buffer has no segment to report. */
	if (!dmabuf->size)
		return ERR_PTR(-EINVAL);

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return ERR_PTR(-ENOMEM);
	kref_init(&map->ref);
	map->file = file;
	map->dmabuf = dmabuf;
	map->dir = uio_dmabuf_dir(arg->direction);
	map->pid = task_tgid_nr(current);
	map->pages = PAGE_ALIGN(dmabuf->size) >> PAGE_SHIFT;

	if (current->mm) {
		ret = account_locked_vm(current->mm, map->pages, true);
		if (ret)
			goto free;
		map->mm = current->mm;
		mmgrab(map->mm);
	}

	ret = uio_dmabuf_lock_file(file);
	if (ret)
		goto uncharge;
	if (file->nr_imports >= READ_ONCE(uio_dmabuf_max_imports)) {
		ret = -ENOSPC;
		goto unlock;
	}
	ret = xa_insert(&udev->buffers, (unsigned long)dmabuf, map, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto unlock;	/* -EBUSY: imported on this device already */
	file->nr_imports++;
	/* Until this import is live or gone, unbind waits for it. */
	atomic_inc(&udev->inflight);
	mutex_unlock(&udev->lock);

	ret = uio_dmabuf_map(udev, map, arg->flags);
	mapped = !ret;

	mutex_lock(&udev->lock);
	if (!ret && (udev->dead || file->revoked))
		ret = -ENODEV;
	if (!ret)
		ret = xa_alloc_cyclic(&file->handles, &map->handle, map, XA_LIMIT(1, U32_MAX),
				      &file->next_handle, GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		file->nr_imports--;
		mutex_unlock(&udev->lock);
		goto unmap;
	}
	/* From here the handle table owns the import and its buffer reference. */
	get_dma_buf(dmabuf);
	list_add_tail(&map->node, &udev->imports);
	kref_get(&map->ref);
	arg->handle = map->handle;
	arg->size = dmabuf->size;
	arg->nr_segments = map->nr_segs;
	arg->map_flags = map->needs_sync ? UIO_DMABUF_MAP_NEEDS_SYNC : 0;
	mutex_unlock(&udev->lock);
	uio_dmabuf_inflight_done(udev);
	return map;

unmap:
	if (mapped)
		uio_dmabuf_unmap(map);
	xa_erase(&udev->buffers, (unsigned long)dmabuf);
	uio_dmabuf_inflight_done(udev);
	goto uncharge;
unlock:
	mutex_unlock(&udev->lock);
uncharge:
	uio_dmabuf_uncharge(map);
free:
	kvfree(map->segs);
	kfree(map);
	return ERR_PTR(ret);
}

/**
 * uio_dmabuf_file_import() - import a dma-buf on behalf of an open file
 * @file:   the open file of the import node
 * @dmabuf: the buffer; the import takes a reference of its own
 * @arg:    the IMPORT argument: @arg->direction and @arg->flags in, the handle,
 *          size, segment count and map flags out (@arg->fd is not used)
 *
 * Validates @arg, charges the buffer's pages to the caller's RLIMIT_MEMLOCK,
 * attaches, pins and maps the buffer for the device and records its segments.
 *
 * Return: 0, or -EINVAL, -ENODEV, -ENOSPC, -EBUSY, -ENOMEM, -E2BIG, -EIO,
 * -ERESTARTSYS or the exporter's error, in which case nothing of the import is
 * left behind.
 */
int uio_dmabuf_file_import(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
			   struct uio_dmabuf_import *arg)
{
	struct uio_dmabuf_mapping *map = uio_dmabuf_import(file, dmabuf, arg);

	if (IS_ERR(map))
		return PTR_ERR(map);
	kref_put(&map->ref, uio_dmabuf_mapping_free);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_file_import);

/* Release the import @handle of @file, if it is @map (NULL: whichever it is). */
static int uio_dmabuf_release_handle(struct uio_dmabuf_file *file, u32 handle,
				     struct uio_dmabuf_mapping *map)
{
	struct uio_dmabuf_dev *udev = file->udev;
	LIST_HEAD(dead);
	int ret;

	ret = uio_dmabuf_lock_file(file);
	if (ret)
		return ret;
	if (map)
		map = xa_cmpxchg(&file->handles, handle, map, NULL, 0) == map ? map : NULL;
	else
		map = xa_erase(&file->handles, handle);
	if (map)
		uio_dmabuf_unlist_locked(udev, map, &dead);
	else
		ret = -ENOENT;
	mutex_unlock(&udev->lock);
	uio_dmabuf_destroy(udev, &dead);
	return ret;
}

/* Look up @handle and take a reference on its mapping, or return an ERR_PTR. */
static struct uio_dmabuf_mapping *
uio_dmabuf_get_mapping(struct uio_dmabuf_file *file, u32 handle)
{
	struct uio_dmabuf_mapping *map;
	int ret;

	ret = uio_dmabuf_lock_file(file);
	if (ret)
		return ERR_PTR(ret);
	map = xa_load(&file->handles, handle);
	if (map)
		kref_get(&map->ref);
	else
		map = ERR_PTR(-ENOENT);
	mutex_unlock(&file->udev->lock);
	return map;
}

static long uio_dmabuf_ioctl_info(struct uio_dmabuf_file *file, void __user *argp)
{
	struct uio_dmabuf_dev *udev = file->udev;
	struct uio_dmabuf_info info = { };
	int ret;

	ret = uio_dmabuf_lock_file(file);
	if (ret)
		return ret;
	info.uio_index = udev->index;
	info.dma_mask_bits = udev->dma_mask_bits;
	info.flags = uio_dmabuf_isolation(udev, NULL);
	info.max_imports = READ_ONCE(uio_dmabuf_max_imports);
	info.nr_imports = file->nr_imports;
	info.max_segment_size = dma_get_max_seg_size(udev->dev);
	info.segment_boundary = dma_get_seg_boundary(udev->dev);
	mutex_unlock(&udev->lock);

	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long uio_dmabuf_ioctl_import(struct uio_dmabuf_file *file, void __user *argp)
{
	struct uio_dmabuf_import arg;
	struct uio_dmabuf_mapping *map;
	struct dma_buf *dmabuf;
	int ret = 0;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	ret = uio_dmabuf_check_import(&arg);
	if (ret)
		return ret;
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	map = uio_dmabuf_import(file, dmabuf, &arg);
	dma_buf_put(dmabuf);
	if (IS_ERR(map))
		return PTR_ERR(map);

	if (copy_to_user(argp, &arg, sizeof(arg))) {
		/*
		 * User space never learnt the handle: leave nothing behind. Only
		 * this import goes, even if another thread released it meanwhile.
		 */
		uio_dmabuf_release_handle(file, arg.handle, map);
		ret = -EFAULT;
	}
	kref_put(&map->ref, uio_dmabuf_mapping_free);
	return ret;
}

static long uio_dmabuf_ioctl_get_segments(struct uio_dmabuf_file *file,
					  void __user *argp)
{
	struct uio_dmabuf_get_segments arg;
	struct uio_dmabuf_mapping *map;
	u32 first, n;
	long ret = 0;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;

	map = uio_dmabuf_get_mapping(file, arg.handle);
	if (IS_ERR(map))
		return PTR_ERR(map);
	/* map->segs is immutable while the reference is held: no lock needed. */
	if (arg.first > map->nr_segs) {
		ret = -EINVAL;
		goto put;
	}
	first = array_index_nospec(arg.first, map->nr_segs + 1);
	n = min(arg.count, map->nr_segs - first);
	if (n && copy_to_user(u64_to_user_ptr(arg.segments), map->segs + first,
			      array_size(n, sizeof(*map->segs)))) {
		ret = -EFAULT;
		goto put;
	}
	arg.count = n;
	arg.nr_segments = map->nr_segs;
	if (copy_to_user(argp, &arg, sizeof(arg)))
		ret = -EFAULT;
put:
	kref_put(&map->ref, uio_dmabuf_mapping_free);
	return ret;
}

static long uio_dmabuf_ioctl_release(struct uio_dmabuf_file *file, void __user *argp)
{
	struct uio_dmabuf_release arg;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;
	return uio_dmabuf_release_handle(file, arg.handle, NULL);
}

/*
 * Sync bytes [@offset, @offset + @length) of @map's buffer for the CPU or the
 * device, entry by entry of the mapped table, by DMA address: the exporter's
 * pages are never looked at (CONFIG_DMABUF_DEBUG mangles them, and P2P tables
 * have none). Each call stays inside one mapped entry, as the DMA API requires,
 * and inside one IOMMU page: an IOMMU merges physically separate pages into
 * one entry, and its sync translates only the first address. Peer-to-peer
 * bus addresses are neither cached nor bounced: nothing to sync.
 */
static void uio_dmabuf_sync_range(struct device *dev, struct uio_dmabuf_mapping *map,
				  u64 offset, u64 length, bool for_cpu)
{
	unsigned long granule = dma_get_merge_boundary(dev);	/* 0: no IOMMU */
	u64 pos = 0, end = offset + length;
	struct scatterlist *sg;
	int i;

	for_each_sgtable_dma_sg(map->sgt, sg, i) {
		u64 len = sg_dma_len(sg), from, to;

		if (pos >= end)
			break;
		from = max(pos, offset);
		to = min(pos + len, end);
		while (from < to && !sg_dma_is_bus_address(sg)) {
			dma_addr_t addr = sg_dma_address(sg) + (from - pos);
			u64 n = to - from;

			if (granule)
				n = min_t(u64, n, (addr | granule) - addr + 1);
			if (for_cpu)
				dma_sync_single_for_cpu(dev, addr, n, map->mapped_dir);
			else
				dma_sync_single_for_device(dev, addr, n, map->mapped_dir);
			from += n;
		}
		pos += len;
	}
}

static long uio_dmabuf_ioctl_sync(struct uio_dmabuf_file *file, void __user *argp)
{
	struct uio_dmabuf_dev *udev = file->udev;
	struct uio_dmabuf_mapping *map;
	struct uio_dmabuf_sync arg;
	u64 offset, length;
	long ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags != UIO_DMABUF_SYNC_FOR_CPU &&
	    arg.flags != UIO_DMABUF_SYNC_FOR_DEVICE)
		return -EINVAL;
	if (arg.reserved[0] || arg.reserved[1])
		return -EINVAL;

	/* The lock keeps the mapping from being released under the sync. */
	ret = uio_dmabuf_lock_file(file);
	if (ret)
		return ret;
	map = xa_load(&file->handles, arg.handle);
	if (!map) {
		ret = -ENOENT;
		goto unlock;
	}
	offset = arg.offset;
	length = arg.length;
	if (!offset && !length) {
		length = map->dmabuf->size;
	} else if (!length || offset >= map->dmabuf->size ||
		   length > map->dmabuf->size - offset) {
		ret = -EINVAL;
		goto unlock;
	}
	uio_dmabuf_sync_range(udev->dev, map, offset, length,
			      arg.flags == UIO_DMABUF_SYNC_FOR_CPU);
unlock:
	mutex_unlock(&udev->lock);
	return ret;
}

/**
 * uio_dmabuf_file_ioctl() - the import node's ioctl handler
 * @file: the open file
 * @cmd:  a UIO_DMABUF_IOC_* command
 * @argp: its user-space argument
 *
 * Return: 0 or a negative errno as documented in <linux/uio_dmabuf.h>;
 * -ENOTTY for an unknown @cmd.
 */
long uio_dmabuf_file_ioctl(struct uio_dmabuf_file *file, unsigned int cmd,
			   void __user *argp)
{
	switch (cmd) {
	case UIO_DMABUF_IOC_INFO:
		return uio_dmabuf_ioctl_info(file, argp);
	case UIO_DMABUF_IOC_IMPORT:
		return uio_dmabuf_ioctl_import(file, argp);
	case UIO_DMABUF_IOC_GET_SEGMENTS:
		return uio_dmabuf_ioctl_get_segments(file, argp);
	case UIO_DMABUF_IOC_RELEASE:
		return uio_dmabuf_ioctl_release(file, argp);
	case UIO_DMABUF_IOC_SYNC:
		return uio_dmabuf_ioctl_sync(file, argp);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_file_ioctl);

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
}

/*
 * Who may open the node. An isolated device's node is governed by its file
 * permissions. Anything else is treated as VFIO treats no-IOMMU devices: the
 * device can reach memory that is not its own, so only CAP_SYS_RAWIO may use
 * it, only when the administrator allowed it, every such open is logged, and
 * the first taints the kernel.
 */
static int uio_dmabuf_admit_locked(struct uio_dmabuf_dev *udev, bool *isolated)
{
	struct device *sibling;
	u32 flags;
	int ret = 0;

	lockdep_assert_held(&udev->lock);
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

/**
 * uio_dmabuf_file_open() - a new import context on a device
 * @udev: the device
 *
 * Admits the caller by the isolation rule (see uio_dmabuf_isolation()) or the
 * unsafe no-IOMMU rule. The first active file of a device turns its DMA on.
 *
 * Return: the file, or ERR_PTR(-ENOMEM), ERR_PTR(-EPERM) or ERR_PTR(-ENODEV).
 */
struct uio_dmabuf_file *uio_dmabuf_file_open(struct uio_dmabuf_dev *udev)
{
	struct uio_dmabuf_file *file;
	int ret;

	file = kzalloc(sizeof(*file), GFP_KERNEL_ACCOUNT);
	if (!file)
		return ERR_PTR(-ENOMEM);
	xa_init_flags(&file->handles, XA_FLAGS_ALLOC1);
	file->udev = udev;

	mutex_lock(&udev->lock);
	if (udev->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	/* Under the lock: a sibling's driver binding now revokes this file. */
	ret = uio_dmabuf_admit_locked(udev, &file->isolated);
	if (ret)
		goto unlock;
	if (!udev->nr_active++ && udev->ops->set_dma_enabled)
		udev->ops->set_dma_enabled(udev->priv, true);
	list_add_tail(&file->node, &udev->files);
	kref_get(&udev->ref);
	mutex_unlock(&udev->lock);
	return file;

unlock:
	mutex_unlock(&udev->lock);
	kfree(file);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_file_open);

/**
 * uio_dmabuf_file_release() - close an import context
 * @file: the file, freed on return
 *
 * When the last active file of a device closes, the device's DMA is stopped
 * before any of the imports is unmapped. Then every import of @file is
 * released.
 */
void uio_dmabuf_file_release(struct uio_dmabuf_file *file)
{
	struct uio_dmabuf_dev *udev = file->udev;
	LIST_HEAD(dead);

	mutex_lock(&udev->lock);
	uio_dmabuf_recheck_locked(file, &dead);
	list_del(&file->node);
	if (!udev->dead && !file->revoked && !--udev->nr_active &&
	    udev->ops->set_dma_enabled)
		udev->ops->set_dma_enabled(udev->priv, false);
	uio_dmabuf_release_all_locked(udev, file, &dead);
	mutex_unlock(&udev->lock);
	uio_dmabuf_destroy(udev, &dead);

	xa_destroy(&file->handles);
	kfree(file);
	kref_put(&udev->ref, uio_dmabuf_dev_free);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_file_release);

static int uio_dmabuf_fop_open(struct inode *inode, struct file *filp)
{
	struct uio_dmabuf_dev *udev = container_of(filp->private_data,
						   struct uio_dmabuf_dev, misc);
	struct uio_dmabuf_file *file;

	file = uio_dmabuf_file_open(udev);
	if (IS_ERR(file))
		return PTR_ERR(file);
	filp->private_data = file;
	return 0;
}

static int uio_dmabuf_fop_release(struct inode *inode, struct file *filp)
{
	uio_dmabuf_file_release(filp->private_data);
	return 0;
}

static long uio_dmabuf_fop_ioctl(struct file *filp, unsigned int cmd,
				 unsigned long arg)
{
	return uio_dmabuf_file_ioctl(filp->private_data, cmd, (void __user *)arg);
}

static const struct file_operations uio_dmabuf_fops = {
	.owner = THIS_MODULE,
	.open = uio_dmabuf_fop_open,
	.release = uio_dmabuf_fop_release,
	.unlocked_ioctl = uio_dmabuf_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static const char *const uio_dmabuf_dir_names[] = {
	[DMA_BIDIRECTIONAL] = "bidirectional",
	[DMA_TO_DEVICE] = "to_device",
	[DMA_FROM_DEVICE] = "from_device",
	[DMA_NONE] = "none",
};

static int uio_dmabuf_imports_show(struct seq_file *s, void *unused)
{
	struct uio_dmabuf_dev *udev = s->private;
	struct uio_dmabuf_mapping *map;

	seq_puts(s, "handle\tpid\tsize\tdirection\tsegments\texporter\n");
	mutex_lock(&udev->lock);
	list_for_each_entry(map, &udev->imports, node)
		seq_printf(s, "%u\t%d\t%zu\t%s\t%u\t%s\n", map->handle, map->pid,
			   map->dmabuf->size, uio_dmabuf_dir_names[map->mapped_dir],
			   map->nr_segs, map->dmabuf->exp_name);
	mutex_unlock(&udev->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(uio_dmabuf_imports);

static ssize_t dma_mask_bits_show(struct device *dev, struct device_attribute *attr,
				  char *buf)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(udev->dma_mask_bits));
}

static ssize_t dma_mask_bits_store(struct device *dev, struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);
	unsigned int bits;
	int ret;

	ret = kstrtouint(buf, 0, &bits);
	if (ret)
		return ret;
	if (bits < UIO_DMABUF_MIN_MASK_BITS || bits > UIO_DMABUF_MAX_MASK_BITS)
		return -EINVAL;

	mutex_lock(&udev->lock);
	/* Live imports, and those still mapping or unmapping, use the mask. */
	if (!xa_empty(&udev->buffers)) {
		ret = -EBUSY;
		goto unlock;
	}
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (!ret)
		WRITE_ONCE(udev->dma_mask_bits, bits);
unlock:
	mutex_unlock(&udev->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(dma_mask_bits);

/* The UIO_DMABUF_INFO_* flags, for those who cannot open the node. */
static ssize_t isolation_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%#x\n", uio_dmabuf_isolation(udev, NULL));
}
static DEVICE_ATTR_RO(isolation);

static struct attribute *uio_dmabuf_attrs[] = {
	&dev_attr_dma_mask_bits.attr,
	&dev_attr_isolation.attr,
	NULL
};

static const struct attribute_group uio_dmabuf_attr_group = {
	.name = "uio_dmabuf",
	.attrs = uio_dmabuf_attrs,
};

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
 * A kernel driver is binding to @dev (the IOMMU core has just counted it as a
 * user of the group's DMA domain, and it has not probed yet): any uio_dmabuf
 * device of the same group is no longer isolated, so stop its DMA and revoke
 * its imports before that driver maps anything.
 */
static int uio_dmabuf_bus_notify(struct notifier_block *nb, unsigned long action,
				 void *data)
{
	struct device *dev = data;
	struct uio_dmabuf_dev *udev;
	struct iommu_group *group;
	LIST_HEAD(dead);

	if (action != BUS_NOTIFY_BIND_DRIVER || !uio_dmabuf_kernel_dma(dev, dev->driver))
		return NOTIFY_DONE;
	group = iommu_group_get(dev);
	if (!group)
		return NOTIFY_DONE;
	mutex_lock(&uio_dmabuf_devs_lock);
	list_for_each_entry(udev, &uio_dmabuf_devs, node) {
		if (udev->group != group)
			continue;
		mutex_lock(&udev->lock);
		if (udev->nr_active)
			dev_warn(udev->dev, "%s: driver %s binds to %s in IOMMU group %d: DMA stopped, imports revoked\n",
				 udev->name, dev->driver->name, dev_name(dev),
				 iommu_group_id(group));
		uio_dmabuf_revoke_locked(udev, &dead);
		mutex_unlock(&udev->lock);
		/*
		 * Everything unmapped before the new driver probes: the imports
		 * revoked here, and those still mapping, which see their file
		 * revoked and leave.
		 */
		uio_dmabuf_destroy(udev, &dead);
		wait_var_event(&udev->inflight, !atomic_read(&udev->inflight));
	}
	mutex_unlock(&uio_dmabuf_devs_lock);
	iommu_group_put(group);
	return NOTIFY_DONE;
}

static struct notifier_block uio_dmabuf_pci_nb = {
	.notifier_call = uio_dmabuf_bus_notify,
};

static struct notifier_block uio_dmabuf_platform_nb = {
	.notifier_call = uio_dmabuf_bus_notify,
};

static void uio_dmabuf_release_tail(void *tail)
{
	release_resource(tail);
	kfree(tail);
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
		tail = kzalloc(sizeof(*tail), GFP_KERNEL);
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

/**
 * uio_dmabuf_register() - give a bound device its import node
 * @dev:   the hardware device; its driver data becomes the returned device
 * @index: N of the device's /dev/uioN, used for /dev/uio-dmabufN
 * @ops:   the bus glue's callbacks
 * @priv:  argument to @ops
 *
 * Sets a 32-bit DMA mask and the largest max segment size (the bus default,
 * 64 KiB on PCI, would split every mapping), both restored by
 * uio_dmabuf_unregister(); adds the uio_dmabuf/ sysfs group and the debugfs
 * listing, and registers the node.
 *
 * Return: the new device, or an ERR_PTR.
 */
struct uio_dmabuf_dev *
uio_dmabuf_register(struct device *dev, int index, const struct uio_dmabuf_bus_ops *ops,
		    void *priv)
{
	struct uio_dmabuf_dev *udev;
	int ret;

	if (!dev->dma_mask)
		return ERR_PTR(dev_err_probe(dev, -EIO, "no DMA mask: the device cannot do DMA\n"));
	udev = kzalloc(sizeof(*udev), GFP_KERNEL);
	if (!udev)
		return ERR_PTR(-ENOMEM);
	kref_init(&udev->ref);
	mutex_init(&udev->lock);
	INIT_LIST_HEAD(&udev->files);
	INIT_LIST_HEAD(&udev->imports);
	xa_init(&udev->buffers);
	atomic_set(&udev->inflight, 0);
	udev->dev = get_device(dev);
	udev->ops = ops;
	udev->priv = priv;
	udev->index = index;
	udev->group = iommu_group_get(dev);
	ratelimit_state_init(&udev->refusals, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	snprintf(udev->name, sizeof(udev->name), "uio-dmabuf%d", index);

	udev->saved_dma_mask = *dev->dma_mask;
	udev->saved_coherent_mask = dev->coherent_dma_mask;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(UIO_DMABUF_DEFAULT_MASK_BITS));
	if (ret) {
		dev_err(dev, "cannot set a %d-bit DMA mask: %d\n",
			UIO_DMABUF_DEFAULT_MASK_BITS, ret);
		goto put;
	}
	udev->dma_mask_bits = UIO_DMABUF_DEFAULT_MASK_BITS;
	if (dev->dma_parms) {
		udev->saved_max_seg_size = dma_get_max_seg_size(dev);
		dma_set_max_seg_size(dev, UIO_DMABUF_MAX_SEG_SIZE);
	}
	dev_set_drvdata(dev, udev);

	ret = device_add_group(dev, &uio_dmabuf_attr_group);
	if (ret)
		goto restore;

	udev->debugfs = debugfs_create_dir(dev_name(dev), uio_dmabuf_debugfs_root);
	debugfs_create_file("imports", 0400, udev->debugfs, udev, &uio_dmabuf_imports_fops);

	/* Listed before the node exists, so no open can miss a sibling's bind. */
	mutex_lock(&uio_dmabuf_devs_lock);
	list_add_tail(&udev->node, &uio_dmabuf_devs);
	mutex_unlock(&uio_dmabuf_devs_lock);

	udev->misc.minor = MISC_DYNAMIC_MINOR;
	udev->misc.name = udev->name;
	udev->misc.fops = &uio_dmabuf_fops;
	udev->misc.parent = dev;
	ret = misc_register(&udev->misc);
	if (ret)
		goto unlist;

	dev_dbg(dev, "%s: isolation flags %#x\n", udev->name, uio_dmabuf_isolation(udev, NULL));
	return udev;

unlist:
	mutex_lock(&uio_dmabuf_devs_lock);
	list_del(&udev->node);
	mutex_unlock(&uio_dmabuf_devs_lock);
	debugfs_remove_recursive(udev->debugfs);
	device_remove_group(dev, &uio_dmabuf_attr_group);
restore:
	uio_dmabuf_restore_dma(udev);
put:
	dev_set_drvdata(dev, NULL);
	kref_put(&udev->ref, uio_dmabuf_dev_free);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_register);

/**
 * uio_dmabuf_disconnect() - stop the device's DMA and revoke every import for good
 * @udev: the device
 *
 * The first step of the unbind, taken while the device still owns its DMA
 * (from the PCI glue's remove, before the driver core gives the device's DMA
 * ownership up). The device's DMA is stopped first; then every import of every
 * open file is unmapped, unpinned, detached and put. Files still open answer
 * ENODEV from here on. Calling it again does nothing.
 */
void uio_dmabuf_disconnect(struct uio_dmabuf_dev *udev)
{
	LIST_HEAD(dead);

	mutex_lock(&udev->lock);
	uio_dmabuf_revoke_locked(udev, &dead);
	udev->dead = true;
	mutex_unlock(&udev->lock);
	uio_dmabuf_destroy(udev, &dead);
	/* Imports still mapping see the device dead, unmap and leave. */
	wait_var_event(&udev->inflight, !atomic_read(&udev->inflight));
}

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

	debugfs_remove_recursive(udev->debugfs);
	device_remove_group(udev->dev, &uio_dmabuf_attr_group);
	uio_dmabuf_restore_dma(udev);
	dev_set_drvdata(udev->dev, NULL);
	kref_put(&udev->ref, uio_dmabuf_dev_free);
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
 *
 * The common tail of both glues' probe: registers @info, then the import node
 * /dev/uio-dmabufN with the N of /dev/uioN (see uio_dmabuf_register()). Both
 * go when the driver unbinds, the import node first.
 *
 * Return: 0 or a negative errno.
 */
int devm_uio_dmabuf_register(struct device *dev, struct uio_info *info,
			     const struct uio_dmabuf_bus_ops *ops, void *priv)
{
	struct uio_dmabuf_dev *udev;
	int ret;

	ret = devm_uio_register_device(dev, info);
	if (ret)
		return ret;
	udev = uio_dmabuf_register(dev, info->uio_dev->minor, ops, priv);
	if (IS_ERR(udev))
		return PTR_ERR(udev);
	return devm_add_action_or_reset(dev, uio_dmabuf_unregister_action, udev);
}

int uio_dmabuf_core_init(void)
{
	int ret;

	ret = bus_register_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
	if (ret)
		return ret;
	if (IS_ENABLED(CONFIG_PCI)) {
		ret = bus_register_notifier(&pci_bus_type, &uio_dmabuf_pci_nb);
		if (ret) {
			bus_unregister_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
			return ret;
		}
	}
	uio_dmabuf_debugfs_root = debugfs_create_dir("uio_dmabuf", NULL);
	return 0;
}

void uio_dmabuf_core_exit(void)
{
	debugfs_remove_recursive(uio_dmabuf_debugfs_root);
	if (IS_ENABLED(CONFIG_PCI))
		bus_unregister_notifier(&pci_bus_type, &uio_dmabuf_pci_nb);
	bus_unregister_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
}
