// SPDX-License-Identifier: GPL-2.0
/*
 * A user-space driver for QEMU's "edu" PCI device over UIO. See edu.h.
 *
 * Registers (hw/misc/edu.c): 0x00 identification 0x010000ed, 0x24 interrupt
 * status, 0x64 interrupt acknowledge, 0x80 DMA source, 0x88 DMA destination,
 * 0x90 DMA count, 0x98 DMA command (bit 0 start, bit 1 edu-to-RAM, bit 2
 * raise interrupt 0x100 when done).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "edu.h"
#include "uiodmabuf.h"

#define EDU_REG_ID		0x00
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_ID			0x010000edU
#define EDU_DMA_START		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_DMA_IRQ		0x4
#define EDU_IRQ_DMA		0x100

static uint32_t rd32(struct edu *edu, unsigned int reg)
{
	return *(volatile uint32_t *)(edu->bar + reg);
}

static void wr32(struct edu *edu, unsigned int reg, uint32_t val)
{
	*(volatile uint32_t *)(edu->bar + reg) = val;
}

/* edu takes the DMA registers as 64-bit accesses. */
static void wr64(struct edu *edu, unsigned int reg, uint64_t val)
{
	*(volatile uint64_t *)(edu->bar + reg) = val;
}

int edu_open(struct edu *edu, unsigned int uio_index)
{
	char device[16];
	void *bar;
	int ret;

	memset(edu, 0, sizeof(*edu));
	edu->timeout_ms = 10000;
	snprintf(device, sizeof(device), "uio%u", uio_index);
	edu->uio_fd = uiodmabuf_uio_open(device);
	if (edu->uio_fd < 0)
		return edu->uio_fd;
	ret = uiodmabuf_map_region(edu->uio_fd, 0, &bar, &edu->bar_size);
	if (ret)
		goto close_fd;
	edu->bar = bar;
	if (rd32(edu, EDU_REG_ID) != EDU_ID) {
		ret = -ENODEV;
		goto unmap;
	}
	return 0;

unmap:
	uiodmabuf_unmap_region(bar, edu->bar_size);
close_fd:
	close(edu->uio_fd);
	return ret;
}

void edu_close(struct edu *edu)
{
	uiodmabuf_unmap_region((void *)edu->bar, edu->bar_size);
	close(edu->uio_fd);
}

/* Waits for the DMA-done interrupt, acknowledges it and re-enables INTx. */
int edu_wait(struct edu *edu)
{
	uint32_t status;
	int ret;

	ret = uiodmabuf_wait_irq(edu->uio_fd, (int)edu->timeout_ms, NULL);
	if (ret)
		return ret;
	status = rd32(edu, EDU_REG_IRQ_STATUS);
	wr32(edu, EDU_REG_IRQ_ACK, status);
	/* Deasserted now: unmask INTx in the PCI command register again. */
	ret = uiodmabuf_irq_enable(edu->uio_fd, 1);
	if (ret)
		return ret;
	if (!(status & EDU_IRQ_DMA) || (rd32(edu, EDU_REG_DMA_CMD) & EDU_DMA_START))
		return -EIO;
	return 0;
}

static void edu_start(struct edu *edu, uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
	wr64(edu, EDU_REG_DMA_SRC, src);
	wr64(edu, EDU_REG_DMA_DST, dst);
	wr64(edu, EDU_REG_DMA_COUNT, len);
	wr64(edu, EDU_REG_DMA_CMD, cmd | EDU_DMA_START | EDU_DMA_IRQ);
	edu->transfers++;
}

static int edu_dma(struct edu *edu, uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
	edu_start(edu, src, dst, len, cmd);
	return edu_wait(edu);
}

static int edu_check(uint32_t buf_off, uint32_t len)
{
	if (!len || len > EDU_MAX_TRANSFER || buf_off + len > EDU_MAX_TRANSFER)
		return -EINVAL;
	return 0;
}

int edu_to_device(struct edu *edu, uint64_t src, uint32_t buf_off, uint32_t len)
{
	int ret = edu_check(buf_off, len);

	return ret ? ret : edu_dma(edu, src, EDU_BUF_ADDR + buf_off, len, 0);
}

int edu_from_device(struct edu *edu, uint32_t buf_off, uint64_t dst, uint32_t len)
{
	int ret = edu_check(buf_off, len);

	return ret ? ret : edu_dma(edu, EDU_BUF_ADDR + buf_off, dst, len, EDU_DMA_TO_RAM);
}

int edu_start_from_device(struct edu *edu, uint32_t buf_off, uint64_t dst, uint32_t len)
{
	int ret = edu_check(buf_off, len);

	if (!ret)
		edu_start(edu, EDU_BUF_ADDR + buf_off, dst, len, EDU_DMA_TO_RAM);
	return ret;
}
