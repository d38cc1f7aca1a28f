/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Before 6.2 the kernel has no KUnit static stubs, and uio_dmabuf's KUnit
 * suite is built only on kernels that have them: the redirect does nothing.
 */
#ifndef _UIO_DMABUF_COMPAT_KUNIT_STATIC_STUB_H
#define _UIO_DMABUF_COMPAT_KUNIT_STATIC_STUB_H

#define KUNIT_STATIC_STUB_REDIRECT(...) do { } while (0)

#endif
