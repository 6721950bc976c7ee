// SPDX-License-Identifier: GPL-2.0-only
/*
 * A stand-in for a runtime, for the demo and for trying the driver by hand:
 * it opens a card, reports buffers the way tt-metal would (DRAM buffers
 * 1 MiB apart from 0x800000000, L1 buffers 32-byte aligned, on request
 * circular buffers of 64 KiB and kernel binaries of 16 KiB), holds them,
 * frees some and exits with the rest still recorded, so the driver's
 * cleanup shows. With --query it only prints a card's totals.
 *   tt_workload [-d CARD] [-n DRAM_BUFFERS] [-l L1_BUFFERS] [-c CB_BUFFERS]
 *               [-k KERNEL_BUFFERS] [-s SECONDS]
 *   tt_workload --query [-d CARD]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tenstorrent_track.h"

static const char *const type_names[TT_BUFFER_TYPE_COUNT] = {
	[TT_BUFFER_TYPE_DRAM] = "DRAM",
	[TT_BUFFER_TYPE_L1] = "L1",
	[TT_BUFFER_TYPE_SYSTEM_MEMORY] = "SYSTEM_MEMORY",
	[TT_BUFFER_TYPE_L1_SMALL] = "L1_SMALL",
	[TT_BUFFER_TYPE_TRACE] = "TRACE",
	[TT_BUFFER_TYPE_CB] = "CB",
	[TT_BUFFER_TYPE_KERNEL] = "KERNEL",
};

static int track(int fd, uint64_t id, uint64_t size, uint32_t type)
{
	struct tenstorrent_track_alloc a = { 0 };

	a.in.buffer_id = id;
	a.in.size = size;
	a.in.buffer_type = type;
	if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a)) {
		fprintf(stderr, "tt_workload: TRACK_ALLOC 0x%llx: %s\n",
			(unsigned long long)id, strerror(errno));
		return -1;
	}
	return 0;
}

static int untrack(int fd, uint64_t id)
{
	struct tenstorrent_track_free f = { 0 };

	f.in.buffer_id = id;
	if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_FREE, &f)) {
		fprintf(stderr, "tt_workload: TRACK_FREE 0x%llx: %s\n",
			(unsigned long long)id, strerror(errno));
		return -1;
	}
	return 0;
}

static int print_stats(int fd, int card, const char *who)
{
	struct tenstorrent_query_alloc_stats q = { 0 };
	int t;

	if (ioctl(fd, TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, &q)) {
		fprintf(stderr, "tt_workload: QUERY_ALLOC_STATS: %s\n",
			strerror(errno));
		return -1;
	}
	printf("card %d (%s): %u open files\n", card, who, q.out.open_files);
	printf("  %-14s %14s %8s %14s   %14s %8s\n", "type", "card bytes",
	       "buffers", "card peak", "this file", "buffers");
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		printf("  %-14s %14llu %8llu %14llu   %14llu %8llu\n",
		       type_names[t], (unsigned long long)q.out.allocated[t],
		       (unsigned long long)q.out.buffers[t],
		       (unsigned long long)q.out.peak[t],
		       (unsigned long long)q.out.file.allocated[t],
		       (unsigned long long)q.out.file.buffers[t]);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "query", no_argument, NULL, 'q' },
		{ "device", required_argument, NULL, 'd' },
		{ 0 }
	};
	long dram = 64, l1 = 256, cb = 0, kernel = 0, secs = 0, i;
	int card = 0, query = 0, fd, c;
	char path[64];

	while ((c = getopt_long(argc, argv, "qd:n:l:c:k:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'q': query = 1; break;
		case 'd': card = atoi(optarg); break;
		case 'n': dram = atol(optarg); break;
		case 'l': l1 = atol(optarg); break;
		case 'c': cb = atol(optarg); break;
		case 'k': kernel = atol(optarg); break;
		case 's': secs = atol(optarg); break;
		default:
			fprintf(stderr, "usage: tt_workload [--query] [-d CARD] [-n DRAM] [-l L1] [-c CB] [-k KERNEL] [-s SECONDS]\n");
			return 2;
		}
	}

	snprintf(path, sizeof(path), "/dev/tenstorrent/%d", card);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tt_workload: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (query)
		return print_stats(fd, card, "query") ? 1 : 0;

	for (i = 0; i < dram; i++)
		if (track(fd, 0x800000000ULL + ((uint64_t)i << 20), 1 << 20,
			  TT_BUFFER_TYPE_DRAM))
			return 1;
	for (i = 0; i < l1; i++)
		if (track(fd, 0x10000 + (uint64_t)i * 2048, 2048,
			  TT_BUFFER_TYPE_L1))
			return 1;
	for (i = 0; i < cb; i++)
		if (track(fd, 0x100000 + ((uint64_t)i << 16), 1 << 16,
			  TT_BUFFER_TYPE_CB))
			return 1;
	for (i = 0; i < kernel; i++)
		if (track(fd, 0x200000 + ((uint64_t)i << 14), 1 << 14,
			  TT_BUFFER_TYPE_KERNEL))
			return 1;
	printf("pid %d: recorded %ld DRAM, %ld L1, %ld CB and %ld kernel buffers on card %d\n",
	       getpid(), dram, l1, cb, kernel, card);
	fflush(stdout);
	sleep(secs);

	/* free half of the DRAM buffers, leave the rest to the driver */
	for (i = 0; i < dram / 2; i++)
		if (untrack(fd, 0x800000000ULL + ((uint64_t)i << 20)))
			return 1;
	print_stats(fd, card, "before exit");
	printf("pid %d: exiting with %ld buffers still recorded\n", getpid(),
	       dram - dram / 2 + l1 + cb + kernel);
	return 0;
}
