/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libttkmd: report device-memory allocations of Tenstorrent cards to the
 * tenstorrent driver (see Documentation/userspace-api/tenstorrent/).
 *
 * Names: the handle and the calls that open and close it are ttkmd_*; the
 * tracking calls are tt_track_*, tt_tracker_*, tt_query_stats() and a few
 * more tt_* names. None of them is a name of tt-umd's tt-kmd-lib
 * (tt_device_t, tt_device_open(), tt_noc_*, tt_tlb_*, ...), so a runtime
 * may include both headers and link both libraries.
 *
 * Conventions of every call:
 *  - Returns 0 (or a count, or a boolean > 0) on success and a negative
 *    errno on failure (read the return value, not errno). tt_strerror()
 *    names the error.
 *  - Arguments are checked before any system call: a NULL handle or
 *    pointer, a size of 0 or a buffer type >= TENSTORRENT_BUFFER_TYPE_MAX
 *    give -EINVAL without touching the device.
 *  - An ioctl interrupted by a signal (EINTR) is retried inside the library.
 *  - Thread-safe: any number of threads may use one ttkmd_dev_t or one
 *    tt_tracker_t at once; only *_close()/_destroy() must not race with
 *    other calls on the same handle.
 *  - Devices are opened O_RDWR | O_CLOEXEC, or O_RDONLY | O_CLOEXEC with
 *    TTKMD_OPEN_RDONLY. A read-only handle reads totals and capabilities
 *    (tt_query_stats(), tt_get_tracking_info()); the calls that record or
 *    drop a buffer give -EBADF on it without a system call, as the driver
 *    does for a file not opened for writing.
 */
#ifndef TENSTORRENT_TTKMD_H
#define TENSTORRENT_TTKMD_H

#include <stddef.h>
#include <stdint.h>

#include "tenstorrent_track.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this library's API (not the driver's ABI version). */
#define TTKMD_VERSION_MAJOR	2
#define TTKMD_VERSION_MINOR	1

/* An open /dev/tenstorrent/N. Records belong to the open file. */
typedef struct ttkmd_dev ttkmd_dev_t;

/* Card totals and the caller's own, as TENSTORRENT_IOCTL_QUERY_ALLOC_STATS. */
typedef struct tenstorrent_query_alloc_stats_out tt_alloc_stats_t;

/* ---- devices ---- */

/*
 * ttkmd_list() - the indices N of the cards present, ascending.
 * Reads /sys/class/tenstorrent/tenstorrent!N, else /dev/tenstorrent/N.
 * Fills up to @max entries of @indices (may be NULL when @max is 0) and
 * returns how many cards there are (possibly more than @max); 0 when the
 * driver is not loaded. -EINVAL: @indices NULL with @max > 0.
 */
int ttkmd_list(int *indices, size_t max);

/*
 * Flags of ttkmd_open() and ttkmd_open_path(). 0 opens for tracking.
 * TTKMD_OPEN_RDONLY: open read-only, for a monitor that reads totals and
 * must record nothing (and may have no write permission).
 */
#define TTKMD_OPEN_RDONLY	(1u << 0)

/*
 * ttkmd_open() - open /dev/tenstorrent/@index into *@out.
 * -EINVAL: @out NULL, @index < 0 or an unknown bit in @flags; -ENOENT no
 * such card; -EACCES; -ENOMEM; any other errno of open(2).
 */
int ttkmd_open(int index, unsigned int flags, ttkmd_dev_t **out);

/*
 * ttkmd_open_path() - open any path (e.g. /dev/tenstorrent/by-path/...).
 * Does not check that the file is a tracking driver's: call
 * tt_alloc_tracking_available(). Errors as ttkmd_open().
 */
int ttkmd_open_path(const char *path, unsigned int flags, ttkmd_dev_t **out);

/*
 * ttkmd_open_fd() - wrap a descriptor the runtime already has open.
 * The library duplicates @fd (F_DUPFD_CLOEXEC), so the records go to the
 * same open file and the caller keeps and closes its own @fd. The handle
 * is read-only when @fd was not opened for writing.
 * -EINVAL: @out NULL; -EBADF: @fd not open; -EMFILE; -ENOMEM.
 */
int ttkmd_open_fd(int fd, ttkmd_dev_t **out);

/*
 * ttkmd_close() - close the handle (NULL is a no-op). Trackers created on
 * @dev hold references of their own: the descriptor is closed when the
 * last of them is destroyed, or now if there is none. The driver drops the
 * records of the open file when its last descriptor is closed.
 */
