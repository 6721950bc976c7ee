// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit benchmarks of the allocation tracking core: the record store timed
 * natively, under UML, where kernel code runs at the host's speed (the test
 * VM's TCG emulation runs it 10-30 times slower). Numbers only; a case
 * fails only when the store refuses an operation or leaves records behind.
 *
 * Each workload runs once a round in a fresh file, after a round of
 * warm-up, the order rotating from round to round so that none always runs
 * first or last. The loops call the store directly (no system call, no
 * copy from user space, no memory cgroup unless the kernel has one) and
 * are timed with ktime_get_ns() around them, with interrupts and
 * preemption as they are, up to the end of the RCU callbacks they queued
 * (tt_track_bench_start()). After the last round one KTAP diagnostic line
 * per result gives the median over the rounds, and two more the least and
 * the most:
 *
 *	# result store_alloc 71.3 ns/op
 *	# result store_alloc_min 70.2 ns/op
 *
 * the format of the user-space benchmarks' result lines (bench/bench
 * collects both). tenstorrent.bench_records, tenstorrent.bench_rounds and
 * tenstorrent.bench_spread_records on the kernel's command line set the
 * counts; scripts/kunit/run --bench builds and runs it.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/sort.h>

#include "track_bench.h"
#include "track_internal.h"

/*
 * The store's interface, called through these alone: when its arguments
 * change (a flags argument on alloc, a type on free), only these change.
 * No out structs: the batch ioctl calls the store without them too.
 */
static int tt_track_bench_alloc(struct tt_track_file *tfile, u64 id, u64 size,
				u32 type)
{
	return tt_track_alloc(tfile, id, size, type, 0, NULL);
}

static int tt_track_bench_free(struct tt_track_file *tfile, u64 id, u32 type)
{
	/* typed, as tt-metal's overlapping DRAM and L1 ids need */
	return tt_track_free(tfile, id, type, TENSTORRENT_TRACK_TYPED, NULL);
}

/* Records live on the card, of every type */
static u64 tt_track_bench_live(struct tt_track_device *tdev)
{
	struct tt_track_totals totals;
	u64 live = 0;
	unsigned int t;

	tt_track_device_totals(tdev, &totals, NULL);
	for (t = 0; t < TT_TRACK_TYPES; t++)
		live += totals.buffers[t];
	return live;
}

static unsigned long tt_track_bench_records = 100000;
module_param_named(bench_records, tt_track_bench_records, ulong, 0444);
MODULE_PARM_DESC(bench_records,
		 "KUnit benchmarks: records per workload (default 100000)");

/* The most records live in the file while pairs are timed: ten times as many */
#define TT_TRACK_BENCH_BIG	10

/*
 * Version 1's store kept a record of an id anywhere in the 64-bit space
 * under a chain of about eight xarray nodes of its own, some 5 KiB, so this
 * was 100000 there (half the 1 GiB kunit.py gives UML); the hash table's
 * records cost the same whatever their ids.
 */
static unsigned long tt_track_bench_spread_records = 1000000;
module_param_named(bench_spread_records, tt_track_bench_spread_records, ulong, 0444);
MODULE_PARM_DESC(bench_spread_records,
		 "KUnit benchmarks: at most this many records in the spread workload (default 1000000)");

static unsigned int tt_track_bench_rounds = 7;
module_param_named(bench_rounds, tt_track_bench_rounds, uint, 0444);
MODULE_PARM_DESC(bench_rounds,
		 "KUnit benchmarks: rounds; results are medians over them (default 7)");

/*
 * Realistic ids: DRAM buffers 1 MiB apart, L1 buffers 32-byte aligned.
 * Sizes only add up in the totals: every record is of one size.
 */
#define TT_TRACK_BENCH_SIZE	SZ_1M
/* Memories no benchmark fills: the store is timed, not the capacity check */
static const u64 tt_track_bench_capacity[TT_TRACK_MEMS] = {
	[TT_TRACK_MEM_DRAM] = TT_TRACK_SIZE_MAX,
	[TT_TRACK_MEM_L1] = TT_TRACK_SIZE_MAX,
	[TT_TRACK_MEM_SYSTEM] = TT_TRACK_SIZE_MAX,
};

#define TT_TRACK_BENCH_DRAM	0x800000000ULL
#define TT_TRACK_BENCH_L1	0x10000ULL
#define TT_TRACK_BENCH_L1_ALIGN	32

