// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation tracking core: what runtimes report with the tracking ioctls
 * (uapi/tenstorrent_track.h), kept per open file in an xarray, summed per
 * file and per device, and dropped when the file is released.
 *
 * Locking: a file's mutex serialises every operation on the file and
 * protects its totals; the device's spinlock, taken inside it, protects the
 * device's totals. Totals are updated by the operations themselves, never
 * summed over records, so reading them is O(1) and a reader holding the
 * locks sees one consistent instant.
 */
#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/pid_namespace.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "track.h"

#define CREATE_TRACE_POINTS
#include "track_trace.h"

static_assert(BITS_PER_LONG == 64, "record indexes need 64-bit longs");
static_assert(TT_BUFFER_TYPE_COUNT <= TT_TRACK_TYPES);

static unsigned long max_records = 1UL << 22;
module_param(max_records, ulong, 0644);
MODULE_PARM_DESC(max_records,
		 "Live records one open file may hold; TRACK_ALLOC beyond fails with ENOSPC (default 4194304)");

/**
 * struct tt_track_record - one live buffer
 * @size: bytes
 * @time_ns: when it was recorded, ktime_get_ns()
 * @type: enum tenstorrent_buffer_type
 *
 * The buffer id is not stored: the record's place in the file's xarrays
 * gives it back (tt_track_index_to_id()), which keeps a record at 24 bytes.
 */
struct tt_track_record {
	u64 size;
	u64 time_ns;
	u32 type;
};

static struct kmem_cache *tt_track_cache;

/*
 * Record memory is charged to the caller's memory cgroup. At the cgroup's
 * limit a record is refused with -ENOMEM instead of waking the OOM killer
 * for bookkeeping (__GFP_RETRY_MAYFAIL), and without a warning in the log,
 * since the caller is told.
 */
#define TT_TRACK_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * Buffer ids are device addresses: aligned, and often a power-of-two stride
 * apart (DRAM buffers 1 MiB apart, L1 buffers 32-byte aligned). Indexed by
 * the raw id, each such record would sit alone in a 576-byte xarray node.
 * Instead an id (2k + 1) << z goes to the file's xarray number z at index
 * k: ids a power-of-two stride apart fill consecutive slots, and indexes
 * stay about as small as the ids' odd parts, so each tree stays low (an
 * xarray is as tall as its largest index needs): an alloc+free pair in a
 * file with no neighbouring records builds and tears down 2-4 nodes, not
 * the 11 of a 64-bit index. Id 0, which has no z, has an xarray of its own.
 */

/**
 * tt_track_index() - where a buffer id's record is kept
 * @buffer_id: any id
 * @xa: set to the number of the file's xarray
 * @index: set to the index in it
 */
void tt_track_index(u64 buffer_id, unsigned int *xa, unsigned long *index)
{
	if (!buffer_id) {
		*xa = TT_TRACK_XA_ZERO;
		*index = 0;
		return;
	}
	*xa = __ffs64(buffer_id);
	*index = buffer_id >> *xa >> 1;
}

/**
 * tt_track_index_to_id() - the buffer id kept at an xarray and index
 * @xa: an xarray number tt_track_index() gave
 * @index: the index it gave
 *
 * Return: the buffer id.
 */
u64 tt_track_index_to_id(unsigned int xa, unsigned long index)
{
	if (xa == TT_TRACK_XA_ZERO)
		return 0;
	return (((u64)index << 1) | 1) << xa;
}

/*
 * When a free would empty its leaf node, the record's slot is kept as a
 * reserved entry instead, until the next such free in the same xarray: an
 * alloc+free pair with no other records near it would otherwise build the
 * nodes down to its slot and free them again, every time (a runtime that
 * allocates and frees buffers in turn, or reuses an address). At most one
 * slot per xarray, and the nodes above it, outlive their records; they go
 * with the next such free there, or with the file.
 */
static bool tt_track_is_tomb(const struct tt_track_file *tfile,
			     unsigned int xa, unsigned long index)
{
	return test_bit(xa, tfile->tombs) && tfile->tomb_index[xa] == index;
}

/* Let go of xarray @xa's kept slot, if any. */
static void tt_track_tomb_release(struct tt_track_file *tfile, unsigned int xa)
{
	if (__test_and_clear_bit(xa, tfile->tombs))
		xa_release(&tfile->records[xa], tfile->tomb_index[xa]);
}

