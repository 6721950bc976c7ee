// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tenstorrent driver's debugfs tables of a card
 * (/sys/kernel/debug/tenstorrent/N/): processes, one line per open file
 * with its totals, its opener's uid, its comm escaped and its pid as the
 * reader's pid namespace sees it, and its opener's cgroup as the reader's
 * cgroup namespace sees it; buffers, every record listed exactly
 * once with its type, size and age, also while records and files change
 * during the dump, and a dump of a million records that never stalls
 * another process's TRACK_ALLOC. No other user may open either.
 * Documentation/ABI/testing/debugfs-tenstorrent is the specification.
 *
 * Expects the module loaded with at least one card (`modprobe tenstorrent
 * sim_cards=2`), debugfs mounted, and nothing else using card 0 while it
 * runs. Needs root: every test skips without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tt_sysfs_helpers.h"

/* A dump larger than this is taken for a walk that does not end. */
#define DUMP_CAP	(8 << 20)

/*
 * age_ms counts from the TRACK_ALLOC to the read on the kernel's coarse
 * monotonic clock, which user space reads as CLOCK_MONOTONIC_COARSE. On
 * that clock a record's age lies between the time from the alloc's return
 * to the read's start and the time from before the alloc to after the
 * read, give or take the 2^20 ns units records are stamped in and a
 * millisecond of rounding. (Against the precise clock the bound would be
 * the coarse clock's lag, a tick on an idle machine but tens of ms in a
 * VM on a loaded host.)
 */
#define AGE_SLACK_MS	3

/* The clock records are stamped with */
static long long coarse_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC_COARSE);
}

/*
 * Read a whole file with read() calls of sizes[0], sizes[1], ... in turn,
 * into a malloc'ed NUL-terminated buffer: 0 or -errno; -EFBIG past cap.
 */
static int read_chunked(const char *path, const size_t *sizes, size_t nsizes,
			size_t cap, char **out)
{
	size_t len = 0, alloc = 65536, i = 0;
	char *buf = malloc(alloc);
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	*out = NULL;
	if (fd < 0 || !buf) {
		ret = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		size_t want = sizes[i++ % nsizes];
		ssize_t n;

		if (len + want + 1 > alloc) {
			char *nbuf;

			if (alloc >= cap) {
				ret = -EFBIG;
				break;
			}
			alloc *= 2;
			nbuf = realloc(buf, alloc);
			if (!nbuf) {
				ret = -ENOMEM;
				break;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, want);
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
out:
	if (fd >= 0)
		close(fd);
	if (ret)
		free(buf);
	else
		*out = buf;
	return ret;
}

static int read_whole(const char *path, char **out)
{
	static const size_t big = 65536;

	return read_chunked(path, &big, 1, DUMP_CAP, out);
}

static void debugfs_path(char *buf, size_t len, int card, const char *file)
{
	snprintf(buf, len, DEBUGFS_DIR "/%d/%s", card, file);
}

/*
 * Parse debugfs processes of card into lines[] (at most max): the number of
 * lines, or -1 when the file cannot be read or a line does not parse.
 */
static int read_processes(int card, struct proc_line *lines, int max)
{
	char path[PATH_MAX], *text, *pos, *line;
	bool bad = false;
	int n = 0;

	debugfs_path(path, sizeof(path), card, "processes");
	if (read_whole(path, &text)) {
		fprintf(stderr, "# %s: %s\n", path, strerror(errno));
		return -1;
	}
	pos = text;
	line = next_line(&pos, &bad);
	if (!line || strcmp(line, TT_DEBUGFS_PROCESSES_HEADER)) {
		fprintf(stderr, "# processes header: \"%s\"\n", line ? line : "");
		n = -1;
	}
	while (n >= 0 && (line = next_line(&pos, &bad))) {
		if (bad || n >= max || !parse_process_line(line, &lines[n])) {
			fprintf(stderr, "# bad processes line: \"%s\"\n", line);
			n = -1;
			break;
		}
		n++;
	}
	free(text);
	return n;
}

/* ---- a million records ---- */

/* Record n L1-style buffers (32 bytes apart) on fd with batches. */
static int batch_alloc_many(int fd, __u64 first, long n)
{
	static struct tenstorrent_track_op ops[TENSTORRENT_TRACK_BATCH_MAX];
	long done = 0;

	while (done < n) {
		struct tenstorrent_track_batch b = { 0 };
		long i, k = n - done;

		if (k > TENSTORRENT_TRACK_BATCH_MAX)
			k = TENSTORRENT_TRACK_BATCH_MAX;
		for (i = 0; i < k; i++) {
			memset(&ops[i], 0, sizeof(ops[i]));
			ops[i].buffer_id = first + 32ULL * (done + i);
			ops[i].size = 32;
			ops[i].buffer_type = TT_BUFFER_TYPE_L1;
		}
		b.in.ops = (uintptr_t)ops;
		b.in.count = k;
		if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b))
			return -errno;
		done += k;
	}
	return 0;
}