/*
 * Where the mixed workload's L1 ids start: at the DRAM ones. On a card
 * DRAM and L1 are separate address spaces, and tt-metal's ids of the two
 * overlap; the store tells records apart by type. (Version 1's store
 * refused that; its mixed workload kept the L1 ids below the DRAM ones.)
 */
#define TT_TRACK_BENCH_MIXED_L1	TT_TRACK_BENCH_DRAM

/* The spread workload's ids: a fixed xorshift64* sequence from this seed */
#define TT_TRACK_BENCH_SEED	0x9e3779b97f4a7c15ULL

/* Which ids a workload records, in which order */
enum tt_track_bench_ids {
	TT_TRACK_BENCH_IDS_DRAM,	/* DRAM ids 1 MiB apart */
	TT_TRACK_BENCH_IDS_L1,		/* L1 ids 32 bytes apart */
	TT_TRACK_BENCH_IDS_MIXED,	/* DRAM and L1 in turn */
	TT_TRACK_BENCH_IDS_SPREAD,	/* over the whole 64-bit space */
};

/* The levels of live records pairs are timed at: none, n, 10 n */
enum {
	TT_TRACK_BENCH_AT_0,
	TT_TRACK_BENCH_AT_N,
	TT_TRACK_BENCH_AT_BIG,
	TT_TRACK_BENCH_LEVELS
};

enum {
	TT_TRACK_BENCH_ALLOC,
	TT_TRACK_BENCH_FREE,
	TT_TRACK_BENCH_PAIR,
	TT_TRACK_BENCH_RELEASE,
	TT_TRACK_BENCH_MIXED_ALLOC,
	TT_TRACK_BENCH_MIXED_FREE,
	TT_TRACK_BENCH_SPREAD_ALLOC,
	TT_TRACK_BENCH_SPREAD_FREE,
	TT_TRACK_BENCH_INDEX_ALLOC,
	TT_TRACK_BENCH_INDEX_FREE,
	TT_TRACK_BENCH_BIG_ALLOC,
	TT_TRACK_BENCH_BIG_FREE,
	TT_TRACK_BENCH_BIG_RELEASE,
	/* per level, in the order of the levels: pairs, the index's, batched */
	TT_TRACK_BENCH_PAIR_AT0,
	TT_TRACK_BENCH_PAIR_ATN,
	TT_TRACK_BENCH_PAIR_ATBIG,
	TT_TRACK_BENCH_INDEX_PAIR_AT0,
	TT_TRACK_BENCH_INDEX_PAIR_ATN,
	TT_TRACK_BENCH_INDEX_PAIR_ATBIG,
	TT_TRACK_BENCH_BATCH_AT0,
	TT_TRACK_BENCH_BATCH_ATN,
	TT_TRACK_BENCH_BATCH_ATBIG,
	TT_TRACK_BENCH_TRACE,
	TT_TRACK_BENCH_TRACE_BATCH,
	TT_TRACK_BENCH_RESULTS
};

