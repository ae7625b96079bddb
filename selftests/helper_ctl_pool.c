// SPDX-License-Identifier: GPL-2.0
/*
 * For zcopy_ctl.sh: register a pool on /dev/zcopy and hold it until stdin
 * reaches EOF, so that "zcopyctl pools" has something to list.
 *
 *   helper_ctl_pool [BYTES]
 *
 * Prints "pool ID pid PID len BYTES" once the pool is registered, then
 * waits; closing stdin (or any input) makes it exit, which closes the
 * device and unregisters the pool. Exit status 0, 1 on failure.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/zcopy.h>

int main(int argc, char **argv)
{
	size_t len = argc > 1 ? strtoull(argv[1], NULL, 0) : 8192;
	struct zcopy_pool_register r;
	char c;
	void *p;
	int fd;

	fd = open("/dev/" ZCOPY_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/zcopy");
		return 1;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(p, 'p', len);
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.addr = (uintptr_t)p;
	r.len = len;
	if (ioctl(fd, ZCOPY_IOC_POOL_REGISTER, &r)) {
		perror("ZCOPY_IOC_POOL_REGISTER");
		return 1;
	}
	printf("pool %u pid %d len %zu\n", r.pool_id, (int)getpid(), len);
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
	return 0;
}
