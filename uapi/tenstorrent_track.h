/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Tenstorrent device-memory allocation tracking: the ioctl ABI, version 2.
 *
 * A runtime reports every buffer it allocates or frees on a card with an
 * ioctl on the /dev/tenstorrent/N file it has open. Records belong to that
 * open file; the driver keeps per-file and per-device totals and drops the
 * file's records when it is released.
 *
 * A record is named by its buffer type and buffer id together: tt-metal
 * names a buffer by its address, and its DRAM, L1 and circular-buffer
 * address spaces overlap, so one id may be live once per type.
 *
 * Conventions:
 *  - Every struct is a multiple of 8 bytes with explicit padding and the same
 *    layout for 32- and 64-bit callers. The output part (out) comes first
 *    and the input part (in) last, so that the input can grow at the end.
 *    The struct's size is encoded in the ioctl number: the kernel zero-fills
 *    what an older caller does not pass, and refuses (E2BIG) a newer
 *    caller's tail it does not understand unless that tail is all zero. A
 *    size below this version's is an unknown ioctl (ENOTTY).
 *  - Every pad and reserved field must be zero, every flag known (else
 *    EINVAL). GET_TRACKING_INFO says which flags the driver knows.
 *  - A caller that zero-initialises a struct and sets only the fields it
 *    needs gets the documented behaviour.
 *  - TRACK_ALLOC, TRACK_FREE and TRACK_BATCH change records and need a file
 *    opened for writing; QUERY_ALLOC_STATS and GET_TRACKING_INFO work on
 *    any open file, O_RDONLY included.
 *  - Version 1 of this ABI (ioctl numbers 0x20 to 0x24) is still served,
 *    with version 1's rules, for binaries built against it.
 *
 * Errors (errno after a failed ioctl):
 *  EINVAL     zero size, unknown buffer type, unknown flag, non-zero pad or
 *             reserved field, unknown batch operation, batch count of 0 or
 *             over TENSTORRENT_TRACK_BATCH_MAX, bad batch op_size, a size
 *             or type in an untyped batched free
 *  EEXIST     TRACK_ALLOC of a (type, id) the file holds, without
 *             TENSTORRENT_TRACK_REF, or with it but another size
 *  ENOENT     TRACK_FREE of a (type, id), or an id, the file does not hold
 *  ENOTUNIQ   TRACK_FREE without TENSTORRENT_TRACK_TYPED of an id that is
 *             live in more than one type; nothing is freed
 *  ERANGE     a size, or the file's total in that memory after adding it,
 *             larger than the card's capacity for the memory of the type
 *             (sysfs dram_total, l1_total, system_memory_total)
 *  EOVERFLOW  a record's reference count is at its maximum, or a card total
 *             would overflow
 *  ENOSPC     the file holds the maximum number of records (module
 *             parameter max_records)
 *  EDQUOT     the file's user holds the maximum number of records over all
 *             files and cards (module parameter max_user_records)
 *  ENOMEM     out of memory, also when the caller's memory cgroup is at its
 *             limit (record memory is charged to the caller)
 *  EBADF      a record-changing ioctl on a file not opened for writing; a
 *             batch operation's target descriptor that is not open, or not
 *             open for writing
 *  ENODEV     the card has been removed (the file's or a batch operation's
 *             target's); only close() is left to do
 *  EFAULT     bad user pointer; checked before anything changes, by
 *             writing the struct's first and last bytes back unchanged
 *  E2BIG      a struct (the ioctl's argument, or a batch operation of
 *             op_size bytes) larger than the driver knows, with non-zero
 *             bytes beyond what it knows
 *  ENOTTY     unknown ioctl (e.g. a driver without tracking); a batch
 *             operation whose target is not a tracking file
 */
#ifndef _UAPI_TENSTORRENT_TRACK_H
#define _UAPI_TENSTORRENT_TRACK_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* tt-kmd's ioctl magic; our own name, so no includer can redefine it. */
#define TENSTORRENT_TRACK_IOCTL_MAGIC	0xFA

/* Version of this ABI; see struct tenstorrent_tracking_info. */
#define TENSTORRENT_TRACK_ABI_VERSION	2

/*
 * Buffer types: tt-metal's BufferType values, then the circular buffers
 * and kernel binaries its allocation server tracks. Numbers up to
 * TENSTORRENT_BUFFER_TYPE_MAX - 1 are reserved for more types; the driver
 * reports the ones it knows in tenstorrent_tracking_info.buffer_types.
 * Each type lives in one of the card's memories, whose capacity bounds it:
 * DRAM and TRACE in DRAM; L1, L1_SMALL, CB and KERNEL in L1;
 * SYSTEM_MEMORY in the host's memory.
 */
enum tenstorrent_buffer_type {
	TT_BUFFER_TYPE_DRAM = 0,
	TT_BUFFER_TYPE_L1 = 1,
	TT_BUFFER_TYPE_SYSTEM_MEMORY = 2,
	TT_BUFFER_TYPE_L1_SMALL = 3,
	TT_BUFFER_TYPE_TRACE = 4,
	TT_BUFFER_TYPE_CB = 5,		/* circular buffers */
	TT_BUFFER_TYPE_KERNEL = 6,	/* kernel binaries */
	TT_BUFFER_TYPE_COUNT = 7,	/* types this version knows */
};

/*
 * The name sysfs (<name>_allocated, <name>_peak, ...), debugfs,
 * tracepoints and the tools give each known type, in the enum's order:
 *	static const char *const names[TT_BUFFER_TYPE_COUNT] = {
 *		TENSTORRENT_BUFFER_TYPE_NAMES
 *	};
 */
#define TENSTORRENT_BUFFER_TYPE_NAMES					\
	"dram", "l1", "system_memory", "l1_small", "trace", "cb", "kernel"

/* Size of the per-type arrays in the structs below; room for more types. */
#define TENSTORRENT_BUFFER_TYPE_MAX	8

/* Maximum tenstorrent_track_batch_in.count. */
#define TENSTORRENT_TRACK_BATCH_MAX	4096

/*
 * Flags of TRACK_ALLOC, TRACK_FREE and batch operations.
 *
 * TENSTORRENT_TRACK_REF (allocs): reporting a (type, id) the file holds
 * again, with the same size, adds a reference instead of failing with
 * EEXIST; totals count the buffer once, and it goes with its last free.
 * (tt-metal's program cache reports cached buffers again.) Another size is
 * EEXIST.
 *
 * TENSTORRENT_TRACK_TYPED (frees): buffer_type names the record's type.
 * Without it a free drops the file's only record of that id, whatever its
 * type, and fails with ENOTUNIQ when the id is live in several types.
 *
 * TENSTORRENT_TRACK_TARGET (batch operations): the operation applies to
 * the tracking file open at descriptor fd of the calling process (another
 * card of a mesh, say); the record belongs to that file. One batch can so
 * record a buffer on every card of a mesh.
 */
#define TENSTORRENT_TRACK_REF		0x1U
#define TENSTORRENT_TRACK_TYPED		0x2U
#define TENSTORRENT_TRACK_TARGET	0x4U

/*
 * Three per-type counters, each an array indexed by
 * enum tenstorrent_buffer_type with a name for each known type:
 * allocated[] / dram_allocated, ... (bytes live), peak[] / dram_peak, ...
 * (highest allocated[] seen) and buffers[] / dram_buffers, ... (live
 * records).
 */
#define __TENSTORRENT_PER_TYPE(what)					\
	union {								\
		__u64 what[TENSTORRENT_BUFFER_TYPE_MAX];		\
		struct {						\
			__u64 dram_##what;				\
			__u64 l1_##what;				\
			__u64 system_memory_##what;			\
			__u64 l1_small_##what;				\
			__u64 trace_##what;				\
			__u64 cb_##what;				\
			__u64 kernel_##what;				\
		};							\
	}

/**
 * struct tenstorrent_alloc_totals - live allocations of one scope
 * @allocated: out: bytes live per type (also @dram_allocated, ...)
 * @peak: out: highest @allocated seen per type since the scope began or
 *	the peaks were last reset (also @dram_peak, ...)
 * @buffers: out: live records per type (also @dram_buffers, ...)
 */
struct tenstorrent_alloc_totals {
	__TENSTORRENT_PER_TYPE(allocated);
	__TENSTORRENT_PER_TYPE(peak);
	__TENSTORRENT_PER_TYPE(buffers);
};

/* TRACK_ALLOC: record a buffer the caller allocated on the card. */
#define TENSTORRENT_IOCTL_TRACK_ALLOC \
	_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x28, struct tenstorrent_track_alloc)

