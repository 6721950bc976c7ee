// SPDX-License-Identifier: GPL-2.0-only
/*
 * What tracking one allocation costs: the tracking ioctls one by one, in
 * batches and through libttkmd, from threads and processes, against two
 * user-space designs measured in the same run: the socket server tt-metal
 * uses today (one 112-byte message per operation to a daemon that keeps a
 * hash map), and a shared-memory counter table (no records, nothing a
 * monitor can trust: the lower bound).
 *
 *   tt_bench_track [-n PAIRS] [-r ROUNDS] [-d CARD]   (root, in the test VM)
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
	R_FLOOR_ENOTTY, R_FLOOR_INFO, R_TRACK_ALLOC, R_TRACK_FREE,
	R_TRACK_PAIR, R_TRACK_PAIR_P50, R_TRACK_PAIR_P99,
	R_BATCH16, R_BATCH64, R_BATCH256, R_LIB_PAIR, R_LIB_BATCH64,
	R_SOCKET_E2E, R_SOCKET_CPU, R_SHM, R_THREADS1, R_THREADS2, R_PROCS2,
	NR_RESULTS
};

static const struct {
	const char *name;
	const char *unit;
} result_desc[NR_RESULTS] = {
	[R_FLOOR_ENOTTY]	= { "floor_enotty", "ns/op" },
	[R_FLOOR_INFO]		= { "floor_info", "ns/op" },
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
	[R_SHM]			= { "shm", "ns/op" },
	[R_THREADS1]		= { "threads1", "ops/s" },
	[R_THREADS2]		= { "threads2", "ops/s" },
	[R_PROCS2]		= { "procs2", "ops/s" },
};

static double *values;		/* [NR_RESULTS][rounds] */

