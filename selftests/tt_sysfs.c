// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the tenstorrent driver shows outside the ioctls: the per-card totals
 * in sysfs (/sys/class/tenstorrent/tenstorrent!N/, with poll() notification
 * coalesced to ten a second and root's reset_peaks), the per-process and
 * per-buffer tables in debugfs (/sys/kernel/debug/tenstorrent/N/), and the
 * simulated-card knobs (/sys/kernel/debug/tenstorrent/sim/). Every value is
 * checked against QUERY_ALLOC_STATS or against what the test recorded.
 * Documentation/ABI/testing/sysfs-class-tenstorrent and debugfs-tenstorrent
 * are the specification.
 *
 * Expects the module loaded with at least one card (`modprobe tenstorrent
 * sim_cards=2`) and nothing else using card 0 while it runs. Tests of
 * debugfs, reset_peaks, the sim knobs and of other users need root and skip
 * without it. Leaves the system as found: the cards it adds are removed and
 * the peaks it resets are raised back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tt_debugfs_parse.h"
#include "tt_track_helpers.h"

#define CLASS_DIR	"/sys/class/tenstorrent"
#define DEBUGFS_DIR	"/sys/kernel/debug/tenstorrent"
#define SIM_NEW_CARD	DEBUGFS_DIR "/sim/new_card"
#define SIM_DEL_CARD	DEBUGFS_DIR "/sim/del_card"
#define SIM_BUS_DIR	"/sys/bus/tenstorrent_sim/devices"
#define PARAM_DIR	"/sys/module/tenstorrent/parameters"

#define NOBODY		65534
#define SIM_MAX_CARDS	32
#define SIM_DEFAULT_MIB	12288ULL
#define NTYPES		TT_BUFFER_TYPE_COUNT

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

static long long clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static long long now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* The clock records are stamped with */
static long long coarse_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC_COARSE);
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/* Flags shared with a thread */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* ---- files ---- */

/* The whole of a small file, NUL-terminated: 0 or -errno. */
static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		ret = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return ret;
}

static void attr_path(char *buf, size_t len, int card, const char *attr)
{
	snprintf(buf, len, CLASS_DIR "/tenstorrent!%d/%s", card, attr);
}

/* Read attribute attr of card as a number: 0, -errno, or -EINVAL. */
static int read_attr(int card, const char *attr, __u64 *v)
{
	char path[PATH_MAX], text[64];
	int ret;

	attr_path(path, sizeof(path), card, attr);
	ret = read_text(path, text, sizeof(text));
	return ret ? ret : parse_attr_text(text, v);
}

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

/* ---- cards ---- */

/* Class ids of the cards (tenstorrent!N), as a bit mask of N < 64 */
static __u64 class_cards(void)
{
	DIR *d = opendir(CLASS_DIR);
	struct dirent *e;
	__u64 mask = 0;
	int n;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "tenstorrent!%d", &n) == 1 && n < 64)
			mask |= 1ULL << n;
	closedir(d);
	return mask;
}

/* Simulated cards present (ttsimI on their bus), as a bit mask of I */
static __u32 sim_cards_present(void)
{
	DIR *d = opendir(SIM_BUS_DIR);
	struct dirent *e;
	__u32 mask = 0;
	unsigned int i;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "ttsim%u", &i) == 1 && i < 32)
			mask |= 1U << i;
	closedir(d);
	return mask;
}

/* The bus device name (e.g. "ttsim0", "0000:00:03.0") of card N */
static int card_parent(int card, char *name, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;

	attr_path(path, sizeof(path), card, "device");
	if (!realpath(path, target))
		return -errno;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(name, base);
	return 0;
}

/* The class id N of simulated card ttsimI; -1 when there is none */
static int sim_class_id(unsigned int sim)
{
	char parent[64], want[32];
	__u64 cards = class_cards();
	int n;

	snprintf(want, sizeof(want), "ttsim%u", sim);
	for (n = 0; n < 64; n++)
		if ((cards & (1ULL << n)) &&
		    !card_parent(n, parent, sizeof(parent)) &&
		    !strcmp(parent, want))
			return n;
	return -1;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/*
 * Run fn(arg) in a child as user and group nobody, without supplementary
 * groups: fn's return value, the child's exit status (0 to 255), or -1.
 */
static int run_as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(100);
		_exit(fn(arg));
	}
	return wait_child(pid);
}

