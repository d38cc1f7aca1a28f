/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uio_dmabuf: import dma-bufs for a UIO device and report their DMA addresses.
 *
 * Every UIO device bound to the uio_dmabuf driver (/dev/uioN) has a companion
 * import node, /dev/uio-dmabufN, with the same N. The ioctls below are issued on
 * an open file of that node. Every import belongs to the file that made it and
 * is released when that file is closed.
 *
 * An exporter may revoke an import (VFIO does when it resets the device whose
 * memory it exported; an exporter that must move a buffer does the same). The
 * device's bus mastering is then switched off (PCI) and the buffer unmapped;
 * the device stays off the bus until every revoked import is released. The
 * file's revoked handles answer ESTALE, and poll() on the file reports EPOLLPRI
 * until they are all released; INFO counts them. Stop the device's engine,
 * RELEASE them and import again once the exporter allows it. poll() reports
 * EPOLLERR | EPOLLHUP once the file answers ENODEV.
 *
 * All structures have a fixed layout with no implicit padding. Every field named
 * reserved and every flag bit not defined here must be zero, else the ioctl
 * fails with EINVAL. Output-only fields are ignored on input, so a structure
 * can be passed again as it came back (the GET_SEGMENTS paging loop does).
 * Unknown ioctls fail with ENOTTY. INFO and GET_SEGMENTS only read; IMPORT,
 * RELEASE, SYNC and SET_IRQ_EVENTFD need the node open for writing, else they
 * fail with EBADF. A file opened read-only does not turn the device's DMA on
 * and does not take part in the ownership of its IOMMU group.
 */
#ifndef _UAPI_LINUX_UIO_DMABUF_H
#define _UAPI_LINUX_UIO_DMABUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * define UIO_DMABUF_INFO_IOMMU - the device's DMA is translated by an IOMMU
 *
 * Set in &uio_dmabuf_info.flags when the device sits behind a DMA-translating
 * IOMMU domain: reported addresses are IOVAs. Clear when addresses are
 * bus/physical addresses and the device can reach all of memory.
 */
#define UIO_DMABUF_INFO_IOMMU		0x00000001U
/**
 * define UIO_DMABUF_INFO_STRICT - the IOMMU domain is strict
 *
 * Unmapping flushes the IOMMU's TLB at once. A lazy (flush-queue) domain keeps
 * released buffers reachable by the device for a while after they are freed.
 */
#define UIO_DMABUF_INFO_STRICT		0x00000002U
/**
 * define UIO_DMABUF_INFO_VIABLE - no kernel driver shares the IOMMU group
 *
 * Every other device of the device's IOMMU group is unbound, bound to
 * uio_dmabuf, or bound to a driver that does no DMA of its own (pcieport,
 * pci-stub, vfio-pci). Otherwise the device could reach that driver's buffers.
 * A device whose DMA the driver cannot stop (a platform device) must be alone
 * in its group.
 */
#define UIO_DMABUF_INFO_VIABLE		0x00000004U
/**
 * define UIO_DMABUF_INFO_MSI_ISOLATED - interrupt remapping isolates MSI writes
 *
 * Otherwise the device's DMA engine could write the MSI window and forge
 * interrupts.
 */
#define UIO_DMABUF_INFO_MSI_ISOLATED	0x00000008U
/**
 * define UIO_DMABUF_INFO_ISOLATED - the flags above, _RESET and _NO_DIRECT are set
 *
 * The import node of an isolated device is governed by its file permissions.
 * Any other device is treated as one without an IOMMU: its node opens only
 * with the module parameter allow_unsafe_noiommu and CAP_SYS_RAWIO, and
 * taints the kernel. A file opened because the device was isolated is revoked
 * (every ioctl fails with ENODEV) if the device stops being isolated: a kernel
 * driver binds to a device of its IOMMU group, or the domain turns lazy.
 */
