// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host unit tests of libttkmd: no driver needed. The program defines
 * ioctl() itself, so the library's calls on a "fake" descriptor reach a
 * scripted driver here (errors, EINTR, batch failures, a log of applied
 * operations); calls on any other descriptor go to the kernel.
 * Prints one "ok N - name" / "not ok N - name" line per test (TAP).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ttkmd.h"
#include "tap.h"

/* ---- the fake driver ---- */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static int fake_fd = -1;	/* descriptor the fake answers for */
static int fake_calls;		/* ioctls it answered */
static int fake_batches;	/* of which TRACK_BATCH */
static int fake_eintr;		/* answer EINTR this many times first */
static int fake_err;		/* then fail every call with this errno */
static long fake_fail_at = -1;	/* fail batch op with this global index */
static int fake_fail_err;
static tt_track_op_t *fake_log;	/* ops applied, in order */
static size_t fake_nlog, fake_caplog;

static void fake_reset(int fd)
{
	pthread_mutex_lock(&fake_lock);
	fake_fd = fd;
	fake_calls = fake_batches = fake_eintr = fake_err = 0;
	fake_fail_at = -1;
	fake_nlog = 0;
	pthread_mutex_unlock(&fake_lock);
}

static int fake_ioctl(unsigned long cmd, void *arg)
{
	struct tenstorrent_track_batch *b = arg;
	const tt_track_op_t *ops;
	uint32_t i;

	fake_calls++;
	if (fake_eintr) {
		fake_eintr--;
		errno = EINTR;
		return -1;
	}
	if (fake_err) {
		errno = fake_err;
		return -1;
	}
	if (cmd != TENSTORRENT_IOCTL_TRACK_BATCH)
		return 0;
	fake_batches++;
	if (b->in.count == 0 || b->in.count > TENSTORRENT_TRACK_BATCH_MAX ||
	    b->in.op_size != sizeof(tt_track_op_t) || b->in.flags ||
	    b->in.reserved) {
		errno = EINVAL;
		return -1;
	}
	ops = (const tt_track_op_t *)(uintptr_t)b->in.ops;
	for (i = 0; i < b->in.count; i++) {
		if (fake_fail_at >= 0 && (long)fake_nlog == fake_fail_at) {
			fake_fail_at = -1;
			b->out.processed = i;
			errno = fake_fail_err;
			return -1;
		}
		if (fake_nlog == fake_caplog) {
			fake_caplog = fake_caplog ? 2 * fake_caplog : 1024;
			fake_log = realloc(fake_log, fake_caplog * sizeof(*fake_log));
			if (!fake_log)
				abort();
		}
		fake_log[fake_nlog++] = ops[i];
	}
	b->out.processed = b->in.count;
	return 0;
}

int ioctl(int fd, unsigned long cmd, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	pthread_mutex_lock(&fake_lock);
	if (fd != fake_fd || fd < 0) {
		pthread_mutex_unlock(&fake_lock);
		return syscall(SYS_ioctl, fd, cmd, arg);
	}
	ret = fake_ioctl(cmd, arg);
	pthread_mutex_unlock(&fake_lock);
	return ret;
}

/* a handle on /dev/null, answered by the fake */
static ttkmd_dev_t *fake_dev(void)
{
	ttkmd_dev_t *dev = NULL;

	if (ttkmd_open_path("/dev/null", 0, &dev) || !dev)
		abort();
	fake_reset(ttkmd_fd(dev));
	return dev;
}

static void test_null_dev_einval(void)
{
	tt_alloc_stats_t st;
	struct tenstorrent_tracking_info_out info;
	tt_track_op_t op = tt_op_free(1);
	tt_tracker_t *t = (tt_tracker_t *)&op;
	size_t done = 7;

	CHECK_EQ(-EINVAL, tt_track_allocation(NULL, 1, 64, TT_BUFFER_TYPE_DRAM));
	CHECK_EQ(-EINVAL, tt_track_free(NULL, 1));
	CHECK_EQ(-EINVAL, tt_query_stats(NULL, &st));
	CHECK_EQ(-EINVAL, tt_get_tracking_info(NULL, &info));
	CHECK_EQ(-EINVAL, tt_alloc_tracking_available(NULL));
	CHECK_EQ(-EINVAL, tt_track_batch(NULL, &op, 1, &done));
	CHECK_EQ(0, done);
	CHECK_EQ(-EINVAL, ttkmd_fd(NULL));
	CHECK_EQ(-EINVAL, tt_tracker_create(NULL, 0, &t));
	CHECK_EQ(-EINVAL, tt_tracker_alloc(NULL, 1, 64, 0));
	CHECK_EQ(-EINVAL, tt_tracker_free(NULL, 1));
	CHECK_EQ(-EINVAL, tt_tracker_flush(NULL));
	CHECK_EQ(0, tt_tracker_pending(NULL));
	CHECK_EQ(0, tt_tracker_destroy(NULL));
	ttkmd_close(NULL);
}

