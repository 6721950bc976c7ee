// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bounded random fuzzer of the tracking ioctls, checked against a model.
 *
 * Random commands (the five ioctls, unknown numbers, wrong sizes), random
 * fields (ids from a small pool so that duplicates, repeated reports,
 * untyped frees of ids live in several types and unknown frees happen;
 * sizes 0, small, beyond the card's memory and U64_MAX; types in and out
 * of range; known and unknown flags), random batches (mixed operations,
 * the file itself as a target, bad operations in the middle), NULL
 * argument pointers, from one thread, from
 * four threads on one file and from processes that exit holding records.
 * Every return value is compared with what a model of the file predicts;
 * after each run the file's totals must equal the model's, and once every
 * file is closed the card's totals must be zero.
 *
 * The seed is fixed, so make check runs the same calls every time (thread
 * interleavings aside); TT_FUZZ_SEED=N repeats another run, TT_FUZZ_SEED=
 * random draws one (printed), TT_FUZZ_OPS (default 100000) lengthens it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "tt_track_helpers.h"

#define NTYPES		TENSTORRENT_BUFFER_TYPE_MAX	/* slots in the ABI */
#define NVALID		TT_BUFFER_TYPE_COUNT		/* types accepted */
#define POOL		64
#define SYSFS_CARD0	"/sys/class/tenstorrent/tenstorrent!0"

/* The memory each type lives in (the uapi header): DRAM, L1, system */
static const int type_mem[NVALID] = { 0, 1, 2, 1, 0, 1, 1 };
/* Card 0's capacity of each memory, from sysfs */
static __u64 capacity[3];

/* One file's live records as the driver should hold them: (slot, type) */
struct model {
	unsigned int refs[POOL][NVALID];
	__u64 size[POOL][NVALID];
	__u64 allocated[NTYPES];
	__u64 buffers[NTYPES];
	__u64 id_base;		/* the pool's ids: id_of(m, i) */
	bool huge_sizes;	/* sizes beyond any card's memory too */
	bool shared;		/* other threads use the file: no totals check */
	int fd;			/* the file, a batch op's target */
	__u64 rng;
	unsigned long calls, errors;
};

static __u64 next_rand(struct model *m)
{
	return xorshift64s(&m->rng);	/* reproducible from the seed */
}

static unsigned int pick(struct model *m, unsigned int n)
{
	return next_rand(m) % n;
}

/* Pool slot i's id: 0, small, DRAM-like, L1-like and large ids mixed */
static __u64 id_of(const struct model *m, unsigned int i)
{
	switch (i % 4) {
	case 0:
		return m->id_base + i + 1;
	case 1:
		return 0x800000000ULL + m->id_base + ((__u64)i << 20);
	case 2:
		return 0x10000 + m->id_base + (__u64)i * 32;
	default:
		return (i == 3 && !m->id_base) ? 0 : ~0ULL - m->id_base - i;
	}
}

/*
 * Sizes: 0, small, and (huge_sizes) beyond any card. Threads sharing a file
 * keep under 64 KiB, so that together they never reach a capacity and each
 * thread's model stays exact.
 */
static __u64 rand_size(struct model *m)
{
	switch (pick(m, m->huge_sizes ? 20 : 16)) {
	case 0:
		return 0;
	case 16:
	case 17:
		return 1ULL << 63;
	case 18:
		return ~0ULL;
	case 19:
		return (1ULL << 63) + 1;
	default:
		return 1 + pick(m, m->shared ? 1 << 16 : 1 << 20);
	}
}

static __u32 rand_type(struct model *m)
{
	return pick(m, 16) ? pick(m, NVALID) : NVALID + pick(m, NTYPES);
}

/* Bytes the model holds in memory @mem */
static __u64 model_mem_total(const struct model *m, int mem)
{
	__u64 sum = 0;
	int t;

	for (t = 0; t < NVALID; t++)
		if (type_mem[t] == mem)
			sum += m->allocated[t];
	return sum;
}

