/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the tracking kselftests share: ioctl wrappers, QUERY snapshots and
 * the checks that compare them, and the few tools of tests that fork.
 *
 * Every helper here and in the tests that returns an error code returns 0
 * on success and -errno on failure, as the kernel and libttkmd's
 * tt_ioctl() do: EXPECT_EQ(-EINVAL, track_alloc(...)), strerror(-ret).
 * The one exception is a function whose result becomes a process's exit
 * status, which cannot be negative.
 */
#ifndef TT_TRACK_HELPERS_H
#define TT_TRACK_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tenstorrent_track.h"
#include "kselftest_harness.h"
#include "tt_params.h"

#define MiB		(1ULL << 20)

/*
 * The 6.1 harness runs the test body even after SKIP() in a fixture setup;
 * leave the test's child process there instead (exit 255 is its skip).
 */
#define SETUP_SKIP(fmt, ...)	SKIP(_exit(255), fmt, ##__VA_ARGS__)

typedef struct tenstorrent_query_alloc_stats_out stats_t;

#define SNAPSHOT(fd, s)	ASSERT_EQ(0, query(fd, s))

/* 0 when the ioctl succeeded, else -errno of its failure */
static inline int tt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int open_card(int n)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/tenstorrent/%d", n);
	return open(path, O_RDWR | O_CLOEXEC);
}

static inline int track_alloc_out(int fd, __u64 id, __u64 size, __u32 type,
			   struct tenstorrent_track_alloc_out *out)
{
	struct tenstorrent_track_alloc arg = {
		.in = { .buffer_id = id, .size = size, .buffer_type = type },
	};
	int ret = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &arg);

	if (out)
		*out = arg.out;
	return ret;
}

static inline int track_alloc(int fd, __u64 id, __u64 size, __u32 type)
{
	return track_alloc_out(fd, id, size, type, NULL);
}

static inline int track_free_out(int fd, __u64 id,
			  struct tenstorrent_track_free_out *out)
{
	struct tenstorrent_track_free arg = { .in = { .buffer_id = id } };
	int ret = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_FREE, &arg);

	if (out)
		*out = arg.out;
	return ret;
}

static inline int track_free(int fd, __u64 id)
{
	return track_free_out(fd, id, NULL);
}

/* TRACK_FREE of the record of (@type, @id): 0 or -errno */
static inline int free_typed(int fd, __u64 id, __u32 type,
			     struct tenstorrent_track_free_out *out)
{
	struct tenstorrent_track_free arg = {
		.in = { .buffer_id = id, .buffer_type = type,
			.flags = TENSTORRENT_TRACK_TYPED },
	};
	int ret = tt_ioctl(fd, TENSTORRENT_IOCTL_TRACK_FREE, &arg);

	if (out)
		*out = arg.out;
	return ret;
}

static inline int query(int fd, stats_t *out)
{
	struct tenstorrent_query_alloc_stats arg = { 0 };
	int ret = tt_ioctl(fd, TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, &arg);

	*out = arg.out;
	return ret;
}

/* Every total of two snapshots is equal: nothing was recorded or freed. */
static inline void expect_unchanged(struct __test_metadata *_metadata,
			     const stats_t *a, const stats_t *b)
{
	int t;

	for (t = 0; t < TENSTORRENT_BUFFER_TYPE_MAX; t++) {
		EXPECT_EQ(a->allocated[t], b->allocated[t]) {
			TH_LOG("device allocated[%d] changed", t);
		}
		EXPECT_EQ(a->peak[t], b->peak[t]) {
			TH_LOG("device peak[%d] changed", t);
		}
		EXPECT_EQ(a->buffers[t], b->buffers[t]) {
			TH_LOG("device buffers[%d] changed", t);
		}
		EXPECT_EQ(a->file.allocated[t], b->file.allocated[t]) {
			TH_LOG("file allocated[%d] changed", t);
		}
		EXPECT_EQ(a->file.peak[t], b->file.peak[t]) {
			TH_LOG("file peak[%d] changed", t);
		}
		EXPECT_EQ(a->file.buffers[t], b->file.buffers[t]) {
			TH_LOG("file buffers[%d] changed", t);
		}
	}
	EXPECT_EQ(a->open_files, b->open_files);
}

