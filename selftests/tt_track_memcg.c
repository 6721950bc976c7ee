// SPDX-License-Identifier: GPL-2.0-only
/*
 * Record memory is charged to the caller's memory cgroup: what is charged
 * to it grows with the records it holds, and under a memory.max limit
 * TRACK_ALLOC fails with ENOMEM (nothing half-recorded, totals exact)
 * instead of the kernel running short. Needs root and a
 * cgroup2 hierarchy with the memory controller at /sys/fs/cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_track_helpers.h"

#define CG_ROOT	"/sys/fs/cgroup"
#define CG	CG_ROOT "/tt_track_memcg"

/*
 * In a child moved into a cgroup limited to 4 MiB (times TT_TEST_SCALE: a
 * debug kernel takes some 25 s to fill that with about 57000 records and
 * release them), record DRAM buffers until TRACK_ALLOC fails; the child
 * reports through its exit status:
 * 0 = failed with ENOMEM after some records with exact totals. At the
 * limit, any page the child faults in would wake the OOM killer, so it
 * touches nothing new: no stdio, only ioctls on structs already in use.
 */
static int child(int fd)
{
	stats_t q;
	struct tenstorrent_track_alloc a;
	char pid[32];
	uint64_t n;

	/* break copy-on-write sharing with the parent before the limit */
	if (query(fd, &q))	/* also faults in query()'s stack frame */
		return 16;
	memset(&a, 0, sizeof(a));
	errno = 0;
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write_text(CG "/cgroup.procs", pid))
		return 10;

	for (n = 0; n < 10000000; n++) {
		memset(&a, 0, sizeof(a));
		a.in.buffer_id = 0x800000000ULL + (n << 20);
		a.in.size = 64;	/* a million would not fill the card's DRAM */
		a.in.buffer_type = TT_BUFFER_TYPE_DRAM;
		if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a))
			break;
	}
	if (n == 10000000)
		return 11;	/* never limited: not charged */
	if (errno != ENOMEM)
		return 12;
	if (n < 1000)
		return 13;	/* limited before any real use */
	if (query(fd, &q))
		return 14;
	if (q.file.dram_buffers != n || q.file.dram_allocated != n * 64)
		return 15;
	return 0;
}

TEST(alloc_fails_with_enomem_under_memcg_limit)
{
	stats_t before, after;
	char limit[32];
	int fd, status;
	pid_t pid;

	fd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "no /dev/tenstorrent/0");
	if (access(CG_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no writable cgroup2 hierarchy at " CG_ROOT);
	if (write_text(CG_ROOT "/cgroup.subtree_control", "+memory"))
		SKIP(return, "memory controller unavailable");
	rmdir(CG);
	ASSERT_EQ(0, mkdir(CG, 0755));
	snprintf(limit, sizeof(limit), "%lu\n", scaled(4 << 20) & ~4095UL);
	ASSERT_EQ(0, write_text(CG "/memory.max", limit));
	ASSERT_EQ(0, query(fd, &before));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* a file of the child's own, so its records are its own */
		int cfd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);

		_exit(cfd < 0 ? 9 : child(cfd));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status)) {
		TH_LOG("child killed by signal %d (OOM?)", WTERMSIG(status));
	}
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* the child's file is gone: the card is back where it was */
	ASSERT_EQ(0, query(fd, &after));
	EXPECT_EQ(before.dram_allocated, after.dram_allocated);
	EXPECT_EQ(before.dram_buffers, after.dram_buffers);
	EXPECT_EQ(0, rmdir(CG));
	close(fd);
}

/*
 * The memory charged to the cgroup (memory.current), or -1. Not
 * memory.stat's "slab": that is flushed lazily, and which allocations it
 * counts changes between kernels (large kmalloc and vmalloc, which the
 * record table takes as it grows, are not slab on every one).
 */
static long long cg_current(void)
{
	long long v = -1;
	FILE *f = fopen(CG "/memory.current", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * The records of a process, and the table that finds them, are charged
 * to its memory cgroup: what is charged grows by at least that much while
 * it holds them and shrinks again when its file is released.
 */
TEST(records_are_charged_to_the_cgroup)
{
	const uint64_t N = scaled(50000);
	int ready[2], go[2], fd, status;
	const long long slack = 64LL * sysconf(_SC_PAGESIZE) *
				sysconf(_SC_NPROCESSORS_CONF);
	long long base, held, gone;
	char pid_s[32], c;
	pid_t pid;

	fd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "no /dev/tenstorrent/0");
	if (access(CG_ROOT "/cgroup.subtree_control", W_OK) ||
	    write_text(CG_ROOT "/cgroup.subtree_control", "+memory"))
		SKIP(return, "no memory controller at " CG_ROOT);
	rmdir(CG);
	ASSERT_EQ(0, mkdir(CG, 0755));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	close(fd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct tenstorrent_track_alloc a;
		uint64_t n;

		/* wait to be moved, then record N buffers in a file of its
		 * own and hold them
		 */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		fd = open_card(0);
		if (fd < 0)
			_exit(4);
		for (n = 0; n < N; n++) {
			memset(&a, 0, sizeof(a));
			a.in.buffer_id = 0x10000 + (n << 6);
			a.in.size = 64;
			a.in.buffer_type = TT_BUFFER_TYPE_L1;
			if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a))
				_exit(2);
		}
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}
	snprintf(pid_s, sizeof(pid_s), "%d\n", pid);
	ASSERT_EQ(0, write_text(CG "/cgroup.procs", pid_s));
	base = cg_current();
	ASSERT_LE(0, base);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	held = cg_current();
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	gone = cg_current();

	TH_LOG("cgroup memory: %lld B before, %lld B holding %llu records (%.1f B each), %lld B after",
	       base, held, (unsigned long long)N, (double)(held - base) / N, gone);
	/*
	 * At least a record's 32 B each, and the table too: at most two
	 * records per 8-byte bucket. memory.current moves in batches of
	 * charges each CPU keeps ahead (64 pages, MEMCG_CHARGE_BATCH): what
	 * one reading shows can be that much off either way.
	 */
	EXPECT_LE(base + (long long)(N * 32 + N / 2 * 8) - slack, held);
	EXPECT_GE(base + (long long)N * 128 + slack, held); /* nothing absurd */
	EXPECT_GE(held - (long long)N * 32 + slack, gone);	/* given back */
	EXPECT_EQ(0, rmdir(CG));
}

TEST_HARNESS_MAIN
