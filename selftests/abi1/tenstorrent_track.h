/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Tenstorrent device-memory allocation tracking: the ioctl ABI.
 *
 * A runtime reports every buffer it allocates or frees on a card with an
 * ioctl on the /dev/tenstorrent/N file it has open. Records belong to that
 * open file; the driver keeps per-file and per-device totals and drops the
 * file's records when it is released.
 *
 * Conventions:
 *  - Every struct is a multiple of 8 bytes with explicit padding and the same
 *    layout for 32- and 64-bit callers. Its size is encoded in the ioctl
 *    number, so a struct may grow at its end: the kernel zero-fills what an
 *    older caller does not pass, and refuses (E2BIG) a newer caller's tail
 *    it does not understand unless that tail is all zero. A size below the
 *    first version's is an unknown ioctl (ENOTTY).
 *  - Every flags, pad and reserved field must be zero (else EINVAL).
 *  - A caller that zero-initialises a struct and sets only the fields it
 *    needs gets the documented behaviour.
 *
 * Errors (errno after a failed ioctl):
 *  EINVAL     zero size, unknown buffer type, non-zero flags/pad/reserved,
 *             unknown batch operation, batch count of 0, non-zero size or
 *             type in a batched free, unknown batch op_size
 *  EEXIST     TRACK_ALLOC of a buffer_id the file already holds
 *  ENOENT     TRACK_FREE of a buffer_id the file does not hold
 *  EOVERFLOW  the size would overflow a per-type total of the file or device
 *  ENOSPC     the file holds the maximum number of records (module parameter
 *             max_records)
 *  ENOMEM     out of memory, also when the caller's memory cgroup is at its
 *             limit (record memory is charged to the caller)
 *  EFAULT     bad user pointer; checked before anything changes, by
 *             writing the struct back unchanged first
 *  E2BIG      batch count over TENSTORRENT_TRACK_BATCH_MAX; or a struct
 *             larger than the driver knows with non-zero bytes beyond
 *  ENODEV     the card has been removed; only close() is left to do
 *  ENOTTY     unknown ioctl (e.g. a driver without tracking)
 */
#ifndef _UAPI_TENSTORRENT_TRACK_H
#define _UAPI_TENSTORRENT_TRACK_H

#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef TENSTORRENT_IOCTL_MAGIC
#define TENSTORRENT_IOCTL_MAGIC	0xFA
#endif

/* Version of this ABI; see struct tenstorrent_tracking_info. */
#define TENSTORRENT_TRACK_ABI_VERSION	1

/*
 * Buffer types: tt-metal's BufferType values. Numbers up to
 * TENSTORRENT_BUFFER_TYPE_MAX - 1 are reserved for more types; the driver
 * reports the ones it knows in tenstorrent_tracking_info.buffer_types.
 */
enum tenstorrent_buffer_type {
	TT_BUFFER_TYPE_DRAM = 0,
	TT_BUFFER_TYPE_L1 = 1,
	TT_BUFFER_TYPE_SYSTEM_MEMORY = 2,
	TT_BUFFER_TYPE_L1_SMALL = 3,
	TT_BUFFER_TYPE_TRACE = 4,
	TT_BUFFER_TYPE_COUNT = 5,	/* types this version knows */
};

/* Size of the per-type arrays in the structs below; room for more types. */
#define TENSTORRENT_BUFFER_TYPE_MAX	8

/* Maximum tenstorrent_track_batch.count. */
#define TENSTORRENT_TRACK_BATCH_MAX	4096

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
	_IOWR(TENSTORRENT_IOCTL_MAGIC, 0x20, struct tenstorrent_track_alloc)

/**
 * struct tenstorrent_track_alloc_in - a buffer to record
 * @buffer_id: in: the caller's name for the buffer, unique among the live
 *	records of this open file, whatever their types (tt-metal uses the
 *	device address; a runtime whose DRAM and L1 addresses overlap must
 *	make them distinct, e.g. with the type in the top bits)
 * @size: in: bytes, at least 1
 * @buffer_type: in: enum tenstorrent_buffer_type
 * @flags: in: must be 0
 * @reserved: in: must be 0
 */
struct tenstorrent_track_alloc_in {
	__u64 buffer_id;
	__u64 size;
	__u32 buffer_type;
	__u32 flags;
	__u64 reserved;
};

/**
 * struct tenstorrent_track_alloc_out - totals after the record was added
 * @file_allocated: out: bytes of this type live in this open file
 * @device_allocated: out: bytes of this type live on the card
 */
struct tenstorrent_track_alloc_out {
	__u64 file_allocated;
	__u64 device_allocated;
};

/**
 * struct tenstorrent_track_alloc - argument of TENSTORRENT_IOCTL_TRACK_ALLOC
 * @in: the buffer
 * @out: totals after it was recorded
 */
struct tenstorrent_track_alloc {
	struct tenstorrent_track_alloc_in in;
	struct tenstorrent_track_alloc_out out;
};

/* TRACK_FREE: drop the record of a buffer this open file holds. */
#define TENSTORRENT_IOCTL_TRACK_FREE \
	_IOWR(TENSTORRENT_IOCTL_MAGIC, 0x21, struct tenstorrent_track_free)

/**
 * struct tenstorrent_track_free_in - the buffer to forget
 * @buffer_id: in: as given to TRACK_ALLOC on this open file
 * @flags: in: must be 0
 * @reserved: in: must be 0
 */
