// SPDX-License-Identifier: GPL-2.0-only
/*
 * libttkmd against the real driver: open by index and path, track, free,
 * query and sysfs agree, batches, the buffered tracker's flush and
 * visibility, tracking detection and the proposal's migration probe done
 * right. Linked statically against lib/'s libttkmd.a.
 *
 * Expects the module loaded with at least one card; skips otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ttkmd.h"
#include "tt_track_helpers.h"

#define DRAM	TT_BUFFER_TYPE_DRAM
#define L1	TT_BUFFER_TYPE_L1
#define SYSFS0	"/sys/class/tenstorrent/tenstorrent!0/"

/* A number from card 0's sysfs directory; -1 when unreadable. */
static long long sysfs_u64(const char *attr)
{
	char path[128];

	snprintf(path, sizeof(path), SYSFS0 "%s", attr);
	return read_number(path);
}

/*
 * The proposal's migration probe, AllocationTracker::is_kernel_available(),
 * corrected: the proposal compared ioctl()'s return value with -ENOTTY, which
 * it never is (ioctl() returns -1 and sets errno), so it said "available"
 * on any file. The library asks GET_TRACKING_INFO, records nothing, and
 * also treats tt-kmd's EINVAL for unknown ioctls as "not available".
 */
static bool is_kernel_available(ttkmd_dev_t *dev)
{
	static int available = -1;

	if (available == -1)
		available = tt_alloc_tracking_available(dev) > 0;
	return available == 1;
}

FIXTURE(lib) {
	ttkmd_dev_t *dev;
};

FIXTURE_SETUP(lib)
{
	int ret = ttkmd_open(0, 0, &self->dev);

	if (ret)
		SETUP_SKIP("no card 0: %s", tt_strerror(ret));
}

FIXTURE_TEARDOWN(lib)
{
	ttkmd_close(self->dev);
}

TEST_F(lib, open_by_index_path_and_list)
{
	ttkmd_dev_t *byp = NULL;
	tt_alloc_stats_t st;
	int idx[16], n, fd;

	n = ttkmd_list(idx, 16);
	ASSERT_GE(n, 1);
	EXPECT_EQ(0, idx[0]);
	EXPECT_EQ(n, ttkmd_list(NULL, 0));
	fd = ttkmd_fd(self->dev);
	ASSERT_GE(fd, 0);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, ttkmd_open_path("/dev/tenstorrent/0", 0, &byp));
	ASSERT_EQ(0, tt_query_stats(byp, &st));
	EXPECT_GE(st.open_files, 2);
	ttkmd_close(byp);
	EXPECT_EQ(-ENOENT, ttkmd_open(4096, 0, &byp));
}

TEST_F(lib, tracking_available_and_info)
{
	struct tenstorrent_tracking_info_out info;
	ttkmd_dev_t *null;

	EXPECT_EQ(1, tt_alloc_tracking_available(self->dev));
	ASSERT_EQ(0, tt_get_tracking_info(self->dev, &info));
	EXPECT_EQ(TENSTORRENT_TRACK_ABI_VERSION, info.abi_version);
	EXPECT_EQ(TENSTORRENT_TRACK_BATCH_MAX, info.batch_max);
	EXPECT_EQ(0x1f, info.buffer_types & 0x1f);
	ASSERT_EQ(0, ttkmd_open_path("/dev/null", 0, &null));
	EXPECT_EQ(0, tt_alloc_tracking_available(null));
	ttkmd_close(null);
}

TEST_F(lib, proposal_migration_probe_corrected)
{
	tt_alloc_stats_t before, after;

	ASSERT_EQ(0, tt_query_stats(self->dev, &before));
	EXPECT_TRUE(is_kernel_available(self->dev));
	ASSERT_EQ(0, tt_query_stats(self->dev, &after));
	/* probing created no record */
	EXPECT_EQ(0, memcmp(&before.file, &after.file, sizeof(before.file)));
	/* and id 0, which the proposal's probe used, is free for a real buffer */
	EXPECT_EQ(0, tt_track_allocation(self->dev, 0, 64, L1));
}

