/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libuiodmabuf: import dma-bufs on a UIO device bound to uio_dmabuf and read
 * their DMA segments.
 *
 * Every function returns 0 (or a non-negative value where it says so) on
 * success and a negative errno on failure; errno itself is not relied upon.
 * File descriptors the library returns are close-on-exec and belong to the
 * caller.
 */
#ifndef UIODMABUF_H
#define UIODMABUF_H

#include <stddef.h>
#include <stdint.h>

#include <linux/uio_dmabuf.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define UIODMABUF_API __attribute__((visibility("default")))
#else
#define UIODMABUF_API
#endif

/**
 * uiodmabuf_node_path() - the import node path of a device
 * @device: "uio0" (a UIO name), "0" (an index), a path such as
 *          "/dev/uio-dmabuf0" (used as it is; "/dev/uio0" maps to its node),
 *          or a PCI address ("0000:01:00.0", "01:00.0") or platform device
 *          name bound to uio_dmabuf
 * @buf:    receives the path
 * @len:    size of @buf
 *
 * Return: 0, -EINVAL for a name of none of these forms, -ENODEV for a bus
 * device without a UIO device, -ENAMETOOLONG.
 */
UIODMABUF_API int uiodmabuf_node_path(const char *device, char *buf, size_t len);

/**
 * uiodmabuf_open() - open a device's import node
 * @device: as for uiodmabuf_node_path()
 *
 * Return: the file descriptor, or a negative errno (-EPERM: no IOMMU and the
 * driver's allow_unsafe_noiommu is off, or CAP_SYS_RAWIO is missing).
 */
UIODMABUF_API int uiodmabuf_open(const char *device);

/**
 * uiodmabuf_info() - UIO_DMABUF_IOC_INFO
 * @fd:   an open import node
 * @info: receives the device's information
 *
 * Return: 0 or a negative errno (-ENODEV: the device was unbound).
 */
UIODMABUF_API int uiodmabuf_info(int fd, struct uio_dmabuf_info *info);

/**
 * uiodmabuf_heap_resolve() - the /dev/dma_heap name of a heap
 * @heap: "system", "cma" (whatever the kernel named its CMA heap:
 *        "linux,cma", "reserved", "default_cma", ...), or a heap's own name
 * @buf:  receives the name
 * @len:  size of @buf
 *
 * Return: 0, -ENOENT when no such heap exists, -ENAMETOOLONG.
 */
UIODMABUF_API int uiodmabuf_heap_resolve(const char *heap, char *buf, size_t len);

/**
 * uiodmabuf_heap_alloc() - allocate a dma-buf from a dma-heap
 * @heap: as for uiodmabuf_heap_resolve()
 * @size: bytes
 *
 * Return: the dma-buf fd, or a negative errno (-ENOENT: no such heap;
 * -ENOMEM: the heap cannot supply @size, or @size exceeds the machine's RAM,
 * which is refused without asking the heap; -EINVAL: @size 0).
 */
UIODMABUF_API int uiodmabuf_heap_alloc(const char *heap, uint64_t size);

/**
 * uiodmabuf_udmabuf_alloc() - a dma-buf over a sealed memfd, through /dev/udmabuf
 * @size: bytes, a multiple of the page size
 *
 * Return: the dma-buf fd, or a negative errno (-ENOMEM when @size exceeds
 * the machine's RAM).
 */
UIODMABUF_API int uiodmabuf_udmabuf_alloc(uint64_t size);

/**
 * uiodmabuf_udmabuf_alloc_memfd() - uiodmabuf_udmabuf_alloc(), keeping the memfd
 * @size:      bytes, a multiple of the page size
 * @memfd_out: receives the memfd behind the buffer (the caller closes it), for
 *             CPU access through an ordinary shared mapping; NULL to close it
 *
 * Return: the dma-buf fd, or a negative errno.
 */
UIODMABUF_API int uiodmabuf_udmabuf_alloc_memfd(uint64_t size, int *memfd_out);

/**
 * uiodmabuf_drm_alloc() - a DRM dumb buffer exported as a dma-buf (PRIME)
 * @card: a DRM device path, or NULL for the vgem device (else the first card)
 * @size: bytes
 *
 * The GEM handle and the card are closed again; the dma-buf keeps the buffer.
 *
 * Return: the dma-buf fd, or a negative errno (-ENOMEM when @size exceeds
 * the machine's RAM).
 */
