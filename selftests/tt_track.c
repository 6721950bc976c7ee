// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation tracking ioctls of the tenstorrent driver, one open file at a
 * time: TRACK_ALLOC, TRACK_FREE, QUERY_ALLOC_STATS, TRACK_BATCH and
 * GET_TRACKING_INFO as uapi/tenstorrent_track.h specifies them. Every
 * success path is checked through the totals QUERY_ALLOC_STATS reports; every
 * error test passes one bad argument with everything else valid and checks
 * that neither the file's nor the card's totals moved.
 *
 * Expects the module loaded with at least one card (`modprobe tenstorrent
 * sim_cards=2`) and skips without one. Tests that change the max_records
 * parameter or bind a PCI device need root and skip without it; the PCI
 * test needs qemu's edu device (-device edu).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tt_track_helpers.h"

#define CLASS_DIR		"/sys/class/tenstorrent"
#define MAX_RECORDS_PARAM	"/sys/module/tenstorrent/parameters/max_records"
#define PCI_DEVICES		"/sys/bus/pci/devices"
#define PCI_DRIVER		"/sys/bus/pci/drivers/tenstorrent"

#define ALL_TYPES	((1U << TT_BUFFER_TYPE_COUNT) - 1)

/* The ioctl number for command @cmd with the struct size set to @size */
static unsigned long sized_cmd(unsigned long cmd, size_t size)
{
	return _IOC(_IOC_READ | _IOC_WRITE, TENSTORRENT_TRACK_IOCTL_MAGIC,
		    _IOC_NR(cmd), size);
}

static int get_info(int fd, struct tenstorrent_tracking_info_out *out)
{
	struct tenstorrent_tracking_info arg = { 0 };
	int ret = tt_ioctl(fd, TENSTORRENT_IOCTL_GET_TRACKING_INFO, &arg);

	if (out)
		*out = arg.out;
	return ret;
}

static int track_batch(int fd, const struct tenstorrent_track_op *ops,
		       __u32 count, __u32 *processed)
{
	struct tenstorrent_track_batch arg = {
		.in = { .ops = (uintptr_t)ops, .count = count },
	};
	int ret = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg);

	if (processed)
		*processed = arg.out.processed;
	return ret;
}

static struct tenstorrent_track_op op_alloc(__u64 id, __u64 size, __u32 type)
{
	return (struct tenstorrent_track_op){
		.buffer_id = id, .size = size, .buffer_type = type,
		.op = TENSTORRENT_TRACK_OP_ALLOC,
	};
}

static struct tenstorrent_track_op op_free(__u64 id)
{
	return (struct tenstorrent_track_op){
		.buffer_id = id, .op = TENSTORRENT_TRACK_OP_FREE,
	};
}

static int write_number(const char *path, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return write_text(path, buf);
}

/* Peaks after one operation: the old peak, or the new total if higher. */
static void expect_peaks_follow(struct __test_metadata *_metadata,
				const stats_t *before, const stats_t *after)
{
	int t;

	for (t = 0; t < TENSTORRENT_BUFFER_TYPE_MAX; t++) {
		__u64 dev = before->peak[t] > after->allocated[t] ?
			    before->peak[t] : after->allocated[t];
		__u64 file = before->file.peak[t] > after->file.allocated[t] ?
			     before->file.peak[t] : after->file.allocated[t];

		EXPECT_EQ(dev, after->peak[t]) {
			TH_LOG("device peak[%d]", t);
		}
		EXPECT_EQ(file, after->file.peak[t]) {
			TH_LOG("file peak[%d]", t);
		}
	}
}

/* A few records the error tests hold while they try their bad argument */
static const struct {
	__u64 id, size;
	__u32 type;
} background[] = {
	{ 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM },
	{ 0x10020, 2048, TT_BUFFER_TYPE_L1 },
	{ 0x40000, 8192, TT_BUFFER_TYPE_TRACE },
};

static void add_background(struct __test_metadata *_metadata, int fd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(background); i++) {
		ASSERT_EQ(0, track_alloc(fd, background[i].id,
					 background[i].size,
					 background[i].type));
	}
}

FIXTURE(track) {
	int fd;
	struct tenstorrent_tracking_info_out info;
	long long saved_max_records;	/* restored by teardown when >= 0 */
};

FIXTURE_SETUP(track)
{
	self->saved_max_records = -1;
	self->fd = open_card(0);
	if (self->fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
	ASSERT_EQ(0, get_info(self->fd, &self->info));
}

FIXTURE_TEARDOWN(track)
{
	if (self->saved_max_records >= 0)
		write_number(MAX_RECORDS_PARAM, self->saved_max_records);
	close(self->fd);
}

/* Set max_records for the rest of the test: 0 or -errno. */
static int set_max_records(FIXTURE_DATA(track) *self, long long v)
{
	if (self->saved_max_records < 0) {
		self->saved_max_records = read_number(MAX_RECORDS_PARAM);
		if (self->saved_max_records < 0)
			return -ENOENT;
	}
	return write_number(MAX_RECORDS_PARAM, v);
}

/* Make room for n records in one file: 0 or -errno. */
static int ensure_max_records(FIXTURE_DATA(track) *self, long long n)
{
	if ((long long)self->info.max_records >= n)
		return 0;
	return set_max_records(self, n);
}

#define NEED_MAX_RECORDS(n) do {					\
	int __ret = ensure_max_records(self, n);			\
	if (__ret)							\
		SKIP(return, "max_records %llu < %d and cannot raise it: %s", \
		     (unsigned long long)self->info.max_records, n,	\
		     strerror(-__ret));					\
} while (0)

/* ---- GET_TRACKING_INFO ---- */

TEST_F(track, info_reports_capabilities)
{
	long long param = read_number(MAX_RECORDS_PARAM);

	EXPECT_EQ(TENSTORRENT_TRACK_ABI_VERSION, self->info.abi_version);
	EXPECT_EQ(ALL_TYPES, self->info.buffer_types);
	EXPECT_EQ(TENSTORRENT_TRACK_REF, self->info.alloc_flags);
	EXPECT_EQ(TENSTORRENT_TRACK_TYPED, self->info.free_flags);
	EXPECT_EQ(TENSTORRENT_TRACK_REF | TENSTORRENT_TRACK_TYPED |
		  TENSTORRENT_TRACK_TARGET, self->info.op_flags);
	EXPECT_EQ(sizeof(struct tenstorrent_track_op), self->info.op_size);
	EXPECT_EQ(0U, self->info.reserved);
	EXPECT_EQ(TENSTORRENT_TRACK_BATCH_MAX, self->info.batch_max);
	ASSERT_LE(0, param) {
		TH_LOG("cannot read " MAX_RECORDS_PARAM);
	}
	EXPECT_EQ((__u64)param, self->info.max_records);
	EXPECT_LT(0ULL, self->info.max_records);
	/* the parameter, or with 0 there the default derived from RAM */
	param = read_number("/sys/module/tenstorrent/parameters/max_user_records");
	ASSERT_LE(0, param);
	if (param)
		EXPECT_EQ((__u64)param, self->info.max_user_records);
	EXPECT_LT(0ULL, self->info.max_user_records);
}

TEST_F(track, info_follows_max_records)
{
	struct tenstorrent_tracking_info_out info;
	int ret = set_max_records(self, 4);

	if (ret)
		SKIP(return, "cannot set max_records: %s", strerror(-ret));
	ASSERT_EQ(0, get_info(self->fd, &info));
	EXPECT_EQ(4ULL, info.max_records);
}

/* ---- TRACK_ALLOC ---- */

/* Each type adds to its own totals only, in the file and on the card. */
TEST_F(track, alloc_each_type_updates_totals)
{
	__u32 t;

	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++) {
		struct tenstorrent_track_alloc_out out;
		__u64 size = (t + 1) * 4096ULL;
		stats_t before, after;
		__u32 u;

		SNAPSHOT(self->fd, &before);
		ASSERT_EQ(0, track_alloc_out(self->fd, 0x1000 + t, size, t, &out));
		SNAPSHOT(self->fd, &after);

		EXPECT_EQ(size, out.file_allocated);
		EXPECT_EQ(before.allocated[t] + size, out.device_allocated);

		EXPECT_EQ(size, after.file.allocated[t]);
		EXPECT_EQ(1ULL, after.file.buffers[t]);
		EXPECT_EQ(size, after.file.peak[t]);
		EXPECT_EQ(before.allocated[t] + size, after.allocated[t]);
		EXPECT_EQ(before.buffers[t] + 1, after.buffers[t]);
		expect_peaks_follow(_metadata, &before, &after);

		for (u = 0; u < TENSTORRENT_BUFFER_TYPE_MAX; u++) {
			if (u == t)
				continue;
			EXPECT_EQ(before.allocated[u], after.allocated[u]);
			EXPECT_EQ(before.buffers[u], after.buffers[u]);
			EXPECT_EQ(before.file.allocated[u], after.file.allocated[u]);
			EXPECT_EQ(before.file.buffers[u], after.file.buffers[u]);
		}
	}
}