static const struct {
	const char *name;
	const char *unit;
} tt_track_bench_desc[TT_TRACK_BENCH_RESULTS] = {
	[TT_TRACK_BENCH_ALLOC]		= { "store_alloc", "ns/op" },
	[TT_TRACK_BENCH_FREE]		= { "store_free", "ns/op" },
	[TT_TRACK_BENCH_PAIR]		= { "store_pair", "ns/op" },
	[TT_TRACK_BENCH_RELEASE]	= { "store_release", "ns/record" },
	[TT_TRACK_BENCH_MIXED_ALLOC]	= { "store_mixed_alloc", "ns/op" },
	[TT_TRACK_BENCH_MIXED_FREE]	= { "store_mixed_free", "ns/op" },
	[TT_TRACK_BENCH_SPREAD_ALLOC]	= { "store_spread_alloc", "ns/op" },
	[TT_TRACK_BENCH_SPREAD_FREE]	= { "store_spread_free", "ns/op" },
	[TT_TRACK_BENCH_INDEX_ALLOC]	= { "store_index_alloc", "ns/op" },
	[TT_TRACK_BENCH_INDEX_FREE]	= { "store_index_free", "ns/op" },
	[TT_TRACK_BENCH_BIG_ALLOC]	= { "store_big_alloc", "ns/op" },
	[TT_TRACK_BENCH_BIG_FREE]	= { "store_big_free", "ns/op" },
	[TT_TRACK_BENCH_BIG_RELEASE]	= { "store_big_release", "ns/record" },
	[TT_TRACK_BENCH_PAIR_AT0]	= { "store_pair_at0", "ns/op" },
	[TT_TRACK_BENCH_PAIR_ATN]	= { "store_pair_atn", "ns/op" },
	[TT_TRACK_BENCH_PAIR_ATBIG]	= { "store_pair_atbig", "ns/op" },
	[TT_TRACK_BENCH_INDEX_PAIR_AT0]	= { "store_index_pair_at0", "ns/op" },
	[TT_TRACK_BENCH_INDEX_PAIR_ATN]	= { "store_index_pair_atn", "ns/op" },
	[TT_TRACK_BENCH_INDEX_PAIR_ATBIG]	= { "store_index_pair_atbig", "ns/op" },
	[TT_TRACK_BENCH_BATCH_AT0]	= { "store_batch_at0", "ns/op" },
	[TT_TRACK_BENCH_BATCH_ATN]	= { "store_batch_atn", "ns/op" },
	[TT_TRACK_BENCH_BATCH_ATBIG]	= { "store_batch_atbig", "ns/op" },
	[TT_TRACK_BENCH_TRACE]		= { "store_trace", "ns/op" },
	[TT_TRACK_BENCH_TRACE_BATCH]	= { "store_trace_batch", "ns/op" },
};

/**
 * struct tt_track_bench - a card, a file on it, and what the rounds measured
 * @test: the running case
 * @parent: stands in for the card's device in log lines
 * @tdev: the card's tracking state
 * @tfile: the file of the workload running, set up anew for each
 * @open: @tfile is open
 * @n: records per workload
 * @spread_n: records of the spread workload, at most @n
 * @rounds: rounds
 * @values: per result and round, tenths of a nanosecond per op
 */
struct tt_track_bench {
	struct kunit *test;
	struct device *parent;
	struct tt_track_device tdev;
	struct tt_track_file *tfile;
	bool open;
	u64 n;
	u64 spread_n;
	unsigned int rounds;
	u64 *values;
};

/* The k-th id of a sequence, and its type; *state carries the spread's */
static __always_inline u64 tt_track_bench_id(enum tt_track_bench_ids ids,
					     u64 k, u64 *state, u32 *type)
{
	u64 x;

	switch (ids) {
	case TT_TRACK_BENCH_IDS_DRAM:
		*type = TT_BUFFER_TYPE_DRAM;
		return TT_TRACK_BENCH_DRAM + k * SZ_1M;
	case TT_TRACK_BENCH_IDS_L1:
		*type = TT_BUFFER_TYPE_L1;
		return TT_TRACK_BENCH_L1 + k * TT_TRACK_BENCH_L1_ALIGN;
	case TT_TRACK_BENCH_IDS_MIXED:
		if (k & 1) {
			*type = TT_BUFFER_TYPE_L1;
			return TT_TRACK_BENCH_MIXED_L1 +
			       (k >> 1) * TT_TRACK_BENCH_L1_ALIGN;
		}
		*type = TT_BUFFER_TYPE_DRAM;
		return TT_TRACK_BENCH_DRAM + (k >> 1) * SZ_1M;
	case TT_TRACK_BENCH_IDS_SPREAD:
	default:
		/* a bijection of the nonzero state: no id comes twice, none is 0 */
		x = *state;
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		*state = x;
		*type = TT_BUFFER_TYPE_DRAM;
		return x * 0x2545f4914f6cdd1dULL;
	}
}

/*
 * A timed section begins with no deferred work of earlier ones pending and
 * ends when its own is done: the xarray hands freed index nodes back to
 * their slab after an RCU grace period, and under UML, where a loop never
 * passes through a quiescent state, those frees would otherwise wait and
 * be paid by whichever section next schedules (a release's cond_resched()
 * after a spread workload's frees took 3 us a record instead of 18 ns).
 * Memory a store frees at once is paid inside its loop; this makes memory
 * it frees after a grace period count too.
 */
static u64 tt_track_bench_start(void)
{
	rcu_barrier();
	return ktime_get_ns();
}

static u64 tt_track_bench_stop(u64 t0)
{
	rcu_barrier();
	return ktime_get_ns() - t0;
}

