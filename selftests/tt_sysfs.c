// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-card totals the tenstorrent driver shows in sysfs
 * (/sys/class/tenstorrent/tenstorrent!N/): every attribute there with its
 * mode, each total equal to QUERY_ALLOC_STATS's and following allocs,
 * frees, opens and closes, root's reset_peaks, poll() notification
 * coalesced to ten a second, and the totals readable by any user.
 * Documentation/ABI/testing/sysfs-class-tenstorrent is the specification.
 * tt_debugfs tests the debugfs tables, tt_sim the simulated cards.
 *
 * Expects the module loaded with at least one card (`modprobe tenstorrent
 * sim_cards=2`) and nothing else using card 0 while it runs. Tests of
 * reset_peaks and of other users need root and skip without it. Leaves the
 * system as found: the peaks it resets are raised back.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tt_sysfs_helpers.h"

/* From an attribute's open fd: lseek 0 and read, as a poller does. */
static int reread_attr(int fd, __u64 *v)
{
	char text[64];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	if (n < 0)
		return -errno;
	text[n] = '\0';
	return parse_attr_text(text, v);
}

static int open_attr(int card, const char *attr)
{
	char path[PATH_MAX];

	attr_path(path, sizeof(path), card, attr);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* The totals a card shows in sysfs */
struct sysfs_totals {
	__u64 allocated[NTYPES];
	__u64 peak[NTYPES];
	__u64 buffers;
	__u64 open_files;
};

static int read_totals(int card, struct sysfs_totals *st)
{
	char name[64];
	int t, ret;

	for (t = 0; t < NTYPES; t++) {
		snprintf(name, sizeof(name), "%s_allocated", tt_type_names[t]);
		ret = read_attr(card, name, &st->allocated[t]);
		if (ret)
			return ret;
		snprintf(name, sizeof(name), "%s_peak", tt_type_names[t]);
		ret = read_attr(card, name, &st->peak[t]);
		if (ret)
			return ret;
	}
	ret = read_attr(card, "buffers", &st->buffers);
	return ret ? ret : read_attr(card, "open_files", &st->open_files);
}

#define READ_TOTALS(card, st)	ASSERT_EQ(0, read_totals(card, st))

/* sysfs shows exactly the card's totals of a QUERY_ALLOC_STATS */
static void expect_totals_are_query(struct __test_metadata *_metadata,
				    const struct sysfs_totals *st,
				    const stats_t *q)
{
	__u64 buffers = 0;
	int t;

	for (t = 0; t < NTYPES; t++) {
		EXPECT_EQ(q->allocated[t], st->allocated[t]) {
			TH_LOG("%s_allocated", tt_type_names[t]);
		}
		EXPECT_EQ(q->peak[t], st->peak[t]) {
			TH_LOG("%s_peak", tt_type_names[t]);
		}
		buffers += q->buffers[t];
	}
	EXPECT_EQ(buffers, st->buffers);
	EXPECT_EQ((__u64)q->open_files, st->open_files);
}

/* ---- sysfs totals of card 0 ---- */

FIXTURE(totals) {
	int fd;
};

FIXTURE_SETUP(totals)
{
	self->fd = open_card(0);
	if (self->fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
}

FIXTURE_TEARDOWN(totals)
{
	close(self->fd);
}

/*
 * Several processes, each with its own file, record and free a mix of
 * buffers of every type; while they all hold what is left, and again after
 * they exited, sysfs shows exactly what QUERY_ALLOC_STATS does.
 */
TEST_F(totals, equal_query_after_several_processes)
{
	struct sysfs_totals st;
	int ready[2], done[2], i;
	pid_t pids[4];
	stats_t q;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			int fd = open_card(0), k;
			char c;

			close(done[1]);
			CHILD_CHECK(fd >= 0);
			for (k = 0; k < 300; k++) {
				__u64 id = 0x900000000ULL + ((__u64)i << 28) +
					   ((__u64)k << 12);

				CHILD_CHECK(!track_alloc(fd, id, 4096 + k * i + 1,
							 k % NTYPES));
				if (k % 3 == 0)
					CHILD_CHECK(!track_free(fd, id));
			}
			CHILD_CHECK(write(ready[1], "r", 1) == 1);
			CHILD_CHECK(read(done[0], &c, 1) == 0);
			_exit(0);
		}
	}
	close(done[0]);
	for (i = 0; i < 4; i++) {
		char c;

		ASSERT_EQ(1, read(ready[0], &c, 1));
	}

	ASSERT_EQ(0, query(self->fd, &q));
	READ_TOTALS(0, &st);
	expect_totals_are_query(_metadata, &st, &q);
	EXPECT_EQ(5U, q.open_files);	/* ours and the four children's */
	EXPECT_EQ(4 * 200ULL, st.buffers);

	close(done[1]);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, wait_child(pids[i]));
	close(ready[0]);
	close(ready[1]);
	ASSERT_EQ(0, query(self->fd, &q));
	READ_TOTALS(0, &st);
	expect_totals_are_query(_metadata, &st, &q);
	EXPECT_EQ(0ULL, st.buffers);
}