/*
 * A dump of a million records (times TT_TEST_SCALE) completes, all of
 * them listed, while another process keeps recording and freeing on the
 * same card the whole time (it is never stalled for the length of the
 * dump).
 */
TEST(dump_of_a_million_records_while_allocating)
{
	static char buf[65536];
	long long t0, dump_ms, lines = 0, records = scaled(1000000);
	int fd, stop[2], count[2];
	char path[128];
	long ops = 0;
	ssize_t n, i;
	pid_t pid;

	debugfs_path(path, sizeof(path), 0, "buffers");
	if (access(path, R_OK))
		SKIP(return, "needs root and debugfs");
	fd = open_card(0);
	ASSERT_LE(0, fd);
	user_records_at_least(records + 100000);
	ASSERT_EQ(0, batch_alloc_many(fd, 0x40000000ULL, records));

	ASSERT_EQ(0, pipe(stop));
	ASSERT_EQ(0, pipe(count));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int cfd = open_card(0);
		long k;

		close(stop[1]);
		CHILD_CHECK(cfd >= 0);
		CHILD_CHECK(!fcntl(stop[0], F_SETFL, O_NONBLOCK));
		for (k = 0; read(stop[0], buf, 1) < 0; k++) {
			CHILD_CHECK(!track_alloc(cfd, 0x800000000ULL, MiB,
						 TT_BUFFER_TYPE_DRAM));
			CHILD_CHECK(!track_free(cfd, 0x800000000ULL));
		}
		CHILD_CHECK(write(count[1], &k, sizeof(k)) == sizeof(k));
		_exit(0);
	}
	close(stop[0]);
	close(count[1]);

	t0 = now_ms();
	{
		int dfd = open(path, O_RDONLY | O_CLOEXEC);

		ASSERT_LE(0, dfd);
		while ((n = read(dfd, buf, sizeof(buf))) > 0)
			for (i = 0; i < n; i++)
				lines += buf[i] == '\n';
		close(dfd);
	}
	dump_ms = now_ms() - t0;

	close(stop[1]);
	EXPECT_EQ(sizeof(ops), read(count[0], &ops, sizeof(ops)));
	EXPECT_EQ(0, wait_child(pid));
	close(count[0]);
	close(fd);

	/* the header, our million, and the other file's 0 or 1 */
	EXPECT_LE(records + 1, lines);
	EXPECT_GE(records + 2, lines);
	EXPECT_LT(0, ops);
	TH_LOG("%lld lines in %lld ms; the other process did %ld alloc+free meanwhile",
	       lines, dump_ms, ops);
}

/* ---- the tables of card 0 ---- */

FIXTURE(dbg) {
	int fd;
};

FIXTURE_SETUP(dbg)
{
	char path[PATH_MAX];

	self->fd = -1;
	if (geteuid())
		SETUP_SKIP("debugfs needs root");
	debugfs_path(path, sizeof(path), 0, "processes");
	if (!exists(path))
		SETUP_SKIP("no debugfs directory of card 0 (no card, or debugfs not mounted)");
	self->fd = open_card(0);
	if (self->fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dbg)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* ---- processes ---- */

/* The processes line of the only file this process has open: 0 or -1 */
static int own_process_line(struct __test_metadata *_metadata,
			    struct proc_line *own)
{
	static struct proc_line lines[256];
	int n, i, found = 0;

	n = read_processes(0, lines, ARRAY_SIZE(lines));
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (lines[i].pid != getpid())
			continue;
		*own = lines[i];
		found++;
	}
	EXPECT_EQ(1, found) {
		TH_LOG("%d lines with pid %d", found, getpid());
	}
	return found == 1 ? 0 : -1;
}

/*
 * processes has a line for this process's open file with its bytes per
 * type, its peaks, its record count and its comm.
 */
