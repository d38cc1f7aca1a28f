/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uio_dmabuf internals shared by its files and the KUnit suite:
 *   uio_dmabuf_main.c       the module; bound devices: register, unbind, the
 *                           bus notifier that revokes on a group change
 *   uio_dmabuf_node.c       the import node: open, ioctls, release
 *   uio_dmabuf_import.c     the import lifecycle: map, publish, teardown
 *   uio_dmabuf_segments.c   the segments of a mapped import
 *   uio_dmabuf_isolation.c  the trust boundary and the open policy
 *   uio_dmabuf_sysfs.c      sysfs attributes and the debugfs listing
 *   uio_dmabuf_irq.c        MSI-X vectors bound to eventfds
 *   uio_dmabuf_pci.c, uio_dmabuf_platform.c  the bus glue
 */
#ifndef _UIO_DMABUF_PRIV_H
#define _UIO_DMABUF_PRIV_H

#include <linux/dma-direction.h>
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/atomic.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/ratelimit_types.h>
#include <linux/list_bl.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <uapi/linux/uio_dmabuf.h>

struct dentry;
struct device;
struct eventfd_ctx;
struct file;
struct dma_buf;
struct dma_buf_attachment;
struct device_driver;
struct iommu_group;
struct notifier_block;
struct poll_table_struct;
struct resource;
struct sg_table;
struct uio_dmabuf_group_owner;
struct uio_info;
struct uio_mem;
struct user_struct;

/**
 * struct uio_dmabuf_irq_gate - a UIO interrupt masked at the interrupt controller
 * @lock:     serialises disabling and enabling the IRQ; protects @disabled
 * @disabled: the IRQ is disabled until user space write()s 1
 *
 * For interrupts the device cannot mask itself (a platform device's) or that
 * need no device-level mask (an MSI vector): the handler disables the IRQ,
 * irqcontrol enables it again, and the disable depth stays 0 or 1, so that no
 * unbalanced enable_irq() is reachable from user space.
 */
struct uio_dmabuf_irq_gate {
	spinlock_t lock;	/* serialises enable_irq() and disable_irq_nosync() */
	bool disabled;
};

/**
 * struct uio_dmabuf_bus_ops - what the core asks of the bus glue
 * @set_dma_enabled: let the device master the bus (true) or stop all its DMA
 *                   (false); NULL when the bus has no such switch. @priv is
 *                   what the glue passed to uio_dmabuf_register().
 * @reset:           reset the device alone, with its bus state (config space)
 *                   kept; @locked: the caller holds the device lock (probe and
 *                   remove), else the glue only tries to take it. Returns 0,
 *                   -ENOTTY when the device has no such reset, -EAGAIN when the
 *                   lock was taken, or another error. NULL: no reset.
 */
struct uio_dmabuf_bus_ops {
	void (*set_dma_enabled)(void *priv, bool enable);
	int (*reset)(void *priv, bool locked);
};

/**
 * struct uio_dmabuf_irqs - a device's interrupts, as its bus glue set them up
 * @mode:       UIO_DMABUF_IRQ_*, what INFO reports
 * @nr_vectors: MSI-X vectors user space may bind to eventfds (0: none)
 * @vector_irq: the Linux IRQ number of vector @vector; called at registration
 *              with the glue's @priv
 */
struct uio_dmabuf_irqs {
	u32 mode;
	unsigned int nr_vectors;
	int (*vector_irq)(void *priv, unsigned int vector);
};

/**
 * struct uio_dmabuf_vector - an MSI-X vector that user space may bind
 * @irq:     its Linux IRQ number, requested while it is bound
 * @trigger: the eventfd it signals (a reference is held), or NULL: unbound
 * @owner:   the open file that bound it; dereferenced only under the device's
 *           vectors lock, which the file's release takes before it is freed
 * @name:    its name in /proc/interrupts, "uio-dmabufN-msixV"
 */
struct uio_dmabuf_vector {
	int irq;
	struct eventfd_ctx *trigger;
	struct uio_dmabuf_file *owner;
	char name[48];
};

