// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress of the allocation tracking: many threads on one file, many
 * processes on one card (some killed), both sides of a fork(), close()
 * racing the ioctls, and the release of a file holding a million records.
 *
 * Every actor (a thread or a process) works on ids of its own and keeps a
 * model of what it holds, so totals can be checked exactly however the
 * actors interleave: a file's QUERY totals are the sum of the models of the
 * actors that used it, and once every file is closed the card's sysfs
 * totals are what they were before the test.
 *
 * Counts are sized for a stock kernel under qemu TCG (the whole program in
 * well under a minute); TT_STRESS_SCALE=F multiplies the iteration counts
 * (e.g. 0.2 on a KASAN kernel, 10 for a longer run on real hardware) and
 * TT_STRESS_RECORDS=N sets the records of release_1m (default 1000000).
 *
 * Expects the module loaded with card 0 (`modprobe tenstorrent`); skips
 * otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tt_track_helpers.h"

#define NTYPES		TT_BUFFER_TYPE_COUNT
#define POOL		128		/* ids of one model */
/* largest size a model records: eight models on one file stay in its L1 */
#define MAX_SIZE	(1ULL << 16)
#define BATCH		64		/* largest batch a model sends */
#define SYSFS_CARD0	"/sys/class/tenstorrent/tenstorrent!0"

/* ---- counts ---- */