/*
 * Open path as nobody: 0 when it opens, else the errno, positive as an exit
 * status must be.
 */
static int open_errno(void *arg)
{
	const char **a = arg;
	int fd = open(a[0], (a[1] ? O_WRONLY : O_RDONLY) | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
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

/* What the totals tests record: two buffers of each type */
static const struct {
	__u64 id, size;
	__u32 type;
} known[] = {
	{ 0x800000000ULL, 3 * MiB, TT_BUFFER_TYPE_DRAM },
	{ 0x800100000ULL, 5 * MiB + 7, TT_BUFFER_TYPE_DRAM },
	{ 0x10020, 2048, TT_BUFFER_TYPE_L1 },
	{ 0x10840, 96, TT_BUFFER_TYPE_L1 },
	{ 0x7f0000000ULL, 65536, TT_BUFFER_TYPE_SYSTEM_MEMORY },
	{ 0x7f0010000ULL, 1, TT_BUFFER_TYPE_SYSTEM_MEMORY },
	{ 0x20000, 64, TT_BUFFER_TYPE_L1_SMALL },
	{ 0x20040, 4000, TT_BUFFER_TYPE_L1_SMALL },
	{ 0x40000, 8192, TT_BUFFER_TYPE_TRACE },
	{ 0x42000, 3, TT_BUFFER_TYPE_TRACE },
};

static void alloc_known(struct __test_metadata *_metadata, int fd,
			__u64 *sum, __u64 *count)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		ASSERT_EQ(0, track_alloc(fd, known[i].id, known[i].size,
					 known[i].type));
		if (sum)
			sum[known[i].type] += known[i].size;
		if (count)
			count[known[i].type]++;
	}
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

/*
 * Simulated cards say "sim" in card_type and give their DRAM size in
 * dram_total: sim_dram_mib's value for them, else the default 12 GiB.
 */
TEST(sim_card_type_and_dram_total)
{
	__u64 mib[SIM_MAX_CARDS], cards = class_cards(), loaded = 0;
	char text[256], parent[64], path[PATH_MAX], *p, *tok;
	unsigned int nmib = 0, sim;
	int n, checked = 0;

	if (read_text(PARAM_DIR "/sim_dram_mib", text, sizeof(text)))
		SKIP(return, "no sim_dram_mib parameter");
	for (p = text; (tok = strsep(&p, ",\n")) && nmib < SIM_MAX_CARDS;) {
		if (!*tok)
			continue;
		ASSERT_TRUE(parse_dec(tok, &mib[nmib++]));
	}
	ASSERT_EQ(0, read_text(PARAM_DIR "/sim_cards", text, sizeof(text)));
	text[strcspn(text, "\n")] = '\0';
	ASSERT_TRUE(parse_dec(text, &loaded));

	for (n = 0; n < 64; n++) {
		__u64 total, want;

		if (!(cards & (1ULL << n)))
			continue;
		ASSERT_EQ(0, card_parent(n, parent, sizeof(parent)));
		if (sscanf(parent, "ttsim%u", &sim) != 1)
			continue;
		attr_path(path, sizeof(path), n, "card_type");
		ASSERT_EQ(0, read_text(path, text, sizeof(text)));
		EXPECT_STREQ("sim\n", text) {
			TH_LOG("card %d (%s)", n, parent);
		}
		if (sim >= loaded)	/* added through new_card: any size */
			continue;
		want = (sim < nmib && mib[sim] ? mib[sim] : SIM_DEFAULT_MIB) * MiB;
		ASSERT_EQ(0, read_attr(n, "dram_total", &total));
		EXPECT_EQ(want, total) {
			TH_LOG("card %d (%s)", n, parent);
		}
		if (want == SIM_DEFAULT_MIB * MiB)
			EXPECT_EQ(12884901888ULL, total);
		checked++;
	}
	if (!checked)
		SKIP(return, "no simulated card from sim_cards");
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

/* ---- debugfs ---- */

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
	EXPECT_STREQ("tt_sysfs", own.comm);
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

/* ---- simulated-card knobs ---- */

FIXTURE(sim) {
	__u32 added;	/* sim indexes this test added, removed at teardown */
	int fd;		/* a file on an added card, or -1 */
};

FIXTURE_SETUP(sim)
{
	self->added = 0;
	self->fd = -1;
	if (geteuid())
		SETUP_SKIP("the sim knobs need root");
	if (!exists(SIM_NEW_CARD))
		SETUP_SKIP("no %s", SIM_NEW_CARD);
}

FIXTURE_TEARDOWN(sim)
{
	__u32 left;
	unsigned int i;

	if (self->fd >= 0)
		close(self->fd);
	left = self->added & sim_cards_present();
	for (i = 0; i < 32; i++) {
		char num[16];

		if (!(left & (1U << i)))
			continue;
		snprintf(num, sizeof(num), "%u\n", i);
		if (write_text(SIM_DEL_CARD, num))
			fprintf(stderr, "# cannot remove ttsim%u\n", i);
	}
}

/*
 * Add a card of mib MiB through new_card: 0 and its sim index in *sim,
 * or -errno of the write.
 */
static int sim_add(FIXTURE_DATA(sim) *self, unsigned int mib,
		   unsigned int *sim)
{
	__u32 before = sim_cards_present(), added;
	char num[16];
	int ret;

	snprintf(num, sizeof(num), "%u\n", mib);
	ret = write_text(SIM_NEW_CARD, num);
	if (ret)
		return ret;
	added = sim_cards_present() & ~before;
	if (!added || (added & (added - 1)))
		return -EPROTO;	/* not exactly one new ttsim device */
	self->added |= added;
	*sim = __builtin_ctz(added);
	return 0;
}

static int sim_del(FIXTURE_DATA(sim) *self, unsigned int sim)
{
	char num[16];
	int ret;

	snprintf(num, sizeof(num), "%u\n", sim);
	ret = write_text(SIM_DEL_CARD, num);
	if (!ret)
		self->added &= ~(1U << sim);
	return ret;
}

static void expect_card_gone(struct __test_metadata *_metadata, int n)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CLASS_DIR "/tenstorrent!%d", n);
	EXPECT_FALSE(exists(path)) {
		TH_LOG("%s still there", path);
	}
	snprintf(path, sizeof(path), DEBUGFS_DIR "/%d", n);
	EXPECT_FALSE(exists(path)) {
		TH_LOG("%s still there", path);
	}
	snprintf(path, sizeof(path), "/dev/tenstorrent/%d", n);
	EXPECT_FALSE(exists(path)) {
		TH_LOG("%s still there", path);
	}
}

