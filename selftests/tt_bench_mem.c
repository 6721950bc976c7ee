// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel memory per live tracking record: slab memory (/proc/meminfo Slab)
 * before and after one open file records N buffers with realistic ids.
 *   tt_bench_mem [N]     (default 100000; run as root in the test VM)
 * Patterns: DRAM buffers 1 MiB apart from 0x800000000; L1 buffers 32-byte
 * aligned and adjacent; both mixed in one file. A benchmark, not a test:
 * it prints numbers and asserts nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tenstorrent_track.h"

static long slab_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void settle(void)
{
	/* let freed objects leave per-cpu caches before measuring */
	sync();
	usleep(200000);
}

static int track(int fd, uint64_t id, uint64_t size, uint32_t type)
{
	struct tenstorrent_track_alloc a = { 0 };

	a.in.buffer_id = id;
	a.in.size = size;
	a.in.buffer_type = type;
	return ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a);
}

static int run(const char *name, long n, int pattern)
{
	long before, after, i;
	int fd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("open /dev/tenstorrent/0");
		return 1;
	}
	settle();
	before = slab_kb();
	for (i = 0; i < n; i++) {
		int dram = pattern == 0 || (pattern == 2 && i % 2 == 0);
		uint64_t id = dram ? 0x800000000ULL + ((uint64_t)i << 20)
				   : 0x10000 + (uint64_t)i * 32;

		if (track(fd, id, dram ? 1 << 20 : 32,
			  dram ? TT_BUFFER_TYPE_DRAM : TT_BUFFER_TYPE_L1)) {
			fprintf(stderr, "TRACK_ALLOC %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	settle();
	after = slab_kb();
	printf("%-28s %8ld records  %8ld kB slab  %6.1f B/record\n", name, n,
	       after - before, (after - before) * 1024.0 / n);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 100000;

	return run("DRAM 1 MiB apart", n, 0) ||
	       run("L1 32 B apart", n, 1) ||
	       run("DRAM and L1 mixed", n, 2);
}
