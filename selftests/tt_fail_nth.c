// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every allocation the tracking paths make, failed one at a time.
 *
 * A sweep repeats one system call (open() of a card, or one tracking ioctl
 * on a file prepared the same way each time) with /proc/self/task/<tid>/
 * fail-nth set to 1, 2, 3, ...: the Nth fault point the call reaches fails
 * (a slab or page allocation, a memory cgroup's bookkeeping, a copy from or
 * to user memory when the kernel has fail_usercopy), until an N is no
 * longer reached. Each time the call must succeed or fail cleanly, with
 * ENOMEM or, for a faulted copy, EFAULT; any other errno fails the test.
 * It must also leave exactly what its result says: after a failed
 * TRACK_ALLOC no record of the id exists (TRACK_FREE gives ENOENT, and the
 * id can be recorded again), after a failed batch exactly the operations
 * before out.processed took effect (each id is checked), the file's and
 * the card's totals equal a model of the file, and once the file is
 * closed the card's sysfs totals, buffers and open_files are what they
 * were. A leak changes no total: the last test of each variant asks
 * kmemleak, where the kernel has it. Variant nth fails one fault point
 * per call; from_nth fails every slab allocation from it on.
 *
 * Each sweep prints how many fault points it covered, and how their
 * failures ended. Needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB and
 * debugfs (root): without them, it skips as a whole (exit 4), as on
 * Debian's stock kernels. The module loaded with a card
 * (`modprobe tenstorrent sim_cards=2`) and no other user of card 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tt_track_helpers.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* A sweep that reaches this many fault points is looping: a bug. */
#define SWEEP_MAX	1000

#define CARD0		"/sys/class/tenstorrent/tenstorrent!0"
#define DEBUGFS		"/sys/kernel/debug"
#define KMEMLEAK	DEBUGFS "/kmemleak"
#define CG_ROOT		"/sys/fs/cgroup"
#define CG		CG_ROOT "/tt_fail_nth"

#define NTYPES		TENSTORRENT_BUFFER_TYPE_MAX
#define MAX_IDS		256

/* The card's totals in sysfs that must come back when a file closes. */
static const char *const card_attrs[] = {
	"dram_allocated", "l1_allocated", "system_memory_allocated",
	"l1_small_allocated", "trace_allocated", "cb_allocated",
	"kernel_allocated", "buffers", "open_files",
};
#define NATTRS		ARRAY_LEN(card_attrs)
#define ATTR_BUFFERS	TT_BUFFER_TYPE_COUNT
#define ATTR_OPEN_FILES	(TT_BUFFER_TYPE_COUNT + 1)

/*
 * Fault injection for fail-nth: every allocation may fail, also those
 * that may sleep, and quietly (the kernel log is for real splats). Those
 * a kernel lacks are left out; the old values are put back after.
 */
static const struct {
	const char *knob, *value;
} knobs[] = {
	{ "failslab/ignore-gfp-wait", "N" },
	{ "failslab/verbose", "0" },
	/*
	 * For from_nth: slab allocations of a task with make-it-fail set
	 * fail, every one (once fail-nth has fired: it takes precedence).
	 * In this order, so that no other task ever fails; put back in the
	 * reverse order.
	 */
	{ "failslab/task-filter", "Y" },
	{ "failslab/interval", "1" },
	{ "failslab/times", "-1" },
	{ "failslab/probability", "100" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/verbose", "0" },
	{ "fail_usercopy/verbose", "0" },
};

/* ---- fail-nth ---- */

static int nth_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	return open(path, O_RDWR | O_CLOEXEC);
}

/* The nth fault point the task reaches from now fails: 0 or -errno. */
static int nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* This task's make-it-fail: 0 or -errno. */
static int make_it_fail(int fd, bool on)
{
	return pwrite(fd, on ? "1" : "0", 1, 0) == 1 ? 0 : -errno;
}

/*
 * Disarm; true when the armed fault was injected. Reading and writing the
 * file copy to and from user memory, fault points themselves: a read that
 * fails with EFAULT took the fault, so the call before did not, and a
 * write that does is repeated (the count is 0 after it).
 */
static bool nth_disarm(int fd)
{
	char buf[16] = "";
	ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
	int tries;

	for (tries = 0; tries < 3; tries++)
		if (pwrite(fd, "0", 1, 0) == 1 || errno != EFAULT)
			break;
	return r > 0 && strtoul(buf, NULL, 10) == 0;
}

/* ---- a model of one file's records ---- */

struct model {
	unsigned int n;
	__u64 id[MAX_IDS], size[MAX_IDS];
	__u32 type[MAX_IDS];
	bool live[MAX_IDS];
	__u64 allocated[NTYPES], buffers[NTYPES];
};

