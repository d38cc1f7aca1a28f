// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf import lifecycle: one dma-buf imported for a device.
 *
 * An import attaches the buffer (dynamic, peer-to-peer allowed), pins it, maps
 * it for the device and waits for its kernel fences, all under the buffer's
 * reservation lock; then its DMA segments are computed once into an array that
 * GET_SEGMENTS copies out without any dma-buf lock. Teardown is the exact
 * reverse, under no lock of ours: imports leave their file's table under the
 * file's lock (onto a local list, when there are many), and
 * uio_dmabuf_destroy_one() unmaps each afterwards.
 */

#include <kunit/visibility.h>
#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/hash.h>
#include <linux/list_bl.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "uio_dmabuf_priv.h"

static void uio_dmabuf_mapping_free(struct kref *ref)
{
	struct uio_dmabuf_mapping *map = container_of(ref, struct uio_dmabuf_mapping, ref);

	if (map->segs != map->inline_segs)
		kvfree(map->segs);
	dma_buf_put(map->dmabuf);
	kfree(map);
}

/*
 * Put a reference to @map; the last frees its segments, puts its buffer and
 * frees the mapping.
 */
void uio_dmabuf_mapping_put(struct uio_dmabuf_mapping *map)
{
	kref_put(&map->ref, uio_dmabuf_mapping_free);
}

/*
 * A lazy (flush-queue) domain keeps the IOTLB entries of an unmapped range
 * until a deferred flush, up to ~10 ms later, while the pages may be freed as
 * soon as the import lets go of them: flush now. Strict domains flushed in
 * the unmap already.
 */
static void uio_dmabuf_flush_lazy(struct uio_dmabuf_dev *udev)
{
	struct iommu_domain *domain = udev->domain;

	if (domain && READ_ONCE(domain->type) == IOMMU_DOMAIN_DMA_FQ)
		iommu_flush_iotlb_all(domain);
}

/**
 * uio_dmabuf_update_dma_locked() - let the device master the bus, or stop it
 * @udev: the device, its lock held
 *
 * The device's DMA is on while it is bound, a file is active and no revoked
 * import is left to tear down; else it is stopped, before anything that it
 * could still reach is unmapped.
 */
void uio_dmabuf_update_dma_locked(struct uio_dmabuf_dev *udev)
{
	bool on = !udev->dead && udev->nr_active && !udev->nr_revoked;

	lockdep_assert_held(&udev->lock);
	if (on == udev->dma_on)
		return;
	udev->dma_on = on;
	if (udev->ops->set_dma_enabled)
		udev->ops->set_dma_enabled(udev->priv, on);
}

/*
 * The exporter revokes the mapping, or moves the buffer, which a pinned import
 * cannot follow; it holds the buffer's reservation lock. The device's DMA
 * stops first, and stays stopped until the import is torn down: user space
 * programmed the device with the addresses that go away. Then the table is
 * unmapped, within the call, so that the exporter may reuse the memory once it
 * lets go of the lock. The handle answers ESTALE and poll() reports EPOLLPRI
 * until user space releases it. An import not mapped yet ignores the call: its
 * table, when it comes, is the exporter's new one.
 */
static void uio_dmabuf_invalidate_mappings(struct dma_buf_attachment *attach)
{
	struct uio_dmabuf_mapping *map = attach->importer_priv;
	struct uio_dmabuf_dev *udev = map->udev;
	struct uio_dmabuf_file *file;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (!map->sgt || map->revoked)
		return;
	mutex_lock(&udev->lock);
	udev->nr_revoked++;
	uio_dmabuf_update_dma_locked(udev);
	/*
	 * An import that still has its file: live, or between its reservation
	 * and its end (the IMPORT call holds the file open), or just unlisted
	 * by a RELEASE still under way (which does too). The file's close needs
	 * the device lock to unlist anything: it stays until this unlocks. NULL
	 * (acquired): the unlist has read @revoked already, and has not
	 * counted the import among its file's revoked ones.
	 */
	file = smp_load_acquire(&map->file);
	if (file) {
		mutex_lock(&file->lock);
		map->revoked = true;
		if (map->live) {
			file->nr_revoked++;
			wake_up_interruptible_all(&udev->poll_wait);
		}
		mutex_unlock(&file->lock);
	} else {
		map->revoked = true;
	}
	mutex_unlock(&udev->lock);
	/*
	 * Before 6.15 the dma-buf core mapped a static exporter's table at attach
	 * and kept it; that one is unmapped at the detach, and ignores this call.
	 */
	dma_buf_unmap_attachment(attach, map->sgt, map->dir);
	uio_dmabuf_flush_lazy(udev);
}