static void test_null_out_einval(void)
{
	ttkmd_dev_t *dev = fake_dev(), *other = dev;

	CHECK_EQ(-EINVAL, ttkmd_open(0, 0, NULL));
	CHECK_EQ(-EINVAL, ttkmd_open(-1, 0, &other));
	CHECK_EQ(-EINVAL, ttkmd_open_path(NULL, 0, &other));
	CHECK_EQ(-EINVAL, ttkmd_open_path("/dev/null", 0, NULL));
	CHECK_EQ(-EINVAL, ttkmd_open_path("/dev/null", 1u << 1, &other));
	CHECK_EQ(-EINVAL, ttkmd_open_path("/dev/null", ~0u, &other));
	CHECK_EQ(-EINVAL, ttkmd_open(0, 1u << 31, &other));
	CHECK_EQ(-EINVAL, ttkmd_open_fd(0, NULL));
	CHECK_EQ(-EINVAL, tt_query_stats(dev, NULL));
	CHECK_EQ(-EINVAL, tt_get_tracking_info(dev, NULL));
	CHECK_EQ(-EINVAL, tt_track_batch(dev, NULL, 1, NULL));
	CHECK_EQ(-EINVAL, tt_tracker_create(dev, 0, NULL));
	CHECK_EQ(-EINVAL, ttkmd_list(NULL, 1));
	CHECK_EQ(0, fake_calls);
	ttkmd_close(dev);
}

static void test_bad_args_before_syscall(void)
{
	ttkmd_dev_t *dev = fake_dev();
	tt_tracker_t *t;

	CHECK_EQ(-EINVAL, tt_track_allocation(dev, 1, 64, TENSTORRENT_BUFFER_TYPE_MAX));
	CHECK_EQ(-EINVAL, tt_track_allocation(dev, 1, 64, 255));
	CHECK_EQ(-EINVAL, tt_track_allocation(dev, 1, 64, 0xffffffffu));
	CHECK_EQ(-EINVAL, tt_track_allocation(dev, 1, 0, TT_BUFFER_TYPE_DRAM));
	CHECK_EQ(0, tt_tracker_create(dev, 4, &t));
	CHECK_EQ(-EINVAL, tt_tracker_alloc(t, 1, 64, 8));
	CHECK_EQ(-EINVAL, tt_tracker_alloc(t, 1, 0, 0));
	CHECK_EQ(0, tt_tracker_pending(t));
	CHECK_EQ(0, tt_tracker_destroy(t));
	CHECK_EQ(-EINVAL, tt_tracker_create(dev, TT_TRACKER_MAX_CAPACITY + 1, &t));
	CHECK_EQ(0, fake_calls);
	/* a type the lib may not know yet goes to the driver */
	CHECK_EQ(0, tt_track_allocation(dev, 1, 64, 7));
	CHECK_EQ(1, fake_calls);
	ttkmd_close(dev);
}

static void test_open_errors_and_cloexec(void)
{
	ttkmd_dev_t *dev = NULL, *dup = NULL;
	int fd;

	CHECK_EQ(-ENOENT, ttkmd_open_path("/nonexistent/tenstorrent/0", 0,
					  &dev));
	CHECK(dev == NULL);
	if (access("/dev/tenstorrent/999999", F_OK))
		CHECK_EQ(-ENOENT, ttkmd_open(999999, 0, &dev));
	CHECK_EQ(-EBADF, ttkmd_open_fd(-1, &dev));
	CHECK_EQ(0, ttkmd_open_path("/dev/null", 0, &dev));
	fd = ttkmd_fd(dev);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	CHECK_EQ(0, ttkmd_open_fd(fd, &dup));
	CHECK(ttkmd_fd(dup) != fd);
	CHECK(fcntl(ttkmd_fd(dup), F_GETFD) & FD_CLOEXEC);
	ttkmd_close(dup);
	CHECK(fcntl(fd, F_GETFD) >= 0);	/* the caller's fd stays open */
	ttkmd_close(dev);
}

