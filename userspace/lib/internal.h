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

#endif /* UIODMABUF_INTERNAL_H */
