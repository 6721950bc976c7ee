// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation tracking core: what runtimes report with the tracking ioctls
 * (track_ioctl.c), kept per open file in a record store (track_store.c),
 * summed per file and per device, counted per user (track_user.c), and
 * dropped when the file is released.
 *
 * Locking: a file's mutex serialises every operation on the file and
 * protects its totals; the device's spinlock, taken inside it, protects the
 * device's totals. Totals are updated by the operations themselves, never
 * summed over records, so reading them is O(1) and a reader holding the
 * locks sees one consistent instant.
 */
#include <linux/atomic.h>
#include <linux/cgroup.h>
#include <linux/device.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "track_internal.h"

#define CREATE_TRACE_POINTS
#include "track_trace.h"

static_assert(BITS_PER_LONG == 64, "totals and ids need 64-bit longs");
static_assert(TT_BUFFER_TYPE_COUNT <= TT_TRACK_TYPES);
static_assert(sizeof(struct tt_track_record) == 32);

unsigned long tt_track_max_records = 1UL << 22;
module_param_named(max_records, tt_track_max_records, ulong, 0644);
MODULE_PARM_DESC(max_records,
		 "Live records one open file may hold; TRACK_ALLOC beyond fails with ENOSPC (default 4194304)");

/*
 * Record memory is charged to the caller's memory cgroup. At the cgroup's
 * limit a record is refused with -ENOMEM instead of waking the OOM killer
 * for bookkeeping (__GFP_RETRY_MAYFAIL), and without a warning in the log,
 * since the caller is told.
 */
#define TT_TRACK_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* The memory each buffer type lives in, whose capacity bounds it */
static const u8 tt_track_type_mem[TT_BUFFER_TYPE_COUNT] = {
	[TT_BUFFER_TYPE_DRAM] = TT_TRACK_MEM_DRAM,
	[TT_BUFFER_TYPE_L1] = TT_TRACK_MEM_L1,
	[TT_BUFFER_TYPE_SYSTEM_MEMORY] = TT_TRACK_MEM_SYSTEM,
	[TT_BUFFER_TYPE_L1_SMALL] = TT_TRACK_MEM_L1,
	[TT_BUFFER_TYPE_TRACE] = TT_TRACK_MEM_DRAM,
	[TT_BUFFER_TYPE_CB] = TT_TRACK_MEM_L1,
	[TT_BUFFER_TYPE_KERNEL] = TT_TRACK_MEM_L1,
};

/**
 * tt_track_escape_byte() - one byte of a name as it is printed
 * @out: where to write it, 4 bytes
 * @c: the byte
 *
 * A byte that is printable ASCII, but not space or backslash, is itself;
 * any other byte is a backslash and three octal digits. The kernel's
 * string_escape_str() has no "every byte but printable ASCII" class before
 * Linux 5.13 (ESCAPE_NAP), and its isprint() counts Latin-1 letters as
 * printable; this escape is the same on every kernel.
 *
 * Context: any.
 * Return: the bytes written to @out, 1 or 4.
 */
size_t tt_track_escape_byte(char *out, u8 c)
{
	if (c > ' ' && c < 0x7f && c != '\\') {
		*out = c;
		return 1;
	}
	out[0] = '\\';
	out[1] = '0' + (c >> 6);
	out[2] = '0' + ((c >> 3) & 7);
	out[3] = '0' + (c & 7);
	return 4;
}

/**
 * tt_track_escape_comm() - a command name as one field (TT_TRACK_COMM_BUF)
 * @buf: where to write it, TT_TRACK_COMM_BUF bytes
 * @comm: the name, a NUL within TASK_COMM_LEN bytes
 *
 * Each byte as tt_track_escape_byte() prints it. The empty name stays
 * empty: callers say what it means.
 *
 * Context: any.
 */
