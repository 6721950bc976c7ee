// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the allocation tracking core: the record store (hash
 * table: lookups, resizing, memory, walks) and the tracking rules on top
 * (totals, peaks, identity by type and id, references, capacities, errors,
 * release), and the escape of command names.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kthread.h>
#include <linux/limits.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>

#include "track_internal.h"

/* ---- the store alone ---- */

struct tt_track_store_test_ctx {
	struct tt_track_store s;
};

static int tt_track_store_test_init(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	tt_track_store_init(&ctx->s);
	test->priv = ctx;
	return 0;
}

static void tt_track_store_test_exit(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;

	if (ctx)
		tt_track_store_drain(&ctx->s);
}

/* A size that tells records apart: from their id and type */
static u64 tt_track_store_test_size(u64 id, u32 type)
{
	return ((id * 0x9e3779b97f4a7c15ULL) >> 8) + type + 1;
}

/* Add a record of (@id, @type); fails the test when it cannot */
static void tt_track_store_test_add(struct kunit *test, u64 id, u32 type)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	struct tt_track_record *rec;

	KUNIT_ASSERT_EQ(test, tt_track_store_reserve(&ctx->s, GFP_KERNEL), 0);
	rec = tt_track_store_insert(&ctx->s, id, type,
				    tt_track_store_test_size(id, type), 0,
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_ASSERT_EQ(test, (u32)rec->refs, 1);
}

/* Is (@id, @type) in the store, with the size it was added with? */
static bool tt_track_store_test_has(struct kunit *test, u64 id, u32 type)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	struct tt_track_record **slot;

	slot = tt_track_store_find(&ctx->s, id, type);
	return slot && (*slot)->id == id && (*slot)->type == type &&
	       (*slot)->size == tt_track_store_test_size(id, type);
}

/* Take the record of (@id, @type) out; false when absent */
static bool tt_track_store_test_del(struct kunit *test, u64 id, u32 type)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	struct tt_track_record **slot;

	slot = tt_track_store_find(&ctx->s, id, type);
	if (!slot)
		return false;
	tt_track_store_remove(&ctx->s, slot, GFP_KERNEL);
	return true;
}

/* A record is found by (id, type), not by either alone */
static void tt_track_store_test_find(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_NULL(test, tt_track_store_find(&ctx->s, 0x100000, 0));
	tt_track_store_test_add(test, 0x100000, TT_BUFFER_TYPE_DRAM);
	tt_track_store_test_add(test, 0x100000, TT_BUFFER_TYPE_L1);
	KUNIT_EXPECT_TRUE(test, tt_track_store_test_has(test, 0x100000,
							TT_BUFFER_TYPE_DRAM));
	KUNIT_EXPECT_TRUE(test, tt_track_store_test_has(test, 0x100000,
							TT_BUFFER_TYPE_L1));
	KUNIT_EXPECT_NULL(test, tt_track_store_find(&ctx->s, 0x100000,
						    TT_BUFFER_TYPE_CB));
	KUNIT_EXPECT_NULL(test, tt_track_store_find(&ctx->s, 0x100020,
						    TT_BUFFER_TYPE_DRAM));
	KUNIT_EXPECT_EQ(test, ctx->s.count, 2);
}

/* find_id counts an id's records over all types */
static void tt_track_store_test_find_id(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	struct tt_track_record **slot = NULL;
	u32 t;

	KUNIT_EXPECT_EQ(test, tt_track_store_find_id(&ctx->s, 7, &slot), 0);
	tt_track_store_test_add(test, 7, TT_BUFFER_TYPE_CB);
	KUNIT_EXPECT_EQ(test, tt_track_store_find_id(&ctx->s, 7, &slot), 1);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_EXPECT_EQ(test, (u32)(*slot)->type, TT_BUFFER_TYPE_CB);
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		if (t != TT_BUFFER_TYPE_CB)
			tt_track_store_test_add(test, 7, t);
	KUNIT_EXPECT_EQ(test, tt_track_store_find_id(&ctx->s, 7, &slot),
			TT_BUFFER_TYPE_COUNT);
	KUNIT_EXPECT_EQ(test, tt_track_store_find_id(&ctx->s, 8, &slot), 0);
}

