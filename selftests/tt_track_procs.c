// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation tracking of the tenstorrent driver across processes, threads
 * and cards: records belong to the open file, so they follow it across
 * fork(), go away with its last close (also of a killed process, with a line
 * in the kernel log), add up exactly under concurrent use, and each card
 * keeps its own totals. No process reaches another's records.
 *
 * Expects the module loaded with at least one card, two for the test that
 * compares cards (`modprobe tenstorrent sim_cards=2`); skips otherwise. The
 * kernel log tests read /dev/kmsg and skip when they cannot.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_track_helpers.h"

#define KMSG		"/dev/kmsg"

/* /dev/kmsg positioned past what the kernel has logged so far, or -1 */
static int kmsg_open_at_end(void)
{
	int fd = open(KMSG, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Whether a record logged since kmsg_open_at_end() names process pid and
 * contains what (each record is one read: "prio,seq,time,flags;text").
 */
static bool kmsg_find(int fd, pid_t pid, const char *what)
{
	char rec[8192], tag[32];
	bool found = false;
	ssize_t n;

	snprintf(tag, sizeof(tag), "pid %d ", pid);
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: read on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		rec[strcspn(rec, "\n")] = '\0';	/* no dictionary lines */
		if (strstr(rec, tag) && strstr(rec, what)) {
			const char *text = strchr(rec, ';');

			fprintf(stderr, "# log: %s\n", text ? text + 1 : rec);
			found = true;
		}
	}
	return found;
}

/*
 * A child that opens card 0, records three buffers (1 MiB DRAM, 4 KiB L1,
 * 64 B L1_SMALL) and then exits with them live, or, when kill_it, is
 * killed by SIGKILL while it holds them. Returns its pid after it is gone;
 * *during gets the card's totals (through fd) while the child held them.
 */
static pid_t leaky_child(struct __test_metadata *_metadata, int fd,
			 bool kill_it, stats_t *during)
{
	int ready[2], done[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = open_card(0);

		close(done[1]);
		CHILD_CHECK(cfd >= 0);
		CHILD_CHECK(!track_alloc(cfd, 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM));
		CHILD_CHECK(!track_alloc(cfd, 0x10000, 4096, TT_BUFFER_TYPE_L1));
		CHILD_CHECK(!track_alloc(cfd, 0x20000, 64, TT_BUFFER_TYPE_L1_SMALL));
		signal_fd(ready[1]);
		/* hold the records until the parent has looked (EOF on done) */
		wait_fd(done[0]);
		if (kill_it)
			for (;;)
				pause();
		_exit(0);	/* closes cfd with the records live */
	}
	close(ready[1]);
	close(done[0]);
	ASSERT_TRUE(wait_fd(ready[0])) {
		TH_LOG("child %d died before it was ready", pid);
	}
	close(ready[0]);
	EXPECT_EQ(0, query(fd, during));
	close(done[1]);
	if (kill_it)
		kill(pid, SIGKILL);
	EXPECT_EQ(kill_it ? 128 + SIGKILL : 0, wait_child(pid));
	return pid;
}

FIXTURE(procs) {
	int fd;
};

FIXTURE_SETUP(procs)
{
	self->fd = open_card(0);
	if (self->fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
}

FIXTURE_TEARDOWN(procs)
{
	close(self->fd);
}

/* A process that exits holding records leaves the card's totals as before. */
TEST_F(procs, exit_with_live_records_frees_them)
{
	stats_t before, during, after;

	SNAPSHOT(self->fd, &before);
	leaky_child(_metadata, self->fd, false, &during);
	EXPECT_EQ(before.dram_allocated + MiB, during.dram_allocated);
	EXPECT_EQ(before.l1_buffers + 1, during.l1_buffers);
	EXPECT_EQ(before.open_files + 1, during.open_files);
	SNAPSHOT(self->fd, &after);
	expect_device_back(_metadata, &before, &after);
	EXPECT_EQ(before.open_files, after.open_files);
}

/* So does one killed by SIGKILL while it holds them. */
TEST_F(procs, sigkill_with_live_records_frees_them)
{
	stats_t before, during, after;

	SNAPSHOT(self->fd, &before);
	leaky_child(_metadata, self->fd, true, &during);
	EXPECT_EQ(before.dram_allocated + MiB, during.dram_allocated);
	EXPECT_EQ(before.l1_small_buffers + 1, during.l1_small_buffers);
	SNAPSHOT(self->fd, &after);
	expect_device_back(_metadata, &before, &after);
	EXPECT_EQ(before.open_files, after.open_files);
}

/*
 * The release of a file with live records logs a line naming the process
 * and the number of buffers. The line is rate limited (the kernel's default
 * is 10 in 5 s, and earlier tests leak on purpose): try up to 3 children,
 * 6 s apart.
 */
static void expect_leak_logged(struct __test_metadata *_metadata, int fd,
			       bool kill_it)
{
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		int kmsg = kmsg_open_at_end();
		stats_t during;
		pid_t pid;
		bool found;

		if (kmsg < 0)
			SKIP(return, "cannot read " KMSG ": %s", strerror(errno));
		pid = leaky_child(_metadata, fd, kill_it, &during);
		found = kmsg_find(kmsg, pid, "3 tracked buffers");
		close(kmsg);
		if (found)
			return;
		TH_LOG("no leak line for pid %d yet (rate limit?)", pid);
		sleep(6);
	}
	EXPECT_TRUE(false) {
		TH_LOG("no 'pid <pid> ... 3 tracked buffers' line in the log");
	}
}

TEST_F_TIMEOUT(procs, exit_with_live_records_logs_leak, 60)
{
	expect_leak_logged(_metadata, self->fd, false);
}

TEST_F_TIMEOUT(procs, sigkill_with_live_records_logs_leak, 60)
{
	expect_leak_logged(_metadata, self->fd, true);
}

/*
 * After fork() both processes share the open file: the child sees the
 * parent's records in out.file, frees one and adds one, and what it leaves
 * stays after it exits.
 */
TEST_F(procs, fork_child_shares_records)
{
	struct tenstorrent_track_free_out out;
	stats_t before, after;
	pid_t pid;

	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM));
	ASSERT_EQ(0, track_alloc(self->fd, 0x10000, 4096, TT_BUFFER_TYPE_L1));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tenstorrent_track_free_out cout;
		stats_t s;

		CHILD_CHECK(!query(self->fd, &s));
		CHILD_CHECK(s.file.dram_allocated == MiB);
		CHILD_CHECK(s.file.dram_buffers == 1);
		CHILD_CHECK(s.file.l1_allocated == 4096);
		CHILD_CHECK(!track_free_out(self->fd, 0x800000000ULL, &cout));
		CHILD_CHECK(cout.size == MiB);
		CHILD_CHECK(!track_alloc(self->fd, 0x40000, 512, TT_BUFFER_TYPE_TRACE));
		/* the same (type, id) again is the same file's: taken */
		CHILD_CHECK(track_alloc(self->fd, 0x10000, 1, TT_BUFFER_TYPE_L1) == -EEXIST);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));

	SNAPSHOT(self->fd, &after);
	EXPECT_EQ(0ULL, after.file.dram_allocated);
	EXPECT_EQ(4096ULL, after.file.l1_allocated);
	EXPECT_EQ(512ULL, after.file.trace_allocated);
	EXPECT_EQ(before.dram_allocated, after.dram_allocated);
	EXPECT_EQ(before.trace_allocated + 512, after.trace_allocated);
	EXPECT_EQ(before.open_files, after.open_files);
	EXPECT_EQ(-ENOENT, track_free(self->fd, 0x800000000ULL));
	ASSERT_EQ(0, track_free_out(self->fd, 0x40000, &out));
	EXPECT_EQ(512ULL, out.size);
}