/*
 * new_card adds a simulated card with the DRAM size written, its node,
 * class device and debugfs directory; del_card takes them all away.
 */
TEST_F(sim, new_card_and_del_card)
{
	char path[PATH_MAX], text[32];
	unsigned int sim;
	__u64 total;
	int n, fd;

	ASSERT_EQ(0, sim_add(self, 4096, &sim));
	n = sim_class_id(sim);
	ASSERT_LE(0, n) {
		TH_LOG("no class device for ttsim%u", sim);
	}
	ASSERT_EQ(0, read_attr(n, "dram_total", &total));
	EXPECT_EQ(4096 * MiB, total);
	attr_path(path, sizeof(path), n, "card_type");
	ASSERT_EQ(0, read_text(path, text, sizeof(text)));
	EXPECT_STREQ("sim\n", text);
	snprintf(path, sizeof(path), DEBUGFS_DIR "/%d/processes", n);
	EXPECT_TRUE(exists(path));
	fd = open_card(n);
	ASSERT_LE(0, fd) {
		TH_LOG("/dev/tenstorrent/%d: %s", n, strerror(errno));
	}
	EXPECT_EQ(0, track_alloc(fd, 0x1000, 4096, TT_BUFFER_TYPE_L1));
	close(fd);

	ASSERT_EQ(0, sim_del(self, sim));
	expect_card_gone(_metadata, n);
	EXPECT_FALSE(sim_cards_present() & (1U << sim));
}