#define UIO_DMABUF_INFO_ISOLATED	0x00000010U
/**
 * define UIO_DMABUF_INFO_RESET - the device is reset between its users
 *
 * A reset of the function alone worked when the device was bound (PCI: FLR,
 * a power-management reset, or a bus reset when it is alone on its bus; a
 * platform device: a reset line of the reset framework). It is reset again
 * when the last writable file of its node closes and at unbind, so that no
 * DMA engine state one user programmed reaches the next user or a kernel
 * driver. A device that cannot be reset is not isolated.
 */
#define UIO_DMABUF_INFO_RESET		0x00000020U
/**
 * define UIO_DMABUF_INFO_NO_DIRECT - firmware keeps no range of the domain for itself
 *
 * No range of the device's IOMMU domain is identity-mapped for firmware
 * (reserved regions of type direct, relaxable ones included: ACPI RMRR on
 * Intel, IVMD on AMD, iommu-addresses in a device tree), for any device of
 * its group. Such a range stays mapped whatever the driver maps, so a device
 * programmed from user space could read or write the memory firmware keeps
 * there. Checked when the device is bound and at each open.
 */
#define UIO_DMABUF_INFO_NO_DIRECT	0x00000040U

/**
 * struct uio_dmabuf_info - UIO_DMABUF_IOC_INFO argument (output only)
 * @uio_index:        N of /dev/uioN (and of this node, /dev/uio-dmabufN)
 * @dma_mask_bits:    width of the device's streaming DMA mask, 12..64
 * @flags:            UIO_DMABUF_INFO_* flags
 * @max_imports:      most live imports one open file may hold
 * @nr_imports:       live imports held by this open file
 * @max_segment_size: no segment is longer than this many bytes
 * @segment_boundary: no segment crosses an address that is a multiple of
 *                    @segment_boundary + 1 (a mask: 0xffffffff means no
 *                    segment crosses a 4 GiB boundary)
 * @irq_mode:         UIO_DMABUF_IRQ_*: the device's interrupt
 * @nr_irq_vectors:   MSI-X vectors that UIO_DMABUF_IOC_SET_IRQ_EVENTFD can
 *                    bind (0 unless @irq_mode is UIO_DMABUF_IRQ_MSIX)
 * @nr_revoked:       imports of this open file that their exporter revoked,
 *                    not yet released (counted in @nr_imports too)
 * @reserved0:        set to zero by the kernel
 * @reserved:         set to zero by the kernel
 */
struct uio_dmabuf_info {
	__u32 uio_index;
	__u32 dma_mask_bits;
	__u32 flags;
	__u32 max_imports;
	__u32 nr_imports;
	__u32 max_segment_size;
	__u64 segment_boundary;
	__u32 irq_mode;
	__u32 nr_irq_vectors;
	__u32 nr_revoked;
	__u32 reserved0;
	__u64 reserved[2];
};

/*
 * Values of &uio_dmabuf_info.irq_mode. With LINE (a platform device's
 * interrupt), INTX or MSI, /dev/uioN delivers the interrupt as UIO does:
 * read() waits for it, and write() of a 32-bit 1 re-arms it. With MSIX,
 * /dev/uioN has no interrupt; each vector signals the eventfd bound to it.
 * The PCI glue's module parameter irq_mode= chooses among INTX, MSI and MSIX.
 */
#define UIO_DMABUF_IRQ_NONE		0
#define UIO_DMABUF_IRQ_LINE		1
#define UIO_DMABUF_IRQ_INTX		2
#define UIO_DMABUF_IRQ_MSI		3
#define UIO_DMABUF_IRQ_MSIX		4

/* Values of &uio_dmabuf_import.direction, as enum dma_data_direction means them. */
#define UIO_DMABUF_DIR_BIDIRECTIONAL	0
#define UIO_DMABUF_DIR_TO_DEVICE	1
#define UIO_DMABUF_DIR_FROM_DEVICE	2

