/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uio_dmabuf internals shared by the bus-independent import core, the bus glue
 * (PCI, platform) and the KUnit suite.
 */
#ifndef _UIO_DMABUF_PRIV_H
#define _UIO_DMABUF_PRIV_H

#include <linux/dma-direction.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <uapi/linux/uio_dmabuf.h>

struct dentry;
struct device;
struct dma_buf;
struct dma_buf_attachment;
struct mm_struct;
struct sg_table;

/**
 * struct uio_dmabuf_bus_ops - what the core asks of the bus glue
 * @set_dma_enabled: let the device master the bus (true) or stop all its DMA
 *                   (false); NULL when the bus has no such switch. @priv is
 *                   what the glue passed to uio_dmabuf_register().
 */
struct uio_dmabuf_bus_ops {
	void (*set_dma_enabled)(void *priv, bool enable);
};

/**
 * struct uio_dmabuf_dev - one bound device and its import node
 * @dev:           the hardware device; a reference is held
 * @ops:           bus glue callbacks
 * @priv:          the bus glue's argument to @ops
 * @index:         N of /dev/uioN and of the node /dev/uio-dmabufN
 * @iommu:         the device's DMA is translated by an IOMMU
 * @name:          the node's name, "uio-dmabufN"
 * @misc:          the import node
 * @debugfs:       this device's debugfs directory
 * @ref:           held by the bound driver and by every open file of the node
 * @lock:          see the comment at the field
 * @dead:          the device was unbound: every ioctl fails with ENODEV
 * @nr_open:       open files of the node
 * @nr_imports:    live imports of all files
 * @dma_mask_bits: width of the DMA mask set on @dev
 * @files:         open files of the node
 * @imports:       live imports of all files, for EBUSY and debugfs
 */
struct uio_dmabuf_dev {
	struct device *dev;
	const struct uio_dmabuf_bus_ops *ops;
	void *priv;
	int index;
	bool iommu;
	char name[32];
	struct miscdevice misc;
	struct dentry *debugfs;
	struct kref ref;

	/*
	 * Serialises imports, releases, syncs, revocation and the sysfs mask
	 * store; protects every field below and the handle tables and import
	 * counts of all files of this device.
	 */
	struct mutex lock;
	bool dead;
	unsigned int nr_open;
	unsigned int nr_imports;
	unsigned int dma_mask_bits;
	struct list_head files;
	struct list_head imports;
};

/**
 * struct uio_dmabuf_file - one open file of the import node
 * @udev:        the device; a reference is held
 * @node:        entry in &uio_dmabuf_dev.files
 * @handles:     handle -> &struct uio_dmabuf_mapping, under &uio_dmabuf_dev.lock
 * @next_handle: cursor of the cyclic handle allocator
 * @nr_imports:  live imports in @handles
 */
struct uio_dmabuf_file {
	struct uio_dmabuf_dev *udev;
	struct list_head node;
	struct xarray handles;
	u32 next_handle;
	unsigned int nr_imports;
};

/**
 * struct uio_dmabuf_mapping - one live import: a dma-buf attached, pinned and
 * mapped for the device
 * @ref:        held by the handle table while live, and by GET_SEGMENTS while
 *              it copies @segs; the last put frees @segs and the mapping
 * @file:       the file that owns the import
 * @node:       entry in &uio_dmabuf_dev.imports
 * @dmabuf:     the buffer; a reference is held while live
 * @attach:     the dynamic attachment of @dmabuf to the device
 * @sgt:        the mapped table; only its DMA fields are read
 * @dir:        direction of the mapping
 * @handle:     the handle user space knows the import by
 * @pid:        tgid of the importing process
 * @mm:         the mm charged for the pinned pages (grabbed), or NULL
 * @pages:      pages charged to @mm
 * @nr_segs:    entries in @segs
 * @segs:       the DMA segments, merged, in buffer order; immutable once live
 */
struct uio_dmabuf_mapping {
	struct kref ref;
	struct uio_dmabuf_file *file;
	struct list_head node;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	u32 handle;
	pid_t pid;
	struct mm_struct *mm;
	unsigned long pages;
	u32 nr_segs;
	struct uio_dmabuf_segment *segs;
};

/* Most live imports per open file: the max_imports module parameter. */
extern unsigned int uio_dmabuf_max_imports;

struct uio_dmabuf_dev *uio_dmabuf_register(struct device *dev, int index,
					   const struct uio_dmabuf_bus_ops *ops,
					   void *priv);
void uio_dmabuf_unregister(struct uio_dmabuf_dev *udev);
void uio_dmabuf_unregister_action(void *udev);

struct uio_dmabuf_file *uio_dmabuf_file_open(struct uio_dmabuf_dev *udev);
void uio_dmabuf_file_release(struct uio_dmabuf_file *file);
int uio_dmabuf_file_import(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
			   struct uio_dmabuf_import *arg);
long uio_dmabuf_file_ioctl(struct uio_dmabuf_file *file, unsigned int cmd,
			   void __user *argp);

int uio_dmabuf_core_init(void);
void uio_dmabuf_core_exit(void);

#ifdef CONFIG_PCI
int uio_dmabuf_pci_init(void);
void uio_dmabuf_pci_exit(void);
#else
static inline int uio_dmabuf_pci_init(void) { return 0; }
static inline void uio_dmabuf_pci_exit(void) { }
#endif

int uio_dmabuf_platform_init(void);
void uio_dmabuf_platform_exit(void);

#endif /* _UIO_DMABUF_PRIV_H */
