// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation tracking core: what runtimes report with the tracking ioctls
 * (uapi/tenstorrent_track.h), kept per open file in a record store
 * (track_store.c), summed per file and per device, and dropped when the
 * file is released. Version 1 of the ABI is served beside version 2.
 *
 * Locking: a file's mutex serialises every operation on the file and
 * protects its totals; the device's spinlock, taken inside it, protects the
 * device's totals. Totals are updated by the operations themselves, never
 * summed over records, so reading them is O(1) and a reader holding the
 * locks sees one consistent instant.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/pid_namespace.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "track.h"
#include "track_abi1.h"

#define CREATE_TRACE_POINTS
#include "track_trace.h"

static_assert(BITS_PER_LONG == 64, "totals and ids need 64-bit longs");
static_assert(TT_BUFFER_TYPE_COUNT <= TT_TRACK_TYPES);
static_assert(sizeof(struct tt_track_record) == 32);

static unsigned long max_records = 1UL << 22;
module_param(max_records, ulong, 0644);
MODULE_PARM_DESC(max_records,
		 "Live records one open file may hold; TRACK_ALLOC beyond fails with ENOSPC (default 4194304)");

/* 0: the default, derived by tt_track_init() from the machine's memory */
static unsigned long max_user_records;
module_param(max_user_records, ulong, 0644);
MODULE_PARM_DESC(max_user_records,
		 "Live records one user may hold over all open files and cards; TRACK_ALLOC beyond fails with EDQUOT (0: the default, 4% of RAM at 64 bytes a record)");
static unsigned long tt_track_default_user_records;

/* The per-user cap in force: the parameter, or its default when it is 0 */
static unsigned long tt_track_user_records(void)
{
	return READ_ONCE(max_user_records) ?: tt_track_default_user_records;
}

/*
 * A record's memory is at most this, table included (track_store.c), for
 * any ids; the per-user default allows 4% of RAM of it, as epoll does for
 * its watches.
 */
#define TT_TRACK_RECORD_BOUND	64

/* An internal flag of __tt_track_alloc(): version 1's rule, one id per file */
#define TT_TRACK_UNIQUE_ID	BIT(31)

/* The tracking file behind an open file, for a batch operation's target */
static struct tt_track_file *(*tt_track_file_of)(struct file *file);

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

static const char *const tt_track_type_names[] = {
	TENSTORRENT_BUFFER_TYPE_NAMES
};

static_assert(ARRAY_SIZE(tt_track_type_names) == TT_BUFFER_TYPE_COUNT);

/* Bytes the totals @t hold in memory @mem, all its types together */
static u64 tt_track_mem_total(const struct tt_track_totals *t,
			      unsigned int mem)
{
	u64 sum = 0;
	unsigned int type;

	for (type = 0; type < TT_BUFFER_TYPE_COUNT; type++)
		if (tt_track_type_mem[type] == mem)
			sum += t->allocated[type];
	return sum;
}

/**
 * struct tt_track_user - the records of one user, all files and cards
 * @uid: the user
 * @files: open files counted against the user; protected by
 *	tt_track_users_lock
 * @records: live records of those files
 * @leak_rs: rate limit of the lines logged when the user's files are
 *	released holding records, so that one user's lines cannot crowd
 *	out another's; used by whoever holds one of @files
 * @leak_until: until when @leak_rs must be kept, in jiffies: a user with
 *	no file open stays until then (the reaper frees it), so that closing
 *	leaking files one after another does not start a fresh limit each
 *	time; protected by tt_track_users_lock
 */
struct tt_track_user {
	kuid_t uid;
	unsigned int files;
	atomic_long_t records;
	struct ratelimit_state leak_rs;
	unsigned long leak_until;
};

/* Protects tt_track_users and each user's @files and @leak_until. */
static DEFINE_MUTEX(tt_track_users_lock);
static DEFINE_XARRAY(tt_track_users);

static void tt_track_users_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(tt_track_users_reaper, tt_track_users_reap);

static struct tt_track_user *tt_track_user_get(kuid_t uid)
{
	struct tt_track_user *user;

