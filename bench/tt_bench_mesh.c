// SPDX-License-Identifier: GPL-2.0-only
/*
 * A buffer on every card of a mesh: tt-metal allocates each buffer at the
 * same address on every chip. Reported one ioctl per card (TRACK_ALLOC
 * then TRACK_FREE on each card's file) against one TRACK_BATCH whose
 * operations target each card's file, for the alloc and one for the free.
 *   tt_bench_mesh [CARDS [BUFFERS [ROUNDS]]]   (default 32 2000 5)
 * Adds simulated cards through debugfs (root) up to CARDS and removes
 * those it added. Prints "result NAME VALUE UNIT" lines (bench/bench):
 * ns per buffer (alloc and free on every card) for both, and their ratio.
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

#define SIM_DIR	"/sys/kernel/debug/tenstorrent/sim"
#define MAX_CARDS	32

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

static int count_cards(void)
{
	char path[64];
	int n;

	for (n = 0; n < MAX_CARDS; n++) {
		snprintf(path, sizeof(path), "/dev/tenstorrent/%d", n);
		if (access(path, F_OK))
			break;
	}
	return n;
}

/* One ioctl per card per buffer */
static int per_card(const int *fd, int cards, long buffers)
{
	long b;
	int c;

	for (b = 0; b < buffers; b++) {
		uint64_t addr = 0x800000000ULL + ((uint64_t)b << 20);

		for (c = 0; c < cards; c++) {
			struct tenstorrent_track_alloc a = { 0 };

			a.in.buffer_id = addr;
			a.in.size = 4096;
			a.in.buffer_type = TT_BUFFER_TYPE_DRAM;
			if (ioctl(fd[c], TENSTORRENT_IOCTL_TRACK_ALLOC, &a))
				return -1;
		}
		for (c = 0; c < cards; c++) {
			struct tenstorrent_track_free f = { 0 };

			f.in.buffer_id = addr;
			if (ioctl(fd[c], TENSTORRENT_IOCTL_TRACK_FREE, &f))
				return -1;
		}
	}
	return 0;
}

/* One batch per buffer for the allocs on every card, one for the frees */
static int one_call(const int *fd, int cards, long buffers)
{
	struct tenstorrent_track_op ops[MAX_CARDS];
	struct tenstorrent_track_batch bt = { 0 };
	long b;
	int c;

	bt.in.ops = (uintptr_t)ops;
	bt.in.count = cards;
	for (b = 0; b < buffers; b++) {
		uint64_t addr = 0x800000000ULL + ((uint64_t)b << 20);

		for (c = 0; c < cards; c++) {
			memset(&ops[c], 0, sizeof(ops[c]));
			ops[c].buffer_id = addr;
			ops[c].size = 4096;
			ops[c].buffer_type = TT_BUFFER_TYPE_DRAM;
			ops[c].op = TENSTORRENT_TRACK_OP_ALLOC;
			ops[c].flags = TENSTORRENT_TRACK_TARGET;
			ops[c].fd = fd[c];
		}
		if (ioctl(fd[0], TENSTORRENT_IOCTL_TRACK_BATCH, &bt))
			return -1;
		for (c = 0; c < cards; c++) {
			ops[c].op = TENSTORRENT_TRACK_OP_FREE;
			ops[c].size = 0;
			ops[c].buffer_type = 0;
		}
		if (ioctl(fd[0], TENSTORRENT_IOCTL_TRACK_BATCH, &bt))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int cards = argc > 1 ? atoi(argv[1]) : 32;
	long buffers = argc > 2 ? atol(argv[2]) : 2000;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	int fd[MAX_CARDS], have, added = 0, c, r, ret = 1;
	double t_per = 0, t_one = 0, t0;

	if (cards < 1 || cards > MAX_CARDS || buffers < 1 || rounds < 1) {
		fprintf(stderr, "usage: tt_bench_mesh [CARDS (1-32) [BUFFERS [ROUNDS]]]\n");
		return 2;
	}
	have = count_cards();
	while (have + added < cards && !write_text(SIM_DIR "/new_card", "0\n"))
		added++;
	if (count_cards() < cards) {
		fprintf(stderr, "tt_bench_mesh: %d cards, %d wanted\n",
			count_cards(), cards);
		goto out;
	}
	for (c = 0; c < cards; c++) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/tenstorrent/%d", c);
		fd[c] = open(path, O_RDWR | O_CLOEXEC);
		if (fd[c] < 0) {
			perror(path);
			goto out;
		}
	}
	/* alternate the two, so that drift hits both alike */
	for (r = 0; r < rounds; r++) {
		t0 = now_ns();
		if (per_card(fd, cards, buffers)) {
			perror("per-card ioctl");
			goto out;
		}
		t_per += now_ns() - t0;
		t0 = now_ns();
		if (one_call(fd, cards, buffers)) {
			perror("batch");
			goto out;
		}
		t_one += now_ns() - t0;
	}
	t_per /= (double)rounds * buffers;
	t_one /= (double)rounds * buffers;
	printf("# a buffer on %d cards, alloc and free: %.0f ns with %d ioctls, %.0f ns with 2 batches (%.1fx), %ld buffers x %d rounds\n",
	       cards, t_per, 2 * cards, t_one, t_per / t_one, buffers, rounds);
	printf("result mesh_per_card_%d %.1f ns/buffer\n", cards, t_per);
	printf("result mesh_one_call_%d %.1f ns/buffer\n", cards, t_one);
	ret = 0;
	for (c = 0; c < cards; c++)
		close(fd[c]);
out:
	/* the cards this added are the highest-numbered simulated ones */
	for (c = MAX_CARDS - 1; c >= 0 && added; c--) {
		char num[16];

		snprintf(num, sizeof(num), "%d\n", c);
		if (!write_text(SIM_DIR "/del_card", num))
			added--;
	}
	return ret;
}