/**
 * define UIO_DMABUF_IMPORT_CONTIGUOUS - demand a single DMA segment
 *
 * The import fails with E2BIG unless the buffer maps to one DMA-contiguous
 * segment, for devices without scatter-gather.
 */
#define UIO_DMABUF_IMPORT_CONTIGUOUS	0x00000001U
/**
 * define UIO_DMABUF_IMPORT_COHERENT - demand a mapping that needs no SYNC
 *
 * The import fails with EIO instead of returning a mapping that needs
 * UIO_DMABUF_IOC_SYNC (see UIO_DMABUF_MAP_NEEDS_SYNC), for devices that share
 * memory with the CPU while both run, such as descriptor rings.
 */
#define UIO_DMABUF_IMPORT_COHERENT	0x00000002U
#define UIO_DMABUF_IMPORT_VALID_FLAGS	(UIO_DMABUF_IMPORT_CONTIGUOUS | \
					 UIO_DMABUF_IMPORT_COHERENT)

/**
 * define UIO_DMABUF_MAP_NEEDS_SYNC - the mapping needs UIO_DMABUF_IOC_SYNC
 *
 * Set in &uio_dmabuf_import.map_flags when the device and the CPU see each
 * other's writes only through UIO_DMABUF_IOC_SYNC: part of the buffer is
 * bounced through swiotlb (a DMA mask narrower than the buffer's memory without
 * an IOMMU, a confidential guest), so the device reaches a copy and data moves
 * only at SYNC; or the device is not cache-coherent. Behind an IOMMU a
 * coherent device's mapping needs it only when the IOMMU bounced it (an
 * untrusted device behind an external port).
 */
#define UIO_DMABUF_MAP_NEEDS_SYNC	0x00000001U

/**
 * define UIO_DMABUF_MAP_PEER - the buffer is another device's memory
 *
 * Set in &uio_dmabuf_import.map_flags when a segment reaches another device's
 * memory rather than system RAM: a peer-to-peer import, such as a PCI BAR that
 * VFIO exports. No CPU cache lies between the two devices, so
 * UIO_DMABUF_IOC_SYNC does nothing for such an import and
 * UIO_DMABUF_MAP_NEEDS_SYNC is not set. Known for segments that are PCI bus
 * addresses (both devices below one switch) and, behind an IOMMU, for those
 * the device's domain translates outside system RAM.
 */
#define UIO_DMABUF_MAP_PEER		0x00000002U

/**
 * struct uio_dmabuf_import - UIO_DMABUF_IOC_IMPORT argument
 * @fd:          in: the dma-buf file descriptor; the import takes its own
 *               reference, so @fd may be closed afterwards
 * @direction:   in: UIO_DMABUF_DIR_* for the device's mapping
 * @flags:       in: UIO_DMABUF_IMPORT_* flags
 * @handle:      out: nonzero, unique among this file's live imports; once
 *               released it is handed out again only after 65,535 more
 *               imports of the file
 * @size:        out: size of the buffer in bytes, the sum of all segment lengths
 * @nr_segments: out: number of DMA segments, for UIO_DMABUF_IOC_GET_SEGMENTS
 * @map_flags:   out: UIO_DMABUF_MAP_* flags of the mapping
 * @segments:    in: user pointer to an array of &struct uio_dmabuf_segment
 *               that receives the first segments, or 0
 * @max_segments: in: entries of @segments (0 with @segments 0)
 * @reserved:    must be zero
 *
 * The buffer is attached to the device, pinned, mapped, and its kernel fences
 * waited for. With @segments, the first min(@max_segments, @nr_segments)
 * segments are written there in the same call, as UIO_DMABUF_IOC_GET_SEGMENTS
 * would return them, so the common case of one or a few segments takes one
 * call; GET_SEGMENTS pages through the rest. (Until this field existed it was
 * reserved and zero: old callers get no segments, and a kernel without it
 * answers EINVAL to a caller that sets it.) The device may write the buffer unless @direction is
 * UIO_DMABUF_DIR_TO_DEVICE, so any other direction needs @fd open for writing.
 * Errors: EBADF (@fd is not open), EINVAL (@fd is not a dma-buf, the buffer is
 * empty, bad @direction, @flags or @reserved, @segments without
 * @max_segments or the other way round), EFAULT (@segments cannot be written:
 * the import is undone), EACCES (@fd is not open for
 * writing and @direction is not TO_DEVICE; on kernels before 6.15 a buffer of
 * an exporter that maps it at attach, such as the dma-buf heaps and udmabuf,
 * for any direction, as the core then maps it for writing), EBUSY (the buffer
 * is already imported on this device), ENOSPC (this file holds max_imports
 * imports), ENOMEM (the user's locked memory would exceed RLIMIT_MEMLOCK; an
 * import stays charged to the user who made it until released), E2BIG
 * (CONTIGUOUS asked but the mapping has several segments), EIO (COHERENT asked
 * but the mapping needs SYNC), ENODEV (the device was unbound or lost its isolation), ESTALE
 * (the exporter revoked the buffer while it was being imported), or the
 * exporter's own error. A signal interrupts the wait for the buffer; the call
 * is restarted or fails with EINTR, and leaves nothing behind.
 */