UIODMABUF_API int uiodmabuf_drm_alloc(const char *card, uint64_t size);

/**
 * uiodmabuf_import() - UIO_DMABUF_IOC_IMPORT
 * @fd:        an open import node
 * @buf_fd:    the dma-buf
 * @direction: UIO_DMABUF_DIR_*
 * @flags:     UIO_DMABUF_IMPORT_*
 * @out:       receives handle, size and segment count
 *
 * Return: 0 or a negative errno as the UAPI header documents.
 */
UIODMABUF_API int uiodmabuf_import(int fd, int buf_fd, uint32_t direction, uint32_t flags,
				   struct uio_dmabuf_import *out);

/**
 * uiodmabuf_import_segments() - UIO_DMABUF_IOC_IMPORT, and every segment of the import
 * @fd:        an open import node
 * @buf_fd:    the dma-buf
 * @direction: UIO_DMABUF_DIR_*
 * @flags:     UIO_DMABUF_IMPORT_*
 * @out:       receives handle, size, segment count and map flags
 * @segs:      receives a malloc()ed array of the segments (free() it); NULL
 *             when there are none
 * @count:     receives the number of entries
 *
 * One ioctl for an import of up to 16 segments: IMPORT writes them itself;
 * GET_SEGMENTS pages through longer lists. With a module older than IMPORT's
 * segment array (it answers EINVAL when the array is set), IMPORT without it
 * and then GET_SEGMENTS. Nothing is left imported when it fails.
 *
 * Return: 0 or a negative errno as the UAPI header documents.
 */
UIODMABUF_API int uiodmabuf_import_segments(int fd, int buf_fd, uint32_t direction,
					    uint32_t flags, struct uio_dmabuf_import *out,
					    struct uio_dmabuf_segment **segs, uint32_t *count);

/**
 * uiodmabuf_get_segments() - every segment of an import
 * @fd:     an open import node
 * @handle: the import
 * @segs:   receives a malloc()ed array (free() it); NULL when there are none
 * @count:  receives the number of entries
 *
 * Pages through UIO_DMABUF_IOC_GET_SEGMENTS, so any segment count works.
 *
 * Return: 0 or a negative errno.
 */
UIODMABUF_API int uiodmabuf_get_segments(int fd, uint32_t handle,
					 struct uio_dmabuf_segment **segs, uint32_t *count);

/**
 * uiodmabuf_sync() - UIO_DMABUF_IOC_SYNC
 * @fd:     an open import node
 * @handle: the import
 * @flags:  UIO_DMABUF_SYNC_FOR_CPU or UIO_DMABUF_SYNC_FOR_DEVICE
 *
 * Return: 0 or a negative errno.
 */
UIODMABUF_API int uiodmabuf_sync(int fd, uint32_t handle, uint32_t flags);

/**
 * uiodmabuf_set_irq_eventfd() - UIO_DMABUF_IOC_SET_IRQ_EVENTFD
 * @fd:      an open import node of a device bound with MSI-X
 * @vector:  the MSI-X vector, below uio_dmabuf_info.nr_irq_vectors
 * @eventfd: the eventfd each interrupt of @vector adds 1 to, or -1 to unbind
 *           the vector this file bound
 *
 * Return: 0 or a negative errno (-EINVAL: no such vector or not an eventfd;
 * -EBADF; -EBUSY: bound already, or by another file; -ENOENT: not bound).
 */
UIODMABUF_API int uiodmabuf_set_irq_eventfd(int fd, uint32_t vector, int eventfd);

/**
 * uiodmabuf_sync_range() - UIO_DMABUF_IOC_SYNC of bytes [@offset, @offset + @length)
 * @fd:     an open import node
 * @handle: the import
 * @flags:  UIO_DMABUF_SYNC_FOR_CPU or UIO_DMABUF_SYNC_FOR_DEVICE
 * @offset: first byte of the buffer
 * @length: bytes; 0 with @offset 0 syncs the whole buffer
 *
 * Return: 0 or a negative errno (-EINVAL for a range outside the buffer).
 */