void ttkmd_close(ttkmd_dev_t *dev);

/* ttkmd_fd() - the handle's descriptor (for poll()); -EINVAL on NULL. */
int ttkmd_fd(const ttkmd_dev_t *dev);

/* ---- capabilities ---- */

/*
 * tt_alloc_tracking_available() - does the driver behind @dev track?
 * Asks with TENSTORRENT_IOCTL_GET_TRACKING_INFO, which creates no record.
 * Returns 1 when it does; 0 when the driver answers ENOTTY (no such
 * ioctl: a driver or file without tracking) or EINVAL (releases of tt-kmd
 * answer unknown ioctls with EINVAL; a tracking driver never does for this
 * call); a negative errno on any other failure (-EINVAL: @dev NULL,
 * -ENODEV: card removed). Test with "> 0". Says 1 on a read-only handle
 * too: it tells what the driver does, not what @dev may do.
 */
int tt_alloc_tracking_available(ttkmd_dev_t *dev);

/*
 * tt_get_tracking_info() - the driver's capabilities (ABI version, accepted
 * buffer types, batch maximum, record limit) into *@info.
 * -EINVAL: NULL argument (or an older tt-kmd); -ENOTTY: no tracking;
 * -ENODEV: card removed.
 */
int tt_get_tracking_info(ttkmd_dev_t *dev,
			 struct tenstorrent_tracking_info_out *info);

/* ---- tracking, one call each ---- */

/*
 * tt_track_allocation() - record a buffer of @size bytes and type
 * @buffer_type (enum tenstorrent_buffer_type) under @buffer_id.
 * -EINVAL: @dev NULL, @size 0, @buffer_type >= TENSTORRENT_BUFFER_TYPE_MAX
 * (all before the ioctl) or a type the driver does not accept; -EBADF:
 * @dev is read-only (before the ioctl); -EEXIST: (@buffer_type,
 * @buffer_id) already live on this open file; -ERANGE: more than the
 * card's memory of that type; -EOVERFLOW; -ENOSPC (record limit per file);
 * -EDQUOT (record limit per user); -ENOMEM; -ENODEV; -ENOTTY (driver
 * without tracking). A record is named by its type and id together: one
 * id may be live once per type (tt-metal's DRAM, L1 and circular-buffer
 * addresses overlap).
 */
int tt_track_allocation(ttkmd_dev_t *dev, uint64_t buffer_id, uint64_t size,
			uint32_t buffer_type);

/*
 * tt_track_allocation_flags() - tt_track_allocation() with flags:
 * TENSTORRENT_TRACK_REF counts a repeated report of a live buffer (same
 * type, id and size) as a reference instead of failing with -EEXIST; the
 * buffer goes with its last free. -EEXIST also for another size.
 */
int tt_track_allocation_flags(ttkmd_dev_t *dev, uint64_t buffer_id,
			      uint64_t size, uint32_t buffer_type,
			      uint32_t flags);

/*
 * tt_track_free() - drop a reference to (usually: the record of)
 * @buffer_id, whatever its type. -EINVAL: @dev NULL; -EBADF: @dev
 * read-only; -ENOENT: no such live record on this open file; -ENOTUNIQ:
 * @buffer_id is live in several types (use tt_track_free_typed()); -ENODEV;
 * -ENOTTY.
 */
int tt_track_free(ttkmd_dev_t *dev, uint64_t buffer_id);

/*
 * tt_track_free_typed() - drop a reference to the record of
 * (@buffer_type, @buffer_id). Errors as tt_track_free(), without -ENOTUNIQ;
 * -EINVAL also for @buffer_type >= TENSTORRENT_BUFFER_TYPE_MAX.
 */
int tt_track_free_typed(ttkmd_dev_t *dev, uint64_t buffer_id,
			uint32_t buffer_type);

/*
 * tt_query_stats() - the card's totals and this open file's own
 * (@stats->allocated[type], ->peak[], ->buffers[], ->file.*, ->open_files),
 * read at one instant. -EINVAL: NULL argument; -ENODEV; -ENOTTY.
 */
int tt_query_stats(ttkmd_dev_t *dev, tt_alloc_stats_t *stats);

/*
 * tt_query_card_stats() - tt_query_stats() for card @index without a
 * handle: opens /dev/tenstorrent/@index O_RDONLY | O_CLOEXEC, queries and
 * closes, so a monitor needs no write permission and records nothing.
 * While open the file counts in ->open_files like any other; its ->file.*
 * are 0. -EINVAL: @index < 0 or @stats NULL; -ENOENT no such card;
 * -EACCES; the errors of open(2) and of tt_query_stats().
 */