/*
 * The records stay while either process holds the file: the parent closes
 * its descriptor, the child still sees and frees them; the card's totals
 * drop only then.
 */
TEST_F(procs, fork_records_live_while_either_holds)
{
	stats_t before, s;
	int go[2], done[2], watch;
	pid_t pid;

	watch = open_card(0);		/* another file, to watch the card */
	ASSERT_LE(0, watch);
	SNAPSHOT(watch, &before);
	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM));
	ASSERT_EQ(0, track_alloc(self->fd, 0x10000, 4096, TT_BUFFER_TYPE_L1));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		stats_t cs;

		close(go[1]);
		close(done[0]);
		CHILD_CHECK(wait_fd(go[0]));
		/* the parent has closed its descriptor */
		CHILD_CHECK(!query(self->fd, &cs));
		CHILD_CHECK(cs.file.dram_allocated == MiB);
		CHILD_CHECK(cs.file.l1_buffers == 1);
		CHILD_CHECK(!track_free(self->fd, 0x800000000ULL));
		signal_fd(done[1]);
		CHILD_CHECK(wait_fd(go[0]));
		_exit(0);		/* the last close: frees the L1 record */
	}
	close(go[0]);
	close(done[1]);

	ASSERT_EQ(0, close(self->fd));
	self->fd = open_card(0);	/* for the teardown */
	SNAPSHOT(watch, &s);
	EXPECT_EQ(before.dram_allocated + MiB, s.dram_allocated);
	EXPECT_EQ(before.l1_allocated + 4096, s.l1_allocated);
	/* the shared file is still open (the child's), plus the new one */
	EXPECT_EQ(before.open_files + 1, s.open_files);

	signal_fd(go[1]);
	ASSERT_TRUE(wait_fd(done[0]));
	SNAPSHOT(watch, &s);
	EXPECT_EQ(before.dram_allocated, s.dram_allocated);
	EXPECT_EQ(before.l1_allocated + 4096, s.l1_allocated);

	signal_fd(go[1]);
	ASSERT_EQ(0, wait_child(pid));
	SNAPSHOT(watch, &s);
	expect_device_back(_metadata, &before, &s);
	EXPECT_EQ(before.open_files, s.open_files);	/* shared gone, new in */
	close(watch);
}

