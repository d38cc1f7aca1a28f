// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of the uio_dmabuf benchmark (see uio_dmabuf_bench.h): what the
 * dma-buf core and the DMA API cost for one import, without the driver.
 * Each open file first names a PCI device, once (in practice one bound to
 * uio_dmabuf), then runs FLOOR once per dma-buf fd and time, or IMPORT and
 * RELEASE: the floor in two calls, or IMPORT_DUTIES and RELEASE: the same
 * with the duties every import of the driver has (the duplicate check, the
 * per-user charge, the kernel-fence check), with the driver's structures.
 * Handles are slots of a table with a free list, as the driver's (without
 * its generations above the slot, nor its growth).
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/pci.h>
#include <linux/hash.h>
#include <linux/list_bl.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "uio_dmabuf_bench.h"

/* A file's handles: the benchmark keeps a few imports at a time. */
#define UIO_DMABUF_BENCH_SLOTS	64

/**
 * struct uio_dmabuf_bench_file - one open /dev/uio-dmabuf-bench
 * @lock:    serialises setting @dev against the floors that use it
 * @dev:     the device attachments are made for (a reference), or NULL
 * @slots_lock: see the comment at the field
 * @slots:   the file's imports of UIO_DMABUF_BENCH_IOC_IMPORT, by handle: a
 *           free slot holds the next free one's number shifted left, with
 *           bit 0 set (the driver's table, which also grows)
 * @free_slot: the first free slot, or UIO_DMABUF_BENCH_SLOTS for none
 * @nr_buffers: imports in @buffers, counted as the driver counts them
 * @buffers: those with duties, by dma-buf: a buffer is imported once; the
 *           driver's index, 2^10 chains
 */
struct uio_dmabuf_bench_file {
	struct mutex lock;	/* serialises setting @dev against its users */
	struct device *dev;
	spinlock_t slots_lock;	/* protects @slots and @free_slot */
	union {
		struct uio_dmabuf_bench_import *imp;
		unsigned long next_free;
	} slots[UIO_DMABUF_BENCH_SLOTS];
	u32 free_slot;
	atomic_t nr_buffers;
	/* Each chain's bit lock protects its entries, as the driver's. */
	struct hlist_bl_head buffers[1024];
};

/* One import of UIO_DMABUF_BENCH_IOC_IMPORT or _IMPORT_DUTIES. */
struct uio_dmabuf_bench_import {
	struct hlist_bl_node node;	/* in buffers, with duties */
	struct user_struct *user;	/* charged, with duties; else NULL */
	unsigned long pages;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static void uio_dmabuf_bench_invalidate_mappings(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops uio_dmabuf_bench_attach_ops = {
	.allow_peer2peer = true,
	.invalidate_mappings = uio_dmabuf_bench_invalidate_mappings,
};

static int uio_dmabuf_bench_map(struct device *dev, struct dma_buf *dmabuf,
				enum dma_data_direction dir, u32 *nents)
{
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	int ret;

	attach = dma_buf_dynamic_attach(dmabuf, dev, &uio_dmabuf_bench_attach_ops, NULL);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	dma_resv_lock(dmabuf->resv, NULL);
	ret = dma_buf_pin(attach);
	if (ret)
		goto unlock;
	sgt = dma_buf_map_attachment(attach, dir);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto unpin;
	}
	*nents = sgt->nents;
	dma_resv_unlock(dmabuf->resv);

	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_unmap_attachment(attach, sgt, dir);
unpin:
	dma_buf_unpin(attach);
unlock:
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
	return ret;
}

static long uio_dmabuf_bench_floor(struct uio_dmabuf_bench_file *bf, void __user *uarg)
{
	struct uio_dmabuf_bench_floor arg;
	struct dma_buf *dmabuf;
	u64 start;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || !valid_dma_direction(arg.direction))
		return -EINVAL;
	mutex_lock(&bf->lock);
	ret = -ENODEV;
	if (!bf->dev)
		goto out;
	start = ktime_get_ns();
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out;
	}
	ret = uio_dmabuf_bench_map(bf->dev, dmabuf, arg.direction, &arg.nents);
	dma_buf_put(dmabuf);
	arg.ns = ktime_get_ns() - start;
out:
	mutex_unlock(&bf->lock);
	if (!ret && copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
	return ret;
}

