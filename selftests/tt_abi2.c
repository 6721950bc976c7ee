// SPDX-License-Identifier: GPL-2.0-only
/*
 * What version 2 of the tracking ABI adds, against real runtimes' habits:
 * a record is (type, id), so tt-metal's overlapping DRAM, L1 and circular
 * buffer addresses coexist; circular buffers and kernel binaries are types;
 * repeated reports count references; one batch records a buffer on every
 * card of a mesh; capacities bound what a file may claim; files opened
 * read-only cannot change records; a per-user cap bounds records over all
 * files; structs grow at the end of their input. Each error path: its
 * errno, and nothing changed.
 *
 * Expects the module loaded with at least two simulated cards (the suite's
 * sim_cards=2); tests that need the second card or root skip without them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_track_helpers.h"

#define CARD0		"/sys/class/tenstorrent/tenstorrent!0"
#define PARAMS		"/sys/module/tenstorrent/parameters"
#define SIM_DIR		"/sys/kernel/debug/tenstorrent/sim"

enum { DRAM = TT_BUFFER_TYPE_DRAM, L1 = TT_BUFFER_TYPE_L1,
       CB = TT_BUFFER_TYPE_CB, KERNEL = TT_BUFFER_TYPE_KERNEL };

static int alloc_flags(int fd, __u64 id, __u64 size, __u32 type, __u32 flags,
		       struct tenstorrent_track_alloc_out *out)
{
	struct tenstorrent_track_alloc arg = {
		.in = { .buffer_id = id, .size = size, .buffer_type = type,
			.flags = flags },
	};
	int ret = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &arg);

	if (out)
		*out = arg.out;
	return ret;
}

static int batch(int fd, const struct tenstorrent_track_op *ops, __u32 count,
		 struct tenstorrent_track_batch_out *out)
{
	struct tenstorrent_track_batch arg = {
		.out = { .processed = 12345, .failed = 12345 },
		.in = { .ops = (uintptr_t)ops, .count = count },
	};
	int ret = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg);

	*out = arg.out;
	return ret;
}

static struct tenstorrent_track_op op(__u16 kind, __u64 id, __u64 size,
				      __u32 type, __u16 flags, int fd)
{
	return (struct tenstorrent_track_op){
		.buffer_id = id, .size = size, .buffer_type = type,
		.op = kind, .flags = flags, .fd = fd,
	};
}

static long long card_number(int card, const char *attr)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/tenstorrent/tenstorrent!%d/%s",
		 card, attr);
	return read_number(path);
}

/* Does debugfs's buffers table of card 0 have the line @want? */
static int buffers_line(const char *want)
{
	char line[256];
	FILE *f = fopen("/sys/kernel/debug/tenstorrent/0/buffers", "re");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)))
			found = 1;
	fclose(f);
	return found;
}

FIXTURE(abi2) {
	int fd;
};