static void tt_track_bench_open(struct tt_track_bench *b)
{
	KUNIT_ASSERT_EQ(b->test, tt_track_file_init(b->tfile, &b->tdev), 0);
	b->open = true;
}

/*
 * Release the file, returning how long that took. A release of a file
 * that holds records logs a line about them, as when a process exits
 * holding buffers. On a machine that line goes to the log buffer and, at
 * the console level of a quiet boot, no further; under UML every console
 * line is a synchronous write to the pipe kunit.py reads, about half a
 * millisecond, which would be a third of a 100000-record release. So the
 * console is kept at that quiet level meanwhile: the line is still made
 * and stored, and timed, but not written out.
 */
static u64 tt_track_bench_close(struct tt_track_bench *b)
{
	int level = console_loglevel;
	u64 t0;

	console_loglevel = min(level, CONSOLE_LOGLEVEL_QUIET);
	t0 = tt_track_bench_start();
	tt_track_file_release(b->tfile);
	t0 = tt_track_bench_stop(t0);
	console_loglevel = level;
	b->open = false;
	return t0;
}

static void tt_track_bench_record(struct tt_track_bench *b, unsigned int res,
				  unsigned int round, u64 ns, u64 ops)
{
	b->values[res * b->rounds + round] = div64_u64(ns * 10 + ops / 2, ops);
}

/* Allocate @n records of @ids into the open file; nanoseconds taken */
static __always_inline u64 tt_track_bench_fill(struct tt_track_bench *b,
					       enum tt_track_bench_ids ids,
					       u64 n)
{
	u64 state = TT_TRACK_BENCH_SEED, id = 0, k, t0;
	u32 type;
	int ret = 0;

	t0 = tt_track_bench_start();
	for (k = 0; k < n; k++) {
		id = tt_track_bench_id(ids, k, &state, &type);
		ret = tt_track_bench_alloc(b->tfile, id, TT_TRACK_BENCH_SIZE, type);
		if (ret)
			break;
	}
	t0 = tt_track_bench_stop(t0);
	KUNIT_ASSERT_EQ_MSG(b->test, ret, 0, "alloc %llu of id 0x%llx", k, id);
	KUNIT_ASSERT_EQ(b->test, tt_track_bench_live(&b->tdev), n);
	return t0;
}

/* Free the records tt_track_bench_fill() made, in the same order */
static __always_inline u64 tt_track_bench_drain(struct tt_track_bench *b,
						enum tt_track_bench_ids ids,
						u64 n)
{
	u64 state = TT_TRACK_BENCH_SEED, id = 0, k, t0;
	u32 type;
	int ret = 0;

	t0 = tt_track_bench_start();
	for (k = 0; k < n; k++) {
		id = tt_track_bench_id(ids, k, &state, &type);
		ret = tt_track_bench_free(b->tfile, id, type);
		if (ret)
			break;
	}
	t0 = tt_track_bench_stop(t0);
	KUNIT_ASSERT_EQ_MSG(b->test, ret, 0, "free %llu of id 0x%llx", k, id);
	KUNIT_ASSERT_EQ(b->test, tt_track_bench_live(&b->tdev), 0);
	return t0;
}

/* Allocs of @n records of @ids in a fresh file, then their frees */
static void tt_track_bench_fill_drain(struct tt_track_bench *b,
				      unsigned int round,
				      enum tt_track_bench_ids ids, u64 n,
				      unsigned int alloc_res, unsigned int free_res)
{
	tt_track_bench_open(b);
	tt_track_bench_record(b, alloc_res, round, tt_track_bench_fill(b, ids, n), n);
	tt_track_bench_record(b, free_res, round, tt_track_bench_drain(b, ids, n), n);
	tt_track_bench_close(b);
}

/* alloc, free: n DRAM ids 1 MiB apart, then their frees in that order */
static void tt_track_bench_dram(struct tt_track_bench *b, unsigned int round)
{
	tt_track_bench_fill_drain(b, round, TT_TRACK_BENCH_IDS_DRAM, b->n,
				  TT_TRACK_BENCH_ALLOC, TT_TRACK_BENCH_FREE);
}

/*
 * pair: n alloc+free pairs of one id in an empty file, per op (half a
 * pair), as a runtime that allocates and frees a buffer in turn
 */