/**
 * struct tenstorrent_track_alloc_out - totals after the record was added
 * @file_allocated: out: bytes of this type live in this open file
 * @device_allocated: out: bytes of this type live on the card
 * @refs: out: the record's references now (1 for a new record)
 * @reserved: out: 0
 */
struct tenstorrent_track_alloc_out {
	__u64 file_allocated;
	__u64 device_allocated;
	__u32 refs;
	__u32 reserved;
};

/**
 * struct tenstorrent_track_alloc_in - a buffer to record
 * @buffer_id: in: the caller's name for the buffer, unique among the live
 *	records of this type in this open file (tt-metal: its address)
 * @size: in: bytes, at least 1
 * @buffer_type: in: enum tenstorrent_buffer_type
 * @flags: in: 0 or TENSTORRENT_TRACK_REF
 */
struct tenstorrent_track_alloc_in {
	__u64 buffer_id;
	__u64 size;
	__u32 buffer_type;
	__u32 flags;
};

/**
 * struct tenstorrent_track_alloc - argument of TENSTORRENT_IOCTL_TRACK_ALLOC
 * @out: totals after it was recorded
 * @in: the buffer
 */
struct tenstorrent_track_alloc {
	struct tenstorrent_track_alloc_out out;
	struct tenstorrent_track_alloc_in in;
};