/* out.file_allocated counts this file; out.device_allocated all files. */
TEST_F(track, alloc_out_reports_file_and_device)
{
	struct tenstorrent_track_alloc_out out;
	stats_t before;
	int other = open_card(0);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, track_alloc(other, 0x900, 5000, TT_BUFFER_TYPE_L1_SMALL));
	SNAPSHOT(self->fd, &before);

	ASSERT_EQ(0, track_alloc_out(self->fd, 0x100, 1000,
				     TT_BUFFER_TYPE_L1_SMALL, &out));
	EXPECT_EQ(1000ULL, out.file_allocated);
	EXPECT_EQ(before.l1_small_allocated + 1000, out.device_allocated);

	ASSERT_EQ(0, track_alloc_out(self->fd, 0x200, 24,
				     TT_BUFFER_TYPE_L1_SMALL, &out));
	EXPECT_EQ(1024ULL, out.file_allocated);
	EXPECT_EQ(before.l1_small_allocated + 1024, out.device_allocated);
	close(other);
}

/* A freed buffer_id may be recorded again. */
TEST_F(track, alloc_id_reusable_after_free)
{
	struct tenstorrent_track_free_out fout;
	stats_t s;

	ASSERT_EQ(0, track_alloc(self->fd, 0x42, 100, TT_BUFFER_TYPE_DRAM));
	ASSERT_EQ(0, track_free(self->fd, 0x42));
	ASSERT_EQ(0, track_alloc(self->fd, 0x42, 300, TT_BUFFER_TYPE_L1));
	SNAPSHOT(self->fd, &s);
	EXPECT_EQ(0ULL, s.file.dram_allocated);
	EXPECT_EQ(300ULL, s.file.l1_allocated);
	ASSERT_EQ(0, track_free_out(self->fd, 0x42, &fout));
	EXPECT_EQ(300ULL, fout.size);
	EXPECT_EQ((__u32)TT_BUFFER_TYPE_L1, fout.buffer_type);
}

/*
 * The proposal's detection of kernel tracking: TRACK_ALLOC with a zeroed
 * struct must fail with EINVAL (zero size), not ENOTTY, and record nothing.
 */
TEST_F(track, alloc_zeroed_struct_einval_records_nothing)
{
	struct tenstorrent_track_alloc zeroed = { 0 };
	stats_t before, after;

	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-1, ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &zeroed));
	EXPECT_EQ(EINVAL, errno);
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
	/* and buffer_id 0 was not taken */
	EXPECT_EQ(-ENOENT, track_free(self->fd, 0));
}

/* ---- TRACK_FREE ---- */

TEST_F(track, free_returns_record_and_lowers_totals)
{
	__u32 t;

	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++) {
		ASSERT_EQ(0, track_alloc(self->fd, 0x5000 + t, 333 + t, t));
	}

	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++) {
		struct tenstorrent_track_free_out out;
		stats_t before, after;

		SNAPSHOT(self->fd, &before);
		ASSERT_EQ(0, track_free_out(self->fd, 0x5000 + t, &out));
		SNAPSHOT(self->fd, &after);

		EXPECT_EQ(333ULL + t, out.size);
		EXPECT_EQ(t, out.buffer_type);
		EXPECT_EQ(0U, out.refs);
		EXPECT_EQ(0ULL, after.file.allocated[t]);
		EXPECT_EQ(0ULL, after.file.buffers[t]);
		EXPECT_EQ(333ULL + t, after.file.peak[t]);
		EXPECT_EQ(before.allocated[t] - (333 + t), after.allocated[t]);
		EXPECT_EQ(before.buffers[t] - 1, after.buffers[t]);
		EXPECT_EQ(before.peak[t], after.peak[t]);
	}
}

/* dup() shares the open file, so its records. */
TEST_F(track, dup_fd_shares_records)
{
	int fd2 = dup(self->fd);
	stats_t s;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, track_alloc(self->fd, 0xd0, 64, TT_BUFFER_TYPE_L1));
	SNAPSHOT(fd2, &s);
	EXPECT_EQ(64ULL, s.file.l1_allocated);
	EXPECT_EQ(0, track_free(fd2, 0xd0));
	close(fd2);
}

/* ---- QUERY_ALLOC_STATS ---- */

TEST_F(track, query_stats_alias_and_reserved)
{
	struct tenstorrent_query_alloc_stats q;
	stats_t s;

	EXPECT_EQ(TENSTORRENT_IOCTL_QUERY_ALLOC_STATS,
		  TENSTORRENT_IOCTL_QUERY_STATS);
	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &s);

	memset(&q, 0, sizeof(q));
	ASSERT_EQ(0, tt_ioctl(self->fd, TENSTORRENT_IOCTL_QUERY_STATS, &q));
	expect_unchanged(_metadata, &s, &q.out);
	EXPECT_EQ(0U, q.out.reserved);
	EXPECT_LE(1U, q.out.open_files);
	/* the named fields are the array's */
	EXPECT_EQ(MiB, q.out.file.dram_allocated);
	EXPECT_EQ(2048ULL, q.out.file.l1_allocated);
	EXPECT_EQ(8192ULL, q.out.file.trace_allocated);
	EXPECT_EQ(1ULL, q.out.file.trace_buffers);
	/* types this version does not know stay 0 */
	EXPECT_EQ(0ULL, q.out.file.allocated[TT_BUFFER_TYPE_COUNT]);
	EXPECT_EQ(0ULL, q.out.allocated[TENSTORRENT_BUFFER_TYPE_MAX - 1]);
}

/* peak is the high-water mark of allocated, for the file and the card. */
TEST_F(track, peak_is_high_water_mark)
{
	const __u64 S = 1ULL << 20;	/* L1 holds MiB, not GiB */
	static const struct {
		bool alloc;
		__u64 id, size, file_allocated, file_peak;
	} steps[] = {
		{ true,  1, 3, 3, 3 },
		{ true,  2, 2, 5, 5 },
		{ false, 1, 0, 2, 5 },
		{ true,  3, 1, 3, 5 },
		{ true,  4, 4, 7, 7 },
		{ false, 2, 0, 5, 7 },
		{ false, 3, 0, 4, 7 },
		{ false, 4, 0, 0, 7 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		stats_t before, after;

		SNAPSHOT(self->fd, &before);
		if (steps[i].alloc) {
			ASSERT_EQ(0, track_alloc(self->fd, steps[i].id,
						 steps[i].size * S,
						 TT_BUFFER_TYPE_L1));
		} else {
			ASSERT_EQ(0, track_free(self->fd, steps[i].id));
		}
		SNAPSHOT(self->fd, &after);

		EXPECT_EQ(steps[i].file_allocated * S, after.file.l1_allocated) {
			TH_LOG("step %zu", i);
		}
		EXPECT_EQ(steps[i].file_peak * S, after.file.l1_peak) {
			TH_LOG("step %zu", i);
		}
		expect_peaks_follow(_metadata, &before, &after);
	}
}

/* open_files counts open files of the card, not descriptors. */
TEST_F(track, query_counts_open_files)
{
	stats_t s0, s;
	int a, b, c;

	SNAPSHOT(self->fd, &s0);
	a = open_card(0);
	b = open_card(0);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	SNAPSHOT(self->fd, &s);
	EXPECT_EQ(s0.open_files + 2, s.open_files);
	c = dup(a);
	ASSERT_LE(0, c);
	SNAPSHOT(self->fd, &s);
	EXPECT_EQ(s0.open_files + 2, s.open_files);
	close(a);
	close(c);
	SNAPSHOT(self->fd, &s);
	EXPECT_EQ(s0.open_files + 1, s.open_files);
	close(b);
	SNAPSHOT(self->fd, &s);
	EXPECT_EQ(s0.open_files, s.open_files);
}

/* A second open of the card is another file: its own records and totals. */
TEST_F(track, second_open_has_own_records)
{
	stats_t mine, theirs, before;
	int other = open_card(0);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, track_alloc(self->fd, 0x77, 100, TT_BUFFER_TYPE_DRAM));
	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, track_alloc(other, 0x88, 5000, TT_BUFFER_TYPE_DRAM));

	SNAPSHOT(self->fd, &mine);
	SNAPSHOT(other, &theirs);
	EXPECT_EQ(100ULL, mine.file.dram_allocated);
	EXPECT_EQ(1ULL, mine.file.dram_buffers);
	EXPECT_EQ(5000ULL, theirs.file.dram_allocated);
	EXPECT_EQ(1ULL, theirs.file.dram_buffers);
	EXPECT_EQ(before.dram_allocated + 5000, mine.dram_allocated);
	EXPECT_EQ(mine.dram_allocated, theirs.dram_allocated);
	EXPECT_EQ(mine.dram_buffers, theirs.dram_buffers);
	close(other);
}

/* buffer_id is unique per open file: two files may use the same one. */
TEST_F(track, same_id_in_two_files)
{
	struct tenstorrent_track_free_out out;
	stats_t before, s;
	int other = open_card(0);

	ASSERT_LE(0, other);
	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, 10, TT_BUFFER_TYPE_DRAM));
	ASSERT_EQ(0, track_alloc(other, 0x800000000ULL, 20, TT_BUFFER_TYPE_DRAM));
	SNAPSHOT(self->fd, &s);
	EXPECT_EQ(before.dram_buffers + 2, s.dram_buffers);
	EXPECT_EQ(before.dram_allocated + 30, s.dram_allocated);

	ASSERT_EQ(0, track_free_out(other, 0x800000000ULL, &out));
	EXPECT_EQ(20ULL, out.size);
	ASSERT_EQ(0, track_free_out(self->fd, 0x800000000ULL, &out));
	EXPECT_EQ(10ULL, out.size);
	close(other);
}