static void tt_track_bench_pair(struct tt_track_bench *b, unsigned int round)
{
	u64 k, t0;
	int ret = 0;

	tt_track_bench_open(b);
	t0 = tt_track_bench_start();
	for (k = 0; k < b->n; k++) {
		ret = tt_track_bench_alloc(b->tfile, TT_TRACK_BENCH_DRAM,
					   TT_TRACK_BENCH_SIZE,
					   TT_BUFFER_TYPE_DRAM);
		if (ret)
			break;
		ret = tt_track_bench_free(b->tfile, TT_TRACK_BENCH_DRAM,
					  TT_BUFFER_TYPE_DRAM);
		if (ret)
			break;
	}
	t0 = tt_track_bench_stop(t0);
	KUNIT_ASSERT_EQ_MSG(b->test, ret, 0, "pair %llu", k);
	KUNIT_ASSERT_EQ(b->test, tt_track_bench_live(&b->tdev), 0);
	tt_track_bench_record(b, TT_TRACK_BENCH_PAIR, round, t0, 2 * b->n);
	tt_track_bench_close(b);
}

/* release: a file holding n L1 records is released, per record */
static void tt_track_bench_release(struct tt_track_bench *b, unsigned int round)
{
	tt_track_bench_open(b);
	tt_track_bench_fill(b, TT_TRACK_BENCH_IDS_L1, b->n);
	tt_track_bench_record(b, TT_TRACK_BENCH_RELEASE, round,
			      tt_track_bench_close(b), b->n);
	KUNIT_ASSERT_EQ(b->test, tt_track_bench_live(&b->tdev), 0);
}

/* mixed: DRAM and L1 ids in turn (see TT_TRACK_BENCH_MIXED_L1), then frees */
static void tt_track_bench_mixed(struct tt_track_bench *b, unsigned int round)
{
	tt_track_bench_fill_drain(b, round, TT_TRACK_BENCH_IDS_MIXED, b->n,
				  TT_TRACK_BENCH_MIXED_ALLOC,
				  TT_TRACK_BENCH_MIXED_FREE);
}

/* spread: ids anywhere in the 64-bit space, then their frees in order */
static void tt_track_bench_spread(struct tt_track_bench *b, unsigned int round)
{
	tt_track_bench_fill_drain(b, round, TT_TRACK_BENCH_IDS_SPREAD,
				  b->spread_n, TT_TRACK_BENCH_SPREAD_ALLOC,
				  TT_TRACK_BENCH_SPREAD_FREE);
}

/* big: alloc and free of 10 n DRAM ids 1 MiB apart */
static void tt_track_bench_big(struct tt_track_bench *b, unsigned int round)
{
	tt_track_bench_fill_drain(b, round, TT_TRACK_BENCH_IDS_DRAM,
				  TT_TRACK_BENCH_BIG * b->n,
				  TT_TRACK_BENCH_BIG_ALLOC, TT_TRACK_BENCH_BIG_FREE);
}

/*
 * The index structure's own cost: what the store does for an alloc (a
 * lookup, as a refusal of a duplicate needs; room; the insert) and for a
 * free (the lookup, the removal), with nothing else of the tracking core:
 * no checks, totals, locks, per-user count or tracepoint.
 */
static __always_inline void tt_track_bench_index_insert(struct kunit *test,
							struct tt_track_store *st,
							u64 id, u32 type)
{
	KUNIT_ASSERT_NULL(test, tt_track_store_find(st, id, type));
	KUNIT_ASSERT_EQ(test, tt_track_store_reserve(st, GFP_KERNEL), 0);
	tt_track_store_insert(st, id, type, TT_TRACK_BENCH_SIZE, 0, GFP_KERNEL);
}

static __always_inline void tt_track_bench_index_remove(struct kunit *test,
							struct tt_track_store *st,
							u64 id, u32 type)
{
	struct tt_track_record **slot = tt_track_store_find(st, id, type);

	KUNIT_ASSERT_NOT_NULL(test, slot);
	tt_track_store_remove(st, slot, GFP_KERNEL);
}