TEST_F(dbg, processes_line_of_own_file)
{
	__u64 sum[NTYPES] = { 0 }, count[NTYPES] = { 0 }, nrec = 0;
	struct proc_line own;
	int t;

	alloc_known(_metadata, self->fd, sum, count);
	ASSERT_EQ(0, track_free(self->fd, known[0].id));
	ASSERT_EQ(0, own_process_line(_metadata, &own));
	for (t = 0; t < NTYPES; t++) {
		__u64 now = sum[t] - ((__u32)t == known[0].type ? known[0].size : 0);

		EXPECT_EQ(now, own.allocated[t]) {
			TH_LOG("%s", tt_type_names[t]);
		}
		EXPECT_EQ(sum[t], own.peak[t]) {
			TH_LOG("%s_peak", tt_type_names[t]);
		}
		nrec += count[t];
	}
	EXPECT_EQ(nrec - 1, own.buffers);
	EXPECT_STREQ("tt_debugfs", own.comm);
}

/*
 * In a child named name: open card 0, record a buffer, and find its line
 * of processes, whose comm field must be field exactly and parse back to
 * name.
 */
static int comm_child(const char *name, const char *field)
{
	static struct proc_line lines[256];
	char path[PATH_MAX], want[64], *text, *pos, *line;
	bool bad = false;
	int fd, n, i, found = 0;

	CHILD_CHECK(!prctl(PR_SET_NAME, name));
	fd = open_card(0);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(!track_alloc(fd, 0x800000000ULL, MiB, TT_BUFFER_TYPE_DRAM));
	debugfs_path(path, sizeof(path), 0, "processes");
	CHILD_CHECK(!read_whole(path, &text));
	snprintf(want, sizeof(want), "%d 0 %s 1 ", getpid(), field);
	for (pos = text; (line = next_line(&pos, &bad));) {
		if (!strncmp(line, want, strlen(want)))
			found++;
		else if (strncmp(line, "pid ", 4))
			fprintf(stderr, "# line: %s\n", line);
	}
	free(text);
	if (found != 1)
		fprintf(stderr, "# %d lines start \"%s\"\n", found, want);
	CHILD_CHECK(found == 1 && !bad);
	n = read_processes(0, lines, ARRAY_SIZE(lines));
	CHILD_CHECK(n >= 1);
	for (i = 0, found = 0; i < n; i++)
		if (lines[i].pid == getpid())
			found += !strcmp(lines[i].comm, name);
	CHILD_CHECK(found == 1);
	close(fd);
	return 0;
}

/*
 * comm is one field whatever name a process gave itself: spaces, a
 * newline that would forge a line, a backslash and a byte that is not
 * UTF-8 come in octal, and an empty name as \000.
 */
TEST_F(dbg, processes_comm_escaped)
{
	static const struct {
		const char *name, *field;
	} cases[] = {
		{ "a b\n1 0 x\\\xff", "a\\040b\\0121\\0400\\040x\\134\\377" },
		{ "\t\x1b[2J\x7f\"", "\\011\\033[2J\\177\"" },
		{ "", "\\000" },
	};
	size_t i;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(comm_child(cases[i].name, cases[i].field));
		EXPECT_EQ(0, wait_child(pid)) {
			TH_LOG("name %zu, field %s", i, cases[i].field);
		}
	}
}

/* The uid column is the opener's: 0 for root. */
TEST_F(dbg, processes_uid_of_root)
{
	struct proc_line own;

	ASSERT_EQ(0, own_process_line(_metadata, &own));
	EXPECT_EQ(0ULL, own.uid);
}

#define OUTSIDE_SIZE	0x7777ULL	/* the outer file's one trace buffer */

/*
 * In a new pid namespace, as its pid 1: open card 0, record buffers, then
 * find in processes our own line with pid 1 and the file the test process
 * opened outside the namespace with pid 0.
 */
static int pidns_child(void)
{
	static struct proc_line lines[256];
	int fd, n, i, own = 0, outside = 0;

	CHILD_CHECK(getpid() == 1);
	fd = open_card(0);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(!track_alloc(fd, 0x800000000ULL, 3 * MiB, TT_BUFFER_TYPE_DRAM));
	CHILD_CHECK(!track_alloc(fd, 0x10000, 4096, TT_BUFFER_TYPE_L1));
	n = read_processes(0, lines, ARRAY_SIZE(lines));
	CHILD_CHECK(n >= 2);
	for (i = 0; i < n; i++) {
		const struct proc_line *l = &lines[i];

		if (l->buffers == 2 && l->allocated[TT_BUFFER_TYPE_DRAM] == 3 * MiB &&
		    l->allocated[TT_BUFFER_TYPE_L1] == 4096) {
			fprintf(stderr, "# inside: own line has pid %lld\n", l->pid);
			CHILD_CHECK(l->pid == 1);
			own++;
		}
		if (l->buffers == 1 &&
		    l->allocated[TT_BUFFER_TYPE_TRACE] == OUTSIDE_SIZE) {
			fprintf(stderr, "# inside: outer file has pid %lld\n", l->pid);
			CHILD_CHECK(l->pid == 0);
			outside++;
		}
		/* nobody outside the namespace is visible in it */
		CHILD_CHECK(l->pid == 0 || l->pid == 1);
	}
	CHILD_CHECK(own == 1);
	CHILD_CHECK(outside == 1);
	close(fd);
	return 0;
}