/*
 * The slot of a record: (id, type) for an alloc; for an (untyped) free the
 * live slot of the id, the scenarios having one at most
 */
static unsigned int model_slot(struct model *m, __u64 id, int type)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (m->id[i] == id &&
		    (type < 0 ? m->live[i] : m->type[i] == (__u32)type))
			return i;
	m->id[m->n] = id;
	m->type[m->n] = type < 0 ? 0 : type;
	m->live[m->n] = false;
	return m->n++;
}

/* Apply one valid operation as the driver must: its errno, 0 if applied */
static int model_apply(struct model *m, const struct tenstorrent_track_op *op)
{
	bool alloc = op->op == TENSTORRENT_TRACK_OP_ALLOC;
	unsigned int i = model_slot(m, op->buffer_id,
				    alloc ? (int)op->buffer_type : -1);

	if (alloc) {
		if (m->live[i])
			return -EEXIST;
		m->live[i] = true;
		m->size[i] = op->size;
		m->type[i] = op->buffer_type;
		m->allocated[op->buffer_type] += op->size;
		m->buffers[op->buffer_type]++;
		return 0;
	}
	if (!m->live[i])
		return -ENOENT;
	m->live[i] = false;
	m->allocated[m->type[i]] -= m->size[i];
	m->buffers[m->type[i]]--;
	return 0;
}

#define ALLOC(i, s, t)	{ .buffer_id = (i), .size = (s), .buffer_type = (t), \
			  .op = TENSTORRENT_TRACK_OP_ALLOC }
#define FREE(i)		{ .buffer_id = (i), .op = TENSTORRENT_TRACK_OP_FREE }

/* A batch's out.processed before the call: tells whether it was written */
#define PROCESSED_UNSET	0xffffffffu

/* ---- the sweeps ---- */

enum call { CALL_ALLOC, CALL_FREE, CALL_BATCH, CALL_QUERY, CALL_INFO };

/**
 * struct scenario - one system call swept with fail-nth
 * @name: printed with the number of fault points
 * @call: the ioctl
 * @setup: operations done on a fresh file first, one ioctl each, unfaulted
 * @nsetup: how many
 * @ops: TRACK_ALLOC, TRACK_FREE: @ops[0]; TRACK_BATCH: the batch
 * @nops: how many
 * @no_enomem: the call allocates nothing of its own: ENOMEM is a bug
 */
struct scenario {
	const char *name;
	enum call call;
	const struct tenstorrent_track_op *setup;
	unsigned int nsetup;
	const struct tenstorrent_track_op *ops;
	unsigned int nops;
	bool no_enomem;
};

/*
 * How the injected faults of a sweep ended, and how many calls in a row
 * reached no fault at all.
 */
struct tally {
	unsigned int points, enomem, efault, absorbed, misses;
};

/*
 * The sweep is over once SWEEP_MISSES calls in a row ended before their
 * Nth fault point. Not at the first: the number of fault points a call
 * passes is not quite fixed (a new slab page, a stack KASAN has not seen
 * before), so one short call would end a sweep whose later points were
 * never failed.
 */
#define SWEEP_MISSES	3

static bool sweep_done(struct tally *t, bool fired)
{
	if (fired) {
		t->points++;
		t->misses = 0;
		return false;
	}
	return ++t->misses == SWEEP_MISSES;
}

FIXTURE(fail_nth) {
	int nth;			/* this thread's fail-nth */
	int mif;			/* and its make-it-fail */
	long long base[NATTRS];		/* card 0 before, in sysfs */
	char saved[ARRAY_LEN(knobs)][32];
	bool in_cgroup;
};

/*
 * nth: only the Nth fault point fails, as the kernel's fail-nth does: a
 * failure the code recovers from (a retry, a fallback) is then the only
 * one. from_nth: the Nth and every slab allocation after it in the call
 * fail, as under lasting memory pressure, which is what reaches the
 * error paths behind a retry or a fallback (kvmalloc()'s vmalloc after
 * its kmalloc failed).
 */
FIXTURE_VARIANT(fail_nth) {
	bool from_nth;
};

FIXTURE_VARIANT_ADD(fail_nth, nth) {
	.from_nth = false,
};

FIXTURE_VARIANT_ADD(fail_nth, from_nth) {
	.from_nth = true,
};

/* Arm the faults of the variant at fault point n: 0 or -errno. */
static int inject_arm(FIXTURE_DATA(fail_nth) *self, bool from_nth,
		      unsigned int n)
{
	int ret = from_nth ? make_it_fail(self->mif, true) : 0;

	return ret ? ret : nth_arm(self->nth, n);
}