/*
 * The buffer index's chains: 2^10 of them, 8 KiB per device. A reservation
 * walks one: at 10,000 live imports about ten entries.
 */
#define UIO_DMABUF_BUFFERS_BITS	10

/**
 * struct uio_dmabuf_dev - one bound device and its import node
 * @dev:           the hardware device; a reference is held
 * @ops:           bus glue callbacks
 * @priv:          the bus glue's argument to @ops
 * @index:         N of /dev/uioN and of the node /dev/uio-dmabufN
 * @group:         @dev's IOMMU group (a reference is held), or NULL
 * @domain:        the IOMMU domain that translates @dev's DMA (a paging one),
 *                 read at probe, or NULL: the group's default domain, which
 *                 is not freed while a driver is bound
 *                 (iommu_get_domain_for_dev()) and whose type may only turn
 *                 from DMA to DMA-FQ meanwhile; read only while the device
 *                 is bound
 * @node:          entry in the list of bound devices that the bus notifier walks
 * @serial:        the device's place in that list, which grows at its tail:
 *                 numbers the bound devices in the order they were listed
 * @name:          the node's name, "uio-dmabufN"
 * @misc:          the import node
 * @debugfs:       this device's debugfs directory
 * @ref:           held by the bound driver and by every open file of the node
 * @refusals:      limits the log lines of refused opens, which anyone who may
 *                 open the node can cause
 * @saved_dma_mask:      @dev's streaming DMA mask before the bind, restored at unbind
 * @saved_coherent_mask: @dev's coherent DMA mask before the bind
 * @saved_max_seg_size:  @dev's max segment size before the bind (0: no dma_parms)
 * @irq_mode:      UIO_DMABUF_IRQ_*, set before the node exists
 * @nr_vectors:    entries of @vectors, set before the node exists
 * @vectors:       the MSI-X vectors user space may bind to eventfds
 * @vectors_lock:  see the comment at the field
 * @poll_wait:     woken when a file's import is revoked, and when files are
 *                 revoked or the device unbound: poll() on the node
 * @lock:          see the comment at the field
 * @dead:          the device was unbound: every ioctl fails with ENODEV; also
 *                 read without @lock (READ_ONCE()) by a fence wait
 * @nr_active:     open writable files neither revoked nor dead
 * @nr_revoked:    imports an exporter revoked that are not torn down yet
 * @dma_on:        the device masters the bus: while there is an active file
 *                 and no revoked import (see uio_dmabuf_update_dma_locked())
 * @inflight:      imports between their reservation and their end (live or
 *                 gone); unbind waits for none to be left
 * @inflight_waiters: those waiting for @inflight to reach 0, whom its end wakes
 * @dma_mask_bits: width of the DMA mask set on @dev
 * @reset_works:   the device was reset at bind: it is reset between users, and
 *                 one that cannot be is not isolated (set before the node
 *                 exists; cleared by a reset that fails for good)
 * @direct:        firmware keeps ranges of the group's domain identity-mapped
 *                 (see uio_dmabuf_check_direct()), set at bind, at opens and
 *                 by the bus notifier
 * @mask_busy:     the sysfs mask store is changing the DMA mask: an import
 *                 that reserves meanwhile, reading it without @lock, waits
 *                 for it (see uio_dmabuf_reserve())
 * @needs_reset:   the reset at the last writable close failed: the next
 *                 writable open tries it again and fails if it fails
 * @nr_writers:    open writable files, revoked ones too: the last to close
 *                 resets the device
 * @files:         open files of the node
 * @nr_buffers:    imports in @buffers
 * @buffers:       dma-buf -> its live or reserved import, for EBUSY: a chain
 *                 per 1024th of the buffers, whose entries a reservation
 *                 compares with its own (as xarray indices, the pointers made
 *                 every import on an otherwise idle device allocate and free
 *                 eleven nodes; an rhashtable cost a round trip about 230
 *                 instructions more, and its RCU lookups a grace period
 *                 before each import is freed)
 */