/*
 * pids are those of the reader's pid namespace: a reader in a new one
 * sees itself as 1 and a process outside it as 0.
 */
TEST_F(dbg, processes_pid_in_readers_namespace)
{
	pid_t pid;
	int rc;

	ASSERT_EQ(0, track_alloc(self->fd, 0x40000, OUTSIDE_SIZE,
				 TT_BUFFER_TYPE_TRACE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t inner;

		if (unshare(CLONE_NEWPID))
			_exit(errno == EPERM || errno == EINVAL ? 200 : 1);
		inner = fork();
		if (inner < 0)
			_exit(1);
		if (inner == 0)
			_exit(pidns_child());
		_exit(wait_child(inner));
	}
	rc = wait_child(pid);
	if (rc == 200)
		SKIP(return, "cannot create a pid namespace");
	EXPECT_EQ(0, rc);
}

/* ---- cgroup ---- */

#define CG_ROOT		"/sys/fs/cgroup"
/*
 * A name a user may give a cgroup in a subtree delegated to them: a space,
 * a backslash, a tab and a byte that is not UTF-8, and the field the
 * driver must print for it.
 */
#define CG_NAME		"tt dbg\\\t\xff"
#define CG_FIELD	"/tt\\040dbg\\134\\011\\377"
#define CG_SIZE		0x6543ULL	/* the child's one L1 buffer */

/*
 * The cgroup v2 path of process pid as the caller's cgroup namespace sees
 * it, from the "0::" line of /proc/PID/cgroup: 0 or -1.
 */
static int proc_cgroup(pid_t pid, char *buf, size_t len)
{
	char path[64], text[PATH_MAX + 64], *line;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	if (read_text(path, text, sizeof(text)))
		return -1;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, "0::", 3) && strlen(line + 3) < len) {
			strcpy(buf, line + 3);
			return 0;
		}
	return -1;
}

/* Move the caller into cgroup dir (a path under CG_ROOT): 0 or -errno. */
static int cgroup_enter(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	return write_text(path, "0");
}

/*
 * The line of processes whose file holds one L1 buffer of CG_SIZE bytes
 * (the child's), and the line of the caller's pid if other than that: 0,
 * or -1 unless exactly one of each.
 */
static int cgroup_lines(pid_t other, struct proc_line *child,
			struct proc_line *own)
{
	static struct proc_line lines[64];
	int n, i, nchild = 0, nown = 0;

	n = read_processes(0, lines, ARRAY_SIZE(lines));
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (lines[i].buffers == 1 &&
		    lines[i].allocated[TT_BUFFER_TYPE_L1] == CG_SIZE) {
			*child = lines[i];
			nchild++;
		} else if (lines[i].pid == other) {
			*own = lines[i];
			nown++;
		}
	}
	if (nchild != 1 || nown != 1)
		fprintf(stderr, "# %d lines of the child's file, %d of pid %d\n",
			nchild, nown, other);
	return nchild == 1 && nown == 1 ? 0 : -1;
}

/*
 * In cgroup CG_NAME: open card 0 and record a buffer, then move back to
 * the root cgroup and find the file's line still naming CG_NAME, as its
 * raw field too, and the test process's file naming the test's cgroup.
 */
