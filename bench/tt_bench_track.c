// SPDX-License-Identifier: GPL-2.0-only
/*
 * What tracking one allocation costs: the tracking ioctls one by one, in
 * batches and through libttkmd, from threads and processes, against the
 * user-space designs measured in the same run: the proposal's socket
 * server sketch (one 112-byte message per operation to a daemon that keeps
 * a hash map), tt-metal's allocation server as it ships (144-byte
 * messages, a blocking send, recv(MSG_PEEK) then recv() per message in a
 * thread per connection) and with one plain recv(), and a shared-memory
 * counter table (no records, nothing a monitor can trust: the lower
 * bound). Beside them the host's floors (an ioctl /dev/null refuses, an
 * ioctl that copies an int in, a small sysfs read), and a tt-metal-shaped
 * trace (../driver/track_bench.h) replayed through every contender.
 *
 *   tt_bench_track [-H] [-n PAIRS] [-m PAIRS] [-t REPLAYS] [-r ROUNDS] [-d CARD]
 *
 * As root in the test VM; with -H (no driver) anywhere, natively on the
 * host too: only the contenders that need no driver run.
 *
 * Every contender runs once per round, the order rotating from round to
 * round; each result is the median over rounds. Output: "# " comment lines
 * (per-round values among them), then one "result <name> <value> <unit>"
 * line per measurement. A benchmark: it asserts nothing about speed, but
 * exits 1 when any call fails or a contender leaves a record behind, so a
 * broken run never prints plausible numbers. Exit 2: bad usage.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ttkmd.h"
#include "tt_sock_server.h"
#include "../driver/track_bench.h"

/* Buffers as tt-metal names DRAM buffers: 1 MiB apart from 0x800000000 */
#define BUF_ID_BASE	0x800000000ULL
#define BUF_ID_SHIFT	20
/* 4 KiB each: a batch of live buffers stays within the card's DRAM */
#define BUF_SIZE	(1ULL << 12)
#define BUF_TYPE	TT_BUFFER_TYPE_DRAM

/* No tracking ioctl has this number: the driver answers ENOTTY at once. */
#define IOCTL_UNKNOWN	_IO(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x7f)

#define WARMUP_MAX	1000L
#define LATENCY_MAX	100000L
/* rows of the socket server's and shm's tables */
#define MAX_CARDS	TT_SOCK_MAX_CARDS

static long n_pairs = 1000000;
/* tt-metal's server as it ships takes tens of microseconds a message */
static long metal_n = 20000;
static long trace_reps = 40;
static bool host_only;		/* -H: no driver, only what runs anywhere */
static int rounds = 5;
static int card;

static long warm_n;		/* pairs (or calls) of a contender's warm-up */
static int dev_fd = -1;		/* the open file every contender but procs2 uses */
static ttkmd_dev_t *lib_dev;	/* libttkmd's handle on that same open file */
static pid_t bench_pid;		/* children must not run the exit cleanup */

static uint64_t buf_id(long i)
{
	return BUF_ID_BASE + ((uint64_t)i << BUF_ID_SHIFT);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static __attribute__((noreturn, format(printf, 1, 2)))
void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("tt_bench_track: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static __attribute__((noreturn, cold))
void ioctl_failed(const char *what, uint64_t id, int err)
{
	fail("%s (buffer id 0x%llx) failed: %s", what, (unsigned long long)id,
	     strerror(err));
}

/* ---- results ---- */

enum {
	R_FLOOR_ENOTTY, R_FLOOR_INFO, R_FLOOR_NULL, R_FLOOR_COPYIN,
	R_FLOOR_SYSFS, R_TRACK_ALLOC, R_TRACK_FREE,
	R_TRACK_PAIR, R_TRACK_PAIR_P50, R_TRACK_PAIR_P99,
	R_BATCH16, R_BATCH64, R_BATCH256, R_LIB_PAIR, R_LIB_BATCH64,
	R_SOCKET_E2E, R_SOCKET_CPU, R_METAL_PEEK, R_METAL_PEEK_CPU,
	R_METAL_RECV, R_METAL_RECV_CPU, R_SHM, R_THREADS1, R_THREADS2,
	R_PROCS2, R_TRACE_IOCTL, R_TRACE_BATCH64, R_TRACE_SOCKET,
	R_TRACE_METAL_PEEK, R_TRACE_METAL_RECV, R_TRACE_SHM,
	NR_RESULTS
};

static const struct {
	const char *name;
	const char *unit;
} result_desc[NR_RESULTS] = {
	[R_FLOOR_ENOTTY]	= { "floor_enotty", "ns/op" },
	[R_FLOOR_INFO]		= { "floor_info", "ns/op" },
	[R_FLOOR_NULL]		= { "floor_null", "ns/op" },
	[R_FLOOR_COPYIN]	= { "floor_copyin", "ns/op" },
	[R_FLOOR_SYSFS]		= { "floor_sysfs", "ns/op" },
	[R_TRACK_ALLOC]		= { "track_alloc", "ns/op" },
	[R_TRACK_FREE]		= { "track_free", "ns/op" },
	[R_TRACK_PAIR]		= { "track_pair", "ns/op" },
	[R_TRACK_PAIR_P50]	= { "track_pair_p50", "ns/pair" },
	[R_TRACK_PAIR_P99]	= { "track_pair_p99", "ns/pair" },
	[R_BATCH16]		= { "batch16", "ns/op" },
	[R_BATCH64]		= { "batch64", "ns/op" },
	[R_BATCH256]		= { "batch256", "ns/op" },
	[R_LIB_PAIR]		= { "lib_pair", "ns/op" },
	[R_LIB_BATCH64]		= { "lib_batch64", "ns/op" },
	[R_SOCKET_E2E]		= { "socket_e2e", "ns/op" },
	[R_SOCKET_CPU]		= { "socket_cpu", "ns/op" },
	[R_METAL_PEEK]		= { "metal_peek", "ns/op" },
	[R_METAL_PEEK_CPU]	= { "metal_peek_cpu", "ns/op" },
	[R_METAL_RECV]		= { "metal_recv", "ns/op" },
	[R_METAL_RECV_CPU]	= { "metal_recv_cpu", "ns/op" },
	[R_SHM]			= { "shm", "ns/op" },
	[R_THREADS1]		= { "threads1", "ops/s" },
	[R_THREADS2]		= { "threads2", "ops/s" },
	[R_PROCS2]		= { "procs2", "ops/s" },
	[R_TRACE_IOCTL]		= { "trace_ioctl", "ns/op" },
	[R_TRACE_BATCH64]	= { "trace_batch64", "ns/op" },
	[R_TRACE_SOCKET]	= { "trace_socket", "ns/op" },
	[R_TRACE_METAL_PEEK]	= { "trace_metal_peek", "ns/op" },
	[R_TRACE_METAL_RECV]	= { "trace_metal_recv", "ns/op" },
	[R_TRACE_SHM]		= { "trace_shm", "ns/op" },
};

static double *values;		/* [NR_RESULTS][rounds] */
static bool measured[NR_RESULTS];

static void record(int res, int round, double v)
{
	values[res * rounds + round] = v;
	measured[res] = true;
	printf("# round %d %s %.1f %s\n", round + 1, result_desc[res].name, v,
	       result_desc[res].unit);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the driver, directly ---- */

static inline void track_alloc(int fd, uint64_t id)
{
	struct tenstorrent_track_alloc a = { 0 };

	a.in.buffer_id = id;
	a.in.size = BUF_SIZE;
	a.in.buffer_type = BUF_TYPE;
	if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a))
		ioctl_failed("TRACK_ALLOC", id, errno);
}

static inline void track_free(int fd, uint64_t id)
{
	struct tenstorrent_track_free f = { 0 };

	f.in.buffer_id = id;
	if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_FREE, &f))
		ioctl_failed("TRACK_FREE", id, errno);
}