/* index: the store alone, alloc and free of n DRAM ids 1 MiB apart */
static void tt_track_bench_index(struct tt_track_bench *b, unsigned int round)
{
	struct tt_track_store *st = &b->tfile->records;
	u64 state = TT_TRACK_BENCH_SEED, k, t0;
	u32 type;

	tt_track_bench_open(b);
	t0 = tt_track_bench_start();
	for (k = 0; k < b->n; k++)
		tt_track_bench_index_insert(b->test, st,
					    tt_track_bench_id(TT_TRACK_BENCH_IDS_DRAM,
							      k, &state, &type),
					    type);
	tt_track_bench_record(b, TT_TRACK_BENCH_INDEX_ALLOC, round,
			      tt_track_bench_stop(t0), b->n);
	t0 = tt_track_bench_start();
	for (k = 0; k < b->n; k++)
		tt_track_bench_index_remove(b->test, st,
					    tt_track_bench_id(TT_TRACK_BENCH_IDS_DRAM,
							      k, &state, &type),
					    type);
	tt_track_bench_record(b, TT_TRACK_BENCH_INDEX_FREE, round,
			      tt_track_bench_stop(t0), b->n);
	KUNIT_ASSERT_EQ(b->test, st->count, 0);
	tt_track_bench_close(b);
}

/*
 * An op of a batch: TRACK_BATCH holds the file's lock over a chunk of
 * operations and calls these for each (track_ioctl.c); what it adds per
 * op besides (the copy of the op, its checks) is not timed here.
 */
#define TT_TRACK_BENCH_CHUNK	16

/*
 * Pairs of one DRAM id at a level of live L1 records (made first, not
 * timed): through the tracking calls, through the store alone, and in
 * chunks of a batch; the release of the file after, at the biggest level.
 */
static void tt_track_bench_pairs_at(struct tt_track_bench *b,
				    unsigned int round, unsigned int level)
{
	static const unsigned int mul[TT_TRACK_BENCH_LEVELS] = {
		[TT_TRACK_BENCH_AT_0] = 0,
		[TT_TRACK_BENCH_AT_N] = 1,
		[TT_TRACK_BENCH_AT_BIG] = TT_TRACK_BENCH_BIG,
	};
	struct tt_track_store *st = &b->tfile->records;
	u64 live = mul[level] * b->n, id = TT_TRACK_BENCH_DRAM, k, t0;
	u32 type = TT_BUFFER_TYPE_DRAM;
	unsigned int i;
	int ret = 0;

	tt_track_bench_open(b);
	if (live)
		tt_track_bench_fill(b, TT_TRACK_BENCH_IDS_L1, live);

	t0 = tt_track_bench_start();
	for (k = 0; k < b->n && !ret; k++) {
		ret = tt_track_bench_alloc(b->tfile, id, TT_TRACK_BENCH_SIZE, type);
		if (!ret)
			ret = tt_track_bench_free(b->tfile, id, type);
	}
	t0 = tt_track_bench_stop(t0);
	KUNIT_ASSERT_EQ_MSG(b->test, ret, 0, "pair %llu", k);
	tt_track_bench_record(b, TT_TRACK_BENCH_PAIR_AT0 + level, round, t0,
			      2 * b->n);

	t0 = tt_track_bench_start();
	for (k = 0; k < b->n; k++) {
		tt_track_bench_index_insert(b->test, st, id, type);
		tt_track_bench_index_remove(b->test, st, id, type);
	}
	tt_track_bench_record(b, TT_TRACK_BENCH_INDEX_PAIR_AT0 + level, round,
			      tt_track_bench_stop(t0), 2 * b->n);

	t0 = tt_track_bench_start();
	for (k = 0; k < b->n && !ret; k += TT_TRACK_BENCH_CHUNK / 2) {
		mutex_lock(&b->tfile->lock);
		for (i = 0; i < TT_TRACK_BENCH_CHUNK / 2 && !ret; i++) {
			ret = __tt_track_alloc(b->tfile, id, TT_TRACK_BENCH_SIZE,
					       type, 0, NULL);
			if (!ret)
				ret = __tt_track_free(b->tfile, id, type,
						      TENSTORRENT_TRACK_TYPED,
						      NULL);
		}
		mutex_unlock(&b->tfile->lock);
	}
	t0 = tt_track_bench_stop(t0);
	KUNIT_ASSERT_EQ_MSG(b->test, ret, 0, "batched pair %llu", k);
	tt_track_bench_record(b, TT_TRACK_BENCH_BATCH_AT0 + level, round, t0, 2 * k);

	KUNIT_ASSERT_EQ(b->test, tt_track_bench_live(&b->tdev), live);
	t0 = tt_track_bench_close(b);
	if (level == TT_TRACK_BENCH_AT_BIG)
		tt_track_bench_record(b, TT_TRACK_BENCH_BIG_RELEASE, round, t0,
				      live);
}