FIXTURE_SETUP(abi2)
{
	self->fd = open_card(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(abi2)
{
	close(self->fd);
}

/* ---- identity: (type, id) ---- */

/* tt-metal: a DRAM buffer, an L1 buffer and a CB at one address */
TEST_F(abi2, same_id_in_three_types)
{
	stats_t before, after;

	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, track_alloc(self->fd, 0x100000, 4096, DRAM));
	ASSERT_EQ(0, track_alloc(self->fd, 0x100000, 2048, L1));
	ASSERT_EQ(0, track_alloc(self->fd, 0x100000, 1024, CB));
	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(before.file.dram_allocated + 4096, after.file.dram_allocated);
	EXPECT_EQ(before.file.l1_allocated + 2048, after.file.l1_allocated);
	EXPECT_EQ(before.file.cb_allocated + 1024, after.file.cb_allocated);

	/* each is its own record: typed frees take the one named */
	struct tenstorrent_track_free_out out;

	ASSERT_EQ(0, free_typed(self->fd, 0x100000, L1, &out));
	EXPECT_EQ(2048ULL, out.size);
	EXPECT_EQ((__u32)L1, out.buffer_type);
	EXPECT_EQ(0U, out.refs);
	EXPECT_EQ(-ENOENT, free_typed(self->fd, 0x100000, L1, NULL));
	ASSERT_EQ(0, free_typed(self->fd, 0x100000, CB, &out));
	EXPECT_EQ(1024ULL, out.size);
	/* one type left: an untyped free finds it */
	ASSERT_EQ(0, track_free_out(self->fd, 0x100000, &out));
	EXPECT_EQ((__u32)DRAM, out.buffer_type);
	SNAPSHOT(self->fd, &after);
	expect_live_back(_metadata, &before, &after);
}

/* An untyped free of an id live in two types: ENOTUNIQ, nothing freed */
TEST_F(abi2, untyped_free_ambiguous)
{
	stats_t before, after;

	ASSERT_EQ(0, track_alloc(self->fd, 0x200000, 4096, DRAM));
	ASSERT_EQ(0, track_alloc(self->fd, 0x200000, 64, KERNEL));
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ENOTUNIQ, track_free(self->fd, 0x200000));
	SNAPSHOT(self->fd, &after);
	expect_live_back(_metadata, &before, &after);

	/* the same in a batch: it fails there, as that op */
	struct tenstorrent_track_op ops[] = {
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x200040, 32, L1, 0, 0),
		op(TENSTORRENT_TRACK_OP_FREE, 0x200000, 0, 0, 0, 0),
	};
	struct tenstorrent_track_batch_out bout;

	EXPECT_EQ(-ENOTUNIQ, batch(self->fd, ops, 2, &bout));
	EXPECT_EQ(1U, bout.processed);
	EXPECT_EQ(1U, bout.failed);
	EXPECT_EQ(0, free_typed(self->fd, 0x200040, L1, NULL));
	SNAPSHOT(self->fd, &after);
	expect_live_back(_metadata, &before, &after);
	EXPECT_EQ(0, free_typed(self->fd, 0x200000, DRAM, NULL));
	EXPECT_EQ(0, free_typed(self->fd, 0x200000, KERNEL, NULL));
}

/* A typed free of a type not live, and of an unknown type */
TEST_F(abi2, typed_free_errors)
{
	stats_t before, after;

	ASSERT_EQ(0, track_alloc(self->fd, 0x300000, 4096, DRAM));
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-ENOENT, free_typed(self->fd, 0x300000, L1, NULL));
	EXPECT_EQ(-EINVAL, free_typed(self->fd, 0x300000, TT_BUFFER_TYPE_COUNT,
				     NULL));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &before, &after);
	EXPECT_EQ(0, free_typed(self->fd, 0x300000, DRAM, NULL));
}

/* ---- types CB and KERNEL ---- */

TEST_F(abi2, cb_and_kernel_everywhere)
{
	struct tenstorrent_tracking_info info = { 0 };

	ASSERT_EQ(0, tt_ioctl(self->fd, TENSTORRENT_IOCTL_GET_TRACKING_INFO,
			      &info));
	EXPECT_TRUE(info.out.buffer_types & (1U << CB));
	EXPECT_TRUE(info.out.buffer_types & (1U << KERNEL));

	long long cb0 = card_number(0, "cb_allocated");
	long long k0 = card_number(0, "kernel_allocated");

	ASSERT_LE(0, cb0);
	ASSERT_LE(0, k0);
	ASSERT_EQ(0, track_alloc(self->fd, 0x1000, 3000, CB));
	ASSERT_EQ(0, track_alloc(self->fd, 0x1000, 5000, KERNEL));
	/* sysfs is read fresh; the values include this file's */
	EXPECT_EQ(cb0 + 3000, card_number(0, "cb_allocated"));
	EXPECT_EQ(k0 + 5000, card_number(0, "kernel_allocated"));
	EXPECT_LE(cb0 + 3000, card_number(0, "cb_peak"));
	EXPECT_LE(k0 + 5000, card_number(0, "kernel_peak"));
	if (!geteuid()) {
		char want[64];

		snprintf(want, sizeof(want), "%d 0x1000 cb 3000 1 ", getpid());
		EXPECT_EQ(1, buffers_line(want));
		snprintf(want, sizeof(want), "%d 0x1000 kernel 5000 1 ", getpid());
		EXPECT_EQ(1, buffers_line(want));
	}
	EXPECT_EQ(0, free_typed(self->fd, 0x1000, CB, NULL));
	EXPECT_EQ(0, free_typed(self->fd, 0x1000, KERNEL, NULL));
	EXPECT_EQ(cb0, card_number(0, "cb_allocated"));
}

