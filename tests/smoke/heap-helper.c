// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for the guest: dma-heap buffers for other programs.
 *
 *   heap-helper hold HEAP SIZE -- CMD [ARG...]
 *	allocate SIZE bytes from /dev/dma_heap/HEAP and run CMD with the dma-buf
 *	as file descriptor 3 (not imported anywhere).
 *   heap-helper fragment COUNT SIZE -- CMD [ARG...]
 *	allocate COUNT system-heap buffers of SIZE bytes, free every other one,
 *	and run CMD while the rest are held: the holes left are not physically
 *	adjacent, so a large allocation made by CMD is scattered.
 *
 * Exits with CMD's status, or 125 when the helper itself fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int heap_alloc(const char *heap, unsigned long long size, int cloexec)
{
	struct dma_heap_allocation_data data = { .len = size, .fd_flags = O_RDWR };
	char path[128];
	int fd, ret;

	if (cloexec)
		data.fd_flags |= O_CLOEXEC;
	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, DMA_HEAP_IOCTL_ALLOC, &data);
	ret = ret < 0 ? -errno : (int)data.fd;
	close(fd);
	return ret;
}

static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 125;
	if (!pid) {
		execvp(argv[0], argv);
		fprintf(stderr, "heap-helper: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	unsigned long long size;
	int i, fd, count, status;
	int *fds;

	if (argc < 6 || strcmp(argv[4], "--")) {
		fprintf(stderr, "usage: heap-helper hold HEAP SIZE -- CMD...\n"
				"       heap-helper fragment COUNT SIZE -- CMD...\n");
		return 125;
	}
	size = strtoull(argv[3], NULL, 0);
	if (!strcmp(argv[1], "hold")) {
		fd = heap_alloc(argv[2], size, 0);
		if (fd < 0 || dup2(fd, 3) < 0) {
			fprintf(stderr, "heap-helper: %s heap: %s\n", argv[2], strerror(-fd));
			return 125;
		}
		if (fd != 3)
			close(fd);
		execvp(argv[5], argv + 5);
		fprintf(stderr, "heap-helper: cannot run %s: %s\n", argv[5], strerror(errno));
		return 127;
	}
	if (strcmp(argv[1], "fragment"))
		return 125;
	count = atoi(argv[2]);
	fds = calloc((size_t)count, sizeof(*fds));
	if (!fds)
		return 125;
	for (i = 0; i < count; i++) {
		fds[i] = heap_alloc("system", size, 1);
		if (fds[i] < 0) {
			fprintf(stderr, "heap-helper: system heap: %s\n", strerror(-fds[i]));
			count = i;
			status = 125;
			goto out;
		}
	}
	for (i = 1; i < count; i += 2) {
		close(fds[i]);
		fds[i] = -1;
	}
	status = run(argv + 5);
out:
	for (i = 0; i < count; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return status;
}