int tt_query_card_stats(int index, tt_alloc_stats_t *stats);

/* ---- card listing ---- */

/* Lengths of the strings of tt_card_info_t, with their NUL. */
#define TT_CARD_BUS_ID_LEN	32
#define TT_CARD_TYPE_LEN	32

/*
 * One card as sysfs describes it (/sys/class/tenstorrent/tenstorrent!N).
 * @size: sizeof(tt_card_info_t), 160 in every version
 * @index: N, as for ttkmd_open()
 * @bus_id: the name of the parent device (the PCI address, e.g.
 *	"0000:01:00.0"), "" when the card has none
 * @card_type: the card_type attribute (wormhole, blackhole, sim), or ""
 * @dram_total, @l1_total, @system_memory_total: the capacities in bytes
 *	(attributes of the same names), 0 when missing
 * @reserved: 0; later versions fill it with new fields
 *
 * The array tt_list_cards() fills has this struct's size as its stride,
 * so that size never changes: a later version adds fields in @reserved
 * only, each 0 when not known, and @size stays what it is.
 */
typedef struct tt_card_info {
	uint32_t size;
	int32_t index;
	char bus_id[TT_CARD_BUS_ID_LEN];
	char card_type[TT_CARD_TYPE_LEN];
	uint64_t dram_total;
	uint64_t l1_total;
	uint64_t system_memory_total;
	uint64_t reserved[8];
} tt_card_info_t;

/*
 * tt_list_cards() - the cards present, ascending by index, as ttkmd_list()
 * but from sysfs only and with their attributes. Fills up to @max entries
 * of @cards (may be NULL when @max is 0) and returns how many cards there
 * are (possibly more than @max). An attribute that is missing, too long or
 * not strictly a value gives 0 or "" in its field, not a failure. -EINVAL:
 * @cards NULL with @max > 0; -ENOENT: no /sys/class/tenstorrent (driver
 * not loaded); -ENOMEM; the errors of opendir(3).
 */
int tt_list_cards(tt_card_info_t *cards, size_t max);

/* ---- batches ---- */

/* One operation of a batch: fill with tt_op_alloc() / tt_op_free(). */
typedef struct tenstorrent_track_op tt_track_op_t;

static inline tt_track_op_t tt_op_alloc(uint64_t buffer_id, uint64_t size,
					uint32_t buffer_type)
{
	tt_track_op_t op = { 0, 0, 0, 0, 0, 0, 0 };

	op.buffer_id = buffer_id;
	op.size = size;
	op.buffer_type = buffer_type;
	op.op = TENSTORRENT_TRACK_OP_ALLOC;
	return op;
}

static inline tt_track_op_t tt_op_free(uint64_t buffer_id)
{
	tt_track_op_t op = { 0, 0, 0, 0, 0, 0, 0 };

	op.buffer_id = buffer_id;
	op.op = TENSTORRENT_TRACK_OP_FREE;
	return op;
}

/* A free of the record of (@buffer_type, @buffer_id) */
static inline tt_track_op_t tt_op_free_typed(uint64_t buffer_id,
					     uint32_t buffer_type)
{
	tt_track_op_t op = tt_op_free(buffer_id);

	op.buffer_type = buffer_type;
	op.flags = TENSTORRENT_TRACK_TYPED;
	return op;
}

/* @op with TENSTORRENT_TRACK_REF: a repeated report adds a reference */
static inline tt_track_op_t tt_op_ref(tt_track_op_t op)
{
	op.flags |= TENSTORRENT_TRACK_REF;
	return op;
}

/*
 * @op applied to @target's open file instead of the batch's: one batch
 * can so record a buffer on every card of a mesh (see tt_track_mesh()).
 * The record is @target's, and goes with it.
 */
static inline tt_track_op_t tt_op_on(tt_track_op_t op, int target_fd)
{
	op.flags |= TENSTORRENT_TRACK_TARGET;
	op.fd = target_fd;
	return op;
}

/*
 * tt_track_batch() - apply @count operations in order with
 * TENSTORRENT_IOCTL_TRACK_BATCH, in chunks of TENSTORRENT_TRACK_BATCH_MAX.
 * Stops at the first operation that fails: those before it stay applied.
 * *@processed (may be NULL) is set to the number applied, i.e. @count on
 * success and the index of the failed operation on failure. @count 0 is a
 * no-op returning 0. Errors: those of tt_track_allocation()/tt_track_free()
 * for the failed operation; -EINVAL also for @dev NULL or @ops NULL with
 * @count > 0, an unknown op, a batched free with non-zero size or type;
 * -EBADF for a read-only @dev (even with @count 0); -EFAULT for an
 * unreadable @ops.
 */
