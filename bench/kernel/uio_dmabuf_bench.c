// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of the uio_dmabuf benchmark (see uio_dmabuf_bench.h): what the
 * dma-buf core and the DMA API cost for one import, without the driver.
 * Each open file first names a PCI device (in practice one bound to
 * uio_dmabuf), then runs FLOOR once per dma-buf fd and time.
 */

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uio_dmabuf_bench.h"

/**
 * struct uio_dmabuf_bench_file - one open /dev/uio-dmabuf-bench
 * @lock: serialises setting @dev against the floors that use it
 * @dev:  the device attachments are made for (a reference), or NULL
 */
struct uio_dmabuf_bench_file {
	struct mutex lock;	/* serialises setting @dev against its users */
	struct device *dev;
};

static void uio_dmabuf_bench_move_notify(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops uio_dmabuf_bench_attach_ops = {
	.allow_peer2peer = true,
	.move_notify = uio_dmabuf_bench_move_notify,
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
	put_device(bf->dev);
	bf->dev = dev;
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
	}
	return -ENOTTY;
}

static int uio_dmabuf_bench_open(struct inode *inode, struct file *filp)
{
	struct uio_dmabuf_bench_file *bf = kzalloc(sizeof(*bf), GFP_KERNEL);

	if (!bf)
		return -ENOMEM;
	mutex_init(&bf->lock);
	filp->private_data = bf;
	return 0;
}

static int uio_dmabuf_bench_release(struct inode *inode, struct file *filp)
{
	struct uio_dmabuf_bench_file *bf = filp->private_data;

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