/*
 * A read-only handle reads totals and capabilities; the calls that record
 * or drop a buffer say -EBADF, as the driver does, without an ioctl.
 */
static void test_rdonly_queries_but_does_not_track(void)
{
	struct tenstorrent_tracking_info_out info;
	tt_track_op_t op = tt_op_alloc(1, 64, 0);
	ttkmd_dev_t *dev = NULL, *dup = NULL;
	tt_tracker_t *t = (tt_tracker_t *)&op;
	tt_alloc_stats_t st;
	size_t done = 7;

	CHECK_EQ(0, ttkmd_open_path("/dev/null", TTKMD_OPEN_RDONLY, &dev));
	CHECK_EQ(O_RDONLY, fcntl(ttkmd_fd(dev), F_GETFL) & O_ACCMODE);
	CHECK(fcntl(ttkmd_fd(dev), F_GETFD) & FD_CLOEXEC);
	fake_reset(ttkmd_fd(dev));
	CHECK_EQ(-EBADF, tt_track_allocation(dev, 1, 64, TT_BUFFER_TYPE_DRAM));
	CHECK_EQ(-EBADF, tt_track_free(dev, 1));
	CHECK_EQ(-EBADF, tt_track_batch(dev, &op, 1, &done));
	CHECK_EQ(0, done);
	CHECK_EQ(-EBADF, tt_track_batch(dev, NULL, 0, NULL));
	CHECK_EQ(-EBADF, tt_tracker_create(dev, 0, &t));
	CHECK(t == NULL);
	/* argument errors still come first */
	CHECK_EQ(-EINVAL, tt_track_allocation(dev, 1, 0, TT_BUFFER_TYPE_DRAM));
	CHECK_EQ(0, fake_calls);
	CHECK_EQ(0, tt_query_stats(dev, &st));
	CHECK_EQ(0, tt_get_tracking_info(dev, &info));
	CHECK_EQ(1, tt_alloc_tracking_available(dev));
	CHECK_EQ(3, fake_calls);

	/* a descriptor opened read-only by the runtime gives the same */
	CHECK_EQ(0, ttkmd_open_fd(ttkmd_fd(dev), &dup));
	fake_reset(ttkmd_fd(dup));
	CHECK_EQ(-EBADF, tt_track_allocation(dup, 1, 64, TT_BUFFER_TYPE_DRAM));
	CHECK_EQ(0, fake_calls);
	CHECK_EQ(0, tt_query_stats(dup, &st));
	ttkmd_close(dup);
	ttkmd_close(dev);
}

/* /dev/null answers ENOTTY, as a driver without tracking does */
static void test_devnull_not_available(void)
{
	struct tenstorrent_tracking_info_out info;
	ttkmd_dev_t *dev;

	fake_reset(-1);
	CHECK_EQ(0, ttkmd_open_path("/dev/null", 0, &dev));
	CHECK_EQ(0, tt_alloc_tracking_available(dev));
	CHECK_EQ(-ENOTTY, tt_get_tracking_info(dev, &info));
	CHECK_EQ(-ENOTTY, tt_track_allocation(dev, 1, 64, TT_BUFFER_TYPE_DRAM));
	CHECK_EQ(-ENOTTY, tt_track_free(dev, 1));
	ttkmd_close(dev);
}

static void test_available_mapping(void)
{
	ttkmd_dev_t *dev = fake_dev();

	CHECK_EQ(1, tt_alloc_tracking_available(dev));
	fake_err = EINVAL;	/* tt-kmd's answer to unknown ioctls */
	CHECK_EQ(0, tt_alloc_tracking_available(dev));
	fake_err = ENOTTY;
	CHECK_EQ(0, tt_alloc_tracking_available(dev));
	fake_err = ENODEV;
	CHECK_EQ(-ENODEV, tt_alloc_tracking_available(dev));
	fake_err = EACCES;
	CHECK_EQ(-EACCES, tt_alloc_tracking_available(dev));
	ttkmd_close(dev);
}