static struct hlist_bl_head *uio_dmabuf_bench_chain(struct uio_dmabuf_bench_file *bf,
						    const struct dma_buf *dmabuf)
{
	return &bf->buffers[hash_ptr(dmabuf, ilog2(ARRAY_SIZE(bf->buffers)))];
}

/* As the driver's index: one import per dma-buf, -EBUSY for a second. */
static int uio_dmabuf_bench_index(struct uio_dmabuf_bench_file *bf,
				  struct uio_dmabuf_bench_import *imp)
{
	struct hlist_bl_head *chain = uio_dmabuf_bench_chain(bf, imp->dmabuf);
	struct uio_dmabuf_bench_import *other;
	struct hlist_bl_node *pos;

	hlist_bl_lock(chain);
	hlist_bl_for_each_entry(other, pos, chain, node) {
		if (other->dmabuf == imp->dmabuf) {
			hlist_bl_unlock(chain);
			return -EBUSY;
		}
	}
	hlist_bl_add_head(&imp->node, chain);
	hlist_bl_unlock(chain);
	atomic_inc(&bf->nr_buffers);
	return 0;
}

static void uio_dmabuf_bench_unindex(struct uio_dmabuf_bench_file *bf,
				     struct uio_dmabuf_bench_import *imp)
{
	struct hlist_bl_head *chain = uio_dmabuf_bench_chain(bf, imp->dmabuf);

	hlist_bl_lock(chain);
	hlist_bl_del(&imp->node);
	hlist_bl_unlock(chain);
	atomic_dec(&bf->nr_buffers);
}

/* The driver's charge: the user's locked_vm against RLIMIT_MEMLOCK, atomically. */
static int uio_dmabuf_bench_charge(struct uio_dmabuf_bench_import *imp)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct user_struct *user = current_user();
	long cur = atomic_long_read(&user->locked_vm), new;

	imp->pages = PAGE_ALIGN(imp->dmabuf->size) >> PAGE_SHIFT;
	for (;;) {
		new = cur + imp->pages;
		if ((unsigned long)new > limit) {
			if (limit == ULONG_MAX || !ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK))
				return -ENOMEM;
			limit = ULONG_MAX;
		}
		if (atomic_long_try_cmpxchg(&user->locked_vm, &cur, new))
			break;
	}
	imp->user = get_uid(user);
	return 0;
}

static void uio_dmabuf_bench_uncharge(struct uio_dmabuf_bench_import *imp)
{
	if (!imp->user)
		return;
	atomic_long_sub(imp->pages, &imp->user->locked_vm);
	free_uid(imp->user);
}

/* The driver's fence check, under the held reservation lock. */
static int uio_dmabuf_bench_fences(struct dma_resv *resv)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	long timeout;

	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_KERNEL, fence) {
		if (!dma_fence_is_signaled(fence))
			break;
	}
	if (!fence)
		return 0;
	timeout = dma_resv_wait_timeout(resv, DMA_RESV_USAGE_KERNEL, true, MAX_SCHEDULE_TIMEOUT);
	return timeout < 0 ? timeout : 0;
}

/* A free slot for @imp, or -ENOSPC. */
static int uio_dmabuf_bench_slot_take(struct uio_dmabuf_bench_file *bf,
				      struct uio_dmabuf_bench_import *imp)
{
	u32 slot;

	spin_lock(&bf->slots_lock);
	slot = bf->free_slot;
	if (slot == UIO_DMABUF_BENCH_SLOTS) {
		spin_unlock(&bf->slots_lock);
		return -ENOSPC;
	}
	bf->free_slot = bf->slots[slot].next_free >> 1;
	bf->slots[slot].imp = imp;
	spin_unlock(&bf->slots_lock);
	return slot;
}

/* The import under @handle, its slot freed; NULL for none (or not @imp). */
static struct uio_dmabuf_bench_import *
uio_dmabuf_bench_slot_put(struct uio_dmabuf_bench_file *bf, u32 handle,
			  struct uio_dmabuf_bench_import *imp)
{
	struct uio_dmabuf_bench_import *found = NULL;