/*
 * Disarm them; true when fault point n was reached. fail-nth first: while
 * it counts, the copy that clears make-it-fail could be its fault point.
 */
static bool inject_disarm(FIXTURE_DATA(fail_nth) *self, bool from_nth)
{
	bool fired = nth_disarm(self->nth);

	if (from_nth)
		make_it_fail(self->mif, false);
	return fired;
}

static void read_card(long long v[NATTRS])
{
	char path[128];
	unsigned int a;

	for (a = 0; a < NATTRS; a++) {
		snprintf(path, sizeof(path), CARD0 "/%s", card_attrs[a]);
		v[a] = read_number(path);
	}
}

static void read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

FIXTURE_SETUP(fail_nth)
{
	char path[128];
	unsigned int k;

	for (k = 0; k < ARRAY_LEN(knobs); k++) {
		snprintf(path, sizeof(path), DEBUGFS "/%s", knobs[k].knob);
		read_text(path, self->saved[k], sizeof(self->saved[k]));
		if (!self->saved[k][0])
			continue;
		ASSERT_EQ(0, write_text(path, knobs[k].value)) {
			TH_LOG("cannot set %s", path);
		}
	}
	/*
	 * In a memory cgroup of its own, as a runtime would be, so the
	 * charging of record memory (__GFP_ACCOUNT) runs too; it does not
	 * in the root cgroup. Without a writable cgroup2, in the root.
	 */
	write_text(CG_ROOT "/cgroup.subtree_control", "+memory");
	mkdir(CG, 0755);
	self->in_cgroup = !write_text(CG "/cgroup.procs", "0");

	self->nth = nth_open();
	ASSERT_LE(0, self->nth);
	snprintf(path, sizeof(path), "/proc/self/task/%d/make-it-fail",
		 gettid());
	self->mif = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, self->mif);
	ASSERT_EQ(0, make_it_fail(self->mif, false));
	ASSERT_EQ(0, nth_arm(self->nth, 0));
	read_card(self->base);
	ASSERT_LE(0, self->base[ATTR_OPEN_FILES]);
}

FIXTURE_TEARDOWN(fail_nth)
{
	char path[128];
	unsigned int k;

	make_it_fail(self->mif, false);
	close(self->mif);
	nth_disarm(self->nth);
	close(self->nth);
	if (self->in_cgroup) {
		write_text(CG_ROOT "/cgroup.procs", "0");
		rmdir(CG);
	}
	for (k = ARRAY_LEN(knobs); k-- > 0;) {
		snprintf(path, sizeof(path), DEBUGFS "/%s", knobs[k].knob);
		if (self->saved[k][0])
			write_text(path, self->saved[k]);
	}
}

/* Card 0's sysfs totals are what they were before the test. */
static void expect_card_back(struct __test_metadata *_metadata,
			     const long long base[NATTRS], const char *what,
			     unsigned int n)
{
	long long now[NATTRS];
	unsigned int a;

	read_card(now);
	for (a = 0; a < NATTRS; a++) {
		EXPECT_EQ(base[a], now[a]) {
			TH_LOG("%s, fault %u: sysfs %s %lld, was %lld", what, n,
			       card_attrs[a], now[a], base[a]);
		}
	}
}

/* A fresh file of card 0 with the scenario's records, none faulted. */
static int prepare(struct __test_metadata *_metadata,
		   const struct scenario *sc, struct model *m)
{
	unsigned int i;
	int fd = open_card(0);

	ASSERT_LE(0, fd);
	for (i = 0; i < sc->nsetup; i++) {
		const struct tenstorrent_track_op *op = &sc->setup[i];

		if (op->op == TENSTORRENT_TRACK_OP_ALLOC) {
			ASSERT_EQ(0, track_alloc(fd, op->buffer_id, op->size,
						 op->buffer_type));
		} else {
			ASSERT_EQ(0, track_free(fd, op->buffer_id));
		}
		ASSERT_EQ(0, model_apply(m, op));
	}
	return fd;
}

/*
 * The file holds exactly the model's records: its totals and the card's
 * (the card's before plus the model's) are right, each live record frees
 * with its size and type, and each other id the scenario used is unknown
 * and can be recorded and freed again (no slot was left taken). Empties
 * the file.
 */