/* new_card with 0 gives the default size, 12 GiB. */
TEST_F(sim, new_card_zero_is_default_size)
{
	unsigned int sim;
	__u64 total;
	int n;

	ASSERT_EQ(0, sim_add(self, 0, &sim));
	n = sim_class_id(sim);
	ASSERT_LE(0, n);
	ASSERT_EQ(0, read_attr(n, "dram_total", &total));
	EXPECT_EQ(12884901888ULL, total);
}

/*
 * A card removed while a file is open on it: TRACK_ALLOC and QUERY fail
 * with ENODEV, close works, and the card's directories are gone.
 */
TEST_F(sim, del_card_with_open_file)
{
	unsigned int sim;
	stats_t s;
	int n;

	ASSERT_EQ(0, sim_add(self, 1024, &sim));
	n = sim_class_id(sim);
	ASSERT_LE(0, n);
	self->fd = open_card(n);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, MiB,
				 TT_BUFFER_TYPE_DRAM));

	ASSERT_EQ(0, sim_del(self, sim));
	EXPECT_EQ(-ENODEV, track_alloc(self->fd, 0x800100000ULL, MiB,
				      TT_BUFFER_TYPE_DRAM));
	EXPECT_EQ(-ENODEV, track_free(self->fd, 0x800000000ULL));
	EXPECT_EQ(-ENODEV, query(self->fd, &s));
	expect_card_gone(_metadata, n);
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
}

/*
 * A removed card's number (minor, class device name, the number in leak
 * lines and tracepoints) stays taken while a file of it is open: a card
 * added meanwhile gets another; once the file is closed the number is
 * free again.
 */
TEST_F(sim, card_number_kept_while_open)
{
	unsigned int a, b, c;
	int n, m;

	ASSERT_EQ(0, sim_add(self, 1024, &a));
	n = sim_class_id(a);
	ASSERT_LE(0, n);
	self->fd = open_card(n);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, sim_del(self, a));

	ASSERT_EQ(0, sim_add(self, 1024, &b));
	m = sim_class_id(b);
	ASSERT_LE(0, m);
	EXPECT_NE(n, m) {
		TH_LOG("card %d was given again while a file of it is open", n);
	}
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;

	/* n was the lowest free number when the first card took it */
	ASSERT_EQ(0, sim_add(self, 1024, &c));
	EXPECT_EQ(n, sim_class_id(c));
}

/* del_card of a card that does not exist: ENOENT. */
TEST_F(sim, del_card_missing_enoent)
{
	__u32 present = sim_cards_present();
	unsigned int i;
	char num[16];

	for (i = 0; i < SIM_MAX_CARDS; i++)
		if (!(present & (1U << i)))
			break;
	if (i < SIM_MAX_CARDS) {
		snprintf(num, sizeof(num), "%u\n", i);
		EXPECT_EQ(-ENOENT, write_text(SIM_DEL_CARD, num)) {
			TH_LOG("ttsim%u", i);
		}
	}
	EXPECT_EQ(-ENOENT, write_text(SIM_DEL_CARD, "32\n"));
	EXPECT_EQ(present, sim_cards_present());
}

/* Thirty-two simulated cards at most: the next new_card fails with ENOSPC. */
TEST_F_TIMEOUT(sim, new_card_beyond_32_enospc, 120)
{
	unsigned int have = __builtin_popcount(sim_cards_present()), i, sim;

	ASSERT_GE(SIM_MAX_CARDS, have);
	for (i = have; i < SIM_MAX_CARDS; i++) {
		ASSERT_EQ(0, sim_add(self, 64, &sim)) {
			TH_LOG("card %u of %d", i + 1, SIM_MAX_CARDS);
		}
	}
	EXPECT_EQ(SIM_MAX_CARDS, __builtin_popcount(sim_cards_present()));
	EXPECT_EQ(-ENOSPC, write_text(SIM_NEW_CARD, "64\n"));
	EXPECT_EQ(SIM_MAX_CARDS, __builtin_popcount(sim_cards_present()));
}

int main(int argc, char **argv)
{
	if (!exists(CLASS_DIR))
		ksft_exit_skip("no %s: tenstorrent module not loaded\n", CLASS_DIR);
	return test_harness_run(argc, argv);
}