	if (handle >= UIO_DMABUF_BENCH_SLOTS)
		return NULL;
	handle = array_index_nospec(handle, UIO_DMABUF_BENCH_SLOTS);
	spin_lock(&bf->slots_lock);
	if (!(bf->slots[handle].next_free & 1) && (!imp || bf->slots[handle].imp == imp)) {
		found = bf->slots[handle].imp;
		bf->slots[handle].next_free = (unsigned long)bf->free_slot << 1 | 1;
		bf->free_slot = handle;
	}
	spin_unlock(&bf->slots_lock);
	return found;
}

/*
 * The floor's first half, kept under a handle; the first segment copied out.
 * With @duties, also the driver's duties for every import: the buffer in an
 * index (EBUSY when it is there), the pages charged to the user, the kernel
 * fences checked.
 */
static long uio_dmabuf_bench_pair_import(struct uio_dmabuf_bench_file *bf, void __user *uarg,
					 bool duties)
{
	struct uio_dmabuf_bench_import *imp;
	struct uio_dmabuf_bench_pair arg;
	struct device *dev;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!valid_dma_direction(arg.direction))
		return -EINVAL;
	dev = READ_ONCE(bf->dev);
	if (!dev)
		return -ENODEV;
	imp = kzalloc_obj(*imp, GFP_KERNEL_ACCOUNT);
	if (!imp)
		return -ENOMEM;
	imp->dir = arg.direction;
	imp->dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(imp->dmabuf)) {
		ret = PTR_ERR(imp->dmabuf);
		goto free;
	}
	if (duties) {
		ret = uio_dmabuf_bench_charge(imp);
		if (ret)
			goto put;
		ret = uio_dmabuf_bench_index(bf, imp);
		if (ret)
			goto uncharge;
	}
	imp->attach = dma_buf_dynamic_attach(imp->dmabuf, dev, &uio_dmabuf_bench_attach_ops,
					     NULL);
	if (IS_ERR(imp->attach)) {
		ret = PTR_ERR(imp->attach);
		goto unindex;
	}
	dma_resv_lock(imp->dmabuf->resv, NULL);
	ret = dma_buf_pin(imp->attach);
	if (ret)
		goto unlock;
	imp->sgt = dma_buf_map_attachment(imp->attach, imp->dir);
	if (IS_ERR(imp->sgt)) {
		ret = PTR_ERR(imp->sgt);
		goto unpin;
	}
	if (duties) {
		ret = uio_dmabuf_bench_fences(imp->dmabuf->resv);
		if (ret)
			goto unmap_locked;
	}
	dma_resv_unlock(imp->dmabuf->resv);
	ret = uio_dmabuf_bench_slot_take(bf, imp);
	if (ret < 0)
		goto unmap;
	arg.handle = ret;
	arg.nents = imp->sgt->nents;
	arg.dma_addr = sg_dma_address(imp->sgt->sgl);
	arg.length = sg_dma_len(imp->sgt->sgl);
	if (!copy_to_user(uarg, &arg, sizeof(arg)))
		return 0;
	/* A RELEASE of the handle, guessed meanwhile, has undone it all. */
	if (!uio_dmabuf_bench_slot_put(bf, arg.handle, imp))
		return -EFAULT;
	ret = -EFAULT;
unmap:
	dma_resv_lock(imp->dmabuf->resv, NULL);
unmap_locked:
	dma_buf_unmap_attachment(imp->attach, imp->sgt, imp->dir);
unpin:
	dma_buf_unpin(imp->attach);
unlock:
	dma_resv_unlock(imp->dmabuf->resv);
	dma_buf_detach(imp->dmabuf, imp->attach);
unindex:
	if (duties)
		uio_dmabuf_bench_unindex(bf, imp);
uncharge:
	uio_dmabuf_bench_uncharge(imp);
put:
	dma_buf_put(imp->dmabuf);
free:
	kfree(imp);
	return ret;
}

static void uio_dmabuf_bench_unimport(struct uio_dmabuf_bench_file *bf,
				      struct uio_dmabuf_bench_import *imp)
{
	dma_resv_lock(imp->dmabuf->resv, NULL);
	dma_buf_unmap_attachment(imp->attach, imp->sgt, imp->dir);
	dma_buf_unpin(imp->attach);
	dma_resv_unlock(imp->dmabuf->resv);
	dma_buf_detach(imp->dmabuf, imp->attach);
	if (!imp->user) {
		dma_buf_put(imp->dmabuf);
		kfree(imp);
		return;
	}
	/* Out of the index before the buffer may be freed and its address reused. */
	uio_dmabuf_bench_unindex(bf, imp);
	uio_dmabuf_bench_uncharge(imp);
	dma_buf_put(imp->dmabuf);
	kfree(imp);
}

