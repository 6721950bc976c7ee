// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the allocation tracking core: where records are kept,
 * and the record store's totals, peaks, errors and release.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/limits.h>
#include <linux/sizes.h>

#include "track.h"

static void tt_track_test_index_roundtrip(struct kunit *test)
{
	static const u64 ids[] = {
		0, 1, 2, 3, 0x20, 0x1000, 0x800000000ULL, 0x800100000ULL,
		BIT_ULL(58), BIT_ULL(59), BIT_ULL(63), BIT_ULL(63) | BIT_ULL(5),
		U64_MAX & ~0x1fULL, (BIT_ULL(58) - 1) << 1, U64_MAX,
		BIT_ULL(59) | 1,
	};
	unsigned long index;
	unsigned int i, xa;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		tt_track_index(ids[i], &xa, &index);
		KUNIT_EXPECT_LT_MSG(test, xa, TT_TRACK_XAS, "id 0x%llx", ids[i]);
		KUNIT_EXPECT_EQ_MSG(test, tt_track_index_to_id(xa, index), ids[i],
				    "id 0x%llx", ids[i]);
	}
}

static void tt_track_test_index_injective(struct kunit *test)
{
	unsigned long a, b;
	unsigned int xa, xb;

	/* ids with equal odd parts but different trailing zeros differ */
	tt_track_index(0x20, &xa, &a);
	tt_track_index(0x40, &xb, &b);
	KUNIT_EXPECT_TRUE(test, xa != xb || a != b);
	tt_track_index(0x60, &xa, &a);
	tt_track_index(0xc0, &xb, &b);
	KUNIT_EXPECT_TRUE(test, xa != xb || a != b);
	/* id 0 shares no place with an id of no trailing zeros */
	tt_track_index(0, &xa, &a);
	tt_track_index(1, &xb, &b);
	KUNIT_EXPECT_TRUE(test, xa != xb || a != b);
}

/* DRAM buffers 1 MiB apart: every other one lands on consecutive slots. */
static void tt_track_test_index_dense(struct kunit *test)
{
	unsigned long first, index;
	unsigned int xa0, xa;
	u64 k;

	tt_track_index(0x800000000ULL + SZ_1M, &xa0, &first);
	for (k = 1; k < 200; k++) {
		u64 id = 0x800000000ULL + (2 * k + 1) * SZ_1M;

		tt_track_index(id, &xa, &index);
		KUNIT_EXPECT_EQ(test, xa, xa0);
		KUNIT_EXPECT_EQ(test, index, first + k);
	}
}

/*
 * Indexes stay about as small as the ids' odd parts, so each xarray stays
 * low (it is as tall as its largest index needs): DRAM ids of a 32 GiB
 * card and L1 ids below 16 MiB take 3 levels of 6 bits at most.
 */
static void tt_track_test_index_low(struct kunit *test)
{
	unsigned long index;
	unsigned int xa;
	u64 id;

	for (id = 0x800000000ULL; id < 0x800000000ULL + SZ_32G; id += 257 * SZ_1M) {
		tt_track_index(id, &xa, &index);
		KUNIT_EXPECT_LT(test, index, 1UL << 18);
	}
	for (id = 32; id < SZ_16M; id += 32 * 4099) {
		tt_track_index(id, &xa, &index);
		KUNIT_EXPECT_LT(test, index, 1UL << 18);
	}
}