static const struct dma_buf_attach_ops uio_dmabuf_attach_ops = {
	.allow_peer2peer = true,
	.invalidate_mappings = uio_dmabuf_invalidate_mappings,
};

atomic_long_t uio_dmabuf_charged_pages;

/*
 * Charge @map's pages to the importing user's locked_vm, atomically against
 * RLIMIT_MEMLOCK, as io_uring and iommufd do. The pins live as long as the
 * import, which outlives the process that made it when another holds the
 * file: a charge to the process's mm would go with the process, the user's
 * stays until the import is released, by whoever releases it. CAP_IPC_LOCK
 * lifts the limit, not the count, as account_locked_vm() has it (asked only
 * of a charge past the limit, without an audit record for each refused
 * import). No mmap_lock is taken.
 */
static int uio_dmabuf_charge(struct uio_dmabuf_mapping *map)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct user_struct *user = current_user();
	long cur = atomic_long_read(&user->locked_vm), new;

	for (;;) {
		new = cur + map->pages;
		if ((unsigned long)new > limit) {
			if (limit == ULONG_MAX || !ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK))
				return -ENOMEM;
			limit = ULONG_MAX;
		}
		if (atomic_long_try_cmpxchg(&user->locked_vm, &cur, new))
			break;
	}
	map->user = get_uid(user);
	atomic_long_add(map->pages, &uio_dmabuf_charged_pages);
	return 0;
}

static void uio_dmabuf_uncharge(struct uio_dmabuf_mapping *map)
{
	if (!map->user)
		return;
	atomic_long_sub(map->pages, &map->user->locked_vm);
	atomic_long_sub(map->pages, &uio_dmabuf_charged_pages);
	free_uid(map->user);
	map->user = NULL;
}

/*
 * Wait for the kernel fences of @resv (held), as RDMA does: the table is valid,
 * but the exporter may still be moving the contents into place. UIO cannot take
 * part in DMA fences, so none are added. The wait ends early, without a
 * result, on a signal, when the device goes away or the file is revoked.
 */
static int uio_dmabuf_wait_kernel_fences(struct uio_dmabuf_file *file, struct dma_resv *resv)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	long timeout;

	/* The common case, no kernel fence pending: seen under the lock. */
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_KERNEL, fence) {
		if (!dma_fence_is_signaled(fence))
			break;
	}
	if (!fence)
		return 0;
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
static int uio_dmabuf_map(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map)
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
	ret = uio_dmabuf_wait_kernel_fences(map->file, dmabuf->resv);
	if (ret)
		goto unmap;
	ret = uio_dmabuf_build_segments(map);
	if (ret)
		goto unmap;
	dma_resv_unlock(dmabuf->resv);
	return 0;

unmap:
	dma_buf_unmap_attachment(map->attach, map->sgt, map->dir);
	uio_dmabuf_flush_lazy(udev);
unpin:
	map->sgt = NULL;
	dma_buf_unpin(map->attach);
unlock:
	dma_resv_unlock(dmabuf->resv);
detach:
	dma_buf_detach(dmabuf, map->attach);
	uio_dmabuf_flush_lazy(udev);
	return ret;
}

/*
 * The exact reverse of uio_dmabuf_map(); the unmap is skipped when the
 * exporter revoked the mapping, whose device DMA may start again afterwards.
 */