struct uio_dmabuf_import {
	__s32 fd;
	__u32 direction;
	__u32 flags;
	__u32 handle;
	__u64 size;
	__u32 nr_segments;
	__u32 map_flags;
	__u64 segments;
	__u32 max_segments;
	__u32 reserved;
};

/**
 * struct uio_dmabuf_segment - one DMA-contiguous range of an import
 * @dma_addr: address the device uses to reach the range
 * @length:   length in bytes
 *
 * Segments come in buffer order: segment i starts at the buffer offset that is
 * the sum of the lengths of segments 0..i-1. DMA-adjacent ranges are merged, but
 * no segment is longer than &uio_dmabuf_info.max_segment_size or crosses
 * &uio_dmabuf_info.segment_boundary.
 */
struct uio_dmabuf_segment {
	__u64 dma_addr;
	__u64 length;
};

/**
 * struct uio_dmabuf_get_segments - UIO_DMABUF_IOC_GET_SEGMENTS argument
 * @handle:      in: the import
 * @first:       in: index of the first segment to copy; EINVAL past the total
 * @count:       in: capacity of @segments, in entries; out: entries copied,
 *               min(capacity, @nr_segments - @first)
 * @nr_segments: out: total number of segments of the import
 * @segments:    in: user pointer to an array of &struct uio_dmabuf_segment
 * @reserved:    must be zero
 *
 * Two-call protocol: call with @count 0 to learn @nr_segments, allocate, set
 * @count and @segments, and call again with the same structure (or page
 * through with @first). ENOENT for an unknown @handle, ESTALE for one its
 * exporter revoked, EINVAL for @first past @nr_segments, EFAULT for an array
 * that cannot be written.
 */
struct uio_dmabuf_get_segments {
	__u32 handle;
	__u32 first;
	__u32 count;
	__u32 nr_segments;
	__u64 segments;
	__u64 reserved;
};

/**
 * struct uio_dmabuf_release - UIO_DMABUF_IOC_RELEASE argument
 * @handle:   in: the import to unmap, unpin, detach and drop; ENOENT if unknown
 * @reserved: must be zero
 *
 * The device must no longer access the buffer when this is called. Releasing
 * the last revoked import of the device lets it master the bus again.
 */
struct uio_dmabuf_release {
	__u32 handle;
	__u32 reserved;
};

/* Values of &uio_dmabuf_sync.flags: exactly one of them. */
#define UIO_DMABUF_SYNC_FOR_CPU		0x00000001U
#define UIO_DMABUF_SYNC_FOR_DEVICE	0x00000002U
#define UIO_DMABUF_SYNC_VALID_FLAGS	(UIO_DMABUF_SYNC_FOR_CPU | \
					 UIO_DMABUF_SYNC_FOR_DEVICE)