/* Take the record at @index of xarray @n out, keeping the slot (see above) */
static struct tt_track_record *tt_track_take(struct tt_track_file *tfile,
					     unsigned int n, unsigned long index)
{
	XA_STATE(xas, &tfile->records[n], index);
	struct tt_track_record *rec;
	bool keep;

	xas_lock(&xas);
	rec = xas_load(&xas);
	if (!rec || xa_is_zero(rec)) {
		xas_unlock(&xas);
		return NULL;
	}
	/* replacing an entry allocates nothing */
	keep = xas.xa_node && xas.xa_node->count == 1;
	xas_store(&xas, keep ? XA_ZERO_ENTRY : NULL);
	xas_unlock(&xas);
	if (keep) {
		tt_track_tomb_release(tfile, n);
		__set_bit(n, tfile->tombs);
		tfile->tomb_index[n] = index;
	}
	return rec;
}

static void tt_track_totals_add(struct tt_track_totals *t, u32 type, u64 size)
{
	t->allocated[type] += size;
	t->buffers[type]++;
	t->peak[type] = max(t->peak[type], t->allocated[type]);
}

static void tt_track_totals_sub(struct tt_track_totals *t, u32 type, u64 size)
{
	t->allocated[type] -= size;
	t->buffers[type]--;
}

static void tt_track_notify_work(struct work_struct *work)
{
	struct tt_track_device *tdev = container_of(to_delayed_work(work),
						    struct tt_track_device,
						    notify_work);

	spin_lock(&tdev->lock);
	tdev->notify_pending = false;
	spin_unlock(&tdev->lock);
	tdev->notify(tdev);
}

/*
 * Totals changed: have @tdev->notify called once in the next
 * TT_TRACK_NOTIFY_DELAY, however many changes come in between. This is all
 * a burst of operations costs: one test of a flag.
 */
static void tt_track_changed(struct tt_track_device *tdev)
{
	lockdep_assert_held(&tdev->lock);

	if (tdev->notify_pending || tdev->notify_off || !tdev->notify)
		return;
	tdev->notify_pending = true;
	schedule_delayed_work(&tdev->notify_work, TT_TRACK_NOTIFY_DELAY);
}

/**
 * tt_track_device_init() - set up the tracking state of a card
 * @tdev: the state, embedded in the card's structure
 * @dev: the card's device, named in log messages
 * @id: the card's index, shown in tracepoints
 * @notify: called from a work item, at most every TT_TRACK_NOTIFY_DELAY,
 *	after the card's totals or open files changed (e.g. sysfs_notify());
 *	may be NULL
 *
 * Context: any; does not sleep.
 */
void tt_track_device_init(struct tt_track_device *tdev, struct device *dev,
			  int id, void (*notify)(struct tt_track_device *tdev))
{
	spin_lock_init(&tdev->lock);
	memset(&tdev->totals, 0, sizeof(tdev->totals));
	tdev->open_files = 0;
	mutex_init(&tdev->files_lock);
	xa_init_flags(&tdev->files, XA_FLAGS_ALLOC);
	tdev->notify = notify;
	INIT_DELAYED_WORK(&tdev->notify_work, tt_track_notify_work);
	tdev->notify_pending = false;
	tdev->notify_off = false;
	tdev->dev = dev;
	tdev->id = id;
}

/**
 * tt_track_device_stop() - no more notifications for a card going away
 * @tdev: the card's tracking state
 *
 * Files still open keep working (and are released as usual); only the
 * notifications stop, and a pending one is cancelled.
 *
 * Context: process context; may sleep.
 */
void tt_track_device_stop(struct tt_track_device *tdev)
{
	spin_lock(&tdev->lock);
	tdev->notify_off = true;
	spin_unlock(&tdev->lock);
	cancel_delayed_work_sync(&tdev->notify_work);
}

/**
 * tt_track_device_destroy() - free what the tracking state of a card holds
 * @tdev: the card's tracking state, with no file open
 *
 * Context: process context; may sleep.
 */