/* ---- repeated reports ---- */

TEST_F(abi2, repeated_report_counts_references)
{
	struct tenstorrent_track_alloc_out aout;
	struct tenstorrent_track_free_out fout;
	stats_t before, mid, after;
	char want[64];

	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, alloc_flags(self->fd, 0x400000, 8192, DRAM,
				 TENSTORRENT_TRACK_REF, &aout));
	EXPECT_EQ(1U, aout.refs);
	ASSERT_EQ(0, alloc_flags(self->fd, 0x400000, 8192, DRAM,
				 TENSTORRENT_TRACK_REF, &aout));
	EXPECT_EQ(2U, aout.refs);
	ASSERT_EQ(0, alloc_flags(self->fd, 0x400000, 8192, DRAM,
				 TENSTORRENT_TRACK_REF, &aout));
	EXPECT_EQ(3U, aout.refs);
	/* counted once */
	SNAPSHOT(self->fd, &mid);
	EXPECT_EQ(before.file.dram_allocated + 8192, mid.file.dram_allocated);
	EXPECT_EQ(before.file.dram_buffers + 1, mid.file.dram_buffers);
	EXPECT_EQ(before.dram_allocated + 8192, mid.dram_allocated);
	if (!geteuid()) {
		snprintf(want, sizeof(want), "%d 0x400000 dram 8192 3 ", getpid());
		EXPECT_EQ(1, buffers_line(want));
	}

	/* without the flag a live buffer is still EEXIST; another size too */
	EXPECT_EQ(-EEXIST, alloc_flags(self->fd, 0x400000, 8192, DRAM, 0, NULL));
	EXPECT_EQ(-EEXIST, alloc_flags(self->fd, 0x400000, 4096, DRAM,
				      TENSTORRENT_TRACK_REF, NULL));
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &mid, &after);

	/* the buffer goes with its last free */
	ASSERT_EQ(0, track_free_out(self->fd, 0x400000, &fout));
	EXPECT_EQ(2U, fout.refs);
	EXPECT_EQ(8192ULL, fout.size);
	ASSERT_EQ(0, track_free_out(self->fd, 0x400000, &fout));
	EXPECT_EQ(1U, fout.refs);
	SNAPSHOT(self->fd, &after);
	expect_unchanged(_metadata, &mid, &after);
	ASSERT_EQ(0, track_free_out(self->fd, 0x400000, &fout));
	EXPECT_EQ(0U, fout.refs);
	EXPECT_EQ(-ENOENT, track_free(self->fd, 0x400000));
	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(before.file.dram_allocated, after.file.dram_allocated);
	EXPECT_EQ(before.dram_allocated, after.dram_allocated);
	EXPECT_EQ(before.file.dram_buffers, after.file.dram_buffers);
}

/* References through a batch; a record with references goes at close too */
TEST_F(abi2, repeated_report_in_batch)
{
	struct tenstorrent_track_op ops[] = {
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x500000, 100, L1,
		   TENSTORRENT_TRACK_REF, 0),
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x500000, 100, L1,
		   TENSTORRENT_TRACK_REF, 0),
		op(TENSTORRENT_TRACK_OP_FREE, 0x500000, 0, L1,
		   TENSTORRENT_TRACK_TYPED, 0),
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x500000, 99, L1,
		   TENSTORRENT_TRACK_REF, 0),
	};
	struct tenstorrent_track_batch_out out;
	long long l1 = card_number(0, "l1_allocated");
	int fd = open_card(0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, batch(fd, ops, 4, &out));
	EXPECT_EQ(3U, out.processed);
	EXPECT_EQ(3U, out.failed);
	EXPECT_EQ(l1 + 100, card_number(0, "l1_allocated"));
	close(fd);
	EXPECT_EQ(l1, card_number(0, "l1_allocated"));
}