static void test_errno_mapping(void)
{
	static const int errs[] = { EEXIST, ENOENT, EOVERFLOW, ENOSPC, ENOMEM,
				    EFAULT, E2BIG, ENODEV, ENOTTY, EINVAL };
	ttkmd_dev_t *dev = fake_dev();
	tt_alloc_stats_t st;
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fake_err = errs[i];
		CHECK_EQ(-errs[i], tt_track_allocation(dev, 1, 64, 0));
		CHECK_EQ(-errs[i], tt_track_free(dev, 1));
		CHECK_EQ(-errs[i], tt_query_stats(dev, &st));
	}
	ttkmd_close(dev);
}

static void test_eintr_retried(void)
{
	ttkmd_dev_t *dev = fake_dev();
	tt_track_op_t op = tt_op_alloc(1, 64, 0);
	size_t done;

	fake_eintr = 3;
	CHECK_EQ(0, tt_track_allocation(dev, 1, 64, 0));
	CHECK_EQ(4, fake_calls);
	fake_eintr = 2;
	CHECK_EQ(0, tt_track_batch(dev, &op, 1, &done));
	CHECK_EQ(1, done);
	CHECK_EQ(1, (long long)fake_nlog);
	fake_eintr = 1;
	CHECK_EQ(1, tt_alloc_tracking_available(dev));
	ttkmd_close(dev);
}

static void test_strerror(void)
{
	CHECK(strstr(tt_strerror(-EEXIST), "already"));
	CHECK_EQ(0, strcmp(tt_strerror(-EEXIST), tt_strerror(EEXIST)));
	CHECK(strstr(tt_strerror(-ENOTTY), "not supported"));
	CHECK(strstr(tt_strerror(-ENOSPC), "max_records"));
	CHECK(strstr(tt_strerror(-ENODEV), "removed"));
	CHECK(strstr(tt_strerror(-EBADF), "read-only"));
	CHECK_EQ(0, strcmp(tt_strerror(0), "success"));
	CHECK_EQ(0, strcmp(tt_strerror(-EPERM), "Operation not permitted"));
	CHECK_EQ(0, strcmp(tt_strerror(-99999), "unknown error"));
	CHECK(tt_strerror(-2147483647) != NULL);
}

static void test_batch_chunks(void)
{
	ttkmd_dev_t *dev = fake_dev();
	size_t n = 5000, i, done = 0;
	tt_track_op_t *ops = calloc(n, sizeof(*ops));

	for (i = 0; i < n; i++)
		ops[i] = i % 2 ? tt_op_free(i - 1) : tt_op_alloc(i, 4096, i % 5);
	CHECK_EQ(0, tt_track_batch(dev, ops, 0, &done));
	CHECK_EQ(0, fake_calls);
	CHECK_EQ(0, tt_track_batch(dev, ops, n, &done));
	CHECK_EQ(n, done);
	CHECK_EQ(2, fake_batches);
	CHECK_EQ(n, fake_nlog);
	CHECK_EQ(0, memcmp(ops, fake_log, n * sizeof(*ops)));

	fake_reset(ttkmd_fd(dev));
	fake_fail_at = 4106;	/* index 10 of the second chunk */
	fake_fail_err = EEXIST;
	CHECK_EQ(-EEXIST, tt_track_batch(dev, ops, n, &done));
	CHECK_EQ(4106, done);
	CHECK_EQ(4106, fake_nlog);
	free(ops);
	ttkmd_close(dev);
}

static void test_tracker_buffers(void)
{
	ttkmd_dev_t *dev = fake_dev();
	tt_tracker_t *t;
	int i;

	CHECK_EQ(0, tt_tracker_create(dev, 4, &t));
	CHECK_EQ(0, tt_tracker_flush(t));	/* empty: no ioctl */
	for (i = 0; i < 4; i++)
		CHECK_EQ(0, tt_tracker_alloc(t, i, 100 + i, TT_BUFFER_TYPE_L1));
	CHECK_EQ(0, fake_calls);		/* all queued, nothing sent */
	CHECK_EQ(4, tt_tracker_pending(t));
	CHECK_EQ(0, tt_tracker_free(t, 0));	/* full: flushes 4 first */
	CHECK_EQ(1, fake_batches);
	CHECK_EQ(4, fake_nlog);
	CHECK_EQ(1, tt_tracker_pending(t));
	CHECK_EQ(0, tt_tracker_flush(t));
	CHECK_EQ(2, fake_batches);
	CHECK_EQ(5, fake_nlog);
	CHECK_EQ(0, tt_tracker_pending(t));
	CHECK_EQ(TENSTORRENT_TRACK_OP_FREE, fake_log[4].op);
	CHECK_EQ(0, fake_log[4].buffer_id);
	CHECK_EQ(103, fake_log[3].size);
	CHECK_EQ(TT_BUFFER_TYPE_L1, fake_log[3].buffer_type);
	/* destroy flushes what is queued */
	CHECK_EQ(0, tt_tracker_alloc(t, 9, 1, 0));
	CHECK_EQ(0, tt_tracker_destroy(t));
	CHECK_EQ(6, fake_nlog);
	CHECK_EQ(9, fake_log[5].buffer_id);
	ttkmd_close(dev);
}