/*
 * Every attribute of every card exists with its documented mode; the
 * numbers are decimal with one newline, card_type a known family.
 */
TEST(attributes_exist_with_modes)
{
	static const char *const numbers[] = {
		"dram_allocated", "l1_allocated", "system_memory_allocated",
		"l1_small_allocated", "trace_allocated", "cb_allocated",
		"kernel_allocated", "dram_peak", "l1_peak",
		"system_memory_peak", "l1_small_peak", "trace_peak",
		"cb_peak", "kernel_peak", "buffers", "open_files",
		"dram_total", "l1_total", "system_memory_total",
	};
	__u64 cards = class_cards();
	int n, seen = 0;

	for (n = 0; n < 64; n++) {
		char path[PATH_MAX], text[64];
		struct stat st;
		size_t i;
		__u64 v;

		if (!(cards & (1ULL << n)))
			continue;
		seen++;
		for (i = 0; i < ARRAY_SIZE(numbers); i++) {
			attr_path(path, sizeof(path), n, numbers[i]);
			ASSERT_EQ(0, stat(path, &st)) {
				TH_LOG("%s: %s", path, strerror(errno));
			}
			EXPECT_TRUE(S_ISREG(st.st_mode));
			EXPECT_EQ(0444, st.st_mode & 07777) {
				TH_LOG("%s has mode %o", path, st.st_mode & 07777);
			}
			EXPECT_EQ(0, read_attr(n, numbers[i], &v)) {
				TH_LOG("%s is not one decimal number", path);
			}
		}

		attr_path(path, sizeof(path), n, "card_type");
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(0444, st.st_mode & 07777);
		ASSERT_EQ(0, read_text(path, text, sizeof(text)));
		EXPECT_TRUE(!strcmp(text, "sim\n") || !strcmp(text, "wormhole\n") ||
			    !strcmp(text, "blackhole\n")) {
			TH_LOG("%s: \"%s\"", path, text);
		}

		attr_path(path, sizeof(path), n, "reset_peaks");
		ASSERT_EQ(0, stat(path, &st)) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		EXPECT_EQ(0200, st.st_mode & 07777) {
			TH_LOG("%s has mode %o", path, st.st_mode & 07777);
		}
	}
	if (!seen)
		SKIP(return, "no tenstorrent cards");
}

/* At a quiet moment sysfs shows exactly what QUERY_ALLOC_STATS does. */
TEST_F(totals, equal_query_of_the_same_moment)
{
	struct sysfs_totals st;
	stats_t q1, q2;

	alloc_known(_metadata, self->fd, NULL, NULL);
	ASSERT_EQ(0, track_free(self->fd, known[1].id));	/* peak > allocated */
	SNAPSHOT(self->fd, &q1);
	READ_TOTALS(0, &st);
	SNAPSHOT(self->fd, &q2);
	/* nothing else ran in between: the two queries agree */
	expect_unchanged(_metadata, &q1, &q2);
	expect_totals_are_query(_metadata, &st, &q1);
}

/*
 * Each per-type total rises by exactly the bytes recorded and falls back
 * when they are freed; buffers counts the records; peaks follow allocated.
 */