/* ---- capacities ---- */

TEST_F(abi2, capacities_in_sysfs)
{
	long long dram = card_number(0, "dram_total");
	long long l1 = card_number(0, "l1_total");
	long long sys = card_number(0, "system_memory_total");

	EXPECT_LT(0, dram);
	EXPECT_LT(0, l1);
	EXPECT_LT(0, sys);
	/* a simulated card is a Wormhole unless told otherwise */
	EXPECT_EQ(12LL << 30, dram);
	EXPECT_EQ((80LL * 1464 + 16 * 256) << 10, l1);
}

/* L1, L1_SMALL, CB and KERNEL share the L1: together bounded by l1_total */
TEST_F(abi2, l1_types_share_capacity)
{
	long long l1 = card_number(0, "l1_total");
	int fd = open_card(0);
	stats_t before, after;

	ASSERT_LE(0, fd);
	ASSERT_LT(0, l1);
	ASSERT_EQ(0, track_alloc(fd, 0x10, l1 / 4, L1));
	ASSERT_EQ(0, track_alloc(fd, 0x10, l1 / 4, CB));
	ASSERT_EQ(0, track_alloc(fd, 0x10, l1 / 4, KERNEL));
	ASSERT_EQ(0, track_alloc(fd, 0x10, l1 - 3 * (l1 / 4),
				 TT_BUFFER_TYPE_L1_SMALL));
	SNAPSHOT(fd, &before);
	EXPECT_EQ(-ERANGE, track_alloc(fd, 0x20, 1, CB));
	EXPECT_EQ(-ERANGE, track_alloc(fd, 0x20, 1, L1));
	/* DRAM is another memory */
	EXPECT_EQ(0, track_alloc(fd, 0x20, 1, DRAM));
	EXPECT_EQ(0, free_typed(fd, 0x20, DRAM, NULL));
	SNAPSHOT(fd, &after);
	expect_live_back(_metadata, &before, &after);
	/* another file is not harmed by this one's claims */
	EXPECT_EQ(0, track_alloc(self->fd, 0x10, l1, L1));
	EXPECT_EQ(0, track_free(self->fd, 0x10));
	close(fd);
}

/* ---- read-only files ---- */

TEST(read_only_file_cannot_change_records)
{
	struct tenstorrent_track_op ops[] = {
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x600000, 64, DRAM, 0, 0),
	};
	struct tenstorrent_query_alloc_stats q = { 0 };
	struct tenstorrent_tracking_info info = { 0 };
	struct tenstorrent_track_batch_out out;
	stats_t before, after;
	int rw = open_card(0);
	int ro = open("/dev/tenstorrent/0", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, rw);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, track_alloc(rw, 0x600000, 64, DRAM));
	SNAPSHOT(rw, &before);
	EXPECT_EQ(-EBADF, track_alloc(ro, 0x600040, 64, DRAM));
	EXPECT_EQ(-EBADF, track_free(ro, 0x600000));
	EXPECT_EQ(-EBADF, batch(ro, ops, 1, &out));
	/* refused as a whole: no op named */
	EXPECT_EQ(0U, out.processed);
	EXPECT_EQ(TENSTORRENT_TRACK_BATCH_NONE, out.failed);
	/* the read-only file sees the card */
	EXPECT_EQ(0, tt_ioctl(ro, TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, &q));
	EXPECT_EQ(before.dram_allocated, q.out.dram_allocated);
	EXPECT_EQ(0ULL, q.out.file.dram_buffers);
	EXPECT_EQ(0, tt_ioctl(ro, TENSTORRENT_IOCTL_GET_TRACKING_INFO, &info));
	EXPECT_EQ((__u32)TENSTORRENT_TRACK_ABI_VERSION, info.out.abi_version);
	SNAPSHOT(rw, &after);
	expect_unchanged(_metadata, &before, &after);
	close(ro);
	close(rw);
}