static void track_pairs(int fd, long first, long count)
{
	long i;

	for (i = first; i < first + count; i++) {
		track_alloc(fd, buf_id(i));
		track_free(fd, buf_id(i));
	}
}

static struct tenstorrent_alloc_totals file_totals(int fd)
{
	struct tenstorrent_query_alloc_stats q = { 0 };

	if (ioctl(fd, TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, &q))
		ioctl_failed("QUERY_ALLOC_STATS", 0, errno);
	return q.out.file;
}

/* The file must hold no record after a contender: else its numbers lie. */
static void check_no_records(int fd, const char *after)
{
	struct tenstorrent_alloc_totals t = file_totals(fd);
	int type;

	for (type = 0; type < TENSTORRENT_BUFFER_TYPE_MAX; type++)
		if (t.buffers[type] || t.allocated[type])
			fail("%s left %llu buffers (%llu bytes) of type %d live on the open file",
			     after, (unsigned long long)t.buffers[type],
			     (unsigned long long)t.allocated[type], type);
}

/* ---- contenders: the floor ---- */

static void enotty_calls(long calls)
{
	long i;

	for (i = 0; i < calls; i++)
		if (ioctl(dev_fd, IOCTL_UNKNOWN, NULL) != -1 || errno != ENOTTY)
			fail("an unknown ioctl did not fail with ENOTTY (%s)",
			     strerror(errno));
}

static void info_calls(long calls)
{
	struct tenstorrent_tracking_info info = { 0 };
	long i;

	for (i = 0; i < calls; i++)
		if (ioctl(dev_fd, TENSTORRENT_IOCTL_GET_TRACKING_INFO, &info))
			ioctl_failed("GET_TRACKING_INFO", 0, errno);
}


/*
 * The host's floors, which need no driver: an ioctl no file answers
 * (ENOTTY from /dev/null, which has no ioctl handler); FIONBIO, which
 * every file answers in the VFS after copying an int in from the caller;
 * and a read of a small sysfs file (a few bytes, through kernfs).
 */
static int null_fd = -1;
static int sysfs_fd = -1;
#define SYSFS_FLOOR	"/sys/devices/system/cpu/online"

static void null_calls(long calls)
{
	long i;

	for (i = 0; i < calls; i++)
		if (ioctl(null_fd, IOCTL_UNKNOWN, NULL) != -1 || errno != ENOTTY)
			fail("an ioctl on /dev/null did not fail with ENOTTY (%s)",
			     strerror(errno));
}

static void copyin_calls(long calls)
{
	int off = 0;
	long i;

	for (i = 0; i < calls; i++)
		if (ioctl(null_fd, FIONBIO, &off))
			fail("FIONBIO on /dev/null: %s", strerror(errno));
}

static void sysfs_calls(long calls)
{
	char buf[64];
	long i;

	for (i = 0; i < calls; i++)
		if (pread(sysfs_fd, buf, sizeof(buf), 0) <= 0)
			fail("read %s: %s", SYSFS_FLOOR, strerror(errno));
}

static void run_calls(int round, int res, void (*calls)(long calls))
{
	uint64_t t0;

	calls(warm_n);
	t0 = now_ns();
	calls(n_pairs);
	record(res, round, (double)(now_ns() - t0) / n_pairs);
}

static void run_floor_enotty(int round)
{
	run_calls(round, R_FLOOR_ENOTTY, enotty_calls);
}

static void run_floor_info(int round)
{
	run_calls(round, R_FLOOR_INFO, info_calls);
}

static void run_floor_null(int round)
{
	run_calls(round, R_FLOOR_NULL, null_calls);
}