/*
 * Growing and shrinking keep every record, and the table stays within one
 * to two records per bucket while growing, a half to two while shrinking.
 */
static void tt_track_store_test_resize(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	const unsigned long n = 50000;
	unsigned long i, buckets;
	u64 id;

	for (i = 0; i < n; i++) {
		tt_track_store_test_add(test, 0x800000000ULL + i * SZ_1M,
					TT_BUFFER_TYPE_DRAM);
		buckets = 1UL << ctx->s.bits;
		if (i >= 64)
			KUNIT_ASSERT_TRUE(test, i + 1 >= buckets &&
					  i + 1 <= 2 * buckets);
	}
	for (i = 0; i < n; i++) {
		id = 0x800000000ULL + i * SZ_1M;
		KUNIT_ASSERT_TRUE(test, tt_track_store_test_has(test, id,
								TT_BUFFER_TYPE_DRAM));
	}
	for (i = 0; i < n - 10; i++) {
		id = 0x800000000ULL + i * SZ_1M;
		KUNIT_ASSERT_TRUE(test, tt_track_store_test_del(test, id,
								TT_BUFFER_TYPE_DRAM));
		buckets = 1UL << ctx->s.bits;
		if (ctx->s.bits > 4)
			KUNIT_ASSERT_TRUE(test, 2 * (n - i - 1) >= buckets &&
					  n - i - 1 <= 2 * buckets);
	}
	for (; i < n; i++) {
		id = 0x800000000ULL + i * SZ_1M;
		KUNIT_EXPECT_TRUE(test, tt_track_store_test_has(test, id,
								TT_BUFFER_TYPE_DRAM));
	}
	KUNIT_EXPECT_EQ(test, ctx->s.count, 10);
}

/* An xorshift step: ids no pattern in the store can favour */
static u64 tt_track_store_test_rand(u64 *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dULL;
}

/*
 * The store's memory does not depend on the ids: spread over the 64-bit
 * space, a record costs its 32 bytes, 4 to 8 bytes of table, at most 1/16
 * byte of the array of blocks (8 bytes per block, doubled as it fills) and
 * at most two blocks of slack per file; and after most records went, the
 * blocks went with them.
 */
static void tt_track_store_test_memory_any_ids(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	const unsigned long n = 20000;
	u64 x = 0x9e3779b97f4a7c15ULL, y, id;
	unsigned long i;

	for (i = 0; i < n; i++)
		tt_track_store_test_add(test, tt_track_store_test_rand(&x),
					TT_BUFFER_TYPE_L1);
	KUNIT_EXPECT_LE(test, tt_track_store_bytes(&ctx->s),
			40 * n + 2 * SZ_4K + n / 8);
	KUNIT_EXPECT_GE(test, tt_track_store_bytes(&ctx->s), 36 * n);
	y = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < n - 10; i++) {
		id = tt_track_store_test_rand(&y);
		KUNIT_ASSERT_TRUE(test, tt_track_store_test_del(test, id,
								TT_BUFFER_TYPE_L1));
	}
	KUNIT_EXPECT_LE(test, tt_track_store_bytes(&ctx->s),
			2 * SZ_4K + 128 + n / 8);
	for (i = 0; i < 10; i++) {
		id = tt_track_store_test_rand(&y);
		KUNIT_EXPECT_TRUE(test, tt_track_store_test_has(test, id,
								TT_BUFFER_TYPE_L1));
	}
}

/* A file with a few records costs a few hundred bytes, not a block */
static void tt_track_store_test_memory_small(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;

	tt_track_store_test_add(test, 0x800000000ULL, TT_BUFFER_TYPE_DRAM);
	KUNIT_EXPECT_LE(test, tt_track_store_bytes(&ctx->s), 512);
	tt_track_store_test_add(test, 0x800100000ULL, TT_BUFFER_TYPE_DRAM);
	tt_track_store_test_add(test, 0x800200000ULL, TT_BUFFER_TYPE_DRAM);
	KUNIT_EXPECT_LE(test, tt_track_store_bytes(&ctx->s), 512);
}