static void uio_dmabuf_unmap(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map)
{
	struct dma_buf *dmabuf = map->dmabuf;
	struct sg_table *sgt;
	bool revoked;

	lockdep_assert_not_held(&udev->lock);
	dma_resv_lock(dmabuf->resv, NULL);
	revoked = map->revoked;
	sgt = map->sgt;
	map->sgt = NULL;	/* no revocation, and no SYNC, from here on */
	/*
	 * Flushed before the unpin: from then on a dynamic exporter may move
	 * the buffer and hand its pages to someone else.
	 */
	if (!revoked) {
		dma_buf_unmap_attachment(map->attach, sgt, map->dir);
		uio_dmabuf_flush_lazy(udev);
	}
	dma_buf_unpin(map->attach);
	dma_resv_unlock(dmabuf->resv);
	/* A table the core kept from attach (before 6.15) is unmapped only here. */
	dma_buf_detach(dmabuf, map->attach);
	uio_dmabuf_flush_lazy(udev);
	if (revoked) {
		mutex_lock(&udev->lock);
		udev->nr_revoked--;
		uio_dmabuf_update_dma_locked(udev);
		mutex_unlock(&udev->lock);
	}
}

/*
 * @map, just erased from its file's handle table, leaves the file's count, to
 * be unmapped by uio_dmabuf_destroy_one() once the file's lock is dropped. It
 * stays in the buffer index (EBUSY, and the mask store's EBUSY) and counted in
 * flight (unbind waits) until then. Under the file's lock.
 */
void uio_dmabuf_unlist_locked(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map)
{
	struct uio_dmabuf_file *file = map->file;

	lockdep_assert_held(&file->lock);
	file->nr_imports--;
	if (map->revoked)
		file->nr_revoked--;
	map->live = false;
	/* After the read of @revoked: see uio_dmabuf_invalidate_mappings(). */
	smp_store_release(&map->file, NULL);
	atomic_inc(&udev->inflight);
}

/*
 * An import in flight has ended. Its end wakes the waiters, if any: the
 * decrement is fully ordered, so either it sees a waiter counted or that
 * waiter, counted, sees the count at zero.
 */
static void uio_dmabuf_inflight_done(struct uio_dmabuf_dev *udev)
{
	if (atomic_dec_and_test(&udev->inflight) && atomic_read(&udev->inflight_waiters))
		wake_up_var(&udev->inflight);
}

/**
 * uio_dmabuf_wait_inflight() - wait until no import of a device is in flight
 * @udev:    the device
 * @timeout: in jiffies, or MAX_SCHEDULE_TIMEOUT
 *
 * Return: 0 if @timeout elapsed first, else the jiffies left of it (at least 1).
 */
long uio_dmabuf_wait_inflight(struct uio_dmabuf_dev *udev, long timeout)
{
	long left;

	atomic_inc(&udev->inflight_waiters);
	smp_mb__after_atomic();	/* counted, then the count read: see above */
	left = wait_var_event_timeout(&udev->inflight, !atomic_read(&udev->inflight), timeout);
	atomic_dec(&udev->inflight_waiters);
	return left;
}

/*
 * The device's imports by buffer: one per dma-buf and device. Freed with
 * kvfree() when the device is.
 */
int uio_dmabuf_buffers_init(struct uio_dmabuf_dev *udev)
{
	unsigned int i;

	udev->buffers = kvmalloc_array(BIT(UIO_DMABUF_BUFFERS_BITS), sizeof(*udev->buffers),
				       GFP_KERNEL);
	if (!udev->buffers)
		return -ENOMEM;
	for (i = 0; i < BIT(UIO_DMABUF_BUFFERS_BITS); i++)
		INIT_HLIST_BL_HEAD(&udev->buffers[i]);
	atomic_set(&udev->nr_buffers, 0);
	return 0;
}

/* Imports @udev holds: live, or still mapping or unmapping. */
unsigned int uio_dmabuf_nr_buffers(struct uio_dmabuf_dev *udev)
{
	return atomic_read(&udev->nr_buffers);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_nr_buffers);

static struct hlist_bl_head *uio_dmabuf_chain(struct uio_dmabuf_dev *udev,
					      const struct dma_buf *dmabuf)
{
	return &udev->buffers[hash_ptr(dmabuf, UIO_DMABUF_BUFFERS_BITS)];
}