/* TRACK_FREE: drop a reference to (usually: the record of) a buffer. */
#define TENSTORRENT_IOCTL_TRACK_FREE \
	_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x29, struct tenstorrent_track_free)

/**
 * struct tenstorrent_track_free_out - what the record said
 * @size: out: bytes the buffer has
 * @buffer_type: out: its type
 * @refs: out: references left; 0 when the record is gone
 */
struct tenstorrent_track_free_out {
	__u64 size;
	__u32 buffer_type;
	__u32 refs;
};

/**
 * struct tenstorrent_track_free_in - the buffer to forget
 * @buffer_id: in: as given to TRACK_ALLOC on this open file
 * @buffer_type: in: with TENSTORRENT_TRACK_TYPED, the record's type;
 *	else must be 0
 * @flags: in: 0 or TENSTORRENT_TRACK_TYPED
 */
struct tenstorrent_track_free_in {
	__u64 buffer_id;
	__u32 buffer_type;
	__u32 flags;
};

/**
 * struct tenstorrent_track_free - argument of TENSTORRENT_IOCTL_TRACK_FREE
 * @out: its size, type and references left
 * @in: the buffer
 */
struct tenstorrent_track_free {
	struct tenstorrent_track_free_out out;
	struct tenstorrent_track_free_in in;
};

/* QUERY_ALLOC_STATS: the card's totals and the calling file's own. */
#define TENSTORRENT_IOCTL_QUERY_ALLOC_STATS \
	_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x2a, \
	      struct tenstorrent_query_alloc_stats)
#define TENSTORRENT_IOCTL_QUERY_STATS	TENSTORRENT_IOCTL_QUERY_ALLOC_STATS

/**
 * struct tenstorrent_query_alloc_stats_out - totals, read at one instant
 * @allocated: out: bytes live on the card per type, all open files
 *	together (also @dram_allocated, @l1_allocated, ...)
 * @peak: out: the card's highest @allocated per type (also @dram_peak, ...)
 * @buffers: out: live records on the card per type (also @dram_buffers, ...)
 * @file: out: the same three for the calling open file alone
 * @open_files: out: open files of the card
 * @reserved: out: 0
 */
struct tenstorrent_query_alloc_stats_out {
	__TENSTORRENT_PER_TYPE(allocated);
	__TENSTORRENT_PER_TYPE(peak);
	__TENSTORRENT_PER_TYPE(buffers);
	struct tenstorrent_alloc_totals file;
	__u32 open_files;
	__u32 reserved;
};

/**
 * struct tenstorrent_query_alloc_stats_in - query options
 * @flags: in: must be 0
 * @pad: in: must be 0
 */
struct tenstorrent_query_alloc_stats_in {
	__u32 flags;
	__u32 pad;
};

/**
 * struct tenstorrent_query_alloc_stats - argument of
 *	TENSTORRENT_IOCTL_QUERY_ALLOC_STATS
 * @out: the totals
 * @in: options
 */
struct tenstorrent_query_alloc_stats {
	struct tenstorrent_query_alloc_stats_out out;
	struct tenstorrent_query_alloc_stats_in in;
};

/* TRACK_BATCH: many allocs and frees, on one card or several, in one call. */
#define TENSTORRENT_IOCTL_TRACK_BATCH \
	_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x2b, struct tenstorrent_track_batch)

/* tenstorrent_track_op.op */
#define TENSTORRENT_TRACK_OP_ALLOC	0
#define TENSTORRENT_TRACK_OP_FREE	1

/**
 * struct tenstorrent_track_op - one operation of a batch
 * @buffer_id: in: as for TRACK_ALLOC / TRACK_FREE
 * @size: in: ALLOC: bytes, at least 1; FREE: must be 0
 * @buffer_type: in: ALLOC, and FREE with TENSTORRENT_TRACK_TYPED:
 *	enum tenstorrent_buffer_type; other FREEs: must be 0
 * @op: in: TENSTORRENT_TRACK_OP_ALLOC or TENSTORRENT_TRACK_OP_FREE
 * @flags: in: ALLOC: TENSTORRENT_TRACK_REF; FREE: TENSTORRENT_TRACK_TYPED;
 *	either: TENSTORRENT_TRACK_TARGET
 * @fd: in: with TENSTORRENT_TRACK_TARGET, a descriptor of the caller open
 *	for writing on a tracking file, to which the operation applies; else
 *	must be 0
 * @reserved: in: must be 0
 *
 * Version 1's operation was 24 bytes, without @fd and @reserved.
 */
