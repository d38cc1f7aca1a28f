// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X vectors bound to eventfds, on QEMU's e1000e (82574L: five MSI-X
 * vectors) bound to uio_dmabuf with irq_mode=msix. The interrupt cause set
 * register (ICS) raises a cause, and the IVAR register routes each of the five
 * MSI-X causes (RX queue 0 and 1, TX queue 0 and 1, other) to its own vector,
 * so user space can make each vector fire through the device's BAR 0.
 *
 * Usage: msix-test BDF. Prints TAP; exits 1 when a case failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/uio_dmabuf.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <uiodmabuf.h>
#include <unistd.h>

#include "tap.h"

/* 82574L registers (BAR 0) and the interrupt causes of its MSI-X vectors. */
#define E1000_ICR	0x000c0	/* interrupt cause read; written: clears causes */
#define E1000_ICS	0x000c8	/* interrupt cause set */
#define E1000_IMS	0x000d0	/* interrupt mask set */
#define E1000_IMC	0x000d8	/* interrupt mask clear */
#define E1000_IVAR	0x000e4	/* cause -> vector, 4 bits each with a valid bit */
#define E1000_IVAR_VALID	0x8
#define NR_VECTORS	5
static const uint32_t causes[NR_VECTORS] = {
	0x00100000,	/* RX queue 0 */
	0x00200000,	/* RX queue 1 */
	0x00400000,	/* TX queue 0 */
	0x00800000,	/* TX queue 1 */
	0x01000000,	/* other */
};

#define UNBIND_CYCLES	5
#define CLOSE_CYCLES	50

static const char *bdf;
static volatile uint32_t *regs;

static int open_node(int idx)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/uio-dmabuf%d", idx);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* SET_IRQ_EVENTFD through the library: 0, or -errno. */
static int set_eventfd(int node, uint32_t vector, int fd)
{
	return uiodmabuf_set_irq_eventfd(node, vector, fd);
}

/* Handlers of the device's vectors in /proc/interrupts ("uio-dmabufN-msixV"). */
static int vectors_requested(int idx)
{
	char line[1024], name[48];
	int count = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	snprintf(name, sizeof(name), "uio-dmabuf%d-msix", idx);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, name))
			count++;
	fclose(f);
	return count;
}

/* What the eventfd counted, waiting up to @ms for a first count; 0 if none. */
static uint64_t wait_count(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) == 1 && read(efd, &v, sizeof(v)) != sizeof(v))
		v = 0;
	return v;
}

static void raise_vector(unsigned int v)
{
	regs[E1000_ICS / 4] = causes[v];
}

/* Clear every cause, so that the next ICS write is a new interrupt. */
static void clear_causes(void)
{
	regs[E1000_ICR / 4] = 0xffffffff;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, val, strlen(val));
	close(fd);
	return w < 0 ? -errno : 0;
}

/* BAR 0 through /dev/uioN's map 0, routed: cause i -> vector i, all unmasked. */
static int map_bar0(int idx)
{
	char path[64];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/dev/uio%d", idx);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, 128 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	regs = p;
	regs[E1000_IMC / 4] = 0xffffffff;
	clear_causes();
	regs[E1000_IVAR / 4] = (E1000_IVAR_VALID | 0) | (E1000_IVAR_VALID | 1) << 4 |
			       (E1000_IVAR_VALID | 2) << 8 | (E1000_IVAR_VALID | 3) << 12 |
			       (E1000_IVAR_VALID | 4) << 16;
	regs[E1000_IMS / 4] = causes[0] | causes[1] | causes[2] | causes[3] | causes[4];
	return 0;
}

/*
 * Bind every vector to a new eventfd of @efd; 0 or -errno. A vector that fired
 * while it was unbound (masked) is pending, and the device sends it when the
 * bind unmasks it, as the PCI spec has it: such counts are drained.
 */
static int bind_all(int node, int *efd)
{
	int v, ret = 0;

	for (v = 0; v < NR_VECTORS; v++) {
		efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (!ret)
			ret = set_eventfd(node, v, efd[v]);
	}
	for (v = 0; v < NR_VECTORS; v++)
		wait_count(efd[v], 20);
	return ret;
}

/* Vector @v fires: its eventfd counts, and none of the others in @efd. */
static int fires_alone(unsigned int v, const int *efd)
{
	unsigned int i;
	int ok;

	raise_vector(v);
	ok = wait_count(efd[v], 2000) >= 1;
	for (i = 0; i < NR_VECTORS; i++)
		if (i != v && efd[i] >= 0 && wait_count(efd[i], 0))
			ok = 0;
	clear_causes();
	return ok;
}