static void run_floor_copyin(int round)
{
	run_calls(round, R_FLOOR_COPYIN, copyin_calls);
}

static void run_floor_sysfs(int round)
{
	run_calls(round, R_FLOOR_SYSFS, sysfs_calls);
}

/* ---- contenders: one ioctl per operation ---- */

static void run_track_alloc_free(int round)
{
	uint64_t t0, t1, t2;
	long i;

	for (i = 0; i < warm_n; i++)
		track_alloc(dev_fd, buf_id(i));
	for (i = 0; i < warm_n; i++)
		track_free(dev_fd, buf_id(i));

	t0 = now_ns();
	for (i = 0; i < n_pairs; i++)
		track_alloc(dev_fd, buf_id(i));
	t1 = now_ns();
	if (file_totals(dev_fd).buffers[BUF_TYPE] != (uint64_t)n_pairs)
		fail("track_alloc: the file does not hold the %ld buffers recorded",
		     n_pairs);
	t2 = now_ns();
	for (i = 0; i < n_pairs; i++)
		track_free(dev_fd, buf_id(i));
	record(R_TRACK_ALLOC, round, (double)(t1 - t0) / n_pairs);
	record(R_TRACK_FREE, round, (double)(now_ns() - t2) / n_pairs);
}

static void run_track_pair(int round)
{
	uint64_t t0;

	track_pairs(dev_fd, 0, warm_n);
	t0 = now_ns();
	track_pairs(dev_fd, 0, n_pairs);
	record(R_TRACK_PAIR, round, (double)(now_ns() - t0) / (2.0 * n_pairs));
}

/* Latency of single pairs; a separate pass, the clock read around each. */
static void run_track_pair_latency(int round)
{
	static uint64_t lat[LATENCY_MAX];
	long i, m = n_pairs < LATENCY_MAX ? n_pairs : LATENCY_MAX;

	track_pairs(dev_fd, 0, warm_n);
	for (i = 0; i < m; i++) {
		uint64_t t0 = now_ns();

		track_alloc(dev_fd, buf_id(i));
		track_free(dev_fd, buf_id(i));
		lat[i] = now_ns() - t0;
	}
	qsort(lat, m, sizeof(lat[0]), cmp_u64);
	record(R_TRACK_PAIR_P50, round, (double)lat[m / 2]);
	record(R_TRACK_PAIR_P99, round, (double)lat[m * 99 / 100]);
}

/* ---- contenders: batches ---- */

/* Ops [2k] and [2k+1] allocate and free buffer first + k. */
static void fill_pairs(tt_track_op_t *ops, long first, long pairs)
{
	long k;

	for (k = 0; k < pairs; k++) {
		ops[2 * k] = tt_op_alloc(buf_id(first + k), BUF_SIZE, BUF_TYPE);
		ops[2 * k + 1] = tt_op_free(buf_id(first + k));
	}
}

static void batch_pairs(int ops_per_call, long pairs)
{
	static tt_track_op_t ops[256];
	long done, k;

	for (done = 0; done < pairs; done += k) {
		struct tenstorrent_track_batch b = { 0 };

		k = pairs - done < ops_per_call / 2 ? pairs - done
						    : ops_per_call / 2;
		fill_pairs(ops, done, k);
		b.in.ops = (uintptr_t)ops;
		b.in.count = 2 * k;
		if (ioctl(dev_fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b))
			fail("TRACK_BATCH of %ld ops (op %u, buffer id 0x%llx) failed: %s",
			     2 * k, b.out.processed,
			     (unsigned long long)ops[b.out.processed].buffer_id,
			     strerror(errno));
		if (b.out.processed != 2 * k)
			fail("TRACK_BATCH applied %u of %ld ops", b.out.processed,
			     2 * k);
	}
}

static void run_batch(int round, int res, int ops_per_call)
{
	uint64_t t0;

	batch_pairs(ops_per_call, warm_n);
	t0 = now_ns();
	batch_pairs(ops_per_call, n_pairs);
	record(res, round, (double)(now_ns() - t0) / (2.0 * n_pairs));
}

static void run_batch16(int round)
{
	run_batch(round, R_BATCH16, 16);
}

static void run_batch64(int round)
{
	run_batch(round, R_BATCH64, 64);
}

static void run_batch256(int round)
{
	run_batch(round, R_BATCH256, 256);
}

/* ---- contenders: libttkmd ---- */

static void lib_pairs(long pairs)
{
	long i;
	int ret;

	for (i = 0; i < pairs; i++) {
		ret = tt_track_allocation(lib_dev, buf_id(i), BUF_SIZE, BUF_TYPE);
		if (ret)
			ioctl_failed("tt_track_allocation", buf_id(i), -ret);
		ret = tt_track_free(lib_dev, buf_id(i));
		if (ret)
			ioctl_failed("tt_track_free", buf_id(i), -ret);
	}
}

static void run_lib_pair(int round)
{
	uint64_t t0;

	lib_pairs(warm_n);
	t0 = now_ns();
	lib_pairs(n_pairs);
	record(R_LIB_PAIR, round, (double)(now_ns() - t0) / (2.0 * n_pairs));
}

static void lib_batch_pairs(long pairs)
{
	static tt_track_op_t ops[64];
	size_t processed;
	long done, k;
	int ret;

	for (done = 0; done < pairs; done += k) {
		k = pairs - done < 32 ? pairs - done : 32;
		fill_pairs(ops, done, k);
		ret = tt_track_batch(lib_dev, ops, 2 * k, &processed);
		if (ret)
			fail("tt_track_batch of %ld ops (op %zu) failed: %s",
			     2 * k, processed, tt_strerror(ret));
		if (processed != (size_t)(2 * k))
			fail("tt_track_batch applied %zu of %ld ops", processed,
			     2 * k);
	}
}