/* ---- one call for a mesh ---- */

/* One batch records a buffer on two cards; each file's release cleans up */
TEST(mesh_batch_records_on_every_target)
{
	int fd0 = open_card(0), fd1 = open_card(1);
	long long d0, d1;

	if (fd1 < 0)
		SKIP(return, "no second card");
	ASSERT_LE(0, fd0);
	d0 = card_number(0, "dram_allocated");
	d1 = card_number(1, "dram_allocated");

	struct tenstorrent_track_op ops[] = {
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x800000000ULL, 1 << 20, DRAM,
		   TENSTORRENT_TRACK_TARGET, fd0),
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x800000000ULL, 1 << 20, DRAM,
		   TENSTORRENT_TRACK_TARGET, fd1),
	};
	struct tenstorrent_track_batch_out out;
	stats_t s1;

	/* the call goes through card 0's file; the records are the targets' */
	ASSERT_EQ(0, batch(fd0, ops, 2, &out));
	EXPECT_EQ(2U, out.processed);
	EXPECT_EQ(TENSTORRENT_TRACK_BATCH_NONE, out.failed);
	EXPECT_EQ(d0 + (1 << 20), card_number(0, "dram_allocated"));
	EXPECT_EQ(d1 + (1 << 20), card_number(1, "dram_allocated"));
	SNAPSHOT(fd1, &s1);
	EXPECT_EQ(1ULL, s1.file.dram_buffers);
	close(fd1);
	EXPECT_EQ(d1, card_number(1, "dram_allocated"));
	EXPECT_EQ(0, track_free(fd0, 0x800000000ULL));
	close(fd0);
}

/*
 * Bad targets: not a tracking file, closed, read-only. Each fails as its
 * op, after the ops before it, which stay applied.
 */
TEST(mesh_batch_bad_targets)
{
	int fd = open_card(0), ro = open("/dev/tenstorrent/0", O_RDONLY);
	int null = open("/dev/null", O_RDWR), closed = dup(fd);
	const struct {
		int target;
		int err;
		const char *what;
	} bad[] = {
		{ null, -ENOTTY, "/dev/null" },
		{ closed, -EBADF, "a closed descriptor" },
		{ -1, -EBADF, "descriptor -1" },
		{ ro, -EBADF, "a read-only card file" },
	};
	size_t i;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, ro);
	ASSERT_LE(0, null);
	ASSERT_LE(0, closed);
	close(closed);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tenstorrent_track_op ops[] = {
			op(TENSTORRENT_TRACK_OP_ALLOC, 0x700000, 64, DRAM,
			   TENSTORRENT_TRACK_TARGET, fd),
			op(TENSTORRENT_TRACK_OP_ALLOC, 0x700000, 64, DRAM,
			   TENSTORRENT_TRACK_TARGET, bad[i].target),
			op(TENSTORRENT_TRACK_OP_ALLOC, 0x700040, 64, DRAM, 0, 0),
		};
		struct tenstorrent_track_batch_out out;
		stats_t before, after;

		SNAPSHOT(fd, &before);
		EXPECT_EQ(bad[i].err, batch(fd, ops, 3, &out)) {
			TH_LOG("%s", bad[i].what);
		}
		EXPECT_EQ(1U, out.processed);
		EXPECT_EQ(1U, out.failed);
		SNAPSHOT(fd, &after);
		EXPECT_EQ(before.file.dram_buffers + 1, after.file.dram_buffers);
		EXPECT_EQ(0, track_free(fd, 0x700000));
		SNAPSHOT(fd, &after);
		expect_live_back(_metadata, &before, &after);
	}
	/* a target fd without the flag, or the flag with a non-zero reserved */
	struct tenstorrent_track_op stray = op(TENSTORRENT_TRACK_OP_ALLOC,
					       0x700000, 64, DRAM, 0, fd);
	struct tenstorrent_track_batch_out out;

	EXPECT_EQ(-EINVAL, batch(fd, &stray, 1, &out));
	EXPECT_EQ(0U, out.failed);
	close(null);
	close(ro);
	close(fd);
}