struct tenstorrent_track_op {
	__u64 buffer_id;
	__u64 size;
	__u32 buffer_type;
	__u16 op;
	__u16 flags;
	__s32 fd;
	__u32 reserved;
};

/* No operation failed: tenstorrent_track_batch_out.failed */
#define TENSTORRENT_TRACK_BATCH_NONE	0xffffffffU

/**
 * struct tenstorrent_track_batch_out - how far the batch went
 * @processed: out: operations applied
 * @failed: out: the index of the operation that failed (then equal to
 *	@processed), or TENSTORRENT_TRACK_BATCH_NONE when none did: the batch
 *	succeeded, or was refused as a whole
 */
struct tenstorrent_track_batch_out {
	__u32 processed;
	__u32 failed;
};

/**
 * struct tenstorrent_track_batch_in - the operations
 * @ops: in: user pointer to @count operations of @op_size bytes each
 * @count: in: 1 to TENSTORRENT_TRACK_BATCH_MAX
 * @op_size: in: sizeof(struct tenstorrent_track_op) as the caller knows it
 *	(a multiple of 8, at least version 1's 24), or 0 for this version's
 *	32; larger than the driver knows is accepted when the unknown tail
 *	of every operation is zero (E2BIG otherwise)
 * @flags: in: must be 0
 * @reserved: in: must be 0
 *
 * Operations are applied in order and the batch stops at the first that
 * fails: operations before it stay applied, it and those after it are not
 * applied. The ioctl then fails with that operation's errno, and
 * out.failed and out.processed are its index. On success out.processed is
 * @count. A batch refused as a whole (a file not open for writing, bad
 * @count, @op_size, @flags or @reserved) applies nothing and says so with
 * out.failed TENSTORRENT_TRACK_BATCH_NONE. A bad @ops pointer midway fails
 * with EFAULT at the unreadable operation, after exactly those before it.
 */
struct tenstorrent_track_batch_in {
	__u64 ops;
	__u32 count;
	__u32 op_size;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct tenstorrent_track_batch - argument of TENSTORRENT_IOCTL_TRACK_BATCH
 * @out: how far the operations went
 * @in: the operations
 */
struct tenstorrent_track_batch {
	struct tenstorrent_track_batch_out out;
	struct tenstorrent_track_batch_in in;
};

/* GET_TRACKING_INFO: what this driver supports, without trial calls. */
#define TENSTORRENT_IOCTL_GET_TRACKING_INFO \
	_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, 0x2c, \
	      struct tenstorrent_tracking_info)

/**
 * struct tenstorrent_tracking_info_out - driver capabilities
 * @abi_version: out: TENSTORRENT_TRACK_ABI_VERSION of the driver
 * @buffer_types: out: bit N set when buffer type N is accepted
 * @alloc_flags: out: flags TRACK_ALLOC accepts
 * @batch_max: out: TENSTORRENT_TRACK_BATCH_MAX of the driver
 * @max_records: out: live records an open file may hold
 * @free_flags: out: flags TRACK_FREE accepts
 * @op_flags: out: flags a batch operation accepts
 * @op_size: out: sizeof(struct tenstorrent_track_op) of the driver
 * @reserved: out: 0
 * @max_user_records: out: live records one user may hold, all files and
 *	cards together
 */
struct tenstorrent_tracking_info_out {
	__u32 abi_version;
	__u32 buffer_types;
	__u32 alloc_flags;
	__u32 batch_max;
	__u64 max_records;
	__u32 free_flags;
	__u32 op_flags;
	__u32 op_size;
	__u32 reserved;
	__u64 max_user_records;
};

/**
 * struct tenstorrent_tracking_info_in - query options
 * @flags: in: must be 0
 * @pad: in: must be 0
 */
struct tenstorrent_tracking_info_in {
	__u32 flags;
	__u32 pad;
};

/**
 * struct tenstorrent_tracking_info - argument of
 *	TENSTORRENT_IOCTL_GET_TRACKING_INFO
 * @out: the capabilities
 * @in: options
 */
struct tenstorrent_tracking_info {
	struct tenstorrent_tracking_info_out out;
	struct tenstorrent_tracking_info_in in;
};

#endif /* _UAPI_TENSTORRENT_TRACK_H */
