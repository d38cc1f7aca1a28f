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
 * @device: "uio0" (a UIO name), "0" (an index), or a path such as
 *          "/dev/uio-dmabuf0" (used as it is); "/dev/uio0" maps to its node
 * @buf:    receives the path
 * @len:    size of @buf
 *
 * Return: 0, -EINVAL for a name of none of these forms, -ENAMETOOLONG.
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

#ifdef __cplusplus
}
#endif

#endif /* UIODMABUF_H */