static void tt_track_bench_at0(struct tt_track_bench *b, unsigned int round)
{
	tt_track_bench_pairs_at(b, round, TT_TRACK_BENCH_AT_0);
}

static void tt_track_bench_atn(struct tt_track_bench *b, unsigned int round)
{
	tt_track_bench_pairs_at(b, round, TT_TRACK_BENCH_AT_N);
}

static void tt_track_bench_atbig(struct tt_track_bench *b, unsigned int round)
{
	tt_track_bench_pairs_at(b, round, TT_TRACK_BENCH_AT_BIG);
}

/* One operation of the trace (track_bench.h), its file's lock held or not */
static __always_inline int tt_track_bench_trace_op(struct tt_track_file *tfile,
						   unsigned int k, bool locked)
{
	struct tt_bench_trace_op op;

	tt_bench_trace_op(k, &op);
	if (op.alloc)
		return locked ? __tt_track_alloc(tfile, op.id, op.size, op.type,
						 0, NULL) :
				tt_track_bench_alloc(tfile, op.id, op.size, op.type);
	return locked ? __tt_track_free(tfile, op.id, op.type,
					TENSTORRENT_TRACK_TYPED, NULL) :
			tt_track_bench_free(tfile, op.id, op.type);
}

/*
 * trace: the tt-metal-shaped trace replayed until n operations or more,
 * through the tracking calls and in chunks of a batch, per op
 */
static void tt_track_bench_trace(struct tt_track_bench *b, unsigned int round)
{
	u64 reps = DIV_ROUND_UP(b->n, TT_BENCH_TRACE_OPS), r, t0;
	unsigned int k, i;
	int ret = 0;

	tt_track_bench_open(b);
	t0 = tt_track_bench_start();
	for (r = 0; r < reps && !ret; r++)
		for (k = 0; k < TT_BENCH_TRACE_OPS && !ret; k++)
			ret = tt_track_bench_trace_op(b->tfile, k, false);
	t0 = tt_track_bench_stop(t0);
	KUNIT_ASSERT_EQ_MSG(b->test, ret, 0, "trace op %u", k);
	KUNIT_ASSERT_EQ(b->test, tt_track_bench_live(&b->tdev), 0);
	tt_track_bench_record(b, TT_TRACK_BENCH_TRACE, round, t0,
			      reps * TT_BENCH_TRACE_OPS);

	t0 = tt_track_bench_start();
	for (r = 0; r < reps && !ret; r++)
		for (k = 0; k < TT_BENCH_TRACE_OPS && !ret;) {
			mutex_lock(&b->tfile->lock);
			for (i = 0; i < TT_TRACK_BENCH_CHUNK &&
			     k < TT_BENCH_TRACE_OPS && !ret; i++, k++)
				ret = tt_track_bench_trace_op(b->tfile, k, true);
			mutex_unlock(&b->tfile->lock);
		}
	t0 = tt_track_bench_stop(t0);
	KUNIT_ASSERT_EQ_MSG(b->test, ret, 0, "batched trace op %u", k);
	KUNIT_ASSERT_EQ(b->test, tt_track_bench_live(&b->tdev), 0);
	tt_track_bench_record(b, TT_TRACK_BENCH_TRACE_BATCH, round, t0,
			      reps * TT_BENCH_TRACE_OPS);
	tt_track_bench_close(b);
}

static void (*const tt_track_bench_workloads[])(struct tt_track_bench *b,
						 unsigned int round) = {
	tt_track_bench_dram,
	tt_track_bench_pair,
	tt_track_bench_release,
	tt_track_bench_mixed,
	tt_track_bench_spread,
	tt_track_bench_big,
	tt_track_bench_index,
	tt_track_bench_at0,
	tt_track_bench_atn,
	tt_track_bench_atbig,
	tt_track_bench_trace,
};

static int tt_track_bench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return (x > y) - (x < y);
}

static void tt_track_bench_print(struct kunit *test, const char *name,
				 const char *suffix, u64 tenths,
				 const char *unit)
{
	kunit_log(KERN_INFO, test,
		  KUNIT_SUBTEST_INDENT "# result %s%s %llu.%llu %s",
		  name, suffix, tenths / 10, tenths % 10, unit);
}