void tt_track_device_destroy(struct tt_track_device *tdev)
{
	tt_track_device_stop(tdev);
	WARN_ON(!xa_empty(&tdev->files));
	xa_destroy(&tdev->files);
	mutex_destroy(&tdev->files_lock);
}

/**
 * tt_track_device_totals() - copy a card's totals at one instant
 * @tdev: the card's tracking state
 * @totals: where to copy them
 * @open_files: if not NULL, set to the number of open files
 *
 * Context: process context; takes the device's spinlock.
 */
void tt_track_device_totals(struct tt_track_device *tdev,
			    struct tt_track_totals *totals,
			    unsigned int *open_files)
{
	spin_lock(&tdev->lock);
	*totals = tdev->totals;
	if (open_files)
		*open_files = tdev->open_files;
	spin_unlock(&tdev->lock);
}

/**
 * tt_track_device_reset_peaks() - start the card's peaks afresh
 * @tdev: the card's tracking state
 *
 * Each peak becomes the amount allocated now. Files' own peaks are kept.
 *
 * Context: process context; takes the device's spinlock.
 */
void tt_track_device_reset_peaks(struct tt_track_device *tdev)
{
	spin_lock(&tdev->lock);
	memcpy(tdev->totals.peak, tdev->totals.allocated,
	       sizeof(tdev->totals.peak));
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);
}

/**
 * tt_track_file_init() - set up the records of a newly opened file
 * @tfile: the state, embedded in the file's context
 * @tdev: the card's tracking state
 *
 * The file is attributed to the calling thread group (log lines, debugfs).
 *
 * Context: process context, from open(); may sleep.
 * Return: 0, or -ENOMEM (or -EBUSY with 2^32 files open on the card).
 */
int tt_track_file_init(struct tt_track_file *tfile,
		       struct tt_track_device *tdev)
{
	unsigned int xa;
	int ret;

	tfile->tdev = tdev;
	mutex_init(&tfile->lock);
	/* index nodes are charged to the caller's memory cgroup too */
	for (xa = 0; xa < TT_TRACK_XAS; xa++)
		xa_init_flags(&tfile->records[xa], XA_FLAGS_ACCOUNT);
	bitmap_zero(tfile->tombs, TT_TRACK_XAS);
	memset(&tfile->totals, 0, sizeof(tfile->totals));
	tfile->nr_records = 0;
	tfile->pid = get_task_pid(current, PIDTYPE_TGID);
	tfile->uid = current_uid();
	get_task_comm(tfile->comm, current);

	mutex_lock(&tdev->files_lock);
	ret = xa_alloc(&tdev->files, &tfile->id, tfile, xa_limit_32b,
		       GFP_KERNEL_ACCOUNT);
	mutex_unlock(&tdev->files_lock);
	if (ret) {
		put_pid(tfile->pid);
		mutex_destroy(&tfile->lock);
		return ret;
	}

	spin_lock(&tdev->lock);
	tdev->open_files++;
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);
	return 0;
}

/*
 * Free every record of @xa; nothing else can reach the file any more.
 * Records go back to the slab 64 at a time (kmem_cache_free_bulk() hands
 * a slab page's objects back together), and the walk lets others run
 * every 4096.
 */
static void tt_track_drain(struct xarray *xa)
{
	XA_STATE(xas, xa, 0);
	void *bulk[64];
	struct tt_track_record *rec;
	unsigned int n = 0, k = 0;

	rcu_read_lock();
	xas_for_each(&xas, rec, ULONG_MAX) {
		bulk[k++] = rec;
		if (k < ARRAY_SIZE(bulk))
			continue;
		kmem_cache_free_bulk(tt_track_cache, k, bulk);
		k = 0;
		if (++n % (4096 / ARRAY_SIZE(bulk)))
			continue;
		xas_pause(&xas);
		rcu_read_unlock();
		cond_resched();
		rcu_read_lock();
	}
	rcu_read_unlock();
	kmem_cache_free_bulk(tt_track_cache, k, bulk);
	xa_destroy(xa);
}

/**
 * tt_track_file_release() - drop all records of a file being released
 * @tfile: the file's state
 *
 * Takes the file's totals off the card's, exactly, and logs one
 * rate-limited line when the file still held records (the process exited
 * or crashed without freeing them).
 *
 * Context: process context, from release(); may sleep.
 */