TEST_F(totals, follow_alloc_and_free)
{
	__u64 sum[NTYPES] = { 0 }, count[NTYPES] = { 0 }, nrec = 0;
	struct sysfs_totals before, during, after;
	stats_t q;
	size_t i;
	int t;

	READ_TOTALS(0, &before);
	alloc_known(_metadata, self->fd, sum, count);
	READ_TOTALS(0, &during);
	SNAPSHOT(self->fd, &q);
	expect_totals_are_query(_metadata, &during, &q);

	for (t = 0; t < NTYPES; t++) {
		__u64 peak = before.peak[t] > during.allocated[t] ?
			     before.peak[t] : during.allocated[t];

		EXPECT_EQ(before.allocated[t] + sum[t], during.allocated[t]) {
			TH_LOG("%s_allocated", tt_type_names[t]);
		}
		EXPECT_EQ(peak, during.peak[t]) {
			TH_LOG("%s_peak", tt_type_names[t]);
		}
		nrec += count[t];
	}
	EXPECT_EQ(before.buffers + nrec, during.buffers);
	EXPECT_EQ(before.open_files, during.open_files);

	for (i = 0; i < ARRAY_SIZE(known); i++)
		ASSERT_EQ(0, track_free(self->fd, known[i].id));
	READ_TOTALS(0, &after);
	SNAPSHOT(self->fd, &q);
	expect_totals_are_query(_metadata, &after, &q);
	for (t = 0; t < NTYPES; t++) {
		EXPECT_EQ(before.allocated[t], after.allocated[t]) {
			TH_LOG("%s_allocated", tt_type_names[t]);
		}
		EXPECT_EQ(during.peak[t], after.peak[t]) {
			TH_LOG("%s_peak kept after the free", tt_type_names[t]);
		}
	}
	EXPECT_EQ(before.buffers, after.buffers);
}

/* open_files counts open files of the card, as QUERY does. */
TEST_F(totals, open_files_follows_opens)
{
	__u64 before, during, after;
	stats_t q;
	int fd2;

	ASSERT_EQ(0, read_attr(0, "open_files", &before));
	SNAPSHOT(self->fd, &q);
	EXPECT_EQ((__u64)q.open_files, before);
	fd2 = open_card(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, read_attr(0, "open_files", &during));
	EXPECT_EQ(before + 1, during);
	close(fd2);
	ASSERT_EQ(0, read_attr(0, "open_files", &after));
	EXPECT_EQ(before, after);
}

/*
 * A file closed with records live takes them off the card's totals in
 * sysfs too (peaks stay).
 */
TEST_F(totals, close_takes_records_off)
{
	struct sysfs_totals before, after;
	int fd2 = open_card(0), t;

	ASSERT_LE(0, fd2);
	READ_TOTALS(0, &before);
	alloc_known(_metadata, fd2, NULL, NULL);
	close(fd2);
	READ_TOTALS(0, &after);
	for (t = 0; t < NTYPES; t++)
		EXPECT_EQ(before.allocated[t], after.allocated[t]);
	EXPECT_EQ(before.buffers, after.buffers);
	EXPECT_EQ(before.open_files - 1, after.open_files);
}

/* ---- reset_peaks ---- */

/*
 * Raise card 0's peaks back to what they were (a reset lowered them):
 * temporary files take each type from allocated to the old peak, each at
 * most the card's capacity (a peak of several files may be more).
 */
static void restore_peaks(struct __test_metadata *_metadata, int fd,
			  const struct sysfs_totals *orig)
{
	int tmp[32], ntmp = 0, t, i;
	stats_t q;

	SNAPSHOT(fd, &q);
	for (t = 0; t < NTYPES; t++) {
		__u64 need = orig->peak[t] > q.allocated[t] ?
			     orig->peak[t] - q.allocated[t] : 0;
		__u64 cap = type_capacity(0, t);

		ASSERT_LT(0ULL, cap);
		while (need && ntmp < 32) {
			__u64 n = need < cap ? need : cap;

			tmp[ntmp] = open_card(0);
			ASSERT_LE(0, tmp[ntmp]);
			EXPECT_EQ(0, track_alloc(tmp[ntmp++], 0x1000 + t, n, t));
			need -= n;
		}
		EXPECT_EQ(0ULL, need);
	}
	for (i = 0; i < ntmp; i++)
		close(tmp[i]);
}

/*
 * Writing 1 sets each of the card's peaks to what is allocated now, in
 * sysfs and QUERY alike; a file's own peaks are kept.
 */
TEST_F(totals, reset_peaks_sets_peaks_to_allocated)
{
	struct sysfs_totals orig, st;
	char path[PATH_MAX];
	stats_t before, q;
	size_t i;
	int t;

	if (geteuid())
		SKIP(return, "needs root");
	READ_TOTALS(0, &orig);
	alloc_known(_metadata, self->fd, NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(known); i += 2)
		ASSERT_EQ(0, track_free(self->fd, known[i].id));
	SNAPSHOT(self->fd, &before);
	for (t = 0; t < NTYPES; t++)
		ASSERT_LT(before.allocated[t], before.peak[t]);

	attr_path(path, sizeof(path), 0, "reset_peaks");
	ASSERT_EQ(0, write_text(path, "1\n"));
	READ_TOTALS(0, &st);
	SNAPSHOT(self->fd, &q);
	for (t = 0; t < NTYPES; t++) {
		EXPECT_EQ(st.allocated[t], st.peak[t]) {
			TH_LOG("%s_peak", tt_type_names[t]);
		}
		EXPECT_EQ(before.allocated[t], q.peak[t]);
		EXPECT_EQ(before.file.peak[t], q.file.peak[t]) {
			TH_LOG("the file's own %s peak", tt_type_names[t]);
		}
	}
	expect_totals_are_query(_metadata, &st, &q);
	restore_peaks(_metadata, self->fd, &orig);
}