/**
 * struct uio_dmabuf_sync - UIO_DMABUF_IOC_SYNC argument
 * @handle:   in: the import
 * @flags:    in: UIO_DMABUF_SYNC_FOR_CPU before the CPU reads what the device
 *            wrote, UIO_DMABUF_SYNC_FOR_DEVICE before the device accesses what
 *            the CPU wrote; exactly one of them
 * @offset:   in: first byte of the buffer to sync
 * @length:   in: bytes to sync; @offset and @length both 0 sync the whole
 *            buffer, otherwise the range must lie inside it (EINVAL)
 * @reserved: must be zero
 *
 * Cache maintenance and swiotlb bouncing of this device's mapping of the
 * buffer, driven by its DMA addresses: for bounced mappings, and for exporters
 * whose DMA_BUF_IOCTL_SYNC does not cover importers (udmabuf, DRM PRIME). The
 * system and CMA heaps' DMA_BUF_IOCTL_SYNC already does. ENOENT for an unknown
 * @handle, ESTALE for one its exporter revoked.
 */
struct uio_dmabuf_sync {
	__u32 handle;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u64 reserved[2];
};

/**
 * struct uio_dmabuf_irq_eventfd - UIO_DMABUF_IOC_SET_IRQ_EVENTFD argument
 * @vector:   in: the MSI-X vector, below &uio_dmabuf_info.nr_irq_vectors
 * @fd:       in: an eventfd that each interrupt of @vector from now on adds 1
 *            to, or -1 to unbind the vector this file bound
 * @flags:    must be zero
 * @reserved: must be zero
 *
 * Binds an MSI-X vector to an eventfd, as VFIO does: the vector is enabled
 * while it is bound, and the binding takes its own reference to the eventfd,
 * so @fd may be closed afterwards. A binding belongs to the file that made it
 * and is undone when that file is closed or revoked or the device unbound.
 * Interrupts reach the CPU only while the device may master the bus: while an
 * import node file is open. Errors: EINVAL (@vector not below nr_irq_vectors, @fd
 * below -1, nonzero @flags or @reserved, or @fd not an eventfd), EBADF (@fd is
 * not open), EBUSY (@vector is bound already, or, to unbind, bound by another
 * file), ENOENT (unbinding a vector that is not bound), ENODEV (the device was
 * unbound or lost its isolation), or request_irq()'s error.
 */
struct uio_dmabuf_irq_eventfd {
	__u32 vector;
	__s32 fd;
	__u32 flags;
	__u32 reserved;
};

/*
 * Type 0xB9, numbers 0x00-0x0F: the entry of
 * Documentation/userspace-api/ioctl/ioctl-number.rst reads
 * 0xB9  00-0F  uapi/linux/uio_dmabuf.h  UIO dma-buf importer
 */
#define UIO_DMABUF_IOC_MAGIC		0xB9

#define UIO_DMABUF_IOC_INFO		_IOR(UIO_DMABUF_IOC_MAGIC, 0, struct uio_dmabuf_info)
#define UIO_DMABUF_IOC_IMPORT		_IOWR(UIO_DMABUF_IOC_MAGIC, 1, struct uio_dmabuf_import)
#define UIO_DMABUF_IOC_GET_SEGMENTS	_IOWR(UIO_DMABUF_IOC_MAGIC, 2, \
					      struct uio_dmabuf_get_segments)
#define UIO_DMABUF_IOC_RELEASE		_IOW(UIO_DMABUF_IOC_MAGIC, 3, struct uio_dmabuf_release)
#define UIO_DMABUF_IOC_SYNC		_IOW(UIO_DMABUF_IOC_MAGIC, 4, struct uio_dmabuf_sync)
#define UIO_DMABUF_IOC_SET_IRQ_EVENTFD	_IOW(UIO_DMABUF_IOC_MAGIC, 5, \
					     struct uio_dmabuf_irq_eventfd)

#endif /* _UAPI_LINUX_UIO_DMABUF_H */