/* n iterations, times TT_STRESS_SCALE (else TT_TEST_SCALE), at least 1 */
static unsigned long stress_scaled(unsigned long n)
{
	const char *s = getenv("TT_STRESS_SCALE");
	double v = s && *s ? strtod(s, NULL) : 0;
	unsigned long r;

	if (v <= 0)
		return scaled(n);
	r = n * v;
	return r ? r : 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A "# " line of what was measured, on stderr: stdout is a pipe under
 * the kselftest runner and the harness ends each test with _exit(),
 * which would drop what stdio still buffers.
 */
static __attribute__((format(printf, 1, 2)))
void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- the card's totals in sysfs ---- */

struct card {
	__u64 allocated[NTYPES];
	__u64 buffers;		/* all types together, as sysfs shows them */
	__u64 open_files;
};

/* A sysfs number; false when unreadable */
static bool read_u64(const char *path, __u64 *v)
{
	char buf[64];
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (ok)
		*v = strtoull(buf, NULL, 10);
	return ok;
}

static bool read_card(struct card *c)
{
	char path[128];
	int t;

	for (t = 0; t < NTYPES; t++) {
		snprintf(path, sizeof(path), SYSFS_CARD0 "/%s_allocated",
			 tt_type_names[t]);
		if (!read_u64(path, &c->allocated[t]))
			return false;
	}
	return read_u64(SYSFS_CARD0 "/buffers", &c->buffers) &&
	       read_u64(SYSFS_CARD0 "/open_files", &c->open_files);
}

/* ---- models ---- */

/* What some actors hold together, per type */
struct sum {
	__u64 allocated[NTYPES];
	__u64 buffers[NTYPES];
};

/* One actor's live records as the driver should hold them */
struct model {
	__u64 base;		/* its ids: id_of(m, i), distinct per base */
	__u64 rng;
	__u64 size[POOL];	/* 0: slot i is not live */
	__u8 type[POOL];
	struct sum held;
	unsigned long calls;
	char err[200];		/* the first difference from the driver */
};

static void model_init(struct model *m, unsigned int actor, __u64 seed)
{
	memset(m, 0, sizeof(*m));
	m->base = (__u64)(actor + 1) << 40;
	m->rng = (seed * 0x9e3779b97f4a7c15ULL + actor) | 1;
}

static __u64 next_rand(struct model *m)
{
	return xorshift64s(&m->rng);	/* the same calls every run */
}

static unsigned int pick(struct model *m, unsigned int n)
{
	return next_rand(m) % n;
}

/*
 * Slot i's id: the actor in bits 40 and up, the slot in bits 20-39, and
 * bits 5-6 varied so that the ids land in several of the file's xarrays
 * (the driver files an id under its trailing zeros).
 */
static __u64 id_of(const struct model *m, unsigned int i)
{
	return m->base | (__u64)i << 20 | (__u64)(i & 3) << 5;
}

static void model_add(struct model *m, unsigned int i, __u64 size, __u32 type)
{
	m->size[i] = size;
	m->type[i] = type;
	m->held.allocated[type] += size;
	m->held.buffers[type]++;
}

static void model_del(struct model *m, unsigned int i)
{
	m->held.allocated[m->type[i]] -= m->size[i];
	m->held.buffers[m->type[i]]--;
	m->size[i] = 0;
}

static __attribute__((format(printf, 2, 3)))
bool differs(struct model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	return false;
}

static bool step_alloc(struct model *m, int fd, unsigned int i)
{
	__u64 size = 1 + pick(m, MAX_SIZE);
	__u32 type = pick(m, NTYPES);
	int want = m->size[i] ? -EEXIST : 0;

	/* a record is (type, id): a live slot is taken again in its own type */
	if (m->size[i])
		type = m->type[i];
	int got = track_alloc(fd, id_of(m, i), size, type);

	if (got != want)
		return differs(m, "TRACK_ALLOC 0x%llx: %d, model %d",
			       (unsigned long long)id_of(m, i), got, want);
	if (!got)
		model_add(m, i, size, type);
	return true;
}

static bool step_free(struct model *m, int fd, unsigned int i)
{
	struct tenstorrent_track_free_out out;
	int want = m->size[i] ? 0 : -ENOENT;
	int got = track_free_out(fd, id_of(m, i), &out);

	if (got != want)
		return differs(m, "TRACK_FREE 0x%llx: %d, model %d",
			       (unsigned long long)id_of(m, i), got, want);
	if (got)
		return true;
	if (out.size != m->size[i] || out.buffer_type != m->type[i])
		return differs(m, "TRACK_FREE 0x%llx: size %llu type %u, model %llu %u",
			       (unsigned long long)id_of(m, i),
			       (unsigned long long)out.size, out.buffer_type,
			       (unsigned long long)m->size[i], m->type[i]);
	model_del(m, i);
	return true;
}

/* A slot not live and not in taken[], from a random start; POOL if none */
static unsigned int free_slot(struct model *m, const bool *taken)
{
	unsigned int start = pick(m, POOL), k;

	for (k = 0; k < POOL; k++) {
		unsigned int i = (start + k) % POOL;

		if (!m->size[i] && !taken[i])
			return i;
	}
	return POOL;
}

/*
 * A batch of valid operations (free what is live, allocate what is not);
 * one in eight then has a free of a slot not live, which must stop the
 * batch there, followed by allocations that must not be applied.
 */
static bool step_batch(struct model *m, int fd)
{
	struct tenstorrent_track_op ops[BATCH] = { 0 };
	struct tenstorrent_track_batch b = { 0 };
	unsigned int n = 1 + pick(m, BATCH - 8), valid, k, i;
	bool taken[POOL] = { false };
	int want = 0, got;

	for (k = 0; k < n; k++) {
		i = pick(m, POOL);
		ops[k].buffer_id = id_of(m, i);
		if (m->size[i]) {
			ops[k].op = TENSTORRENT_TRACK_OP_FREE;
			model_del(m, i);
		} else {
			ops[k].op = TENSTORRENT_TRACK_OP_ALLOC;
			ops[k].size = 1 + pick(m, MAX_SIZE);
			ops[k].buffer_type = pick(m, NTYPES);
			model_add(m, i, ops[k].size, ops[k].buffer_type);
		}
	}
	valid = n;
	if (!pick(m, 8) && (i = free_slot(m, taken)) < POOL) {
		taken[i] = true;
		ops[n].buffer_id = id_of(m, i);
		ops[n++].op = TENSTORRENT_TRACK_OP_FREE;
		want = -ENOENT;
		while (n < BATCH && pick(m, 2) && (i = free_slot(m, taken)) < POOL) {
			taken[i] = true;
			ops[n].buffer_id = id_of(m, i);
			ops[n].size = 1 + pick(m, MAX_SIZE);
			ops[n++].buffer_type = pick(m, NTYPES);
		}
	}
	b.in.ops = (uintptr_t)ops;
	b.in.count = n;
	got = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b);
	if (got != want || b.out.processed != valid)
		return differs(m, "TRACK_BATCH of %u: %d processed %u, model %d %u",
			       n, got, b.out.processed, want, valid);
	return true;
}

/* One random operation on fd: false (m->err says why) if the driver differs */
static bool step(struct model *m, int fd)
{
	unsigned int what = pick(m, 100);

	m->calls++;
	if (what < 40)
		return step_alloc(m, fd, pick(m, POOL));
	if (what < 70)
		return step_free(m, fd, pick(m, POOL));
	return step_batch(m, fd);
}

/* n steps; false at the first difference */
static bool steps(struct model *m, int fd, unsigned long n)
{
	unsigned long k;

	for (k = 0; k < n; k++)
		if (!step(m, fd))
			return false;
	return true;
}