struct uio_dmabuf_dev {
	struct device *dev;
	const struct uio_dmabuf_bus_ops *ops;
	void *priv;
	int index;
	struct iommu_group *group;
	struct iommu_domain *domain;
	struct list_head node;
	u64 serial;
	char name[32];
	struct miscdevice misc;
	struct dentry *debugfs;
	struct kref ref;
	struct ratelimit_state refusals;
	u64 saved_dma_mask;
	u64 saved_coherent_mask;
	unsigned int saved_max_seg_size;
	atomic_t inflight;
	atomic_t inflight_waiters;
	u32 irq_mode;
	unsigned int nr_vectors;
	struct uio_dmabuf_vector *vectors;
	/*
	 * Serialises binding and unbinding @vectors (request_irq() and
	 * free_irq() sleep, and stay out from under @lock) and protects their
	 * @trigger and @owner. Taken before @lock, never under it.
	 */
	struct mutex vectors_lock;
	wait_queue_head_t poll_wait;

	/*
	 * Protects every field below but the buffer index, which has its own
	 * (some are also read without it: see their descriptions);
	 * serialises opens, closes, resets, the sysfs mask store and the
	 * revocation of files and of imports. Held only for bookkeeping, and
	 * not on the hot path: IMPORT's reservation and publication,
	 * GET_SEGMENTS, SYNC and RELEASE take their file's lock instead (see
	 * &uio_dmabuf_file.lock). Lock order: uio_dmabuf_devs_lock, then this;
	 * a buffer's dma_resv lock, which an exporter holds when it revokes a
	 * mapping (never from reclaim: a pinned buffer is not evicted), then
	 * this; this, then a file's lock; this, then uio_dmabuf_owners_lock
	 * (the group's owner, at open). No dma_resv lock, no mmap_lock (a
	 * dma_resv lock nests in it) and no exporter call is taken under this
	 * lock (lockdep_assert_not_held() in uio_dmabuf_map() and
	 * uio_dmabuf_destroy_one()), so no device-wide lock waits on an exporter.
	 */
	struct mutex lock;
	bool dead;
	bool dma_on;
	unsigned int nr_active;
	unsigned int nr_revoked;
	unsigned int dma_mask_bits;
	bool reset_works;
	bool direct;
	bool mask_busy;
	bool needs_reset;
	unsigned int nr_writers;
	struct list_head files;
	atomic_t nr_buffers;
	/*
	 * Each chain's bit lock (hlist_bl_lock()) protects its entries: the
	 * duplicate check, and an entry's insertion and removal. Taken under
	 * a file's lock or none; nothing is taken under it.
	 */
	struct hlist_bl_head *buffers;
};

/**
 * union uio_dmabuf_slot - a slot of a file's handle table
 * @map:       the live import in the slot
 * @next_free: a free slot: the next free one's number shifted left, with bit 0
 *             set, which no import's address has
 */
union uio_dmabuf_slot {
	struct uio_dmabuf_mapping *map;
	unsigned long next_free;
};

/**
 * struct uio_dmabuf_file - one open file of the import node
 * @udev:        the device; a reference is held
 * @node:        entry in &uio_dmabuf_dev.files, under &uio_dmabuf_dev.lock
 * @lock:        see the comment at the field
 * @slots:       the handle table: slot -> import (see uio_dmabuf_handle()),
 *               @nr_slots of them, free ones chained from @free_slot;
 *               kvmalloc()ed at the first import and doubled when full
 * @nr_slots:    0, or a power of two up to UIO_DMABUF_MAX_SLOTS
 * @free_slot:   the first free slot, or UIO_DMABUF_MAX_SLOTS for none
 * @generation:  counts this file's imports modulo UIO_DMABUF_GENERATIONS,
 *               for their handles
 * @nr_imports:  live and reserved (still mapping) imports of this file
 * @nr_revoked:  live imports of this file that an exporter revoked: poll()
 *               reports EPOLLPRI while there is one
 * @isolated:    opened because the device was isolated (not by the unsafe
 *               no-IOMMU rule): usable only while it stays isolated
 * @revoked:     the device lost its isolation, or was unbound, while this
 *               file was open: its imports were released and every ioctl
 *               fails with ENODEV. Set under both locks, so that either
 *               lock and @revoked false mean the device is still bound;
 *               read without them (READ_ONCE()) by a fence wait, which
 *               gives up, and by SYNC, for its error.
 * @passive:     opened read-only: it only reads (INFO), so it neither counts
 *               in &uio_dmabuf_dev.nr_active nor claims the IOMMU group
 * @owner:       the ownership of the device's IOMMU group this file holds
 *               (an isolated file), or NULL; see uio_dmabuf_group_claim()
 */