/* What TRACK_ALLOC of (slot, size, type, flags) must return; applies it */
static int model_alloc(struct model *m, unsigned int i, __u64 size, __u32 type,
		       __u32 flags)
{
	__u64 cap;

	if (!size || type >= NVALID || (flags & ~TENSTORRENT_TRACK_REF))
		return -EINVAL;
	if (m->refs[i][type]) {
		if (!(flags & TENSTORRENT_TRACK_REF) || m->size[i][type] != size)
			return -EEXIST;
		m->refs[i][type]++;
		return 0;
	}
	cap = capacity[type_mem[type]];
	if (size > cap ||
	    (!m->shared && size > cap - model_mem_total(m, type_mem[type])))
		return -ERANGE;
	m->refs[i][type] = 1;
	m->size[i][type] = size;
	m->allocated[type] += size;
	m->buffers[type]++;
	return 0;
}

/* What TRACK_FREE of (slot, type, flags) must return; applies it */
static int model_free(struct model *m, unsigned int i, __u32 type,
		      __u32 flags, __u64 *size, __u32 *ftype)
{
	unsigned int live = 0, t;

	if (flags & ~TENSTORRENT_TRACK_TYPED)
		return -EINVAL;
	if (flags & TENSTORRENT_TRACK_TYPED) {
		if (type >= NVALID)
			return -EINVAL;
		if (!m->refs[i][type])
			return -ENOENT;
	} else {
		if (type)
			return -EINVAL;
		for (t = 0; t < NVALID; t++)
			if (m->refs[i][t]) {
				live++;
				type = t;
			}
		if (!live)
			return -ENOENT;
		if (live > 1)
			return -ENOTUNIQ;
	}
	*size = m->size[i][type];
	*ftype = type;
	if (--m->refs[i][type])
		return 0;
	m->allocated[type] -= m->size[i][type];
	m->buffers[type]--;
	return 0;
}

/* The file's totals are the model's: QUERY and the per-type counts */
static bool model_matches(struct model *m, int fd)
{
	stats_t s;
	int t;

	if (query(fd, &s))
		return false;
	for (t = 0; t < NTYPES; t++)
		if (s.file.allocated[t] != m->allocated[t] ||
		    s.file.buffers[t] != m->buffers[t]) {
			printf("# type %d: file %llu bytes %llu buffers, model %llu %llu\n",
			       t, (unsigned long long)s.file.allocated[t],
			       (unsigned long long)s.file.buffers[t],
			       (unsigned long long)m->allocated[t],
			       (unsigned long long)m->buffers[t]);
			return false;
		}
	return true;
}

/* A flag word: usually a known one for @op, sometimes any bit */
static __u32 rand_flags(struct model *m, __u32 known)
{
	if (!pick(m, 40))
		return 1u << pick(m, 32);
	return pick(m, 3) ? 0 : known;
}

/* The slot of a batch op's id (POOL for none) */
static unsigned int slot_of(const struct model *m, __u64 id)
{
	unsigned int j;

	for (j = 0; j < POOL && id_of(m, j) != id; j++)
		;
	return j;
}

/*
 * One random call on fd; returns false (and says why) when the driver's
 * answer differs from the model's.
 */