	mutex_lock(&tt_track_users_lock);
	user = xa_load(&tt_track_users, __kuid_val(uid));
	if (!user) {
		user = kzalloc(sizeof(*user), GFP_KERNEL);
		if (!user)
			goto out;
		user->uid = uid;
		atomic_long_set(&user->records, 0);
		ratelimit_state_init(&user->leak_rs, DEFAULT_RATELIMIT_INTERVAL,
				     DEFAULT_RATELIMIT_BURST);
		user->leak_until = jiffies;
		if (xa_err(xa_store(&tt_track_users, __kuid_val(uid), user,
				    GFP_KERNEL))) {
			kfree(user);
			user = NULL;
			goto out;
		}
	}
	user->files++;
out:
	mutex_unlock(&tt_track_users_lock);
	return user;
}

/* Free @user, no longer in tt_track_users, saying what its limit held back */
static void tt_track_user_free(struct tt_track_user *user)
{
	/* nobody holds a file of the user: nobody else reads @leak_rs */
	if (user->leak_rs.missed)
		pr_info("uid %u: %d more files closed with tracked buffers still live, not logged (rate limit)\n",
			from_kuid(&init_user_ns, user->uid),
			user->leak_rs.missed);
	kfree(user);
}

/*
 * Drop a file's reference to @user; @leaked: the file was released holding
 * records. The last reference frees the user, unless a leak of theirs is
 * recent enough that their rate limit must be kept for a while.
 */
static void tt_track_user_put(struct tt_track_user *user, bool leaked)
{
	mutex_lock(&tt_track_users_lock);
	if (leaked)
		user->leak_until = jiffies + DEFAULT_RATELIMIT_INTERVAL;
	if (!--user->files) {
		WARN_ON(atomic_long_read(&user->records));
		if (time_before(jiffies, user->leak_until)) {
			schedule_delayed_work(&tt_track_users_reaper,
					      user->leak_until - jiffies);
		} else {
			WARN_ON(xa_erase(&tt_track_users,
					 __kuid_val(user->uid)) != user);
			tt_track_user_free(user);
		}
	}
	mutex_unlock(&tt_track_users_lock);
}

/* Free the users with no file open whose rate limit may go now */
static void tt_track_users_reap(struct work_struct *work)
{
	struct tt_track_user *user;
	unsigned long uid, next = 0;
	bool again = false;

	mutex_lock(&tt_track_users_lock);
	xa_for_each(&tt_track_users, uid, user) {
		if (user->files)
			continue;
		if (time_before(jiffies, user->leak_until)) {
			if (!again || time_before(user->leak_until, next))
				next = user->leak_until;
			again = true;
			continue;
		}
		xa_erase(&tt_track_users, uid);
		tt_track_user_free(user);
	}
	if (again)
		schedule_delayed_work(&tt_track_users_reaper, next - jiffies);
	mutex_unlock(&tt_track_users_lock);
}

/*
 * A command name, which any process chooses (prctl(PR_SET_NAME)), is
 * printed, in debugfs and in the kernel log, as one field that no name can
 * stretch over more fields or lines: each byte that is not printable
 * ASCII, space and backslash in octal (\ooo), as /proc/mounts escapes
 * paths; in debugfs an empty name is \000, which no name holds. Readers
 * undo it exactly.
 */
#define TT_TRACK_COMM_ESCAPE	(ESCAPE_OCTAL | ESCAPE_NAP | ESCAPE_APPEND)
#define TT_TRACK_COMM_ALSO	" \\"

/*
 * The line a file released with records logs, limited per user (the
 * file's opener): at most DEFAULT_RATELIMIT_BURST lines every
 * DEFAULT_RATELIMIT_INTERVAL for each user, over all cards.
 */