void tt_track_file_release(struct tt_track_file *tfile)
{
	struct tt_track_device *tdev = tfile->tdev;
	struct tt_track_totals *t = &tfile->totals;
	unsigned int type, xa;

	/* readers walking the card's files are done with this one after this */
	mutex_lock(&tdev->files_lock);
	xa_erase(&tdev->files, tfile->id);
	mutex_unlock(&tdev->files_lock);

	for (xa = 0; xa < TT_TRACK_XAS; xa++) {
		tt_track_tomb_release(tfile, xa);
		tt_track_drain(&tfile->records[xa]);
	}

	spin_lock(&tdev->lock);
	for (type = 0; type < TT_TRACK_TYPES; type++) {
		tdev->totals.allocated[type] -= t->allocated[type];
		tdev->totals.buffers[type] -= t->buffers[type];
	}
	tdev->open_files--;
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);

	if (tfile->nr_records) {
		dev_info_ratelimited(tdev->dev,
				     "pid %d (%s) closed with %llu tracked buffers still live: DRAM %llu B, L1 %llu B, SYSTEM_MEMORY %llu B, L1_SMALL %llu B, TRACE %llu B\n",
				     pid_nr(tfile->pid), tfile->comm,
				     tfile->nr_records,
				     t->allocated[TT_BUFFER_TYPE_DRAM],
				     t->allocated[TT_BUFFER_TYPE_L1],
				     t->allocated[TT_BUFFER_TYPE_SYSTEM_MEMORY],
				     t->allocated[TT_BUFFER_TYPE_L1_SMALL],
				     t->allocated[TT_BUFFER_TYPE_TRACE]);
		trace_tt_track_release(tdev->id, pid_nr(tfile->pid),
				       tfile->nr_records, t->allocated);
	}

	put_pid(tfile->pid);
	mutex_destroy(&tfile->lock);
}

static int __tt_track_alloc(struct tt_track_file *tfile, u64 buffer_id,
			    u64 size, u32 type,
			    struct tenstorrent_track_alloc_out *out)
{
	struct tt_track_device *tdev = tfile->tdev;
	struct tt_track_record *rec;
	unsigned long index;
	struct xarray *xa;
	unsigned int n;
	u64 total;
	int ret;

	lockdep_assert_held(&tfile->lock);

	if (!size || type >= TT_BUFFER_TYPE_COUNT)
		return -EINVAL;
	if (tfile->nr_records >= READ_ONCE(max_records))
		return -ENOSPC;
	if (check_add_overflow(tfile->totals.allocated[type], size, &total))
		return -EOVERFLOW;

	rec = kmem_cache_alloc(tt_track_cache, TT_TRACK_GFP);
	if (!rec)
		return -ENOMEM;
	rec->size = size;
	rec->type = type;
	rec->time_ns = ktime_get_ns();

	tt_track_index(buffer_id, &n, &index);
	xa = &tfile->records[n];
	if (tt_track_is_tomb(tfile, n, index)) {
		/* the slot exists: storing into it allocates nothing */
		xa_cmpxchg(xa, index, XA_ZERO_ENTRY, rec, TT_TRACK_GFP);
		__clear_bit(n, tfile->tombs);
	} else {
		ret = xa_insert(xa, index, rec, TT_TRACK_GFP);
		if (ret) {
			if (ret == -EBUSY)
				ret = -EEXIST;
			goto err_free_rec;
		}
	}

	spin_lock(&tdev->lock);
	if (check_add_overflow(tdev->totals.allocated[type], size, &total)) {
		spin_unlock(&tdev->lock);
		ret = -EOVERFLOW;
		goto err_erase;
	}
	tt_track_totals_add(&tdev->totals, type, size);
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);

	tt_track_totals_add(&tfile->totals, type, size);
	tfile->nr_records++;

	if (out) {
		out->file_allocated = tfile->totals.allocated[type];
		out->device_allocated = total;
	}
	trace_tt_track_alloc(tdev->id, buffer_id, size, type);
	return 0;

err_erase:
	xa_erase(xa, index);
err_free_rec:
	kmem_cache_free(tt_track_cache, rec);
	return ret;
}