/* Free every live record of the model, one batch */
static bool drain(struct model *m, int fd)
{
	struct tenstorrent_track_op ops[POOL] = { 0 };
	struct tenstorrent_track_batch b = { 0 };
	unsigned int i, n = 0;
	int got;

	for (i = 0; i < POOL; i++) {
		if (!m->size[i])
			continue;
		ops[n].buffer_id = id_of(m, i);
		ops[n++].op = TENSTORRENT_TRACK_OP_FREE;
		model_del(m, i);
	}
	if (!n)
		return true;
	b.in.ops = (uintptr_t)ops;
	b.in.count = n;
	got = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b);
	if (got || b.out.processed != n)
		return differs(m, "draining batch of %u: %d processed %u", n,
			       got, b.out.processed);
	return true;
}

static void sum_add(struct sum *s, const struct model *m)
{
	int t;

	for (t = 0; t < NTYPES; t++) {
		s->allocated[t] += m->held.allocated[t];
		s->buffers[t] += m->held.buffers[t];
	}
}

/* What the models of ms[0..n-1] hold together */
static struct sum sum_of(struct model *const *ms, unsigned int n)
{
	struct sum s = { 0 };
	unsigned int k;

	for (k = 0; k < n; k++)
		sum_add(&s, ms[k]);
	return s;
}

/* A file's QUERY totals are want; else say which differ */
static bool file_is(const stats_t *s, const struct sum *want)
{
	bool ok = true;
	int t;

	for (t = 0; t < NTYPES; t++) {
		if (s->file.allocated[t] == want->allocated[t] &&
		    s->file.buffers[t] == want->buffers[t])
			continue;
		fprintf(stderr, "# file %s: %llu bytes %llu buffers, model %llu %llu\n",
			tt_type_names[t], (unsigned long long)s->file.allocated[t],
			(unsigned long long)s->file.buffers[t],
			(unsigned long long)want->allocated[t],
			(unsigned long long)want->buffers[t]);
		ok = false;
	}
	return ok;
}

/* fd's own totals are want, by a QUERY on it */
static bool fd_holds(int fd, const struct sum *want)
{
	stats_t s;

	return !query(fd, &s) && file_is(&s, want);
}

/*
 * A card (QUERY's totals, or sysfs') is base plus extra, with open_files
 * open files; else say what differs.
 */
static bool card_is(const struct card *c, const struct card *base,
		    const struct sum *extra, __u64 open_files)
{
	__u64 buffers = base->buffers;
	bool ok = true;
	int t;

	for (t = 0; t < NTYPES; t++) {
		buffers += extra->buffers[t];
		if (c->allocated[t] == base->allocated[t] + extra->allocated[t])
			continue;
		fprintf(stderr, "# card %s_allocated %llu, expected %llu\n",
			tt_type_names[t], (unsigned long long)c->allocated[t],
			(unsigned long long)(base->allocated[t] + extra->allocated[t]));
		ok = false;
	}
	if (c->buffers != buffers || c->open_files != open_files) {
		fprintf(stderr, "# card buffers %llu open_files %llu, expected %llu %llu\n",
			(unsigned long long)c->buffers,
			(unsigned long long)c->open_files,
			(unsigned long long)buffers,
			(unsigned long long)open_files);
		ok = false;
	}
	return ok;
}

/* The card's totals of a QUERY, in the shape of sysfs' */
static struct card card_of(const stats_t *s)
{
	struct card c = { .open_files = s->open_files };
	int t;

	for (t = 0; t < NTYPES; t++) {
		c.allocated[t] = s->allocated[t];
		c.buffers += s->buffers[t];
	}
	return c;
}

/* sysfs says the card holds base plus extra in open_files files */
static bool sysfs_is(const struct card *base, const struct sum *extra,
		     __u64 open_files)
{
	struct card c;

	if (!read_card(&c)) {
		fprintf(stderr, "# cannot read " SYSFS_CARD0 "\n");
		return false;
	}
	return card_is(&c, base, extra, open_files);
}

static const struct sum nothing;

/* ---- processes ---- */

/* A child must not outlive the test, whatever happens to the test */
static void child_start(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

#define CHILD_STEPS(m, fd, n) do {					\
	if (!steps(m, fd, n)) {						\
		fprintf(stderr, "# child %d: %s\n", getpid(), (m)->err); \
		_exit(1);						\
	}								\
} while (0)

FIXTURE(stress) {
	struct card base;	/* card 0 before the test */
};