/* Writing 0 is refused with EINVAL and changes nothing. */
TEST_F(totals, reset_peaks_zero_einval)
{
	struct sysfs_totals before, after;
	char path[PATH_MAX];
	int t;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, track_alloc(self->fd, 0x100, 4096, TT_BUFFER_TYPE_L1));
	ASSERT_EQ(0, track_free(self->fd, 0x100));
	READ_TOTALS(0, &before);
	attr_path(path, sizeof(path), 0, "reset_peaks");
	EXPECT_EQ(-EINVAL, write_text(path, "0\n"));
	READ_TOTALS(0, &after);
	for (t = 0; t < NTYPES; t++)
		EXPECT_EQ(before.peak[t], after.peak[t]);
}

/* Any other user cannot even open reset_peaks for writing. */
TEST(reset_peaks_nobody_eacces)
{
	char path[PATH_MAX];
	const char *arg[2] = { path, "w" };

	if (!class_cards())
		SKIP(return, "no tenstorrent cards");
	if (geteuid())
		SKIP(return, "needs root to become nobody");
	attr_path(path, sizeof(path), 0, "reset_peaks");
	EXPECT_EQ(EACCES, run_as_nobody(open_errno, (void *)arg));
}

static __u64 nobody_expect;

/* As nobody: 0 when dram_allocated reads as nobody_expect */
static int nobody_reads_dram_allocated(void *unused)
{
	__u64 v;
	int ret = read_attr(0, "dram_allocated", &v);

	(void)unused;
	if (ret)
		return -ret;	/* an exit status: the errno itself */
	return v == nobody_expect ? 0 : 101;
}

/* The totals are world-readable. */
TEST_F(totals, readable_by_nobody)
{
	if (geteuid())
		SKIP(return, "needs root to become nobody");
	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, 7 * MiB,
				 TT_BUFFER_TYPE_DRAM));
	ASSERT_EQ(0, read_attr(0, "dram_allocated", &nobody_expect));
	EXPECT_EQ(0, run_as_nobody(nobody_reads_dram_allocated, NULL));
}

/* ---- poll ---- */

/* Long enough after the last change for its notification to be done */
#define SETTLE_MS	500

struct poller {
	int fd;			/* the attribute, read once */
	int timeout_ms;
	int ret;		/* poll()'s */
	short revents;
	long long woke_ms;
	bool blocked;		/* about to poll */
};

static void *poll_once(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLPRI | POLLERR };

	STORE(p->blocked, true);
	p->ret = poll(&pfd, 1, p->timeout_ms);
	p->woke_ms = now_ms();
	p->revents = pfd.revents;
	return NULL;
}

/*
 * A reader blocked in poll(POLLPRI) on dram_allocated wakes within a second
 * of a TRACK_ALLOC on another file, and then reads the new value.
 */
TEST_F(totals, poll_wakes_after_alloc)
{
	struct poller p = { .timeout_ms = 1000 };
	__u64 before, after;
	pthread_t th;
	long long t0;

	p.fd = open_attr(0, "dram_allocated");
	ASSERT_LE(0, p.fd);
	sleep_ms(SETTLE_MS);
	ASSERT_EQ(0, reread_attr(p.fd, &before));
	ASSERT_EQ(0, pthread_create(&th, NULL, poll_once, &p));
	while (!LOAD(p.blocked))
		sleep_ms(1);
	sleep_ms(50);
	t0 = now_ms();
	EXPECT_EQ(0, track_alloc(self->fd, 0x800000000ULL, 2 * MiB,
				 TT_BUFFER_TYPE_DRAM));
	pthread_join(th, NULL);

	ASSERT_EQ(1, p.ret) {
		TH_LOG("no wakeup in %d ms", p.timeout_ms);
	}
	EXPECT_TRUE(p.revents & POLLPRI);
	EXPECT_GT(1000, p.woke_ms - t0);
	TH_LOG("woken %lld ms after the TRACK_ALLOC",
	       p.woke_ms - t0);
	ASSERT_EQ(0, reread_attr(p.fd, &after));
	EXPECT_EQ(before + 2 * MiB, after);
	close(p.fd);
}