static int __tt_track_free(struct tt_track_file *tfile, u64 buffer_id,
			   struct tenstorrent_track_free_out *out)
{
	struct tt_track_device *tdev = tfile->tdev;
	struct tt_track_record *rec;
	unsigned long index;
	unsigned int n;

	lockdep_assert_held(&tfile->lock);

	tt_track_index(buffer_id, &n, &index);
	rec = tt_track_take(tfile, n, index);
	if (!rec)
		return -ENOENT;

	spin_lock(&tdev->lock);
	tt_track_totals_sub(&tdev->totals, rec->type, rec->size);
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);

	tt_track_totals_sub(&tfile->totals, rec->type, rec->size);
	tfile->nr_records--;

	if (out) {
		out->size = rec->size;
		out->buffer_type = rec->type;
		out->reserved = 0;
	}
	trace_tt_track_free(tdev->id, buffer_id, rec->size, rec->type);
	kmem_cache_free(tt_track_cache, rec);
	return 0;
}

/**
 * tt_track_alloc() - record a buffer under a file
 * @tfile: the file
 * @buffer_id: the buffer's id, unique among the file's live records
 * @size: bytes, not 0
 * @type: enum tenstorrent_buffer_type
 * @out: if not NULL, set to the file's and device's totals of @type after
 *
 * Context: process context; may sleep. Record memory is charged to the
 * caller's memory cgroup.
 * Return: 0, or -EINVAL, -ENOSPC, -EOVERFLOW, -EEXIST, -ENOMEM as the uapi
 * header describes; on error nothing has changed.
 */
int tt_track_alloc(struct tt_track_file *tfile, u64 buffer_id, u64 size,
		   u32 type, struct tenstorrent_track_alloc_out *out)
{
	int ret;

	mutex_lock(&tfile->lock);
	ret = __tt_track_alloc(tfile, buffer_id, size, type, out);
	mutex_unlock(&tfile->lock);
	return ret;
}

/**
 * tt_track_free() - drop the record of a buffer the file holds
 * @tfile: the file
 * @buffer_id: the buffer's id
 * @out: if not NULL, set to the record's size and type
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOENT when the file holds no such record.
 */
int tt_track_free(struct tt_track_file *tfile, u64 buffer_id,
		  struct tenstorrent_track_free_out *out)
{
	int ret;

	mutex_lock(&tfile->lock);
	ret = __tt_track_free(tfile, buffer_id, out);
	mutex_unlock(&tfile->lock);
	return ret;
}

static long tt_track_ioctl_alloc(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_alloc *arg = data;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;
	return tt_track_alloc(tfile, arg->in.buffer_id, arg->in.size,
			      arg->in.buffer_type, &arg->out);
}

static long tt_track_ioctl_free(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_free *arg = data;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;
	return tt_track_free(tfile, arg->in.buffer_id, &arg->out);
}

static void tt_track_totals_to_user(const struct tt_track_totals *t,
				    u64 *allocated, u64 *peak, u64 *buffers)
{
	memcpy(allocated, t->allocated, sizeof(t->allocated));
	memcpy(peak, t->peak, sizeof(t->peak));
	memcpy(buffers, t->buffers, sizeof(t->buffers));
}

static long tt_track_ioctl_query(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_query_alloc_stats *arg = data;
	struct tenstorrent_query_alloc_stats_out *out = &arg->out;
	struct tt_track_device *tdev = tfile->tdev;

	static_assert(sizeof(out->allocated) == sizeof(tdev->totals.allocated));

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	mutex_lock(&tfile->lock);
	tt_track_totals_to_user(&tfile->totals, out->file.allocated,
				out->file.peak, out->file.buffers);
	spin_lock(&tdev->lock);
	tt_track_totals_to_user(&tdev->totals, out->allocated, out->peak,
				out->buffers);
	out->open_files = tdev->open_files;
	spin_unlock(&tdev->lock);
	mutex_unlock(&tfile->lock);
	return 0;
}

static int tt_track_op(struct tt_track_file *tfile,
		       const struct tenstorrent_track_op *op)
{
	if (op->flags)
		return -EINVAL;

	switch (op->op) {
	case TENSTORRENT_TRACK_OP_ALLOC:
		return __tt_track_alloc(tfile, op->buffer_id, op->size,
					op->buffer_type, NULL);
	case TENSTORRENT_TRACK_OP_FREE:
		if (op->size || op->buffer_type)
			return -EINVAL;
		return __tt_track_free(tfile, op->buffer_id, NULL);
	default:
		return -EINVAL;
	}
}