/* A target whose card was removed: ENODEV as that op */
TEST(mesh_batch_removed_card)
{
	char num[16];
	int fd = open_card(0), gone, n;

	if (geteuid() || access(SIM_DIR "/new_card", W_OK))
		SKIP(return, "needs root and the simulated cards' debugfs");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_text(SIM_DIR "/new_card", "0\n"));
	/* the new card is the highest index; its sim index is its name */
	for (n = 31; n >= 0; n--) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/tenstorrent/%d", n);
		if (!access(path, F_OK))
			break;
	}
	ASSERT_LT(0, n);
	gone = open_card(n);
	ASSERT_LE(0, gone);

	char link[PATH_MAX], path[96];
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/class/tenstorrent/tenstorrent!%d/device", n);
	len = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, len);
	link[len] = 0;
	ASSERT_NE(NULL, strstr(link, "ttsim"));
	snprintf(num, sizeof(num), "%s\n", strstr(link, "ttsim") + 5);
	ASSERT_EQ(0, write_text(SIM_DIR "/del_card", num));

	struct tenstorrent_track_op ops[] = {
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x710000, 64, DRAM, 0, 0),
		op(TENSTORRENT_TRACK_OP_ALLOC, 0x710000, 64, DRAM,
		   TENSTORRENT_TRACK_TARGET, gone),
	};
	struct tenstorrent_track_batch_out out;

	EXPECT_EQ(-ENODEV, batch(fd, ops, 2, &out));
	EXPECT_EQ(1U, out.processed);
	EXPECT_EQ(1U, out.failed);
	EXPECT_EQ(0, track_free(fd, 0x710000));
	close(gone);
	close(fd);
}

/* ---- the per-user cap ---- */

TEST(per_user_cap)
{
	long long saved = read_number(PARAMS "/max_user_records");
	int a = open_card(0), b = open_card(1), status, i;
	stats_t before, after;
	struct stat st;
	char num[32];
	pid_t pid;

	if (geteuid() || saved < 0)
		SKIP(return, "needs root to set max_user_records");
	ASSERT_LE(0, a);
	if (b < 0)
		b = open_card(0);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, write_text(PARAMS "/max_user_records", "3\n"));
	EXPECT_EQ(0, track_alloc(a, 0x1, 64, DRAM));
	EXPECT_EQ(0, track_alloc(a, 0x1, 64, L1));
	EXPECT_EQ(0, track_alloc(b, 0x1, 64, DRAM));
	SNAPSHOT(a, &before);
	/* the fourth record of this user, on any file or card */
	EXPECT_EQ(-EDQUOT, track_alloc(a, 0x2, 64, DRAM));
	EXPECT_EQ(-EDQUOT, track_alloc(b, 0x2, 64, DRAM));
	/* a reference is not a record */
	EXPECT_EQ(0, alloc_flags(a, 0x1, 64, DRAM, TENSTORRENT_TRACK_REF, NULL));
	EXPECT_EQ(0, free_typed(a, 0x1, DRAM, NULL));
	SNAPSHOT(a, &after);
	expect_unchanged(_metadata, &before, &after);

	/* another user, who may open the card for this, has a count of their own */
	ASSERT_EQ(0, stat("/dev/tenstorrent/0", &st));
	ASSERT_EQ(0, chmod("/dev/tenstorrent/0", 0666));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		CHILD_CHECK(!setgid(65534) && !setuid(65534));
		fd = open("/dev/tenstorrent/0", O_RDWR);
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(track_alloc(fd, 0x2, 64, DRAM) == 0);
		_exit(0);
	}
	status = wait_child(pid);
	EXPECT_EQ(0, chmod("/dev/tenstorrent/0", st.st_mode & 07777));
	EXPECT_EQ(0, status);

	/* a free makes room; closing a file gives its records back */
	EXPECT_EQ(0, free_typed(a, 0x1, L1, NULL));
	EXPECT_EQ(0, track_alloc(a, 0x3, 64, DRAM));
	close(b);
	EXPECT_EQ(0, track_alloc(a, 0x4, 64, DRAM));
	close(a);
	/* 0 is the default again, derived from RAM: far more than 3 */
	EXPECT_EQ(0, write_text(PARAMS "/max_user_records", "0\n"));
	a = open_card(0);
	ASSERT_LE(0, a);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, track_alloc(a, 0x10 + i, 64, DRAM));
	close(a);
	snprintf(num, sizeof(num), "%lld\n", saved);
	EXPECT_EQ(0, write_text(PARAMS "/max_user_records", num));
}