static void run_lib_batch64(int round)
{
	uint64_t t0;

	lib_batch_pairs(warm_n);
	t0 = now_ns();
	lib_batch_pairs(n_pairs);
	record(R_LIB_BATCH64, round, (double)(now_ns() - t0) / (2.0 * n_pairs));
}

/* ---- contenders: the socket servers (tt_sock_server.c) ---- */

/*
 * A connection to one of the servers, each in a process of its own,
 * forked before anything is measured.
 */
struct sock_client {
	const char *name;
	int fd;
	pid_t pid;
	int sndbuf;		/* SO_SNDBUF the kernel granted */
	unsigned long eagain;	/* send()s refused for a full buffer */
	unsigned long partial;	/* send()s that took part of a message */
};

static struct sock_client sock_clients[] = {
	[TT_SOCK_SKETCH]	= { .name = "socket", .fd = -1 },
	[TT_SOCK_METAL_PEEK]	= { .name = "metal_peek", .fd = -1 },
	[TT_SOCK_METAL_RECV]	= { .name = "metal_recv", .fd = -1 },
};

#define NR_SOCK	((int)(sizeof(sock_clients) / sizeof(sock_clients[0])))

static int32_t sock_pid;		/* getpid() once, not per message */

/*
 * The sketch's client sends without blocking, as the proposal's; but
 * where that would drop the message when the buffer is full, it waits for
 * room: a lost FREE is a leak the monitor shows forever.
 */
static void sock_send_sketch(struct sock_client *c, const void *msg,
			     size_t left)
{
	const char *p = msg;

	for (;;) {
		ssize_t r = send(c->fd, p, left, MSG_DONTWAIT | MSG_NOSIGNAL);
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };

		if (r == (ssize_t)left)
			return;
		if (r > 0) {
			c->partial++;
			p += r;
			left -= r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			fail("send to the tracking server: %s", strerror(errno));
		c->eagain++;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			fail("poll on the tracking server's socket: %s",
			     strerror(errno));
	}
}

/* tt-metal's client: a blocking send() of each message */
static void sock_send_metal(struct sock_client *c, const void *msg,
			    size_t left)
{
	const char *p = msg;

	while (left) {
		ssize_t r = send(c->fd, p, left, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fail("send to the tracking server: %s", strerror(errno));
		if ((size_t)r < left)
			c->partial++;
		p += r;
		left -= r;
	}
}

static void sock_send(struct sock_client *c, uint8_t type, uint64_t id,
		      uint64_t size, uint8_t buffer_type)
{
	struct metal_msg msg = { 0 };
	struct timespec ts;

	msg.m.type = type;
	msg.m.device_id = card;
	msg.m.buffer_id = id;
	msg.m.process_id = sock_pid;
	if (type == MSG_ALLOC) {
		msg.m.size = size;
		msg.m.buffer_type = buffer_type;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	msg.m.timestamp_ns = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (c == &sock_clients[TT_SOCK_SKETCH])
		sock_send_sketch(c, &msg.m, sizeof(msg.m));
	else
		sock_send_metal(c, &msg, sizeof(msg));
}

static struct sock_reply sock_sync(struct sock_client *c)
{
	struct sock_reply reply;
	size_t got = 0;

	sock_send(c, MSG_SYNC, 0, 0, 0);
	while (got < sizeof(reply)) {
		ssize_t r = recv(c->fd, (char *)&reply + got,
				 sizeof(reply) - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fail("the tracking server %s went away (%s)", c->name,
			     r ? strerror(errno) : "end of file");
		got += r;
	}
	return reply;
}

static void sock_check(const struct sock_client *c,
		       const struct sock_reply *reply, long messages)
{
	if (reply->live)
		fail("the %s server holds %llu records after all frees",
		     c->name, (unsigned long long)reply->live);
	if (reply->errors)
		fail("the %s server saw %llu bad messages", c->name,
		     (unsigned long long)reply->errors);
	if (reply->messages != (uint64_t)messages)
		fail("the %s server got %llu messages, not %ld", c->name,
		     (unsigned long long)reply->messages, messages);
}

static void sock_pairs(struct sock_client *c, long pairs)
{
	long i;

	for (i = 0; i < pairs; i++) {
		sock_send(c, MSG_ALLOC, buf_id(i), BUF_SIZE, BUF_TYPE);
		sock_send(c, MSG_FREE, buf_id(i), 0, 0);
	}
}

/* A round of @pairs pairs, end to end and in CPU time, per message */
static void run_sock(int round, struct sock_client *c, long pairs,
		     int res_e2e, int res_cpu)
{
	struct rusage ru0, ru1;
	struct sock_reply reply;
	uint64_t t0, t1;
	long warm = warm_n < pairs ? warm_n : pairs;

	sock_pairs(c, warm);
	reply = sock_sync(c);
	sock_check(c, &reply, 2 * warm);

	c->eagain = c->partial = 0;
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ns();
	sock_pairs(c, pairs);
	reply = sock_sync(c);
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &ru1);
	sock_check(c, &reply, 2 * pairs);

	printf("# round %d %s: client cpu %.1f ns/op, server cpu %.1f ns/op, %lu EAGAIN waits, %lu partial sends\n",
	       round + 1, c->name,
	       (double)(tt_sock_rusage_ns(&ru1) - tt_sock_rusage_ns(&ru0)) / (2.0 * pairs),
	       (double)reply.cpu_ns / (2.0 * pairs), c->eagain, c->partial);
	record(res_e2e, round, (double)(t1 - t0) / (2.0 * pairs));
	record(res_cpu, round,
	       (double)(tt_sock_rusage_ns(&ru1) - tt_sock_rusage_ns(&ru0) + reply.cpu_ns) /
	       (2.0 * pairs));
}

static void run_socket(int round)
{
	run_sock(round, &sock_clients[TT_SOCK_SKETCH], n_pairs, R_SOCKET_E2E,
		 R_SOCKET_CPU);
}

static void run_metal_peek(int round)
{
	run_sock(round, &sock_clients[TT_SOCK_METAL_PEEK], metal_n,
		 R_METAL_PEEK, R_METAL_PEEK_CPU);
}

static void run_metal_recv(int round)
{
	run_sock(round, &sock_clients[TT_SOCK_METAL_RECV], n_pairs,
		 R_METAL_RECV, R_METAL_RECV_CPU);
}

/* Fork server @kind and connect to it. */
static void sock_start(enum tt_sock_kind kind)
{
	struct sock_client *c = &sock_clients[kind];
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int lfd, size = 1 << 20;
	socklen_t len = sizeof(size);

	snprintf(addr.sun_path, sizeof(addr.sun_path),
		 "/tmp/tt_bench_track.%d.%d.sock", (int)getpid(), kind);
	unlink(addr.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1))
		fail("server socket %s: %s", addr.sun_path, strerror(errno));

	fflush(stdout);
	c->pid = fork();
	if (c->pid < 0)
		fail("fork: %s", strerror(errno));
	if (c->pid == 0) {
		int i;

		/* an earlier server's client end would keep it from a hang-up */
		for (i = 0; i < NR_SOCK; i++)
			if (sock_clients[i].fd >= 0)
				close(sock_clients[i].fd);
		tt_sock_server_main(lfd, bench_pid, kind);
	}
	close(lfd);

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		fail("socket: %s", strerror(errno));
	/* both clients ask for 1 MiB; net.core.wmem_max may cap it */
	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)))
		fail("SO_SNDBUF: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)))
		fail("connect %s: %s", addr.sun_path, strerror(errno));
	unlink(addr.sun_path);
	getsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &size, &len);
	c->sndbuf = size;
	sock_pid = getpid();
}

