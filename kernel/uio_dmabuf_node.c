// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf import node: /dev/uio-dmabufN, the misc device each bound device
 * gets beside its /dev/uioN. Each open file is an import context: it is
 * admitted by the open policy (uio_dmabuf_isolation.c), decodes the ioctls of
 * <uapi/linux/uio_dmabuf.h> into import lifecycle calls, and releases its
 * imports when it is closed. A file revoked, or whose device is unbound,
 * answers ENODEV.
 */

#include <kunit/visibility.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uio_dmabuf_priv.h"

static int uio_dmabuf_check_import(const struct uio_dmabuf_import *arg)
{
	if (arg->direction > UIO_DMABUF_DIR_FROM_DEVICE)
		return -EINVAL;
	if (arg->flags & ~UIO_DMABUF_IMPORT_VALID_FLAGS)
		return -EINVAL;
	/* The output fields may hold a previous call's results: ignored. */
	if (arg->reserved || !arg->segments != !arg->max_segments)
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
 * Import for a checked IMPORT argument whose fd is @dmabuf, and fill its
 * output fields. The import takes over the caller's reference to @dmabuf, put
 * on failure. Returns the import with a reference, or an ERR_PTR.
 */
static struct uio_dmabuf_mapping *
uio_dmabuf_import_arg(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
		      struct uio_dmabuf_import *arg)
{
	struct uio_dmabuf_mapping *map;

	map = uio_dmabuf_import(file, dmabuf, uio_dmabuf_dir(arg->direction), arg->flags);
	if (IS_ERR(map))
		return map;
	/* Immutable once published. */
	arg->handle = map->handle;
	arg->size = map->dmabuf->size;
	arg->nr_segments = map->nr_segs;
	arg->map_flags = (map->needs_sync ? UIO_DMABUF_MAP_NEEDS_SYNC : 0) |
			 (map->peer ? UIO_DMABUF_MAP_PEER : 0);
	return map;
}

static int uio_dmabuf_release_handle(struct uio_dmabuf_file *file, u32 handle,
				     struct uio_dmabuf_mapping *map);

/*
 * Write @n segments to @to, one field at a time in one user-access window:
 * the few that IMPORT reports of most buffers without copy_to_user()'s set-up
 * and object check, and a long list in stores of eight bytes where
 * copy_to_user() may be a byte string move, which an emulated CPU runs a byte
 * per step.
 */
static int uio_dmabuf_put_segments(struct uio_dmabuf_segment __user *to,
				   const struct uio_dmabuf_segment *segs, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	if (can_do_masked_user_access())
		to = masked_user_write_access_begin(to);
	else if (!user_write_access_begin(to, array_size(n, sizeof(*to))))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_put_user(segs[i].dma_addr, &to[i].dma_addr, efault);
		unsafe_put_user(segs[i].length, &to[i].length, efault);
	}
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * IMPORT's input fields of @from into @arg, as fs/select.c reads its
 * argument: the path is hot enough for copy_from_user()'s overhead to
 * matter. The output fields are written back, never read.
 */
static int uio_dmabuf_get_import(struct uio_dmabuf_import *arg,
				 const struct uio_dmabuf_import __user *from)
{
	if (can_do_masked_user_access())
		from = masked_user_read_access_begin(from);
	else if (!user_read_access_begin(from, sizeof(*from)))
		return -EFAULT;
	unsafe_get_user(arg->fd, &from->fd, efault);
	unsafe_get_user(arg->direction, &from->direction, efault);
	unsafe_get_user(arg->flags, &from->flags, efault);
	unsafe_get_user(arg->segments, &from->segments, efault);
	unsafe_get_user(arg->max_segments, &from->max_segments, efault);
	unsafe_get_user(arg->reserved, &from->reserved, efault);
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

/*
 * IMPORT's output fields of @arg to @to, without copy_to_user()'s set-up and
 * object check: the input fields are user space's already.
 */
static int uio_dmabuf_put_import(struct uio_dmabuf_import __user *to,
				 const struct uio_dmabuf_import *arg)
{
	/* handle, size, nr_segments and map_flags, one after the other */
	size_t len = offsetofend(struct uio_dmabuf_import, map_flags) -
		     offsetof(struct uio_dmabuf_import, handle);

	static_assert(offsetof(struct uio_dmabuf_import, size) ==
		      offsetofend(struct uio_dmabuf_import, handle));
	static_assert(offsetof(struct uio_dmabuf_import, nr_segments) ==
		      offsetofend(struct uio_dmabuf_import, size));
	static_assert(offsetof(struct uio_dmabuf_import, map_flags) ==
		      offsetofend(struct uio_dmabuf_import, nr_segments));

	if (can_do_masked_user_access())
		to = masked_user_write_access_begin(to);
	else if (!user_write_access_begin(&to->handle, len))
		return -EFAULT;
	unsafe_put_user(arg->handle, &to->handle, efault);
	unsafe_put_user(arg->size, &to->size, efault);
	unsafe_put_user(arg->nr_segments, &to->nr_segments, efault);
	unsafe_put_user(arg->map_flags, &to->map_flags, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * The first min(@arg->max_segments, nr_segments) segments of the import @map
 * into @arg->segments: immutable once published, and @map is held. On a fault
 * the import is undone: user space never learns of it.
 */
static int uio_dmabuf_copy_first_segments(struct uio_dmabuf_file *file,
					  struct uio_dmabuf_mapping *map,
					  const struct uio_dmabuf_import *arg)
{
	size_t n = min(arg->max_segments, map->nr_segs);

	if (!uio_dmabuf_put_segments(u64_to_user_ptr(arg->segments), map->segs, n))
		return 0;
	uio_dmabuf_release_handle(file, arg->handle, map);
	return -EFAULT;
}

/**
 * uio_dmabuf_file_import() - import a dma-buf on behalf of an open file
 * @file:   the open file of the import node
 * @dmabuf: the buffer; the import takes a reference of its own
 * @arg:    the IMPORT argument: @arg->direction, @arg->flags and the user
 *          array @arg->segments of @arg->max_segments in, the handle, size,
 *          segment count and map flags out (@arg->fd is not used)
 *
 * Validates @arg, charges the buffer's pages to the calling user's RLIMIT_MEMLOCK,
 * attaches, pins and maps the buffer for the device, records its segments and
 * writes the first ones to @arg->segments.
 *
 * Return: 0, or -EINVAL, -ENODEV, -ENOSPC, -EBUSY, -ENOMEM, -E2BIG, -EIO,
 * -ESTALE, -EFAULT, -ERESTARTSYS or the exporter's error, in which case
 * nothing of the import is left behind.
 */
int uio_dmabuf_file_import(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
			   struct uio_dmabuf_import *arg)
{
	struct uio_dmabuf_mapping *map;
	int ret;

	ret = uio_dmabuf_check_import(arg);
	if (ret)
		return ret;
	get_dma_buf(dmabuf);
	map = uio_dmabuf_import_arg(file, dmabuf, arg);
	if (IS_ERR(map))
		return PTR_ERR(map);
	ret = uio_dmabuf_copy_first_segments(file, map, arg);
	uio_dmabuf_mapping_put(map);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_file_import);

/* Release the import @handle of @file, if it is @map (NULL: whichever it is). */
static int uio_dmabuf_release_handle(struct uio_dmabuf_file *file, u32 handle,
				     struct uio_dmabuf_mapping *map)
{
	struct uio_dmabuf_mapping *live;
	int ret;

	ret = uio_dmabuf_lock_file(file);
	if (ret)
		return ret;
	live = uio_dmabuf_handle_lookup_locked(file, handle);
	if (!live || (map && live != map)) {
		mutex_unlock(&file->lock);
		return -ENOENT;
	}
	uio_dmabuf_handle_remove_locked(file, handle);
	uio_dmabuf_unlist_locked(file->udev, live);
	mutex_unlock(&file->lock);
	uio_dmabuf_destroy_one(file->udev, live);
	return 0;
}

/*
 * Under the file's lock, the live import @handle of @file: ERR_PTR(-ENOENT)
 * for none, ERR_PTR(-ESTALE) for one its exporter revoked.
 */
static struct uio_dmabuf_mapping *
uio_dmabuf_lookup_locked(struct uio_dmabuf_file *file, u32 handle)
{
	struct uio_dmabuf_mapping *map;

	map = uio_dmabuf_handle_lookup_locked(file, handle);
	if (!map)
		return ERR_PTR(-ENOENT);
	return map->revoked ? ERR_PTR(-ESTALE) : map;
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
	map = uio_dmabuf_lookup_locked(file, handle);
	if (!IS_ERR(map))
		kref_get(&map->ref);
	mutex_unlock(&file->lock);
	return map;
}

static long uio_dmabuf_ioctl_info(struct uio_dmabuf_file *file, void __user *argp)
{
	struct uio_dmabuf_dev *udev = file->udev;
	struct uio_dmabuf_info info = { };
	int ret;

	ret = uio_dmabuf_lock_dev(file);
	if (ret)
		return ret;
	info.uio_index = udev->index;
	info.dma_mask_bits = udev->dma_mask_bits;
	info.flags = uio_dmabuf_isolation(udev, NULL);
	info.max_imports = READ_ONCE(uio_dmabuf_max_imports);
	mutex_lock(&file->lock);
	info.nr_imports = file->nr_imports;
	info.nr_revoked = file->nr_revoked;
	mutex_unlock(&file->lock);
	info.max_segment_size = dma_get_max_seg_size(udev->dev);
	info.segment_boundary = dma_get_seg_boundary(udev->dev);
	info.irq_mode = udev->irq_mode;
	info.nr_irq_vectors = udev->nr_vectors;
	mutex_unlock(&udev->lock);

	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long uio_dmabuf_ioctl_import(struct uio_dmabuf_file *file, void __user *argp)
{
	struct uio_dmabuf_import arg;
	struct uio_dmabuf_mapping *map;
	struct dma_buf *dmabuf;
	int ret = 0;

	if (uio_dmabuf_get_import(&arg, argp))
		return -EFAULT;
	/* The fields are judged before the fd is looked up. */
	ret = uio_dmabuf_check_import(&arg);
	if (ret)
		return ret;
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	/* The fd's reference becomes the import's. */
	map = uio_dmabuf_import_arg(file, dmabuf, &arg);
	if (IS_ERR(map))
		return PTR_ERR(map);

	ret = uio_dmabuf_copy_first_segments(file, map, &arg);
	if (!ret && uio_dmabuf_put_import(argp, &arg)) {
		/*
		 * User space never learnt the handle: leave nothing behind. Only
		 * this import goes, even if another thread released it meanwhile.
		 */
		uio_dmabuf_release_handle(file, arg.handle, map);
		ret = -EFAULT;
	}
	uio_dmabuf_mapping_put(map);
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
	if (uio_dmabuf_put_segments(u64_to_user_ptr(arg.segments), map->segs + first, n)) {
		ret = -EFAULT;
		goto put;
	}
	arg.count = n;
	arg.nr_segments = map->nr_segs;
	if (copy_to_user(argp, &arg, sizeof(arg)))
		ret = -EFAULT;
put:
	uio_dmabuf_mapping_put(map);
	return ret;
}

/* RELEASE's argument, read as IMPORT's (uio_dmabuf_get_import()). */
static long uio_dmabuf_ioctl_release(struct uio_dmabuf_file *file,
				     struct uio_dmabuf_release __user *argp)
{
	u32 handle, reserved;

	if (can_do_masked_user_access())
		argp = masked_user_read_access_begin(argp);
	else if (!user_read_access_begin(argp, sizeof(*argp)))
		return -EFAULT;
	unsafe_get_user(handle, &argp->handle, efault);
	unsafe_get_user(reserved, &argp->reserved, efault);
	user_read_access_end();
	if (reserved)
		return -EINVAL;
	return uio_dmabuf_release_handle(file, handle, NULL);
efault:
	user_read_access_end();
	return -EFAULT;
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

	map = uio_dmabuf_get_mapping(file, arg.handle);
	if (IS_ERR(map))
		return PTR_ERR(map);
	offset = arg.offset;
	length = arg.length;
	if (!offset && !length) {
		length = map->dmabuf->size;
	} else if (!length || offset >= map->dmabuf->size ||
		   length > map->dmabuf->size - offset) {
		ret = -EINVAL;
		goto put;
	}
	/*
	 * The reservation lock keeps the table mapped: a release or the
	 * exporter's revocation unmaps it under that lock, and leaves the
	 * table pointer NULL or the revoked flag set behind.
	 */
	ret = dma_resv_lock_interruptible(map->dmabuf->resv, NULL);
	if (ret) {
		ret = -ERESTARTSYS;
		goto put;
	}
	if (map->revoked)
		ret = -ESTALE;
	else if (!map->sgt)
		ret = READ_ONCE(file->revoked) ? -ENODEV : -ENOENT;
	else
		uio_dmabuf_sync_range_locked(udev, map, offset, length,
					     arg.flags == UIO_DMABUF_SYNC_FOR_CPU);
	dma_resv_unlock(map->dmabuf->resv);
put:
	uio_dmabuf_mapping_put(map);
	return ret;
}

static long uio_dmabuf_ioctl_set_irq_eventfd(struct uio_dmabuf_file *file, void __user *argp)
{
	struct uio_dmabuf_irq_eventfd arg;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	return uio_dmabuf_set_irq_eventfd(file, arg.vector, arg.fd);
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
	case UIO_DMABUF_IOC_SET_IRQ_EVENTFD:
		return uio_dmabuf_ioctl_set_irq_eventfd(file, argp);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_file_ioctl);

/**
 * uio_dmabuf_file_open() - a new import context on a device
 * @udev:     the device
 * @writable: the node is opened for writing; a file that is not only reads
 *            (INFO): it neither turns DMA on nor claims the IOMMU group
 *
 * Admits the caller by the isolation rule (see uio_dmabuf_isolation()) or the
 * unsafe no-IOMMU rule, and, for a writable file of an isolated device, if no
 * other user owns its IOMMU group (see uio_dmabuf_group_claim()). The first
 * active (writable) file of a device turns its DMA on. A writable open retries
 * a reset that failed at the last close (see uio_dmabuf_reset_locked()).
 *
 * Return: the file, or ERR_PTR(-ENOMEM), ERR_PTR(-EPERM), ERR_PTR(-EBUSY),
 * ERR_PTR(-EAGAIN) (the reset failed again) or ERR_PTR(-ENODEV).
 */
struct uio_dmabuf_file *uio_dmabuf_file_open(struct uio_dmabuf_dev *udev, bool writable)
{
	struct uio_dmabuf_file *file;
	int ret;

	file = kzalloc_obj(*file, GFP_KERNEL_ACCOUNT);
	if (!file)
		return ERR_PTR(-ENOMEM);
	mutex_init(&file->lock);
	file->free_slot = UIO_DMABUF_MAX_SLOTS;
	file->udev = udev;
	file->passive = !writable;

	mutex_lock(&udev->lock);
	if (udev->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	/* Before admission: a reset that cannot work any more ends isolation. */
	if (!file->passive && udev->needs_reset && uio_dmabuf_reset_locked(udev, false) &&
	    udev->needs_reset) {
		ret = -EAGAIN;
		goto unlock;
	}
	/* Under the lock: a sibling's driver binding now revokes this file. */
	ret = uio_dmabuf_admit_locked(udev, &file->isolated);
	if (!ret && !file->passive)
		ret = uio_dmabuf_group_claim(udev, file);
	if (ret)
		goto unlock;
	if (!file->passive) {
		udev->nr_active++;
		udev->nr_writers++;
	}
	uio_dmabuf_update_dma_locked(udev);
	list_add_tail(&file->node, &udev->files);
	kref_get(&udev->ref);
	mutex_unlock(&udev->lock);
	return file;

unlock:
	mutex_unlock(&udev->lock);
	mutex_destroy(&file->lock);
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
 * released, and every MSI-X vector it bound unbound. The last writable file
 * to close resets the device before its IOMMU group is free for another user.
 */
void uio_dmabuf_file_release(struct uio_dmabuf_file *file)
{
	struct uio_dmabuf_dev *udev = file->udev;
	LIST_HEAD(dead);
	bool revoked;

	mutex_lock(&udev->lock);
	revoked = uio_dmabuf_recheck_locked(file, &dead);
	list_del(&file->node);
	if (!udev->dead && !file->revoked && !file->passive)
		udev->nr_active--;
	uio_dmabuf_update_dma_locked(udev);
	uio_dmabuf_release_all_locked(udev, file, &dead, false);
	mutex_unlock(&udev->lock);
	uio_dmabuf_destroy(udev, &dead);
	uio_dmabuf_unbind_vectors(udev, file);
	if (revoked)
		uio_dmabuf_unbind_revoked_vectors(udev);
	if (!file->passive) {
		mutex_lock(&udev->lock);
		if (!--udev->nr_writers && !udev->dead)
			uio_dmabuf_reset_locked(udev, false);
		mutex_unlock(&udev->lock);
	}
	uio_dmabuf_group_release(file);

	kvfree(file->slots);
	mutex_destroy(&file->lock);
	kfree(file);
	uio_dmabuf_dev_put(udev);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_file_release);

/**
 * uio_dmabuf_file_poll() - what poll() on an open file of the node reports
 * @file: the open file
 * @filp: its struct file, for poll_wait()
 * @wait: the poll table, or NULL
 *
 * Return: EPOLLERR | EPOLLHUP once the device is unbound or @file revoked;
 * else EPOLLPRI while @file holds an import its exporter revoked, which only
 * RELEASE (or the close) ends; else 0.
 */
__poll_t uio_dmabuf_file_poll(struct uio_dmabuf_file *file, struct file *filp,
			      struct poll_table_struct *wait)
{
	struct uio_dmabuf_dev *udev = file->udev;
	__poll_t mask = 0;

	poll_wait(filp, &udev->poll_wait, wait);
	mutex_lock(&file->lock);
	if (uio_dmabuf_file_gone_locked(file))
		mask = EPOLLERR | EPOLLHUP;
	else if (file->nr_revoked)
		mask = EPOLLPRI;
	mutex_unlock(&file->lock);
	return mask;
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_file_poll);

static int uio_dmabuf_fop_open(struct inode *inode, struct file *filp)
{
	struct uio_dmabuf_dev *udev = container_of(filp->private_data,
						   struct uio_dmabuf_dev, misc);
	struct uio_dmabuf_file *file;

	file = uio_dmabuf_file_open(udev, filp->f_mode & FMODE_WRITE);
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
	/* These change what the device reaches, or its caches: writers only. */
	switch (cmd) {
	case UIO_DMABUF_IOC_IMPORT:
	case UIO_DMABUF_IOC_RELEASE:
	case UIO_DMABUF_IOC_SYNC:
	case UIO_DMABUF_IOC_SET_IRQ_EVENTFD:
		if (!(filp->f_mode & FMODE_WRITE))
			return -EBADF;
	}
	return uio_dmabuf_file_ioctl(filp->private_data, cmd, (void __user *)arg);
}

static __poll_t uio_dmabuf_fop_poll(struct file *filp, struct poll_table_struct *wait)
{
	return uio_dmabuf_file_poll(filp->private_data, filp, wait);
}

static const struct file_operations uio_dmabuf_fops = {
	.owner = THIS_MODULE,
	.open = uio_dmabuf_fop_open,
	.release = uio_dmabuf_fop_release,
	.poll = uio_dmabuf_fop_poll,
	.unlocked_ioctl = uio_dmabuf_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Register @udev's import node, /dev/uio-dmabufN. */
int uio_dmabuf_node_register(struct uio_dmabuf_dev *udev)
{
	udev->misc.minor = MISC_DYNAMIC_MINOR;
	udev->misc.name = udev->name;
	udev->misc.fops = &uio_dmabuf_fops;
	udev->misc.parent = udev->dev;
	return misc_register(&udev->misc);
}