/* Operations copied and applied per lock hold; 384 bytes of stack. */
#define TT_TRACK_BATCH_CHUNK	16

static long tt_track_ioctl_batch(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_batch *arg = data;
	const struct tenstorrent_track_op __user *uops;
	struct tenstorrent_track_op ops[TT_TRACK_BATCH_CHUNK];
	u32 count = arg->in.count, done = 0;
	int ret = 0;

	arg->out.processed = 0;
	arg->out.reserved = 0;
	if (arg->in.flags || arg->in.reserved || !count ||
	    (arg->in.op_size && arg->in.op_size != sizeof(ops[0])))
		return -EINVAL;
	if (count > TENSTORRENT_TRACK_BATCH_MAX)
		return -E2BIG;

	uops = u64_to_user_ptr(arg->in.ops);
	while (!ret && done < count) {
		u32 n = min_t(u32, count - done, TT_TRACK_BATCH_CHUNK);
		u32 i;

		if (copy_from_user(ops, uops + done, n * sizeof(ops[0]))) {
			/*
			 * Apply exactly the operations before the fault; if
			 * each one reads after all, none is unreadable.
			 */
			for (i = 0; i < n; i++)
				if (copy_from_user(&ops[i], uops + done + i,
						   sizeof(ops[0])))
					break;
			if (i < n) {
				n = i;
				ret = -EFAULT;
			}
		}

		mutex_lock(&tfile->lock);
		for (i = 0; i < n; i++) {
			int err = tt_track_op(tfile, &ops[i]);

			if (err) {
				ret = err;
				break;
			}
			done++;
		}
		mutex_unlock(&tfile->lock);
	}

	arg->out.processed = done;
	return ret;
}

static long tt_track_ioctl_info(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_tracking_info *arg = data;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;

	memset(&arg->out, 0, sizeof(arg->out));
	arg->out.abi_version = TENSTORRENT_TRACK_ABI_VERSION;
	arg->out.buffer_types = GENMASK(TT_BUFFER_TYPE_COUNT - 1, 0);
	arg->out.alloc_flags = 0;
	arg->out.batch_max = TENSTORRENT_TRACK_BATCH_MAX;
	arg->out.max_records = READ_ONCE(max_records);
	return 0;
}

/**
 * struct tt_track_ioctl_desc - one tracking ioctl
 * @cmd: its command; the size in it is the struct's size in this version
 *	of the ABI, which is also the smallest accepted (version 1). A struct
 *	that grows will need its version 1 size here as a minimum.
 * @fn: the handler, given the struct in kernel memory
 * @changes: @fn changes records; the struct is written back unchanged
 *	first, so a pointer that cannot be written fails before any change,
 *	and a failure to copy the result back after it is not reported
 * @out_on_error: copy the struct back even when @fn fails
 */
struct tt_track_ioctl_desc {
	unsigned int cmd;
	long (*fn)(struct tt_track_file *tfile, void *data);
	bool changes;
	bool out_on_error;
};

static const struct tt_track_ioctl_desc tt_track_ioctls[] = {
	{ TENSTORRENT_IOCTL_TRACK_ALLOC, tt_track_ioctl_alloc, true, false },
	{ TENSTORRENT_IOCTL_TRACK_FREE, tt_track_ioctl_free, true, false },
	{ TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, tt_track_ioctl_query, false, false },
	{ TENSTORRENT_IOCTL_TRACK_BATCH, tt_track_ioctl_batch, true, true },
	{ TENSTORRENT_IOCTL_GET_TRACKING_INFO, tt_track_ioctl_info, false, false },
};

union tt_track_ioctl_arg {
	struct tenstorrent_track_alloc alloc;
	struct tenstorrent_track_free free;
	struct tenstorrent_query_alloc_stats query;
	struct tenstorrent_track_batch batch;
	struct tenstorrent_tracking_info info;
};

/**
 * tt_track_ioctl() - run a tracking ioctl on a file
 * @tfile: the file
 * @cmd: the ioctl command; its size field gives the size of user space's
 *	struct, which may be older or newer than the driver's
 * @uarg: the struct in user memory
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno as the uapi header describes; -ENOTTY when
 * @cmd is not a tracking ioctl, so the caller may try others.
 */