/* Closing a file drops its records from the card's totals. */
TEST_F(track, close_frees_records)
{
	stats_t before, during, after;
	int other = open_card(0);
	__u32 t;

	ASSERT_LE(0, other);
	SNAPSHOT(self->fd, &before);
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++) {
		ASSERT_EQ(0, track_alloc(other, 0xc000 + t, 4096 << t, t));
	}
	SNAPSHOT(self->fd, &during);
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++) {
		EXPECT_EQ(before.allocated[t] + (4096 << t), during.allocated[t]);
	}
	EXPECT_EQ(0, close(other));
	SNAPSHOT(self->fd, &after);
	expect_device_back(_metadata, &before, &after);
	EXPECT_EQ(before.open_files - 1, after.open_files);
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++) {
		EXPECT_EQ(during.peak[t], after.peak[t]);
	}
}

/* ---- buffer ids ---- */

/*
 * Ids at the ends of the range, DRAM addresses 0x800000000 + k MiB, 32-byte
 * aligned L1 addresses, and ids a compacting id-to-index map could fold onto
 * each other: all held at once, each keeps its own size and type.
 */
TEST_F(track, buffer_ids_extremes_round_trip)
{
	static const __u64 fixed[] = {
		0, 1, 2, 0x1f, 0x20, 0x21, 0x40, 0xfff, 0x1000,
		0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 0x100000001ULL, 0x100000020ULL,
		0x7fffffffffffffffULL, 1ULL << 63, (1ULL << 63) + 1,
		(1ULL << 63) + 0x20, UINT64_MAX - 0x20, UINT64_MAX - 1,
		UINT64_MAX, 0x800000000ULL >> 5, 0x800000000ULL >> 20,
		0x800000001ULL, 0x800000020ULL, 0x1800000000ULL,
		0x800000000ULL << 5, 0x800000000ULL << 20,
	};
	enum { N_DRAM = 64, N_L1 = 64, N = ARRAY_SIZE(fixed) + N_DRAM + N_L1 };
	static __u64 ids[N], sizes[N];
	static __u32 types[N];
	__u64 sum[TENSTORRENT_BUFFER_TYPE_MAX] = { 0 };
	__u64 cnt[TENSTORRENT_BUFFER_TYPE_MAX] = { 0 };
	stats_t before, s;
	size_t i, j, n = 0;

	for (i = 0; i < ARRAY_SIZE(fixed); i++, n++) {
		ids[n] = fixed[i];
		types[n] = n % TT_BUFFER_TYPE_COUNT;
	}
	for (i = 0; i < N_DRAM; i++, n++) {
		ids[n] = 0x800000000ULL + (i << 20);
		if (i == 0)	/* already in fixed[]: use the next GiB */
			ids[n] = 0x800000000ULL + (1ULL << 30);
		types[n] = TT_BUFFER_TYPE_DRAM;
	}
	for (i = 0; i < N_L1; i++, n++) {
		ids[n] = 0x10000 + 32 * i;
		types[n] = i % 2 ? TT_BUFFER_TYPE_L1 : TT_BUFFER_TYPE_L1_SMALL;
	}
	for (i = 0; i < n; i++) {
		sizes[i] = 4096 * (i + 1) + i;
		sum[types[i]] += sizes[i];
		cnt[types[i]]++;
		for (j = 0; j < i; j++) {
			ASSERT_NE(ids[i], ids[j]) {
				TH_LOG("test bug: id %#llx twice",
				       (unsigned long long)ids[i]);
			}
		}
	}
	NEED_MAX_RECORDS(N);

	SNAPSHOT(self->fd, &before);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, track_alloc(self->fd, ids[i], sizes[i], types[i])) {
			TH_LOG("alloc of id %#llx", (unsigned long long)ids[i]);
		}
	}

	SNAPSHOT(self->fd, &s);
	for (i = 0; i < TENSTORRENT_BUFFER_TYPE_MAX; i++) {
		EXPECT_EQ(sum[i], s.file.allocated[i]);
		EXPECT_EQ(cnt[i], s.file.buffers[i]);
		EXPECT_EQ(before.allocated[i] + sum[i], s.allocated[i]);
		EXPECT_EQ(before.buffers[i] + cnt[i], s.buffers[i]);
	}

	/* each (type, id) is taken now, and only by itself */
	for (i = 0; i < n; i++) {
		EXPECT_EQ(-EEXIST, track_alloc(self->fd, ids[i], 1, types[i])) {
			TH_LOG("second alloc of id %#llx",
			       (unsigned long long)ids[i]);
		}
	}

	/* free in another order than allocated: every other one, then the rest */
	for (j = 0; j < 2; j++) {
		for (i = j; i < n; i += 2) {
			struct tenstorrent_track_free_out out;

			ASSERT_EQ(0, track_free_out(self->fd, ids[i], &out)) {
				TH_LOG("free of id %#llx",
				       (unsigned long long)ids[i]);
			}
			EXPECT_EQ(sizes[i], out.size) {
				TH_LOG("id %#llx came back with another's size",
				       (unsigned long long)ids[i]);
			}
			EXPECT_EQ(types[i], out.buffer_type);
		}
	}
	SNAPSHOT(self->fd, &s);
	expect_file_empty(_metadata, &s);
	expect_device_back(_metadata, &before, &s);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(-ENOENT, track_free(self->fd, ids[i]));
	}
}

/* 10000 records of tt-metal-like ids and sizes, then all freed. */
TEST_F(track, many_realistic_ids)
{
	enum { N = 10000 };
	static __u64 ids[N], sizes[N];
	static __u32 types[N];
	__u64 sum[TENSTORRENT_BUFFER_TYPE_MAX] = { 0 };
	__u64 cnt[TENSTORRENT_BUFFER_TYPE_MAX] = { 0 };
	stats_t before, s;
	size_t i, k;

	NEED_MAX_RECORDS(N);
	for (i = 0; i < N; i++) {
		size_t j = i / 2;

		if (i % 2 == 0) {	/* interleaved DRAM buffers, 1 MiB apart */
			ids[i] = 0x800000000ULL + ((__u64)j << 20);
			sizes[i] = MiB - 32 * (j % 7);
			types[i] = TT_BUFFER_TYPE_DRAM;
		} else {		/* L1 buffers, 32-byte aligned */
			ids[i] = 0x10000 + 32ULL * j;
			sizes[i] = 32 * (1 + j % 16);
			types[i] = j % 5 ? TT_BUFFER_TYPE_L1 :
					   TT_BUFFER_TYPE_L1_SMALL;
		}
		sum[types[i]] += sizes[i];
		cnt[types[i]]++;
	}

	SNAPSHOT(self->fd, &before);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, track_alloc(self->fd, ids[i], sizes[i], types[i])) {
			TH_LOG("alloc %zu, id %#llx", i,
			       (unsigned long long)ids[i]);
		}
	}
	SNAPSHOT(self->fd, &s);
	for (i = 0; i < TENSTORRENT_BUFFER_TYPE_MAX; i++) {
		EXPECT_EQ(sum[i], s.file.allocated[i]);
		EXPECT_EQ(cnt[i], s.file.buffers[i]);
		EXPECT_EQ(before.allocated[i] + sum[i], s.allocated[i]);
		EXPECT_EQ(before.buffers[i] + cnt[i], s.buffers[i]);
	}

	/* 7919 is prime, so i * 7919 % N visits every index once */
	for (k = 0; k < N; k++) {
		struct tenstorrent_track_free_out out;

		i = k * 7919 % N;
		ASSERT_EQ(0, track_free_out(self->fd, ids[i], &out)) {
			TH_LOG("free %zu, id %#llx", i,
			       (unsigned long long)ids[i]);
		}
		ASSERT_EQ(sizes[i], out.size);
	}
	SNAPSHOT(self->fd, &s);
	expect_file_empty(_metadata, &s);
	expect_device_back(_metadata, &before, &s);
}

/* ---- TRACK_BATCH ---- */

/* Operations apply in order; an id freed in a batch can be reused in it. */
TEST_F(track, batch_applies_in_order)
{
	struct tenstorrent_track_op ops[] = {
		op_alloc(0xa, 100, TT_BUFFER_TYPE_DRAM),
		op_alloc(0xb, 200, TT_BUFFER_TYPE_L1),
		op_free(0xa),
		op_alloc(0xc, 400, TT_BUFFER_TYPE_TRACE),
		op_alloc(0xa, 800, TT_BUFFER_TYPE_SYSTEM_MEMORY),
	};
	struct tenstorrent_track_batch arg = {
		.in = { .ops = (uintptr_t)ops, .count = ARRAY_SIZE(ops) },
	};
	struct tenstorrent_track_free_out out;
	stats_t before, after;

	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg));
	EXPECT_EQ(ARRAY_SIZE(ops), arg.out.processed);
	EXPECT_EQ(TENSTORRENT_TRACK_BATCH_NONE, arg.out.failed);
	SNAPSHOT(self->fd, &after);

	EXPECT_EQ(0ULL, after.file.dram_allocated);
	EXPECT_EQ(100ULL, after.file.dram_peak);
	EXPECT_EQ(200ULL, after.file.l1_allocated);
	EXPECT_EQ(400ULL, after.file.trace_allocated);
	EXPECT_EQ(800ULL, after.file.system_memory_allocated);
	EXPECT_EQ(before.dram_allocated, after.dram_allocated);
	EXPECT_EQ(before.dram_buffers, after.dram_buffers);
	EXPECT_EQ(before.l1_allocated + 200, after.l1_allocated);
	EXPECT_EQ(before.system_memory_buffers + 1, after.system_memory_buffers);

	ASSERT_EQ(0, track_free_out(self->fd, 0xa, &out));
	EXPECT_EQ(800ULL, out.size);
	EXPECT_EQ((__u32)TT_BUFFER_TYPE_SYSTEM_MEMORY, out.buffer_type);
}