/**
 * struct tt_track_test_ctx - a card and one open file on it
 * @parent: stands in for the card's device in log lines
 * @tdev: the card's tracking state
 * @tfile: the file's records
 * @released: @tfile was released by the test itself
 */
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
	tt_track_device_init(&ctx->tdev, ctx->parent, 0, NULL);
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
					     TT_BUFFER_TYPE_DRAM, &out), 0);
	KUNIT_EXPECT_EQ(test, out.file_allocated, 100);
	KUNIT_EXPECT_EQ(test, out.device_allocated, 100);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x2000, 50,
					     TT_BUFFER_TYPE_DRAM, &out), 0);
	KUNIT_EXPECT_EQ(test, out.file_allocated, 150);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x3000, 7,
					     TT_BUFFER_TYPE_L1, &out), 0);

	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.allocated[TT_BUFFER_TYPE_DRAM], 150);
	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.buffers[TT_BUFFER_TYPE_DRAM], 2);
	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.allocated[TT_BUFFER_TYPE_L1], 7);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM], 150);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.buffers[TT_BUFFER_TYPE_L1], 1);
	KUNIT_EXPECT_EQ(test, ctx->tfile.nr_records, 3);
}

static void tt_track_test_free_keeps_peak(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tenstorrent_track_free_out out;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x1000, 100,
					     TT_BUFFER_TYPE_TRACE, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x2000, 30,
					     TT_BUFFER_TYPE_TRACE, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_free(&ctx->tfile, 0x1000, &out), 0);
	KUNIT_EXPECT_EQ(test, out.size, 100);
	KUNIT_EXPECT_EQ(test, out.buffer_type, TT_BUFFER_TYPE_TRACE);

	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.allocated[TT_BUFFER_TYPE_TRACE], 30);
	KUNIT_EXPECT_EQ(test, ctx->tfile.totals.peak[TT_BUFFER_TYPE_TRACE], 130);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.peak[TT_BUFFER_TYPE_TRACE], 130);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.buffers[TT_BUFFER_TYPE_TRACE], 1);
}

static void tt_track_test_errors_change_nothing(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_totals before;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0x40, 10,
					     TT_BUFFER_TYPE_L1, NULL), 0);
	before = ctx->tdev.totals;

	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 0x80, 0,
					     TT_BUFFER_TYPE_L1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 0x80, 1,
					     TT_BUFFER_TYPE_COUNT, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 0x40, 1,
					     TT_BUFFER_TYPE_DRAM, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 0x80, U64_MAX,
					     TT_BUFFER_TYPE_L1, NULL), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, tt_track_free(&ctx->tfile, 0x80, NULL), -ENOENT);

	KUNIT_EXPECT_EQ(test, memcmp(&ctx->tdev.totals, &before, sizeof(before)), 0);
	KUNIT_EXPECT_EQ(test, ctx->tfile.nr_records, 1);
}

/* A device total overflows through another file's records. */
static void tt_track_test_device_overflow(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	/* a file holds an xarray per trailing zeros: too big for the stack */
	struct tt_track_file *other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, tt_track_file_init(other, &ctx->tdev), 0);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(other, 1, BIT_ULL(63),
					     TT_BUFFER_TYPE_DRAM, NULL), 0);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, 1, BIT_ULL(63),
					     TT_BUFFER_TYPE_DRAM, NULL), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, ctx->tfile.nr_records, 0);
	tt_track_file_release(other);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM], 0);
}

/* Id 0 and the largest id are tracked like any other. */
static void tt_track_test_edge_ids(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, 0, 1,
					     TT_BUFFER_TYPE_DRAM, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, U64_MAX, 2,
					     TT_BUFFER_TYPE_DRAM, NULL), 0);
	KUNIT_EXPECT_EQ(test, tt_track_alloc(&ctx->tfile, U64_MAX, 2,
					     TT_BUFFER_TYPE_DRAM, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, tt_track_free(&ctx->tfile, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, tt_track_free(&ctx->tfile, U64_MAX, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->tfile.nr_records, 0);
}

static void tt_track_test_release_restores_device(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	u64 id;

	KUNIT_EXPECT_EQ(test, ctx->tdev.open_files, 1);
	for (id = 1; id <= 1000; id++)
		KUNIT_ASSERT_EQ(test, tt_track_alloc(&ctx->tfile, id << 20, SZ_1M,
						     TT_BUFFER_TYPE_DRAM, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM],
			1000ULL * SZ_1M);

	tt_track_file_release(&ctx->tfile);
	ctx->released = true;
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.allocated[TT_BUFFER_TYPE_DRAM], 0);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.buffers[TT_BUFFER_TYPE_DRAM], 0);
	KUNIT_EXPECT_EQ(test, ctx->tdev.totals.peak[TT_BUFFER_TYPE_DRAM],
			1000ULL * SZ_1M);
	KUNIT_EXPECT_EQ(test, ctx->tdev.open_files, 0);
}