static void check_file(struct __test_metadata *_metadata, int fd,
		       const struct model *m, const long long base[NATTRS],
		       const char *what, unsigned int n)
{
	struct tenstorrent_track_free_out out;
	__u64 buffers = 0;
	unsigned int i;
	stats_t s;
	int t;

	ASSERT_EQ(0, query(fd, &s));
	for (t = 0; t < NTYPES; t++) {
		EXPECT_EQ(m->allocated[t], s.file.allocated[t]) {
			TH_LOG("%s, fault %u: file allocated[%d]", what, n, t);
		}
		EXPECT_EQ(m->buffers[t], s.file.buffers[t]) {
			TH_LOG("%s, fault %u: file buffers[%d]", what, n, t);
		}
		if (t < TT_BUFFER_TYPE_COUNT) {
			EXPECT_EQ(base[t] + m->allocated[t], s.allocated[t]) {
				TH_LOG("%s, fault %u: card allocated[%d]",
				       what, n, t);
			}
		}
		buffers += s.buffers[t] - m->buffers[t];
	}
	EXPECT_EQ((__u64)base[ATTR_BUFFERS], buffers) {
		TH_LOG("%s, fault %u: card buffers", what, n);
	}
	EXPECT_EQ((__u64)base[ATTR_OPEN_FILES] + 1, s.open_files);

	for (i = 0; i < m->n; i++) {
		__u64 id = m->id[i];
		int ret;

		/* typed: one id may be live in several types */
		if (m->live[i]) {
			ret = free_typed(fd, id, m->type[i], &out);
			EXPECT_EQ(0, ret) {
				TH_LOG("%s, fault %u: id 0x%llx lost", what, n,
				       (unsigned long long)id);
			}
			if (!ret) {
				EXPECT_EQ(m->size[i], out.size);
				EXPECT_EQ(m->type[i], out.buffer_type);
			}
			continue;
		}
		ret = free_typed(fd, id, m->type[i], NULL);
		EXPECT_EQ(-ENOENT, ret) {
			TH_LOG("%s, fault %u: id 0x%llx recorded, but not applied",
			       what, n, (unsigned long long)id);
		}
		if (ret)
			ret = track_alloc(fd, id, 1, m->type[i]);
		EXPECT_EQ(0, ret) {
			TH_LOG("%s, fault %u: id 0x%llx cannot be recorded again",
			       what, n, (unsigned long long)id);
		}
		if (!ret)
			free_typed(fd, id, m->type[i], NULL);
	}
	ASSERT_EQ(0, query(fd, &s));
	expect_file_empty(_metadata, &s);
}

/* do_call()'s answer when the test's own machinery failed, not the call */
#define CALL_BROKEN	INT_MIN

/*
 * Run the scenario's call on fd: 0, -errno or CALL_BROKEN; @processed of a
 * batch.
 */
static int do_call(FIXTURE_DATA(fail_nth) *self, bool from_nth,
		   unsigned int n, int fd, const struct scenario *sc,
		   __u32 *processed, bool *fired)
{
	const struct tenstorrent_track_op *op = &sc->ops[0];
	struct tenstorrent_track_alloc alloc = {
		.in = { .buffer_id = op->buffer_id, .size = op->size,
			.buffer_type = op->buffer_type },
	};
	struct tenstorrent_track_free fr = {
		.in = { .buffer_id = op->buffer_id },
	};
	struct tenstorrent_track_batch batch = {
		.in = { .ops = (uintptr_t)sc->ops, .count = sc->nops },
		.out = { .processed = PROCESSED_UNSET },
	};
	struct tenstorrent_query_alloc_stats query = { 0 };
	struct tenstorrent_tracking_info info = { 0 };
	unsigned long cmd;
	void *arg;
	int ret;

	switch (sc->call) {
	case CALL_ALLOC:
		cmd = TENSTORRENT_IOCTL_TRACK_ALLOC;
		arg = &alloc;
		break;
	case CALL_FREE:
		cmd = TENSTORRENT_IOCTL_TRACK_FREE;
		arg = &fr;
		break;
	case CALL_BATCH:
		cmd = TENSTORRENT_IOCTL_TRACK_BATCH;
		arg = &batch;
		break;
	case CALL_QUERY:
		cmd = TENSTORRENT_IOCTL_QUERY_ALLOC_STATS;
		arg = &query;
		break;
	default:
		cmd = TENSTORRENT_IOCTL_GET_TRACKING_INFO;
		arg = &info;
		break;
	}
	/* nothing but the call between arming and disarming */
	if (inject_arm(self, from_nth, n))
		return CALL_BROKEN;
	ret = tt_ioctl(fd, cmd, arg);
	*fired = inject_disarm(self, from_nth);

	*processed = batch.out.processed;
	if (sc->call == CALL_INFO && !ret &&
	    info.out.abi_version != TENSTORRENT_TRACK_ABI_VERSION)
		return CALL_BROKEN;
	return ret;
}

