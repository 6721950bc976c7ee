/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the tracking core's own files (track.c, track_user.c,
 * track_ioctl.c, track_debugfs.c) and its KUnit suites share. A host
 * driver includes track.h only.
 */
#ifndef TT_TRACK_INTERNAL_H
#define TT_TRACK_INTERNAL_H

#include <linux/atomic.h>
#include <linux/ratelimit.h>
#include <linux/string_helpers.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include "track.h"

/* Live records one open file may hold: the module parameter max_records */
extern unsigned long tt_track_max_records;

/* An internal flag of __tt_track_alloc(): version 1's rule, one id per file */
#define TT_TRACK_UNIQUE_ID	BIT(31)

/*
 * A command name, which any process chooses (prctl(PR_SET_NAME)), is
 * printed, in debugfs and in the kernel log, as one field that no name
 * can stretch over more fields or lines: each byte that is not
 * printable ASCII, space and backslash in octal (\ooo), as /proc/mounts
 * escapes paths; in debugfs an empty name is \000, which no name holds.
 * A cgroup path, which a user chooses too (mkdir in a delegated subtree),
 * is printed the same way. Readers undo it exactly. TT_TRACK_COMM_BUF
 * holds the longest name, four bytes for each of its bytes.
 */
#define TT_TRACK_COMM_BUF	(4 * (TASK_COMM_LEN - 1) + 1)

size_t tt_track_escape_byte(char *out, u8 c);
void tt_track_escape_comm(char *buf, const char *comm);

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

/* track.c: the operations on records */
int tt_track_alloc(struct tt_track_file *tfile, u64 buffer_id, u64 size,
		   u32 type, u32 flags, struct tenstorrent_track_alloc_out *out);
int tt_track_free(struct tt_track_file *tfile, u64 buffer_id, u32 type,
		  u32 flags, struct tenstorrent_track_free_out *out);
int __tt_track_alloc(struct tt_track_file *tfile, u64 buffer_id, u64 size,
		     u32 type, u32 flags,
		     struct tenstorrent_track_alloc_out *out);
int __tt_track_free(struct tt_track_file *tfile, u64 buffer_id, u32 type,
		    u32 flags, struct tenstorrent_track_free_out *out);

/* track_user.c: per-user accounting */
unsigned long tt_track_user_records(void);
struct tt_track_user *tt_track_user_get(kuid_t uid);
void tt_track_user_put(struct tt_track_user *user, bool leaked);
bool tt_track_user_charge(struct tt_track_user *user);
void tt_track_user_init(void);
void tt_track_user_exit(void);

/* track_ioctl.c */
void tt_track_ioctl_init(struct tt_track_file *(*file_of)(struct file *file));

#endif /* TT_TRACK_INTERNAL_H */