struct uio_dmabuf_file {
	struct uio_dmabuf_dev *udev;
	struct list_head node;
	/*
	 * Protects the handle table, @generation, @nr_imports, @nr_revoked and
	 * @revoked, the live flag of this file's imports, and their revoked
	 * flag while they are this file's. The lock of the hot path: IMPORT
	 * reserves and publishes, GET_SEGMENTS and SYNC look up, RELEASE
	 * unlists under it alone. The reservation, the look-ups and RELEASE
	 * check under it that the device is still bound and its domain strict
	 * (uio_dmabuf_lock_file()); the publication only that the file is not
	 * revoked, as an import that fails there is unmapped and flushed like
	 * any other. Taken under the device lock, never the other way round;
	 * under it are taken only the buffer index's chain locks, the poll
	 * wait queue's, and allocations.
	 */
	struct mutex lock;
	union uio_dmabuf_slot *slots;
	u32 nr_slots;
	u32 free_slot;
	u32 generation;
	unsigned int nr_imports;
	unsigned int nr_revoked;
	bool isolated;
	bool revoked;
	bool passive;
	struct uio_dmabuf_group_owner *owner;
};

/* Segments kept in the mapping itself; more are kvmalloc()ed. */
#define UIO_DMABUF_INLINE_SEGS	4

/**
 * struct uio_dmabuf_mapping - one live import: a dma-buf attached, pinned and
 * mapped for the device
 * @ref:        held by the handle table while live, by IMPORT until it
 *              returns, and by GET_SEGMENTS and SYNC while they use it; the
 *              last put frees @segs, puts @dmabuf and frees the mapping
 * @udev:       the device
 * @file:       the file that owns the import, until it is unlisted (then
 *              NULL: the file may be gone); set NULL under the file's lock
 *              and the device lock, or under the file's lock by RELEASE
 * @node:       entry in a list of imports to destroy, once a close or a
 *              revocation unlisted it (RELEASE destroys its one directly)
 * @dmabuf:     the buffer; a reference is held until the mapping is freed
 * @attach:     the dynamic attachment of @dmabuf to the device
 * @sgt:        the mapped table, or NULL once unmapped; set and read under
 *              @dmabuf's reservation lock; only its DMA fields are read
 * @dir:        direction asked for, and the one the table is mapped and
 *              synced with
 * @handle:     the handle user space knows the import by
 * @pid:        tgid of the importing process
 * @user:       the user charged for the pinned pages (a reference), or NULL
 * @pages:      pages charged to @user
 * @nr_segs:    entries in @segs
 * @needs_sync: the DMA API needs syncs for the device and the CPU to see each
 *              other's writes (bounce buffers, or a non-coherent device)
 * @peer:       a segment is another device's memory (UIO_DMABUF_MAP_PEER)
 * @live:       published under @handle and not yet unlisted; under the
 *              file's lock
 * @revoked:    the exporter revoked the mapping: @sgt was unmapped (or is
 *              left to the detach, when the dma-buf core kept it from
 *              attach, as before 6.15); set under the reservation lock and
 *              the device lock, and the file's lock while it has a file
 * @segs:       the DMA segments, merged, in buffer order; immutable once live;
 *              @inline_segs when they fit there, else kvmalloc()ed
 * @inline_segs: room for the few segments most buffers have
 * @buf_node:   in the device's @buffers, from reservation to unmap
 */