static void test_tracker_failure(void)
{
	ttkmd_dev_t *dev = fake_dev();
	tt_track_op_t failed;
	tt_tracker_t *t;
	int i;

	CHECK_EQ(0, tt_tracker_create(dev, 8, &t));
	for (i = 0; i < 4; i++)
		CHECK_EQ(0, tt_tracker_alloc(t, i, 64, 0));
	fake_fail_at = 1;
	fake_fail_err = EEXIST;
	memset(&failed, 0xff, sizeof(failed));
	CHECK_EQ(-EEXIST, tt_tracker_flush_failed(t, &failed));
	CHECK_EQ(1, failed.buffer_id);
	CHECK_EQ(1, fake_nlog);			/* op 0 applied */
	CHECK_EQ(2, tt_tracker_pending(t));	/* 1 dropped, 2 and 3 left */
	CHECK_EQ(0, tt_tracker_flush(t));
	CHECK_EQ(3, fake_nlog);
	CHECK_EQ(2, fake_log[1].buffer_id);
	CHECK_EQ(3, fake_log[2].buffer_id);

	/* a failing automatic flush still queues the new op */
	for (i = 0; i < 8; i++)
		CHECK_EQ(0, tt_tracker_free(t, i));
	fake_err = ENODEV;
	CHECK_EQ(-ENODEV, tt_tracker_free(t, 100));
	CHECK_EQ(8, tt_tracker_pending(t));	/* 1 dropped, 1 added */
	CHECK_EQ(-ENODEV, tt_tracker_destroy(t));
	ttkmd_close(dev);
}

/* The tracker's reference keeps the open file after ttkmd_close() */
static void test_tracker_outlives_handle(void)
{
	ttkmd_dev_t *dev = fake_dev();
	int fd = ttkmd_fd(dev);
	tt_tracker_t *t;

	CHECK_EQ(0, tt_tracker_create(dev, 4, &t));
	CHECK_EQ(0, tt_tracker_alloc(t, 1, 64, 0));
	ttkmd_close(dev);
	CHECK(fcntl(fd, F_GETFD) >= 0);
	CHECK_EQ(0, tt_tracker_alloc(t, 2, 64, 0));
	CHECK_EQ(0, tt_tracker_flush(t));
	CHECK_EQ(2, fake_nlog);
	CHECK_EQ(0, tt_tracker_free(t, 1));
	CHECK_EQ(0, tt_tracker_destroy(t));	/* flushes, then closes */
	CHECK_EQ(3, fake_nlog);
	CHECK_EQ(TENSTORRENT_TRACK_OP_FREE, fake_log[2].op);
	CHECK(fcntl(fd, F_GETFD) < 0);

	/* and in the other order the handle is closed by ttkmd_close() */
	dev = fake_dev();
	fd = ttkmd_fd(dev);
	CHECK_EQ(0, tt_tracker_create(dev, 4, &t));
	CHECK_EQ(0, tt_tracker_destroy(t));
	CHECK(fcntl(fd, F_GETFD) >= 0);
	ttkmd_close(dev);
	CHECK(fcntl(fd, F_GETFD) < 0);
}

#define THREADS	4
#define PER_THREAD 1000

static void *tracker_thread(void *arg)
{
	tt_tracker_t *t = arg;
	static int base;
	int i, me = __atomic_fetch_add(&base, 1, __ATOMIC_SEQ_CST);

	for (i = 0; i < PER_THREAD; i++)
		if (tt_tracker_alloc(t, (uint64_t)me * PER_THREAD + i, 8, 0))
			return (void *)1;
	return NULL;
}