long tt_track_ioctl(struct tt_track_file *tfile, unsigned int cmd,
		    void __user *uarg)
{
	const struct tt_track_ioctl_desc *desc = NULL;
	unsigned int usize = _IOC_SIZE(cmd), ksize;
	union tt_track_ioctl_arg karg;
	unsigned int i;
	long ret;
	int err;

	for (i = 0; i < ARRAY_SIZE(tt_track_ioctls); i++) {
		if (_IOC_NR(cmd) == _IOC_NR(tt_track_ioctls[i].cmd)) {
			desc = &tt_track_ioctls[i];
			break;
		}
	}
	if (!desc || _IOC_TYPE(cmd) != TENSTORRENT_IOCTL_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;
	ksize = _IOC_SIZE(desc->cmd);
	if (usize < ksize)
		return -ENOTTY;

	err = copy_struct_from_user(&karg, ksize, uarg, usize);
	if (err)
		return err;
	if (desc->changes && copy_to_user(uarg, &karg, ksize))
		return -EFAULT;

	ret = desc->fn(tfile, &karg);
	/*
	 * EFAULT says nothing changed. After a change the struct, written
	 * a moment ago, can only fail to copy if the caller unmapped it
	 * meanwhile (or a fault was injected): the change's result stands.
	 */
	if ((!ret || desc->out_on_error) && copy_to_user(uarg, &karg, ksize) &&
	    !desc->changes)
		return -EFAULT;
	return ret;
}

static const char *const tt_track_type_names[TT_BUFFER_TYPE_COUNT] = {
	[TT_BUFFER_TYPE_DRAM] = "dram",
	[TT_BUFFER_TYPE_L1] = "l1",
	[TT_BUFFER_TYPE_SYSTEM_MEMORY] = "system_memory",
	[TT_BUFFER_TYPE_L1_SMALL] = "l1_small",
	[TT_BUFFER_TYPE_TRACE] = "trace",
};

/**
 * tt_track_show_files() - one line per open file of a card
 * @m: the seq_file to print to
 * @tdev: the card
 *
 * Columns: pid (in the reader's pid namespace, 0 when not visible there),
 * uid (in the reader's user namespace), comm, buffers, then bytes live and
 * peak per buffer type. Each line is read at one instant.
 *
 * Context: process context; holds the card's files lock for the walk and
 * each file's lock for its line.
 * Return: 0.
 */
int tt_track_show_files(struct seq_file *m, struct tt_track_device *tdev)
{
	struct tt_track_file *tfile;
	unsigned long id;
	unsigned int t;

	seq_puts(m, "pid uid comm buffers");
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		seq_printf(m, " %s", tt_track_type_names[t]);
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		seq_printf(m, " %s_peak", tt_track_type_names[t]);
	seq_putc(m, '\n');

	mutex_lock(&tdev->files_lock);
	xa_for_each(&tdev->files, id, tfile) {
		mutex_lock(&tfile->lock);
		seq_printf(m, "%d %u %s %llu", pid_vnr(tfile->pid),
			   from_kuid_munged(current_user_ns(), tfile->uid),
			   tfile->comm, tfile->nr_records);
		for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
			seq_printf(m, " %llu", tfile->totals.allocated[t]);
		for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
			seq_printf(m, " %llu", tfile->totals.peak[t]);
		seq_putc(m, '\n');
		mutex_unlock(&tfile->lock);
	}
	mutex_unlock(&tdev->files_lock);
	return 0;
}

/* The cursor has passed the last index of its xarray: the next one, or file. */
static void tt_track_cursor_next_xa(struct tt_track_cursor *c)
{
	c->index = 0;
	if (++c->xa < TT_TRACK_XAS)
		return;
	c->xa = 0;
	if (c->tfile)
		mutex_unlock(&c->tfile->lock);
	c->tfile = NULL;
	c->file_id++;
}

/*
 * The record at or after the cursor, moving on to the next xarray and the
 * next file as they run out; NULL at the end. Holds the lock of the file
 * it returns a record of.
 */
static struct tt_track_record *tt_track_cursor_find(struct tt_track_cursor *c)
{
	struct tt_track_device *tdev = c->tdev;
	struct tt_track_record *rec;
	unsigned long id;

	lockdep_assert_held(&tdev->files_lock);

	for (;;) {
		if (!c->tfile) {
			id = c->file_id;
			c->tfile = xa_find(&tdev->files, &id, ULONG_MAX,
					   XA_PRESENT);
			if (!c->tfile)
				return NULL;
			/* the file the cursor was in has closed: start afresh */
			if (id != c->file_id) {
				c->file_id = id;
				c->xa = 0;
				c->index = 0;
			}
			mutex_lock(&c->tfile->lock);
		}
		rec = xa_find(&c->tfile->records[c->xa], &c->index, ULONG_MAX,
			      XA_PRESENT);
		if (rec)
			return rec;
		tt_track_cursor_next_xa(c);
	}
}

/* Step past the record at the cursor, without wrapping at ULONG_MAX. */
static void tt_track_cursor_advance(struct tt_track_cursor *c)
{
	c->pos++;
	if (c->index == ULONG_MAX)
		tt_track_cursor_next_xa(c);
	else
		c->index++;
}

static void tt_track_cursor_reset(struct tt_track_cursor *c)
{
	c->file_id = 0;
	c->xa = 0;
	c->index = 0;
	c->pos = 0;
}

static void *tt_track_records_start(struct seq_file *m, loff_t *pos)
{
	struct tt_track_cursor *c = m->private;
	struct tt_track_record *rec;

	mutex_lock(&c->tdev->files_lock);
	c->tfile = NULL;
	c->now_ns = ktime_get_ns();
	if (*pos == 0)
		return SEQ_START_TOKEN;

	/*
	 * Reads go on where the last stopped: the cursor is at *pos. Any
	 * other position (a seek) walks there from the start.
	 */
	if (*pos - 1 < c->pos)
		tt_track_cursor_reset(c);
	rec = tt_track_cursor_find(c);
	while (rec && c->pos < *pos - 1) {
		tt_track_cursor_advance(c);
		rec = tt_track_cursor_find(c);
	}
	return rec;
}

static void *tt_track_records_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct tt_track_cursor *c = m->private;

	++*pos;
	if (v == SEQ_START_TOKEN)
		tt_track_cursor_reset(c);
	else
		tt_track_cursor_advance(c);
	return tt_track_cursor_find(c);
}