static bool fuzz_one(struct model *m, int fd)
{
	unsigned int i = pick(m, POOL), what = pick(m, 100);
	int got, want;

	m->calls++;
	if (what < 35) {			/* TRACK_ALLOC */
		struct tenstorrent_track_alloc a = { 0 };

		a.in.buffer_id = id_of(m, i);
		a.in.size = rand_size(m);
		a.in.buffer_type = rand_type(m);
		a.in.flags = rand_flags(m, TENSTORRENT_TRACK_REF);
		/* a repeated report of a live buffer, now and then */
		if (a.in.buffer_type < NVALID && m->refs[i][a.in.buffer_type] &&
		    pick(m, 2))
			a.in.size = m->size[i][a.in.buffer_type];
		got = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a);
		want = model_alloc(m, i, a.in.size, a.in.buffer_type, a.in.flags);
		if (got != want)
			printf("# TRACK_ALLOC 0x%llx size %llu type %u flags %#x: %d, model %d\n",
			       (unsigned long long)a.in.buffer_id,
			       (unsigned long long)a.in.size, a.in.buffer_type,
			       a.in.flags, got, want);
	} else if (what < 65) {			/* TRACK_FREE */
		struct tenstorrent_track_free f = { 0 };
		__u64 size = 0;
		__u32 type = 0;

		f.in.buffer_id = id_of(m, i);
		f.in.flags = rand_flags(m, TENSTORRENT_TRACK_TYPED);
		if (f.in.flags & TENSTORRENT_TRACK_TYPED || !pick(m, 30))
			f.in.buffer_type = rand_type(m);
		got = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_FREE, &f);
		want = model_free(m, i, f.in.buffer_type, f.in.flags, &size,
				  &type);
		if (!got && !want && (f.out.size != size || f.out.buffer_type != type)) {
			printf("# TRACK_FREE 0x%llx: size %llu type %u, model %llu %u\n",
			       (unsigned long long)f.in.buffer_id,
			       (unsigned long long)f.out.size, f.out.buffer_type,
			       (unsigned long long)size, type);
			return false;
		}
		if (got != want)
			printf("# TRACK_FREE 0x%llx type %u flags %#x: %d, model %d\n",
			       (unsigned long long)f.in.buffer_id,
			       f.in.buffer_type, f.in.flags, got, want);
	} else if (what < 85) {			/* TRACK_BATCH */
		struct tenstorrent_track_op ops[64];
		struct tenstorrent_track_batch b = { 0 };
		unsigned int n = 1 + pick(m, 64), k, applied = 0;

		want = 0;
		for (k = 0; k < n; k++) {
			unsigned int j = pick(m, POOL);

			memset(&ops[k], 0, sizeof(ops[k]));
			ops[k].buffer_id = id_of(m, j);
			ops[k].op = pick(m, 30) ? pick(m, 2) : 2 + pick(m, 3);
			ops[k].flags = rand_flags(m, ops[k].op ?
						  TENSTORRENT_TRACK_TYPED :
						  TENSTORRENT_TRACK_REF);
			/* a free's size must be 0, its type too if untyped */
			if (ops[k].op != 1 || !pick(m, 30))
				ops[k].size = rand_size(m);
			if (ops[k].op != 1 || !pick(m, 30) ||
			    ops[k].flags & TENSTORRENT_TRACK_TYPED)
				ops[k].buffer_type = rand_type(m);
			/* a repeated report of a buffer live before the batch */
			if (!ops[k].op && ops[k].buffer_type < NVALID &&
			    m->refs[j][ops[k].buffer_type] && pick(m, 2))
				ops[k].size = m->size[j][ops[k].buffer_type];
			/* the file itself as the target, now and then */
			ops[k].flags &= ~TENSTORRENT_TRACK_TARGET;
			if (!pick(m, 8)) {
				ops[k].flags |= TENSTORRENT_TRACK_TARGET;
				ops[k].fd = m->fd;
			}
		}
		b.in.ops = (uintptr_t)ops;
		b.in.count = n;
		b.in.op_size = pick(m, 2) ? sizeof(ops[0]) : 0;
		got = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b);
		/* the model applies in order and stops at the first error */
		for (k = 0; k < n && !want; k++) {
			unsigned int j = slot_of(m, ops[k].buffer_id);
			__u32 flags = ops[k].flags & ~TENSTORRENT_TRACK_TARGET;
			__u64 size;
			__u32 type;

			if (ops[k].op > 1 || (ops[k].op == 1 && ops[k].size))
				want = -EINVAL;
			else if (ops[k].op == 0)
				want = model_alloc(m, j, ops[k].size,
						   ops[k].buffer_type, flags);
			else
				want = model_free(m, j, ops[k].buffer_type,
						  flags, &size, &type);
			if (!want)
				applied++;
		}
		if (got == want && (b.out.processed != applied ||
				    b.out.failed != (want ? applied :
						     TENSTORRENT_TRACK_BATCH_NONE))) {
			printf("# TRACK_BATCH of %u: processed %u failed %u, model %u\n",
			       n, b.out.processed, b.out.failed, applied);
			return false;
		}
		if (got != want)
			printf("# TRACK_BATCH of %u: %d, model %d\n", n, got, want);
	} else if (what < 92) {			/* unknown numbers, wrong sizes */
		static const unsigned int known[] = { 0x20, 0x28 };
		char buf[512] = { 0 };
		unsigned long cmd;
		unsigned int nr;

		switch (pick(m, 3)) {
		case 0:	/* a number the driver does not have */
			do
				nr = 0x25 + pick(m, 0xda);
			while (nr >= 0x28 && nr <= 0x2c);
			cmd = _IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, nr, __u64);
			break;
		case 1:	/* a known number (either version), too small a size */
			cmd = _IOC(_IOC_READ | _IOC_WRITE, TENSTORRENT_TRACK_IOCTL_MAGIC,
				   known[pick(m, 2)] + pick(m, 5), 8);
			break;
		default:	/* another driver's magic */
			cmd = _IOWR(0xFB, 0x28 + pick(m, 5), __u64);
			break;
		}
		got = tt_ioctl(fd, cmd, buf);
		want = -ENOTTY;
		if (got != want)
			printf("# ioctl 0x%lx: %d, expected ENOTTY\n", cmd, got);
	} else if (what < 97) {			/* NULL argument */
		static const unsigned long cmds[] = {
			TENSTORRENT_IOCTL_TRACK_ALLOC, TENSTORRENT_IOCTL_TRACK_FREE,
			TENSTORRENT_IOCTL_TRACK_BATCH, TENSTORRENT_IOCTL_QUERY_ALLOC_STATS,
			TENSTORRENT_IOCTL_GET_TRACKING_INFO,
		};
		unsigned long cmd = cmds[pick(m, 5)];

		got = tt_ioctl(fd, cmd, NULL);
		want = -EFAULT;
		if (got != want)
			printf("# ioctl 0x%lx on NULL: %d, expected EFAULT\n", cmd, got);
	} else if (m->shared) {			/* totals others change too */
		stats_t s;

		got = query(fd, &s);
		want = 0;
	} else {				/* the totals so far */
		if (!model_matches(m, fd))
			return false;
		got = want = 0;
	}
	if (got)
		m->errors++;
	return got == want;
}

