/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The socket servers tt_bench_track compares the driver against, both one
 * message per allocation or free over a Unix stream socket to a daemon
 * that keeps every buffer in a chained hash map and per-card totals:
 *
 * - the proposal's sketch: 112-byte messages, sent without blocking, read
 *   by one thread in large recv()s that take many messages at once;
 * - tt-metal's allocation server as it ships: 144-byte packed messages,
 *   a blocking send() with a 1 MiB send buffer, and a thread per
 *   connection that reads each message with recv(MSG_PEEK) and then
 *   recv(); and the same with one plain recv() per message.
 *
 * Both are re-implementations of the same work from those descriptions,
 * so that the benchmark measures them in the same run, on the same
 * machine; no code of either is in them.
 */
#ifndef TT_SOCK_SERVER_H
#define TT_SOCK_SERVER_H

#include <assert.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "tenstorrent_track.h"

/* Rows of the server's per-card table: a message for a card beyond is bad */
#define TT_SOCK_MAX_CARDS	64

enum { MSG_ALLOC = 1, MSG_FREE = 2, MSG_SYNC = 3 };

/*
 * The proposal's AllocMessage: one per allocation or free, 112 bytes with the
 * fields a QUERY's answer fills. SYNC is this benchmark's: "tell me when
 * you have processed everything before this".
 */
struct sock_msg {
	uint8_t type;
	uint8_t pad0[3];
	uint32_t device_id;
	uint64_t size;
	uint8_t buffer_type;
	uint8_t pad1[3];
	int32_t process_id;
	uint64_t buffer_id;
	uint64_t timestamp_ns;		/* CLOCK_REALTIME at send */
	uint64_t dram_allocated;	/* a QUERY's answer */
	uint64_t l1_allocated;
	uint64_t l1_small_allocated;
	uint64_t trace_allocated;
	uint64_t reserved[5];
};
static_assert(sizeof(struct sock_msg) == 112,
	      "the proposal's messages are 112 bytes");

/*
 * tt-metal's message: 144 bytes, no padding, no version field. The fields
 * the server reads are laid out as the sketch's, so one handler serves
 * both; the rest stands for what tt-metal's message carries besides.
 */
struct metal_msg {
	struct sock_msg m;
	uint8_t rest[32];
};
static_assert(sizeof(struct metal_msg) == 144,
	      "tt-metal's allocation messages are 144 bytes");

/* Which server, and how it reads its connections */
enum tt_sock_kind {
	TT_SOCK_SKETCH,		/* the proposal's: one thread, large recv()s */
	TT_SOCK_METAL_PEEK,	/* tt-metal's: recv(MSG_PEEK), then recv() */
	TT_SOCK_METAL_RECV,	/* tt-metal's with one plain recv() */
};

/* The server's answer to SYNC */
struct sock_reply {
	uint64_t cpu_ns;	/* its user+sys time from the round's first message */
	uint64_t messages;	/* ALLOC and FREE messages of the round */
	uint64_t live;		/* records in its map */
	uint64_t errors;	/* frees of unknown buffers, double allocs, ... */
};

/* User plus system time of a getrusage() answer, in nanoseconds */
static inline uint64_t tt_sock_rusage_ns(const struct rusage *ru)
{
	return (uint64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000000 +
	       (uint64_t)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000;
}

/*
 * The server process, in the child of a fork(): accepts clients on the
 * listening socket @lfd (the sketch: one; tt-metal's: each in a thread of
 * its own), answers their messages until the first hangs up, then exits 0
 * (1 on any error, or when a message was cut off at the end). It dies
 * with @parent and exits at once when that is no longer its parent.
 */
__attribute__((noreturn)) void tt_sock_server_main(int lfd, pid_t parent,
						   enum tt_sock_kind kind);

#endif /* TT_SOCK_SERVER_H */
