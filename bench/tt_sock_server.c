// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracking servers of tt_bench_track: see tt_sock_server.h. Every
 * record a malloc() of the proposal's 88-byte BufferInfo in a chained hash
 * map that doubles as it fills, as std::unordered_map does; tt-metal's
 * server takes a mutex around it, since each connection has a thread.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tt_sock_server.h"

/*
 * The server's record of a buffer, as large as the proposal's 88-byte
 * BufferInfo; chained, one malloc() per record, as std::unordered_map does.
 */
struct srv_buffer {
	struct srv_buffer *next;
	struct {
		uint64_t buffer_id;
		uint64_t size;
		uint32_t device_id;
		uint32_t buffer_type;
		int32_t process_id;
		uint32_t ref_count;
		uint64_t alloc_timestamp_ns;
		uint64_t seq;
		uint8_t spare[40];	/* up to the proposal's 88 bytes */
	} info;
};
static_assert(sizeof(((struct srv_buffer *)0)->info) == 88,
	      "the proposal's BufferInfo is 88 bytes");

struct srv_device_stats {
	uint64_t allocated[TENSTORRENT_BUFFER_TYPE_MAX];
	uint64_t buffers[TENSTORRENT_BUFFER_TYPE_MAX];
	uint64_t allocs;
	uint64_t frees;
};

struct srv_map {
	struct srv_buffer **buckets;
	size_t mask;		/* buckets - 1, a power of two minus one */
	size_t count;
};

static size_t srv_bucket(const struct srv_map *m, uint32_t dev, uint64_t id)
{
	/*
	 * Multiplicative hashing. Ids 1 MiB apart leave the low 20 bits of
	 * the product zero: fold the high bits down.
	 */
	uint64_t h = (id ^ ((uint64_t)dev << 58)) * 0x9e3779b97f4a7c15ULL;

	return (h ^ (h >> 29)) & m->mask;
}

static void srv_grow(struct srv_map *m)
{
	size_t n = (m->mask + 1) * 2, i;
	struct srv_buffer **b = calloc(n, sizeof(*b)), *e, *next;
	struct srv_map nm = { b, n - 1, m->count };

	if (!b) {
		fprintf(stderr, "tt_bench_track: server: out of memory\n");
		_exit(1);
	}
	for (i = 0; i <= m->mask; i++)
		for (e = m->buckets[i]; e; e = next) {
			size_t k = srv_bucket(&nm, e->info.device_id,
					      e->info.buffer_id);

			next = e->next;
			e->next = b[k];
			b[k] = e;
		}
	free(m->buckets);
	*m = nm;
}

static struct srv_buffer **srv_find(struct srv_map *m, uint32_t dev,
				    uint64_t id)
{
	struct srv_buffer **p = &m->buckets[srv_bucket(m, dev, id)];

	while (*p && ((*p)->info.buffer_id != id || (*p)->info.device_id != dev))
		p = &(*p)->next;
	return p;
}

struct srv_state {
	struct srv_map map;
	struct srv_device_stats stats[TT_SOCK_MAX_CARDS];
	uint64_t messages, errors, seq;
	struct rusage start;
	int in_round;
};

static void srv_alloc(struct srv_state *s, const struct sock_msg *msg)
{
	struct srv_buffer **p, *e;
	struct srv_device_stats *st;

	p = srv_find(&s->map, msg->device_id, msg->buffer_id);
	if (*p) {
		s->errors++;
		return;
	}
	e = malloc(sizeof(*e));
	if (!e) {
		fprintf(stderr, "tt_bench_track: server: out of memory\n");
		_exit(1);
	}
	memset(e, 0, sizeof(*e));
	e->info.buffer_id = msg->buffer_id;
	e->info.size = msg->size;
	e->info.device_id = msg->device_id;
	e->info.buffer_type = msg->buffer_type;
	e->info.process_id = msg->process_id;
	e->info.ref_count = 1;
	e->info.alloc_timestamp_ns = msg->timestamp_ns;
	e->info.seq = s->seq++;
	e->next = NULL;
	*p = e;
	if (++s->map.count > s->map.mask + 1)
		srv_grow(&s->map);

	st = &s->stats[msg->device_id];
	st->allocated[msg->buffer_type] += msg->size;
	st->buffers[msg->buffer_type]++;
	st->allocs++;
}

static void srv_free(struct srv_state *s, const struct sock_msg *msg)
{
	struct srv_buffer **p, *e;
	struct srv_device_stats *st;

	p = srv_find(&s->map, msg->device_id, msg->buffer_id);
	e = *p;
	if (!e) {
		s->errors++;
		return;
	}
	*p = e->next;
	s->map.count--;

	st = &s->stats[e->info.device_id];
	st->allocated[e->info.buffer_type] -= e->info.size;
	st->buffers[e->info.buffer_type]--;
	st->frees++;
	free(e);
}

static void srv_write_all(int fd, const void *p, size_t len)
{
	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "tt_bench_track: server: write: %s\n",
				strerror(errno));
			_exit(1);
		}
		p = (const char *)p + r;
		len -= r;
	}
}