/* Enter @map in its device's buffer index: 0, or -EBUSY if its buffer is there. */
static int uio_dmabuf_buffers_add(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map)
{
	struct hlist_bl_head *chain = uio_dmabuf_chain(udev, map->dmabuf);
	struct uio_dmabuf_mapping *other;
	struct hlist_bl_node *pos;

	hlist_bl_lock(chain);
	hlist_bl_for_each_entry(other, pos, chain, buf_node) {
		if (other->dmabuf == map->dmabuf) {
			hlist_bl_unlock(chain);
			return -EBUSY;
		}
	}
	hlist_bl_add_head(&map->buf_node, chain);
	hlist_bl_unlock(chain);
	atomic_inc(&udev->nr_buffers);
	return 0;
}

static void uio_dmabuf_buffers_del(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map)
{
	struct hlist_bl_head *chain = uio_dmabuf_chain(udev, map->dmabuf);

	hlist_bl_lock(chain);
	hlist_bl_del(&map->buf_node);
	hlist_bl_unlock(chain);
	atomic_dec(&udev->nr_buffers);
}

/*
 * Unmap, unpin, detach, uncharge and put @map, which uio_dmabuf_unlist_locked()
 * took out of its file's table; called without the device lock or any file's
 * (the unmap takes the reservation lock).
 */
void uio_dmabuf_destroy_one(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map)
{
	lockdep_assert_not_held(&udev->lock);
	uio_dmabuf_unmap(udev, map);
	uio_dmabuf_buffers_del(udev, map);
	uio_dmabuf_uncharge(map);
	uio_dmabuf_mapping_put(map);
	uio_dmabuf_inflight_done(udev);
}

/* uio_dmabuf_destroy_one() for every import on @dead. */
void uio_dmabuf_destroy(struct uio_dmabuf_dev *udev, struct list_head *dead)
{
	struct uio_dmabuf_mapping *map, *next;

	lockdep_assert_not_held(&udev->lock);
	list_for_each_entry_safe(map, next, dead, node) {
		list_del(&map->node);
		uio_dmabuf_destroy_one(udev, map);
	}
}

/*
 * Take every import of @file out of its table, onto @dead; with @revoke, mark
 * @file revoked in the same hold of its lock. Under the device lock.
 */
void uio_dmabuf_release_all_locked(struct uio_dmabuf_dev *udev, struct uio_dmabuf_file *file,
				   struct list_head *dead, bool revoke)
{
	struct uio_dmabuf_mapping *map;
	u32 slot;

	lockdep_assert_held(&udev->lock);
	mutex_lock(&file->lock);
	for (slot = 0; (map = uio_dmabuf_next_import(file, &slot)); slot++) {
		uio_dmabuf_handle_remove_locked(file, map->handle);
		uio_dmabuf_unlist_locked(udev, map);
		list_add_tail(&map->node, dead);
	}
	if (revoke)
		WRITE_ONCE(file->revoked, true);
	mutex_unlock(&file->lock);
}

/*
 * Stop the device's DMA, then take the imports of every open file onto @dead;
 * those files answer ENODEV from here on. Files opened later start afresh.
 * A device whose bus has no DMA switch (platform) is reset instead while a
 * file is active (its DMA may run even with an import revoked): the reset
 * stops an engine user space programmed before the unmap, as another device
 * of the group may map into the IOVA space they share next (a driver binding
 * to a device that joined it). It does not keep the engine stopped: a user
 * who keeps the device's UIO register map can start it again. At unbind
 * (@udev dead) the reset comes after the unmap, with the device's lock held.
 */
void uio_dmabuf_revoke_locked(struct uio_dmabuf_dev *udev, struct list_head *dead)
{
	struct uio_dmabuf_file *file;
	bool active = udev->nr_active;

	lockdep_assert_held(&udev->lock);
	udev->nr_active = 0;
	uio_dmabuf_update_dma_locked(udev);
	if (active && !udev->ops->set_dma_enabled && !udev->dead &&
	    uio_dmabuf_reset_locked(udev, false))
		dev_err(udev->dev, "%s: imports revoked, but the device has no DMA switch and was not reset: a DMA engine left running may reach what its IOMMU group maps next\n",
			udev->name);
	list_for_each_entry(file, &udev->files, node)
		uio_dmabuf_release_all_locked(udev, file, dead, true);
	wake_up_interruptible_all(&udev->poll_wait);
}