/* Nothing is left in any of a file's xarrays but kept, empty slots. */
static bool tt_track_test_no_entries(struct tt_track_file *tfile)
{
	unsigned int xa;

	for (xa = 0; xa < TT_TRACK_XAS; xa++) {
		unsigned long index = 0;

		if (xa_find(&tfile->records[xa], &index, ULONG_MAX, XA_PRESENT))
			return false;
	}
	return true;
}

/* The slot at @index of @xa is kept (reserved) */
static bool tt_track_test_kept(struct xarray *xa, unsigned long index)
{
	XA_STATE(xas, xa, index);
	void *entry;

	rcu_read_lock();
	entry = xas_load(&xas);
	rcu_read_unlock();
	return xa_is_zero(entry);
}

/* A freed record's kept slot reads as free and takes the same id again. */
static void tt_track_test_freed_slot(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_file *tfile = &ctx->tfile;

	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, 0x800100000ULL, SZ_1M,
					     TT_BUFFER_TYPE_DRAM, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_free(tfile, 0x800100000ULL, NULL), 0);
	KUNIT_EXPECT_FALSE(test, bitmap_empty(tfile->tombs, TT_TRACK_XAS));
	KUNIT_EXPECT_EQ(test, tt_track_free(tfile, 0x800100000ULL, NULL), -ENOENT);
	KUNIT_EXPECT_TRUE(test, tt_track_test_no_entries(tfile));

	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, 0x800100000ULL, 64,
					     TT_BUFFER_TYPE_L1, NULL), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(tfile->tombs, TT_TRACK_XAS));
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x800100000ULL, 64,
					     TT_BUFFER_TYPE_L1, NULL), -EEXIST);
	KUNIT_EXPECT_EQ(test, tfile->nr_records, 1);
	KUNIT_EXPECT_EQ(test, tfile->totals.allocated[TT_BUFFER_TYPE_DRAM], 0);
	KUNIT_EXPECT_EQ(test, tfile->totals.allocated[TT_BUFFER_TYPE_L1], 64);
	KUNIT_EXPECT_FALSE(test, tt_track_test_no_entries(tfile));
}

/*
 * A free that would empty its leaf keeps the slot; a free with neighbours
 * in the leaf does not. Each xarray keeps one slot: the one before is let
 * go, and the file's release lets go of all.
 */
static void tt_track_test_one_slot_kept(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_file *tfile = &ctx->tfile;
	const u64 a = 5 << 6, b = 7 << 6, far = ((2ULL << 30) + 1) << 6;
	unsigned long ia, ib, ifar;
	unsigned int xa, xb, xfar;

	tt_track_index(a, &xa, &ia);
	tt_track_index(b, &xb, &ib);
	tt_track_index(far, &xfar, &ifar);
	KUNIT_ASSERT_TRUE(test, xa == xb && xa == xfar);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, a, 1, TT_BUFFER_TYPE_L1,
					     NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, b, 1, TT_BUFFER_TYPE_L1,
					     NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_free(tfile, b, NULL), 0);
	KUNIT_EXPECT_FALSE(test, tt_track_test_kept(&tfile->records[xb], ib));
	KUNIT_ASSERT_EQ(test, tt_track_free(tfile, a, NULL), 0);
	KUNIT_EXPECT_TRUE(test, tt_track_test_kept(&tfile->records[xa], ia));
	KUNIT_EXPECT_TRUE(test, tt_track_test_no_entries(tfile));

	/* the next such free in the xarray: a's slot goes, far's stays */
	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, far, 1, TT_BUFFER_TYPE_L1,
					     NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_free(tfile, far, NULL), 0);
	KUNIT_EXPECT_FALSE(test, tt_track_test_kept(&tfile->records[xa], ia));
	KUNIT_EXPECT_TRUE(test, tt_track_test_kept(&tfile->records[xfar], ifar));
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, a, 1, TT_BUFFER_TYPE_L1,
					     NULL), 0);
	KUNIT_EXPECT_EQ(test, tt_track_free(tfile, a, NULL), 0);

	tt_track_file_release(tfile);
	ctx->released = true;
	for (xa = 0; xa < TT_TRACK_XAS; xa++)
		KUNIT_EXPECT_TRUE_MSG(test, xa_empty(&tfile->records[xa]),
				      "xarray %u", xa);
}