struct uio_dmabuf_mapping {
	struct kref ref;
	struct uio_dmabuf_dev *udev;
	struct uio_dmabuf_file *file;
	struct list_head node;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	u32 handle;
	pid_t pid;
	struct user_struct *user;
	unsigned long pages;
	u32 nr_segs;
	bool needs_sync;
	bool peer;
	bool live;
	bool revoked;
	struct hlist_bl_node buf_node;
	struct uio_dmabuf_segment *segs;
	/* Last: not zeroed at allocation (see uio_dmabuf_mapping_new()). */
	struct uio_dmabuf_segment inline_segs[UIO_DMABUF_INLINE_SEGS];
};

#define UIO_DMABUF_DEFAULT_MASK_BITS	32
#define UIO_DMABUF_MIN_MASK_BITS	12
#define UIO_DMABUF_MAX_MASK_BITS	64

/* The conditions that make a device isolated; see uio_dmabuf_isolation(). */
#define UIO_DMABUF_INFO_CONDITIONS	(UIO_DMABUF_INFO_IOMMU | UIO_DMABUF_INFO_STRICT | \
					 UIO_DMABUF_INFO_VIABLE | UIO_DMABUF_INFO_MSI_ISOLATED | \
					 UIO_DMABUF_INFO_RESET | UIO_DMABUF_INFO_NO_DIRECT)

/* Most live imports per open file: the max_imports module parameter. */
extern unsigned int uio_dmabuf_max_imports;
/* The allow_unsafe_noiommu module parameter. */
extern bool uio_dmabuf_allow_unsafe;
/* Pages charged to users for live imports, all devices together (debugfs). */
extern atomic_long_t uio_dmabuf_charged_pages;

/*
 * An import's handle is its slot in the file's table (the one freed last, or
 * the first of those the table last grew by) and, above it, the file's import
 * count at the time modulo 65,535, plus one (never 0): a released handle is
 * not handed out again until that count comes round, 65,535 imports later.
 */
#define UIO_DMABUF_SLOT_BITS	16
#define UIO_DMABUF_MAX_SLOTS	BIT(UIO_DMABUF_SLOT_BITS)
#define UIO_DMABUF_GENERATIONS	(U32_MAX >> UIO_DMABUF_SLOT_BITS)

/* The slot of @handle in its file's table. */
static inline u32 uio_dmabuf_handle_slot(u32 handle)
{
	return handle & (UIO_DMABUF_MAX_SLOTS - 1);
}

/* The handle in @slot of an import of @generation, below UIO_DMABUF_GENERATIONS. */
static inline u32 uio_dmabuf_handle(u32 slot, u32 generation)
{
	return (generation + 1) << UIO_DMABUF_SLOT_BITS | slot;
}

/*
 * The live import in @file's slot @*slot or the first after it, with @*slot
 * set to its slot; NULL past the last. Under the file's lock.
 */
static inline struct uio_dmabuf_mapping *
uio_dmabuf_next_import(struct uio_dmabuf_file *file, u32 *slot)
{
	lockdep_assert_held(&file->lock);
	for (; *slot < file->nr_slots; (*slot)++) {
		if (!(file->slots[*slot].next_free & 1))
			return file->slots[*slot].map;
	}
	return NULL;
}

struct uio_dmabuf_mapping *uio_dmabuf_handle_lookup_locked(struct uio_dmabuf_file *file,
							   u32 handle);
void uio_dmabuf_handle_remove_locked(struct uio_dmabuf_file *file, u32 handle);

/* The name of both drivers: a bus has only one driver of a name. */
#define UIO_DMABUF_DRIVER_NAME	"uio_dmabuf"

/* uio_dmabuf_main.c */
struct uio_dmabuf_dev *uio_dmabuf_register(struct device *dev, int index,
					   const struct uio_dmabuf_bus_ops *ops,
					   void *priv, const struct uio_dmabuf_irqs *irqs);
void uio_dmabuf_unregister(struct uio_dmabuf_dev *udev);
void uio_dmabuf_disconnect(struct uio_dmabuf_dev *udev);
void uio_dmabuf_irq_gate_init(struct uio_dmabuf_irq_gate *gate);
void uio_dmabuf_irq_gate_close(struct uio_dmabuf_irq_gate *gate, int irq);
void uio_dmabuf_irq_gate_control(struct uio_dmabuf_irq_gate *gate, int irq, bool on);
int devm_uio_dmabuf_register(struct device *dev, struct uio_info *info,
			     const struct uio_dmabuf_bus_ops *ops, void *priv,
			     const struct uio_dmabuf_irqs *irqs);