struct tenstorrent_track_free_in {
	__u64 buffer_id;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct tenstorrent_track_free_out - what the record said
 * @size: out: bytes the buffer had
 * @buffer_type: out: its type
 * @reserved: out: 0
 */
struct tenstorrent_track_free_out {
	__u64 size;
	__u32 buffer_type;
	__u32 reserved;
};

/**
 * struct tenstorrent_track_free - argument of TENSTORRENT_IOCTL_TRACK_FREE
 * @in: the buffer
 * @out: its size and type
 */
struct tenstorrent_track_free {
	struct tenstorrent_track_free_in in;
	struct tenstorrent_track_free_out out;
};

/* QUERY_ALLOC_STATS: the card's totals and the calling file's own. */
#define TENSTORRENT_IOCTL_QUERY_ALLOC_STATS \
	_IOWR(TENSTORRENT_IOCTL_MAGIC, 0x22, struct tenstorrent_query_alloc_stats)
#define TENSTORRENT_IOCTL_QUERY_STATS	TENSTORRENT_IOCTL_QUERY_ALLOC_STATS

/**
 * struct tenstorrent_query_alloc_stats_in - query options
 * @flags: in: must be 0
 * @reserved: in: must be 0
 */
struct tenstorrent_query_alloc_stats_in {
	__u32 flags;
	__u32 reserved;
};

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
 * struct tenstorrent_query_alloc_stats - argument of
 *	TENSTORRENT_IOCTL_QUERY_ALLOC_STATS
 * @in: options
 * @out: the totals
 */
struct tenstorrent_query_alloc_stats {
	struct tenstorrent_query_alloc_stats_in in;
	struct tenstorrent_query_alloc_stats_out out;
};

/* TRACK_BATCH: many allocs and frees in one call. */
#define TENSTORRENT_IOCTL_TRACK_BATCH \
	_IOWR(TENSTORRENT_IOCTL_MAGIC, 0x23, struct tenstorrent_track_batch)

/* tenstorrent_track_op.op */
#define TENSTORRENT_TRACK_OP_ALLOC	0
#define TENSTORRENT_TRACK_OP_FREE	1

/**
 * struct tenstorrent_track_op - one operation of a batch
 * @buffer_id: in: as for TRACK_ALLOC / TRACK_FREE
 * @size: in: ALLOC: bytes, at least 1; FREE: must be 0
 * @buffer_type: in: ALLOC: enum tenstorrent_buffer_type; FREE: must be 0
 * @op: in: TENSTORRENT_TRACK_OP_ALLOC or TENSTORRENT_TRACK_OP_FREE
 * @flags: in: must be 0
 */
struct tenstorrent_track_op {
	__u64 buffer_id;
	__u64 size;
	__u32 buffer_type;
	__u16 op;
	__u16 flags;
};

/**
 * struct tenstorrent_track_batch_in - the operations
 * @ops: in: user pointer to @count struct tenstorrent_track_op
 * @count: in: 1 to TENSTORRENT_TRACK_BATCH_MAX
 * @op_size: in: sizeof(struct tenstorrent_track_op) as the caller knows it,
 *	or 0 for version 1's 24 bytes; lets the op struct grow. Version 1
 *	accepts 0 and 24 only (else EINVAL).
 * @flags: in: must be 0
 * @reserved: in: must be 0
 *
 * Operations are applied in order and the batch stops at the first that
 * fails: operations before it stay applied, it and those after it are not
 * applied. The ioctl then fails with that operation's errno and
 * out.processed is its index. On success out.processed is @count. A batch
 * refused as a whole (bad @count, @op_size, @flags or @reserved) applies
 * nothing and leaves out.processed 0. A bad @ops pointer midway fails with
 * EFAULT after exactly the operations before the unreadable one.
 */
struct tenstorrent_track_batch_in {
	__u64 ops;
	__u32 count;
	__u32 op_size;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct tenstorrent_track_batch_out - how far the batch went
 * @processed: out: operations applied (the index of the failed one)
 * @reserved: out: 0
 */
struct tenstorrent_track_batch_out {
	__u32 processed;
	__u32 reserved;
};

/**
 * struct tenstorrent_track_batch - argument of TENSTORRENT_IOCTL_TRACK_BATCH
 * @in: the operations
 * @out: how far they went
 */
struct tenstorrent_track_batch {
	struct tenstorrent_track_batch_in in;
	struct tenstorrent_track_batch_out out;
};

/* GET_TRACKING_INFO: what this driver supports, without trial calls. */
#define TENSTORRENT_IOCTL_GET_TRACKING_INFO \
	_IOWR(TENSTORRENT_IOCTL_MAGIC, 0x24, struct tenstorrent_tracking_info)

/**
 * struct tenstorrent_tracking_info_out - driver capabilities
 * @abi_version: out: TENSTORRENT_TRACK_ABI_VERSION of the driver
 * @buffer_types: out: bit N set when buffer type N is accepted
 * @alloc_flags: out: flags TRACK_ALLOC accepts (none yet: 0)
 * @batch_max: out: TENSTORRENT_TRACK_BATCH_MAX of the driver
 * @max_records: out: live records an open file may hold
 */
struct tenstorrent_tracking_info_out {
	__u32 abi_version;
	__u32 buffer_types;
	__u32 alloc_flags;
	__u32 batch_max;
	__u64 max_records;
};

/**
 * struct tenstorrent_tracking_info_in - query options
 * @flags: in: must be 0
 * @reserved: in: must be 0
 */
struct tenstorrent_tracking_info_in {
	__u32 flags;
	__u32 reserved;
};

/**
 * struct tenstorrent_tracking_info - argument of
 *	TENSTORRENT_IOCTL_GET_TRACKING_INFO
 * @in: options
 * @out: the capabilities
 */
struct tenstorrent_tracking_info {
	struct tenstorrent_tracking_info_in in;
	struct tenstorrent_tracking_info_out out;
};

#endif /* _UAPI_TENSTORRENT_TRACK_H */
