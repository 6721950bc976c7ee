/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A workload shaped like tt-metal's, replayed both by the record store's
 * native benchmarks (track_bench.c, under UML) and by the user-space
 * contenders (bench/tt_bench_track.c): the same operations, in the same
 * order, wherever they run. Plain C with no includes, so that the kernel
 * and user space can both use it.
 *
 * A program is loaded (its L1 buffers, circular buffers and kernel
 * binaries, all at once, as tt-metal does before a program runs), runs
 * (DRAM tensors and L1 scratch buffers allocated and freed in pairs, up to
 * TT_BENCH_TRACE_LIVE DRAM buffers live), and is torn down (what it loaded
 * freed in reverse). The ids of the four kinds never meet, so an untyped
 * free finds one record. Every type is one of tenstorrent_track.h's.
 */
#ifndef TT_TRACK_BENCH_H
#define TT_TRACK_BENCH_H

/* What a program loads: L1 buffers, circular buffers, kernel binaries */
#define TT_BENCH_TRACE_L1		256
#define TT_BENCH_TRACE_CB		96
#define TT_BENCH_TRACE_KERNELS		32
#define TT_BENCH_TRACE_LOAD	\
	(TT_BENCH_TRACE_L1 + TT_BENCH_TRACE_CB + TT_BENCH_TRACE_KERNELS)
/* Steady-state steps: a DRAM alloc, an L1 alloc, the L1 free, a DRAM free */
#define TT_BENCH_TRACE_STEPS		1024
/* DRAM buffers live at once in the steady state */
#define TT_BENCH_TRACE_LIVE		16
/* Operations in one replay */
#define TT_BENCH_TRACE_OPS	\
	(2 * TT_BENCH_TRACE_LOAD + 4 * TT_BENCH_TRACE_STEPS)

/* Where each kind's ids start, and how far apart they are */
#define TT_BENCH_TRACE_L1_BASE		0x10000ULL	/* 2 KiB apart */
#define TT_BENCH_TRACE_CB_BASE		0x110000ULL	/* 512 B apart */
#define TT_BENCH_TRACE_KERNEL_BASE	0x130000ULL	/* 4 KiB apart */
#define TT_BENCH_TRACE_SCRATCH		0x160000ULL	/* one L1 scratch id */
#define TT_BENCH_TRACE_DRAM_BASE	0x800000000ULL	/* 1 MiB apart */

/* The buffer types, as tenstorrent_track.h numbers them */
#define TT_BENCH_TRACE_DRAM	0
#define TT_BENCH_TRACE_L1T	1
#define TT_BENCH_TRACE_CBT	5
#define TT_BENCH_TRACE_KERNEL	6

/**
 * struct tt_bench_trace_op - one operation of the trace
 * @alloc: 1 for an allocation, 0 for a free
 * @type: the buffer's type
 * @id: its id
 * @size: its size, in bytes (a free's too: what it frees)
 */
struct tt_bench_trace_op {
	unsigned int alloc;
	unsigned int type;
	unsigned long long id;
	unsigned long long size;
};

/* The k-th loaded buffer, k below TT_BENCH_TRACE_LOAD */
static inline void tt_bench_trace_loaded(unsigned int k,
					 struct tt_bench_trace_op *op)
{
	if (k < TT_BENCH_TRACE_L1) {
		op->type = TT_BENCH_TRACE_L1T;
		op->id = TT_BENCH_TRACE_L1_BASE + k * 2048ULL;
		op->size = 2048;
	} else if (k < TT_BENCH_TRACE_L1 + TT_BENCH_TRACE_CB) {
		k -= TT_BENCH_TRACE_L1;
		op->type = TT_BENCH_TRACE_CBT;
		op->id = TT_BENCH_TRACE_CB_BASE + k * 512ULL;
		op->size = 512;
	} else {
		k -= TT_BENCH_TRACE_L1 + TT_BENCH_TRACE_CB;
		op->type = TT_BENCH_TRACE_KERNEL;
		op->id = TT_BENCH_TRACE_KERNEL_BASE + k * 4096ULL;
		op->size = 4096;
	}
}

/* DRAM buffer @n of the steady state: its slot's id, 1 MiB apart */
static inline void tt_bench_trace_dram(unsigned int n,
				       struct tt_bench_trace_op *op)
{
	op->type = TT_BENCH_TRACE_DRAM;
	op->id = TT_BENCH_TRACE_DRAM_BASE +
		 (n % TT_BENCH_TRACE_LIVE) * 0x100000ULL;
	op->size = 0x100000;
}

/**
 * tt_bench_trace_op() - operation @k of the trace
 * @k: below TT_BENCH_TRACE_OPS
 * @op: set to it
 *
 * Load: every loaded buffer allocated. Steady state, step s: DRAM buffer
 * s allocated (the first TT_BENCH_TRACE_LIVE steps fill the slots, later
 * ones free the slot's buffer first: one alloc and one free a step), the
 * scratch L1 buffer allocated and freed. Teardown: the DRAM buffers left,
 * then the loaded buffers in reverse.
 */
static inline void tt_bench_trace_op(unsigned int k,
				     struct tt_bench_trace_op *op)
{
	unsigned int s, i;

	if (k < TT_BENCH_TRACE_LOAD) {
		op->alloc = 1;
		tt_bench_trace_loaded(k, op);
		return;
	}
	k -= TT_BENCH_TRACE_LOAD;
	if (k < 4 * TT_BENCH_TRACE_STEPS - TT_BENCH_TRACE_LIVE) {
		/* the first LIVE steps have no DRAM free: 3 ops each */
		if (k < 3 * TT_BENCH_TRACE_LIVE) {
			s = k / 3;
			i = k % 3 + 1;
		} else {
			k -= 3 * TT_BENCH_TRACE_LIVE;
			s = TT_BENCH_TRACE_LIVE + k / 4;
			i = k % 4;
		}
		switch (i) {
		case 0:		/* the slot's buffer of LIVE steps before */
			op->alloc = 0;
			tt_bench_trace_dram(s - TT_BENCH_TRACE_LIVE, op);
			return;
		case 1:
			op->alloc = 1;
			tt_bench_trace_dram(s, op);
			return;
		default:
			op->alloc = i == 2;
			op->type = TT_BENCH_TRACE_L1T;
			op->id = TT_BENCH_TRACE_SCRATCH;
			op->size = 8192;
			return;
		}
	}
	k -= 4 * TT_BENCH_TRACE_STEPS - TT_BENCH_TRACE_LIVE;
	op->alloc = 0;
	if (k < TT_BENCH_TRACE_LIVE) {
		tt_bench_trace_dram(TT_BENCH_TRACE_STEPS - TT_BENCH_TRACE_LIVE + k,
				    op);
		return;
	}
	tt_bench_trace_loaded(TT_BENCH_TRACE_LOAD - 1 - (k - TT_BENCH_TRACE_LIVE),
			      op);
}

#endif /* TT_TRACK_BENCH_H */