/*
 * Records stay packed and intact under any mix of adds and removes: the
 * last record moves into each freed place, the first block grows under
 * live records, blocks come and go at block edges. A model says which of
 * 4096 (id, type) pairs are live; every live one is found with its own
 * size, and the store holds just the live ones.
 */
static void tt_track_store_test_packed(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	const unsigned int pairs = 4096, ops = 200000;
	struct tt_track_store_pos pos = { .valid = false };
	unsigned long live = 0, seen = 0, i;
	unsigned int k, range;
	u64 x = 12345, id;
	u32 type;
	u8 *model;

	model = kunit_kzalloc(test, pairs, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, model);
	for (i = 0; i < ops; i++) {
		/* the live set drifts between 128 and 2048 records */
		range = (i / 20000) % 2 ? pairs : pairs / 16;
		k = (tt_track_store_test_rand(&x) >> 32) % range;
		id = 0x800000000ULL + (k / TT_BUFFER_TYPE_COUNT) * SZ_1M;
		type = k % TT_BUFFER_TYPE_COUNT;
		if (model[k]) {
			KUNIT_ASSERT_TRUE(test, tt_track_store_test_del(test, id,
									type));
			model[k] = 0;
			live--;
		} else {
			tt_track_store_test_add(test, id, type);
			model[k] = 1;
			live++;
		}
		KUNIT_ASSERT_EQ(test, ctx->s.count, live);
		KUNIT_ASSERT_LE(test, (unsigned long)ctx->s.nblocks,
				live / TT_TRACK_STORE_BLOCK + 2);
		if (i % 9973)
			continue;
		for (k = 0; k < pairs; k++) {
			id = 0x800000000ULL + (k / TT_BUFFER_TYPE_COUNT) * SZ_1M;
			type = k % TT_BUFFER_TYPE_COUNT;
			KUNIT_ASSERT_EQ(test, tt_track_store_test_has(test, id,
								      type),
					(bool)model[k]);
		}
	}
	while (tt_track_store_walk(&ctx->s, &pos)) {
		seen++;
		pos.after = true;
	}
	KUNIT_EXPECT_EQ(test, seen, live);
}

/* A walk meets every record once, whatever the chains */
static void tt_track_store_test_walk(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	struct tt_track_store_pos pos = { .valid = false };
	struct tt_track_record *rec;
	unsigned long seen = 0, i;
	u64 sum = 0, want = 0;

	for (i = 0; i < 3000; i++) {
		tt_track_store_test_add(test, i * 32, i % TT_BUFFER_TYPE_COUNT);
		want += i * 32;
	}
	while ((rec = tt_track_store_walk(&ctx->s, &pos))) {
		seen++;
		sum += rec->id;
		pos.after = true;
	}
	KUNIT_EXPECT_EQ(test, seen, 3000);
	KUNIT_EXPECT_EQ(test, sum, want);
}

/*
 * Records live all along a walk are met exactly once, while others come
 * and go between steps and the table grows and shrinks under it.
 */