TEST_F(lib, track_free_query_sysfs_agree)
{
	tt_alloc_stats_t st0, st;

	ASSERT_EQ(0, tt_query_stats(self->dev, &st0));
	EXPECT_EQ((long long)st0.allocated[DRAM], sysfs_u64("dram_allocated"));

	ASSERT_EQ(0, tt_track_allocation(self->dev, 0x800000000, MiB, DRAM));
	ASSERT_EQ(0, tt_track_allocation(self->dev, 0x1000, 4096, L1));
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(st0.allocated[DRAM] + MiB, st.allocated[DRAM]);
	EXPECT_EQ(st0.allocated[L1] + 4096, st.allocated[L1]);
	EXPECT_EQ(MiB, st.file.allocated[DRAM]);
	EXPECT_EQ(4096, st.file.allocated[L1]);
	EXPECT_EQ(1, st.file.buffers[DRAM]);
	EXPECT_EQ((long long)st.allocated[DRAM], sysfs_u64("dram_allocated"));
	EXPECT_EQ((long long)st.allocated[L1], sysfs_u64("l1_allocated"));

	/* a record is (type, id): 0x1000 is taken in L1 */
	EXPECT_EQ(-EEXIST, tt_track_allocation(self->dev, 0x1000, 1, L1));
	EXPECT_EQ(-EINVAL, tt_track_allocation(self->dev, 0x2000, 0, DRAM));
	EXPECT_EQ(-ENOENT, tt_track_free(self->dev, 0x2000));

	ASSERT_EQ(0, tt_track_free(self->dev, 0x800000000));
	ASSERT_EQ(0, tt_track_free(self->dev, 0x1000));
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(st0.allocated[DRAM], st.allocated[DRAM]);
	EXPECT_EQ(0, st.file.allocated[DRAM]);
	EXPECT_EQ(0, st.file.allocated[L1]);
	EXPECT_EQ(MiB, st.file.peak[DRAM]);
	EXPECT_EQ((long long)st.allocated[DRAM], sysfs_u64("dram_allocated"));
}

/* tt-metal's habits: overlapping addresses, repeated reports, a mesh */
TEST_F(lib, types_references_and_mesh)
{
	tt_alloc_stats_t st;
	ttkmd_dev_t *other = NULL, *devs[2];
	size_t done = 0;

	ASSERT_EQ(0, tt_track_allocation(self->dev, 0x100000, 4096, DRAM));
	ASSERT_EQ(0, tt_track_allocation(self->dev, 0x100000, 64, L1));
	EXPECT_EQ(-ENOTUNIQ, tt_track_free(self->dev, 0x100000));
	EXPECT_EQ(0, tt_track_free_typed(self->dev, 0x100000, L1));
	EXPECT_EQ(0, tt_track_free(self->dev, 0x100000));

	ASSERT_EQ(0, tt_track_allocation_flags(self->dev, 0x200000, 32,
					       TT_BUFFER_TYPE_CB,
					       TENSTORRENT_TRACK_REF));
	ASSERT_EQ(0, tt_track_allocation_flags(self->dev, 0x200000, 32,
					       TT_BUFFER_TYPE_CB,
					       TENSTORRENT_TRACK_REF));
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(32, st.file.cb_allocated);
	EXPECT_EQ(0, tt_track_free_typed(self->dev, 0x200000, TT_BUFFER_TYPE_CB));
	EXPECT_EQ(0, tt_track_free_typed(self->dev, 0x200000, TT_BUFFER_TYPE_CB));
	EXPECT_EQ(-ENOENT, tt_track_free(self->dev, 0x200000));

	if (ttkmd_open(1, 0, &other))
		SKIP(return, "no card 1");
	devs[0] = self->dev;
	devs[1] = other;
	ASSERT_EQ(0, tt_track_mesh(devs, 2, tt_op_alloc(0x300000, MiB, DRAM),
				   &done));
	EXPECT_EQ(2, done);
	ASSERT_EQ(0, tt_query_stats(other, &st));
	EXPECT_EQ(MiB, st.file.dram_allocated);
	EXPECT_EQ(0, tt_track_mesh(devs, 2, tt_op_free(0x300000), &done));
	ASSERT_EQ(0, tt_query_stats(other, &st));
	EXPECT_EQ(0, st.file.dram_buffers);
	ttkmd_close(other);
}

