// SPDX-License-Identifier: GPL-2.0-only
/*
 * One object of every ABI struct, so pahole can print their layouts from
 * this file built for 32 and 64 bits; `scripts/check` requires the two
 * layouts to be identical (what makes compat ioctls work unchanged).
 */
#include "tenstorrent_track.h"

struct tenstorrent_track_alloc abi_track_alloc;
struct tenstorrent_track_free abi_track_free;
struct tenstorrent_query_alloc_stats abi_query_alloc_stats;
struct tenstorrent_track_op abi_track_op;
struct tenstorrent_track_batch abi_track_batch;
struct tenstorrent_tracking_info abi_tracking_info;

/* Version 1's structs, still served by the driver */
#include "track_abi1.h"

struct tt_track_v1_alloc abi_v1_alloc;
struct tt_track_v1_free abi_v1_free;
struct tt_track_v1_query abi_v1_query;
struct tt_track_v1_batch abi_v1_batch;
struct tt_track_v1_info abi_v1_info;