/* TENSTORRENT_TRACK_BATCH_MAX operations in one call, both ways. */
TEST_F(track, batch_max_count)
{
	static struct tenstorrent_track_op ops[TENSTORRENT_TRACK_BATCH_MAX];
	stats_t before, s;
	__u32 processed, i;

	NEED_MAX_RECORDS(TENSTORRENT_TRACK_BATCH_MAX);
	for (i = 0; i < TENSTORRENT_TRACK_BATCH_MAX; i++)
		ops[i] = op_alloc(0x800000000ULL + ((__u64)i << 20), MiB,
				  TT_BUFFER_TYPE_DRAM);
	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, track_batch(self->fd, ops, TENSTORRENT_TRACK_BATCH_MAX,
				 &processed));
	EXPECT_EQ((__u32)TENSTORRENT_TRACK_BATCH_MAX, processed);
	SNAPSHOT(self->fd, &s);
	EXPECT_EQ(TENSTORRENT_TRACK_BATCH_MAX * MiB, s.file.dram_allocated);
	EXPECT_EQ((__u64)TENSTORRENT_TRACK_BATCH_MAX, s.file.dram_buffers);

	for (i = 0; i < TENSTORRENT_TRACK_BATCH_MAX; i++)
		ops[i] = op_free(0x800000000ULL + ((__u64)i << 20));
	ASSERT_EQ(0, track_batch(self->fd, ops, TENSTORRENT_TRACK_BATCH_MAX,
				 &processed));
	EXPECT_EQ((__u32)TENSTORRENT_TRACK_BATCH_MAX, processed);
	SNAPSHOT(self->fd, &s);
	expect_file_empty(_metadata, &s);
	expect_device_back(_metadata, &before, &s);
}

/* ---- bad arguments: one each, nothing changes ---- */

TEST_F(track, alloc_zero_size)
{
	stats_t before, after;

	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-EINVAL, track_alloc(self->fd, 0x99, 0, TT_BUFFER_TYPE_DRAM));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

TEST_F(track, alloc_unknown_type)
{
	static const __u32 bad[] = {
		TT_BUFFER_TYPE_COUNT, 7, TENSTORRENT_BUFFER_TYPE_MAX, 9,
		0x80000000, 0xffffffff,
	};
	stats_t before, after;
	size_t i;

	add_background(_metadata, self->fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		SNAPSHOT(self->fd, &before);
		EXPECT_EQ(-EINVAL, track_alloc(self->fd, 0x99, 4096, bad[i])) {
			TH_LOG("buffer_type %#x", bad[i]);
		}
		SNAPSHOT(self->fd, &after);
		expect_unchanged(_metadata, &before, &after);
	}
}

/* A held (type, id) is refused, whatever the new size, and kept as it was. */
TEST_F(track, alloc_duplicate_id)
{
	struct tenstorrent_track_free_out out;
	stats_t before, after;

	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-EEXIST, track_alloc(self->fd, background[0].id, 4096,
				      background[0].type));
	EXPECT_EQ(-EEXIST, track_alloc(self->fd, background[0].id,
				      background[0].size, background[0].type));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);

	ASSERT_EQ(0, track_free_out(self->fd, background[0].id, &out));
	EXPECT_EQ(background[0].size, out.size);
	EXPECT_EQ(background[0].type, out.buffer_type);
}

TEST_F(track, free_unknown_id)
{
	stats_t before, after;

	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ENOENT, track_free(self->fd, 0x99));
	EXPECT_EQ(-ENOENT, track_free(self->fd, background[0].id + 1));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

TEST_F(track, free_twice)
{
	stats_t before, after;

	add_background(_metadata, self->fd);
	ASSERT_EQ(0, track_free(self->fd, background[1].id));
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ENOENT, track_free(self->fd, background[1].id));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

/* Another open file's records cannot be freed through this one. */
TEST_F(track, free_other_files_id)
{
	stats_t before, after, other_before, other_after;
	int other = open_card(0);

	ASSERT_LE(0, other);
	add_background(_metadata, self->fd);
	ASSERT_EQ(0, track_alloc(other, 0x99, 4096, TT_BUFFER_TYPE_L1));
	SNAPSHOT(self->fd, &before);
	SNAPSHOT(other, &other_before);
	EXPECT_EQ(-ENOENT, track_free(self->fd, 0x99));
	SNAPSHOT(self->fd, &after);
	SNAPSHOT(other, &other_after);
	expect_unchanged(_metadata, &before, &after);
	expect_unchanged(_metadata, &other_before, &other_after);
	EXPECT_EQ(0, track_free(other, 0x99));
	close(other);
}

/* a size beyond the card's DRAM cannot be true */
TEST_F(track, alloc_beyond_capacity)
{
	stats_t before, after;

	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ERANGE, track_alloc(self->fd, 0x9a, 1ULL << 63,
					 TT_BUFFER_TYPE_DRAM));
	EXPECT_EQ(-ERANGE, track_alloc(self->fd, 0x9a, UINT64_MAX,
					 TT_BUFFER_TYPE_DRAM));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

/* two files each within the card's DRAM; neither harms the other */
TEST_F(track, alloc_capacity_per_file)
{
	long long total = read_number("/sys/class/tenstorrent/tenstorrent!0/dram_total");
	int other = open_card(0);

	ASSERT_LE(0, other);
	ASSERT_LT(0, total);
	ASSERT_EQ(0, track_alloc(other, 0x99, total, TT_BUFFER_TYPE_DRAM));
	EXPECT_EQ(0, track_alloc(self->fd, 0x99, total, TT_BUFFER_TYPE_DRAM));
	EXPECT_EQ(0, track_free(self->fd, 0x99));
	EXPECT_EQ(0, track_free(other, 0x99));
	close(other);
}

/* a file's DRAM may reach the card's exactly; one byte more fails */
TEST_F(track, alloc_capacity_boundary)
{
	long long total = read_number("/sys/class/tenstorrent/tenstorrent!0/dram_total");
	struct tenstorrent_track_alloc_out out;
	stats_t before, after;
	__u64 room;

	ASSERT_LT(0, total);
	SNAPSHOT(self->fd, &before);
	room = total - before.file.dram_allocated - before.file.trace_allocated;
	ASSERT_EQ(0, track_alloc_out(self->fd, 0x99, room, TT_BUFFER_TYPE_TRACE,
				     &out));
	EXPECT_EQ(room, out.file_allocated);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ERANGE, track_alloc(self->fd, 0x9a, 1, TT_BUFFER_TYPE_TRACE));
	EXPECT_EQ(-ERANGE, track_alloc(self->fd, 0x9a, 1, TT_BUFFER_TYPE_DRAM));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
	EXPECT_EQ(0, track_free(self->fd, 0x99));
}

TEST_F(track, alloc_cap_reached)
{
	stats_t before, after;
	int ret;

	ret = set_max_records(self, 4);
	if (ret)
		SKIP(return, "cannot set max_records: %s", strerror(-ret));
	add_background(_metadata, self->fd);		/* 3 records */
	ASSERT_EQ(0, track_alloc(self->fd, 0x99, 4096, TT_BUFFER_TYPE_L1));

	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ENOSPC, track_alloc(self->fd, 0x9a, 4096, TT_BUFFER_TYPE_L1));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);

	/* room again after a free */
	ASSERT_EQ(0, track_free(self->fd, 0x99));
	EXPECT_EQ(0, track_alloc(self->fd, 0x9a, 4096, TT_BUFFER_TYPE_L1));
}

/* The cap is per file: another open of the card has its own room. */
TEST_F(track, cap_is_per_file)
{
	int other, ret;

	ret = set_max_records(self, 3);
	if (ret)
		SKIP(return, "cannot set max_records: %s", strerror(-ret));
	add_background(_metadata, self->fd);
	EXPECT_EQ(-ENOSPC, track_alloc(self->fd, 0x99, 1, TT_BUFFER_TYPE_L1));
	other = open_card(0);
	ASSERT_LE(0, other);
	EXPECT_EQ(0, track_alloc(other, 0x99, 1, TT_BUFFER_TYPE_L1));
	close(other);
}

/* Lowered below what a file holds: no new records, frees still work. */
TEST_F(track, cap_below_holdings_still_frees)
{
	int ret;

	add_background(_metadata, self->fd);
	ret = set_max_records(self, 1);
	if (ret)
		SKIP(return, "cannot set max_records: %s", strerror(-ret));
	EXPECT_EQ(-ENOSPC, track_alloc(self->fd, 0x99, 1, TT_BUFFER_TYPE_L1));
	EXPECT_EQ(0, track_free(self->fd, background[0].id));
	EXPECT_EQ(0, track_free(self->fd, background[1].id));
	EXPECT_EQ(-ENOSPC, track_alloc(self->fd, 0x99, 1, TT_BUFFER_TYPE_L1));
	EXPECT_EQ(0, track_free(self->fd, background[2].id));
	EXPECT_EQ(0, track_alloc(self->fd, 0x99, 1, TT_BUFFER_TYPE_L1));
}