TEST_F(lib, close_drops_records)
{
	tt_alloc_stats_t st0, st;
	ttkmd_dev_t *other;

	ASSERT_EQ(0, ttkmd_open(0, TTKMD_OPEN_RDONLY, &other));
	ASSERT_EQ(0, tt_query_stats(other, &st0));
	ASSERT_EQ(0, tt_track_allocation(self->dev, 1, 3 * MiB, DRAM));
	ASSERT_EQ(0, tt_query_stats(other, &st));
	EXPECT_EQ(st0.allocated[DRAM] + 3 * MiB, st.allocated[DRAM]);
	EXPECT_EQ(0, st.file.allocated[DRAM]);
	ttkmd_close(self->dev);
	self->dev = NULL;
	ASSERT_EQ(0, tt_query_stats(other, &st));
	EXPECT_EQ(st0.allocated[DRAM], st.allocated[DRAM]);
	EXPECT_EQ(st0.allocated[DRAM], sysfs_u64("dram_allocated"));
	ttkmd_close(other);
}

/*
 * A monitor opens read-only: it reads the card's totals and records
 * nothing; the library refuses tracking on it with -EBADF as the driver
 * does, also for a read-only descriptor the runtime hands over.
 */
TEST_F(lib, read_only_handle_queries_but_does_not_track)
{
	struct tenstorrent_tracking_info_out info;
	tt_track_op_t op = tt_op_alloc(0x300, 64, DRAM);
	tt_alloc_stats_t st0, st;
	ttkmd_dev_t *ro, *wrapped;
	tt_tracker_t *t;
	int fd;

	ASSERT_EQ(0, ttkmd_open(0, TTKMD_OPEN_RDONLY, &ro));
	EXPECT_EQ(O_RDONLY, fcntl(ttkmd_fd(ro), F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, tt_query_stats(ro, &st0));
	EXPECT_EQ(1, tt_alloc_tracking_available(ro));
	EXPECT_EQ(0, tt_get_tracking_info(ro, &info));
	EXPECT_EQ(-EBADF, tt_track_allocation(ro, 0x300, 64, DRAM));
	EXPECT_EQ(-EBADF, tt_track_free(ro, 0x300));
	EXPECT_EQ(-EBADF, tt_track_batch(ro, &op, 1, NULL));
	EXPECT_EQ(-EBADF, tt_tracker_create(ro, 0, &t));
	ASSERT_EQ(0, tt_query_stats(ro, &st));
	EXPECT_EQ(st0.allocated[DRAM], st.allocated[DRAM]);
	EXPECT_EQ(0, st.file.buffers[DRAM]);

	/* what the writer records, the reader sees */
	ASSERT_EQ(0, tt_track_allocation(self->dev, 0x300, 64, DRAM));
	ASSERT_EQ(0, tt_query_stats(ro, &st));
	EXPECT_EQ(st0.allocated[DRAM] + 64, st.allocated[DRAM]);
	ttkmd_close(ro);

	fd = open("/dev/tenstorrent/0", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ttkmd_open_fd(fd, &wrapped));
	EXPECT_EQ(-EBADF, tt_track_allocation(wrapped, 0x301, 64, DRAM));
	EXPECT_EQ(0, tt_query_stats(wrapped, &st));
	ttkmd_close(wrapped);
	close(fd);
}

TEST_F(lib, card_stats_opens_read_only)
{
	tt_alloc_stats_t mine, st;

	ASSERT_EQ(0, tt_track_allocation(self->dev, 0x310, 4096, DRAM));
	ASSERT_EQ(0, tt_query_stats(self->dev, &mine));
	ASSERT_EQ(0, tt_query_card_stats(0, &st));
	EXPECT_EQ((long long)st.allocated[DRAM], sysfs_u64("dram_allocated"));
	EXPECT_EQ(mine.allocated[DRAM], st.allocated[DRAM]);
	EXPECT_EQ(mine.buffers[DRAM], st.buffers[DRAM]);
	/* its own open file is read-only and records nothing */
	EXPECT_EQ(0, st.file.allocated[DRAM]);
	EXPECT_EQ(0, st.file.buffers[DRAM]);
	/* the driver counts a read-only open, while it lasts */
	EXPECT_EQ(mine.open_files + 1, st.open_files);
	EXPECT_EQ((long long)mine.open_files, sysfs_u64("open_files"));
	EXPECT_EQ(-ENOENT, tt_query_card_stats(4096, &st));
	EXPECT_EQ(-EINVAL, tt_query_card_stats(0, NULL));
}

TEST_F(lib, list_cards_matches_sysfs)
{
	tt_card_info_t cards[16];
	char type[64] = "";
	FILE *f;
	int n, idx[16];

	n = tt_list_cards(cards, 16);
	ASSERT_GE(n, 1);
	EXPECT_EQ(n, ttkmd_list(idx, 16));
	EXPECT_EQ(n, tt_list_cards(NULL, 0));
	EXPECT_EQ(0, cards[0].index);
	EXPECT_EQ(sizeof(tt_card_info_t), cards[0].size);
	EXPECT_EQ(sysfs_u64("dram_total"), (long long)cards[0].dram_total);
	EXPECT_EQ(sysfs_u64("l1_total"), (long long)cards[0].l1_total);
	EXPECT_EQ(sysfs_u64("system_memory_total"),
		  (long long)cards[0].system_memory_total);
	f = fopen(SYSFS0 "card_type", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(type, sizeof(type), f));
	fclose(f);
	type[strcspn(type, "\n")] = '\0';
	EXPECT_STREQ(type, cards[0].card_type);
	if (n > 1)
		EXPECT_LT(cards[0].index, cards[1].index);
}

TEST_F(lib, open_fd_shares_the_open_file)
{
	tt_alloc_stats_t st;
	ttkmd_dev_t *dup;

	ASSERT_EQ(0, ttkmd_open_fd(ttkmd_fd(self->dev), &dup));
	ASSERT_EQ(0, tt_track_allocation(dup, 7, 100, DRAM));
	ttkmd_close(dup);
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(100, st.file.allocated[DRAM]);
	EXPECT_EQ(0, tt_track_free(self->dev, 7));
}

TEST_F(lib, batch)
{
	tt_track_op_t ops[10];
	tt_alloc_stats_t st;
	size_t done;
	int i;

	for (i = 0; i < 8; i++)
		ops[i] = tt_op_alloc(0x100 + i, 1000, i % 2 ? L1 : DRAM);
	ops[8] = tt_op_free(0x100);
	ops[9] = tt_op_free(0x101);
	ASSERT_EQ(0, tt_track_batch(self->dev, ops, 10, &done));
	EXPECT_EQ(10, done);
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(3000, st.file.allocated[DRAM]);
	EXPECT_EQ(3000, st.file.allocated[L1]);
	EXPECT_EQ(3, st.file.buffers[DRAM]);

	/* stops at the first failure: 0x200 applied, 0x102 (live) refused */
	ops[0] = tt_op_alloc(0x200, 5, DRAM);
	ops[1] = tt_op_alloc(0x102, 5, DRAM);
	ops[2] = tt_op_alloc(0x201, 5, DRAM);
	EXPECT_EQ(-EEXIST, tt_track_batch(self->dev, ops, 3, &done));
	EXPECT_EQ(1, done);
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(3005, st.file.allocated[DRAM]);
	EXPECT_EQ((long long)st.allocated[DRAM], sysfs_u64("dram_allocated"));
}

TEST_F(lib, batch_larger_than_driver_max)
{
	size_t n = TENSTORRENT_TRACK_BATCH_MAX + 904, i, done;
	tt_track_op_t *ops = calloc(n, sizeof(*ops));
	tt_alloc_stats_t st;

	ASSERT_NE(NULL, ops);
	for (i = 0; i < n; i++)
		ops[i] = tt_op_alloc(i, 1, L1);
	EXPECT_EQ(0, tt_track_batch(self->dev, ops, n, &done));
	EXPECT_EQ(n, done);
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(n, st.file.buffers[L1]);
	free(ops);
}

TEST_F(lib, tracker_flush_and_visibility)
{
	tt_alloc_stats_t st0, st;
	tt_track_op_t failed;
	tt_tracker_t *t;
	int i;

	ASSERT_EQ(0, tt_query_stats(self->dev, &st0));
	ASSERT_EQ(0, tt_tracker_create(self->dev, 8, &t));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, tt_tracker_alloc(t, i, MiB, DRAM));
	/* queued only: neither QUERY nor sysfs shows them */
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(0, st.file.buffers[DRAM]);
	EXPECT_EQ((long long)st0.allocated[DRAM], sysfs_u64("dram_allocated"));
	EXPECT_EQ(5, tt_tracker_pending(t));

	ASSERT_EQ(0, tt_tracker_flush(t));
	EXPECT_EQ(0, tt_tracker_pending(t));
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(5, st.file.buffers[DRAM]);
	EXPECT_EQ(st0.allocated[DRAM] + 5 * MiB, st.allocated[DRAM]);
	EXPECT_EQ((long long)st.allocated[DRAM], sysfs_u64("dram_allocated"));

	/* a full queue flushes itself: 9 ops with room for 8 */
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, tt_tracker_free(t, i));
	for (i = 10; i < 14; i++)
		ASSERT_EQ(0, tt_tracker_alloc(t, i, 1, L1));
	EXPECT_EQ(1, tt_tracker_pending(t));
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(0, st.file.buffers[DRAM]);
	EXPECT_EQ(3, st.file.buffers[L1]);

	/* a failing op is reported at the flush, dropped, the rest kept */
	ASSERT_EQ(0, tt_tracker_free(t, 99));
	ASSERT_EQ(0, tt_tracker_free(t, 10));
	EXPECT_EQ(-ENOENT, tt_tracker_flush_failed(t, &failed));
	EXPECT_EQ(99, failed.buffer_id);
	EXPECT_EQ(1, tt_tracker_pending(t));
	EXPECT_EQ(0, tt_tracker_destroy(t));	/* flushes the last */
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(3, st.file.buffers[L1]);
}

