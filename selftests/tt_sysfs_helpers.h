/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the kselftests of the driver's files outside /dev share (tt_sysfs,
 * tt_debugfs, tt_sim): the paths, the clock, a card's attributes read as
 * numbers, the cards present, running a check as user nobody, and the
 * buffers that the totals and processes tests record.
 *
 * Not every program uses every helper: the functions are static inline, as
 * in tt_track_helpers.h, so an unused one is no warning.
 */
#ifndef TT_SYSFS_HELPERS_H
#define TT_SYSFS_HELPERS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tt_debugfs_parse.h"
#include "tt_track_helpers.h"

#define CLASS_DIR	"/sys/class/tenstorrent"
#define DEBUGFS_DIR	"/sys/kernel/debug/tenstorrent"

#define NOBODY		65534
#define NTYPES		TT_BUFFER_TYPE_COUNT

static inline long long clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static inline long long now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static inline void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/* Flags shared with a thread */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* ---- files ---- */

/* The whole of a small file, NUL-terminated: 0 or -errno. */
static inline int read_text(const char *path, char *buf, size_t len)
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

static inline void attr_path(char *buf, size_t len, int card, const char *attr)
{
	snprintf(buf, len, CLASS_DIR "/tenstorrent!%d/%s", card, attr);
}

/* Read attribute attr of card as a number: 0, -errno, or -EINVAL. */
static inline int read_attr(int card, const char *attr, __u64 *v)
{
	char path[PATH_MAX], text[64];
	int ret;

	attr_path(path, sizeof(path), card, attr);
	ret = read_text(path, text, sizeof(text));
	return ret ? ret : parse_attr_text(text, v);
}

/* ---- cards ---- */

/* Class ids of the cards (tenstorrent!N), as a bit mask of N < 64 */
static inline __u64 class_cards(void)
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

static inline bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* ---- other users ---- */

/*
 * Run fn(arg) in a child as user and group uid, without supplementary
 * groups: fn's return value, the child's exit status (0 to 255), or -1.
 */
static inline int run_as(uid_t uid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid))
			_exit(100);
		_exit(fn(arg));
	}
	return wait_child(pid);
}

static inline int run_as_nobody(int (*fn)(void *), void *arg)
{
	return run_as(NOBODY, fn, arg);
}

/*
 * Open path as nobody: 0 when it opens, else the errno, positive as an exit
 * status must be.
 */
static inline int open_errno(void *arg)
{
	const char **a = arg;
	int fd = open(a[0], (a[1] ? O_WRONLY : O_RDONLY) | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* ---- what the tests record ---- */

/* What the totals and processes tests record: two buffers of each type */
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

static inline void alloc_known(struct __test_metadata *_metadata, int fd,
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
 * main() of a program whose tests need the module: the whole program skips
 * when it is not loaded.
 */
static inline int sysfs_tests_main(int argc, char **argv)
{
	if (!exists(CLASS_DIR))
		ksft_exit_skip("no %s: tenstorrent module not loaded\n", CLASS_DIR);
	return test_harness_run(argc, argv);
}

#endif /* TT_SYSFS_HELPERS_H */