/* A count the results were measured with, as a result line too */
static void tt_track_bench_count(struct kunit *test, const char *name,
				 u64 count, const char *unit)
{
	kunit_log(KERN_INFO, test, KUNIT_SUBTEST_INDENT "# result %s %llu %s",
		  name, count, unit);
}

static void tt_track_bench_store(struct kunit *test)
{
	struct tt_track_bench *b = test->priv;
	unsigned int r, w, res, nw = ARRAY_SIZE(tt_track_bench_workloads);

	b->n = tt_track_bench_records;
	b->spread_n = min_t(u64, b->n, tt_track_bench_spread_records);
	b->rounds = tt_track_bench_rounds;
	KUNIT_ASSERT_GT(test, b->spread_n, 0);
	KUNIT_ASSERT_GT(test, b->rounds, 0);
	b->values = kunit_kcalloc(test, TT_TRACK_BENCH_RESULTS * b->rounds,
				  sizeof(*b->values), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->values);
	kunit_info(test, "records %llu (spread %llu), rounds %u after one of warm-up, the order rotating; results are medians over the rounds\n",
		   b->n, b->spread_n, b->rounds);

	/*
	 * A round of warm-up first, whose values the first round overwrites:
	 * it brings the slabs to size and touches the memory the workloads
	 * use (under UML the first touch of a page is a fault in the host),
	 * which the first round would pay for otherwise.
	 */
	for (r = 0; r <= b->rounds; r++)
		for (w = 0; w < nw; w++)
			tt_track_bench_workloads[(r + w) % nw](b, r ? r - 1 : 0);

	for (res = 0; res < TT_TRACK_BENCH_RESULTS; res++) {
		u64 *v = &b->values[res * b->rounds];
		const char *name = tt_track_bench_desc[res].name;
		const char *unit = tt_track_bench_desc[res].unit;
		unsigned int m = b->rounds / 2;

		for (r = 0; r < b->rounds; r++)
			kunit_log(KERN_INFO, test,
				  KUNIT_SUBTEST_INDENT "# round %u %s %llu.%llu %s",
				  r + 1, name, v[r] / 10, v[r] % 10, unit);
		sort(v, b->rounds, sizeof(*v), tt_track_bench_cmp, NULL);
		tt_track_bench_print(test, name, "",
				     b->rounds % 2 ? v[m] : (v[m - 1] + v[m]) / 2,
				     unit);
		tt_track_bench_print(test, name, "_min", v[0], unit);
		tt_track_bench_print(test, name, "_max", v[b->rounds - 1], unit);
	}
	tt_track_bench_count(test, "store_records", b->n, "records");
	tt_track_bench_count(test, "store_spread_records", b->spread_n, "records");
	tt_track_bench_count(test, "store_big_records", TT_TRACK_BENCH_BIG * b->n,
			     "records");
	tt_track_bench_count(test, "store_trace_ops", TT_BENCH_TRACE_OPS, "ops");
	tt_track_bench_count(test, "store_rounds", b->rounds, "rounds");
}

static int tt_track_bench_init(struct kunit *test)
{
	struct tt_track_bench *b;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	/* a file holds an xarray per trailing zeros: too big for the stack */
	b->tfile = kunit_kzalloc(test, sizeof(*b->tfile), GFP_KERNEL);
	if (!b->tfile)
		return -ENOMEM;
	b->test = test;
	b->parent = root_device_register("tt_track_bench");
	if (IS_ERR(b->parent))
		return PTR_ERR(b->parent);
	tt_track_device_init(&b->tdev, b->parent, 0, tt_track_bench_capacity,
			     NULL);
	/* exit undoes the rest only for an init that got this far */
	test->priv = b;
	return 0;
}

static void tt_track_bench_exit(struct kunit *test)
{
	struct tt_track_bench *b = test->priv;

	if (!b)
		return;
	/* a failed assertion leaves the workload's file open */
	if (b->open)
		tt_track_file_release(b->tfile);
	tt_track_device_destroy(&b->tdev);
	root_device_unregister(b->parent);
}

static struct kunit_case tt_track_bench_cases[] = {
	KUNIT_CASE(tt_track_bench_store),
	{}
};

static struct kunit_suite tt_track_bench_suite = {
	.name = "tenstorrent_track_bench",
	.init = tt_track_bench_init,
	.exit = tt_track_bench_exit,
	.test_cases = tt_track_bench_cases,
};

kunit_test_suite(tt_track_bench_suite);