/**
 * uio_dmabuf_revoke() - stop a device's DMA and revoke the imports of all its files
 * @udev: the device
 *
 * Called when the device loses its isolation while its node is open. The open
 * files answer ENODEV from here on, and their MSI-X vectors are unbound; new
 * opens are judged afresh.
 */
void uio_dmabuf_revoke(struct uio_dmabuf_dev *udev)
{
	LIST_HEAD(dead);

	mutex_lock(&udev->lock);
	uio_dmabuf_revoke_locked(udev, &dead);
	mutex_unlock(&udev->lock);
	uio_dmabuf_destroy(udev, &dead);
	uio_dmabuf_unbind_revoked_vectors(udev);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_revoke);

/*
 * A new import of @dmabuf for @file, charged to the calling user. It takes
 * over the caller's reference to @dmabuf, which is put if it fails.
 */
static struct uio_dmabuf_mapping *
uio_dmabuf_mapping_new(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
		       enum dma_data_direction dir)
{
	struct uio_dmabuf_mapping *map;
	int ret;

	map = kmalloc_obj(*map, GFP_KERNEL_ACCOUNT);
	if (!map) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-ENOMEM);
	}
	/* The inline segments, last, are written before they are read: not zeroed. */
	static_assert(offsetofend(struct uio_dmabuf_mapping, inline_segs) == sizeof(*map));
	memset(map, 0, offsetof(struct uio_dmabuf_mapping, inline_segs));
	kref_init(&map->ref);
	map->udev = file->udev;
	map->file = file;
	map->dmabuf = dmabuf;
	map->dir = dir;
	map->pid = task_tgid_nr(current);
	map->pages = PAGE_ALIGN(dmabuf->size) >> PAGE_SHIFT;
	ret = uio_dmabuf_charge(map);
	if (ret) {
		uio_dmabuf_mapping_put(map);
		return ERR_PTR(ret);
	}
	return map;
}

/*
 * Under the file's lock, reserve @map's buffer on the device (EBUSY for a
 * second import of it) and a place among @file's imports.
 */
static int uio_dmabuf_reserve(struct uio_dmabuf_file *file, struct uio_dmabuf_mapping *map)
{
	struct uio_dmabuf_dev *udev = file->udev;
	int ret;

again:
	ret = uio_dmabuf_lock_file(file);
	if (ret)
		return ret;
	if (file->nr_imports >= READ_ONCE(uio_dmabuf_max_imports)) {
		ret = -ENOSPC;
		goto unlock;
	}
	ret = uio_dmabuf_buffers_add(udev, map);
	if (ret)
		goto unlock;
	/*
	 * The mask store changes the DMA mask only while no buffer is imported:
	 * it raises mask_busy, then counts the buffers; this counted itself,
	 * now reads mask_busy: one of the two sees the other. The store holds
	 * the device lock until it is done.
	 */
	smp_mb();
	if (READ_ONCE(udev->mask_busy)) {
		uio_dmabuf_buffers_del(udev, map);
		mutex_unlock(&file->lock);
		mutex_lock(&udev->lock);
		mutex_unlock(&udev->lock);
		goto again;
	}
	file->nr_imports++;
	/* Until this import is live or gone, unbind waits for it. */
	atomic_inc(&udev->inflight);
unlock:
	mutex_unlock(&file->lock);
	return ret;
}

/* What the importer demanded of the mapping (UIO_DMABUF_IMPORT_*). */
static int uio_dmabuf_check_demands(struct uio_dmabuf_mapping *map, u32 flags)
{
	if ((flags & UIO_DMABUF_IMPORT_CONTIGUOUS) && map->nr_segs != 1)
		return -E2BIG;
	if ((flags & UIO_DMABUF_IMPORT_COHERENT) && map->needs_sync)
		return -EIO;
	return 0;
}

/* The first handle table, in slots; it doubles whenever it is full. */
#define UIO_DMABUF_FIRST_SLOTS	8

/*
 * The slots of @file's handle table, all in use, doubled; the new ones chained
 * free. A table of the most slots is never full: the reservation counted the
 * import that is to be published, and max_imports <= UIO_DMABUF_MAX_SLOTS.
 */