static int cgroup_child(pid_t parent)
{
	struct proc_line mine, theirs;
	char want[PATH_MAX], path[PATH_MAX], *text, *pos, *line;
	bool bad = false;
	int fd, found = 0;

	CHILD_CHECK(!cgroup_enter(CG_ROOT "/" CG_NAME));
	fd = open_card(0);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(!track_alloc(fd, 0x30000, CG_SIZE, TT_BUFFER_TYPE_L1));
	/* a file's cgroup is its opener's at open, wherever it goes after */
	CHILD_CHECK(!cgroup_enter(CG_ROOT));
	CHILD_CHECK(!cgroup_lines(parent, &mine, &theirs));
	CHILD_CHECK(!strcmp(mine.cgroup, "/" CG_NAME));
	CHILD_CHECK(!proc_cgroup(parent, want, sizeof(want)));
	fprintf(stderr, "# the test process's cgroup: %s\n", want);
	CHILD_CHECK(!strcmp(theirs.cgroup, want));

	debugfs_path(path, sizeof(path), 0, "processes");
	CHILD_CHECK(!read_whole(path, &text));
	for (pos = text; (line = next_line(&pos, &bad));) {
		size_t n = strlen(line), f = strlen(" " CG_FIELD);

		found += n > f && !strcmp(line + n - f, " " CG_FIELD);
	}
	free(text);
	CHILD_CHECK(found == 1 && !bad);
	close(fd);
	return 0;
}

/*
 * The cgroup column is the opener's cgroup v2 path at open, escaped into
 * one field whatever the name, and the same path /proc/PID/cgroup gives.
 */
TEST_F(dbg, processes_cgroup_of_opener)
{
	pid_t pid;

	if (access(CG_ROOT "/cgroup.procs", W_OK))
		SKIP(return, "no writable cgroup2 at " CG_ROOT);
	rmdir(CG_ROOT "/" CG_NAME);
	ASSERT_EQ(0, mkdir(CG_ROOT "/" CG_NAME, 0755));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(cgroup_child(getppid()));
	EXPECT_EQ(0, wait_child(pid));
	/* a cgroup a released file named goes like any other */
	EXPECT_EQ(0, rmdir(CG_ROOT "/" CG_NAME));
}

/*
 * In a cgroup namespace rooted at CG_NAME: the child's own file is "/",
 * and the test process's file is named as /proc/PID/cgroup names the test
 * process from inside the namespace.
 */
static int cgroupns_child(pid_t parent)
{
	struct proc_line mine, theirs;
	char want[PATH_MAX];
	int fd;

	CHILD_CHECK(!cgroup_enter(CG_ROOT "/" CG_NAME));
	if (unshare(CLONE_NEWCGROUP))
		_exit(errno == EPERM || errno == EINVAL ? 200 : 1);
	fd = open_card(0);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(!track_alloc(fd, 0x30000, CG_SIZE, TT_BUFFER_TYPE_L1));
	CHILD_CHECK(!cgroup_lines(parent, &mine, &theirs));
	CHILD_CHECK(!strcmp(mine.cgroup, "/"));
	CHILD_CHECK(!proc_cgroup(parent, want, sizeof(want)));
	fprintf(stderr, "# inside: the test process's cgroup: %s\n", want);
	CHILD_CHECK(!strncmp(want, "/..", 3));
	CHILD_CHECK(!strcmp(theirs.cgroup, want));
	/* it cannot leave the namespace's root: CG_NAME empties at its exit */
	close(fd);
	return 0;
}

/* cgroup paths are those of the reader's cgroup namespace. */
TEST_F(dbg, processes_cgroup_in_readers_namespace)
{
	pid_t pid;
	int rc;

	if (access(CG_ROOT "/cgroup.procs", W_OK))
		SKIP(return, "no writable cgroup2 at " CG_ROOT);
	rmdir(CG_ROOT "/" CG_NAME);
	ASSERT_EQ(0, mkdir(CG_ROOT "/" CG_NAME, 0755));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(cgroupns_child(getppid()));
	rc = wait_child(pid);
	EXPECT_EQ(0, rmdir(CG_ROOT "/" CG_NAME));
	if (rc == 200)
		SKIP(return, "cannot create a cgroup namespace");
	EXPECT_EQ(0, rc);
}

/* ---- buffers ---- */

/*
 * Parse a dump of buffers: header, then lines of five well-formed fields.
 * Calls fn for each line; false when something does not parse.
 */
static bool walk_buffers(struct __test_metadata *_metadata, char *text,
			 void (*fn)(const struct buf_line *, void *), void *arg,
			 unsigned int *nlines)
{
	char *pos = text, *line;
	bool bad = false;

	*nlines = 0;
	line = next_line(&pos, &bad);
	if (!line || strcmp(line, TT_DEBUGFS_BUFFERS_HEADER)) {
		TH_LOG("buffers header: \"%s\"", line ? line : "");
		EXPECT_TRUE(false);
		return false;
	}
	while ((line = next_line(&pos, &bad))) {
		struct buf_line b;

		if (bad || !parse_buffer_line(line, &b)) {
			TH_LOG("bad buffers line %u: \"%s\"%s", *nlines + 1,
			       line, bad ? " (no newline)" : "");
			EXPECT_TRUE(false);
			return false;
		}
		fn(&b, arg);
		(*nlines)++;
	}
	return true;
}