/* Answer SYNC with the round's totals and start the next round afresh. */
static void srv_sync(struct srv_state *s, int fd)
{
	struct sock_reply reply = { 0 };
	struct rusage now;

	getrusage(RUSAGE_SELF, &now);
	if (s->in_round)
		reply.cpu_ns = tt_sock_rusage_ns(&now) - tt_sock_rusage_ns(&s->start);
	reply.messages = s->messages;
	reply.live = s->map.count;
	reply.errors = s->errors;
	srv_write_all(fd, &reply, sizeof(reply));

	memset(s->stats, 0, sizeof(s->stats));
	s->messages = 0;
	s->errors = 0;
	s->in_round = 0;
}

static void srv_message(struct srv_state *s, const struct sock_msg *msg,
			int fd)
{
	if (!s->in_round) {
		getrusage(RUSAGE_SELF, &s->start);
		s->in_round = 1;
	}
	if (msg->type == MSG_SYNC) {
		srv_sync(s, fd);
		return;
	}
	s->messages++;
	if (msg->device_id >= TT_SOCK_MAX_CARDS ||
	    msg->buffer_type >= TENSTORRENT_BUFFER_TYPE_MAX) {
		s->errors++;
		return;
	}
	if (msg->type == MSG_ALLOC)
		srv_alloc(s, msg);
	else if (msg->type == MSG_FREE)
		srv_free(s, msg);
	else
		s->errors++;
}

/* The client is gone: drop what it left, as the proposal's server does */
static void srv_drop(struct srv_state *s)
{
	struct srv_buffer *e, *next;
	size_t i;

	for (i = 0; i <= s->map.mask; i++)
		for (e = s->map.buckets[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	free(s->map.buckets);
}

static struct srv_state srv;

/* The sketch: large recv()s, each taking every whole message there is */
static void srv_stream(int fd)
{
	static char buf[64 * 1024];
	size_t have = 0, off;

	for (;;) {
		ssize_t r = recv(fd, buf + have, sizeof(buf) - have, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "tt_bench_track: server: recv: %s\n",
				strerror(errno));
			_exit(1);
		}
		if (r == 0)
			break;
		have += r;
		/* a stream: messages may arrive cut anywhere */
		for (off = 0; have - off >= sizeof(struct sock_msg);
		     off += sizeof(struct sock_msg)) {
			struct sock_msg msg;

			memcpy(&msg, buf + off, sizeof(msg));
			srv_message(&srv, &msg, fd);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	srv_drop(&srv);
	_exit(have ? 1 : 0);
}

static pthread_mutex_t srv_lock = PTHREAD_MUTEX_INITIALIZER;

struct srv_conn {
	int fd;
	enum tt_sock_kind kind;
};

/*
 * tt-metal's connection thread: each message peeked at (which waits for
 * data and tells a hang-up), then read whole; or read whole at once.
 */
static void *srv_metal_thread(void *arg)
{
	struct srv_conn *c = arg;
	struct metal_msg msg;
	ssize_t r;

	for (;;) {
		if (c->kind == TT_SOCK_METAL_PEEK) {
			r = recv(c->fd, &msg, sizeof(msg), MSG_PEEK);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
		}
		do {
			r = recv(c->fd, &msg, sizeof(msg), MSG_WAITALL);
		} while (r < 0 && errno == EINTR);
		if (r != sizeof(msg))
			break;
		pthread_mutex_lock(&srv_lock);
		srv_message(&srv, &msg.m, c->fd);
		pthread_mutex_unlock(&srv_lock);
	}
	if (r < 0) {
		fprintf(stderr, "tt_bench_track: server: recv: %s\n",
			strerror(errno));
		_exit(1);
	}
	pthread_mutex_lock(&srv_lock);
	srv_drop(&srv);
	_exit(r ? 1 : 0);
}

void tt_sock_server_main(int lfd, pid_t parent, enum tt_sock_kind kind)
{
	pthread_attr_t attr;
	struct srv_conn *c;
	pthread_t thread;
	int fd;

	/* never outlive the benchmark, whatever happens to it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	srv.map.mask = 15;	/* the proposal's 16 buckets to start with */
	srv.map.buckets = calloc(srv.map.mask + 1, sizeof(*srv.map.buckets));
	if (!srv.map.buckets || pthread_attr_init(&attr) ||
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED))
		_exit(1);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0) {
			fprintf(stderr, "tt_bench_track: server: accept: %s\n",
				strerror(errno));
			_exit(1);
		}
		if (kind == TT_SOCK_SKETCH) {
			close(lfd);
			srv_stream(fd);
		}
		c = malloc(sizeof(*c));
		if (!c)
			_exit(1);
		c->fd = fd;
		c->kind = kind;
		if (pthread_create(&thread, &attr, srv_metal_thread, c)) {
			fprintf(stderr, "tt_bench_track: server: no thread\n");
			_exit(1);
		}
	}
}