/* ---- structs that grow ---- */

/*
 * Every ioctl: its struct a little longer, with a zero tail, works; with a
 * non-zero tail, E2BIG and nothing changed; shorter than this version's,
 * ENOTTY.
 */
TEST_F(abi2, structs_grow_at_the_end)
{
	static const unsigned long cmds[] = {
		TENSTORRENT_IOCTL_TRACK_ALLOC, TENSTORRENT_IOCTL_TRACK_FREE,
		TENSTORRENT_IOCTL_QUERY_ALLOC_STATS,
		TENSTORRENT_IOCTL_TRACK_BATCH,
		TENSTORRENT_IOCTL_GET_TRACKING_INFO,
	};
	struct tenstorrent_track_op one = op(TENSTORRENT_TRACK_OP_ALLOC,
					     0x900000, 64, L1, 0, 0);
	stats_t before, after;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		unsigned int size = _IOC_SIZE(cmds[i]);
		unsigned long longer = _IOC(_IOC_READ | _IOC_WRITE,
					    TENSTORRENT_TRACK_IOCTL_MAGIC,
					    _IOC_NR(cmds[i]), size + 8);
		unsigned long shorter = _IOC(_IOC_READ | _IOC_WRITE,
					     TENSTORRENT_TRACK_IOCTL_MAGIC,
					     _IOC_NR(cmds[i]), size - 8);
		union {
			struct tenstorrent_track_alloc alloc;
			struct tenstorrent_track_free free;
			struct tenstorrent_track_batch batch;
			unsigned char bytes[512];
		} arg;

		memset(&arg, 0, sizeof(arg));
		if (cmds[i] == TENSTORRENT_IOCTL_TRACK_ALLOC) {
			arg.alloc.in.buffer_id = 0x900000;
			arg.alloc.in.size = 64;
			arg.alloc.in.buffer_type = L1;
		} else if (cmds[i] == TENSTORRENT_IOCTL_TRACK_FREE) {
			arg.free.in.buffer_id = 0x900000;
		} else if (cmds[i] == TENSTORRENT_IOCTL_TRACK_BATCH) {
			arg.batch.in.ops = (uintptr_t)&one;
			arg.batch.in.count = 1;
		}
		SNAPSHOT(self->fd, &before);
		arg.bytes[size] = 1;
		EXPECT_EQ(-E2BIG, tt_ioctl(self->fd, longer, &arg)) {
			TH_LOG("ioctl 0x%x", _IOC_NR(cmds[i]));
		}
		EXPECT_EQ(-ENOTTY, tt_ioctl(self->fd, shorter, &arg));
		SNAPSHOT(self->fd, &after);
		expect_unchanged(_metadata, &before, &after);
		arg.bytes[size] = 0;
		EXPECT_EQ(0, tt_ioctl(self->fd, longer, &arg)) {
			TH_LOG("ioctl 0x%x", _IOC_NR(cmds[i]));
		}
		EXPECT_EQ(0, arg.bytes[size]);
	}
	/* alloc, free, alloc (batch): one record left */
	EXPECT_EQ(0, free_typed(self->fd, 0x900000, L1, NULL));
}