/* The floor's second half, for the import under the handle. */
static long uio_dmabuf_bench_pair_release(struct uio_dmabuf_bench_file *bf, void __user *uarg)
{
	struct uio_dmabuf_bench_import *imp;
	struct uio_dmabuf_bench_pair arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	imp = uio_dmabuf_bench_slot_put(bf, arg.handle, NULL);
	if (!imp)
		return -ENOENT;
	uio_dmabuf_bench_unimport(bf, imp);
	return 0;
}

static long uio_dmabuf_bench_device(struct uio_dmabuf_bench_file *bf, void __user *uarg)
{
	struct uio_dmabuf_bench_device arg;
	struct device *dev;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (strnlen(arg.name, sizeof(arg.name)) == sizeof(arg.name))
		return -EINVAL;
	dev = bus_find_device_by_name(&pci_bus_type, NULL, arg.name);
	if (!dev)
		return -ENODEV;
	mutex_lock(&bf->lock);
	/* Once per file: the imports' attachments are made for it. */
	if (bf->dev) {
		mutex_unlock(&bf->lock);
		put_device(dev);
		return -EBUSY;
	}
	WRITE_ONCE(bf->dev, dev);
	mutex_unlock(&bf->lock);
	return 0;
}

static long uio_dmabuf_bench_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case UIO_DMABUF_BENCH_IOC_DEVICE:
		return uio_dmabuf_bench_device(filp->private_data, (void __user *)arg);
	case UIO_DMABUF_BENCH_IOC_FLOOR:
		return uio_dmabuf_bench_floor(filp->private_data, (void __user *)arg);
	case UIO_DMABUF_BENCH_IOC_IMPORT:
		return uio_dmabuf_bench_pair_import(filp->private_data, (void __user *)arg, false);
	case UIO_DMABUF_BENCH_IOC_IMPORT_DUTIES:
		return uio_dmabuf_bench_pair_import(filp->private_data, (void __user *)arg, true);
	case UIO_DMABUF_BENCH_IOC_RELEASE:
		return uio_dmabuf_bench_pair_release(filp->private_data, (void __user *)arg);
	}
	return -ENOTTY;
}

static int uio_dmabuf_bench_open(struct inode *inode, struct file *filp)
{
	struct uio_dmabuf_bench_file *bf = kzalloc(sizeof(*bf), GFP_KERNEL);
	unsigned int i;

	if (!bf)
		return -ENOMEM;
	mutex_init(&bf->lock);
	for (i = 0; i < ARRAY_SIZE(bf->buffers); i++)
		INIT_HLIST_BL_HEAD(&bf->buffers[i]);
	spin_lock_init(&bf->slots_lock);
	for (i = 0; i < UIO_DMABUF_BENCH_SLOTS; i++)
		bf->slots[i].next_free = (unsigned long)(i + 1) << 1 | 1;
	filp->private_data = bf;
	return 0;
}

static int uio_dmabuf_bench_release(struct inode *inode, struct file *filp)
{
	struct uio_dmabuf_bench_file *bf = filp->private_data;
	unsigned int i;

	for (i = 0; i < UIO_DMABUF_BENCH_SLOTS; i++) {
		if (!(bf->slots[i].next_free & 1))
			uio_dmabuf_bench_unimport(bf, bf->slots[i].imp);
	}
	put_device(bf->dev);
	mutex_destroy(&bf->lock);
	kfree(bf);
	return 0;
}

static const struct file_operations uio_dmabuf_bench_fops = {
	.owner = THIS_MODULE,
	.open = uio_dmabuf_bench_open,
	.release = uio_dmabuf_bench_release,
	.unlocked_ioctl = uio_dmabuf_bench_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice uio_dmabuf_bench_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "uio-dmabuf-bench",
	.fops = &uio_dmabuf_bench_fops,
	.mode = 0600,
};
module_misc_device(uio_dmabuf_bench_misc);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("The floor of the uio_dmabuf benchmark: attach, pin, map and back");
MODULE_IMPORT_NS("DMA_BUF");