FIXTURE_SETUP(stress)
{
	int fd = open_card(0);

	if (fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
	close(fd);
	ASSERT_TRUE(read_card(&self->base));
}

FIXTURE_TEARDOWN(stress)
{
}

/* ---- 1: threads on one file ---- */

#define THREADS		8

struct actor {
	struct model m;
	int fd;
	unsigned long n;
	bool ok;
};

static void *actor_run(void *arg)
{
	struct actor *a = arg;

	a->ok = steps(&a->m, a->fd, a->n);
	return NULL;
}

/*
 * Eight threads on one file, each on its own ids: the file's totals are
 * the sum of the threads' models, the card's are the baseline plus that,
 * and the close takes it all off again.
 */
TEST_F_TIMEOUT(stress, threads_one_file, 90)
{
	struct actor a[THREADS];
	struct model *ms[THREADS];
	pthread_t th[THREADS];
	unsigned long calls = 0;
	struct sum held;
	double t0 = now_s();
	stats_t s;
	int fd = open_card(0), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < THREADS; i++) {
		model_init(&a[i].m, i, 1);
		a[i].fd = fd;
		a[i].n = stress_scaled(1500);
		ms[i] = &a[i].m;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, actor_run, &a[i]));
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		EXPECT_TRUE(a[i].ok) {
			TH_LOG("thread %d: %s", i, a[i].m.err);
		}
		calls += a[i].m.calls;
	}
	diag("%d threads, %lu calls in %.2f s\n", THREADS, calls,
		       now_s() - t0);

	held = sum_of(ms, THREADS);
	ASSERT_EQ(0, query(fd, &s));
	EXPECT_TRUE(file_is(&s, &held));
	EXPECT_TRUE(sysfs_is(&self->base, &held, self->base.open_files + 1));
	close(fd);
	EXPECT_TRUE(sysfs_is(&self->base, &nothing, self->base.open_files));
}

/* ---- 2: many processes on one card ---- */

#define PROCS		48
#define WARMUP		16	/* steps before a process says it is ready */

enum proc_role {
	ROLE_EXIT,	/* exits holding records */
	ROLE_CLEAN,	/* frees everything and closes first */
	ROLE_KILLED,	/* loops until SIGKILL */
	ROLES
};

static void proc_child(unsigned int idx, int ready, int go, unsigned long n)
{
	enum proc_role role = idx % ROLES;
	struct sum held = { 0 };
	struct model m;
	int fd;

	child_start();
	fd = open_card(0);
	CHILD_CHECK(fd >= 0);
	model_init(&m, idx, 2);
	CHILD_STEPS(&m, fd, WARMUP);
	signal_fd(ready);
	wait_fd(go);		/* EOF: everyone has opened */
	if (role == ROLE_KILLED) {
		/* bounded, should the kill never come */
		CHILD_STEPS(&m, fd, 1000 * n);
		_exit(2);
	}
	CHILD_STEPS(&m, fd, n);
	sum_add(&held, &m);
	CHILD_CHECK(fd_holds(fd, &held));
	if (role == ROLE_CLEAN) {
		CHILD_CHECK(drain(&m, fd));
		CHILD_CHECK(fd_holds(fd, &nothing));
		CHILD_CHECK(!close(fd));
	}
	_exit(0);
}

/*
 * Between base and base plus what PROCS processes can hold, each total on
 * its own (sysfs files are read one after another, not at one instant):
 * an underflow or a double count shows up as a value out of range.
 */
static bool card_sane(const struct card *c, const struct card *base)
{
	const __u64 bufs = (__u64)PROCS * POOL;
	bool ok = c->buffers >= base->buffers &&
		  c->buffers <= base->buffers + bufs &&
		  c->open_files >= base->open_files &&
		  c->open_files <= base->open_files + PROCS;
	int t;

	for (t = 0; t < NTYPES; t++)
		ok = ok && c->allocated[t] >= base->allocated[t] &&
		     c->allocated[t] <= base->allocated[t] + bufs * MAX_SIZE;
	return ok;
}

/*
 * PROCS processes, each on a file of its own: a third exit holding
 * records, a third free everything and close, a third are killed while
 * they work. While they run the card's totals stay in range; after, they
 * are back to the baseline, open files too.
 */