/* Batch ops larger than the driver knows: zero tails work, others E2BIG */
TEST_F(abi2, batch_op_size_grows)
{
	struct big_op {
		struct tenstorrent_track_op op;
		__u64 future;
	} ops[3];
	struct tenstorrent_track_batch arg = {
		.in = { .ops = (uintptr_t)ops, .count = 3,
			.op_size = sizeof(ops[0]) },
	};
	stats_t before, after;

	memset(ops, 0, sizeof(ops));
	ops[0].op = op(TENSTORRENT_TRACK_OP_ALLOC, 0xa00000, 64, L1, 0, 0);
	ops[1].op = op(TENSTORRENT_TRACK_OP_ALLOC, 0xa00040, 64, L1, 0, 0);
	ops[2].op = op(TENSTORRENT_TRACK_OP_FREE, 0xa00000, 0, 0, 0, 0);
	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg));
	EXPECT_EQ(3U, arg.out.processed);
	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(before.file.l1_buffers + 1, after.file.l1_buffers);

	/* op 1's unknown tail set: op 0 applied, op 1 E2BIG */
	ops[0].op.buffer_id = 0xa00080;
	ops[1].future = 1;
	SNAPSHOT(self->fd, &before);
	EXPECT_EQ(-E2BIG, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg));
	EXPECT_EQ(1U, arg.out.processed);
	EXPECT_EQ(1U, arg.out.failed);
	EXPECT_EQ(0, track_free(self->fd, 0xa00080));
	EXPECT_EQ(0, track_free(self->fd, 0xa00040));
}

/* Version 1's 24-byte ops still work in a version 2 batch */
TEST_F(abi2, batch_op_size_v1)
{
	unsigned char ops[2][24];
	struct tenstorrent_track_op o = op(TENSTORRENT_TRACK_OP_ALLOC,
					   0xb00000, 64, L1, 0, 0);
	struct tenstorrent_track_batch arg = {
		.in = { .ops = (uintptr_t)ops, .count = 2, .op_size = 24 },
	};

	memcpy(ops[0], &o, 24);
	o.buffer_id += 64;
	memcpy(ops[1], &o, 24);
	ASSERT_EQ(0, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg));
	EXPECT_EQ(2U, arg.out.processed);
	EXPECT_EQ(0, track_free(self->fd, 0xb00000));
	EXPECT_EQ(0, track_free(self->fd, 0xb00040));

	/* a 24-byte op has no fd: a target is an unknown flag there */
	o.flags = TENSTORRENT_TRACK_TARGET;
	memcpy(ops[1], &o, 24);
	EXPECT_EQ(-EINVAL, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg));
	EXPECT_EQ(1U, arg.out.processed);
	EXPECT_EQ(1U, arg.out.failed);
	EXPECT_EQ(0, track_free(self->fd, 0xb00000));
}

/* A batch refused as a whole is told apart from its op 0 failing */
TEST_F(abi2, batch_refused_or_op0)
{
	struct tenstorrent_track_op bad = op(TENSTORRENT_TRACK_OP_ALLOC,
					     0xc00000, 0, L1, 0, 0);
	struct tenstorrent_track_batch arg = {
		.in = { .ops = (uintptr_t)&bad, .count = 1, .flags = 1 },
	};

	EXPECT_EQ(-EINVAL, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg));
	EXPECT_EQ(TENSTORRENT_TRACK_BATCH_NONE, arg.out.failed);
	arg.in.flags = 0;
	EXPECT_EQ(-EINVAL, tt_ioctl(self->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg));
	EXPECT_EQ(0U, arg.out.failed);
	EXPECT_EQ(0U, arg.out.processed);
}

int main(int argc, char **argv)
{
	return tracking_tests_main(argc, argv);
}