/* Records of a test, each found how many times in one dump */
struct expect_set {
	pid_t pid;
	size_t n;
	const __u64 *ids, *sizes;
	const __u32 *types;
	unsigned int *seen;
	unsigned int wrong;	/* found with another type or size */
	unsigned int strangers;	/* lines of pid that are none of them */
	__u64 max_age_ms;
};

static void count_expected(const struct buf_line *b, void *arg)
{
	struct expect_set *e = arg;
	size_t i;

	if (b->pid != e->pid)
		return;
	for (i = 0; i < e->n; i++) {
		if (e->ids[i] != b->id)
			continue;
		e->seen[i]++;
		if ((__u32)b->type != e->types[i] || b->size != e->sizes[i])
			e->wrong++;
		if (b->age_ms > e->max_age_ms)
			e->max_age_ms = b->age_ms;
		return;
	}
	e->strangers++;
}

/*
 * buffers lists every record exactly once with its id in hex, its type
 * name and its size, ids at the ends of the range included.
 */
TEST_F(dbg, buffers_lists_each_record_once)
{
	static const __u64 ids[] = {
		0, 1, 0x20, 0x10020, 0x800000000ULL, 0x800100000ULL,
		0x7fffffffULL, 1ULL << 63, (1ULL << 62) + 1, 0xfedcba9876543210ULL,
		UINT64_MAX - 1, UINT64_MAX,
	};
	enum { N = ARRAY_SIZE(ids) };
	__u64 sizes[N];
	__u32 types[N];
	unsigned int seen[N] = { 0 }, nlines;
	struct expect_set e = {
		.pid = getpid(), .n = N, .ids = ids, .sizes = sizes,
		.types = types, .seen = seen,
	};
	char path[PATH_MAX], *text;
	long long t0 = coarse_ms();
	size_t i;
	int ret;

	for (i = 0; i < N; i++) {
		sizes[i] = 1000 + i * 4096;
		types[i] = i % NTYPES;
		ASSERT_EQ(0, track_alloc(self->fd, ids[i], sizes[i], types[i]));
	}
	debugfs_path(path, sizeof(path), 0, "buffers");
	ret = read_whole(path, &text);
	ASSERT_EQ(0, ret) {
		TH_LOG("%s: %s%s", path, strerror(-ret),
		       ret == -EFBIG ? " (the dump does not end)" : "");
	}
	ASSERT_TRUE(walk_buffers(_metadata, text, count_expected, &e, &nlines));
	free(text);
	for (i = 0; i < N; i++) {
		EXPECT_EQ(1U, seen[i]) {
			TH_LOG("id %#llx listed %u times",
			       (unsigned long long)ids[i], seen[i]);
		}
	}
	EXPECT_EQ(0U, e.wrong);
	EXPECT_EQ(0U, e.strangers);
	EXPECT_GE((__u64)(coarse_ms() - t0) + AGE_SLACK_MS, e.max_age_ms);
}

/*
 * A dump without the ids at the very top of the range, so that a failure
 * of the test above is told apart from a general one.
 */
TEST_F(dbg, buffers_lists_each_record_once_common_ids)
{
	static const __u64 ids[] = {
		0, 0x20, 0x10020, 0x800000000ULL, 1ULL << 63, (1ULL << 62) + 1,
	};
	enum { N = ARRAY_SIZE(ids) };
	__u64 sizes[N];
	__u32 types[N];
	unsigned int seen[N] = { 0 }, nlines;
	struct expect_set e = {
		.pid = getpid(), .n = N, .ids = ids, .sizes = sizes,
		.types = types, .seen = seen,
	};
	char path[PATH_MAX], *text;
	size_t i;

	for (i = 0; i < N; i++) {
		sizes[i] = 77 + i;
		types[i] = (i + 2) % NTYPES;
		ASSERT_EQ(0, track_alloc(self->fd, ids[i], sizes[i], types[i]));
	}
	debugfs_path(path, sizeof(path), 0, "buffers");
	ASSERT_EQ(0, read_whole(path, &text));
	ASSERT_TRUE(walk_buffers(_metadata, text, count_expected, &e, &nlines));
	free(text);
	for (i = 0; i < N; i++) {
		EXPECT_EQ(1U, seen[i]) {
			TH_LOG("id %#llx listed %u times",
			       (unsigned long long)ids[i], seen[i]);
		}
	}
	EXPECT_EQ(0U, e.wrong);
	EXPECT_EQ(0U, e.strangers);
}

