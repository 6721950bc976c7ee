/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Allocation tracking core: records of device-memory buffers per open file,
 * per-device totals, cleanup on release.
 *
 * It knows nothing of PCI or of this driver's device core, so it can move
 * into another driver (tt-kmd) as it is: embed a struct tt_track_device in
 * the device and a struct tt_track_file in each open file's context, call
 * tt_track_file_init() from open, tt_track_file_release() from release and
 * hand unknown ioctls to tt_track_ioctl(). This header is all such a driver
 * needs; what the core's own files share is in track_internal.h.
 */
#ifndef TT_TRACK_H
#define TT_TRACK_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/seq_file.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "tenstorrent_track.h"
#include "track_store.h"

#define TT_TRACK_TYPES	TENSTORRENT_BUFFER_TYPE_MAX

/* The card's memories, each bounding the buffer types that live in it. */
enum tt_track_memory {
	TT_TRACK_MEM_DRAM,	/* DRAM, TRACE */
	TT_TRACK_MEM_L1,	/* L1, L1_SMALL, CB, KERNEL */
	TT_TRACK_MEM_SYSTEM,	/* SYSTEM_MEMORY: the host's memory */
	TT_TRACK_MEMS,
};

/**
 * struct tt_track_totals - live allocations of a device or a file
 * @allocated: bytes live per buffer type
 * @peak: highest @allocated per buffer type
 * @buffers: live records per buffer type
 */
struct tt_track_totals {
	u64 allocated[TT_TRACK_TYPES];
	u64 peak[TT_TRACK_TYPES];
	u64 buffers[TT_TRACK_TYPES];
};

/**
 * struct tt_track_device - the tracking state of one card
 * @lock: protects @totals, @open_files and the notification state; taken
 *	inside a file's lock
 * @totals: sums over all open files of the card
 * @open_files: files of the card that are open
 * @files: the open files, by an id given at open (XA_FLAGS_ALLOC); a
 *	reader pins a file under the xarray's lock (@readers) and lets go
 *	of that lock before it takes the file's
 * @notify: called, from a work item, at most every TT_TRACK_NOTIFY_DELAY
 *	after @totals or @open_files changed; NULL for none
 * @notify_work: runs @notify
 * @notify_pending: @notify_work is scheduled
 * @notify_off: the card is going away; schedule no more notifications
 * @dev: the card's device, for log messages
 * @id: the card's index, for tracepoints
 * @capacity: bytes of each enum tt_track_memory; a record, or a file's
 *	total in one memory, larger than that is refused
 */
struct tt_track_device {
	spinlock_t lock;	/* see above */
	struct tt_track_totals totals;
	unsigned int open_files;
	struct xarray files;
	void (*notify)(struct tt_track_device *tdev);
	struct delayed_work notify_work;
	bool notify_pending;
	bool notify_off;
	struct device *dev;
	int id;
	u64 capacity[TT_TRACK_MEMS];
};

/* Notifications of changed totals are coalesced to at most 10 a second. */
#define TT_TRACK_NOTIFY_DELAY	(HZ / 10)

struct cgroup;
struct tt_track_user;

/**
 * struct tt_track_file - the records of one open file
 * @tdev: the card's tracking state
 * @lock: serialises operations on this file; protects @records and
 *	@totals
 * @records: the live records (track_store.c)
 * @totals: the file's own totals
 * @mem_allocated: bytes of @totals in each enum tt_track_memory, all its
 *	types together, kept beside them so that the capacity check of an
 *	alloc reads one sum
 * @user: the user the file's records are counted against (its opener)
 * @id: the file's index in the card's @files
 * @pid: thread group that opened the file
 * @uid: its user at open
 * @comm: its command name at open
 * @cgrp: its cgroup (unified hierarchy) at open, pinned; NULL without
 *	cgroups
 * @client_id: an id no other file of any card had since the module loaded,
 *	shown in fdinfo so that a reader can tell a file shared (fork, dup)
 *	from two files
 * @readers: debugfs readers that pinned the file (found it in the card's
 *	@files and may still lock it); its release waits for them to let go
 */
struct tt_track_file {
	struct tt_track_device *tdev;
	struct mutex lock;	/* see above */
	struct tt_track_store records;
	struct tt_track_totals totals;
	u64 mem_allocated[TT_TRACK_MEMS];
	struct tt_track_user *user;
	u32 id;
	struct pid *pid;
	kuid_t uid;
	char comm[TASK_COMM_LEN];
	struct cgroup *cgrp;
	u64 client_id;
	atomic_t readers;
};

void tt_track_device_init(struct tt_track_device *tdev, struct device *dev,
			  int id, const u64 capacity[TT_TRACK_MEMS],
			  void (*notify)(struct tt_track_device *tdev));
void tt_track_device_stop(struct tt_track_device *tdev);
void tt_track_device_destroy(struct tt_track_device *tdev);
void tt_track_device_totals(struct tt_track_device *tdev,
			    struct tt_track_totals *totals,
			    unsigned int *open_files);
void tt_track_device_reset_peaks(struct tt_track_device *tdev);

int tt_track_file_init(struct tt_track_file *tfile,
		       struct tt_track_device *tdev);
void tt_track_file_release(struct tt_track_file *tfile);

long tt_track_ioctl(struct tt_track_file *tfile, unsigned int cmd,
		    void __user *uarg, bool writable);

int tt_track_show_files(struct seq_file *m, struct tt_track_device *tdev);
void tt_track_show_fdinfo(struct seq_file *m, struct tt_track_file *tfile);
extern const struct seq_operations tt_track_records_seq_ops;

/**
 * struct tt_track_cursor - where a walk over a card's records stands
 * @tdev: the card
 * @tfile: the file being walked, pinned and locked, or NULL; let go of at
 *	stop() and every TT_TRACK_CURSOR_BATCH records
 * @file_id: its id; the walk resumes at the first file from here
 * @at: the record the cursor is at, or just after, in @tfile's walk
 *	order (tt_track_store_walk())
 * @pos: the seq_file position the cursor describes
 * @now: when the current read started, a record stamp
 *
 * The private data of a seq_file on tt_track_records_seq_ops (set it up
 * with seq_open_private() and fill in @tdev).
 */
struct tt_track_cursor {
	struct tt_track_device *tdev;
	struct tt_track_file *tfile;
	unsigned long file_id;
	struct tt_track_store_pos at;
	loff_t pos;
	u64 now;
};

void tt_track_init(struct tt_track_file *(*file_of)(struct file *file));
void tt_track_exit(void);

#endif /* TT_TRACK_H */