static void sock_stop(struct sock_client *c)
{
	pid_t pid = c->pid;
	int status = 0;

	close(c->fd);
	c->pid = 0;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail("the %s server failed (status 0x%x)", c->name, status);
}

/* ---- contender: shared-memory counters ---- */

/*
 * tt-metal's shared-memory table: per card, bytes and buffers per type,
 * each array on its own cache line. No records: nothing to list, check or
 * clean up when the process dies, so a lower bound, not an equal.
 */
struct shm_card {
	_Alignas(64) _Atomic uint64_t allocated[TENSTORRENT_BUFFER_TYPE_MAX];
	_Alignas(64) _Atomic uint64_t buffers[TENSTORRENT_BUFFER_TYPE_MAX];
};

struct shm_table {
	struct shm_card card[MAX_CARDS];
};

static struct shm_table *shm;
static char shm_name[64];

/*
 * Relaxed: each counter is a statistic of its own, read by a monitor that
 * needs every value it sees to be one the counter had (atomicity gives
 * that), and nothing else is published through them, so no ordering is
 * needed. On x86-64 a relaxed and a seq_cst read-modify-write are the same
 * lock xadd, so the choice does not change the number, only what it claims.
 */
static void shm_pairs(long pairs)
{
	struct shm_card *c = &shm->card[card];
	long i;

	for (i = 0; i < pairs; i++) {
		atomic_fetch_add_explicit(&c->allocated[BUF_TYPE], BUF_SIZE,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&c->buffers[BUF_TYPE], 1,
					  memory_order_relaxed);
		atomic_fetch_sub_explicit(&c->allocated[BUF_TYPE], BUF_SIZE,
					  memory_order_relaxed);
		atomic_fetch_sub_explicit(&c->buffers[BUF_TYPE], 1,
					  memory_order_relaxed);
	}
}

static void run_shm(int round)
{
	struct shm_card *c = &shm->card[card];
	uint64_t t0;

	shm_pairs(warm_n);
	t0 = now_ns();
	shm_pairs(n_pairs);
	record(R_SHM, round, (double)(now_ns() - t0) / (2.0 * n_pairs));
	if (atomic_load(&c->allocated[BUF_TYPE]) || atomic_load(&c->buffers[BUF_TYPE]))
		fail("shm: the counters are not back to zero");
}

static void shm_start(void)
{
	int fd;

	snprintf(shm_name, sizeof(shm_name), "/tt_bench_track.%d",
		 (int)getpid());
	fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		fail("shm_open %s: %s", shm_name, strerror(errno));
	if (ftruncate(fd, sizeof(*shm)))
		fail("ftruncate %s: %s", shm_name, strerror(errno));
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (shm == MAP_FAILED)
		fail("mmap %s: %s", shm_name, strerror(errno));
	close(fd);
}

/* ---- the tt-metal-shaped trace (track_bench.h), through each contender ---- */

static struct tt_bench_trace_op trace[TT_BENCH_TRACE_OPS];

static void trace_ioctl(void)
{
	int i;

	for (i = 0; i < TT_BENCH_TRACE_OPS; i++) {
		const struct tt_bench_trace_op *op = &trace[i];

		if (op->alloc) {
			struct tenstorrent_track_alloc a = { 0 };

			a.in.buffer_id = op->id;
			a.in.size = op->size;
			a.in.buffer_type = op->type;
			if (ioctl(dev_fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a))
				ioctl_failed("trace: TRACK_ALLOC", op->id, errno);
		} else {
			struct tenstorrent_track_free f = { 0 };

			f.in.buffer_id = op->id;
			f.in.buffer_type = op->type;
			f.in.flags = TENSTORRENT_TRACK_TYPED;
			if (ioctl(dev_fd, TENSTORRENT_IOCTL_TRACK_FREE, &f))
				ioctl_failed("trace: TRACK_FREE", op->id, errno);
		}
	}
}