static void tt_track_store_test_walk_while_changing(struct kunit *test)
{
	struct tt_track_store_test_ctx *ctx = test->priv;
	struct tt_track_store_pos pos = { .valid = false };
	const unsigned long n = 2000, churn = 20000;
	struct tt_track_record *rec;
	unsigned long i, step = 0, other = 0;
	unsigned int *seen;

	seen = kunit_kcalloc(test, n, sizeof(*seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	/* the stable records: ids 0 .. n - 1, in DRAM */
	for (i = 0; i < n; i++)
		tt_track_store_test_add(test, i, TT_BUFFER_TYPE_DRAM);
	while ((rec = tt_track_store_walk(&ctx->s, &pos))) {
		if (rec->type == TT_BUFFER_TYPE_DRAM && rec->id < n)
			seen[rec->id]++;
		pos.after = true;
		/* between steps: a burst of others, enough to resize */
		if (step++ % 100 == 0) {
			for (i = 0; i < churn / 20; i++)
				tt_track_store_test_add(test, (other + i) << 20,
							TT_BUFFER_TYPE_L1);
			for (i = 0; i < churn / 20; i++)
				KUNIT_ASSERT_TRUE(test,
						  tt_track_store_test_del(test, (other + i) << 20,
									  TT_BUFFER_TYPE_L1));
			other += churn / 20;
		}
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, seen[i], 1, "id %lu", i);
}

static struct kunit_case tt_track_store_cases[] = {
	KUNIT_CASE(tt_track_store_test_find),
	KUNIT_CASE(tt_track_store_test_find_id),
	KUNIT_CASE(tt_track_store_test_resize),
	KUNIT_CASE(tt_track_store_test_memory_any_ids),
	KUNIT_CASE(tt_track_store_test_memory_small),
	KUNIT_CASE(tt_track_store_test_packed),
	KUNIT_CASE(tt_track_store_test_walk),
	KUNIT_CASE(tt_track_store_test_walk_while_changing),
	{}
};

static struct kunit_suite tt_track_store_suite = {
	.name = "tenstorrent_track_store",
	.init = tt_track_store_test_init,
	.exit = tt_track_store_test_exit,
	.test_cases = tt_track_store_cases,
};

/* ---- the tracking rules ---- */

/* A Wormhole's memories, as a simulated card has them */
static const u64 tt_track_test_memories[TT_TRACK_MEMS] = {
	[TT_TRACK_MEM_DRAM] = 12ULL * SZ_1G,
	[TT_TRACK_MEM_L1] = 118ULL * SZ_1M,
	[TT_TRACK_MEM_SYSTEM] = 64ULL * SZ_1G,
};

struct tt_track_test_ctx {
	struct device *parent;
	struct tt_track_device tdev;
	struct tt_track_file tfile;
	bool released;
};

static int tt_track_test_init(struct kunit *test)
{
	struct tt_track_test_ctx *ctx;
	int ret;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->parent = root_device_register("tt_track_test");
	if (IS_ERR(ctx->parent))
		return PTR_ERR(ctx->parent);
	tt_track_device_init(&ctx->tdev, ctx->parent, 0, tt_track_test_memories,
			     NULL);
	ret = tt_track_file_init(&ctx->tfile, &ctx->tdev);
	if (ret) {
		tt_track_device_destroy(&ctx->tdev);
		root_device_unregister(ctx->parent);
		return ret;
	}
	/* exit undoes the rest only for an init that got this far */
	test->priv = ctx;
	return 0;
}

static void tt_track_test_exit(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;

	/* KUnit calls exit after a failed init too: it undid itself */
	if (!ctx)
		return;
	if (!ctx->released)
		tt_track_file_release(&ctx->tfile);
	tt_track_device_destroy(&ctx->tdev);
	root_device_unregister(ctx->parent);
}

static void tt_track_test_alloc_totals(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tenstorrent_track_alloc_out out;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x1000, 100,
					     TT_BUFFER_TYPE_DRAM, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out.file_allocated, 100);
	KUNIT_EXPECT_EQ(test, out.device_allocated, 100);
	KUNIT_EXPECT_EQ(test, out.refs, 1);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x2000, 50,
					     TT_BUFFER_TYPE_DRAM, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out.file_allocated, 150);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x3000, 7,
					     TT_BUFFER_TYPE_L1, 0, &out), 0);

	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.allocated[TT_BUFFER_TYPE_DRAM], 150);
	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.buffers[TT_BUFFER_TYPE_DRAM], 2);
	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.allocated[TT_BUFFER_TYPE_L1], 7);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM], 150);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.buffers[TT_BUFFER_TYPE_L1], 1);
	KUNIT_EXPECT_EQ(test, ctx->tfile.records.count, 3);
}