TEST_F_TIMEOUT(stress, many_processes_one_card, 90)
{
	unsigned long n = stress_scaled(150), polls = 0;
	unsigned int i, left = PROCS, reaped = 0;
	pid_t pid[PROCS];
	int code[PROCS];
	int ready[2], go[2];
	bool killed = false;
	double t0 = now_s();
	struct card c;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < PROCS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			close(ready[0]);
			close(go[1]);
			proc_child(i, ready[1], go[0], n);
		}
		code[i] = -1;
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < PROCS; i++) {
		ASSERT_TRUE(wait_fd(ready[0])) {
			TH_LOG("a process died before it was ready");
		}
	}
	/* all are open and wait: exactly PROCS more files */
	ASSERT_TRUE(read_card(&c));
	EXPECT_EQ(self->base.open_files + PROCS, c.open_files);
	close(go[1]);

	while (left) {
		ASSERT_TRUE(read_card(&c));
		polls++;
		ASSERT_TRUE(card_sane(&c, &self->base)) {
			TH_LOG("poll %lu: dram %llu l1 %llu buffers %llu open %llu",
			       polls, (unsigned long long)c.allocated[0],
			       (unsigned long long)c.allocated[1],
			       (unsigned long long)c.buffers,
			       (unsigned long long)c.open_files);
		}
		/* kill once the others are under way, one of them done */
		if (!killed && (reaped || polls >= 100)) {
			for (i = ROLE_KILLED; i < PROCS; i += ROLES)
				kill(pid[i], SIGKILL);
			killed = true;
		}
		for (i = 0; i < PROCS; i++) {
			int status;

			if (code[i] >= 0 || waitpid(pid[i], &status, WNOHANG) != pid[i])
				continue;
			code[i] = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
				  WEXITSTATUS(status);
			left--;
			if (i % ROLES != ROLE_KILLED)
				reaped++;
		}
		usleep(2000);
	}
	for (i = 0; i < PROCS; i++) {
		EXPECT_EQ(i % ROLES == ROLE_KILLED ? 128 + SIGKILL : 0, code[i]) {
			TH_LOG("process %u (role %u)", i, i % ROLES);
		}
	}
	diag("%d processes, %lu polls of sysfs in %.2f s\n", PROCS,
		       polls, now_s() - t0);
	EXPECT_TRUE(sysfs_is(&self->base, &nothing, self->base.open_files));
}

/* ---- 3: both sides of a fork ---- */

/*
 * The models both processes read and write, in shared memory: the file
 * opened before the fork holds the records of PRE (the parent's, created
 * before the fork and used by whichever side is told to) and of CHILD_A
 * (the child's, on the same file); PARENT_B and CHILD_D are each side's
 * own fresh file.
 */
enum { PRE, CHILD_A, PARENT_B, CHILD_D, FORK_MODELS };

struct fork_shared {
	struct model m[FORK_MODELS];
};

/* The shared file's models, and everything */
static struct sum shared_file(struct fork_shared *sh)
{
	struct model *ms[] = { &sh->m[PRE], &sh->m[CHILD_A] };

	return sum_of(ms, 2);
}

static struct sum with(struct fork_shared *sh, int a, int b)
{
	struct sum s = shared_file(sh);

	if (a >= 0)
		sum_add(&s, &sh->m[a]);
	if (b >= 0)
		sum_add(&s, &sh->m[b]);
	return s;
}

/* The card, by a QUERY on fd, holds base plus extra in open_files files */
static bool query_card_is(int fd, const struct card *base,
			  const struct sum *extra, __u64 open_files)
{
	struct card c;
	stats_t s;

	if (query(fd, &s))
		return false;
	c = card_of(&s);
	return card_is(&c, base, extra, open_files);
}

/*
 * The child: records on the inherited file A and on its own D, then the
 * exact totals at the barrier; then, when it outlives the parent, checks
 * what the parent left in A, works on the parent's records too and exits
 * holding records.
 */
static void fork_child(struct fork_shared *sh, int a, const struct card *base,
		       int to_parent, int from_parent, bool parent_first,
		       unsigned long n)
{
	struct sum s;
	int d;

	child_start();
	d = open_card(0);
	CHILD_CHECK(d >= 0);
	CHILD_STEPS(&sh->m[CHILD_A], a, n);
	CHILD_STEPS(&sh->m[CHILD_D], d, n);
	signal_fd(to_parent);
	CHILD_CHECK(wait_fd(from_parent));		/* both done */
	s = shared_file(sh);
	CHILD_CHECK(fd_holds(a, &s));
	s = sh->m[CHILD_D].held;
	CHILD_CHECK(fd_holds(d, &s));
	s = with(sh, PARENT_B, CHILD_D);
	CHILD_CHECK(query_card_is(a, base, &s, base->open_files + 3));
	signal_fd(to_parent);
	CHILD_CHECK(wait_fd(from_parent));		/* parent checked */

	if (parent_first) {
		CHILD_CHECK(wait_fd(from_parent));	/* parent closed A, B */
		/* the parent's records stay with the file the child holds */
		s = shared_file(sh);
		CHILD_CHECK(fd_holds(a, &s));
		s = with(sh, CHILD_D, -1);
		CHILD_CHECK(query_card_is(a, base, &s, base->open_files + 2));
		CHILD_STEPS(&sh->m[PRE], a, n);
		s = shared_file(sh);
		CHILD_CHECK(fd_holds(a, &s));
	} else {
		/* frees and adds records of the parent's on the shared file */
		CHILD_STEPS(&sh->m[PRE], a, n);
	}
	_exit(0);	/* records left in A and D */
}

