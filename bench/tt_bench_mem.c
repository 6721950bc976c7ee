// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel memory per live tracking record: slab and vmalloc memory
 * (/proc/meminfo Slab + VmallocUsed: the records and the record table)
 * before and after one open file records N buffers (the median of three
 * measurements below 100,000 records).
 * Then the cost of dropping records: closing a file that holds the largest
 * N (the release path frees them all) against N TRACK_FREE ioctls.
 *   tt_bench_mem [N...]     (default 10000 100000 1000000; root, test VM)
 * Patterns: DRAM buffers 1 MiB apart from 0x800000000; L1 buffers 32-byte
 * aligned and adjacent; both mixed in one file; DRAM and L1 buffers at the
 * same addresses (tt-metal's address spaces overlap); ids spread over the
 * whole 64-bit space. A benchmark, not a test:
 * it prints numbers and asserts nothing. Output: "# " comments and
 * "result NAME VALUE UNIT" lines (see bench/bench).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "tenstorrent_track.h"
#include "tt_params.h"

/* Slab + VmallocUsed in kB: a large record table is vmalloc()ed */
static long slab_kb(void)
{
	char line[256];
	long kb = 0, v;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &v) == 1 ||
		    sscanf(line, "VmallocUsed: %ld kB", &v) == 1)
			kb += v;
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

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static const char *const pattern_names[] = {
	"dram", "l1", "mixed", "overlap", "spread",
};
#define PATTERNS	(sizeof(pattern_names) / sizeof(pattern_names[0]))

/* Record i's id; *dram says whether it is a DRAM buffer (else L1) */
static uint64_t pattern_id(int pattern, long i, int *dram)
{
	uint64_t x;

	switch (pattern) {
	case 3:	/* pairs: a DRAM and an L1 buffer at each address */
		*dram = i % 2 == 0;
		return 0x10000 + (uint64_t)(i / 2) * 32;
	case 4:	/* a fixed xorshift64* sequence */
		*dram = 1;
		x = 0x9e3779b97f4a7c15ULL ^ (uint64_t)i * 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 31;
		return x * 0x2545f4914f6cdd1dULL;
	default:
		*dram = pattern == 0 || (pattern == 2 && i % 2 == 0);
		return *dram ? 0x800000000ULL + ((uint64_t)i << 20)
			     : 0x10000 + (uint64_t)i * 32;
	}
}

/* A new open file of card 0 holding n records of a pattern, or -1 */
static int filled_file(long n, int pattern)
{
	int fd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);
	long i;

	if (fd < 0) {
		perror("open /dev/tenstorrent/0");
		return -1;
	}
	for (i = 0; i < n; i++) {
		int dram;
		uint64_t id = pattern_id(pattern, i, &dram);

		/* 4 KiB DRAM buffers: a million fit in the card's DRAM */
		if (track(fd, id, dram ? 4096 : 32,
			  dram ? TT_BUFFER_TYPE_DRAM : TT_BUFFER_TYPE_L1)) {
			fprintf(stderr, "TRACK_ALLOC %ld: %s\n", i, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* One measurement: the kB of slab and vmalloc memory n records take */
static int memory_once(long n, int pattern, long *kb)
{
	long before;
	int fd;

	settle();
	before = slab_kb();
	fd = filled_file(n, pattern);
	if (fd < 0)
		return 1;
	settle();
	*kb = slab_kb() - before;
	close(fd);
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/*
 * The median of three measurements below 100,000 records: there the
 * records take a few hundred kB, and one burst of the kernel's own slab
 * activity (a lazily freed vmalloc area, a slab cache shrinking) can move
 * the counters by as much. Larger counts measure once.
 */
static int memory(long n, int pattern)
{
	long kb[3];
	int i, rounds = n < 100000 ? 3 : 1;

	for (i = 0; i < rounds; i++)
		if (memory_once(n, pattern, &kb[i]))
			return 1;
	qsort(kb, rounds, sizeof(kb[0]), cmp_long);
	printf("# %-6s %8ld records  %8ld kB slab  %6.1f B/record (median of %d)\n",
	       pattern_names[pattern], n, kb[rounds / 2],
	       kb[rounds / 2] * 1024.0 / n, rounds);
	printf("result mem_%s_%ld %.1f B/record\n", pattern_names[pattern], n,
	       kb[rounds / 2] * 1024.0 / n);
	return 0;
}

/*
 * Closing a file with n DRAM records (release frees them) against freeing
 * n records one TRACK_FREE ioctl each, alternating over rounds.
 */
static int release(long n, int rounds)
{
	double rel = 0, fre = 0, t0;
	long i;
	int r;

	for (r = 0; r < rounds; r++) {
		int fd = filled_file(n, 0);

		if (fd < 0)
			return 1;
		t0 = now_ns();
		close(fd);
		rel += now_ns() - t0;

		fd = filled_file(n, 0);
		if (fd < 0)
			return 1;
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			struct tenstorrent_track_free f = { 0 };
			int dram;

			f.in.buffer_id = pattern_id(0, i, &dram);
			if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_FREE, &f)) {
				fprintf(stderr, "TRACK_FREE %ld: %s\n", i, strerror(errno));
				return 1;
			}
		}
		fre += now_ns() - t0;
		close(fd);
	}
	rel /= (double)rounds * n;
	fre /= (double)rounds * n;
	printf("# release of a file with %ld records: %.1f ns/record; TRACK_FREE %.1f ns/op (ratio %.3f), %d rounds\n",
	       n, rel, fre, rel / fre, rounds);
	printf("result release_%ld %.1f ns/record\n", n, rel);
	printf("result free_ioctl_%ld %.1f ns/op\n", n, fre);
	return 0;
}

int main(int argc, char **argv)
{
	static const long defaults[] = { 10000, 100000, 1000000 };
	long n, max = 0;
	int i, p, count = argc > 1 ? argc - 1 : 3;

	/* the per-user cap's default (4% of RAM) is below a million here */
	user_records_at_least(1 << 30);

	for (i = 0; i < count; i++) {
		n = argc > 1 ? strtol(argv[i + 1], NULL, 0) : defaults[i];
		if (n <= 0) {
			fprintf(stderr, "usage: tt_bench_mem [N...]\n");
			return 2;
		}
		for (p = 0; p < (int)PATTERNS; p++)
			if (memory(n, p))
				return 1;
		if (n > max)
			max = n;
	}
	return release(max, 3);
}