static void tt_track_test_free_keeps_peak(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tenstorrent_track_free_out out;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x1000, 100,
					     TT_BUFFER_TYPE_TRACE, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x2000, 30,
					     TT_BUFFER_TYPE_TRACE, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_free(&ctx->tfile, 0x1000, 0, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out.size, 100);
	KUNIT_EXPECT_EQ(test, out.buffer_type, TT_BUFFER_TYPE_TRACE);
	KUNIT_EXPECT_EQ(test, out.refs, 0);

	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.allocated[TT_BUFFER_TYPE_TRACE], 30);
	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.peak[TT_BUFFER_TYPE_TRACE], 130);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.peak[TT_BUFFER_TYPE_TRACE], 130);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.buffers[TT_BUFFER_TYPE_TRACE], 1);
}

static void tt_track_test_errors_change_nothing(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_file *tfile = &ctx->tfile;
	struct tt_track_totals before;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, 0x40, 10, TT_BUFFER_TYPE_L1,
					     0, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, 0x40, 10, TT_BUFFER_TYPE_CB,
					     0, NULL), 0);
	before = ctx->tdev.totals;

	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x80, 0, TT_BUFFER_TYPE_L1,
					     0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x80, 1,
					     TT_BUFFER_TYPE_COUNT, 0, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x80, 1, TT_BUFFER_TYPE_L1,
					     TENSTORRENT_TRACK_TYPED, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x80, 1, TT_BUFFER_TYPE_L1,
					     BIT(31), NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x40, 1, TT_BUFFER_TYPE_L1,
					     0, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x40, 11, TT_BUFFER_TYPE_L1,
					     TENSTORRENT_TRACK_REF, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x80, U64_MAX,
					     TT_BUFFER_TYPE_L1, 0, NULL), -ERANGE);
	KUNIT_EXPECT_EQ(test, tt_track_free(tfile, 0x80, 0, 0, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, tt_track_free(tfile, 0x40, 0, 0, NULL), -ENOTUNIQ);
	KUNIT_EXPECT_EQ(test, tt_track_free(tfile, 0x40, TT_BUFFER_TYPE_L1, 0,
					    NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, tt_track_free(tfile, 0x40, TT_BUFFER_TYPE_DRAM,
					    TENSTORRENT_TRACK_TYPED, NULL),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, tt_track_free(tfile, 0x40, TT_BUFFER_TYPE_COUNT,
					    TENSTORRENT_TRACK_TYPED, NULL),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, memcmp(&ctx->tdev.totals, &before, sizeof(before)), 0);
	KUNIT_EXPECT_EQ(test, tfile->records.count, 2);
}

/* Repeated reports with TENSTORRENT_TRACK_REF count once, go at the last free */
static void tt_track_test_references(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_file *tfile = &ctx->tfile;
	struct tenstorrent_track_alloc_out aout;
	struct tenstorrent_track_free_out fout;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, 0x1000, 64,
					     TT_BUFFER_TYPE_DRAM,
					     TENSTORRENT_TRACK_REF, &aout), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, 0x1000, 64,
					     TT_BUFFER_TYPE_DRAM,
					     TENSTORRENT_TRACK_REF, &aout), 0);
	KUNIT_EXPECT_EQ(test, aout.refs, 2);
	KUNIT_EXPECT_EQ(test, aout.file_allocated, 64);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.buffers[TT_BUFFER_TYPE_DRAM], 1);
	KUNIT_ASSERT_EQ(test, tt_track_free(tfile, 0x1000, 0, 0, &fout), 0);
	KUNIT_EXPECT_EQ(test, fout.refs, 1);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM], 64);
	KUNIT_ASSERT_EQ(test, tt_track_free(tfile, 0x1000, 0, 0, &fout), 0);
	KUNIT_EXPECT_EQ(test, fout.refs, 0);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM], 0);
	KUNIT_EXPECT_EQ(test, tfile->records.count, 0);
}

/*
 * A file's total in one memory is bounded by the card's capacity; another
 * file's claims, however large, make no valid call of this one fail.
 */