/*
 * A file with records is shared by fork(): parent and child both track on
 * it (one file, one count) and each on a fresh file of its own; exact
 * totals at each step from the side still there; the baseline at the end.
 * parent_first: the parent closes its files while the child still holds
 * the shared one; else the child exits first.
 */
static void fork_both_sides(struct __test_metadata *_metadata,
			    const struct card *base, bool parent_first)
{
	unsigned long n = stress_scaled(300);
	struct fork_shared *sh;
	int to_parent[2], to_child[2], a, b, i;
	struct sum s;
	pid_t pid;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	for (i = 0; i < FORK_MODELS; i++)
		model_init(&sh->m[i], i, 3 + parent_first);
	a = open_card(0);
	ASSERT_LE(0, a);
	ASSERT_TRUE(steps(&sh->m[PRE], a, n)) {
		TH_LOG("%s", sh->m[PRE].err);
	}
	s = shared_file(sh);
	ASSERT_TRUE(fd_holds(a, &s));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(to_parent[0]);
		close(to_child[1]);
		fork_child(sh, a, base, to_parent[1], to_child[0],
			   parent_first, n);
	}
	close(to_parent[1]);
	close(to_child[0]);

	b = open_card(0);
	ASSERT_LE(0, b);
	EXPECT_TRUE(steps(&sh->m[PRE], a, n)) {
		TH_LOG("%s", sh->m[PRE].err);
	}
	EXPECT_TRUE(steps(&sh->m[PARENT_B], b, n)) {
		TH_LOG("%s", sh->m[PARENT_B].err);
	}
	ASSERT_TRUE(wait_fd(to_parent[0]));		/* both done */
	s = shared_file(sh);
	EXPECT_TRUE(fd_holds(a, &s));
	s = sh->m[PARENT_B].held;
	EXPECT_TRUE(fd_holds(b, &s));
	s = with(sh, PARENT_B, CHILD_D);
	EXPECT_TRUE(sysfs_is(base, &s, base->open_files + 3));
	signal_fd(to_child[1]);
	ASSERT_TRUE(wait_fd(to_parent[0]));		/* child checked */
	signal_fd(to_child[1]);

	if (parent_first) {
		EXPECT_TRUE(steps(&sh->m[PRE], a, n)) {
			TH_LOG("%s", sh->m[PRE].err);
		}
		close(a);
		close(b);
		signal_fd(to_child[1]);
		EXPECT_EQ(0, wait_child(pid));
	} else {
		EXPECT_EQ(0, wait_child(pid));
		/* the child's records in A outlive it; D went with it */
		s = shared_file(sh);
		EXPECT_TRUE(fd_holds(a, &s));
		s = with(sh, PARENT_B, -1);
		EXPECT_TRUE(sysfs_is(base, &s, base->open_files + 2));
		close(a);
		s = sh->m[PARENT_B].held;
		EXPECT_TRUE(sysfs_is(base, &s, base->open_files + 1));
		close(b);
	}
	EXPECT_TRUE(sysfs_is(base, &nothing, base->open_files));
	close(to_parent[0]);
	close(to_child[1]);
	munmap(sh, sizeof(*sh));
}

TEST_F_TIMEOUT(stress, fork_both_sides_child_exits_first, 60)
{
	fork_both_sides(_metadata, &self->base, false);
}

TEST_F_TIMEOUT(stress, fork_both_sides_parent_closes_first, 60)
{
	fork_both_sides(_metadata, &self->base, true);
}

/* ---- 4: close racing the ioctls ---- */

/* How the racing thread's descriptor goes away */
enum race_end {
	END_CLOSE,	/* close(): then EBADF */
	END_DUP2_NULL,	/* dup2() of /dev/null over it: then ENOTTY */
	END_DUP2_CARD,	/* dup2() of another open of card 0: goes on there */
	ENDS
};

static const char *const end_names[ENDS] = {
	"close", "dup2 /dev/null", "dup2 card",
};