void tt_track_escape_comm(char *buf, const char *comm)
{
	size_t i;

	for (i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
		buf += tt_track_escape_byte(buf, comm[i]);
	*buf = '\0';
}

/*
 * The line a file released with records logs, limited per user (the
 * file's opener): at most DEFAULT_RATELIMIT_BURST lines every
 * DEFAULT_RATELIMIT_INTERVAL for each user, over all cards.
 */
static void tt_track_report_leak(struct tt_track_file *tfile,
				 unsigned long records)
{
	const struct tt_track_totals *t = &tfile->totals;
	char comm[TT_TRACK_COMM_BUF];

	if (!__ratelimit(&tfile->user->leak_rs))
		return;
	tt_track_escape_comm(comm, tfile->comm);
	dev_info(tfile->tdev->dev,
		 "pid %d (%s) closed with %lu tracked buffers still live: DRAM %llu B, L1 %llu B, SYSTEM_MEMORY %llu B, L1_SMALL %llu B, TRACE %llu B, CB %llu B, KERNEL %llu B\n",
		 pid_nr(tfile->pid), comm, records,
		 t->allocated[TT_BUFFER_TYPE_DRAM],
		 t->allocated[TT_BUFFER_TYPE_L1],
		 t->allocated[TT_BUFFER_TYPE_SYSTEM_MEMORY],
		 t->allocated[TT_BUFFER_TYPE_L1_SMALL],
		 t->allocated[TT_BUFFER_TYPE_TRACE],
		 t->allocated[TT_BUFFER_TYPE_CB],
		 t->allocated[TT_BUFFER_TYPE_KERNEL]);
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
 * @capacity: bytes of each enum tt_track_memory of the card; records
 *	beyond it are refused (at most TT_TRACK_SIZE_MAX is used)
 * @notify: called from a work item, at most every TT_TRACK_NOTIFY_DELAY,
 *	after the card's totals or open files changed (e.g. sysfs_notify());
 *	may be NULL
 *
 * Context: any; does not sleep.
 */
void tt_track_device_init(struct tt_track_device *tdev, struct device *dev,
			  int id, const u64 capacity[TT_TRACK_MEMS],
			  void (*notify)(struct tt_track_device *tdev))
{
	unsigned int mem;

	for (mem = 0; mem < TT_TRACK_MEMS; mem++)
		tdev->capacity[mem] = min_t(u64, capacity[mem],
					    TT_TRACK_SIZE_MAX);
	spin_lock_init(&tdev->lock);
	memset(&tdev->totals, 0, sizeof(tdev->totals));
	tdev->open_files = 0;
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

/*
 * The calling task's cgroup on the unified (v2) hierarchy, pinned, as
 * /proc/self/cgroup's "0::" line names it; NULL in a kernel without
 * cgroups. The task may be moving to another cgroup and the one read may
 * be dying: then the read is retried, as the kernel's sockets do.
 */
static struct cgroup *tt_track_current_cgroup(void)
{
#ifdef CONFIG_CGROUPS
	struct cgroup *cgrp;

	rcu_read_lock();
	for (;;) {
		cgrp = task_dfl_cgroup(current);
		if (likely(cgroup_tryget(cgrp)))
			break;
		cpu_relax();
	}
	rcu_read_unlock();
	return cgrp;
#else
	return NULL;
#endif
}

static void tt_track_cgroup_put(struct cgroup *cgrp)
{
#ifdef CONFIG_CGROUPS
	if (cgrp)
		cgroup_put(cgrp);
#endif
}

/* Client ids, unique among all files of all cards until the module unloads */
static atomic64_t tt_track_client_ids = ATOMIC64_INIT(0);

/**
 * tt_track_file_init() - set up the records of a newly opened file
 * @tfile: the state, embedded in the file's context
 * @tdev: the card's tracking state
 *
 * The file is attributed to the calling thread group (log lines, debugfs,
 * fdinfo) and to its cgroup, and given a client id never given before.
 *
 * Context: process context, from open(); may sleep.
 * Return: 0, or -ENOMEM (or -EBUSY with 2^32 files open on the card).
 */
int tt_track_file_init(struct tt_track_file *tfile,
		       struct tt_track_device *tdev)
{
	int ret;

	tfile->tdev = tdev;
	mutex_init(&tfile->lock);
	tt_track_store_init(&tfile->records);
	memset(&tfile->totals, 0, sizeof(tfile->totals));
	memset(tfile->mem_allocated, 0, sizeof(tfile->mem_allocated));
	tfile->uid = current_uid();
	tfile->user = tt_track_user_get(tfile->uid);
	if (!tfile->user) {
		ret = -ENOMEM;
		goto err_destroy;
	}
	tfile->pid = get_task_pid(current, PIDTYPE_TGID);
	get_task_comm(tfile->comm, current);
	tfile->cgrp = tt_track_current_cgroup();
	tfile->client_id = atomic64_inc_return(&tt_track_client_ids);
	atomic_set(&tfile->readers, 0);

	ret = xa_alloc(&tdev->files, &tfile->id, tfile, xa_limit_32b,
		       GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_put;

	spin_lock(&tdev->lock);
	tdev->open_files++;
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);
	return 0;

err_put:
	tt_track_cgroup_put(tfile->cgrp);
	put_pid(tfile->pid);
	tt_track_user_put(tfile->user, false);
err_destroy:
	mutex_destroy(&tfile->lock);
	return ret;
}

/**
 * tt_track_file_release() - drop all records of a file being released
 * @tfile: the file's state
 *
 * Takes the file's totals off the card's, exactly, and logs one line,
 * rate-limited per user, when the file still held records (the process
 * exited or crashed without freeing them).
 *
 * Context: process context, from release(); may sleep.
 */
void tt_track_file_release(struct tt_track_file *tfile)
{
	struct tt_track_device *tdev = tfile->tdev;
	struct tt_track_totals *t = &tfile->totals;
	unsigned long records = tfile->records.count;
	unsigned int type;

	/*
	 * No reader finds the file after this; one that pinned it before
	 * lets go within one seq_file buffer or TT_TRACK_CURSOR_BATCH
	 * records of it, never after a whole dump.
	 */
	xa_erase(&tdev->files, tfile->id);
	wait_var_event(&tfile->readers, !atomic_read(&tfile->readers));

	tt_track_store_drain(&tfile->records);
	atomic_long_sub(records, &tfile->user->records);

	spin_lock(&tdev->lock);
	for (type = 0; type < TT_TRACK_TYPES; type++) {
		tdev->totals.allocated[type] -= t->allocated[type];
		tdev->totals.buffers[type] -= t->buffers[type];
	}
	tdev->open_files--;
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);

	if (records) {
		tt_track_report_leak(tfile, records);
		trace_tt_track_release(tdev->id, pid_nr(tfile->pid), records,
				       t->allocated);
	}
	/* after the line: the user's rate limit is needed until then */
	tt_track_user_put(tfile->user, records);

	tt_track_cgroup_put(tfile->cgrp);
	put_pid(tfile->pid);
	mutex_destroy(&tfile->lock);
}

/*
 * TRACK_ALLOC's answer after a change: the file's total of @type, the
 * card's (@device_allocated, read under the card's lock by the caller)
 * and the record's references.
 */
static void tt_track_alloc_answer(struct tt_track_file *tfile, u32 type,
				  u32 refs, u64 device_allocated,
				  struct tenstorrent_track_alloc_out *out)
{
	if (!out)
		return;
	out->file_allocated = tfile->totals.allocated[type];
	out->device_allocated = device_allocated;
	out->refs = refs;
	out->reserved = 0;
}

/**
 * __tt_track_alloc() - tt_track_alloc() for a caller holding the file
 * @tfile: the file, its lock held
 * @buffer_id: the buffer's id
 * @size: bytes, not 0
 * @type: enum tenstorrent_buffer_type
 * @flags: TENSTORRENT_TRACK_REF, TT_TRACK_UNIQUE_ID
 * @out: if not NULL, set as tt_track_alloc() sets it
 *
 * Context: process context; may sleep.
 * Return: as tt_track_alloc(); -EEXIST also, with TT_TRACK_UNIQUE_ID,
 * when the file holds the id in another type.
 */
int __tt_track_alloc(struct tt_track_file *tfile, u64 buffer_id, u64 size,
		     u32 type, u32 flags,
		     struct tenstorrent_track_alloc_out *out)
{
	struct tt_track_device *tdev = tfile->tdev;
	struct tt_track_record **slot, *rec;
	unsigned int mem;
	u64 cap, total;
	int ret;

	lockdep_assert_held(&tfile->lock);

	if (!size || type >= TT_BUFFER_TYPE_COUNT ||
	    (flags & ~(TENSTORRENT_TRACK_REF | TT_TRACK_UNIQUE_ID)))
		return -EINVAL;

	slot = tt_track_store_find(&tfile->records, buffer_id, type);
	if (slot) {
		rec = *slot;
		if (!(flags & TENSTORRENT_TRACK_REF) || rec->size != size)
			return -EEXIST;
		if (rec->refs == TT_TRACK_REFS_MAX)
			return -EOVERFLOW;
		rec->refs++;
		if (out) {
			spin_lock(&tdev->lock);
			total = tdev->totals.allocated[type];
			spin_unlock(&tdev->lock);
			tt_track_alloc_answer(tfile, type, rec->refs, total, out);
		}
		return 0;
	}
	if ((flags & TT_TRACK_UNIQUE_ID) &&
	    tt_track_store_find_id(&tfile->records, buffer_id, &slot))
		return -EEXIST;

	/* what the card cannot hold, in one buffer or in this file, is false */
	mem = tt_track_type_mem[type];
	cap = tdev->capacity[mem];
	if (size > cap || size > cap - tfile->mem_allocated[mem])
		return -ERANGE;
	if (tfile->records.count >= READ_ONCE(tt_track_max_records))
		return -ENOSPC;
	if (!tt_track_user_charge(tfile->user))
		return -EDQUOT;

	ret = tt_track_store_reserve(&tfile->records, TT_TRACK_GFP);
	if (ret)
		goto err_uncharge;

	spin_lock(&tdev->lock);
	if (check_add_overflow(tdev->totals.allocated[type], size, &total)) {
		spin_unlock(&tdev->lock);
		ret = -EOVERFLOW;
		goto err_uncharge;
	}
	tt_track_totals_add(&tdev->totals, type, size);
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);

	tt_track_store_insert(&tfile->records, buffer_id, type, size,
			      tt_track_stamp(), TT_TRACK_GFP);
	tt_track_totals_add(&tfile->totals, type, size);
	tfile->mem_allocated[mem] += size;

	/* total: the card's, as the change left it under the lock */
	tt_track_alloc_answer(tfile, type, 1, total, out);
	trace_tt_track_alloc(tdev->id, buffer_id, size, type);
	return 0;

err_uncharge:
	atomic_long_dec(&tfile->user->records);
	return ret;
}

/**
 * __tt_track_free() - tt_track_free() for a caller holding the file
 * @tfile: the file, its lock held
 * @buffer_id: the buffer's id
 * @type: with TENSTORRENT_TRACK_TYPED, its type; else 0
 * @flags: 0 or TENSTORRENT_TRACK_TYPED
 * @out: if not NULL, set as tt_track_free() sets it
 *
 * Context: process context; may sleep.
 * Return: as tt_track_free().
 */
int __tt_track_free(struct tt_track_file *tfile, u64 buffer_id, u32 type,
		    u32 flags, struct tenstorrent_track_free_out *out)
{
	struct tt_track_device *tdev = tfile->tdev;
	struct tt_track_record **slot, *rec;
	u64 size;

	lockdep_assert_held(&tfile->lock);

	if (flags & ~TENSTORRENT_TRACK_TYPED)
		return -EINVAL;
	if (flags & TENSTORRENT_TRACK_TYPED) {
		if (type >= TT_BUFFER_TYPE_COUNT)
			return -EINVAL;
		slot = tt_track_store_find(&tfile->records, buffer_id, type);
		if (!slot)
			return -ENOENT;
	} else {
		unsigned int n;

		if (type)
			return -EINVAL;
		n = tt_track_store_find_id(&tfile->records, buffer_id, &slot);
		if (!n)
			return -ENOENT;
		if (n > 1)
			return -ENOTUNIQ;
	}

	rec = *slot;
	type = rec->type;
	size = rec->size;
	if (out) {
		out->size = size;
		out->buffer_type = type;
		out->refs = rec->refs - 1;
	}
	if (rec->refs > 1) {
		rec->refs--;
		return 0;
	}

	tt_track_store_remove(&tfile->records, slot, TT_TRACK_GFP);
	atomic_long_dec(&tfile->user->records);

	spin_lock(&tdev->lock);
	tt_track_totals_sub(&tdev->totals, type, size);
	tt_track_changed(tdev);
	spin_unlock(&tdev->lock);
	tt_track_totals_sub(&tfile->totals, type, size);
	tfile->mem_allocated[tt_track_type_mem[type]] -= size;

	trace_tt_track_free(tdev->id, buffer_id, size, type);
	return 0;
}

/**
 * tt_track_alloc() - record a buffer under a file
 * @tfile: the file
 * @buffer_id: the buffer's id
 * @size: bytes, not 0
 * @type: enum tenstorrent_buffer_type
 * @flags: 0 or TENSTORRENT_TRACK_REF
 * @out: if not NULL, set to the file's and device's totals of @type after,
 *	and the record's references
 *
 * Context: process context; may sleep, killably while it waits for the
 * file. Record memory is charged to the caller's memory cgroup.
 * Return: 0, or -EINVAL, -EEXIST, -ERANGE, -ENOSPC, -EDQUOT, -EOVERFLOW,
 * -ENOMEM as the uapi header describes, -EINTR when killed while waiting;
 * on error nothing has changed.
 */
int tt_track_alloc(struct tt_track_file *tfile, u64 buffer_id, u64 size,
		   u32 type, u32 flags, struct tenstorrent_track_alloc_out *out)
{
	int ret;

	if (flags & ~TENSTORRENT_TRACK_REF)
		return -EINVAL;
	if (mutex_lock_killable(&tfile->lock))
		return -EINTR;
	ret = __tt_track_alloc(tfile, buffer_id, size, type, flags, out);
	mutex_unlock(&tfile->lock);
	return ret;
}

/**
 * tt_track_free() - drop a reference to a buffer the file holds
 * @tfile: the file
 * @buffer_id: the buffer's id
 * @type: with TENSTORRENT_TRACK_TYPED, its type; else 0
 * @flags: 0 or TENSTORRENT_TRACK_TYPED
 * @out: if not NULL, set to the record's size and type and the
 *	references left (0: the record is gone)
 *
 * Context: process context; may sleep, killably while it waits for the
 * file.
 * Return: 0, or -ENOENT when the file holds no such record, -ENOTUNIQ for
 * an untyped free of an id live in several types, -EINVAL, -EINTR when
 * killed while waiting.
 */
int tt_track_free(struct tt_track_file *tfile, u64 buffer_id, u32 type,
		  u32 flags, struct tenstorrent_track_free_out *out)
{
	int ret;

	if (mutex_lock_killable(&tfile->lock))
		return -EINTR;
	ret = __tt_track_free(tfile, buffer_id, type, flags, out);
	mutex_unlock(&tfile->lock);
	return ret;
}

/**
 * tt_track_init() - set up the tracking core, once, at module load
 * @file_of: gives the tracking file behind an open file, or an
 *	ERR_PTR(): -ENOTTY when it is not one, -EBADF when not open for
 *	writing, -ENODEV when its card is gone; for batch operations'
 *	targets (NULL: no targets)
 */
void tt_track_init(struct tt_track_file *(*file_of)(struct file *file))
{
	tt_track_ioctl_init(file_of);
	tt_track_store_global_init();
	tt_track_user_init();
}

void tt_track_exit(void)
{
	tt_track_user_exit();
}