static void tt_track_test_capacity(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_file *other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	const u64 l1 = tt_track_test_memories[TT_TRACK_MEM_L1];
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, tt_track_file_init(other, &ctx->tdev), 0);
	/* other claims all of the L1 (and more, refused) */
	KUNIT_ASSERT_EQ(test, tt_track_alloc(other, 0, l1, TT_BUFFER_TYPE_L1, 0,
					     NULL), 0);
	for (i = 1; i < 100; i++)
		KUNIT_EXPECT_EQ(test, tt_track_alloc(other, i, l1,
						     TT_BUFFER_TYPE_CB, 0, NULL),
				-ERANGE);
	KUNIT_EXPECT_EQ(test, other->records.count, 1);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 0, l1 / 2,
					     TT_BUFFER_TYPE_KERNEL, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 1, l1 - l1 / 2,
					     TT_BUFFER_TYPE_L1_SMALL, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 2, 1,
					     TT_BUFFER_TYPE_CB, 0, NULL), -ERANGE);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 2, 1,
					     TT_BUFFER_TYPE_TRACE, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_L1], l1);
	tt_track_file_release(other);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_L1], 0);
}

/* Id 0 and the largest id are tracked like any other. */
static void tt_track_test_edge_ids(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0, 1,
					     TT_BUFFER_TYPE_DRAM, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, U64_MAX, 2,
					     TT_BUFFER_TYPE_DRAM, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, U64_MAX, 2,
					     TT_BUFFER_TYPE_DRAM, 0, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, tt_track_free(&ctx->tfile, 0, 0, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, tt_track_free(&ctx->tfile, U64_MAX, 0, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->tfile.records.count, 0);
}

static void tt_track_test_release_restores_device(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	u64 id;

	KUNIT_EXPECT_EQ(test, ctx->tdev.open_files, 1);
	for (id = 1; id <= 1000; id++) {
		KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, id << 20, SZ_1M,
						     TT_BUFFER_TYPE_DRAM, 0, NULL), 0);
		KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, id << 20, 32,
						     TT_BUFFER_TYPE_L1, 0, NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM],
			1000ULL * SZ_1M);

	tt_track_file_release(&ctx->tfile);
	ctx->released = true;
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM], 0);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.buffers[TT_BUFFER_TYPE_DRAM], 0);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_L1], 0);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.peak[TT_BUFFER_TYPE_DRAM],
			1000ULL * SZ_1M);
	KUNIT_EXPECT_EQ(test, ctx->tdev.open_files, 0);
	KUNIT_EXPECT_EQ(test, ctx->tfile.records.count, 0);
}

/*
 * Wait until @task, which signalled @started, sleeps (on the lock the test
 * holds: nothing else puts it to sleep first), for at most 10 s.
 */
static void tt_track_test_until_asleep(struct task_struct *task,
				       struct completion *started)
{
	unsigned long until = jiffies + 10 * HZ;

	wait_for_completion(started);
	while (task_is_running(task) && time_before(jiffies, until))
		usleep_range(100, 1000);
}

/* A thread that makes one call on a file, and can be killed meanwhile */
struct tt_track_test_waiter {
	struct tt_track_file *tfile;
	bool free;
	struct completion started;
	struct completion done;
	int ret;
};

static int tt_track_test_waiter_fn(void *data)
{
	struct tt_track_test_waiter *w = data;

	allow_signal(SIGKILL);
	complete(&w->started);
	if (w->free)
		w->ret = tt_track_free(w->tfile, 0x1000, 0, 0, NULL);
	else
		w->ret = tt_track_alloc(w->tfile, 0x2000, 64,
					TT_BUFFER_TYPE_DRAM, 0, NULL);
	complete(&w->done);
	return 0;
}

/*
 * A task killed while its call waits for the file's lock (held here, as a
 * long call or a debugfs reader would) returns -EINTR at once, with
 * nothing changed, instead of waiting until the lock is free.
 */