static void tt_track_records_stop(struct seq_file *m, void *v)
{
	struct tt_track_cursor *c = m->private;

	if (c->tfile)
		mutex_unlock(&c->tfile->lock);
	c->tfile = NULL;
	mutex_unlock(&c->tdev->files_lock);
}

/* One line per record: owner pid, buffer id, type, size, age in ms. */
static int tt_track_records_show(struct seq_file *m, void *v)
{
	struct tt_track_cursor *c = m->private;
	struct tt_track_record *rec = v;
	u64 id, age_ns;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "pid buffer_id type size age_ms\n");
		return 0;
	}

	id = tt_track_index_to_id(c->xa, c->index);
	age_ns = c->now_ns > rec->time_ns ? c->now_ns - rec->time_ns : 0;
	seq_printf(m, "%d 0x%llx %s %llu %llu\n", pid_vnr(c->tfile->pid), id,
		   tt_track_type_names[rec->type], rec->size,
		   div_u64(age_ns, NSEC_PER_MSEC));
	return 0;
}

/*
 * Walks every record of a card, one seq_file buffer at a time: the locks
 * are held from start() to stop() only, so a dump of a million records
 * never holds them across the whole walk, and each line is consistent.
 * Records are listed by file, in index order (not sorted by id).
 */
const struct seq_operations tt_track_records_seq_ops = {
	.start = tt_track_records_start,
	.next = tt_track_records_next,
	.stop = tt_track_records_stop,
	.show = tt_track_records_show,
};

int tt_track_init(void)
{
	tt_track_cache = kmem_cache_create("tt_track_record",
					   sizeof(struct tt_track_record),
					   0, SLAB_ACCOUNT, NULL);
	return tt_track_cache ? 0 : -ENOMEM;
}

void tt_track_exit(void)
{
	kmem_cache_destroy(tt_track_cache);
}
