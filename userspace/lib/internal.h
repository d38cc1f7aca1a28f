/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libuiodmabuf internals, visible to the unit tests only. */
#ifndef UIODMABUF_INTERNAL_H
#define UIODMABUF_INTERNAL_H

/*
 * The system call behind uiodmabuf_ioctl(); the unit tests point it at a fake
 * device. Not exported from the shared library.
 */
extern int (*uiodmabuf_sys_ioctl)(int fd, unsigned long request, void *arg);

/* Entries fetched per GET_SEGMENTS call by uiodmabuf_get_segments(). */
#define UIODMABUF_SEGMENT_PAGE	256
/* Segments uiodmabuf_import_segments() asks IMPORT itself for. */
#define UIODMABUF_IMPORT_SEGMENTS	16

/*
 * Prefixed to the /sys, /proc/self/fdinfo and /dev/dma_heap paths the UIO
 * helpers read; the unit tests point it at a fake tree. Not exported.
 */
extern const char *uiodmabuf_root;

/*
 * The UIO index of a device named as uiodmabuf_uio_path() takes it; shared
 * with uiodmabuf_node_path(). Not exported.
 */
int uiodmabuf_uio_index(const char *device);

#endif /* UIODMABUF_INTERNAL_H */