static __u64 fuzz_seed(void)
{
	const char *s = getenv("TT_FUZZ_SEED");
	struct timespec ts;

	if (!s || !*s)
		return 0x7e57fa2c0ffeeULL;
	if (strcmp(s, "random"))
		return strtoull(s, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((__u64)ts.tv_sec << 20) ^ ts.tv_nsec ^ getpid();
}

static long fuzz_ops(void)
{
	const char *s = getenv("TT_FUZZ_OPS");

	return s && *s ? strtol(s, NULL, 0) : (long)scaled(100000);
}

/* Card 0's capacities into capacity[]; false when sysfs lacks one */
static bool read_capacity(void)
{
	int t;

	for (t = 0; t < NVALID; t++) {
		capacity[type_mem[t]] = type_capacity(0, t);
		if (!capacity[type_mem[t]])
			return false;
	}
	return true;
}

/* Every total of card 0 in sysfs is zero */
static bool card_idle(void)
{
	static const char *const attrs[] = {
		"dram_allocated", "l1_allocated", "system_memory_allocated",
		"l1_small_allocated", "trace_allocated", "cb_allocated",
		"kernel_allocated", "buffers",
	};
	char path[128];
	unsigned int a;

	for (a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
		snprintf(path, sizeof(path), SYSFS_CARD0 "/%s", attrs[a]);
		if (read_number(path) != 0) {
			printf("# %s: %lld after every file closed\n", attrs[a],
			       read_number(path));
			return false;
		}
	}
	return true;
}

TEST(one_thread_against_the_model)
{
	struct model m = { .huge_sizes = true };
	long n = fuzz_ops(), k;
	int fd = open_card(0);

	ASSERT_LE(0, fd);
	ASSERT_TRUE(read_capacity());
	m.fd = fd;
	m.rng = fuzz_seed() | 1;
	TH_LOG("seed 0x%llx, %ld calls (TT_FUZZ_SEED, TT_FUZZ_OPS)",
	       (unsigned long long)m.rng, n);
	for (k = 0; k < n; k++)
		if (!fuzz_one(&m, fd))
			break;
	ASSERT_EQ(n, k) {
		TH_LOG("call %ld of the seed above differs from the model", k);
	}
	EXPECT_TRUE(model_matches(&m, fd));
	TH_LOG("%lu calls, %lu failed as the model said", m.calls, m.errors);
	close(fd);
	EXPECT_TRUE(card_idle());
}

struct fuzz_thread {
	struct model m;
	int fd;
	long n;
	bool ok;
};

static void *fuzz_thread_run(void *arg)
{
	struct fuzz_thread *ft = arg;
	long k;

	ft->ok = true;
	for (k = 0; k < ft->n && ft->ok; k++)
		ft->ok = fuzz_one(&ft->m, ft->fd);
	return NULL;
}

/*
 * Four threads on one file, each on ids of its own (so each keeps an exact
 * model), sizes that cannot overflow; two processes on files of their own
 * exit holding whatever records they made. The shared file's totals are
 * the sum of the threads' models; with every file closed the card is idle.
 */
TEST(threads_and_exiting_processes)
{
	struct fuzz_thread ft[4];
	pthread_t th[4];
	__u64 seed = fuzz_seed();
	long n = fuzz_ops() / 4;
	pid_t pid[2];
	stats_t s;
	int fd = open_card(0), t, i, status;

	ASSERT_LE(0, fd);
	ASSERT_TRUE(read_capacity());
	TH_LOG("seed 0x%llx, %ld calls per thread", (unsigned long long)seed, n);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			struct model m = { .id_base = (6ULL + i) << 40 };
			int cfd = open_card(0);
			long k;

			m.fd = cfd;
			m.rng = (seed ^ (0x1000 + i)) | 1;
			for (k = 0; cfd >= 0 && k < n; k++)
				if (!fuzz_one(&m, cfd))
					_exit(1);
			_exit(cfd < 0 ? 2 : 0);	/* records left for release */
		}
	}
	for (i = 0; i < 4; i++) {
		memset(&ft[i], 0, sizeof(ft[i]));
		ft[i].m.id_base = (1ULL + i) << 40;
		ft[i].m.shared = true;
		ft[i].m.rng = (seed ^ i) | 1;
		ft[i].fd = fd;
		ft[i].m.fd = fd;
		ft[i].n = n;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, fuzz_thread_run, &ft[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_TRUE(ft[i].ok) {
			TH_LOG("thread %d differs from its model", i);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("process %d: status 0x%x", i, status);
		}
	}
	ASSERT_EQ(0, query(fd, &s));
	for (t = 0; t < NTYPES; t++) {
		__u64 bytes = 0, bufs = 0;

		for (i = 0; i < 4; i++) {
			bytes += ft[i].m.allocated[t];
			bufs += ft[i].m.buffers[t];
		}
		EXPECT_EQ(bytes, s.file.allocated[t]);
		EXPECT_EQ(bufs, s.file.buffers[t]);
	}
	close(fd);
	EXPECT_TRUE(card_idle());
}

TEST_HARNESS_MAIN