static void print_tally(const char *name, bool from_nth,
			const struct tally *t)
{
	printf("# %s%s: %u fault points (%u ENOMEM, %u EFAULT, %u absorbed)\n",
	       name, from_nth ? ", failing on" : "", t->points, t->enomem,
	       t->efault, t->absorbed);
	fflush(stdout);
}

static void sweep(struct __test_metadata *_metadata,
		  FIXTURE_DATA(fail_nth) *self,
		  const FIXTURE_VARIANT(fail_nth) *variant,
		  const struct scenario *sc)
{
	struct tally tally = { 0 };
	unsigned int n, k, applied;

	for (n = 1; n <= SWEEP_MAX; n++) {
		struct model m = { 0 };
		__u32 processed = 0;
		bool fired = false;
		int fd, err;

		fd = prepare(_metadata, sc, &m);
		err = do_call(self, variant->from_nth, n, fd, sc, &processed,
			      &fired);
		ASSERT_NE(CALL_BROKEN, err) {
			TH_LOG("%s, fault %u: fail-nth or the call's answer broken",
			       sc->name, n);
		}
		if (!fired) {
			ASSERT_EQ(0, err) {
				TH_LOG("%s: fails with %s without a fault",
				       sc->name, strerror(-err));
			}
		} else if (err == -ENOMEM && !sc->no_enomem) {
			tally.enomem++;
		} else if (err == -EFAULT) {
			tally.efault++;
		} else if (!err) {
			tally.absorbed++;
		} else {
			ASSERT_TRUE(false) {
				TH_LOG("%s, fault %u: %s (%d)", sc->name, n,
				       strerror(-err), -err);
			}
		}

		switch (sc->call) {
		case CALL_ALLOC:
		case CALL_FREE:
			if (!err) {
				ASSERT_EQ(0, model_apply(&m, &sc->ops[0]));
			}
			break;
		case CALL_BATCH:
			applied = processed;
			if (processed == PROCESSED_UNSET) {
				/*
				 * out never written: refused before anything
				 * (EFAULT), or done but the answer not copied
				 */
				EXPECT_TRUE(fired && (!err || err == -EFAULT)) {
					TH_LOG("%s, fault %u: %s without out.processed",
					       sc->name, n, strerror(-err));
				}
				applied = err ? 0 : sc->nops;
			} else if (!err) {
				EXPECT_EQ(sc->nops, processed);
			} else {
				EXPECT_GT(sc->nops, processed) {
					TH_LOG("%s, fault %u: %s with %u processed",
					       sc->name, n, strerror(-err),
					       processed);
				}
			}
			for (k = 0; k < applied && k < sc->nops; k++) {
				ASSERT_EQ(0, model_apply(&m, &sc->ops[k]));
			}
			/* ids the batch names but never reached: unknown */
			for (; k < sc->nops; k++)
				model_slot(&m, sc->ops[k].buffer_id,
					   sc->ops[k].op == TENSTORRENT_TRACK_OP_ALLOC ?
					   (int)sc->ops[k].buffer_type : -1);
			break;
		default:
			break;
		}
		check_file(_metadata, fd, &m, self->base, sc->name, n);
		close(fd);
		expect_card_back(_metadata, self->base, sc->name, n);
		ASSERT_TRUE(_metadata->passed) {
			TH_LOG("%s: stopped at fault %u (%s, %u processed)",
			       sc->name, n, strerror(-err), processed);
		}
		if (sweep_done(&tally, fired))
			break;
	}
	ASSERT_GE(SWEEP_MAX, n) {
		TH_LOG("%s: still failing after %d fault points", sc->name,
		       SWEEP_MAX);
	}
	print_tally(sc->name, variant->from_nth, &tally);
}

/* ---- open() ---- */

TEST_F_TIMEOUT(fail_nth, open_card, 600)
{
	struct tally tally = { 0 };
	unsigned int n;

	for (n = 1; n <= SWEEP_MAX; n++) {
		struct model m = { 0 };
		bool fired;
		int fd, err;

		ASSERT_EQ(0, inject_arm(self, variant->from_nth, n));
		fd = open_card(0);
		err = fd < 0 ? -errno : 0;
		fired = inject_disarm(self, variant->from_nth);

		if (!fired) {
			ASSERT_LE(0, fd) {
				TH_LOG("open fails with %s without a fault",
				       strerror(-err));
			}
		} else if (err == -ENOMEM) {
			tally.enomem++;
		} else if (err == -EFAULT) {	/* copying the path */
			tally.efault++;
		} else if (!err) {
			tally.absorbed++;
		} else {
			ASSERT_TRUE(false) {
				TH_LOG("open, fault %u: %s (%d)", n,
				       strerror(-err), -err);
			}
		}
		if (fd >= 0) {
			/* a working file, counted once, holding nothing */
			check_file(_metadata, fd, &m, self->base, "open", n);
			ASSERT_EQ(0, track_alloc(fd, 0x1000, MiB,
						 TT_BUFFER_TYPE_DRAM));
			close(fd);
		}
		expect_card_back(_metadata, self->base, "open", n);
		ASSERT_TRUE(_metadata->passed) {
			TH_LOG("open: stopped at fault %u (%s)", n,
			       strerror(-err));
		}
		if (sweep_done(&tally, fired))
			break;
	}
	ASSERT_GE(SWEEP_MAX, n);
	print_tally("open", variant->from_nth, &tally);
}