TEST_F(dbg, buffers_age_counts_from_alloc)
{
	static const __u64 ids[] = { 0x800000000ULL };
	static const __u64 sizes[] = { MiB };
	static const __u32 types[] = { TT_BUFFER_TYPE_DRAM };
	unsigned int seen[1] = { 0 }, nlines;
	struct expect_set e = {
		.pid = getpid(), .n = 1, .ids = ids, .sizes = sizes,
		.types = types, .seen = seen,
	};
	char path[PATH_MAX], *text;
	long long t0 = coarse_ms(), t1, t2;

	ASSERT_EQ(0, track_alloc(self->fd, ids[0], sizes[0], types[0]));
	t1 = coarse_ms();
	sleep_ms(300);
	debugfs_path(path, sizeof(path), 0, "buffers");
	t2 = coarse_ms();
	ASSERT_EQ(0, read_whole(path, &text));
	ASSERT_TRUE(walk_buffers(_metadata, text, count_expected, &e, &nlines));
	free(text);
	ASSERT_EQ(1U, seen[0]);
	EXPECT_LE((__u64)(t2 - t1) - AGE_SLACK_MS, e.max_age_ms);
	EXPECT_GE((__u64)(coarse_ms() - t0) + AGE_SLACK_MS, e.max_age_ms);
}

/* ---- buffers while records change ---- */

#define STABLE_N	1200

/*
 * Ids of the churning records, 64 of them, among the stable ones in a
 * file's walk (which goes in an order of their hashes).
 */
static __u64 churn_id(unsigned long k)
{
	return (__u64)(2 * (k % 64) + 1) << 40;
}

/* The stable records: ids the churn never uses, 0 and a large one among them */
static __u64 stable_id(unsigned int i)
{
	if (i == 0)
		return 0;			/* the smallest id */
	if (i == 1)
		return (1ULL << 62) + 1;	/* index 2^61 */
	return 0x20000000ULL + 0x20ULL * i;
}

static int stable_index(__u64 id)
{
	if (id == 0)
		return 0;
	if (id == (1ULL << 62) + 1)
		return 1;
	if (id < 0x20000000ULL + 0x40 || (id - 0x20000000ULL) % 0x20 ||
	    (id - 0x20000000ULL) / 0x20 >= STABLE_N)
		return -1;
	return (id - 0x20000000ULL) / 0x20;
}

struct churn {
	int fd;			/* -1: open, record and close files instead */
	bool stop;
	unsigned long ops;
	int err;
};

/*
 * Records come and go on another file: a window of 32 live records whose
 * ids have many trailing zeros (so they are walked after the stable ones)
 * and one large id, or, with fd -1, whole files opened, filled and
 * closed.
 */
static void *churn_run(void *arg)
{
	struct churn *c = arg;
	unsigned long i = 0;

	while (!LOAD(c->stop) && !c->err) {
		if (c->fd >= 0) {
			if (i >= 32)
				c->err = track_free(c->fd, churn_id(i - 32));
			if (!c->err)
				c->err = track_alloc(c->fd, churn_id(i),
						     4096 + i % 7, i % NTYPES);
		} else {
			int fd = open_card(0), k;

			if (fd < 0) {
				c->err = -errno;
				break;
			}
			for (k = 0; k < 16 && !c->err; k++)
				c->err = track_alloc(fd, churn_id(k), 64,
						     k % NTYPES);
			if (!c->err)
				c->err = track_alloc(fd, UINT64_MAX - 2, 64,
						     TT_BUFFER_TYPE_L1);
			close(fd);
		}
		i++;
		c->ops++;
	}
	return NULL;
}

struct stable_seen {
	unsigned int seen[STABLE_N];
	unsigned int wrong;
};

static void count_stable(const struct buf_line *b, void *arg)
{
	struct stable_seen *s = arg;
	int i;

	if (b->pid != getpid())
		return;
	i = stable_index(b->id);
	if (i < 0)
		return;
	s->seen[i]++;
	if (b->type != i % NTYPES || b->size != 100ULL + i)
		s->wrong++;
}