static void trace_batch64(void)
{
	static tt_track_op_t ops[64];
	int done, k, i;

	for (done = 0; done < TT_BENCH_TRACE_OPS; done += k) {
		struct tenstorrent_track_batch b = { 0 };

		k = TT_BENCH_TRACE_OPS - done < 64 ? TT_BENCH_TRACE_OPS - done : 64;
		for (i = 0; i < k; i++) {
			const struct tt_bench_trace_op *op = &trace[done + i];

			ops[i] = op->alloc ?
				 tt_op_alloc(op->id, op->size, op->type) :
				 tt_op_free_typed(op->id, op->type);
		}
		b.in.ops = (uintptr_t)ops;
		b.in.count = k;
		if (ioctl(dev_fd, TENSTORRENT_IOCTL_TRACK_BATCH, &b) ||
		    b.out.processed != (uint32_t)k)
			fail("trace: TRACK_BATCH applied %u of %d ops: %s",
			     b.out.processed, k, strerror(errno));
	}
}

static void trace_sock(struct sock_client *c)
{
	int i;

	for (i = 0; i < TT_BENCH_TRACE_OPS; i++)
		sock_send(c, trace[i].alloc ? MSG_ALLOC : MSG_FREE, trace[i].id,
			  trace[i].size, trace[i].type);
}

static void trace_shm(void)
{
	struct shm_card *c = &shm->card[card];
	int i;

	for (i = 0; i < TT_BENCH_TRACE_OPS; i++) {
		const struct tt_bench_trace_op *op = &trace[i];

		if (op->alloc) {
			atomic_fetch_add_explicit(&c->allocated[op->type], op->size,
						  memory_order_relaxed);
			atomic_fetch_add_explicit(&c->buffers[op->type], 1,
						  memory_order_relaxed);
		} else {
			atomic_fetch_sub_explicit(&c->allocated[op->type], op->size,
						  memory_order_relaxed);
			atomic_fetch_sub_explicit(&c->buffers[op->type], 1,
						  memory_order_relaxed);
		}
	}
}

/* One replay of the trace through contender @res, a socket's for @c */
static void trace_once(int res, struct sock_client *c)
{
	switch (res) {
	case R_TRACE_IOCTL:
		trace_ioctl();
		break;
	case R_TRACE_BATCH64:
		trace_batch64();
		break;
	case R_TRACE_SHM:
		trace_shm();
		break;
	default:
		trace_sock(c);
	}
}

/*
 * @reps replays after one of warm-up, per operation; a socket's time ends
 * with its server's answer to a SYNC after the last.
 */
static void run_trace(int round, int res, struct sock_client *c, long reps)
{
	struct sock_reply reply;
	uint64_t t0;
	long r;

	trace_once(res, c);
	if (c) {
		reply = sock_sync(c);
		sock_check(c, &reply, TT_BENCH_TRACE_OPS);
	}
	t0 = now_ns();
	for (r = 0; r < reps; r++)
		trace_once(res, c);
	if (c) {
		reply = sock_sync(c);
		sock_check(c, &reply, reps * TT_BENCH_TRACE_OPS);
	}
	record(res, round, (double)(now_ns() - t0) / (reps * TT_BENCH_TRACE_OPS));
}

static void run_trace_ioctl(int round)
{
	run_trace(round, R_TRACE_IOCTL, NULL, trace_reps);
}

static void run_trace_batch64(int round)
{
	run_trace(round, R_TRACE_BATCH64, NULL, trace_reps);
}

static void run_trace_socket(int round)
{
	run_trace(round, R_TRACE_SOCKET, &sock_clients[TT_SOCK_SKETCH],
		  trace_reps);
}

static void run_trace_metal_peek(int round)
{
	long reps = trace_reps * metal_n / n_pairs;

	run_trace(round, R_TRACE_METAL_PEEK, &sock_clients[TT_SOCK_METAL_PEEK],
		  reps > 0 ? reps : 1);
}

static void run_trace_metal_recv(int round)
{
	run_trace(round, R_TRACE_METAL_RECV, &sock_clients[TT_SOCK_METAL_RECV],
		  trace_reps);
}

static void run_trace_shm(int round)
{
	struct shm_card *c = &shm->card[card];
	int t;

	run_trace(round, R_TRACE_SHM, NULL, trace_reps);
	for (t = 0; t < TENSTORRENT_BUFFER_TYPE_MAX; t++)
		if (atomic_load(&c->allocated[t]) || atomic_load(&c->buffers[t]))
			fail("trace: the shm counters are not back to zero");
}

/* ---- contenders: threads on one file, processes with a file each ---- */

struct worker {
	pthread_t thread;
	pthread_barrier_t *start;
	long first, pairs;
	uint64_t t_start, t_end;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(w->start);
	w->t_start = now_ns();
	track_pairs(dev_fd, w->first, w->pairs);
	w->t_end = now_ns();
	return NULL;
}

/*
 * n_pairs pairs in all, split over the workers; the wall time is from the
 * first worker's start to the last one's end.
 */