/* ---- TRACK_ALLOC ---- */

/*
 * Where records go (driver/track_store.c): a file's table is allocated with
 * its first record, 16 buckets, and grows when it holds more than two
 * records per bucket (the 33rd record), shrinks below one per two buckets
 * (a failed resize is no error: the records stay where they were). A
 * record is (type, id): one id may be live once per type.
 */
#define L1_AT(k)	((2ULL * (k) + 1) << 5)
#define LONE		(3ULL << 12)

static const struct tenstorrent_track_op op_first[] = {
	ALLOC(0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM),
};

TEST_F_TIMEOUT(fail_nth, alloc_first_record, 600)
{
	const struct scenario sc = {
		.name = "TRACK_ALLOC first record, the table", .call = CALL_ALLOC,
		.ops = op_first, .nops = 1,
	};

	sweep(_metadata, self, variant, &sc);
}

static const struct tenstorrent_track_op setup_row[] = {
	ALLOC(L1_AT(0), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(1), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(2), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(3), 2048, TT_BUFFER_TYPE_L1),
};

static const struct tenstorrent_track_op op_beside[] = {
	ALLOC(L1_AT(4), 2048, TT_BUFFER_TYPE_L1),
};

TEST_F_TIMEOUT(fail_nth, alloc_beside_records, 600)
{
	const struct scenario sc = {
		.name = "TRACK_ALLOC beside records", .call = CALL_ALLOC,
		.setup = setup_row, .nsetup = ARRAY_LEN(setup_row),
		.ops = op_beside, .nops = 1,
	};

	sweep(_metadata, self, variant, &sc);
}

/* 32 records fill a 16-bucket table; the 33rd grows it */
static const struct tenstorrent_track_op setup_full[] = {
	ALLOC(L1_AT(0), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(1), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(2), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(3), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(4), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(5), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(6), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(7), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(8), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(9), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(10), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(11), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(12), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(13), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(14), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(15), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(16), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(17), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(18), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(19), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(20), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(21), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(22), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(23), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(24), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(25), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(26), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(27), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(28), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(29), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(30), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(31), 2048, TT_BUFFER_TYPE_L1),
};

static const struct tenstorrent_track_op op_grow[] = {
	ALLOC(L1_AT(32), 2048, TT_BUFFER_TYPE_L1),
};

TEST_F_TIMEOUT(fail_nth, alloc_grows_table, 600)
{
	const struct scenario sc = {
		.name = "TRACK_ALLOC growing the table", .call = CALL_ALLOC,
		.setup = setup_full, .nsetup = ARRAY_LEN(setup_full),
		.ops = op_grow, .nops = 1,
	};

	sweep(_metadata, self, variant, &sc);
}

static const struct tenstorrent_track_op setup_freed[] = {
	ALLOC(LONE, MiB, TT_BUFFER_TYPE_DRAM),
	FREE(LONE),
};

static const struct tenstorrent_track_op op_freed[] = {
	ALLOC(LONE, 2 * MiB, TT_BUFFER_TYPE_TRACE),
};

TEST_F_TIMEOUT(fail_nth, alloc_freed_id, 600)
{
	const struct scenario sc = {
		.name = "TRACK_ALLOC of an id freed before", .call = CALL_ALLOC,
		.setup = setup_freed, .nsetup = ARRAY_LEN(setup_freed),
		.ops = op_freed, .nops = 1,
	};

	sweep(_metadata, self, variant, &sc);
}

static const struct tenstorrent_track_op setup_dram[] = {
	ALLOC(LONE, MiB, TT_BUFFER_TYPE_DRAM),
};

static const struct tenstorrent_track_op op_other_type[] = {
	ALLOC(LONE, 4096, TT_BUFFER_TYPE_CB),
};