void uio_dmabuf_dev_put(struct uio_dmabuf_dev *udev);
bool uio_dmabuf_fill_mem(struct device *dev, struct uio_mem *mem, struct resource *res,
			 const char *name);
int uio_dmabuf_bus_notify(struct notifier_block *nb, unsigned long action, void *data);

/* uio_dmabuf_isolation.c */
u32 uio_dmabuf_domain_conditions(struct uio_dmabuf_dev *udev, bool msi);
u32 uio_dmabuf_isolation(struct uio_dmabuf_dev *udev, struct device **sibling);
void uio_dmabuf_check_direct(struct uio_dmabuf_dev *udev);
u32 uio_dmabuf_isolation_now(struct uio_dmabuf_dev *udev);
bool uio_dmabuf_kernel_dma(struct device *dev, struct device_driver *drv);
int uio_dmabuf_admit_locked(struct uio_dmabuf_dev *udev, bool *isolated);
int uio_dmabuf_group_claim(struct uio_dmabuf_dev *udev, struct uio_dmabuf_file *file);
void uio_dmabuf_group_release(struct uio_dmabuf_file *file);
bool uio_dmabuf_group_owner(struct uio_dmabuf_dev *udev, kuid_t *uid);
int uio_dmabuf_reset_locked(struct uio_dmabuf_dev *udev, bool dev_locked);
bool uio_dmabuf_recheck_locked(struct uio_dmabuf_file *file, struct list_head *dead);
int uio_dmabuf_lock_dev(struct uio_dmabuf_file *file);
int uio_dmabuf_lock_file_slow(struct uio_dmabuf_file *file);

/*
 * A file opened because its device was isolated may be used only while the
 * device stays so. A kernel driver binding to a group sibling revokes from the
 * bus notifier; a group switched to a lazy domain (sysfs allows DMA -> DMA-FQ
 * while drivers are bound, and tells no one) is caught at the file's next
 * ioctl or its close, before it can unmap anything with the device's DMA on.
 * Under the file's lock or the device's, with @file not revoked: the device is
 * still bound, and its domain is not freed under the read.
 */
static inline bool uio_dmabuf_lost_strict(struct uio_dmabuf_file *file)
{
	struct iommu_domain *domain = file->udev->domain;

	if (!file->isolated)
		return false;
	/* Isolated without a domain: KUnit's device, whose stub stands in. */
	if (unlikely(!domain))
		return !(uio_dmabuf_domain_conditions(file->udev, false) & UIO_DMABUF_INFO_STRICT);
	return READ_ONCE(domain->type) != IOMMU_DOMAIN_DMA;
}

/**
 * uio_dmabuf_lock_file() - take a file's lock for an ioctl on its imports
 * @file: the open file
 *
 * The hot path's lock: no device-wide lock is taken unless the device is
 * found no longer strict, when it is revoked under the device lock. A file
 * still in use passes inline; the rest is uio_dmabuf_lock_file_slow().
 *
 * Return: 0 with the file's lock held; -ENODEV, lock not held, once the
 * device is unbound or @file revoked.
 */
static inline int uio_dmabuf_lock_file(struct uio_dmabuf_file *file)
{
	mutex_lock(&file->lock);
	if (likely(!file->revoked && !uio_dmabuf_lost_strict(file)))
		return 0;
	return uio_dmabuf_lock_file_slow(file);
}

/* uio_dmabuf_node.c */
int uio_dmabuf_node_register(struct uio_dmabuf_dev *udev);
struct uio_dmabuf_file *uio_dmabuf_file_open(struct uio_dmabuf_dev *udev, bool writable);
void uio_dmabuf_file_release(struct uio_dmabuf_file *file);
int uio_dmabuf_file_import(struct uio_dmabuf_file *file, struct dma_buf *dmabuf,
			   struct uio_dmabuf_import *arg);