static void test_tracker_threads(void)
{
	ttkmd_dev_t *dev = fake_dev();
	pthread_t th[THREADS];
	static char seen[THREADS * PER_THREAD];
	tt_tracker_t *t;
	void *r;
	size_t i;
	int bad = 0;

	CHECK_EQ(0, tt_tracker_create(dev, 64, &t));
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, tracker_thread, t);
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], &r);
		bad += r != NULL;
	}
	CHECK_EQ(0, bad);
	CHECK_EQ(0, tt_tracker_destroy(t));
	CHECK_EQ(THREADS * PER_THREAD, fake_nlog);
	for (i = 0; i < fake_nlog; i++) {
		if (fake_log[i].buffer_id >= THREADS * PER_THREAD ||
		    seen[fake_log[i].buffer_id]++)
			bad++;
	}
	CHECK_EQ(0, bad);
	ttkmd_close(dev);
}

static void test_device_list(void)
{
	int idx[4], n = ttkmd_list(NULL, 0);

	CHECK(n >= 0);
	CHECK_EQ(n, ttkmd_list(idx, 4));
}

/* the library's internal root override, in libttkmd.a only */
int ttkmd_list_cards_at(const char *root, tt_card_info_t *cards, size_t max);

/* write @len bytes of @val to @root/@card/@name; NULL @val: a symlink */
static void fake_attr(const char *root, const char *card, const char *name,
		      const char *val, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, card);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, card, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_EQ((long)len, write(fd, val, len));
	close(fd);
}

static void test_card_list_sysfs(void)
{
	char root[] = "/tmp/ttkmd-sysfs-XXXXXX", big[200], cmd[64], path[512];
	tt_card_info_t c[4];
	int n;

	CHECK(mkdtemp(root));
	CHECK_EQ(-ENOENT, ttkmd_list_cards_at("/nonexistent/tenstorrent",
					      c, 4));
	CHECK_EQ(-EINVAL, ttkmd_list_cards_at(root, NULL, 1));
	CHECK_EQ(0, ttkmd_list_cards_at(root, c, 4));

	/* a complete card, with a parent device */
	fake_attr(root, "tenstorrent!3", "card_type", "wormhole\n", 9);
	fake_attr(root, "tenstorrent!3", "dram_total", "12884901888\n", 12);
	fake_attr(root, "tenstorrent!3", "l1_total", "1536\n", 5);
	fake_attr(root, "tenstorrent!3", "system_memory_total", "7\n", 2);
	snprintf(path, sizeof(path), "%s/tenstorrent!3/device", root);
	CHECK_EQ(0, symlink("../../devices/pci0000:00/0000:01:00.0", path));
	/* no attribute at all: a card still, with zeros */
	fake_attr(root, "tenstorrent!1", "other", "x", 1);
	/* garbage: sign, suffix, overflow, NUL, second line, too long */
	memset(big, 'a', sizeof(big));
	fake_attr(root, "tenstorrent!10", "dram_total", "-5\n", 3);
	fake_attr(root, "tenstorrent!10", "l1_total", "12k\n", 4);
	fake_attr(root, "tenstorrent!10", "system_memory_total",
		  "99999999999999999999\n", 21);
	fake_attr(root, "tenstorrent!10", "card_type", big, sizeof(big));
	fake_attr(root, "tenstorrent!12", "dram_total", "5\0\n", 3);
	fake_attr(root, "tenstorrent!12", "l1_total", "5\n6\n", 4);
	fake_attr(root, "tenstorrent!12", "card_type", "bad type\n", 9);
	/* not cards */
	fake_attr(root, "tenstorrent!x", "dram_total", "1\n", 2);
	fake_attr(root, "other2", "dram_total", "1\n", 2);

	memset(c, 0xff, sizeof(c));
	n = ttkmd_list_cards_at(root, c, 4);
	CHECK_EQ(4, n);
	CHECK_EQ(1, c[0].index);
	CHECK_EQ(sizeof(tt_card_info_t), c[0].size);
	CHECK(!c[0].bus_id[0] && !c[0].card_type[0] && !c[0].dram_total &&
	      !c[0].l1_total && !c[0].system_memory_total && !c[0].reserved[0]);
	CHECK_EQ(3, c[1].index);
	CHECK(!strcmp(c[1].bus_id, "0000:01:00.0"));
	CHECK(!strcmp(c[1].card_type, "wormhole"));
	CHECK(c[1].dram_total == 12884901888ull);
	CHECK_EQ(1536, c[1].l1_total);
	CHECK_EQ(7, c[1].system_memory_total);
	CHECK_EQ(10, c[2].index);
	CHECK(!c[2].card_type[0] && !c[2].dram_total && !c[2].l1_total &&
	      !c[2].system_memory_total);
	CHECK_EQ(12, c[3].index);
	CHECK(!c[3].card_type[0] && !c[3].dram_total && !c[3].l1_total);

	/* fewer slots than cards: the count, and only @max filled */
	memset(c, 0, sizeof(c));
	CHECK_EQ(4, ttkmd_list_cards_at(root, c, 1));
	CHECK(c[0].index == 1 && c[1].size == 0);
	CHECK_EQ(4, ttkmd_list_cards_at(root, NULL, 0));

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_EQ(0, system(cmd));
}