static int uio_dmabuf_slots_grow(struct uio_dmabuf_file *file)
{
	u32 n = file->nr_slots, size = n ? 2 * n : UIO_DMABUF_FIRST_SLOTS, i;
	union uio_dmabuf_slot *slots;

	if (n >= UIO_DMABUF_MAX_SLOTS)
		return -ENOSPC;
	slots = kvmalloc_array(size, sizeof(*slots), GFP_KERNEL_ACCOUNT);
	if (!slots)
		return -ENOMEM;
	if (n)
		memcpy(slots, file->slots, n * sizeof(*slots));
	for (i = n; i < size; i++) {
		unsigned long next = i + 1 < size ? i + 1 : UIO_DMABUF_MAX_SLOTS;

		slots[i].next_free = next << 1 | 1;
	}
	kvfree(file->slots);
	file->slots = slots;
	file->nr_slots = size;
	file->free_slot = n;
	return 0;
}

/* Put @map in a free slot of @file's handle table, returned; or -ENOMEM, -ENOSPC. */
static int uio_dmabuf_slot_take(struct uio_dmabuf_file *file, struct uio_dmabuf_mapping *map)
{
	u32 slot;
	int ret;

	lockdep_assert_held(&file->lock);
	if (file->free_slot == UIO_DMABUF_MAX_SLOTS) {
		ret = uio_dmabuf_slots_grow(file);
		if (ret)
			return ret;
	}
	slot = file->free_slot;
	file->free_slot = file->slots[slot].next_free >> 1;
	file->slots[slot].map = map;
	return slot;
}

/**
 * uio_dmabuf_handle_lookup_locked() - the live import of a file under a handle
 * @file:   the file, its lock held
 * @handle: the handle, as user space passed it
 *
 * Return: the import, or NULL if @handle is none of @file's.
 */
struct uio_dmabuf_mapping *uio_dmabuf_handle_lookup_locked(struct uio_dmabuf_file *file,
							   u32 handle)
{
	u32 slot = uio_dmabuf_handle_slot(handle);
	union uio_dmabuf_slot *entry;

	lockdep_assert_held(&file->lock);
	if (slot >= file->nr_slots)
		return NULL;
	entry = &file->slots[array_index_nospec(slot, file->nr_slots)];
	if (entry->next_free & 1 || entry->map->handle != handle)
		return NULL;
	return entry->map;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_handle_lookup_locked);

/**
 * uio_dmabuf_handle_remove_locked() - free the slot of a live import's handle
 * @file:   the file, its lock held
 * @handle: the handle of one of its live imports
 */
void uio_dmabuf_handle_remove_locked(struct uio_dmabuf_file *file, u32 handle)
{
	u32 slot = uio_dmabuf_handle_slot(handle);

	lockdep_assert_held(&file->lock);
	file->slots[slot].next_free = (unsigned long)file->free_slot << 1 | 1;
	file->free_slot = slot;
}

/*
 * Under the file's lock, give the import that mapping ended with @ret its
 * handle, unless the mapping failed or the device or file went meanwhile; else
 * give its place among the file's imports back.
 */
static int uio_dmabuf_publish(struct uio_dmabuf_file *file, struct uio_dmabuf_mapping *map,
			      int ret)
{
	mutex_lock(&file->lock);
	if (!ret && uio_dmabuf_file_gone_locked(file))
		ret = -ENODEV;
	/* Revoked between the mapping and now: user space may import again. */
	if (!ret && map->revoked)
		ret = -ESTALE;
	if (!ret)
		ret = uio_dmabuf_slot_take(file, map);
	if (ret < 0) {
		file->nr_imports--;
	} else {
		map->handle = uio_dmabuf_handle(ret, file->generation);
		if (++file->generation == UIO_DMABUF_GENERATIONS)
			file->generation = 0;
		/* The handle table owns the import. */
		map->live = true;
		kref_get(&map->ref);
		ret = 0;
	}
	mutex_unlock(&file->lock);
	return ret;
}