/*
 * A tracker holds its own reference on the handle: closed first, the
 * handle's open file stays until the tracker is destroyed, flushes reach
 * it, and the driver drops its records when the tracker lets it go.
 */
TEST_F(lib, tracker_outlives_its_handle)
{
	tt_alloc_stats_t st0, st;
	ttkmd_dev_t *mon;
	tt_tracker_t *t;

	ASSERT_EQ(0, ttkmd_open(0, TTKMD_OPEN_RDONLY, &mon));
	ASSERT_EQ(0, tt_query_stats(mon, &st0));
	ASSERT_EQ(0, tt_tracker_create(self->dev, 4, &t));
	ASSERT_EQ(0, tt_tracker_alloc(t, 0x400, MiB, DRAM));
	ttkmd_close(self->dev);
	self->dev = NULL;
	ASSERT_EQ(0, tt_tracker_flush(t));
	ASSERT_EQ(0, tt_query_stats(mon, &st));
	EXPECT_EQ(st0.allocated[DRAM] + MiB, st.allocated[DRAM]);
	EXPECT_EQ(st0.open_files, st.open_files);
	EXPECT_EQ(0, tt_tracker_destroy(t));
	ASSERT_EQ(0, tt_query_stats(mon, &st));
	EXPECT_EQ(st0.allocated[DRAM], st.allocated[DRAM]);
	EXPECT_EQ(st0.open_files - 1, st.open_files);
	ttkmd_close(mon);
}

