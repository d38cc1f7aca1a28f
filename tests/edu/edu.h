/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A user-space driver for QEMU's "edu" PCI device (hw/misc/edu.c) over UIO,
 * on libuiodmabuf: BAR0 mapped with uiodmabuf_map_region(), DMA completion
 * by interrupt, waited for with uiodmabuf_wait_irq() and re-armed with
 * uiodmabuf_irq_enable().
 */
#ifndef EDU_H
#define EDU_H

#include <stdint.h>

/* edu's on-device DMA buffer: 4 KiB at this device address. */
#define EDU_BUF_ADDR		0x40000ULL
#define EDU_BUF_SIZE		4096
/*
 * QEMU 7.2 aborts the VM for a transfer that ends exactly at the end of that
 * buffer, so a transfer moves at most this much.
 */
#define EDU_MAX_TRANSFER	(EDU_BUF_SIZE - 1)

struct edu {
	int uio_fd;		/* /dev/uioN */
	volatile uint8_t *bar;	/* BAR0, mapped */
	size_t bar_size;
	unsigned int timeout_ms;	/* per transfer */
	unsigned long transfers;
};

/*
 * edu_open() - map BAR0 of /dev/uio<index> and check edu's identification.
 * Returns 0 or a negative errno (-ENODEV: not an edu device).
 */
int edu_open(struct edu *edu, unsigned int uio_index);
void edu_close(struct edu *edu);

/*
 * edu_to_device() - DMA @len bytes from bus address @src into edu's buffer at
 * @buf_off; edu_from_device() - DMA @len bytes of edu's buffer at @buf_off to
 * bus address @dst. Both wait for the completion interrupt. Return 0 or a
 * negative errno (-ETIMEDOUT when no interrupt came, -EINVAL for a range
 * outside edu's buffer).
 */
int edu_to_device(struct edu *edu, uint64_t src, uint32_t buf_off, uint32_t len);
int edu_from_device(struct edu *edu, uint32_t buf_off, uint64_t dst, uint32_t len);

/*
 * edu_start_from_device() - start the DMA of edu_from_device() without waiting;
 * edu_wait() - wait for its completion interrupt, acknowledge it and re-enable
 * the interrupt. Return 0 or a negative errno.
 */
int edu_start_from_device(struct edu *edu, uint32_t buf_off, uint64_t dst, uint32_t len);
int edu_wait(struct edu *edu);

#endif /* EDU_H */