TEST_F_TIMEOUT(fail_nth, alloc_id_live_in_another_type, 600)
{
	const struct scenario sc = {
		.name = "TRACK_ALLOC of an id live in another type",
		.call = CALL_ALLOC,
		.setup = setup_dram, .nsetup = ARRAY_LEN(setup_dram),
		.ops = op_other_type, .nops = 1,
	};

	sweep(_metadata, self, variant, &sc);
}

static const struct tenstorrent_track_op op_zero[] = {
	ALLOC(0, 4096, TT_BUFFER_TYPE_SYSTEM_MEMORY),
};

TEST_F_TIMEOUT(fail_nth, alloc_id_zero, 600)
{
	const struct scenario sc = {
		.name = "TRACK_ALLOC id 0", .call = CALL_ALLOC,
		.setup = setup_row, .nsetup = ARRAY_LEN(setup_row),
		.ops = op_zero, .nops = 1,
	};

	sweep(_metadata, self, variant, &sc);
}

/* ---- TRACK_FREE, QUERY_ALLOC_STATS, GET_TRACKING_INFO: no ENOMEM ---- */

static const struct tenstorrent_track_op setup_lone[] = {
	ALLOC(LONE, MiB, TT_BUFFER_TYPE_DRAM),
	ALLOC(L1_AT(0), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(1), 2048, TT_BUFFER_TYPE_L1),
};

/* 33 records in 32 buckets, 17 freed: the next free shrinks the table */
static const struct tenstorrent_track_op setup_shrink[] = {
	ALLOC(L1_AT(0), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(1), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(2), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(3), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(4), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(5), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(6), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(7), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(8), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(9), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(10), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(11), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(12), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(13), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(14), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(15), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(16), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(17), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(18), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(19), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(20), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(21), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(22), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(23), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(24), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(25), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(26), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(27), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(28), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(29), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(30), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(31), 2048, TT_BUFFER_TYPE_L1),
	ALLOC(L1_AT(32), 2048, TT_BUFFER_TYPE_L1),
	FREE(L1_AT(0)),
	FREE(L1_AT(1)),
	FREE(L1_AT(2)),
	FREE(L1_AT(3)),
	FREE(L1_AT(4)),
	FREE(L1_AT(5)),
	FREE(L1_AT(6)),
	FREE(L1_AT(7)),
	FREE(L1_AT(8)),
	FREE(L1_AT(9)),
	FREE(L1_AT(10)),
	FREE(L1_AT(11)),
	FREE(L1_AT(12)),
	FREE(L1_AT(13)),
	FREE(L1_AT(14)),
	FREE(L1_AT(15)),
	FREE(L1_AT(16)),
};

static const struct tenstorrent_track_op op_free_shrink[] = {
	FREE(L1_AT(17)),
};

TEST_F_TIMEOUT(fail_nth, free_shrinks_table, 600)
{
	const struct scenario sc = {
		.name = "TRACK_FREE shrinking the table", .call = CALL_FREE,
		.setup = setup_shrink, .nsetup = ARRAY_LEN(setup_shrink),
		.ops = op_free_shrink, .nops = 1, .no_enomem = true,
	};

	sweep(_metadata, self, variant, &sc);
}

static const struct tenstorrent_track_op op_free_beside[] = {
	FREE(L1_AT(1)),
};

TEST_F_TIMEOUT(fail_nth, free_beside_records, 600)
{
	const struct scenario sc = {
		.name = "TRACK_FREE beside records", .call = CALL_FREE,
		.setup = setup_lone, .nsetup = ARRAY_LEN(setup_lone),
		.ops = op_free_beside, .nops = 1, .no_enomem = true,
	};

	sweep(_metadata, self, variant, &sc);
}

TEST_F_TIMEOUT(fail_nth, query, 600)
{
	const struct scenario sc = {
		.name = "QUERY_ALLOC_STATS", .call = CALL_QUERY,
		.setup = setup_lone, .nsetup = ARRAY_LEN(setup_lone),
		.ops = op_free_beside, .nops = 1, .no_enomem = true,
	};

	sweep(_metadata, self, variant, &sc);
}

TEST_F_TIMEOUT(fail_nth, tracking_info, 600)
{
	const struct scenario sc = {
		.name = "GET_TRACKING_INFO", .call = CALL_INFO,
		.setup = setup_lone, .nsetup = ARRAY_LEN(setup_lone),
		.ops = op_free_beside, .nops = 1, .no_enomem = true,
	};

	sweep(_metadata, self, variant, &sc);
}

/* ---- TRACK_BATCH ---- */

#define LONE_AT(j)	(3ULL << (8 + (j)))	/* alone in xarray 8 + j */
#define FAR_AT(j)	((((1ULL << (30 + (j))) << 1) | 1) << (16 + (j)))
#define FAR2_AT(j)	(((1ULL << 21) + 2 * (j) + 1) << (24 + (j)))