/* Numbers next to and around the driver's commands are unknown. */
TEST_F(track, unknown_ioctl_enotty)
{
	static const unsigned long bad[] = {
		_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x1f, struct tenstorrent_track_alloc),
		_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x25, struct tenstorrent_track_alloc),
		_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x2f, struct tenstorrent_track_alloc),
		_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0xff, struct tenstorrent_track_alloc),
		_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC + 1, 0x20, struct tenstorrent_track_alloc),
		_IOWR(0, 0x20, struct tenstorrent_track_alloc),
		_IO(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x20),
	};
	struct tenstorrent_track_alloc arg = {
		.in = { .buffer_id = 0x99, .size = 4096,
			.buffer_type = TT_BUFFER_TYPE_L1 },
	};
	stats_t before, after;
	size_t i;

	add_background(_metadata, self->fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		SNAPSHOT(self->fd, &before);
		EXPECT_EQ(-ENOTTY, tt_ioctl(self->fd, bad[i], &arg)) {
			TH_LOG("ioctl %#lx", bad[i]);
		}
		SNAPSHOT(self->fd, &after);
		expect_unchanged(_metadata, &before, &after);
	}
}

TEST_F(track, batch_count_zero)
{
	struct tenstorrent_track_op ops[] = { op_alloc(0x99, 1, TT_BUFFER_TYPE_L1) };
	stats_t before, after;
	__u32 processed = 12345;

	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-EINVAL, track_batch(self->fd, ops, 0, &processed));
	EXPECT_EQ(0U, processed);
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

TEST_F(track, batch_count_over_max)
{
	static struct tenstorrent_track_op ops[TENSTORRENT_TRACK_BATCH_MAX + 1];
	stats_t before, after;
	__u32 processed = 12345, i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		ops[i] = op_alloc(0x100000 + i, 64, TT_BUFFER_TYPE_L1);
	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-EINVAL, track_batch(self->fd, ops, ARRAY_SIZE(ops), &processed));
	EXPECT_EQ(0U, processed);
	EXPECT_EQ(-EINVAL, track_batch(self->fd, ops, UINT32_MAX, &processed));
	EXPECT_EQ(0U, processed);
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

/*
 * A batch refused as a whole: EINVAL, processed 0, no op named as failed,
 * nothing applied.
 */
static void expect_bad_batch(struct __test_metadata *_metadata, int fd,
			     struct tenstorrent_track_batch_in in,
			     const char *what)
{
	struct tenstorrent_track_batch arg = { .in = in };
	stats_t before, after;

	arg.out.failed = 12345;
	SNAPSHOT(fd, &before);
	EXPECT_EQ(-EINVAL, tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg)) {
		TH_LOG("%s", what);
	}
	EXPECT_EQ(0U, arg.out.processed) {
		TH_LOG("%s", what);
	}
	EXPECT_EQ(TENSTORRENT_TRACK_BATCH_NONE, arg.out.failed) {
		TH_LOG("%s", what);
	}
	SNAPSHOT(fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

static struct tenstorrent_track_op one_op[] = {
	{ .buffer_id = 0x99, .size = 64, .buffer_type = TT_BUFFER_TYPE_L1,
	  .op = TENSTORRENT_TRACK_OP_ALLOC },
	{ .buffer_id = 0x9a, .size = 64, .buffer_type = TT_BUFFER_TYPE_L1,
	  .op = TENSTORRENT_TRACK_OP_ALLOC },
};

/* Ops of fewer than version 1's 24 bytes, or not a multiple of 8 */
TEST_F(track, batch_op_size_unknown)
{
	static const __u32 bad[] = { 1, 8, 16, 23, 25, 33, 44, UINT32_MAX };
	struct tenstorrent_track_batch_in in = {
		.ops = (uintptr_t)one_op, .count = 2,
	};
	size_t i;

	add_background(_metadata, self->fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char what[32];

		snprintf(what, sizeof(what), "op_size %u", bad[i]);
		in.op_size = bad[i];
		expect_bad_batch(_metadata, self->fd, in, what);
	}
}

/* op_size 32, this version's, works like 0. */
TEST_F(track, batch_op_size_v2)
{
	struct tenstorrent_track_batch arg = {
		.in = { .ops = (uintptr_t)one_op, .count = 2,
			.op_size = sizeof(struct tenstorrent_track_op) },
	};
	stats_t before, after;

	ASSERT_EQ(32U, sizeof(struct tenstorrent_track_op));
	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg));
	EXPECT_EQ(2U, arg.out.processed);
	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(before.file.l1_allocated + 128, after.file.l1_allocated);
	EXPECT_EQ(0, track_free(self->fd, 0x99));
	EXPECT_EQ(0, track_free(self->fd, 0x9a));
}

/*
 * One bad operation alone in a batch: EINVAL, processed 0, nothing applied.
 * Each case differs from a valid op in one field.
 */
static void expect_bad_op(struct __test_metadata *_metadata, int fd,
			  struct tenstorrent_track_op op, const char *what)
{
	stats_t before, after;
	__u32 processed = 12345;

	SNAPSHOT(fd, &before);
	EXPECT_EQ(-EINVAL, track_batch(fd, &op, 1, &processed)) {
		TH_LOG("%s", what);
	}
	EXPECT_EQ(0U, processed) {
		TH_LOG("%s", what);
	}
	SNAPSHOT(fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

TEST_F(track, batch_unknown_op)
{
	struct tenstorrent_track_op op;

	add_background(_metadata, self->fd);
	op = op_alloc(0x99, 64, TT_BUFFER_TYPE_L1);
	op.op = 2;
	expect_bad_op(_metadata, self->fd, op, "op 2");
	op.op = 0xffff;
	expect_bad_op(_metadata, self->fd, op, "op 0xffff");
	op = op_free(background[0].id);
	op.op = 2;
	expect_bad_op(_metadata, self->fd, op, "op 2 of a held id");
}

TEST_F(track, batch_free_nonzero_size)
{
	struct tenstorrent_track_op op;

	add_background(_metadata, self->fd);
	op = op_free(background[0].id);
	op.size = background[0].size;
	expect_bad_op(_metadata, self->fd, op, "free with its own size");
	op.size = 1;
	expect_bad_op(_metadata, self->fd, op, "free with size 1");
}

TEST_F(track, batch_free_nonzero_type)
{
	struct tenstorrent_track_op op;

	add_background(_metadata, self->fd);
	op = op_free(background[1].id);
	op.buffer_type = background[1].type;
	expect_bad_op(_metadata, self->fd, op, "free with its own type");
	op.buffer_type = 0xffffffff;
	expect_bad_op(_metadata, self->fd, op, "free with type 0xffffffff");
}

TEST_F(track, batch_alloc_zero_size)
{
	add_background(_metadata, self->fd);
	expect_bad_op(_metadata, self->fd, op_alloc(0x99, 0, TT_BUFFER_TYPE_L1),
		      "alloc size 0");
}

TEST_F(track, batch_alloc_unknown_type)
{
	add_background(_metadata, self->fd);
	expect_bad_op(_metadata, self->fd,
		      op_alloc(0x99, 64, TT_BUFFER_TYPE_COUNT), "type 5");
	expect_bad_op(_metadata, self->fd, op_alloc(0x99, 64, 7), "type 7");
	expect_bad_op(_metadata, self->fd, op_alloc(0x99, 64, 0xffffffff),
		      "type 0xffffffff");
}

/* Stops at the first failing op: those before stay, it and later do not. */
TEST_F(track, batch_partial_failure)
{
	struct tenstorrent_track_op ops[] = {
		op_alloc(0xa0, 100, TT_BUFFER_TYPE_DRAM),
		op_alloc(0xa1, 200, TT_BUFFER_TYPE_DRAM),
		op_alloc(0xa2, 400, TT_BUFFER_TYPE_L1),
		op_alloc(0xa0, 800, TT_BUFFER_TYPE_DRAM),	/* duplicate */
		op_alloc(0xa4, 1600, TT_BUFFER_TYPE_DRAM),
	};
	struct tenstorrent_track_free_out out;
	stats_t before, after;
	__u32 processed = 12345;

	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-EEXIST, track_batch(self->fd, ops, ARRAY_SIZE(ops), &processed));
	EXPECT_EQ(3U, processed);
	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(before.file.dram_allocated + 300, after.file.dram_allocated);
	EXPECT_EQ(before.file.dram_buffers + 2, after.file.dram_buffers);
	EXPECT_EQ(before.file.l1_allocated + 400, after.file.l1_allocated);
	EXPECT_EQ(before.dram_allocated + 300, after.dram_allocated);
	EXPECT_EQ(before.l1_allocated + 400, after.l1_allocated);

	ASSERT_EQ(0, track_free_out(self->fd, 0xa0, &out));
	EXPECT_EQ(100ULL, out.size);	/* op 0's, not op 3's */
	EXPECT_EQ(0, track_free(self->fd, 0xa1));
	EXPECT_EQ(0, track_free(self->fd, 0xa2));
	EXPECT_EQ(-ENOENT, track_free(self->fd, 0xa4));
}

/* A failing op after frees: the frees before it stay done. */
TEST_F(track, batch_partial_failure_after_frees)
{
	struct tenstorrent_track_op ops[] = {
		op_free(background[0].id),
		op_free(background[1].id),
		op_free(0x99),			/* not held */
		op_free(background[2].id),
	};
	stats_t before, after;
	__u32 processed = 12345;

	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ENOENT, track_batch(self->fd, ops, ARRAY_SIZE(ops), &processed));
	EXPECT_EQ(2U, processed);
	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(0ULL, after.file.allocated[background[0].type]);
	EXPECT_EQ(0ULL, after.file.allocated[background[1].type]);
	EXPECT_EQ(background[2].size, after.file.allocated[background[2].type]);
	EXPECT_EQ(before.allocated[background[0].type] - background[0].size,
		  after.allocated[background[0].type]);
	EXPECT_EQ(0, track_free(self->fd, background[2].id));
}

