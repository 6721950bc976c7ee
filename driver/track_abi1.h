/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Version 1 of the tracking ABI, still served for binaries built against
 * it: the structs and ioctl numbers of uapi/tenstorrent_track.h as version 1
 * had them (input part first, then output; numbers 0x20 to 0x24).
 */
#ifndef TT_TRACK_ABI1_H
#define TT_TRACK_ABI1_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include "tenstorrent_track.h"

/* The buffer types version 1 knows: DRAM to TRACE */
#define TT_TRACK_V1_TYPES	5
/* Version 1's batch operation: struct tenstorrent_track_op without fd */
#define TT_TRACK_V1_OP_SIZE	24

struct tt_track_v1_alloc {
	struct {
		__u64 buffer_id;
		__u64 size;
		__u32 buffer_type;
		__u32 flags;
		__u64 reserved;
	} in;
	struct {
		__u64 file_allocated;
		__u64 device_allocated;
	} out;
};

struct tt_track_v1_free {
	struct {
		__u64 buffer_id;
		__u32 flags;
		__u32 reserved;
	} in;
	struct {
		__u64 size;
		__u32 buffer_type;
		__u32 reserved;
	} out;
};

struct tt_track_v1_query {
	struct {
		__u32 flags;
		__u32 reserved;
	} in;
	struct tenstorrent_query_alloc_stats_out out;
};

struct tt_track_v1_batch {
	struct {
		__u64 ops;
		__u32 count;
		__u32 op_size;
		__u32 flags;
		__u32 reserved;
	} in;
	struct {
		__u32 processed;
		__u32 reserved;
	} out;
};

struct tt_track_v1_info {
	struct {
		__u32 flags;
		__u32 reserved;
	} in;
	struct {
		__u32 abi_version;
		__u32 buffer_types;
		__u32 alloc_flags;
		__u32 batch_max;
		__u64 max_records;
	} out;
};

#define TT_TRACK_V1_IOCTL(nr, type) \
	_IOWR(TENSTORRENT_TRACK_IOCTL_MAGIC, nr, type)

#define TT_TRACK_V1_ALLOC	TT_TRACK_V1_IOCTL(0x20, struct tt_track_v1_alloc)
#define TT_TRACK_V1_FREE	TT_TRACK_V1_IOCTL(0x21, struct tt_track_v1_free)
#define TT_TRACK_V1_QUERY	TT_TRACK_V1_IOCTL(0x22, struct tt_track_v1_query)
#define TT_TRACK_V1_BATCH	TT_TRACK_V1_IOCTL(0x23, struct tt_track_v1_batch)
#define TT_TRACK_V1_INFO	TT_TRACK_V1_IOCTL(0x24, struct tt_track_v1_info)

#endif /* TT_TRACK_ABI1_H */