/* ---- concurrency ---- */

#define WORKERS		4
#define ROUNDS		10000
#define WINDOW		16	/* records each worker holds between rounds */
#define WORK_SIZE	4096ULL

/*
 * Worker w: ROUNDS records of its own type (w), ids w << 40 | i, holding
 * the last WINDOW live; after the first WINDOW it waits at the barrier (if
 * any) so the main thread can count everyone's records at once. Returns 0
 * or the first errno with the round in *bad_round.
 */
struct worker {
	int fd;
	unsigned int w;
	pthread_barrier_t *barrier;	/* NULL: none */
	int err;
	unsigned int bad_round;
};

static void *worker_run(void *arg)
{
	struct worker *wk = arg;
	__u64 base = (__u64)(wk->w + 1) << 40;
	bool waited = false;
	unsigned int i;
	int ret;

	for (i = 0; i < ROUNDS; i++) {
		ret = track_alloc(wk->fd, base | i, WORK_SIZE, wk->w);
		if (!ret && i >= WINDOW)
			ret = track_free(wk->fd, base | (i - WINDOW));
		if (ret) {
			wk->err = ret;
			wk->bad_round = i;
			break;
		}
		if (i == WINDOW - 1 && wk->barrier) {
			pthread_barrier_wait(wk->barrier);
			pthread_barrier_wait(wk->barrier);
			waited = true;
		}
	}
	if (wk->barrier && !waited) {	/* failed early: do not hang main */
		pthread_barrier_wait(wk->barrier);
		pthread_barrier_wait(wk->barrier);
	}
	for (i = ROUNDS - WINDOW; !wk->err && i < ROUNDS; i++) {
		ret = track_free(wk->fd, base | i);
		if (ret) {
			wk->err = ret;
			wk->bad_round = i;
		}
	}
	return NULL;
}

/* Four threads on one file: every record accounted, nothing left over. */
TEST_F_TIMEOUT(procs, threads_share_one_file, 60)
{
	struct worker wk[WORKERS];
	pthread_t th[WORKERS];
	pthread_barrier_t barrier;
	stats_t before, mid, after;
	unsigned int w;

	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, pthread_barrier_init(&barrier, NULL, WORKERS + 1));
	for (w = 0; w < WORKERS; w++) {
		wk[w] = (struct worker){ .fd = self->fd, .w = w,
					 .barrier = &barrier };
		ASSERT_EQ(0, pthread_create(&th[w], NULL, worker_run, &wk[w]));
	}
	/* all hold their first WINDOW records */
	pthread_barrier_wait(&barrier);
	EXPECT_EQ(0, query(self->fd, &mid));
	pthread_barrier_wait(&barrier);
	for (w = 0; w < WORKERS; w++)
		pthread_join(th[w], NULL);

	for (w = 0; w < WORKERS; w++) {
		EXPECT_EQ(0, wk[w].err) {
			TH_LOG("worker %u: %s at round %u", w,
			       strerror(-wk[w].err), wk[w].bad_round);
		}
		EXPECT_EQ((__u64)WINDOW, mid.file.buffers[w]);
		EXPECT_EQ(WINDOW * WORK_SIZE, mid.file.allocated[w]);
		EXPECT_EQ(before.buffers[w] + WINDOW, mid.buffers[w]);
	}

	SNAPSHOT(self->fd, &after);
	expect_file_empty(_metadata, &after);
	expect_device_back(_metadata, &before, &after);
	for (w = 0; w < WORKERS; w++) {
		/*
		 * One worker per type: the file's peak is exactly its window
		 * plus the record allocated before the oldest is freed.
		 */
		EXPECT_EQ((WINDOW + 1) * WORK_SIZE, after.file.peak[w]) {
			TH_LOG("file peak[%u]", w);
		}
		EXPECT_LE(before.allocated[w] + WINDOW * WORK_SIZE, after.peak[w]) {
			TH_LOG("device peak[%u]", w);
		}
	}
	pthread_barrier_destroy(&barrier);
}