int tt_track_batch(ttkmd_dev_t *dev, const tt_track_op_t *ops, size_t count,
		   size_t *processed);

/*
 * tt_track_mesh() - apply @op to each of @count cards with one system call:
 * a batch through @devs[0] whose operations target each handle (a mesh
 * allocates each buffer at the same address on every chip). Records are
 * each handle's own. Stops at the first card that fails; *@processed (may
 * be NULL) says how many were applied. @count at most
 * TENSTORRENT_TRACK_BATCH_MAX. Errors: those of tt_track_batch(); -EINVAL
 * also for a NULL handle among @devs, @count 0 or over the maximum;
 * -ENOMEM.
 */
int tt_track_mesh(ttkmd_dev_t *const *devs, size_t count, tt_track_op_t op,
		  size_t *processed);

/* ---- buffered tracker ---- */

/*
 * A tracker queues allocs and frees in memory and sends them with one
 * TRACK_BATCH when its queue is full or on tt_tracker_flush().
 *
 * Visibility: until flushed, queued operations are not in the driver:
 * sysfs, debugfs and QUERY (tt_query_stats()) do not show them, and
 * errors for them (EEXIST, ENOENT, ...) come only at the flush. If the
 * process crashes, only the queued operations are lost, and they were
 * never recorded anyway; the driver drops the recorded ones when the file
 * is closed, as always. Flush before reading totals that must include
 * your own operations, and at points where monitoring should be exact.
 */
typedef struct tt_tracker tt_tracker_t;

/* Default and largest queue length of a tracker. */
#define TT_TRACKER_DEFAULT_CAPACITY	256
#define TT_TRACKER_MAX_CAPACITY		TENSTORRENT_TRACK_BATCH_MAX

/*
 * tt_tracker_create() - a tracker for @dev with a queue of @capacity
 * operations (0: TT_TRACKER_DEFAULT_CAPACITY). The tracker holds its own
 * reference on @dev, so ttkmd_close(@dev) may come before or after
 * tt_tracker_destroy(): the descriptor stays open until both are done.
 * -EINVAL: @dev or @out NULL, @capacity > TT_TRACKER_MAX_CAPACITY; -EBADF:
 * @dev read-only (its flushes could only fail); -ENOMEM.
 */
int tt_tracker_create(ttkmd_dev_t *dev, size_t capacity, tt_tracker_t **out);

/*
 * tt_tracker_alloc() / tt_tracker_free() - queue one operation. When the
 * queue is full it is flushed first; the new operation is queued whatever
 * that flush returned, and its error is returned (see tt_tracker_flush()).
 * -EINVAL before queueing: @t NULL, @size 0, @buffer_type >=
 * TENSTORRENT_BUFFER_TYPE_MAX.
 */
int tt_tracker_alloc(tt_tracker_t *t, uint64_t buffer_id, uint64_t size,
		     uint32_t buffer_type);
int tt_tracker_free(tt_tracker_t *t, uint64_t buffer_id);

/*
 * tt_tracker_flush() - send the queued operations. 0 when all were
 * applied (or none was queued). On failure returns the errno of the first
 * operation that failed: those before it were applied and leave the queue,
 * the failed one is dropped (it would fail again) and copied to *@failed
 * if @failed is not NULL; those after it stay queued for the next flush.
 */
int tt_tracker_flush_failed(tt_tracker_t *t, tt_track_op_t *failed);
int tt_tracker_flush(tt_tracker_t *t);

/* tt_tracker_pending() - operations queued now (0 for NULL). */
size_t tt_tracker_pending(tt_tracker_t *t);

/*
 * tt_tracker_destroy() - flush, free the tracker (NULL is a no-op), drop
 * its reference on its device (closing it if ttkmd_close() came first) and
 * return the flush's result. Operations still queued after a failed flush
 * are discarded.
 */
int tt_tracker_destroy(tt_tracker_t *t);

/* ---- errors ---- */

/*
 * tt_strerror() - a constant string for an error of this library (negative
 * or positive errno), worded for tracking where the ioctl gives the errno
 * a specific meaning (EEXIST, ENOENT, ENOSPC, ENOTTY, EBADF for tracking
 * on a read-only handle, ...). Thread-safe.
 */
const char *tt_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* TENSTORRENT_TTKMD_H */