static void tt_track_test_killed_waiter(struct kunit *test, bool free)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_test_waiter w = { .tfile = &ctx->tfile, .free = free };
	struct task_struct *task;
	bool returned;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x1000, 64,
					     TT_BUFFER_TYPE_DRAM, 0, NULL), 0);
	init_completion(&w.started);
	init_completion(&w.done);

	mutex_lock(&ctx->tfile.lock);
	task = kthread_run(tt_track_test_waiter_fn, &w, "tt_track_waiter");
	if (IS_ERR(task)) {
		mutex_unlock(&ctx->tfile.lock);
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(task));
		return;
	}
	get_task_struct(task);
	tt_track_test_until_asleep(task, &w.started);
	send_sig(SIGKILL, task, 1);
	returned = wait_for_completion_timeout(&w.done, HZ);
	mutex_unlock(&ctx->tfile.lock);
	if (!returned)
		wait_for_completion(&w.done);
	kthread_stop(task);
	put_task_struct(task);

	KUNIT_EXPECT_TRUE_MSG(test, returned,
			      "the killed task still waited a second later");
	KUNIT_EXPECT_EQ(test, w.ret, -EINTR);
	KUNIT_EXPECT_EQ(test, ctx->tfile.records.count, 1);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM],
			64);
}

static void tt_track_test_killed_alloc(struct kunit *test)
{
	tt_track_test_killed_waiter(test, false);
}

static void tt_track_test_killed_free(struct kunit *test)
{
	tt_track_test_killed_waiter(test, true);
}

/* A debugfs reader, in a thread: one step of a walk, or the files table */
struct tt_track_test_reader {
	struct tt_track_device *tdev;
	bool files;
	struct completion started;
	struct completion done;
};

static int tt_track_test_reader_fn(void *data)
{
	struct tt_track_test_reader *r = data;
	struct tt_track_cursor c = { .tdev = r->tdev };
	struct seq_file m = { .private = &c };
	loff_t pos = 1;
	void *v;

	complete(&r->started);
	if (r->files) {
		m.size = PAGE_SIZE;
		m.buf = kmalloc(m.size, GFP_KERNEL);
		if (m.buf)
			tt_track_show_files(&m, r->tdev);
		kfree(m.buf);
	} else {
		v = tt_track_records_seq_ops.start(&m, &pos);
		tt_track_records_seq_ops.stop(&m, v);
	}
	complete(&r->done);
	return 0;
}

/* Open a file and release another, in a thread */
struct tt_track_test_opener {
	struct tt_track_device *tdev;
	struct tt_track_file *open, *close;
	struct completion done;
	int ret;
};

static int tt_track_test_opener_fn(void *data)
{
	struct tt_track_test_opener *o = data;

	o->ret = tt_track_file_init(o->open, o->tdev);
	tt_track_file_release(o->close);
	complete(&o->done);
	return 0;
}

/*
 * A debugfs reader asleep on one file's lock (held here, as a long call
 * would hold it) makes nobody else wait: another file of the card opens
 * and a third one closes meanwhile.
 */
static void tt_track_test_reader_blocks_nobody(struct kunit *test, bool files)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_test_reader r = { .tdev = &ctx->tdev, .files = files };
	struct tt_track_test_opener o = { .tdev = &ctx->tdev };
	struct task_struct *reader, *opener;
	bool opened;

	o.open = kunit_kzalloc(test, sizeof(*o.open), GFP_KERNEL);
	o.close = kunit_kzalloc(test, sizeof(*o.close), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o.open);
	KUNIT_ASSERT_NOT_NULL(test, o.close);
	KUNIT_ASSERT_EQ(test, tt_track_file_init(o.close, &ctx->tdev), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x1000, 64,
					     TT_BUFFER_TYPE_DRAM, 0, NULL), 0);
	init_completion(&r.started);
	init_completion(&r.done);
	init_completion(&o.done);

	mutex_lock(&ctx->tfile.lock);
	reader = kthread_run(tt_track_test_reader_fn, &r, "tt_track_reader");
	if (IS_ERR(reader)) {
		mutex_unlock(&ctx->tfile.lock);
		tt_track_file_release(o.close);
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(reader));
		return;
	}
	get_task_struct(reader);
	tt_track_test_until_asleep(reader, &r.started);

	opener = kthread_run(tt_track_test_opener_fn, &o, "tt_track_opener");
	opened = !IS_ERR(opener) && wait_for_completion_timeout(&o.done, HZ);
	mutex_unlock(&ctx->tfile.lock);
	wait_for_completion(&r.done);
	if (IS_ERR(opener))
		tt_track_file_release(o.close);
	else if (!opened)
		wait_for_completion(&o.done);
	kthread_stop(reader);
	put_task_struct(reader);

	KUNIT_EXPECT_TRUE_MSG(test, opened,
			      "open and close waited for a reader a second later");
	if (!IS_ERR(opener) && !o.ret)
		tt_track_file_release(o.open);
	KUNIT_EXPECT_EQ(test, ctx->tdev.open_files, 1);
}