/* The cap stops a batch at the op that would pass it. */
TEST_F(track, batch_cap_reached)
{
	struct tenstorrent_track_op ops[] = {
		op_alloc(0xa0, 100, TT_BUFFER_TYPE_DRAM),
		op_alloc(0xa1, 200, TT_BUFFER_TYPE_DRAM),
		op_alloc(0xa2, 400, TT_BUFFER_TYPE_DRAM),
	};
	stats_t before, after;
	__u32 processed = 12345;
	int ret;

	ret = set_max_records(self, 4);
	if (ret)
		SKIP(return, "cannot set max_records: %s", strerror(-ret));
	add_background(_metadata, self->fd);
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ENOSPC, track_batch(self->fd, ops, ARRAY_SIZE(ops), &processed));
	EXPECT_EQ(1U, processed);
	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(before.file.dram_allocated + 100, after.file.dram_allocated);
	EXPECT_EQ(-ENOENT, track_free(self->fd, 0xa1));
}

/* An op beyond the card's capacity stops a batch like any other failure. */
TEST_F(track, batch_beyond_capacity)
{
	struct tenstorrent_track_op ops[] = {
		op_alloc(0xa0, 1ULL << 30, TT_BUFFER_TYPE_DRAM),
		op_alloc(0xa1, 1ULL << 63, TT_BUFFER_TYPE_DRAM),
	};
	stats_t before, after;
	__u32 processed = 12345;

	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ERANGE, track_batch(self->fd, ops, ARRAY_SIZE(ops), &processed));
	EXPECT_EQ(1U, processed);
	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(before.file.dram_allocated + (1ULL << 30),
		  after.file.dram_allocated);
	EXPECT_EQ(before.file.dram_buffers + 1, after.file.dram_buffers);
	EXPECT_EQ(0, track_free(self->fd, 0xa0));
}

TEST_F(track, batch_ops_bad_pointer)
{
	static const uint64_t bad[] = { 0, 1, 0xfffffffffffff000ULL };
	stats_t before, after;
	size_t i;

	add_background(_metadata, self->fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct tenstorrent_track_batch arg = {
			.in = { .ops = bad[i], .count = 4 },
		};

		SNAPSHOT(self->fd, &before);
		EXPECT_EQ(-EFAULT, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH,
					   &arg)) {
			TH_LOG("ops %#llx", (unsigned long long)bad[i]);
		}
		EXPECT_EQ(0U, arg.out.processed);
		SNAPSHOT(self->fd, &after);
		expect_unchanged(_metadata, &before, &after);
	}
}

/*
 * Ops laid out so that op number @good (at @skew bytes before the page
 * boundary, so possibly straddling it) is the first the kernel cannot read:
 * the batch fails with EFAULT after applying exactly the ops before it.
 */
static void batch_fault_at(struct __test_metadata *_metadata, int fd,
			   unsigned int good, size_t skew)
{
	const size_t page = getpagesize();
	const __u32 count = good + 4;
	struct tenstorrent_track_op *ops;
	stats_t before, after;
	__u32 processed = 12345, i;
	char *map;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ops = (void *)(map + page - good * sizeof(*ops) - skew);
	for (i = 0; i < good; i++)
		ops[i] = op_alloc(0x800000000ULL + ((__u64)i << 20), 4096,
				  TT_BUFFER_TYPE_DRAM);
	memset((char *)&ops[good], 0, skew);	/* the part of op @good we can */
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));

	SNAPSHOT(fd, &before);
	EXPECT_EQ(-EFAULT, track_batch(fd, ops, count, &processed));
	EXPECT_EQ(good, processed);
	SNAPSHOT(fd, &after);
	EXPECT_EQ(before.file.dram_allocated + 4096ULL * good,
		  after.file.dram_allocated);
	EXPECT_EQ(before.file.dram_buffers + good, after.file.dram_buffers);
	EXPECT_EQ(before.dram_buffers + good, after.dram_buffers);
	for (i = 0; i < good; i++) {
		EXPECT_EQ(0, track_free(fd, ops[i].buffer_id)) {
			TH_LOG("op %u was not applied", i);
		}
	}
	munmap(map, 2 * page);
}

TEST_F(track, batch_ops_fault_midway)
{
	batch_fault_at(_metadata, self->fd, 5, 0);
}

TEST_F(track, batch_ops_fault_straddling_op)
{
	batch_fault_at(_metadata, self->fd, 5,
		       sizeof(struct tenstorrent_track_op) / 2);
}

TEST_F(track, batch_ops_fault_after_many)
{
	NEED_MAX_RECORDS(200);
	batch_fault_at(_metadata, self->fd,
		       getpagesize() / sizeof(struct tenstorrent_track_op), 0);
}

/* ---- every ioctl: bad pointers and struct sizes ---- */

enum tt_kind { KIND_ALLOC, KIND_FREE, KIND_QUERY, KIND_BATCH, KIND_INFO };

#define EACH_ID		0xeac000ULL
#define EACH_SIZE	8192ULL

FIXTURE(each_ioctl) {
	int fd;
	struct tenstorrent_track_op op;	/* the batch's one op */
};

FIXTURE_VARIANT(each_ioctl) {
	enum tt_kind kind;
	unsigned long cmd;
};

FIXTURE_VARIANT_ADD(each_ioctl, track_alloc) {
	.kind = KIND_ALLOC, .cmd = TENSTORRENT_IOCTL_TRACK_ALLOC,
};

FIXTURE_VARIANT_ADD(each_ioctl, track_free) {
	.kind = KIND_FREE, .cmd = TENSTORRENT_IOCTL_TRACK_FREE,
};

FIXTURE_VARIANT_ADD(each_ioctl, query_alloc_stats) {
	.kind = KIND_QUERY, .cmd = TENSTORRENT_IOCTL_QUERY_ALLOC_STATS,
};

FIXTURE_VARIANT_ADD(each_ioctl, track_batch) {
	.kind = KIND_BATCH, .cmd = TENSTORRENT_IOCTL_TRACK_BATCH,
};

FIXTURE_VARIANT_ADD(each_ioctl, get_tracking_info) {
	.kind = KIND_INFO, .cmd = TENSTORRENT_IOCTL_GET_TRACKING_INFO,
};