#define THREADS		4
#define PER_THREAD	500

struct worker {
	tt_tracker_t *t;
	int me;
	int err;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < PER_THREAD && !w->err; i++)
		w->err = tt_tracker_alloc(w->t, (uint64_t)w->me << 32 | i, 2, L1);
	return NULL;
}

TEST_F(lib, tracker_shared_by_threads)
{
	struct worker w[THREADS];
	pthread_t th[THREADS];
	tt_alloc_stats_t st;
	tt_tracker_t *t;
	int i;

	ASSERT_EQ(0, tt_tracker_create(self->dev, 64, &t));
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .t = t, .me = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, worker_run, &w[i]));
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, w[i].err);
	}
	EXPECT_EQ(0, tt_tracker_destroy(t));
	ASSERT_EQ(0, tt_query_stats(self->dev, &st));
	EXPECT_EQ(THREADS * PER_THREAD, st.file.buffers[L1]);
	EXPECT_EQ(2 * THREADS * PER_THREAD, st.file.allocated[L1]);
}

/*
 * A card removed under an open handle: every call says -ENODEV (with a
 * message), closing still works. A simulated card is added for this and
 * removed through the driver's debugfs knobs.
 */
TEST(removed_card_gives_enodev)
{
	int before[64], after[64], n0, n1, i, j, card = -1;
	char num[16], link[128], target[256];
	tt_alloc_stats_t st;
	ttkmd_dev_t *dev;
	ssize_t len;

	if (access("/sys/kernel/debug/tenstorrent/sim/new_card", W_OK))
		SKIP(return, "needs root and the sim debugfs knobs");
	n0 = ttkmd_list(before, 64);
	ASSERT_EQ(0, write_text("/sys/kernel/debug/tenstorrent/sim/new_card", "0"));
	n1 = ttkmd_list(after, 64);
	ASSERT_EQ(n0 + 1, n1);
	for (i = 0; i < n1 && card < 0; i++) {
		for (j = 0; j < n0 && before[j] != after[i]; j++)
			;
		if (j == n0)
			card = after[i];
	}
	ASSERT_LE(0, card);

	ASSERT_EQ(0, ttkmd_open(card, 0, &dev));
	ASSERT_EQ(0, tt_track_allocation(dev, 0x800000000ULL, MiB, DRAM));
	/* del_card takes the simulated card's own number: its parent ttsimN */
	snprintf(link, sizeof(link), "/sys/class/tenstorrent/tenstorrent!%d/device",
		 card);
	len = readlink(link, target, sizeof(target) - 1);
	ASSERT_LT(0, len);
	target[len] = '\0';
	ASSERT_EQ(0, strncmp(strrchr(target, '/'), "/ttsim", 6));
	snprintf(num, sizeof(num), "%s", strrchr(target, '/') + 6);
	ASSERT_EQ(0, write_text("/sys/kernel/debug/tenstorrent/sim/del_card", num)) {
		TH_LOG("del_card %s", num);
	}

	EXPECT_EQ(-ENODEV, tt_track_allocation(dev, 0x800100000ULL, MiB, DRAM));
	EXPECT_EQ(-ENODEV, tt_track_free(dev, 0x800000000ULL));
	EXPECT_EQ(-ENODEV, tt_query_stats(dev, &st));
	EXPECT_NE(NULL, strstr(tt_strerror(-ENODEV), "remov")) {
		TH_LOG("tt_strerror(-ENODEV) = %s", tt_strerror(-ENODEV));
	}
	ttkmd_close(dev);
	EXPECT_EQ(n0, ttkmd_list(NULL, 0));
}

TEST_HARNESS_MAIN