static void test_card_stats_errors(void)
{
	tt_alloc_stats_t st;
	int n = tt_list_cards(NULL, 0);

	CHECK(n >= 0 || n == -ENOENT);
	CHECK_EQ(-EINVAL, tt_list_cards(NULL, 1));
	CHECK_EQ(-EINVAL, tt_query_card_stats(-1, &st));
	CHECK_EQ(-EINVAL, tt_query_card_stats(0, NULL));
	CHECK_EQ(0, fake_calls);
	/* no such card: open(2) fails, no ioctl */
	CHECK_EQ(-ENOENT, tt_query_card_stats(0x7ffffff0, &st));
	CHECK_EQ(0, fake_calls);
}

static void test_inline_ops(void)
{
	tt_track_op_t a = tt_op_alloc(5, 6, 3), f = tt_op_free(5);

	CHECK_EQ(32, sizeof(a));
	CHECK(a.buffer_id == 5 && a.size == 6 && a.buffer_type == 3 &&
	      a.op == TENSTORRENT_TRACK_OP_ALLOC && !a.flags);
	CHECK(f.buffer_id == 5 && !f.size && !f.buffer_type &&
	      f.op == TENSTORRENT_TRACK_OP_FREE && !f.flags);
	f = tt_op_free_typed(5, TT_BUFFER_TYPE_CB);
	CHECK(f.buffer_type == TT_BUFFER_TYPE_CB &&
	      f.flags == TENSTORRENT_TRACK_TYPED && !f.fd);
	a = tt_op_on(tt_op_ref(a), 9);
	CHECK(a.flags == (TENSTORRENT_TRACK_REF | TENSTORRENT_TRACK_TARGET) &&
	      a.fd == 9 && a.size == 6);
	CHECK_EQ(-EINVAL, tt_track_mesh(NULL, 1, a, NULL));
	CHECK_EQ(-EINVAL, tt_track_free_typed(NULL, 5, 1));
	CHECK_EQ(-EINVAL, tt_track_allocation_flags(NULL, 5, 1, 1, 0));
}

static void fake_reset_none(void)
{
	fake_reset(-1);
}

static const struct tap_test tests[] = {
	{ "null_dev_einval", test_null_dev_einval },
	{ "null_out_einval", test_null_out_einval },
	{ "bad_args_before_syscall", test_bad_args_before_syscall },
	{ "open_errors_and_cloexec", test_open_errors_and_cloexec },
	{ "rdonly_queries_but_does_not_track",
	  test_rdonly_queries_but_does_not_track },
	{ "devnull_not_available", test_devnull_not_available },
	{ "available_enotty_einval_mapping", test_available_mapping },
	{ "errno_mapping", test_errno_mapping },
	{ "eintr_retried", test_eintr_retried },
	{ "strerror", test_strerror },
	{ "batch_chunks_and_partial", test_batch_chunks },
	{ "tracker_buffers_and_flushes", test_tracker_buffers },
	{ "tracker_failure_keeps_rest", test_tracker_failure },
	{ "tracker_threads", test_tracker_threads },
	{ "tracker_outlives_handle", test_tracker_outlives_handle },
	{ "device_list", test_device_list },
	{ "inline_ops", test_inline_ops },
	{ "card_list_sysfs", test_card_list_sysfs },
	{ "card_stats_errors", test_card_stats_errors },
};

int main(void)
{
	int ret = tap_run(tests, sizeof(tests) / sizeof(tests[0]), "",
			  fake_reset_none);

	free(fake_log);
	return ret;
}