FIXTURE_SETUP(each_ioctl)
{
	self->fd = open_card(0);
	if (self->fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
	ASSERT_EQ(variant->cmd, sized_cmd(variant->cmd, _IOC_SIZE(variant->cmd)));
	add_background(_metadata, self->fd);
	/* the record TRACK_FREE's valid argument names */
	if (variant->kind == KIND_FREE) {
		ASSERT_EQ(0, track_alloc(self->fd, EACH_ID, EACH_SIZE,
					 TT_BUFFER_TYPE_L1));
	}
}

FIXTURE_TEARDOWN(each_ioctl)
{
	close(self->fd);
}

/*
 * A valid argument for a command of @kind in buf (zeroed by the caller);
 * a batch's one op goes in @op.
 */
static void fill_valid(enum tt_kind kind, struct tenstorrent_track_op *op,
		       void *buf)
{
	switch (kind) {
	case KIND_ALLOC: {
		struct tenstorrent_track_alloc *a = buf;

		a->in.buffer_id = EACH_ID;
		a->in.size = EACH_SIZE;
		a->in.buffer_type = TT_BUFFER_TYPE_L1;
		break;
	}
	case KIND_FREE: {
		struct tenstorrent_track_free *f = buf;

		f->in.buffer_id = EACH_ID;
		break;
	}
	case KIND_BATCH: {
		struct tenstorrent_track_batch *b = buf;

		*op = op_alloc(EACH_ID, EACH_SIZE, TT_BUFFER_TYPE_L1);
		b->in.ops = (uintptr_t)op;
		b->in.count = 1;
		break;
	}
	case KIND_QUERY:
	case KIND_INFO:
		break;
	}
}

/* buf holds what the variant's command returned after succeeding. */
static void expect_valid_effect(struct __test_metadata *_metadata,
				FIXTURE_DATA(each_ioctl) *self,
				const FIXTURE_VARIANT(each_ioctl) *variant,
				const void *buf, const stats_t *before)
{
	stats_t after;

	SNAPSHOT(self->fd, &after);
	switch (variant->kind) {
	case KIND_ALLOC: {
		const struct tenstorrent_track_alloc *a = buf;

		EXPECT_EQ(before->file.l1_allocated + EACH_SIZE,
			  after.file.l1_allocated);
		EXPECT_EQ(after.file.l1_allocated, a->out.file_allocated);
		EXPECT_EQ(after.l1_allocated, a->out.device_allocated);
		EXPECT_EQ(0, track_free(self->fd, EACH_ID));
		break;
	}
	case KIND_FREE: {
		const struct tenstorrent_track_free *f = buf;

		EXPECT_EQ(EACH_SIZE, f->out.size);
		EXPECT_EQ((__u32)TT_BUFFER_TYPE_L1, f->out.buffer_type);
		EXPECT_EQ(before->file.l1_allocated - EACH_SIZE,
			  after.file.l1_allocated);
		EXPECT_EQ(-ENOENT, track_free(self->fd, EACH_ID));
		break;
	}
	case KIND_QUERY: {
		const struct tenstorrent_query_alloc_stats *q = buf;

		expect_unchanged(_metadata, &after, &q->out);
		break;
	}
	case KIND_BATCH: {
		const struct tenstorrent_track_batch *b = buf;

		EXPECT_EQ(1U, b->out.processed);
		EXPECT_EQ(before->file.l1_allocated + EACH_SIZE,
			  after.file.l1_allocated);
		EXPECT_EQ(0, track_free(self->fd, EACH_ID));
		break;
	}
	case KIND_INFO: {
		const struct tenstorrent_tracking_info *i = buf;

		EXPECT_EQ(TENSTORRENT_TRACK_ABI_VERSION, i->out.abi_version);
		EXPECT_EQ(ALL_TYPES, i->out.buffer_types);
		EXPECT_EQ(TENSTORRENT_TRACK_BATCH_MAX, i->out.batch_max);
		break;
	}
	}
}

/* One bad call with @arg as the pointer: EFAULT, nothing changed. */
static void expect_efault(struct __test_metadata *_metadata, int fd,
			  unsigned long cmd, void *arg)
{
	stats_t before, after;

	SNAPSHOT(fd, &before);
	EXPECT_EQ(-EFAULT, tt_ioctl(fd, cmd, arg)) {
		TH_LOG("argument %p", arg);
	}
	SNAPSHOT(fd, &after);
	expect_unchanged(_metadata, &before, &after);
}

TEST_F(each_ioctl, bad_pointer_null)
{
	expect_efault(_metadata, self->fd, variant->cmd, NULL);
}

TEST_F(each_ioctl, bad_pointer_one)
{
	expect_efault(_metadata, self->fd, variant->cmd, (void *)1);
}

TEST_F(each_ioctl, bad_pointer_unmapped)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, 4096));
	expect_efault(_metadata, self->fd, variant->cmd, p);
}

/* An argument the kernel can read but not write back: EFAULT, no change. */
TEST_F(each_ioctl, readonly_arg)
{
	const size_t page = getpagesize();
	stats_t before, after;
	void *buf;

	buf = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	fill_valid(variant->kind, &self->op, buf);
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ));

	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-EFAULT, tt_ioctl(self->fd, variant->cmd, buf));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
	munmap(buf, page);
}

/*
 * An argument that starts on a writable page and ends on a read-only one:
 * the kernel can read it all, and must find the end it cannot write back
 * before anything changes.
 */
TEST_F(each_ioctl, readonly_tail)
{
	const size_t page = getpagesize();
	stats_t before, after;
	char *map, *buf;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* 8 bytes on the first page, the rest on the second */
	ASSERT_GT(_IOC_SIZE(variant->cmd), 8);
	buf = map + page - 8;
	fill_valid(variant->kind, &self->op, buf);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_READ));

	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-EFAULT, tt_ioctl(self->fd, variant->cmd, buf));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
	munmap(map, 2 * page);
}

/* The header's command, as a sanity check of the harness around it. */
TEST_F(each_ioctl, valid_call)
{
	unsigned char buf[2048] __attribute__((aligned(8))) = { 0 };
	stats_t before;

	fill_valid(variant->kind, &self->op, buf);
	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, tt_ioctl(self->fd, variant->cmd, buf));
	expect_valid_effect(_metadata, self, variant, buf, &before);
}

/* A newer caller's larger struct with an all-zero tail works as v1. */
TEST_F(each_ioctl, larger_struct_zero_tail)
{
	static const size_t tails[] = { 8, 64, 1024 };
	const size_t size = _IOC_SIZE(variant->cmd);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tails); i++) {
		unsigned char buf[2048] __attribute__((aligned(8))) = { 0 };
		stats_t before;

		fill_valid(variant->kind, &self->op, buf);
		SNAPSHOT(self->fd, &before);
		ASSERT_EQ(0, tt_ioctl(self->fd, sized_cmd(variant->cmd,
							  size + tails[i]), buf)) {
			TH_LOG("size %zu + %zu", size, tails[i]);
		}
		expect_valid_effect(_metadata, self, variant, buf, &before);
		/* TRACK_FREE's record is gone: bring it back for the next */
		if (variant->kind == KIND_FREE) {
			ASSERT_EQ(0, track_alloc(self->fd, EACH_ID, EACH_SIZE,
						 TT_BUFFER_TYPE_L1));
		}
	}
}

/* A larger struct with any non-zero byte past v1 is refused with E2BIG. */
TEST_F(each_ioctl, larger_struct_nonzero_tail)
{
	const size_t size = _IOC_SIZE(variant->cmd);
	stats_t before, after;
	size_t i;

	for (i = 0; i < 8 + 1; i++) {
		unsigned char buf[2048] __attribute__((aligned(8))) = { 0 };
		/* each of the 8 tail bytes alone, then the last of 1024 */
		size_t tail = i < 8 ? 8 : 1024, at = i < 8 ? i : 1023;

		fill_valid(variant->kind, &self->op, buf);
		buf[size + at] = 0x80;
		SNAPSHOT(self->fd, &before);
		EXPECT_EQ(-E2BIG, tt_ioctl(self->fd,
					  sized_cmd(variant->cmd, size + tail),
					  buf)) {
			TH_LOG("size %zu + %zu, byte %zu set", size, tail, at);
		}
		SNAPSHOT(self->fd, &after);
		expect_unchanged(_metadata, &before, &after);
	}
}

/* A struct smaller than v1 is an unknown command. */
TEST_F(each_ioctl, smaller_struct_enotty)
{
	const size_t size = _IOC_SIZE(variant->cmd);
	const size_t sizes[] = { 0, 8, size - 8, size - 1 };
	stats_t before, after;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned char buf[2048] __attribute__((aligned(8))) = { 0 };

		fill_valid(variant->kind, &self->op, buf);
		SNAPSHOT(self->fd, &before);
		EXPECT_EQ(-ENOTTY, tt_ioctl(self->fd,
					   sized_cmd(variant->cmd, sizes[i]),
					   buf)) {
			TH_LOG("size %zu of %zu", sizes[i], size);
		}
		SNAPSHOT(self->fd, &after);
		expect_unchanged(_metadata, &before, &after);
	}
}

/* ---- every ioctl: each flags, pad and reserved field must be 0 ---- */

FIXTURE(zero_field) {
	int fd;
	struct tenstorrent_track_op op;	/* the batch's one op */
};

/*
 * One field of a command's argument (or of its batch's one op) and the
 * values, each alone in an otherwise valid call, that must give EINVAL.
 * bad[] ends at the first 0, the field's one valid value.
 */
FIXTURE_VARIANT(zero_field) {
	enum tt_kind kind;
	unsigned long cmd;
	const char *field;
	size_t offset, width;
	bool in_op;		/* offset is in the batch's op */
	bool free_op;		/* the batch's op frees EACH_ID */
	__u32 bad[5];
};

#define ZF_FIELD(type, member)						\
	.field = #member, .offset = offsetof(type, member),		\
	.width = sizeof(((type *)0)->member)

/* TYPED is a free's flag, TARGET a batch's */
FIXTURE_VARIANT_ADD(zero_field, track_alloc_flags) {
	.kind = KIND_ALLOC, .cmd = TENSTORRENT_IOCTL_TRACK_ALLOC,
	ZF_FIELD(struct tenstorrent_track_alloc, in.flags),
	.bad = { TENSTORRENT_TRACK_TYPED, TENSTORRENT_TRACK_TARGET, 8,
		 0x80000000 },
};

/* REF is an alloc's flag, TARGET a batch's */
FIXTURE_VARIANT_ADD(zero_field, track_free_flags) {
	.kind = KIND_FREE, .cmd = TENSTORRENT_IOCTL_TRACK_FREE,
	ZF_FIELD(struct tenstorrent_track_free, in.flags),
	.bad = { TENSTORRENT_TRACK_REF, TENSTORRENT_TRACK_TARGET, 8,
		 0x80000000 },
};

/* A free without TENSTORRENT_TRACK_TYPED names no type */
FIXTURE_VARIANT_ADD(zero_field, track_free_untyped_type) {
	.kind = KIND_FREE, .cmd = TENSTORRENT_IOCTL_TRACK_FREE,
	ZF_FIELD(struct tenstorrent_track_free, in.buffer_type),
	.bad = { 1, 0x80000000 },
};

FIXTURE_VARIANT_ADD(zero_field, query_alloc_stats_flags) {
	.kind = KIND_QUERY, .cmd = TENSTORRENT_IOCTL_QUERY_ALLOC_STATS,
	ZF_FIELD(struct tenstorrent_query_alloc_stats, in.flags),
	.bad = { 1, 0x80000000 },
};