static void tt_track_report_leak(struct tt_track_file *tfile,
				 unsigned long records)
{
	const struct tt_track_totals *t = &tfile->totals;
	char comm[4 * TASK_COMM_LEN];
	int n;

	if (!__ratelimit(&tfile->user->leak_rs))
		return;
	n = string_escape_str(tfile->comm, comm, sizeof(comm) - 1,
			      TT_TRACK_COMM_ESCAPE, TT_TRACK_COMM_ALSO);
	comm[min_t(int, n, sizeof(comm) - 1)] = '\0';
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

/* Count one more record against @user; false at max_user_records */
static bool tt_track_user_charge(struct tt_track_user *user)
{
	if (atomic_long_inc_return(&user->records) <= tt_track_user_records())
		return true;
	atomic_long_dec(&user->records);
	return false;
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
	int ret;

	tfile->tdev = tdev;
	mutex_init(&tfile->lock);
	tt_track_store_init(&tfile->records);
	memset(&tfile->totals, 0, sizeof(tfile->totals));
	tfile->uid = current_uid();
	tfile->user = tt_track_user_get(tfile->uid);
	if (!tfile->user) {
		ret = -ENOMEM;
		goto err_destroy;
	}
	tfile->pid = get_task_pid(current, PIDTYPE_TGID);
	get_task_comm(tfile->comm, current);
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

static int __tt_track_alloc(struct tt_track_file *tfile, u64 buffer_id,
			    u64 size, u32 type, u32 flags,
			    struct tenstorrent_track_alloc_out *out)
{
	struct tt_track_device *tdev = tfile->tdev;
	struct tt_track_record **slot, *rec;
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
	cap = tdev->capacity[tt_track_type_mem[type]];
	if (size > cap ||
	    size > cap - tt_track_mem_total(&tfile->totals,
					    tt_track_type_mem[type]))
		return -ERANGE;
	if (tfile->records.count >= READ_ONCE(max_records))
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

	rec = tt_track_store_insert(&tfile->records, buffer_id, type,
				    TT_TRACK_GFP);
	rec->size = size;
	rec->stamp = tt_track_stamp();
	rec->refs = 1;
	tt_track_totals_add(&tfile->totals, type, size);

	/* total: the card's, as the change left it under the lock */
	tt_track_alloc_answer(tfile, type, 1, total, out);
	trace_tt_track_alloc(tdev->id, buffer_id, size, type);
	return 0;

err_uncharge:
	atomic_long_dec(&tfile->user->records);
	return ret;
}

static int __tt_track_free(struct tt_track_file *tfile, u64 buffer_id,
			   u32 type, u32 flags,
			   struct tenstorrent_track_free_out *out)
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

/* Errors version 1 did not have, as version 1 named the same cases */
static int tt_track_v1_errno(int err)
{
	switch (err) {
	case -ERANGE:
		return -EOVERFLOW;
	case -EDQUOT:
		return -ENOSPC;
	default:
		return err;
	}
}

static long tt_track_ioctl_alloc(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_alloc *arg = data;

	return tt_track_alloc(tfile, arg->in.buffer_id, arg->in.size,
			      arg->in.buffer_type, arg->in.flags, &arg->out);
}

static long tt_track_ioctl_free(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_free *arg = data;

	return tt_track_free(tfile, arg->in.buffer_id, arg->in.buffer_type,
			     arg->in.flags, &arg->out);
}

static void tt_track_totals_to_user(const struct tt_track_totals *t,
				    u64 *allocated, u64 *peak, u64 *buffers)
{
	memcpy(allocated, t->allocated, sizeof(t->allocated));
	memcpy(peak, t->peak, sizeof(t->peak));
	memcpy(buffers, t->buffers, sizeof(t->buffers));
}

static int tt_track_query(struct tt_track_file *tfile,
			  struct tenstorrent_query_alloc_stats_out *out)
{
	struct tt_track_device *tdev = tfile->tdev;

	static_assert(sizeof(out->allocated) == sizeof(tdev->totals.allocated));

	memset(out, 0, sizeof(*out));
	if (mutex_lock_killable(&tfile->lock))
		return -EINTR;
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

static long tt_track_ioctl_query(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_query_alloc_stats *arg = data;

	if (arg->in.flags || arg->in.pad)
		return -EINVAL;
	return tt_track_query(tfile, &arg->out);
}

/*
 * A batch applies operations to the calling file and, with
 * TENSTORRENT_TRACK_TARGET, to other tracking files of the caller (ops of
 * version 1's 24 bytes have no fd: the flag is unknown to them). It holds
 * one file's lock at a time, from one operation to the next while they go
 * to the same file, and a reference to a target's file while it is locked.
 */
struct tt_track_batch {
	struct tt_track_file *self;
	struct tt_track_file *locked;
	struct file *held;
	bool v1;
	bool has_fd;
};

static void tt_track_batch_unlock(struct tt_track_batch *b)
{
	if (b->locked)
		mutex_unlock(&b->locked->lock);
	if (b->held)
		fput(b->held);
	b->locked = NULL;
	b->held = NULL;
}

/* Lock the file @op applies to: the caller's or its target */
static int tt_track_batch_lock(struct tt_track_batch *b,
			       const struct tenstorrent_track_op *op)
{
	struct tt_track_file *target = b->self;
	struct file *file = NULL;

	if (op->flags & TENSTORRENT_TRACK_TARGET) {
		file = fget(op->fd);
		if (!file)
			return -EBADF;
		target = tt_track_file_of ? tt_track_file_of(file) :
					    ERR_PTR(-ENOTTY);
		if (IS_ERR(target)) {
			fput(file);
			return PTR_ERR(target);
		}
	} else if (op->fd) {
		return -EINVAL;
	}

	if (target == b->locked) {
		if (file)
			fput(file);
		return 0;
	}
	tt_track_batch_unlock(b);
	if (mutex_lock_killable(&target->lock)) {
		if (file)
			fput(file);
		return -EINTR;
	}
	b->locked = target;
	b->held = file;
	return 0;
}

static int tt_track_batch_op(struct tt_track_batch *b,
			     const struct tenstorrent_track_op *op)
{
	u32 known = b->v1 ? 0 : TENSTORRENT_TRACK_REF | TENSTORRENT_TRACK_TYPED;
	u32 flags = op->flags & ~TENSTORRENT_TRACK_TARGET;
	int ret;

	if (b->has_fd)
		known |= TENSTORRENT_TRACK_TARGET;

	if ((op->flags & ~known) || op->reserved)
		return -EINVAL;
	switch (op->op) {
	case TENSTORRENT_TRACK_OP_ALLOC:
		if (flags & ~TENSTORRENT_TRACK_REF)
			return -EINVAL;
		if (b->v1 && op->buffer_type >= TT_TRACK_V1_TYPES)
			return -EINVAL;
		break;
	case TENSTORRENT_TRACK_OP_FREE:
		if ((flags & ~TENSTORRENT_TRACK_TYPED) || op->size)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	ret = tt_track_batch_lock(b, op);
	if (ret)
		return ret;
	if (op->op == TENSTORRENT_TRACK_OP_ALLOC)
		return __tt_track_alloc(b->locked, op->buffer_id, op->size,
					op->buffer_type,
					flags | (b->v1 ? TT_TRACK_UNIQUE_ID : 0),
					NULL);
	return __tt_track_free(b->locked, op->buffer_id, op->buffer_type, flags,
			       NULL);
}

/* Operations copied and applied per lock hold; 512 bytes of stack. */
#define TT_TRACK_BATCH_CHUNK	16

/*
 * Copy @n operations of @op_size bytes each from @uops into @ops, shorter
 * ones zero-extended, longer ones only when their tail is zero. Return 0,
 * or the error of the first that cannot be copied, *@n set to its index.
 */
static int tt_track_batch_read(struct tenstorrent_track_op *ops,
			       const u8 __user *uops, u32 op_size, u32 *n)
{
	u32 i;
	int err;

	if (op_size == sizeof(*ops) &&
	    !copy_from_user(ops, uops, *n * sizeof(*ops)))
		return 0;
	/* one at a time: exactly the operations before a fault are applied */
	for (i = 0; i < *n; i++) {
		err = copy_struct_from_user(&ops[i], sizeof(*ops),
					    uops + (size_t)i * op_size,
					    op_size);
		if (err) {
			*n = i;
			return err;
		}
	}
	return 0;
}

/*
 * Apply @count operations of @op_size bytes at @uops; the number applied
 * goes to *@done. Return 0 or the errno of the operation at *@done.
 */
static int tt_track_batch_run(struct tt_track_file *tfile, u64 uops,
			      u32 count, u32 op_size, bool v1, u32 *done)
{
	struct tenstorrent_track_op ops[TT_TRACK_BATCH_CHUNK];
	struct tt_track_batch b = {
		.self = tfile, .v1 = v1,
		.has_fd = op_size >= offsetofend(struct tenstorrent_track_op, fd),
	};
	const u8 __user *uptr = u64_to_user_ptr(uops);
	int ret = 0;

	*done = 0;
	while (!ret && *done < count) {
		u32 n = min_t(u32, count - *done, TT_TRACK_BATCH_CHUNK);
		u32 i;

		ret = tt_track_batch_read(ops, uptr + (size_t)*done * op_size,
					  op_size, &n);
		for (i = 0; i < n; i++) {
			int err = tt_track_batch_op(&b, &ops[i]);

			if (err) {
				ret = err;
				break;
			}
			(*done)++;
		}
		/* others get the file between chunks */
		tt_track_batch_unlock(&b);
	}
	return ret;
}

/* A batch's answer before it runs: nothing done, no op failed */
static void tt_track_batch_none(void *data)
{
	struct tenstorrent_track_batch *arg = data;

	arg->out.processed = 0;
	arg->out.failed = TENSTORRENT_TRACK_BATCH_NONE;
}

static long tt_track_ioctl_batch(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_batch *arg = data;
	u32 op_size = arg->in.op_size ?: sizeof(struct tenstorrent_track_op);
	int ret;

	tt_track_batch_none(arg);
	if (arg->in.flags || arg->in.reserved || !arg->in.count ||
	    arg->in.count > TENSTORRENT_TRACK_BATCH_MAX ||
	    op_size < TT_TRACK_V1_OP_SIZE || op_size % 8)
		return -EINVAL;

	ret = tt_track_batch_run(tfile, arg->in.ops, arg->in.count, op_size,
				 false, &arg->out.processed);
	if (ret)
		arg->out.failed = arg->out.processed;
	return ret;
}

static long tt_track_ioctl_info(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_tracking_info *arg = data;
	struct tenstorrent_tracking_info_out *out = &arg->out;

	if (arg->in.flags || arg->in.pad)
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->abi_version = TENSTORRENT_TRACK_ABI_VERSION;
	out->buffer_types = GENMASK(TT_BUFFER_TYPE_COUNT - 1, 0);
	out->alloc_flags = TENSTORRENT_TRACK_REF;
	out->batch_max = TENSTORRENT_TRACK_BATCH_MAX;
	out->max_records = READ_ONCE(max_records);
	out->free_flags = TENSTORRENT_TRACK_TYPED;
	out->op_flags = TENSTORRENT_TRACK_REF | TENSTORRENT_TRACK_TYPED |
			TENSTORRENT_TRACK_TARGET;
	out->op_size = sizeof(struct tenstorrent_track_op);
	out->max_user_records = tt_track_user_records();
	return 0;
}

/* Version 1: one id per file whatever the type, five types, its errnos */

static long tt_track_v1_ioctl_alloc(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_alloc *arg = data;
	struct tenstorrent_track_alloc_out out;
	int ret;

	if (arg->in.flags || arg->in.reserved ||
	    arg->in.buffer_type >= TT_TRACK_V1_TYPES)
		return -EINVAL;
	if (mutex_lock_killable(&tfile->lock))
		return -EINTR;
	ret = __tt_track_alloc(tfile, arg->in.buffer_id, arg->in.size,
			       arg->in.buffer_type, TT_TRACK_UNIQUE_ID, &out);
	mutex_unlock(&tfile->lock);
	if (ret)
		return tt_track_v1_errno(ret);
	arg->out.file_allocated = out.file_allocated;
	arg->out.device_allocated = out.device_allocated;
	return 0;
}

static long tt_track_v1_ioctl_free(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_free *arg = data;
	struct tenstorrent_track_free_out out;
	int ret;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;
	ret = tt_track_free(tfile, arg->in.buffer_id, 0, 0, &out);
	if (ret)
		return ret;
	arg->out.size = out.size;
	arg->out.buffer_type = out.buffer_type;
	arg->out.reserved = 0;
	return 0;
}

static long tt_track_v1_ioctl_query(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_query *arg = data;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;
	return tt_track_query(tfile, &arg->out);
}

static void tt_track_v1_batch_none(void *data)
{
	struct tt_track_v1_batch *arg = data;

	arg->out.processed = 0;
	arg->out.reserved = 0;
}

static long tt_track_v1_ioctl_batch(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_batch *arg = data;
	int ret;

	tt_track_v1_batch_none(arg);
	if (arg->in.flags || arg->in.reserved || !arg->in.count ||
	    (arg->in.op_size && arg->in.op_size != TT_TRACK_V1_OP_SIZE))
		return -EINVAL;
	if (arg->in.count > TENSTORRENT_TRACK_BATCH_MAX)
		return -E2BIG;
	ret = tt_track_batch_run(tfile, arg->in.ops, arg->in.count,
				 TT_TRACK_V1_OP_SIZE, true,
				 &arg->out.processed);
	return tt_track_v1_errno(ret);
}

static long tt_track_v1_ioctl_info(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_info *arg = data;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;
	memset(&arg->out, 0, sizeof(arg->out));
	arg->out.abi_version = 1;
	arg->out.buffer_types = GENMASK(TT_TRACK_V1_TYPES - 1, 0);
	arg->out.batch_max = TENSTORRENT_TRACK_BATCH_MAX;
	arg->out.max_records = READ_ONCE(max_records);
	return 0;
}

/**
 * struct tt_track_ioctl_desc - one tracking ioctl
 * @cmd: its command; the size in it is the struct's size in this driver,
 *	which is also the smallest accepted: the first of its ABI version
 * @fn: the handler, given the struct in kernel memory
 * @changes: @fn changes records: it needs a file open for writing, and
 *	the struct is written back unchanged first, so a pointer that cannot
 *	be written fails before any change, and a failure to copy the result
 *	back after it is not reported
 * @out_on_error: copy the struct back even when @fn fails
 * @refused: when set, fills the struct's answer of a call refused before
 *	@fn ran (a file not open for writing), for @out_on_error
 */
struct tt_track_ioctl_desc {
	unsigned int cmd;
	long (*fn)(struct tt_track_file *tfile, void *data);
	bool changes;
	bool out_on_error;
	void (*refused)(void *data);
};

static const struct tt_track_ioctl_desc tt_track_ioctls[] = {
	{ TENSTORRENT_IOCTL_TRACK_ALLOC, tt_track_ioctl_alloc, true },
	{ TENSTORRENT_IOCTL_TRACK_FREE, tt_track_ioctl_free, true },
	{ TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, tt_track_ioctl_query },
	{ TENSTORRENT_IOCTL_TRACK_BATCH, tt_track_ioctl_batch, true, true,
	  tt_track_batch_none },
	{ TENSTORRENT_IOCTL_GET_TRACKING_INFO, tt_track_ioctl_info },
	{ TT_TRACK_V1_ALLOC, tt_track_v1_ioctl_alloc, true },
	{ TT_TRACK_V1_FREE, tt_track_v1_ioctl_free, true },
	{ TT_TRACK_V1_QUERY, tt_track_v1_ioctl_query },
	{ TT_TRACK_V1_BATCH, tt_track_v1_ioctl_batch, true, true,
	  tt_track_v1_batch_none },
	{ TT_TRACK_V1_INFO, tt_track_v1_ioctl_info },
};

union tt_track_ioctl_arg {
	struct tenstorrent_track_alloc alloc;
	struct tenstorrent_track_free free;
	struct tenstorrent_query_alloc_stats query;
	struct tenstorrent_track_batch batch;
	struct tenstorrent_tracking_info info;
	struct tt_track_v1_alloc v1_alloc;
	struct tt_track_v1_free v1_free;
	struct tt_track_v1_query v1_query;
	struct tt_track_v1_batch v1_batch;
	struct tt_track_v1_info v1_info;
};

/**
 * tt_track_ioctl() - run a tracking ioctl on a file
 * @tfile: the file
 * @cmd: the ioctl command; its size field gives the size of user space's
 *	struct, which may be older or newer than the driver's
 * @uarg: the struct in user memory
 * @writable: the file is open for writing (FMODE_WRITE); the ioctls that
 *	change records need it
 *
 * Context: process context; may sleep. The calls wait for the file's
 * lock killably: behind a long wait (another call in memory reclaim, a
 * debugfs reader) a task being killed is not held up.
 * Return: 0 or a negative errno as the uapi header describes; -ENOTTY when
 * @cmd is not a tracking ioctl, so the caller may try others; -EINTR when
 * the task was killed while it waited (user space never sees it).
 */
long tt_track_ioctl(struct tt_track_file *tfile, unsigned int cmd,
		    void __user *uarg, bool writable)
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
	if (!desc || _IOC_TYPE(cmd) != TENSTORRENT_TRACK_IOCTL_MAGIC ||
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

	if (desc->changes && !writable) {
		if (desc->refused)
			desc->refused(&karg);
		ret = -EBADF;
	} else {
		ret = desc->fn(tfile, &karg);
	}
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

/*
 * The first file of @tdev at index *@id or after (*@id set to its index),
 * pinned so that its release waits for tt_track_file_unpin(); NULL past
 * the last. Only the xarray's spinlock is taken, for the lookup: a reader
 * never holds anything that open() or close() needs while it sleeps on a
 * file's lock.
 */
static struct tt_track_file *tt_track_file_pin(struct tt_track_device *tdev,
					       unsigned long *id)
{
	struct tt_track_file *tfile;

	xa_lock(&tdev->files);
	tfile = xa_find(&tdev->files, id, ULONG_MAX, XA_PRESENT);
	if (tfile)
		atomic_inc(&tfile->readers);
	xa_unlock(&tdev->files);
	return tfile;
}

static void tt_track_file_unpin(struct tt_track_file *tfile)
{
	if (atomic_dec_and_test(&tfile->readers))
		wake_up_var(&tfile->readers);
}

/* A command name as one field of a debugfs line (TT_TRACK_COMM_ESCAPE) */
static void tt_track_show_comm(struct seq_file *m, const char *comm)
{
	if (!*comm)
		seq_puts(m, "\\000");
	else
		seq_escape_str(m, comm, TT_TRACK_COMM_ESCAPE, TT_TRACK_COMM_ALSO);
}

/**
 * tt_track_show_files() - one line per open file of a card
 * @m: the seq_file to print to
 * @tdev: the card
 *
 * Columns: pid (in the reader's pid namespace, 0 when not visible there),
 * uid (in the reader's user namespace), comm (escaped), buffers, then
 * bytes live and peak per buffer type. Each line is read at one instant.
 *
 * Context: process context; pins and locks one file at a time, for its
 * line: open() and close() of the card's files do not wait for the walk.
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

	for (id = 0; (tfile = tt_track_file_pin(tdev, &id)); id++) {
		mutex_lock(&tfile->lock);
		seq_printf(m, "%d %u ", pid_vnr(tfile->pid),
			   from_kuid_munged(current_user_ns(), tfile->uid));
		tt_track_show_comm(m, tfile->comm);
		seq_printf(m, " %lu", tfile->records.count);
		for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
			seq_printf(m, " %llu", tfile->totals.allocated[t]);
		for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
			seq_printf(m, " %llu", tfile->totals.peak[t]);
		seq_putc(m, '\n');
		mutex_unlock(&tfile->lock);
		tt_track_file_unpin(tfile);
		cond_resched();
	}
	return 0;
}

/*
 * Records a walk lists with a file pinned and locked, at most: a seek far
 * into the dump (seq_file's traverse() goes there record by record) lets
 * go of the file, and lets others run, this often.
 */
#define TT_TRACK_CURSOR_BATCH	64

/* Let go of the cursor's file, if it holds one; the cursor stays put. */
static void tt_track_cursor_put(struct tt_track_cursor *c)
{
	if (!c->tfile)
		return;
	mutex_unlock(&c->tfile->lock);
	tt_track_file_unpin(c->tfile);
	c->tfile = NULL;
}

/* The cursor's file has no more records: on to the next file. */
static void tt_track_cursor_next_file(struct tt_track_cursor *c)
{
	tt_track_cursor_put(c);
	c->file_id++;
	c->at.valid = false;
}

/*
 * The record at or after the cursor, moving on to the next file as they
 * run out; NULL at the end. Holds the file it returns a record of pinned
 * and locked.
 */
static struct tt_track_record *tt_track_cursor_find(struct tt_track_cursor *c)
{
	struct tt_track_device *tdev = c->tdev;
	struct tt_track_record *rec;
	unsigned long id;

	for (;;) {
		if (!c->tfile) {
			id = c->file_id;
			c->tfile = tt_track_file_pin(tdev, &id);
			if (!c->tfile)
				return NULL;
			mutex_lock(&c->tfile->lock);
			/* the file the cursor was in has closed: the next one */
			if (id != c->file_id) {
				c->file_id = id;
				c->at.valid = false;
			}
		}
		/*
		 * The walk order does not depend on the table: records that
		 * came or went, or a resize, since the last read move nothing.
		 */
		rec = tt_track_store_walk(&c->tfile->records, &c->at);
		if (rec)
			return rec;
		tt_track_cursor_next_file(c);
	}
}

/* Step past the record at the cursor, now and then letting go of its file */
static void tt_track_cursor_advance(struct tt_track_cursor *c)
{
	c->pos++;
	c->at.after = true;
	if (!(c->pos % TT_TRACK_CURSOR_BATCH)) {
		tt_track_cursor_put(c);
		cond_resched();
	}
}

static void tt_track_cursor_reset(struct tt_track_cursor *c)
{
	c->file_id = 0;
	c->at.valid = false;
	c->pos = 0;
}

static void *tt_track_records_start(struct seq_file *m, loff_t *pos)
{
	struct tt_track_cursor *c = m->private;
	struct tt_track_record *rec;

	c->tfile = NULL;
	c->now = tt_track_stamp();
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
	tt_track_cursor_put(m->private);
}

/* One line per record: owner pid, buffer id, type, size, refs, age in ms. */
static int tt_track_records_show(struct seq_file *m, void *v)
{
	struct tt_track_cursor *c = m->private;
	struct tt_track_record *rec = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "pid buffer_id type size refs age_ms\n");
		return 0;
	}

	seq_printf(m, "%d 0x%llx %s %llu %u %llu\n", pid_vnr(c->tfile->pid),
		   rec->id, tt_track_type_names[rec->type], (u64)rec->size,
		   (unsigned int)rec->refs,
		   tt_track_stamp_age_ms(rec->stamp, c->now));
	return 0;
}

/*
 * Walks every record of a card, one seq_file buffer at a time: a file is
 * pinned and locked from start() to stop() only, and for at most
 * TT_TRACK_CURSOR_BATCH records, so a dump of a million records, or a seek
 * to its end, never holds a file across the whole walk, never makes open()
 * or close() wait for it, and each line is consistent.
 * Records are listed by file, in an order of their hashes (not sorted by
 * id); a record live for the whole of a dump is listed exactly once.
 */
const struct seq_operations tt_track_records_seq_ops = {
	.start = tt_track_records_start,
	.next = tt_track_records_next,
	.stop = tt_track_records_stop,
	.show = tt_track_records_show,
};

/**
 * tt_track_init() - set up the tracking core, once, at module load
 * @file_of: gives the tracking file behind an open file, or an
 *	ERR_PTR(): -ENOTTY when it is not one, -EBADF when not open for
 *	writing, -ENODEV when its card is gone; for batch operations'
 *	targets (NULL: no targets)
 */
void tt_track_init(struct tt_track_file *(*file_of)(struct file *file))
{
	tt_track_file_of = file_of;
	tt_track_store_global_init();
	tt_track_default_user_records = max(totalram_pages() / 25 * PAGE_SIZE /
					    TT_TRACK_RECORD_BOUND, 1UL);
}

void tt_track_exit(void)
{
	struct tt_track_user *user;
	unsigned long uid;

	/* with every file closed, only users kept for their rate limit */
	cancel_delayed_work_sync(&tt_track_users_reaper);
	xa_for_each(&tt_track_users, uid, user) {
		WARN_ON(user->files);
		xa_erase(&tt_track_users, uid);
		tt_track_user_free(user);
	}
	xa_destroy(&tt_track_users);
}
