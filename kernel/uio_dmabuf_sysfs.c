// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf sysfs and debugfs: the uio_dmabuf/ attribute group of a bound
 * device (see Documentation/ABI/testing/sysfs-driver-uio_dmabuf) and the
 * debugfs listing of its live imports.
 *
 * The group is added in probe, before the import node is registered, rather
 * than through the drivers' .dev_groups (added after probe returns): the udev
 * rule that gives an isolated device's nodes to a group reads isolation when
 * the nodes appear.
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/sched/user.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>

#include "uio_dmabuf_priv.h"

static struct dentry *uio_dmabuf_debugfs_root;

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
	struct uio_dmabuf_file *file;
	u32 slot;

	seq_puts(s, "handle\tpid\tsize\tdirection\tsegments\texporter\tuid\n");
	mutex_lock(&udev->lock);
	list_for_each_entry(file, &udev->files, node) {
		mutex_lock(&file->lock);
		for (slot = 0; (map = uio_dmabuf_next_import(file, &slot)); slot++)
			seq_printf(s, "%u\t%d\t%zu\t%s\t%u\t%s\t%u\n", map->handle, map->pid,
				   map->dmabuf->size, uio_dmabuf_dir_names[map->dir],
				   map->nr_segs, map->dmabuf->exp_name,
				   from_kuid(&init_user_ns, map->user->uid));
		mutex_unlock(&file->lock);
	}
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
	/* Unbound: the masks are restored at the end of the unbind. */
	if (udev->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	/*
	 * Live imports, and those still mapping or unmapping, use the mask.
	 * One reserving meanwhile (under its file's lock alone) sees the flag
	 * and waits for the device lock (see uio_dmabuf_reserve()).
	 */
	WRITE_ONCE(udev->mask_busy, true);
	smp_mb();	/* the flag, then the count; the reservation the other way */
	if (uio_dmabuf_nr_buffers(udev))
		ret = -EBUSY;
	else
		ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (!ret)
		WRITE_ONCE(udev->dma_mask_bits, bits);
	WRITE_ONCE(udev->mask_busy, false);
unlock:
	mutex_unlock(&udev->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(dma_mask_bits);

/* The UIO_DMABUF_INFO_* flags, for those who cannot open the node. */
static ssize_t isolation_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%x\n", uio_dmabuf_isolation_now(dev_get_drvdata(dev)));
}
static DEVICE_ATTR_RO(isolation);

/* Buffers imported on the device, by every open file together. */
static ssize_t imports_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", uio_dmabuf_nr_buffers(udev));
}
static DEVICE_ATTR_RO(imports);

/* Who owns the device's IOMMU group now (see uio_dmabuf_group_claim()). */
static ssize_t owner_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);
	kuid_t uid;

	if (!uio_dmabuf_group_owner(udev, &uid))
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u\n", from_kuid_munged(current_user_ns(), uid));
}
static DEVICE_ATTR_RO(owner);

/* The device's interrupt, as INFO's irq_mode says it, in a word. */
static ssize_t irq_mode_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	static const char *const names[] = {
		[UIO_DMABUF_IRQ_NONE] = "none",
		[UIO_DMABUF_IRQ_LINE] = "line",
		[UIO_DMABUF_IRQ_INTX] = "intx",
		[UIO_DMABUF_IRQ_MSI] = "msi",
		[UIO_DMABUF_IRQ_MSIX] = "msix",
	};
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);

	/* Set before the group is added, never changed. */
	if (udev->irq_mode >= ARRAY_SIZE(names))
		return -EIO;
	return sysfs_emit(buf, "%s\n", names[udev->irq_mode]);
}
static DEVICE_ATTR_RO(irq_mode);

/* MSI-X vectors user space may bind to eventfds (INFO's nr_irq_vectors). */
static ssize_t irq_vectors_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);

	/* Set before the group is added, never changed. */
	return sysfs_emit(buf, "%u\n", udev->nr_vectors);
}
static DEVICE_ATTR_RO(irq_vectors);

/* Imports an exporter revoked that their files have not released yet. */
static ssize_t revoked_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);
	unsigned int n;

	mutex_lock(&udev->lock);
	n = udev->nr_revoked;
	mutex_unlock(&udev->lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(revoked);

static struct attribute *uio_dmabuf_attrs[] = {
	&dev_attr_dma_mask_bits.attr,
	&dev_attr_isolation.attr,
	&dev_attr_imports.attr,
	&dev_attr_owner.attr,
	&dev_attr_irq_mode.attr,
	&dev_attr_irq_vectors.attr,
	&dev_attr_revoked.attr,
	NULL
};

static const struct attribute_group uio_dmabuf_attr_group = {
	.name = "uio_dmabuf",
	.attrs = uio_dmabuf_attrs,
};

/**
 * uio_dmabuf_sysfs_add() - add a device's uio_dmabuf/ sysfs group and debugfs listing
 * @udev: the device, its driver data already set
 *
 * Return: 0 or a negative errno.
 */
int uio_dmabuf_sysfs_add(struct uio_dmabuf_dev *udev)
{
	int ret;

	ret = device_add_group(udev->dev, &uio_dmabuf_attr_group);
	if (ret)
		return ret;
	udev->debugfs = debugfs_create_dir(dev_name(udev->dev), uio_dmabuf_debugfs_root);
	debugfs_create_file("imports", 0400, udev->debugfs, udev, &uio_dmabuf_imports_fops);
	return 0;
}

void uio_dmabuf_sysfs_remove(struct uio_dmabuf_dev *udev)
{
	debugfs_remove_recursive(udev->debugfs);
	device_remove_group(udev->dev, &uio_dmabuf_attr_group);
}

static int uio_dmabuf_charged_get(void *data, u64 *val)
{
	*val = atomic_long_read(&uio_dmabuf_charged_pages);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(uio_dmabuf_charged_fops, uio_dmabuf_charged_get, NULL, "%llu\n");

void uio_dmabuf_debugfs_init(void)
{
	uio_dmabuf_debugfs_root = debugfs_create_dir("uio_dmabuf", NULL);
	debugfs_create_file_unsafe("charged_pages", 0400, uio_dmabuf_debugfs_root, NULL,
				   &uio_dmabuf_charged_fops);
}

void uio_dmabuf_debugfs_exit(void)
{
	debugfs_remove_recursive(uio_dmabuf_debugfs_root);
}