static void test_delivery(int node, int idx, int *efd)
{
	struct uio_dmabuf_info info;
	unsigned int v;
	int ok = 1, uio;
	char path[64];
	uint32_t one = 1;

	memset(&info, 0xff, sizeof(info));
	check(ioctl(node, UIO_DMABUF_IOC_INFO, &info) == 0 &&
	      info.irq_mode == UIO_DMABUF_IRQ_MSIX && info.nr_irq_vectors == NR_VECTORS,
	      "INFO: irq_mode MSIX with %d vectors (got %u, %u)", NR_VECTORS,
	      info.irq_mode, info.nr_irq_vectors);
	snprintf(path, sizeof(path), "/dev/uio%d", idx);
	uio = open(path, O_RDWR | O_CLOEXEC);
	check(uio >= 0 && read(uio, &one, sizeof(one)) < 0 && errno == EIO,
	      "/dev/uioN has no interrupt with MSI-X: read() fails with EIO");
	if (uio >= 0)
		close(uio);
	check(map_bar0(idx) == 0, "BAR 0 mapped through /dev/uioN, causes routed to vectors 0-4");
	check(vectors_requested(idx) == 0, "no vector requested before a bind");

	for (v = 0; v < NR_VECTORS; v++) {
		efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (set_eventfd(node, v, efd[v]))
			ok = 0;
	}
	check(ok, "each of the 5 vectors binds to an eventfd");
	check(vectors_requested(idx) == NR_VECTORS, "/proc/interrupts lists the 5 bound vectors");
	for (v = 0; v < NR_VECTORS; v++)
		check(fires_alone(v, efd), "vector %u signals its eventfd and no other", v);
	for (v = 0; v < NR_VECTORS; v++)
		check(fires_alone(v, efd), "vector %u fires again once its cause is cleared", v);
}

static void test_errors(int node, int idx, int *efd)
{
	int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), node2, closed;
	int other[NR_VECTORS] = { -1, -1, -1, -1, -1 };

	check(set_eventfd(node, NR_VECTORS, e) == -EINVAL, "vector %d (one past the last): EINVAL",
	      NR_VECTORS);
	check(set_eventfd(node, 0xffffffff, e) == -EINVAL, "vector 0xffffffff: EINVAL");
	check(set_eventfd(node, 0, e) == -EBUSY, "binding a bound vector again: EBUSY");
	check(set_eventfd(node, 0, -2) == -EINVAL, "fd -2: EINVAL");
	{
		struct uio_dmabuf_irq_eventfd arg = { .vector = 0, .fd = e, .flags = 1 };

		check(ioctl(node, UIO_DMABUF_IOC_SET_IRQ_EVENTFD, &arg) < 0 && errno == EINVAL,
		      "nonzero flags: EINVAL");
	}
	check(set_eventfd(node, 4, -1) == 0, "vector 4 unbinds");
	check(vectors_requested(idx) == NR_VECTORS - 1, "its IRQ is freed");
	check(set_eventfd(node, 4, -1) == -ENOENT, "unbinding it again: ENOENT");
	closed = eventfd(0, EFD_CLOEXEC);
	close(closed);
	check(set_eventfd(node, 4, closed) == -EBADF, "a closed eventfd: EBADF");
	check(set_eventfd(node, 4, node) == -EINVAL, "an fd that is not an eventfd: EINVAL");
	raise_vector(4);
	check(wait_count(efd[4], 300) == 0, "an unbound vector signals nothing");
	clear_causes();

	/* Another open file of the node: its bindings and the first file's. */
	node2 = open_node(idx);
	check(node2 >= 0, "a second file of the node opens");
	check(set_eventfd(node2, 0, -1) == -EBUSY, "unbinding another file's vector: EBUSY");
	check(set_eventfd(node2, 0, e) == -EBUSY, "binding another file's vector: EBUSY");
	other[4] = e;
	check(set_eventfd(node2, 4, e) == 0 && fires_alone(4, other),
	      "the second file binds the free vector, and it fires");
	close(node2);
	check(vectors_requested(idx) == NR_VECTORS - 1,
	      "closing the second file unbinds its vector only");
	check(fires_alone(0, efd), "the first file's vectors still fire");

	/* The binding holds its own reference to the eventfd. */
	close(efd[1]);
	efd[1] = -1;
	raise_vector(1);
	usleep(100 * 1000);
	clear_causes();
	check(set_eventfd(node, 1, -1) == 0,
	      "a vector whose eventfd was closed fires harmlessly and unbinds");
	close(e);
}