/* When nothing changes a poller sleeps: no wakeup in 300 ms. */
TEST_F(totals, poll_quiet_without_change)
{
	struct pollfd pfd = { .events = POLLPRI | POLLERR };
	__u64 v;

	sleep_ms(SETTLE_MS);	/* the fixture's open is notified by now */
	pfd.fd = open_attr(0, "dram_allocated");
	ASSERT_LE(0, pfd.fd);
	ASSERT_EQ(0, reread_attr(pfd.fd, &v));
	EXPECT_EQ(0, poll(&pfd, 1, 300)) {
		TH_LOG("woken with revents %#x", pfd.revents);
	}
	close(pfd.fd);
}

struct counter {
	int fd;
	bool stop;
	unsigned int wakeups;
	__u64 last;		/* the value read after the last wakeup */
	int err;		/* a failed read's -errno */
	long long start_ms, end_ms;
};

/* poll, lseek 0, read, repeat until told to stop; count the wakeups */
static void *count_wakeups(void *arg)
{
	struct counter *c = arg;
	struct pollfd pfd = { .fd = c->fd, .events = POLLPRI | POLLERR };
	__u64 v;

	c->start_ms = now_ms();
	while (!LOAD(c->stop)) {
		int ret = poll(&pfd, 1, 50);

		if (ret < 0) {
			c->err = -errno;
			break;
		}
		if (ret == 0)
			continue;
		c->wakeups++;
		c->err = reread_attr(c->fd, &v);
		if (c->err)
			break;
		STORE(c->last, v);
	}
	c->end_ms = now_ms();
	return NULL;
}

/*
 * However fast the totals change, pollers are woken at most about ten
 * times a second: during a burst of at least 1.5 s of TRACK_ALLOC and
 * TRACK_FREE, at most 10 per second and 3 more, and at least once.
 */
TEST_F_TIMEOUT(totals, poll_rate_limited, 60)
{
	struct counter c = { 0 };
	unsigned long ops = 0;
	double elapsed;
	pthread_t th;
	long long t0;

	c.fd = open_attr(0, "dram_allocated");
	ASSERT_LE(0, c.fd);
	sleep_ms(SETTLE_MS);
	ASSERT_EQ(0, reread_attr(c.fd, &c.last));
	ASSERT_EQ(0, pthread_create(&th, NULL, count_wakeups, &c));

	t0 = now_ms();
	while (now_ms() - t0 < 1500) {
		if (track_alloc(self->fd, 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM) ||
		    track_free(self->fd, 0x800000000ULL))
			break;
		ops += 2;
	}
	sleep_ms(300);		/* the last notification */
	STORE(c.stop, true);
	pthread_join(th, NULL);
	close(c.fd);

	elapsed = (c.end_ms - c.start_ms) / 1000.0;
	TH_LOG("%u wakeups in %.2f s, %lu operations", c.wakeups, elapsed, ops);
	EXPECT_LE(1500, now_ms() - t0 - 300);
	EXPECT_EQ(0, c.err);
	EXPECT_LT(1000UL, ops) {
		TH_LOG("the burst stopped early: %s", strerror(errno));
	}
	EXPECT_LE(1U, c.wakeups);
	EXPECT_GE(10 * elapsed + 3, (double)c.wakeups);
}

/*
 * Coalescing loses nothing at the end: after a burst, a poller is woken
 * for the last change and reads the final value.
 */
TEST_F(totals, poll_sees_last_change_of_burst)
{
	struct counter c = { 0 };
	__u64 start;
	pthread_t th;
	int i;

	c.fd = open_attr(0, "l1_allocated");
	ASSERT_LE(0, c.fd);
	sleep_ms(SETTLE_MS);
	ASSERT_EQ(0, reread_attr(c.fd, &start));
	c.last = start;
	ASSERT_EQ(0, pthread_create(&th, NULL, count_wakeups, &c));
	for (i = 0; i < 200; i++)
		EXPECT_EQ(0, track_alloc(self->fd, 0x10000 + 32 * i, 32,
					 TT_BUFFER_TYPE_L1));
	for (i = 0; i < 40 && LOAD(c.last) != start + 200 * 32; i++)
		sleep_ms(50);
	STORE(c.stop, true);
	pthread_join(th, NULL);
	close(c.fd);
	EXPECT_EQ(0, c.err);
	EXPECT_EQ(start + 200 * 32, c.last) {
		TH_LOG("%u wakeups; the last read saw %llu", c.wakeups,
		       (unsigned long long)c.last);
	}
}

int main(int argc, char **argv)
{
	return sysfs_tests_main(argc, argv);
}