/* A refused alloc into the kept slot changes nothing and frees the slot. */
static void tt_track_test_freed_slot_refused(struct kunit *test)
{
	struct tt_track_test_ctx *ctx = test->priv;
	struct tt_track_file *other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	struct tt_track_file *tfile = &ctx->tfile;
	struct tt_track_totals before;

	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, tt_track_file_init(other, &ctx->tdev), 0);
	KUNIT_ASSERT_EQ(test, tt_track_alloc(tfile, 0x3000, 1,
					     TT_BUFFER_TYPE_DRAM, NULL), 0);
	KUNIT_ASSERT_EQ(test, tt_track_free(tfile, 0x3000, NULL), 0);
	KUNIT_ASSERT_FALSE(test, bitmap_empty(tfile->tombs, TT_TRACK_XAS));
	KUNIT_ASSERT_EQ(test, tt_track_alloc(other, 0x3000, BIT_ULL(63),
					     TT_BUFFER_TYPE_DRAM, NULL), 0);
	before = ctx->tdev.totals;
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x3000, BIT_ULL(63),
					     TT_BUFFER_TYPE_DRAM, NULL), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, memcmp(&ctx->tdev.totals, &before, sizeof(before)), 0);
	KUNIT_EXPECT_EQ(test, tfile->nr_records, 0);
	KUNIT_EXPECT_TRUE(test, tt_track_test_no_entries(tfile));
	KUNIT_EXPECT_EQ(test, tt_track_alloc(tfile, 0x3000, 1,
					     TT_BUFFER_TYPE_L1, NULL), 0);
	tt_track_file_release(other);
}

static struct kunit_case tt_track_index_cases[] = {
	KUNIT_CASE(tt_track_test_index_roundtrip),
	KUNIT_CASE(tt_track_test_index_injective),
	KUNIT_CASE(tt_track_test_index_dense),
	KUNIT_CASE(tt_track_test_index_low),
	{}
};

static struct kunit_suite tt_track_index_suite = {
	.name = "tenstorrent_track_index",
	.test_cases = tt_track_index_cases,
};

static struct kunit_case tt_track_store_cases[] = {
	KUNIT_CASE(tt_track_test_alloc_totals),
	KUNIT_CASE(tt_track_test_free_keeps_peak),
	KUNIT_CASE(tt_track_test_errors_change_nothing),
	KUNIT_CASE(tt_track_test_device_overflow),
	KUNIT_CASE(tt_track_test_edge_ids),
	KUNIT_CASE(tt_track_test_release_restores_device),
	KUNIT_CASE(tt_track_test_freed_slot),
	KUNIT_CASE(tt_track_test_one_slot_kept),
	KUNIT_CASE(tt_track_test_freed_slot_refused),
	{}
};

static struct kunit_suite tt_track_store_suite = {
	.name = "tenstorrent_track_store",
	.init = tt_track_test_init,
	.exit = tt_track_test_exit,
	.test_cases = tt_track_store_cases,
};

kunit_test_suites(&tt_track_index_suite, &tt_track_store_suite);