/**
 * uio_dmabuf_import() - import a dma-buf for an open file of the node
 * @file:   the file
 * @dmabuf: the buffer; the import takes over the caller's reference to it,
 *          which is put if the import fails
 * @dir:    direction of the device's mapping
 * @flags:  UIO_DMABUF_IMPORT_* demands on the mapping, checked by the caller
 *          against UIO_DMABUF_IMPORT_VALID_FLAGS
 *
 * Charges the buffer's pages to the calling user (RLIMIT_MEMLOCK), reserves the
 * buffer on the device, attaches, pins and maps it for the device, waits for
 * its kernel fences, records its segments and publishes it under a handle.
 * The exporter's calls and the fence wait run under no lock of ours; the
 * file's lock is held only to reserve and to publish, and the device lock
 * only to undo an import the exporter revoked meanwhile.
 *
 * Return: the live import with a reference for the caller, who puts it with
 * uio_dmabuf_mapping_put(); or ERR_PTR(-EINVAL) (empty buffer), -EACCES (the
 * device would write a buffer whose file is not open for writing), -ENODEV,
 * -ENOSPC, -EBUSY, -ENOMEM, -E2BIG, -EIO, -ESTALE (the exporter revoked the
 * buffer before it was published), -ERESTARTSYS or the exporter's error, and
 * nothing of the import is left behind.
 */
struct uio_dmabuf_mapping *uio_dmabuf_import(struct uio_dmabuf_file *file,
					     struct dma_buf *dmabuf,
					     enum dma_data_direction dir, u32 flags)
{
	struct uio_dmabuf_dev *udev = file->udev;
	struct uio_dmabuf_mapping *map;
	bool mapped;
	int ret;

	/* An empty buffer has no segment to report. */
	if (!dmabuf->size) {
		ret = -EINVAL;
		goto put;
	}
	/* The device may write the buffer only if whoever passed it may. */
	if (dir != DMA_TO_DEVICE && !(dmabuf->file->f_mode & FMODE_WRITE)) {
		ret = -EACCES;
		goto put;
	}
	map = uio_dmabuf_mapping_new(file, dmabuf, dir);
	if (IS_ERR(map))
		return map;
	ret = uio_dmabuf_reserve(file, map);
	if (ret)
		goto free;

	ret = uio_dmabuf_map(udev, map);
	mapped = !ret;
	if (!ret)
		ret = uio_dmabuf_check_demands(map, flags);
	ret = uio_dmabuf_publish(file, map, ret);
	if (ret)
		goto unmap;
	uio_dmabuf_inflight_done(udev);
	return map;

unmap:
	if (mapped)
		uio_dmabuf_unmap(udev, map);
	uio_dmabuf_buffers_del(udev, map);
	uio_dmabuf_inflight_done(udev);
free:
	uio_dmabuf_uncharge(map);
	uio_dmabuf_mapping_put(map);
	return ERR_PTR(ret);

put:
	dma_buf_put(dmabuf);
	return ERR_PTR(ret);
}

/*
 * Sync bytes [@offset, @offset + @length) of @map's buffer for the CPU or the
 * device, entry by entry of the mapped table, by DMA address: the exporter's
 * pages are never looked at (CONFIG_DMABUF_DEBUG mangles them, and P2P tables
 * have none). Each call stays inside one mapped entry, as the DMA API requires,
 * and inside one IOMMU page: an IOMMU merges physically separate pages into
 * one entry, and its sync translates only the first address. Another
 * device's memory (a peer import, whose exporter maps all of it from one
 * provider) is neither cached nor bounced: nothing to sync. Under the
 * buffer's reservation lock, with @map's table mapped.
 */
void uio_dmabuf_sync_range_locked(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map,
				  u64 offset, u64 length, bool for_cpu)
{
	struct device *dev = udev->dev;
	unsigned long granule = dma_get_merge_boundary(dev);	/* 0: no IOMMU */
	u64 pos = 0, end = offset + length;
	struct scatterlist *sg;
	int i;

	/* The lock keeps @map's table mapped: no unmap can run meanwhile. */
	dma_resv_assert_held(map->dmabuf->resv);
	if (map->peer)
		return;
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
				dma_sync_single_for_cpu(dev, addr, n, map->dir);
			else
				dma_sync_single_for_device(dev, addr, n, map->dir);
			from += n;
		}
		pos += len;
	}
}