static void run_threads(int round, int res, int nthreads)
{
	struct worker w[2];
	pthread_barrier_t start;
	uint64_t t0 = UINT64_MAX, t1 = 0;
	double ops_s;
	int i, err;

	track_pairs(dev_fd, 0, warm_n);
	pthread_barrier_init(&start, NULL, nthreads);
	for (i = 0; i < nthreads; i++) {
		w[i].start = &start;
		w[i].first = n_pairs * i / nthreads;
		w[i].pairs = n_pairs * (i + 1) / nthreads - w[i].first;
		err = pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
		if (err)
			fail("pthread_create: %s", strerror(err));
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		t0 = w[i].t_start < t0 ? w[i].t_start : t0;
		t1 = w[i].t_end > t1 ? w[i].t_end : t1;
	}
	pthread_barrier_destroy(&start);
	ops_s = 2.0 * n_pairs * 1e9 / (t1 - t0);
	printf("# round %d %s as time: %.1f ns/op\n", round + 1,
	       result_desc[res].name, 1e9 / ops_s);
	record(res, round, ops_s);
}

static void run_threads1(int round)
{
	run_threads(round, R_THREADS1, 1);
}

static void run_threads2(int round)
{
	run_threads(round, R_THREADS2, 2);
}

struct proc_times {
	uint64_t t_start, t_end;
};

static void read_all(int fd, void *p, size_t len, const char *what)
{
	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fail("procs2: a child failed before %s", what);
		p = (char *)p + r;
		len -= r;
	}
}

static __attribute__((noreturn))
void proc_main(int ready, int go, int done, long first, long pairs)
{
	char path[48], c = 0;
	struct proc_times t;
	int fd;

	snprintf(path, sizeof(path), "/dev/tenstorrent/%d", card);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fail("procs2: open %s: %s", path, strerror(errno));
	track_pairs(fd, first, warm_n < pairs ? warm_n : pairs);
	if (write(ready, &c, 1) != 1)
		_exit(1);
	/* the parent's closing of the pipe starts both children at once */
	if (read(go, &c, 1) != 0)
		_exit(1);
	t.t_start = now_ns();
	track_pairs(fd, first, pairs);
	t.t_end = now_ns();
	check_no_records(fd, "procs2");
	if (write(done, &t, sizeof(t)) != sizeof(t))
		_exit(1);
	_exit(0);
}

static void run_procs2(int round)
{
	int ready[2], go[2], done[2], i, status;
	uint64_t t0 = UINT64_MAX, t1 = 0;
	struct proc_times t[2];
	pid_t pid[2];
	char c[2];

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC) ||
	    pipe2(done, O_CLOEXEC))
		fail("pipe: %s", strerror(errno));
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			fail("fork: %s", strerror(errno));
		if (pid[i] == 0) {
			close(ready[0]);
			close(go[1]);
			close(done[0]);
			proc_main(ready[1], go[0], done[1], n_pairs * i / 2,
				  n_pairs * (i + 1) / 2 - n_pairs * i / 2);
		}
	}
	close(ready[1]);
	close(go[0]);
	close(done[1]);
	read_all(ready[0], c, 2, "starting");
	close(go[1]);
	read_all(done[0], t, sizeof(t), "finishing");
	for (i = 0; i < 2; i++) {
		if (waitpid(pid[i], &status, 0) != pid[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			fail("procs2: child %d failed (status 0x%x)", (int)pid[i],
			     status);
		t0 = t[i].t_start < t0 ? t[i].t_start : t0;
		t1 = t[i].t_end > t1 ? t[i].t_end : t1;
	}
	close(ready[0]);
	close(done[0]);
	printf("# round %d procs2 as time: %.1f ns/op\n", round + 1,
	       (double)(t1 - t0) / (2.0 * n_pairs));
	record(R_PROCS2, round, 2.0 * n_pairs * 1e9 / (t1 - t0));
}

/* ---- main ---- */

/* @driver: needs the driver's device; skipped with -H */
static const struct contender {
	const char *name;
	void (*run)(int round);
	bool driver;
} contenders[] = {
	{ "floor_enotty", run_floor_enotty, true },
	{ "floor_info", run_floor_info, true },
	{ "floor_null", run_floor_null, false },
	{ "floor_copyin", run_floor_copyin, false },
	{ "floor_sysfs", run_floor_sysfs, false },
	{ "track_alloc/track_free", run_track_alloc_free, true },
	{ "track_pair", run_track_pair, true },
	{ "track_pair latency", run_track_pair_latency, true },
	{ "batch16", run_batch16, true },
	{ "batch64", run_batch64, true },
	{ "batch256", run_batch256, true },
	{ "lib_pair", run_lib_pair, true },
	{ "lib_batch64", run_lib_batch64, true },
	{ "socket", run_socket, false },
	{ "metal_peek", run_metal_peek, false },
	{ "metal_recv", run_metal_recv, false },
	{ "shm", run_shm, false },
	{ "threads1", run_threads1, true },
	{ "threads2", run_threads2, true },
	{ "procs2", run_procs2, true },
	{ "trace_ioctl", run_trace_ioctl, true },
	{ "trace_batch64", run_trace_batch64, true },
	{ "trace_socket", run_trace_socket, false },
	{ "trace_metal_peek", run_trace_metal_peek, false },
	{ "trace_metal_recv", run_trace_metal_recv, false },
	{ "trace_shm", run_trace_shm, false },
};

#define NR_CONTENDERS	((int)(sizeof(contenders) / sizeof(contenders[0])))

static void cleanup(void)
{
	int i;

	if (getpid() != bench_pid)
		return;
	if (shm)
		shm_unlink(shm_name);
	/* on failure: the servers are ours to reap */
	for (i = 0; i < NR_SOCK; i++)
		if (sock_clients[i].pid > 0) {
			kill(sock_clients[i].pid, SIGKILL);
			waitpid(sock_clients[i].pid, NULL, 0);
		}
}

static __attribute__((noreturn)) void usage(FILE *f, int code)
{
	fprintf(f,
		"usage: tt_bench_track [-H] [-n PAIRS] [-m PAIRS] [-t REPLAYS] [-r ROUNDS] [-d CARD]\n"
		"  -H          no driver: only the host's floors, the socket servers and shm\n"
		"  -n PAIRS    alloc+free pairs per contender and round (default 1000000)\n"
		"  -m PAIRS    pairs for tt-metal's server with MSG_PEEK (default 20000, at most -n)\n"
		"  -t REPLAYS  replays of the trace per contender and round (default 40)\n"
		"  -r ROUNDS   rounds; results are medians over them (default 5)\n"
		"  -d CARD     /dev/tenstorrent/CARD (default 0, below %d)\n",
		MAX_CARDS);
	exit(code);
}

static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		usage(stderr, 2);
	return v;
}