struct racer {
	int fd;
	enum race_end end;
	unsigned int calls;	/* ioctls returned, read by the main thread */
	int ended;		/* the main thread's close/dup2 has returned */
	unsigned long in_flight;	/* succeeded, begun before it returned */
	int bad;		/* an errno that should not have been */
	bool bad_after;		/* an ioctl begun after the end succeeded */
	int done;		/* the racer has stopped */
};

/*
 * Calls a racer makes at most while its end has not come: at most 37 MiB
 * of L1 records, a third of a simulated card's L1. A loaded host can hold
 * the closing thread back for thousands of calls, which would fill the
 * file's share of L1 (ERANGE); such a round just does not race.
 */
#define RACER_MAX_CALLS	1024

/*
 * TRACK_ALLOC and TRACK_BATCH (a free of the last single record and 31
 * allocations) on new ids, until the descriptor fails in the way its end
 * says; on another file (END_DUP2_CARD), until four calls after the end.
 */
static void *racer_run(void *arg)
{
	struct racer *r = arg;
	struct tenstorrent_track_op ops[32] = { 0 };
	struct tenstorrent_track_batch b = { 0 };
	const int end_err = r->end == END_CLOSE ? -EBADF : -ENOTTY;
	__u64 next = 1, single = 0;
	unsigned int after = 0, calls, k;

	for (;;) {
		bool before = __atomic_load_n(&r->ended, __ATOMIC_ACQUIRE);
		int ret;

		if (single) {
			memset(ops, 0, sizeof(ops));
			ops[0].buffer_id = single;
			ops[0].op = TENSTORRENT_TRACK_OP_FREE;
			for (k = 1; k < 32; k++) {
				ops[k].buffer_id = next++ << 6 | 0x20;
				ops[k].size = 4096;
				ops[k].buffer_type = k % NTYPES;
			}
			b.in.ops = (uintptr_t)ops;
			b.in.count = 32;
			ret = tt_ioctl(r->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b);
			single = 0;
		} else {
			single = next++ << 6 | 0x20;
			ret = track_alloc(r->fd, single, 64, TT_BUFFER_TYPE_L1);
		}
		calls = __atomic_add_fetch(&r->calls, 1, __ATOMIC_RELEASE);
		if (!ret && !before && calls >= RACER_MAX_CALLS)
			break;
		if (!ret && !before &&
		    __atomic_load_n(&r->ended, __ATOMIC_ACQUIRE))
			r->in_flight++;
		if (r->end == END_DUP2_CARD) {
			/* the old file's records are not this one's */
			if (ret && ret != -ENOENT) {
				r->bad = ret;
				break;
			}
			if (before && ++after >= 4)
				break;
			continue;
		}
		if (!ret && before) {
			r->bad_after = true;
			break;
		}
		if (ret) {
			if (ret != end_err)
				r->bad = ret;
			break;
		}
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Records of all types on fd before the racer starts, so that every
 * round's release has some to free: ids (2j + 1) << 4, none of the
 * racer's (which are odd multiples of 32).
 */
static int prefill(int fd)
{
	struct tenstorrent_track_op ops[64] = { 0 };
	struct tenstorrent_track_batch b = { 0 };
	unsigned int j;

	for (j = 0; j < 64; j++) {
		ops[j].buffer_id = (2 * (__u64)j + 1) << 4;
		ops[j].size = 1 + j;
		ops[j].buffer_type = j % NTYPES;
	}
	b.in.ops = (uintptr_t)ops;
	b.in.count = 64;
	return tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b);
}

/* Spin until the racer has made calls ioctls (or has stopped) */
static void wait_calls(struct racer *r, unsigned int calls)
{
	unsigned int spins;

	for (spins = 0; spins < 1000000; spins++) {
		if (__atomic_load_n(&r->calls, __ATOMIC_ACQUIRE) >= calls ||
		    __atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
			return;
		sched_yield();
	}
}

/*
 * A thread tracks on a descriptor holding 64 records while another closes
 * it, or dup2()s another file over it, after 0 to 7 of its calls. Every ioctl returns 0
 * or the error of a descriptor gone; after each round, with every file
 * closed, the card is at its baseline: the release freed everything,
 * including what an ioctl in flight during the close added.
 */
TEST_F_TIMEOUT(stress, close_racing_alloc, 90)
{
	unsigned long rounds = stress_scaled(300), k, in_flight = 0, calls = 0;
	double t0 = now_s();

	for (k = 0; k < rounds; k++) {
		struct racer r = { .end = k % ENDS };
		int other = -1, ret = 0;
		pthread_t th;

		r.fd = open_card(0);
		ASSERT_LE(0, r.fd);
		if (r.end == END_DUP2_NULL)
			other = open("/dev/null", O_RDWR | O_CLOEXEC);
		else if (r.end == END_DUP2_CARD)
			other = open_card(0);
		ASSERT_TRUE(r.end == END_CLOSE || other >= 0);
		ASSERT_EQ(0, prefill(r.fd));
		ASSERT_EQ(0, pthread_create(&th, NULL, racer_run, &r));
		wait_calls(&r, k / ENDS % 8);
		if (r.end == END_CLOSE)
			ret = close(r.fd);
		else
			ret = dup2(other, r.fd) == r.fd ? 0 : -1;
		__atomic_store_n(&r.ended, 1, __ATOMIC_RELEASE);
		pthread_join(th, NULL);
		ASSERT_EQ(0, ret);
		if (other >= 0) {
			close(r.fd);
			close(other);
		}
		ASSERT_EQ(0, r.bad) {
			TH_LOG("round %lu (%s): an ioctl failed with %s", k,
			       end_names[r.end], strerror(-r.bad));
		}
		ASSERT_FALSE(r.bad_after) {
			TH_LOG("round %lu (%s): an ioctl begun after it succeeded",
			       k, end_names[r.end]);
		}
		ASSERT_TRUE(sysfs_is(&self->base, &nothing, self->base.open_files)) {
			TH_LOG("round %lu (%s), %u calls", k, end_names[r.end],
			       r.calls);
		}
		in_flight += r.in_flight;
		calls += r.calls;
	}
	diag("%lu rounds, %lu calls, %lu succeeded across the close, in %.2f s\n",
		       rounds, calls, in_flight, now_s() - t0);
}

/* ---- 5: a million records ---- */

static unsigned long records_wanted(void)
{
	const char *s = getenv("TT_STRESS_RECORDS");

	return s && *s ? strtoul(s, NULL, 0) : scaled(1000000);
}

/*
 * One file gets TT_STRESS_RECORDS records (a million), batch by batch;
 * QUERY and sysfs count every one; the close frees them all and its time
 * is printed. Ids (2i + 1) << 12, distinct, fill one xarray densely as
 * page-aligned buffers would.
 */
TEST_F_TIMEOUT(stress, release_1m, 90)
{
	struct tenstorrent_tracking_info info = { 0 };
	struct tenstorrent_track_op *ops;
	const unsigned int per = TENSTORRENT_TRACK_BATCH_MAX;
	unsigned long total = records_wanted(), i = 0;
	struct sum want = { 0 };
	double t0, t_track, t_close;
	stats_t s;
	int fd = open_card(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tt_ioctl(fd, TENSTORRENT_IOCTL_GET_TRACKING_INFO, &info));
	if (total > info.out.max_records) {
		close(fd);
		SKIP(return, "%lu records over max_records %llu", total,
		     (unsigned long long)info.out.max_records);
	}
	user_records_at_least(total);
	ops = calloc(per, sizeof(*ops));
	ASSERT_NE(NULL, ops);

	t0 = now_s();
	while (i < total) {
		struct tenstorrent_track_batch b = { 0 };
		unsigned int n = total - i < per ? total - i : per, k;

		for (k = 0; k < n; k++, i++) {
			ops[k].buffer_id = (2 * (__u64)i + 1) << 12;
			/* 144 bytes on average: a million fit the L1 */
			ops[k].size = 32 + (i % 8) * 32;
			ops[k].buffer_type = i % NTYPES;
			want.allocated[i % NTYPES] += ops[k].size;
			want.buffers[i % NTYPES]++;
		}
		b.in.ops = (uintptr_t)ops;
		b.in.count = n;
		ASSERT_EQ(0, tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b)) {
			TH_LOG("batch at record %lu: processed %u", i - n,
			       b.out.processed);
		}
	}
	t_track = now_s() - t0;
	free(ops);

	ASSERT_EQ(0, query(fd, &s));
	EXPECT_TRUE(file_is(&s, &want));
	EXPECT_TRUE(sysfs_is(&self->base, &want, self->base.open_files + 1));

	t0 = now_s();
	close(fd);
	t_close = now_s() - t0;
	diag("%lu records tracked in %.2f s, closed in %.3f s\n",
		       total, t_track, t_close);
	EXPECT_TRUE(sysfs_is(&self->base, &nothing, self->base.open_files));
}

int main(int argc, char **argv)
{
	return tracking_tests_main(argc, argv);
}