static void record(int res, int round, double v)
{
	values[res * rounds + round] = v;
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

static void run_floor_enotty(int round)
{
	uint64_t t0;

	enotty_calls(warm_n);
	t0 = now_ns();
	enotty_calls(n_pairs);
	record(R_FLOOR_ENOTTY, round, (double)(now_ns() - t0) / n_pairs);
}

static void run_floor_info(int round)
{
	uint64_t t0;

	info_calls(warm_n);
	t0 = now_ns();
	info_calls(n_pairs);
	record(R_FLOOR_INFO, round, (double)(now_ns() - t0) / n_pairs);
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

/* ---- contender: the socket server of the proposal (tt_sock_server.c) ---- */

static int sock_fd = -1;
static pid_t srv_pid;
static int32_t sock_pid;		/* getpid() once, not per message */
static int sock_sndbuf;			/* SO_SNDBUF the kernel granted */
static unsigned long sock_eagain;	/* send()s refused for a full buffer */
static unsigned long sock_partial;	/* send()s that took part of a message */

static void sock_send(uint8_t type, uint64_t id)
{
	struct sock_msg msg = { 0 };
	const char *p = (const char *)&msg;
	size_t left = sizeof(msg);
	struct timespec ts;

	msg.type = type;
	msg.device_id = card;
	msg.buffer_id = id;
	msg.process_id = sock_pid;
	if (type == MSG_ALLOC) {
		msg.size = BUF_SIZE;
		msg.buffer_type = BUF_TYPE;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	msg.timestamp_ns = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;

	/*
	 * Non-blocking, as the proposal's client; but where it would drop the
	 * message when the buffer is full, wait for room: a lost FREE is a
	 * leak the monitor shows forever.
	 */
	for (;;) {
		ssize_t r = send(sock_fd, p, left, MSG_DONTWAIT | MSG_NOSIGNAL);
		struct pollfd pfd = { .fd = sock_fd, .events = POLLOUT };

		if (r == (ssize_t)left)
			return;
		if (r > 0) {
			sock_partial++;
			p += r;
			left -= r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			fail("send to the tracking server: %s", strerror(errno));
		sock_eagain++;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			fail("poll on the tracking server's socket: %s",
			     strerror(errno));
	}
}

static struct sock_reply sock_sync(void)
{
	struct sock_reply reply;
	size_t got = 0;

	sock_send(MSG_SYNC, 0);
	while (got < sizeof(reply)) {
		ssize_t r = recv(sock_fd, (char *)&reply + got,
				 sizeof(reply) - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fail("the tracking server went away (%s)",
			     r ? strerror(errno) : "end of file");
		got += r;
	}
	return reply;
}

static void sock_check(const struct sock_reply *reply, long pairs)
{
	if (reply->live)
		fail("the socket server holds %llu records after all frees",
		     (unsigned long long)reply->live);
	if (reply->errors)
		fail("the socket server saw %llu bad messages",
		     (unsigned long long)reply->errors);
	if (reply->messages != 2 * (uint64_t)pairs)
		fail("the socket server got %llu messages, not %ld",
		     (unsigned long long)reply->messages, 2 * pairs);
}

static void sock_pairs(long pairs)
{
	long i;

	for (i = 0; i < pairs; i++) {
		sock_send(MSG_ALLOC, buf_id(i));
		sock_send(MSG_FREE, buf_id(i));
	}
}

static void run_socket(int round)
{
	struct rusage ru0, ru1;
	struct sock_reply reply;
	uint64_t t0, t1;

	sock_pairs(warm_n);
	reply = sock_sync();
	sock_check(&reply, warm_n);

	sock_eagain = sock_partial = 0;
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ns();
	sock_pairs(n_pairs);
	reply = sock_sync();
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &ru1);
	sock_check(&reply, n_pairs);

	printf("# round %d socket: client cpu %.1f ns/op, server cpu %.1f ns/op, %lu EAGAIN waits, %lu partial sends\n",
	       round + 1, (double)(tt_sock_rusage_ns(&ru1) - tt_sock_rusage_ns(&ru0)) / (2.0 * n_pairs),
	       (double)reply.cpu_ns / (2.0 * n_pairs), sock_eagain, sock_partial);
	record(R_SOCKET_E2E, round, (double)(t1 - t0) / (2.0 * n_pairs));
	record(R_SOCKET_CPU, round,
	       (double)(tt_sock_rusage_ns(&ru1) - tt_sock_rusage_ns(&ru0) + reply.cpu_ns) /
	       (2.0 * n_pairs));
}

/* Fork the server and connect to it, before anything is measured. */
static void sock_start(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int lfd, size = 1 << 20;
	socklen_t len = sizeof(size);

	snprintf(addr.sun_path, sizeof(addr.sun_path),
		 "/tmp/tt_bench_track.%d.sock", (int)getpid());
	unlink(addr.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1))
		fail("server socket %s: %s", addr.sun_path, strerror(errno));

	fflush(stdout);
	srv_pid = fork();
	if (srv_pid < 0)
		fail("fork: %s", strerror(errno));
	if (srv_pid == 0)
		tt_sock_server_main(lfd, bench_pid);
	close(lfd);

	sock_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock_fd < 0)
		fail("socket: %s", strerror(errno));
	/* the proposal's client asks for 1 MiB; net.core.wmem_max may cap it */
	if (setsockopt(sock_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)))
		fail("SO_SNDBUF: %s", strerror(errno));
	if (connect(sock_fd, (struct sockaddr *)&addr, sizeof(addr)))
		fail("connect %s: %s", addr.sun_path, strerror(errno));
	unlink(addr.sun_path);
	getsockopt(sock_fd, SOL_SOCKET, SO_SNDBUF, &size, &len);
	sock_sndbuf = size;
	sock_pid = getpid();
}

static void sock_stop(void)
{
	pid_t pid = srv_pid;
	int status = 0;

	close(sock_fd);
	srv_pid = 0;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail("the socket server failed (status 0x%x)", status);
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

static const struct contender {
	const char *name;
	void (*run)(int round);
} contenders[] = {
	{ "floor_enotty", run_floor_enotty },
	{ "floor_info", run_floor_info },
	{ "track_alloc/track_free", run_track_alloc_free },
	{ "track_pair", run_track_pair },
	{ "track_pair latency", run_track_pair_latency },
	{ "batch16", run_batch16 },
	{ "batch64", run_batch64 },
	{ "batch256", run_batch256 },
	{ "lib_pair", run_lib_pair },
	{ "lib_batch64", run_lib_batch64 },
	{ "socket", run_socket },
	{ "shm", run_shm },
	{ "threads1", run_threads1 },
	{ "threads2", run_threads2 },
	{ "procs2", run_procs2 },
};

#define NR_CONTENDERS	((int)(sizeof(contenders) / sizeof(contenders[0])))

static void cleanup(void)
{
	if (getpid() != bench_pid)
		return;
	if (shm)
		shm_unlink(shm_name);
	/* on failure: the server is ours to reap */
	if (srv_pid > 0) {
		kill(srv_pid, SIGKILL);
		waitpid(srv_pid, NULL, 0);
	}
}

static __attribute__((noreturn)) void usage(FILE *f, int code)
{
	fprintf(f,
		"usage: tt_bench_track [-n PAIRS] [-r ROUNDS] [-d CARD]\n"
		"  -n PAIRS   alloc+free pairs per contender and round (default 1000000)\n"
		"  -r ROUNDS  rounds; results are medians over them (default 5)\n"
		"  -d CARD    /dev/tenstorrent/CARD (default 0, below %d)\n",
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
	ret = tt_get_tracking_info(lib_dev, &info);
	if (ret)
		fail("GET_TRACKING_INFO: %s", tt_strerror(ret));
	if (info.max_records < (uint64_t)n_pairs)
		fail("track_alloc holds %ld records, the driver allows %llu (module parameter max_records)",
		     n_pairs, (unsigned long long)info.max_records);
	for (i = 0; i < 1000; i++)
		now_ns();
	t0 = now_ns();
	for (i = 0; i < 10000; i++)
		now_ns();

	printf("# tt_bench_track: %ld pairs per contender, %d rounds, card %d\n",
	       n_pairs, rounds, card);
	printf("# kernel %s %s, %ld CPUs online, clocksource %s (clock_gettime %.1f ns)\n",
	       u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), clocksource,
	       (now_ns() - t0) / 10000.0);
	printf("# driver: tracking ABI %u, max_records %llu; buffers of %llu B, ids 0x%llx + i << %d\n",
	       info.abi_version, (unsigned long long)info.max_records,
	       (unsigned long long)BUF_SIZE, (unsigned long long)BUF_ID_BASE,
	       BUF_ID_SHIFT);
	printf("# socket server: Unix stream, SO_SNDBUF asked %d, granted %d (net.core.wmem_max caps it)\n",
	       1 << 20, sock_sndbuf);
	printf("# each contender runs once a round, the order rotating; warm-up %ld; result = median over rounds\n",
	       warm_n);
}

int main(int argc, char **argv)
{
	char path[48];
	int opt, r, j, ret;

	while ((opt = getopt(argc, argv, "n:r:d:h")) != -1) {
		switch (opt) {
		case 'n':
			n_pairs = parse_num(optarg, 1, 1L << 30);
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

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_pid = getpid();
	warm_n = n_pairs < WARMUP_MAX ? n_pairs : WARMUP_MAX;
	values = calloc((size_t)NR_RESULTS * rounds, sizeof(*values));
	if (!values)
		fail("out of memory");
	atexit(cleanup);

	/* the server first, so it holds nothing of ours but its socket */
	sock_start();
	shm_start();

	snprintf(path, sizeof(path), "/dev/tenstorrent/%d", card);
	dev_fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		fail("open %s: %s", path, strerror(errno));
	/* the library on the same open file, so one query checks both */
	ret = ttkmd_open_fd(dev_fd, &lib_dev);
	if (ret)
		fail("ttkmd_open_fd: %s", tt_strerror(ret));
	print_header();
	check_no_records(dev_fd, "opening");

	for (r = 0; r < rounds; r++) {
		printf("# round %d of %d\n", r + 1, rounds);
		for (j = 0; j < NR_CONTENDERS; j++) {
			const struct contender *c =
				&contenders[(r + j) % NR_CONTENDERS];

			c->run(r);
			check_no_records(dev_fd, c->name);
		}
	}

	sock_stop();
	ttkmd_close(lib_dev);
	close(dev_fd);

	for (j = 0; j < NR_RESULTS; j++)
		printf("result %s %.1f %s\n", result_desc[j].name,
		       median(&values[j * rounds], rounds), result_desc[j].unit);
	return 0;
}
