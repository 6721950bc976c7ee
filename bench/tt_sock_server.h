/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The socket server tt_bench_track compares the driver against: the
 * design the proposal describes tt-metal using today, one 112-byte message
 * per allocation or free over a Unix stream socket to a daemon that keeps
 * every buffer in a chained hash map and per-card totals. The messages are
 * the proposal's; the server is a re-implementation of the same work, so
 * that the benchmark measures it in the same run, on the same machine.
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
 * The server process, in the child of a fork(): accepts one client on the
 * listening socket @lfd, answers its messages until it hangs up, then
 * exits 0 (1 on any error, or when a message was cut off at the end). It
 * dies with @parent and exits at once when that is no longer its parent.
 */
__attribute__((noreturn)) void tt_sock_server_main(int lfd, pid_t parent);

#endif /* TT_SOCK_SERVER_H */
