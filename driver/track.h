/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Allocation tracking core: records of device-memory buffers per open file,
 * per-device totals, cleanup on release.
 *
 * It knows nothing of PCI or of this driver's device core, so it can move
 * into another driver (tt-kmd) as it is: embed a struct tt_track_device in
 * the device and a struct tt_track_file in each open file's context, call
 * tt_track_file_init() from open, tt_track_file_release() from release and
 * hand unknown ioctls to tt_track_ioctl().
 */
#ifndef TT_TRACK_H
#define TT_TRACK_H

#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "tenstorrent_track.h"

#define TT_TRACK_TYPES	TENSTORRENT_BUFFER_TYPE_MAX

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
 * @lock: protects @totals and @open_files; taken inside a file's lock
 * @totals: sums over all open files of the card
 * @open_files: files of the card that are open
 * @dev: the card's device, for log messages
 * @id: the card's index, for tracepoints
 */
struct tt_track_device {
	spinlock_t lock;	/* see above */
	struct tt_track_totals totals;
	unsigned int open_files;
	struct device *dev;
	int id;
};

/**
 * struct tt_track_file - the records of one open file
 * @tdev: the card's tracking state
 * @lock: serialises operations on this file; protects @totals and
 *	@nr_records and keeps the xarrays' contents stable between lookups
 * @records: records whose ids have a compact index (tt_track_index())
 * @wide: the few ids that have none, by raw id
 * @totals: the file's own totals
 * @nr_records: live records in @records and @wide
 * @pid: thread group that opened the file
 * @comm: its command name at open
 */
struct tt_track_file {
	struct tt_track_device *tdev;
	struct mutex lock;	/* see above */
	struct xarray records;
	struct xarray wide;
	struct tt_track_totals totals;
	u64 nr_records;
	struct pid *pid;
	char comm[TASK_COMM_LEN];
};

void tt_track_device_init(struct tt_track_device *tdev, struct device *dev,
			  int id);
void tt_track_device_totals(struct tt_track_device *tdev,
			    struct tt_track_totals *totals);

void tt_track_file_init(struct tt_track_file *tfile,
			struct tt_track_device *tdev);
void tt_track_file_release(struct tt_track_file *tfile);

int tt_track_alloc(struct tt_track_file *tfile, u64 buffer_id, u64 size,
		   u32 type, struct tenstorrent_track_alloc_out *out);
int tt_track_free(struct tt_track_file *tfile, u64 buffer_id,
		  struct tenstorrent_track_free_out *out);

long tt_track_ioctl(struct tt_track_file *tfile, unsigned int cmd,
		    void __user *uarg);

bool tt_track_index(u64 buffer_id, unsigned long *index);
u64 tt_track_index_to_id(unsigned long index);

int tt_track_init(void);
void tt_track_exit(void);

#endif /* TT_TRACK_H */