static void print_header(void)
{
	struct tenstorrent_tracking_info_out info;
	char clocksource[64] = "?";
	struct utsname u;
	uint64_t t0;
	FILE *f;
	int i, ret;

	uname(&u);
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "r");
	if (f) {
		if (fscanf(f, "%63s", clocksource) != 1)
			strcpy(clocksource, "?");
		fclose(f);
	}
	for (i = 0; i < 1000; i++)
		now_ns();
	t0 = now_ns();
	for (i = 0; i < 10000; i++)
		now_ns();

	printf("# tt_bench_track: %ld pairs per contender (tt-metal's server with MSG_PEEK: %ld), trace of %d ops replayed %ld times, %d rounds%s\n",
	       n_pairs, metal_n, TT_BENCH_TRACE_OPS, trace_reps, rounds,
	       host_only ? ", no driver (-H)" : "");
	printf("# kernel %s %s, %ld CPUs online, clocksource %s (clock_gettime %.1f ns)\n",
	       u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), clocksource,
	       (now_ns() - t0) / 10000.0);
	if (!host_only) {
		ret = tt_get_tracking_info(lib_dev, &info);
		if (ret)
			fail("GET_TRACKING_INFO: %s", tt_strerror(ret));
		if (info.max_records < (uint64_t)n_pairs)
			fail("track_alloc holds %ld records, the driver allows %llu (module parameter max_records)",
			     n_pairs, (unsigned long long)info.max_records);
		printf("# driver: tracking ABI %u, max_records %llu, card %d; buffers of %llu B, ids 0x%llx + i << %d\n",
		       info.abi_version, (unsigned long long)info.max_records,
		       card, (unsigned long long)BUF_SIZE,
		       (unsigned long long)BUF_ID_BASE, BUF_ID_SHIFT);
	}
	printf("# socket servers: Unix stream, SO_SNDBUF asked %d, granted %d (net.core.wmem_max caps it)\n",
	       1 << 20, sock_clients[TT_SOCK_SKETCH].sndbuf);
	printf("# each contender runs once a round, the order rotating; warm-up %ld; result = median over rounds\n",
	       warm_n);
}

int main(int argc, char **argv)
{
	char path[48];
	int opt, r, j, ret;

	while ((opt = getopt(argc, argv, "Hn:m:t:r:d:h")) != -1) {
		switch (opt) {
		case 'H':
			host_only = true;
			break;
		case 'n':
			n_pairs = parse_num(optarg, 1, 1L << 30);
			break;
		case 'm':
			metal_n = parse_num(optarg, 1, 1L << 30);
			break;
		case 't':
			trace_reps = parse_num(optarg, 1, 1L << 20);
			break;
		case 'r':
			rounds = parse_num(optarg, 1, 1000);
			break;
		case 'd':
			card = parse_num(optarg, 0, MAX_CARDS - 1);
			break;
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
	if (metal_n > n_pairs)
		metal_n = n_pairs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_pid = getpid();
	warm_n = n_pairs < WARMUP_MAX ? n_pairs : WARMUP_MAX;
	values = calloc((size_t)NR_RESULTS * rounds, sizeof(*values));
	if (!values)
		fail("out of memory");
	for (j = 0; j < TT_BENCH_TRACE_OPS; j++)
		tt_bench_trace_op(j, &trace[j]);
	atexit(cleanup);

	/* the servers first, so they hold nothing of ours but their sockets */
	for (j = 0; j < NR_SOCK; j++)
		sock_start(j);
	shm_start();

	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0)
		fail("open /dev/null: %s", strerror(errno));
	sysfs_fd = open(SYSFS_FLOOR, O_RDONLY | O_CLOEXEC);
	if (sysfs_fd < 0)
		fail("open %s: %s", SYSFS_FLOOR, strerror(errno));
	if (!host_only) {
		snprintf(path, sizeof(path), "/dev/tenstorrent/%d", card);
		dev_fd = open(path, O_RDWR | O_CLOEXEC);
		if (dev_fd < 0)
			fail("open %s: %s", path, strerror(errno));
		/* the library on the same open file, so one query checks both */
		ret = ttkmd_open_fd(dev_fd, &lib_dev);
		if (ret)
			fail("ttkmd_open_fd: %s", tt_strerror(ret));
		check_no_records(dev_fd, "opening");
	}
	print_header();

	for (r = 0; r < rounds; r++) {
		printf("# round %d of %d\n", r + 1, rounds);
		for (j = 0; j < NR_CONTENDERS; j++) {
			const struct contender *c =
				&contenders[(r + j) % NR_CONTENDERS];

			if (c->driver && host_only)
				continue;
			c->run(r);
			if (!host_only)
				check_no_records(dev_fd, c->name);
		}
	}

	for (j = 0; j < NR_SOCK; j++)
		sock_stop(&sock_clients[j]);
	if (!host_only) {
		ttkmd_close(lib_dev);
		close(dev_fd);
	}

	for (j = 0; j < NR_RESULTS; j++)
		if (measured[j])
			printf("result %s %.1f %s\n", result_desc[j].name,
			       median(&values[j * rounds], rounds),
			       result_desc[j].unit);
	return 0;
}