/* Bind every vector, fire one, close: nothing stays requested. */
static void test_close_cycles(int idx)
{
	int c, v, node, ok = 1, efd[NR_VECTORS];

	for (c = 0; c < CLOSE_CYCLES && ok; c++) {
		node = open_node(idx);
		if (node < 0) {
			printf("# cycle %d: open: %s\n", c, strerror(errno));
			ok = 0;
			break;
		}
		if (bind_all(node, efd)) {
			printf("# cycle %d: bind failed\n", c);
			ok = 0;
		}
		if (!fires_alone(c % NR_VECTORS, efd)) {
			printf("# cycle %d: vector %d did not fire alone\n", c, c % NR_VECTORS);
			ok = 0;
		}
		close(node);
		if (vectors_requested(idx) != 0) {
			printf("# cycle %d: vectors still requested after close\n", c);
			ok = 0;
		}
		/* Now masked: it stays pending, for the next cycle's bind. */
		raise_vector(c % NR_VECTORS);
		if (wait_count(efd[c % NR_VECTORS], 50)) {
			printf("# cycle %d: a closed file's eventfd was signalled\n", c);
			ok = 0;
		}
		clear_causes();
		for (v = 0; v < NR_VECTORS; v++)
			close(efd[v]);
	}
	check(ok, "reliability: %d cycles of bind all, fire, close: every vector freed at close",
	      CLOSE_CYCLES);
}

/*
 * A child blocked in poll() on @node, which must wake with POLLERR | POLLHUP
 * within 10 s: exits 0 if it does.
 */
static pid_t poll_child(int node)
{
	struct pollfd p = { .fd = node, .events = POLLIN | POLLOUT | POLLPRI };
	pid_t pid = fork();

	if (pid == 0)
		_exit(poll(&p, 1, 10000) == 1 && p.revents == (POLLERR | POLLHUP) ? 0 : 1);
	return pid;
}

/*
 * Unbind the device with vectors bound and a file open, then bind it again.
 * The first time, a poller of the file is woken by the unbind.
 */
static void test_unbind_cycles(void)
{
	int c, v, idx, node, ok = 1, gone = 1, woken = 0, status, efd[NR_VECTORS];
	struct pollfd p = { .events = POLLIN | POLLOUT | POLLPRI };
	struct uio_dmabuf_info info;
	pid_t child = -1;

	for (c = 0; c < UNBIND_CYCLES && ok; c++) {
		idx = uio_index("pci", bdf);
		node = idx < 0 ? -1 : open_node(idx);
		if (node < 0 || map_bar0(idx)) {
			ok = 0;
			break;
		}
		if (bind_all(node, efd) || !fires_alone(c % NR_VECTORS, efd)) {
			printf("# cycle %d: vector %d did not bind or fire\n", c, c % NR_VECTORS);
			ok = 0;
		}
		munmap((void *)regs, 128 * 1024);
		if (c == 0) {
			p.fd = node;
			check(poll(&p, 1, 0) == 0, "poll() on the node reports nothing while no import is revoked");
			child = poll_child(node);
			usleep(200000);	/* inside its poll() */
		}
		if (sysfs_write("/sys/bus/pci/drivers/uio_dmabuf/unbind", bdf)) {
			printf("# cycle %d: unbind failed\n", c);
			ok = 0;
		}
		if (vectors_requested(idx) != 0 || ioctl(node, UIO_DMABUF_IOC_INFO, &info) == 0 ||
		    errno != ENODEV || set_eventfd(node, 0, -1) != -ENODEV) {
			printf("# cycle %d: after the unbind: %d vectors requested, or a file not ENODEV\n",
			       c, vectors_requested(idx));
			gone = 0;
		}
		if (c == 0)
			woken = child > 0 && waitpid(child, &status, 0) == child &&
				WIFEXITED(status) && WEXITSTATUS(status) == 0;
		close(node);
		for (v = 0; v < NR_VECTORS; v++)
			close(efd[v]);
		if (sysfs_write("/sys/bus/pci/drivers_probe", bdf) || uio_index("pci", bdf) < 0) {
			printf("# cycle %d: the device did not bind again\n", c);
			ok = 0;
		}
	}
	check(woken, "the unbind wakes a poll() on the node with POLLERR | POLLHUP");
	check(ok && gone,
	      "reliability: %d cycles of unbinding the device with 5 vectors bound: vectors freed, the file answers ENODEV, the device binds again",
	      UNBIND_CYCLES);
}

int main(int argc, char **argv)
{
	int idx, node, efd[NR_VECTORS];

	if (argc != 2) {
		fprintf(stderr, "usage: %s <PCI BDF of an e1000e bound with irq_mode=msix>\n",
			argv[0]);
		return 2;
	}
	bdf = argv[1];
	idx = uio_index("pci", bdf);
	node = idx < 0 ? -1 : open_node(idx);
	check(node >= 0, "e1000e %s has /dev/uio-dmabufN open", bdf);
	if (node < 0) {
		return tap_end();
	}
	test_delivery(node, idx, efd);
	test_errors(node, idx, efd);
	close(node);
	check(vectors_requested(idx) == 0, "closing the file with 3 vectors bound frees them");
	test_close_cycles(idx);
	test_unbind_cycles();
	return tap_end();
}