UIODMABUF_API int uiodmabuf_sync_range(int fd, uint32_t handle, uint32_t flags,
				       uint64_t offset, uint64_t length);

/**
 * uiodmabuf_release() - UIO_DMABUF_IOC_RELEASE
 * @fd:     an open import node
 * @handle: the import
 *
 * Return: 0 or a negative errno (-ENOENT: unknown handle).
 */
UIODMABUF_API int uiodmabuf_release(int fd, uint32_t handle);

/**
 * uiodmabuf_ioctl() - ioctl() that restarts on EINTR and EAGAIN
 * @fd:      file descriptor
 * @request: ioctl number
 * @arg:     its argument
 *
 * Return: the ioctl's non-negative result, or a negative errno.
 */
UIODMABUF_API int uiodmabuf_ioctl(int fd, unsigned long request, void *arg);

/**
 * uiodmabuf_parse_size() - parse a size such as "4096", "16M", "1G", "0x1000"
 * @text: decimal or 0x-hex digits, optionally followed by K, M or G (powers of
 *        1024, upper or lower case, optionally followed by "iB" or "B")
 * @size: receives the size in bytes
 *
 * Return: 0, -EINVAL for anything else, -ERANGE when it does not fit 64 bits.
 */
UIODMABUF_API int uiodmabuf_parse_size(const char *text, uint64_t *size);

/*
 * The UIO side of a user-space driver: the device's /dev/uioN, its register
 * regions, its interrupt, and the CPU's access to imported buffers.
 */

/**
 * uiodmabuf_uio_path() - the UIO device path of a device
 * @device: as for uiodmabuf_node_path() ("/dev/uio-dmabuf0" maps to
 *          "/dev/uio0")
 * @buf:    receives "/dev/uioN"
 * @len:    size of @buf
 *
 * Return: 0, -EINVAL for a name of none of the forms, -ENODEV for a bus
 * device without a UIO device, -ENAMETOOLONG.
 */
UIODMABUF_API int uiodmabuf_uio_path(const char *device, char *buf, size_t len);

/**
 * uiodmabuf_uio_open() - open a device's /dev/uioN for its registers and interrupt
 * @device: as for uiodmabuf_uio_path()
 *
 * Return: the file descriptor (read-write, close-on-exec), or a negative errno.
 */
UIODMABUF_API int uiodmabuf_uio_open(const char *device);

/**
 * uiodmabuf_map_region() - map UIO region (map) @index of an open /dev/uioN
 * @uio_fd: from uiodmabuf_uio_open()
 * @index:  the region: /sys/class/uio/uioN/maps/map<index> (a PCI device's
 *          memory BARs in order)
 * @addr:   receives the region's first byte (the map's in-page "offset"
 *          applied)
 * @size:   receives the region's size in bytes from there (the map's "size"
 *          less its "offset", as UIO drivers count the offset in the size)
 *
 * Registers are read and written through volatile pointers of the width the
 * device wants. Undo with uiodmabuf_unmap_region(@addr, @size).
 *
 * Return: 0 or a negative errno (-ENXIO: no such region; -ENOTTY: @uio_fd
 * is not a UIO device, as /sys/dev/char tells; -EBADF).
 */
UIODMABUF_API int uiodmabuf_map_region(int uio_fd, unsigned int index, void **addr,
				       size_t *size);

/**
 * uiodmabuf_unmap_region() - unmap a region uiodmabuf_map_region() mapped
 * @addr: as it returned
 * @size: as it returned
 *
 * Return: 0 or a negative errno.
 */
UIODMABUF_API int uiodmabuf_unmap_region(void *addr, size_t size);

/**
 * uiodmabuf_wait_irq() - wait for an interrupt
 * @fd:         an open /dev/uioN (its interrupt: INTx, MSI, a platform line),
 *              or an eventfd bound to an MSI-X vector with
 *              uiodmabuf_set_irq_eventfd()
 * @timeout_ms: how long to wait at most (-1: no limit)
 * @count:      receives the UIO device's interrupt count, or the number of
 *              the vector's interrupts since the last wait; may be NULL
 *
 * A UIO interrupt stays masked after it fired (INTx, a platform line): after
 * the device's cause is cleared, uiodmabuf_irq_enable(@fd, 1) re-arms it.
 *
 * Return: 0, -ETIMEDOUT, -EINTR (a signal came first: the caller decides
 * whether to wait again), -EBADF, or another negative errno.
 */