FIXTURE_VARIANT_ADD(zero_field, query_alloc_stats_pad) {
	.kind = KIND_QUERY, .cmd = TENSTORRENT_IOCTL_QUERY_ALLOC_STATS,
	ZF_FIELD(struct tenstorrent_query_alloc_stats, in.pad),
	.bad = { 1, 0x80000000 },
};

FIXTURE_VARIANT_ADD(zero_field, track_batch_flags) {
	.kind = KIND_BATCH, .cmd = TENSTORRENT_IOCTL_TRACK_BATCH,
	ZF_FIELD(struct tenstorrent_track_batch, in.flags),
	.bad = { 1, 0x80000000 },
};

FIXTURE_VARIANT_ADD(zero_field, track_batch_reserved) {
	.kind = KIND_BATCH, .cmd = TENSTORRENT_IOCTL_TRACK_BATCH,
	ZF_FIELD(struct tenstorrent_track_batch, in.reserved),
	.bad = { 1, 0x80000000 },
};

/* An alloc op's flags: TYPED is a free's */
FIXTURE_VARIANT_ADD(zero_field, track_batch_alloc_op_flags) {
	.kind = KIND_BATCH, .cmd = TENSTORRENT_IOCTL_TRACK_BATCH,
	ZF_FIELD(struct tenstorrent_track_op, flags), .in_op = true,
	.bad = { TENSTORRENT_TRACK_TYPED, 8, 0x8000 },
};

/* A free op's flags: REF is an alloc's */
FIXTURE_VARIANT_ADD(zero_field, track_batch_free_op_flags) {
	.kind = KIND_BATCH, .cmd = TENSTORRENT_IOCTL_TRACK_BATCH,
	ZF_FIELD(struct tenstorrent_track_op, flags), .in_op = true,
	.free_op = true,
	.bad = { TENSTORRENT_TRACK_REF, 8 },
};

FIXTURE_VARIANT_ADD(zero_field, get_tracking_info_flags) {
	.kind = KIND_INFO, .cmd = TENSTORRENT_IOCTL_GET_TRACKING_INFO,
	ZF_FIELD(struct tenstorrent_tracking_info, in.flags),
	.bad = { 1, 0x80000000 },
};

FIXTURE_VARIANT_ADD(zero_field, get_tracking_info_pad) {
	.kind = KIND_INFO, .cmd = TENSTORRENT_IOCTL_GET_TRACKING_INFO,
	ZF_FIELD(struct tenstorrent_tracking_info, in.pad),
	.bad = { 1, 0x80000000 },
};

FIXTURE_SETUP(zero_field)
{
	self->fd = open_card(0);
	if (self->fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
	add_background(_metadata, self->fd);
	/* the record a valid free names */
	if (variant->kind == KIND_FREE || variant->free_op) {
		ASSERT_EQ(0, track_alloc(self->fd, EACH_ID, EACH_SIZE,
					 TT_BUFFER_TYPE_L1));
	}
}

FIXTURE_TEARDOWN(zero_field)
{
	close(self->fd);
}

/*
 * Each bad value alone: EINVAL and no total moved; a batch refused as a
 * whole also reports nothing processed and no op as failed, one refused
 * for its op nothing processed.
 */
TEST_F(zero_field, nonzero_einval)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variant->bad) && variant->bad[i]; i++) {
		unsigned char buf[2048] __attribute__((aligned(8))) = { 0 };
		struct tenstorrent_track_batch *b = (void *)buf;
		const __u32 bad = variant->bad[i];
		const __u16 bad16 = bad;
		unsigned char *field;
		stats_t before, after;

		fill_valid(variant->kind, &self->op, buf);
		if (variant->free_op)
			self->op = op_free(EACH_ID);
		field = (variant->in_op ? (unsigned char *)&self->op : buf) +
			variant->offset;
		ASSERT_TRUE(variant->width == 2 || variant->width == 4);
		if (variant->width == 2) {
			ASSERT_EQ(bad, bad16);
			memcpy(field, &bad16, 2);
		} else {
			memcpy(field, &bad, 4);
		}
		if (variant->kind == KIND_BATCH && !variant->in_op)
			b->out.failed = 12345;

		SNAPSHOT(self->fd, &before);
		EXPECT_EQ(-EINVAL, tt_ioctl(self->fd, variant->cmd, buf)) {
			TH_LOG("%s %#x", variant->field, bad);
		}
		if (variant->kind == KIND_BATCH) {
			EXPECT_EQ(0U, b->out.processed) {
				TH_LOG("%s %#x", variant->field, bad);
			}
		}
		if (variant->kind == KIND_BATCH && !variant->in_op) {
			EXPECT_EQ(TENSTORRENT_TRACK_BATCH_NONE, b->out.failed) {
				TH_LOG("%s %#x", variant->field, bad);
			}
		}
		SNAPSHOT(self->fd, &after);
		expect_unchanged(_metadata, &before, &after);
	}
}

/*
 * ---- a removed card ----
 *
 * Kept here rather than in a program of its own: what it checks is each
 * tracking ioctl's answer (ENODEV) on a file whose card is gone, beside
 * their other errors, and from here tt_track_32 runs it through the compat
 * entry as well. Unplugging under an open file is tt_hotplug.sh's.
 */

/* The PCI address of qemu's edu device (1234:11e8) in bdf; false if none. */
static bool find_edu(char *bdf, size_t len)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char path[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", e->d_name);
		if (read_number(path) != 0x1234)
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", e->d_name);
		if (read_number(path) != 0x11e8)
			continue;
		snprintf(bdf, len, "%s", e->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

/* The card number of the class device above PCI function bdf, or -1. */
static int card_of(const char *bdf)
{
	char path[PATH_MAX], want[PATH_MAX], got[PATH_MAX];
	DIR *d = opendir(CLASS_DIR);
	struct dirent *e;
	int card = -1;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s", bdf);
	if (!d || !realpath(path, want)) {
		if (d)
			closedir(d);
		return -1;
	}
	while (card < 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, "tenstorrent!", 12))
			continue;
		snprintf(path, sizeof(path), CLASS_DIR "/%s/device", e->d_name);
		if (realpath(path, got) && !strcmp(got, want))
			card = atoi(e->d_name + 12);
	}
	closedir(d);
	return card;
}

FIXTURE(removed) {
	int fd;
	char bdf[NAME_MAX + 1];
	bool id_added;
};

FIXTURE_SETUP(removed)
{
	char path[PATH_MAX];
	int card, ret, i;

	self->fd = -1;
	if (geteuid())
		SETUP_SKIP("binding a PCI device needs root");
	if (!find_edu(self->bdf, sizeof(self->bdf)))
		SETUP_SKIP("no qemu edu device (qemu -device edu)");
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", self->bdf);
	if (!access(path, F_OK))
		SETUP_SKIP("edu %s is bound to a driver already", self->bdf);

	ret = write_text(PCI_DRIVER "/new_id", "1234 11e8 ffffffff ffffffff 0 0 1");
	ASSERT_TRUE(ret == 0 || ret == -EEXIST) {
		TH_LOG("new_id: %s", strerror(-ret));
	}
	self->id_added = !ret;
	card = card_of(self->bdf);
	ASSERT_LE(0, card) {
		TH_LOG("edu %s did not become a card", self->bdf);
	}
	for (i = 0; i < 100 && self->fd < 0; i++) {
		self->fd = open_card(card);
		if (self->fd < 0)
			usleep(20000);
	}
	ASSERT_LE(0, self->fd) {
		TH_LOG("/dev/tenstorrent/%d: %s", card, strerror(errno));
	}
}

FIXTURE_TEARDOWN(removed)
{
	char path[PATH_MAX];

	if (self->fd >= 0)
		close(self->fd);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", self->bdf);
	if (!access(path, F_OK))
		write_text(PCI_DRIVER "/unbind", self->bdf);
	if (self->id_added)
		write_text(PCI_DRIVER "/remove_id", "1234 11e8");
}

/* After the card is unbound every ioctl fails with ENODEV; close works. */
TEST_F(removed, ioctls_enodev_then_close)
{
	struct tenstorrent_track_op op = op_alloc(0x99, 64, TT_BUFFER_TYPE_L1);
	stats_t s;

	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM));
	ASSERT_EQ(0, track_alloc(self->fd, 0x10000, 64, TT_BUFFER_TYPE_L1));
	SNAPSHOT(self->fd, &s);
	EXPECT_EQ(MiB, s.file.dram_allocated);
	EXPECT_EQ(MiB, s.dram_allocated);

	ASSERT_EQ(0, write_text(PCI_DRIVER "/unbind", self->bdf));

	EXPECT_EQ(-ENODEV, track_alloc(self->fd, 0x99, 64, TT_BUFFER_TYPE_L1));
	EXPECT_EQ(-ENODEV, track_free(self->fd, 0x10000));
	EXPECT_EQ(-ENODEV, query(self->fd, &s));
	EXPECT_EQ(-ENODEV, track_batch(self->fd, &op, 1, NULL));
	EXPECT_EQ(-ENODEV, get_info(self->fd, NULL));
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
}

int main(int argc, char **argv)
{
	int fd = open_card(0);

	if (fd < 0)
		ksft_exit_skip("cannot open /dev/tenstorrent/0: %s\n", strerror(errno));
	if (get_info(fd, NULL) == -ENOTTY)
		ksft_exit_skip("the driver has no allocation tracking\n");
	close(fd);
	return test_harness_run(argc, argv);
}
