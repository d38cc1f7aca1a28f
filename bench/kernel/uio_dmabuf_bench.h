/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The benchmark's floor: /dev/uio-dmabuf-bench, from bench/kernel/, which
 * ships only with the benchmark. It does in the kernel, against the same
 * device, what an import costs at the least: dma_buf_get(), a dynamic
 * attachment, pin, map, then unmap, unpin, detach and dma_buf_put(); and the
 * same split in two calls with only a handle between them.
 */
#ifndef _UIO_DMABUF_BENCH_H
#define _UIO_DMABUF_BENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct uio_dmabuf_bench_device - UIO_DMABUF_BENCH_IOC_DEVICE, once per open file
 * @name: the PCI device's name ("0000:00:03.0"), NUL-terminated
 */
struct uio_dmabuf_bench_device {
	char name[32];
};

/**
 * struct uio_dmabuf_bench_floor - UIO_DMABUF_BENCH_IOC_FLOOR
 * @fd:        the dma-buf
 * @direction: enum dma_data_direction of the mapping
 * @ns:        out: nanoseconds from dma_buf_get() to dma_buf_put()
 * @nents:     out: DMA entries of the mapping
 * @reserved:  zero
 */
struct uio_dmabuf_bench_floor {
	__s32 fd;
	__u32 direction;
	__u64 ns;
	__u32 nents;
	__u32 reserved;
};

/**
 * struct uio_dmabuf_bench_pair - UIO_DMABUF_BENCH_IOC_IMPORT and _RELEASE
 * @fd:        IMPORT: the dma-buf
 * @direction: IMPORT: enum dma_data_direction of the mapping
 * @handle:    IMPORT out, RELEASE in: the import
 * @nents:     IMPORT out: DMA entries of the mapping
 * @dma_addr:  IMPORT out: the first entry's DMA address
 * @length:    IMPORT out: its length
 *
 * The least a driver that keeps an import between two calls can do: IMPORT
 * is the floor's first half, a record in the file's handle table and the first
 * segment copied out; RELEASE takes the record back and does the second half.
 * IMPORT_DUTIES (the same structure) also does the duties the driver has for
 * every import, with the driver's structures but without its locking: the
 * buffer entered in the file's hash table of buffers under its chain's bit
 * lock, and counted (EBUSY if it is there; the driver's ordering of the
 * count against its DMA mask store is left out), its pages charged to the
 * user's locked_vm against RLIMIT_MEMLOCK (ENOMEM), and the kernel fences
 * checked under the reservation lock (waited for if one is pending);
 * RELEASE undoes them.
 */
struct uio_dmabuf_bench_pair {
	__s32 fd;
	__u32 direction;
	__u32 handle;
	__u32 nents;
	__u64 dma_addr;
	__u64 length;
};

#define UIO_DMABUF_BENCH_IOC_DEVICE		_IOW('u', 0xb0, struct uio_dmabuf_bench_device)
#define UIO_DMABUF_BENCH_IOC_FLOOR		_IOWR('u', 0xb1, struct uio_dmabuf_bench_floor)
#define UIO_DMABUF_BENCH_IOC_IMPORT		_IOWR('u', 0xb2, struct uio_dmabuf_bench_pair)
#define UIO_DMABUF_BENCH_IOC_RELEASE		_IOW('u', 0xb3, struct uio_dmabuf_bench_pair)
#define UIO_DMABUF_BENCH_IOC_IMPORT_DUTIES	_IOWR('u', 0xb4, struct uio_dmabuf_bench_pair)

#endif /* _UIO_DMABUF_BENCH_H */
