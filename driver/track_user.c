// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-user accounting of the tracking core: the live records of each user
 * over all open files and cards, bounded by max_user_records, and each
 * user's rate limit of the lines logged when files are released holding
 * records. It knows nothing of cards; track.c counts a file against its
 * opener at open and lets go at release.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "compat.h"
#include "track_internal.h"

/* 0: the default, derived by tt_track_user_init() from the machine's memory */
static unsigned long tt_track_max_user_records;
module_param_named(max_user_records, tt_track_max_user_records, ulong, 0644);
MODULE_PARM_DESC(max_user_records,
		 "Live records one user may hold over all open files and cards; TRACK_ALLOC beyond fails with EDQUOT (0: the default, 4% of RAM at 64 bytes a record)");
static unsigned long tt_track_default_user_records;

/**
 * tt_track_user_records() - the per-user cap of records in force
 *
 * Context: any.
 * Return: max_user_records, or its default when the parameter is 0.
 */
unsigned long tt_track_user_records(void)
{
	return READ_ONCE(tt_track_max_user_records) ?:
	       tt_track_default_user_records;
}

/*
 * A record's memory is at most this, table included (track_store.c), for
 * any ids; the per-user default allows 4% of RAM of it, as epoll does for
 * its watches.
 */
#define TT_TRACK_RECORD_BOUND	64

/* Protects tt_track_users and each user's @files and @leak_until. */
static DEFINE_MUTEX(tt_track_users_lock);
static DEFINE_XARRAY(tt_track_users);

static void tt_track_users_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(tt_track_users_reaper, tt_track_users_reap);

/**
 * tt_track_user_get() - count a file being opened against its user
 * @uid: the user
 *
 * Context: process context; may sleep.
 * Return: the user, or NULL when out of memory.
 */
struct tt_track_user *tt_track_user_get(kuid_t uid)
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
	int missed = ratelimit_state_get_miss(&user->leak_rs);

	if (missed)
		pr_info("uid %u: %d more files closed with tracked buffers still live, not logged (rate limit)\n",
			from_kuid(&init_user_ns, user->uid), missed);
	kfree(user);
}

/**
 * tt_track_user_put() - drop a file's reference to its user
 * @user: the user, from tt_track_user_get()
 * @leaked: the file was released holding records
 *
 * The last reference frees the user, unless a leak of theirs is recent
 * enough that their rate limit must be kept for a while.
 *
 * Context: process context; may sleep.
 */
void tt_track_user_put(struct tt_track_user *user, bool leaked)
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
	unsigned long index, next = 0;
	bool again = false;

	mutex_lock(&tt_track_users_lock);
	xa_for_each(&tt_track_users, index, user) {
		if (user->files)
			continue;
		if (time_before(jiffies, user->leak_until)) {
			if (!again || time_before(user->leak_until, next))
				next = user->leak_until;
			again = true;
			continue;
		}
		xa_erase(&tt_track_users, index);
		tt_track_user_free(user);
	}
	if (again)
		schedule_delayed_work(&tt_track_users_reaper, next - jiffies);
	mutex_unlock(&tt_track_users_lock);
}

/**
 * tt_track_user_charge() - count one more record against a user
 * @user: the user
 *
 * Context: any.
 * Return: true, or false at max_user_records (and nothing is counted).
 */
bool tt_track_user_charge(struct tt_track_user *user)
{
	if (atomic_long_inc_return(&user->records) <= tt_track_user_records())
		return true;
	atomic_long_dec(&user->records);
	return false;
}

/**
 * tt_track_user_init() - derive the default of max_user_records
 *
 * Context: module init, from tt_track_init().
 */
void tt_track_user_init(void)
{
	tt_track_default_user_records = max(totalram_pages() / 25 * PAGE_SIZE /
					    TT_TRACK_RECORD_BOUND, 1UL);
}

/**
 * tt_track_user_exit() - free the users kept for their rate limit
 *
 * Context: module exit, from tt_track_exit(), with every file released.
 */
void tt_track_user_exit(void)
{
	struct tt_track_user *user;
	unsigned long index;

	/* with every file closed, only users kept for their rate limit */
	cancel_delayed_work_sync(&tt_track_users_reaper);
	xa_for_each(&tt_track_users, index, user) {
		WARN_ON(user->files);
		xa_erase(&tt_track_users, index);
		tt_track_user_free(user);
	}
	xa_destroy(&tt_track_users);
}