static void tt_track_test_walk_blocks_nobody(struct kunit *test)
{
	tt_track_test_reader_blocks_nobody(test, false);
}

static void tt_track_test_files_blocks_nobody(struct kunit *test)
{
	tt_track_test_reader_blocks_nobody(test, true);
}

static struct kunit_case tt_track_rules_cases[] = {
	KUNIT_CASE(tt_track_test_alloc_totals),
	KUNIT_CASE(tt_track_test_free_keeps_peak),
	KUNIT_CASE(tt_track_test_errors_change_nothing),
	KUNIT_CASE(tt_track_test_references),
	KUNIT_CASE(tt_track_test_capacity),
	KUNIT_CASE(tt_track_test_edge_ids),
	KUNIT_CASE(tt_track_test_release_restores_device),
	KUNIT_CASE(tt_track_test_killed_alloc),
	KUNIT_CASE(tt_track_test_killed_free),
	KUNIT_CASE(tt_track_test_walk_blocks_nobody),
	KUNIT_CASE(tt_track_test_files_blocks_nobody),
	{}
};

static struct kunit_suite tt_track_rules_suite = {
	.name = "tenstorrent_track_rules",
	.init = tt_track_test_init,
	.exit = tt_track_test_exit,
	.test_cases = tt_track_rules_cases,
};

/* ---- command names as one field ---- */

/* Every byte alone: kept when printable ASCII but space and backslash */
static void tt_track_comm_test_each_byte(struct kunit *test)
{
	char comm[TASK_COMM_LEN] = {};
	char buf[TT_TRACK_COMM_BUF];
	char want[5];
	int c;

	for (c = 1; c < 256; c++) {
		comm[0] = c;
		tt_track_escape_comm(buf, comm);
		if (c > ' ' && c < 0x7f && c != '\\')
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "\\%03o", c);
		KUNIT_EXPECT_STREQ_MSG(test, buf, want, "byte %d", c);
	}
}

/* The longest name of the worst bytes fills the buffer exactly */
static void tt_track_comm_test_longest(struct kunit *test)
{
	char comm[TASK_COMM_LEN];
	char buf[TT_TRACK_COMM_BUF + 1];

	memset(comm, 0xff, sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = '\0';
	memset(buf, 'x', sizeof(buf));
	tt_track_escape_comm(buf, comm);
	KUNIT_EXPECT_EQ(test, strlen(buf), (size_t)TT_TRACK_COMM_BUF - 1);
	KUNIT_EXPECT_EQ(test, buf[TT_TRACK_COMM_BUF], 'x');
	KUNIT_EXPECT_EQ(test, strncmp(buf, "\\377\\377", 8), 0);
}

/* A name is read up to its NUL; an empty one stays empty */
static void tt_track_comm_test_ends(struct kunit *test)
{
	char buf[TT_TRACK_COMM_BUF];

	tt_track_escape_comm(buf, "a b\\c\n");
	KUNIT_EXPECT_STREQ(test, buf, "a\\040b\\134c\\012");
	tt_track_escape_comm(buf, "");
	KUNIT_EXPECT_STREQ(test, buf, "");
}

static struct kunit_case tt_track_comm_cases[] = {
	KUNIT_CASE(tt_track_comm_test_each_byte),
	KUNIT_CASE(tt_track_comm_test_longest),
	KUNIT_CASE(tt_track_comm_test_ends),
	{}
};

static struct kunit_suite tt_track_comm_suite = {
	.name = "tenstorrent_track_comm",
	.test_cases = tt_track_comm_cases,
};

kunit_test_suites(&tt_track_store_suite, &tt_track_rules_suite,
		  &tt_track_comm_suite);