static struct tenstorrent_track_op batch_setup[16], batch_ops[64];

/*
 * Records alone in their leaves (LONE_AT) and in a row (L1_AT), then 64
 * operations in 8 groups: an alloc far from any record (new nodes in a
 * new xarray), one beside the row, a free emptying a leaf and an alloc of
 * the same id (into the kept slot), a free in the row, another far alloc,
 * a free of the first far one (its nodes kept, the last kept slot of that
 * xarray let go), and an alloc or a free of id 0. Without faults every
 * operation succeeds.
 */
static void batch_build(void)
{
	unsigned int j, k = 0;

	for (j = 0; j < 8; j++) {
		batch_setup[j] = (struct tenstorrent_track_op)
			ALLOC(LONE_AT(j), MiB, TT_BUFFER_TYPE_DRAM);
		batch_setup[8 + j] = (struct tenstorrent_track_op)
			ALLOC(L1_AT(j), 4096, TT_BUFFER_TYPE_L1);
	}
	for (j = 0; j < 8; j++) {
		batch_ops[k++] = (struct tenstorrent_track_op)
			ALLOC(FAR_AT(j), (j + 1) * MiB, TT_BUFFER_TYPE_DRAM);
		batch_ops[k++] = (struct tenstorrent_track_op)
			ALLOC(L1_AT(8 + j), 2048, TT_BUFFER_TYPE_L1);
		batch_ops[k++] = (struct tenstorrent_track_op)FREE(LONE_AT(j));
		batch_ops[k++] = (struct tenstorrent_track_op)
			ALLOC(LONE_AT(j), 2 * MiB, TT_BUFFER_TYPE_TRACE);
		batch_ops[k++] = (struct tenstorrent_track_op)FREE(L1_AT(j));
		batch_ops[k++] = (struct tenstorrent_track_op)
			ALLOC(FAR2_AT(j), 64, TT_BUFFER_TYPE_L1_SMALL);
		batch_ops[k++] = (struct tenstorrent_track_op)FREE(FAR_AT(j));
		if (j % 2)
			batch_ops[k++] = (struct tenstorrent_track_op)FREE(0);
		else
			batch_ops[k++] = (struct tenstorrent_track_op)
				ALLOC(0, 4096 * (j + 1),
				      TT_BUFFER_TYPE_SYSTEM_MEMORY);
	}
}

TEST_F_TIMEOUT(fail_nth, batch_of_64, 900)
{
	const struct scenario sc = {
		.name = "TRACK_BATCH of 64 mixed ops", .call = CALL_BATCH,
		.setup = batch_setup, .nsetup = ARRAY_LEN(batch_setup),
		.ops = batch_ops, .nops = ARRAY_LEN(batch_ops),
	};

	batch_build();
	sweep(_metadata, self, variant, &sc);
}

/*
 * No record, node or file of the sweeps before leaked (tests run in
 * order; this is the last of each variant): kmemleak, where the
 * kernel has it, finds no unreferenced object allocated by the module.
 * Leaks change no total, so this is the only test that sees them.
 */
TEST_F_TIMEOUT(fail_nth, no_leak_in_kmemleak, 60)
{
	char line[256], first[256] = "";
	unsigned int leaks = 0;
	bool object = false;
	FILE *f;

	if (access(KMEMLEAK, W_OK))
		SKIP(return, "no " KMEMLEAK);
	sleep(6);	/* kmemleak reports objects older than 5 s */
	ASSERT_EQ(0, write_text(KMEMLEAK, "scan"));
	f = fopen(KMEMLEAK, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "unreferenced object", 19)) {
			object = true;
			snprintf(first, sizeof(first), "%s", line);
		} else if (object && strstr(line, "[tenstorrent]")) {
			object = false;
			if (!leaks++)
				TH_LOG("%s  from %s", first, line);
		}
	}
	fclose(f);
	EXPECT_EQ(0U, leaks);
}

int main(int argc, char **argv)
{
	int fd = open_card(0);

	if (fd < 0)
		ksft_exit_skip("cannot open /dev/tenstorrent/0: %s\n",
			       strerror(errno));
	close(fd);
	fd = nth_open();
	if (fd < 0)
		ksft_exit_skip("no fail-nth: a kernel without CONFIG_FAULT_INJECTION\n");
	close(fd);
	if (access(DEBUGFS "/failslab/ignore-gfp-wait", W_OK))
		ksft_exit_skip("no writable " DEBUGFS "/failslab: not root, or no CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS\n");
	/* leaks from before are not this test's */
	write_text(KMEMLEAK, "clear");
	return test_harness_run(argc, argv);
}