/*
 * Four processes, each with its own open of card 0, doing the same: the
 * card's totals add up while they all hold records and come back after.
 */
TEST_F_TIMEOUT(procs, processes_own_files, 60)
{
	int ready[2], go[2];
	pid_t pid[WORKERS];
	stats_t before, mid, after;
	unsigned int w;

	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	for (w = 0; w < WORKERS; w++) {
		pid[w] = fork();
		ASSERT_LE(0, pid[w]);
		if (pid[w] == 0) {
			__u64 base = (__u64)(w + 1) << 40;
			stats_t s;
			unsigned int i;
			int fd = open_card(0);

			close(ready[0]);
			close(go[1]);
			CHILD_CHECK(fd >= 0);
			for (i = 0; i < ROUNDS; i++) {
				CHILD_CHECK(!track_alloc(fd, base | i, WORK_SIZE, w));
				if (i >= WINDOW)
					CHILD_CHECK(!track_free(fd, base | (i - WINDOW)));
				if (i == WINDOW - 1) {
					signal_fd(ready[1]);
					CHILD_CHECK(wait_fd(go[0]));
				}
			}
			CHILD_CHECK(!query(fd, &s));
			CHILD_CHECK(s.file.buffers[w] == WINDOW);
			CHILD_CHECK(s.file.peak[w] == (WINDOW + 1) * WORK_SIZE);
			for (i = ROUNDS - WINDOW; i < ROUNDS; i++)
				CHILD_CHECK(!track_free(fd, base | i));
			CHILD_CHECK(!query(fd, &s));
			CHILD_CHECK(s.file.allocated[w] == 0);
			CHILD_CHECK(s.file.buffers[w] == 0);
			_exit(0);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (w = 0; w < WORKERS; w++) {
		ASSERT_TRUE(wait_fd(ready[0])) {
			TH_LOG("a worker process died before it was ready");
		}
	}

	/* everyone holds WINDOW records of its type in its own file */
	EXPECT_EQ(0, query(self->fd, &mid));
	for (w = 0; w < WORKERS; w++) {
		EXPECT_EQ(before.buffers[w] + WINDOW, mid.buffers[w]);
		EXPECT_EQ(before.allocated[w] + WINDOW * WORK_SIZE,
			  mid.allocated[w]);
		EXPECT_EQ(0ULL, mid.file.buffers[w]);
	}
	EXPECT_EQ(before.open_files + WORKERS, mid.open_files);

	for (w = 0; w < WORKERS; w++)
		signal_fd(go[1]);
	for (w = 0; w < WORKERS; w++) {
		EXPECT_EQ(0, wait_child(pid[w])) {
			TH_LOG("worker process %u", w);
		}
	}

	SNAPSHOT(self->fd, &after);
	expect_device_back(_metadata, &before, &after);
	EXPECT_EQ(before.open_files, after.open_files);
	for (w = 0; w < WORKERS; w++) {
		EXPECT_LE(before.allocated[w] + WINDOW * WORK_SIZE, after.peak[w]) {
			TH_LOG("device peak[%u]", w);
		}
	}
}

/* ---- cards ---- */

/* Records on card 1 change card 1's totals only. */
TEST_F(procs, cards_are_independent)
{
	stats_t c0_before, c0_after, c0_end, c1_before, c1_during, c1_after;
	int fd1 = open_card(1);

	if (fd1 < 0)
		SKIP(return, "needs a second card (sim_cards=2)");
	SNAPSHOT(self->fd, &c0_before);
	SNAPSHOT(fd1, &c1_before);
	/* the same id on both cards is no conflict */
	ASSERT_EQ(0, track_alloc(fd1, 0x800000000ULL, 3 * MiB, TT_BUFFER_TYPE_DRAM));
	ASSERT_EQ(0, track_alloc(fd1, 0x10000, 4096, TT_BUFFER_TYPE_L1));
	SNAPSHOT(self->fd, &c0_after);
	SNAPSHOT(fd1, &c1_during);
	expect_unchanged(_metadata, &c0_before, &c0_after);
	EXPECT_EQ(c1_before.dram_allocated + 3 * MiB, c1_during.dram_allocated);
	EXPECT_EQ(c1_before.l1_buffers + 1, c1_during.l1_buffers);

	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM));
	SNAPSHOT(fd1, &c1_after);
	expect_unchanged(_metadata, &c1_during, &c1_after);
	SNAPSHOT(self->fd, &c0_after);
	EXPECT_EQ(c0_before.dram_allocated + MiB, c0_after.dram_allocated);

	/* closing card 1's file leaves card 0 alone */
	close(fd1);
	SNAPSHOT(self->fd, &c0_end);
	EXPECT_EQ(c0_after.dram_allocated, c0_end.dram_allocated);
	EXPECT_EQ(c0_after.open_files, c0_end.open_files);
	EXPECT_EQ(0, track_free(self->fd, 0x800000000ULL));
	fd1 = open_card(1);
	ASSERT_LE(0, fd1);
	SNAPSHOT(fd1, &c1_after);
	expect_device_back(_metadata, &c1_before, &c1_after);
	close(fd1);
}