UIODMABUF_API int uiodmabuf_wait_irq(int fd, int timeout_ms, uint64_t *count);

/**
 * uiodmabuf_irq_enable() - unmask (re-arm) or mask the UIO interrupt
 * @uio_fd: an open /dev/uioN
 * @enable: 1 to unmask, 0 to mask
 *
 * Return: 0 or a negative errno (-ENOSYS: the interrupt cannot be masked).
 */
UIODMABUF_API int uiodmabuf_irq_enable(int uio_fd, int enable);

/* How uiodmabuf_begin_cpu_access() and _end_cpu_access() sync; 0 chooses. */
#define UIODMABUF_CPU_SYNC_AUTO		0x0U
/* DMA_BUF_IOCTL_SYNC on the dma-buf: the exporter's CPU view (and, for a
 * dma-heap, every device's mapping). */
#define UIODMABUF_CPU_SYNC_DMABUF	0x1U
/* UIO_DMABUF_IOC_SYNC on the import: this device's mapping. */
#define UIODMABUF_CPU_SYNC_IMPORT	0x2U

/**
 * uiodmabuf_cpu_sync_method() - what makes the CPU's view of an import coherent
 * @buf_fd: the imported dma-buf
 * @imp:    the import, as IMPORT returned it
 *
 * A dma-heap's DMA_BUF_IOCTL_SYNC syncs every attachment, the import's
 * among them: UIODMABUF_CPU_SYNC_DMABUF. udmabuf's syncs only its own
 * device's mapping: UIODMABUF_CPU_SYNC_IMPORT. Any other exporter (DRM
 * PRIME, ...): both. Another device's memory (UIO_DMABUF_MAP_PEER): only
 * the exporter's. The exporter is named by the dma-buf's fdinfo.
 *
 * Return: a mask of UIODMABUF_CPU_SYNC_*, or a negative errno (-ENOTTY:
 * @buf_fd is not a dma-buf).
 */
UIODMABUF_API int uiodmabuf_cpu_sync_method(int buf_fd, const struct uio_dmabuf_import *imp);

/**
 * uiodmabuf_begin_cpu_access() - before the CPU reads or writes an imported buffer
 * @node:   the import node the buffer is imported on
 * @buf_fd: the dma-buf (mapped with mmap() for the CPU)
 * @imp:    the import, as IMPORT returned it (its handle, direction, map_flags)
 * @how:    UIODMABUF_CPU_SYNC_AUTO, or a mask of UIODMABUF_CPU_SYNC_*
 *
 * Call it after the device's DMA into the buffer completed and before the
 * CPU touches the buffer; uiodmabuf_end_cpu_access() after the CPU is done
 * and before the device's next DMA. Without them a CPU that is not
 * cache-coherent with the device (many arm64 boards) or a bounced mapping
 * (swiotlb) shows stale data. The CPU access synced is the import's
 * direction's: writes for TO_DEVICE, reads for FROM_DEVICE, both else.
 * UIODMABUF_CPU_SYNC_AUTO reads the dma-buf's fdinfo at every call: a loop
 * asks uiodmabuf_cpu_sync_method() once and passes its mask.
 *
 * Return: 0 or a negative errno.
 */
UIODMABUF_API int uiodmabuf_begin_cpu_access(int node, int buf_fd,
					     const struct uio_dmabuf_import *imp, unsigned int how);

/**
 * uiodmabuf_end_cpu_access() - after the CPU is done with an imported buffer
 * @node:   as for uiodmabuf_begin_cpu_access()
 * @buf_fd: as for uiodmabuf_begin_cpu_access()
 * @imp:    as for uiodmabuf_begin_cpu_access()
 * @how:    as for uiodmabuf_begin_cpu_access()
 *
 * Return: 0 or a negative errno.
 */
UIODMABUF_API int uiodmabuf_end_cpu_access(int node, int buf_fd,
					   const struct uio_dmabuf_import *imp, unsigned int how);

#ifdef __cplusplus
}
#endif

#endif /* UIODMABUF_H */