/*
 * The card's allocated and buffers totals of two snapshots are equal (peaks
 * may have risen in between).
 */
static inline void expect_device_back(struct __test_metadata *_metadata,
			       const stats_t *a, const stats_t *b)
{
	int t;

	for (t = 0; t < TENSTORRENT_BUFFER_TYPE_MAX; t++) {
		EXPECT_EQ(a->allocated[t], b->allocated[t]) {
			TH_LOG("device allocated[%d]", t);
		}
		EXPECT_EQ(a->buffers[t], b->buffers[t]) {
			TH_LOG("device buffers[%d]", t);
		}
	}
}

/* Live bytes and records, the card's and the file's, are as they were */
static inline void expect_live_back(struct __test_metadata *_metadata,
			     const stats_t *a, const stats_t *b)
{
	int t;

	for (t = 0; t < TENSTORRENT_BUFFER_TYPE_MAX; t++) {
		EXPECT_EQ(a->allocated[t], b->allocated[t]) {
			TH_LOG("card allocated[%d]", t);
		}
		EXPECT_EQ(a->buffers[t], b->buffers[t]) {
			TH_LOG("card buffers[%d]", t);
		}
		EXPECT_EQ(a->file.allocated[t], b->file.allocated[t]) {
			TH_LOG("file allocated[%d]", t);
		}
		EXPECT_EQ(a->file.buffers[t], b->file.buffers[t]) {
			TH_LOG("file buffers[%d]", t);
		}
	}
}

/* The file holds nothing: all its allocated and buffers totals are 0. */
static inline void expect_file_empty(struct __test_metadata *_metadata,
			      const stats_t *s)
{
	int t;

	for (t = 0; t < TENSTORRENT_BUFFER_TYPE_MAX; t++) {
		EXPECT_EQ(0ULL, s->file.allocated[t]) {
			TH_LOG("file allocated[%d]", t);
		}
		EXPECT_EQ(0ULL, s->file.buffers[t]) {
			TH_LOG("file buffers[%d]", t);
		}
	}
}

/*
 * The size of a test's work, times TT_TEST_SCALE (default 1; e.g. 0.05 on
 * a debug kernel, where every call costs tens of times more), at least 1.
 */
static inline double test_scale(void)
{
	const char *s = getenv("TT_TEST_SCALE");
	double v = s && *s ? strtod(s, NULL) : 1.0;

	return v > 0 ? v : 1.0;
}

static inline unsigned long scaled(unsigned long n)
{
	unsigned long v = n * test_scale();

	return v ? v : 1;
}

/* xorshift64*: a fast, reproducible pseudo-random sequence from *state */
static inline __u64 xorshift64s(__u64 *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/*
 * main() of a program whose every test needs card 0 with tracking: the
 * whole program skips without one.
 */
static inline int tracking_tests_main(int argc, char **argv)
{
	struct tenstorrent_tracking_info info = { 0 };
	int fd = open_card(0);

	if (fd < 0)
		ksft_exit_skip("cannot open /dev/tenstorrent/0: %s\n", strerror(errno));
	if (tt_ioctl(fd, TENSTORRENT_IOCTL_GET_TRACKING_INFO, &info) == -ENOTTY)
		ksft_exit_skip("the driver has no allocation tracking\n");
	close(fd);
	return test_harness_run(argc, argv);
}

/* ---- processes ---- */

/*
 * In a process forked by a test, where the harness cannot see results: on
 * a false condition say which and exit 1.
 */
#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d: %s:%d: %s\n", getpid(),	\
			__FILE__, __LINE__, #cond);			\
		_exit(1);						\
	}								\
} while (0)

/* Wait for pid; its exit code, or 128 + the signal that killed it. */
static inline int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* One byte through a pipe, as a barrier between processes */
static inline void signal_fd(int fd)
{
	char c = 1;

	if (write(fd, &c, 1) != 1)
		_exit(3);
}

static inline bool wait_fd(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

#endif /* TT_TRACK_HELPERS_H */