/* ---- isolation ---- */

/*
 * Another process, with a file of its own on the same card, can neither
 * free nor see this file's records: the same id is simply another record
 * in its own file. Only the card's totals add both up.
 */
TEST_F(procs, other_process_cannot_free_or_see_records)
{
	struct tenstorrent_track_free_out fout;
	stats_t before, mid;
	pid_t pid;

	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, 2 * MiB, TT_BUFFER_TYPE_DRAM));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open_card(0);
		stats_t s;

		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(track_free(fd, 0x800000000ULL) == -ENOENT);
		CHILD_CHECK(!query(fd, &s));
		CHILD_CHECK(s.file.dram_buffers == 0 && s.file.dram_allocated == 0);
		CHILD_CHECK(s.dram_allocated == before.dram_allocated + 2 * MiB);
		/* the same id in its own file, with another size */
		CHILD_CHECK(!track_alloc(fd, 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM));
		CHILD_CHECK(!query(fd, &s));
		CHILD_CHECK(s.file.dram_allocated == MiB);
		_exit(0);	/* its record goes with its file */
	}
	EXPECT_EQ(0, wait_child(pid));

	/* this file's record is intact, with its own size */
	SNAPSHOT(self->fd, &mid);
	EXPECT_EQ(2 * MiB, mid.file.dram_allocated);
	EXPECT_EQ(before.dram_allocated + 2 * MiB, mid.dram_allocated);
	ASSERT_EQ(0, track_free_out(self->fd, 0x800000000ULL, &fout));
	EXPECT_EQ(2 * MiB, fout.size);
}

/*
 * Opening /proc/<pid>/fd/N of a card file opens the card again: a new,
 * empty file, not a way into the records of the one it names.
 */
TEST_F(procs, reopen_through_proc_is_a_new_file)
{
	stats_t before, s;
	char path[64];
	int fd;

	SNAPSHOT(self->fd, &before);
	ASSERT_EQ(0, track_alloc(self->fd, 0x10000, 4096, TT_BUFFER_TYPE_L1));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	SNAPSHOT(fd, &s);
	EXPECT_EQ(0ULL, s.file.l1_buffers);
	EXPECT_EQ(before.open_files + 1, s.open_files);
	EXPECT_EQ(-ENOENT, track_free(fd, 0x10000));
	close(fd);
	EXPECT_EQ(0, track_free(self->fd, 0x10000));
}

int main(int argc, char **argv)
{
	return tracking_tests_main(argc, argv);
}