/*
 * Dump buffers with small reads over and over while another thread
 * changes records: every line is well formed and each record that did not
 * change is listed exactly once in every dump.
 */
static void dump_while_churning(struct __test_metadata *_metadata,
				int churn_fd)
{
	static const size_t sizes[] = { 64, 13, 97, 64, 5, 200 };
	static struct stable_seen s;
	struct churn c = { .fd = churn_fd };
	char path[PATH_MAX], *text;
	unsigned int dumps = 0, nlines, i, bad_dumps = 0, missing, twice;
	int stable, holder, first, ret = 0;
	pthread_t th;
	long long t0;

	/*
	 * A file opened and closed before the stable one leaves a lower file
	 * id free: files the churn opens take it and are walked first.
	 */
	holder = open_card(0);
	ASSERT_LE(0, holder);
	stable = open_card(0);
	ASSERT_LE(0, stable);
	close(holder);
	for (i = 0; i < STABLE_N; i++)
		ASSERT_EQ(0, track_alloc(stable, stable_id(i), 100 + i, i % NTYPES));

	debugfs_path(path, sizeof(path), 0, "buffers");
	ASSERT_EQ(0, pthread_create(&th, NULL, churn_run, &c));
	t0 = now_ms();
	/*
	 * At least 5 dumps and 100 churn operations during them (on a slow
	 * debug kernel that takes longer: up to 20 s), else 2 s or 40.
	 */
	while (((dumps < 5 || LOAD(c.ops) <= 100) && now_ms() - t0 < 20000) ||
	       (now_ms() - t0 < 2000 && dumps < 40)) {
		bool ok;

		ret = read_chunked(path, sizes, ARRAY_SIZE(sizes), DUMP_CAP, &text);
		if (ret)
			break;
		memset(&s, 0, sizeof(s));
		ok = walk_buffers(_metadata, text, count_stable, &s, &nlines);
		free(text);
		dumps++;
		if (!ok)
			break;
		missing = 0;
		twice = 0;
		first = -1;
		for (i = 0; i < STABLE_N; i++) {
			if (s.seen[i] == 1)
				continue;
			if (first < 0)
				first = i;
			if (s.seen[i])
				twice++;
			else
				missing++;
		}
		if (first >= 0 || s.wrong) {
			TH_LOG("dump %u: of %d stable records %u missing, %u listed more than once, %u wrong",
			       dumps, STABLE_N, missing, twice, s.wrong);
			TH_LOG("dump %u: the first: id %#llx listed %u times",
			       dumps,
			       first < 0 ? 0ULL : (unsigned long long)stable_id(first),
			       first < 0 ? 1 : s.seen[first]);
			bad_dumps++;
		}
		if (bad_dumps > 3)
			break;
	}
	STORE(c.stop, true);
	pthread_join(th, NULL);
	TH_LOG("%u dumps in %lld ms, %lu churn operations", dumps,
	       now_ms() - t0, c.ops);
	EXPECT_EQ(0, ret) {
		TH_LOG("reading %s: %s", path, strerror(-ret));
	}
	EXPECT_EQ(0, c.err) {
		TH_LOG("churn: %s", strerror(-c.err));
	}
	EXPECT_LT(100UL, c.ops);
	EXPECT_EQ(0U, bad_dumps);
	close(stable);
}

/*
 * Records change in another open file of the process, the fixture's,
 * which is walked before the stable one.
 */
TEST_F_TIMEOUT(dbg, buffers_stream_consistent_while_changing, 90)
{
	dump_while_churning(_metadata, self->fd);
}

/* Files are opened, filled and closed meanwhile, before the stable one. */
TEST_F_TIMEOUT(dbg, buffers_stream_consistent_while_files_close, 90)
{
	dump_while_churning(_metadata, -1);
}

/* ---- other users ---- */

/* Other users cannot open the debugfs tables. */
TEST(debugfs_refuses_nobody)
{
	char path[PATH_MAX];
	const char *arg[2] = { path, NULL };

	if (geteuid())
		SKIP(return, "needs root to become nobody");
	debugfs_path(path, sizeof(path), 0, "processes");
	if (!exists(path))
		SKIP(return, "no debugfs directory of card 0");
	EXPECT_EQ(EACCES, run_as_nobody(open_errno, (void *)arg));
	debugfs_path(path, sizeof(path), 0, "buffers");
	EXPECT_EQ(EACCES, run_as_nobody(open_errno, (void *)arg));
}

int main(int argc, char **argv)
{
	return sysfs_tests_main(argc, argv);
}
