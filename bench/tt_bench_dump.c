// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cost of reading the tracked state while a runtime keeps working: time to
 * dump debugfs .../buffers with N records (default 100000), and TRACK_ALLOC
 * latency, median and worst, on the file being dumped while the dump runs,
 * against the same with no dump. Then the cost of reading a sysfs total of
 * card 0 holding M records (default 1000000) against card 1 holding none,
 * alternating between the two over rounds. A benchmark: prints numbers,
 * asserts nothing. Output: "# " comments and "result NAME VALUE UNIT" lines.
 *   tt_bench_dump [N [M]]      (root, cards 0 and 1, in the test VM)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "tenstorrent_track.h"
#include "tt_params.h"

#define SAMPLES	4000

static volatile int dumping;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int batch_alloc(int fd, uint64_t first, long n)
{
	struct tenstorrent_track_op ops[256];
	long done = 0;

	while (done < n) {
		struct tenstorrent_track_batch b = { 0 };
		int i, k = n - done > 256 ? 256 : n - done;

		for (i = 0; i < k; i++) {
			memset(&ops[i], 0, sizeof(ops[i]));
			ops[i].buffer_id = first + ((uint64_t)(done + i) << 20);
			ops[i].size = 4096;	/* a million fit the card's DRAM */
			ops[i].buffer_type = TT_BUFFER_TYPE_DRAM;
		}
		b.in.ops = (uintptr_t)ops;
		b.in.count = k;
		if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b))
			return -1;
		done += k;
	}
	return 0;
}

/* SAMPLES alloc+free pairs on fd; their latencies, sorted, into lat */
static void alloc_latency(int fd, uint64_t *lat)
{
	int i;

	for (i = 0; i < SAMPLES; i++) {
		struct tenstorrent_track_alloc a = { 0 };
		struct tenstorrent_track_free f = { 0 };
		uint64_t t0 = now_ns();

		a.in.buffer_id = 0x1000 + i * 32;
		a.in.size = 32;
		a.in.buffer_type = TT_BUFFER_TYPE_L1;
		if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a))
			perror("TRACK_ALLOC");
		lat[i] = now_ns() - t0;
		f.in.buffer_id = a.in.buffer_id;
		ioctl(fd, TENSTORRENT_IOCTL_TRACK_FREE, &f);
	}
	qsort(lat, SAMPLES, sizeof(lat[0]), cmp_u64);
}

static void *dump_loop(void *arg)
{
	static char buf[65536];
	long *lines = arg;

	while (dumping) {
		int fd = open("/sys/kernel/debug/tenstorrent/0/buffers", O_RDONLY);
		ssize_t n, i;

		if (fd < 0)
			break;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			for (i = 0; i < n; i++)
				*lines += buf[i] == '\n';
		close(fd);
	}
	return NULL;
}

static double dump_once(long *lines)
{
	static char buf[65536];
	uint64_t t0 = now_ns();
	int fd = open("/sys/kernel/debug/tenstorrent/0/buffers", O_RDONLY);
	ssize_t n, i;

	*lines = 0;
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			*lines += buf[i] == '\n';
	close(fd);
	return (now_ns() - t0) / 1e6;
}

/* ns per read of a card's dram_allocated, over 2000 reads */
static double sysfs_read_ns(int card)
{
	char path[96], buf[64];
	uint64_t t0;
	int i, fd;

	snprintf(path, sizeof(path),
		 "/sys/class/tenstorrent/tenstorrent!%d/dram_allocated", card);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	t0 = now_ns();
	for (i = 0; i < 2000; i++)
		if (pread(fd, buf, sizeof(buf), 0) <= 0) {
			close(fd);
			return -1;
		}
	close(fd);
	return (now_ns() - t0) / 2000.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define SYSFS_ROUNDS 7

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 100000, lines = 0;
	long m = argc > 2 ? strtol(argv[2], NULL, 0) : 1000000;
	static uint64_t quiet[SAMPLES], busy[SAMPLES];
	double empty[SYSFS_ROUNDS], full[SYSFS_ROUNDS], ms;
	pthread_t th;
	int r, fd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);

	/* the per-user cap's default (4% of RAM) is below a million here */
	user_records_at_least(1 << 30);
	if (n <= 0 || m < n) {
		fprintf(stderr, "usage: tt_bench_dump [N [M >= N]]\n");
		return 2;
	}
	if (fd < 0) {
		perror("open /dev/tenstorrent/0");
		return 1;
	}
	if (batch_alloc(fd, 0x800000000ULL, n)) {
		perror("TRACK_BATCH");
		return 1;
	}
	ms = dump_once(&lines);
	if (ms < 0 || lines != n + 1) {
		fprintf(stderr, "debugfs dump: %ld lines for %ld records\n", lines, n);
		return 1;
	}
	printf("# debugfs buffers dump: %ld lines in %.0f ms (%.0f ns/record)\n",
	       lines, ms, ms * 1e6 / n);
	printf("result debugfs_dump_%ld %.1f ms\n", n, ms);

	alloc_latency(fd, quiet);
	dumping = 1;
	lines = 0;
	pthread_create(&th, NULL, dump_loop, &lines);
	usleep(100000);
	alloc_latency(fd, busy);
	dumping = 0;
	pthread_join(th, NULL);
	printf("# TRACK_ALLOC+FREE on the dumped file: no dump p50 %llu ns max %llu ns; during dumps p50 %llu ns max %llu ns (%ld lines dumped meanwhile)\n",
	       (unsigned long long)quiet[SAMPLES / 2],
	       (unsigned long long)quiet[SAMPLES - 1],
	       (unsigned long long)busy[SAMPLES / 2],
	       (unsigned long long)busy[SAMPLES - 1], lines);
	printf("result pair_p50_no_dump %llu ns/pair\n",
	       (unsigned long long)quiet[SAMPLES / 2]);
	printf("result pair_p50_during_dump %llu ns/pair\n",
	       (unsigned long long)busy[SAMPLES / 2]);

	/* grow card 0 to m records; card 1 stays empty */
	if (batch_alloc(fd, 0x800000000ULL + ((uint64_t)n << 20), m - n)) {
		perror("TRACK_BATCH");
		return 1;
	}
	for (r = 0; r < SYSFS_ROUNDS; r++) {
		empty[r] = sysfs_read_ns(1);
		full[r] = sysfs_read_ns(0);
		if (empty[r] < 0 || full[r] < 0) {
			fprintf(stderr, "reading sysfs (cards 0 and 1 needed): %s\n",
				strerror(errno));
			return 1;
		}
	}
	qsort(empty, SYSFS_ROUNDS, sizeof(empty[0]), cmp_double);
	qsort(full, SYSFS_ROUNDS, sizeof(full[0]), cmp_double);
	printf("# sysfs dram_allocated read, median of %d rounds: %.0f ns with 0 records (card 1), %.0f ns with %ld (card 0), ratio %.2f\n",
	       SYSFS_ROUNDS, empty[SYSFS_ROUNDS / 2], full[SYSFS_ROUNDS / 2], m,
	       full[SYSFS_ROUNDS / 2] / empty[SYSFS_ROUNDS / 2]);
	printf("result sysfs_read_0 %.1f ns/op\n", empty[SYSFS_ROUNDS / 2]);
	printf("result sysfs_read_%ld %.1f ns/op\n", m, full[SYSFS_ROUNDS / 2]);
	close(fd);
	return 0;
}