long uio_dmabuf_file_ioctl(struct uio_dmabuf_file *file, unsigned int cmd,
			   void __user *argp);
__poll_t uio_dmabuf_file_poll(struct uio_dmabuf_file *file, struct file *filp,
			      struct poll_table_struct *wait);

/* uio_dmabuf_irq.c */
int uio_dmabuf_vectors_init(struct uio_dmabuf_dev *udev, const struct uio_dmabuf_irqs *irqs);
void uio_dmabuf_unbind_vectors(struct uio_dmabuf_dev *udev, struct uio_dmabuf_file *file);
void uio_dmabuf_unbind_revoked_vectors(struct uio_dmabuf_dev *udev);
int uio_dmabuf_set_irq_eventfd(struct uio_dmabuf_file *file, u32 vector, int fd);

/* uio_dmabuf_segments.c */
int uio_dmabuf_build_segments(struct uio_dmabuf_mapping *map);
int uio_dmabuf_check_table(struct device *dev, const char *exporter, struct sg_table *sgt,
			   u64 size, phys_addr_t (*to_phys)(void *ctx, dma_addr_t addr),
			   void *ctx, u64 granule, bool *peer);

/* uio_dmabuf_import.c */
struct uio_dmabuf_mapping *uio_dmabuf_import(struct uio_dmabuf_file *file,
					     struct dma_buf *dmabuf,
					     enum dma_data_direction dir, u32 flags);
void uio_dmabuf_mapping_put(struct uio_dmabuf_mapping *map);
void uio_dmabuf_unlist_locked(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map);
void uio_dmabuf_release_all_locked(struct uio_dmabuf_dev *udev, struct uio_dmabuf_file *file,
				   struct list_head *dead, bool revoke);
void uio_dmabuf_revoke_locked(struct uio_dmabuf_dev *udev, struct list_head *dead);
void uio_dmabuf_revoke(struct uio_dmabuf_dev *udev);
void uio_dmabuf_update_dma_locked(struct uio_dmabuf_dev *udev);
void uio_dmabuf_destroy_one(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map);
void uio_dmabuf_destroy(struct uio_dmabuf_dev *udev, struct list_head *dead);
int uio_dmabuf_buffers_init(struct uio_dmabuf_dev *udev);
unsigned int uio_dmabuf_nr_buffers(struct uio_dmabuf_dev *udev);
long uio_dmabuf_wait_inflight(struct uio_dmabuf_dev *udev, long timeout);
void uio_dmabuf_sync_range_locked(struct uio_dmabuf_dev *udev, struct uio_dmabuf_mapping *map,
				  u64 offset, u64 length, bool for_cpu);

/* uio_dmabuf_sysfs.c */
int uio_dmabuf_sysfs_add(struct uio_dmabuf_dev *udev);
void uio_dmabuf_sysfs_remove(struct uio_dmabuf_dev *udev);
void uio_dmabuf_debugfs_init(void);
void uio_dmabuf_debugfs_exit(void);

/*
 * Whether @file may no longer be used: its device was unbound, or it was
 * revoked. Under the device lock or the file's.
 */
static inline bool uio_dmabuf_file_gone_locked(struct uio_dmabuf_file *file)
{
	lockdep_assert(lockdep_is_held(&file->udev->lock) || lockdep_is_held(&file->lock));
	return file->revoked;
}

#ifdef CONFIG_PCI
int uio_dmabuf_pci_init(void);
void uio_dmabuf_pci_exit(void);
bool uio_dmabuf_pci_is_ours(const struct device_driver *drv);
#else
static inline int uio_dmabuf_pci_init(void) { return 0; }
static inline void uio_dmabuf_pci_exit(void) { }
static inline bool uio_dmabuf_pci_is_ours(const struct device_driver *drv) { return false; }
#endif

int uio_dmabuf_platform_init(void);
void uio_dmabuf_platform_exit(void);
bool uio_dmabuf_platform_is_ours(const struct device_driver *drv);

#endif /* _UIO_DMABUF_PRIV_H */
